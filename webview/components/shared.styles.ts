// Styles every component shares: buttons, inputs, headings and notes in VS Code's theme colours, with fallbacks.

import { css } from 'lit';

export const sharedStyles = css`
  :host {
    color: var(--vscode-foreground, #cccccc);
    font-family: var(--vscode-font-family, system-ui, sans-serif);
    font-size: var(--vscode-font-size, 13px);
  }
  button {
    font: inherit;
    color: var(--vscode-button-foreground, #ffffff);
    background: var(--vscode-button-background, #0e639c);
    border: 1px solid var(--vscode-button-border, transparent);
    border-radius: 2px;
    padding: 3px 10px;
    cursor: pointer;
  }
  button:hover {
    background: var(--vscode-button-hoverBackground, #1177bb);
  }
  button.secondary {
    color: var(--vscode-button-secondaryForeground, #cccccc);
    background: var(--vscode-button-secondaryBackground, #3a3d41);
  }
  button.secondary:hover {
    background: var(--vscode-button-secondaryHoverBackground, #45494e);
  }
  button:disabled {
    opacity: 0.5;
    cursor: default;
  }
  button:focus-visible,
  input:focus-visible,
  [tabindex]:focus-visible {
    outline: 1px solid var(--vscode-focusBorder, #007fd4);
    outline-offset: 1px;
  }
  input[type='number'] {
    font: inherit;
    width: 4.5em;
    color: var(--vscode-input-foreground, #cccccc);
    background: var(--vscode-input-background, #3c3c3c);
    border: 1px solid var(--vscode-input-border, transparent);
    padding: 2px 4px;
  }
  h3 {
    font-size: 1em;
    font-weight: 600;
    margin: 12px 0 6px;
  }
  .note {
    color: var(--vscode-descriptionForeground, #9d9d9d);
  }
  .error {
    color: var(--vscode-errorForeground, #f48771);
  }
  .row {
    display: flex;
    flex-wrap: wrap;
    gap: 8px;
    align-items: center;
  }
  canvas.pixels {
    image-rendering: pixelated;
  }
  .mono {
    font-family: var(--vscode-editor-font-family, ui-monospace, monospace);
  }
`;

/** A colour scale's legend: its bar (an image or gradient drawn by the component) between the values at its ends. */
export const colorbarStyles = css`
  .colorbar {
    display: inline-flex;
    align-items: center;
    gap: 4px;
    font-size: 11px;
    color: var(--vscode-descriptionForeground, #9d9d9d);
    font-variant-numeric: tabular-nums;
  }
  .colorbar .bar {
    display: inline-block;
    width: 80px;
    height: 8px;
    border: 1px solid var(--vscode-editorWidget-border, #454545);
  }
`;
