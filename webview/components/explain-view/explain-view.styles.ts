import { css } from 'lit';

export const explainViewStyles = css`
  :host {
    display: block;
  }
  .controls {
    margin: 6px 0 10px;
    row-gap: 6px;
  }
  label {
    display: inline-flex;
    gap: 4px;
    align-items: center;
  }
  select {
    font: inherit;
    color: var(--vscode-dropdown-foreground, #cccccc);
    background: var(--vscode-dropdown-background, #3c3c3c);
    border: 1px solid var(--vscode-dropdown-border, #3c3c3c);
    padding: 2px 4px;
    max-width: 22em;
  }
  select:focus-visible,
  input[type='range']:focus-visible {
    outline: 1px solid var(--vscode-focusBorder, #007fd4);
    outline-offset: 1px;
  }
  input[type='range'] {
    accent-color: var(--vscode-button-background, #0e639c);
    width: 110px;
  }
  .about {
    margin: 4px 0 8px;
  }
  .maps {
    display: flex;
    flex-wrap: wrap;
    gap: 14px;
  }
  figure {
    margin: 0;
    width: 180px;
    display: flex;
    flex-direction: column;
    gap: 4px;
  }
  figcaption {
    font-weight: 600;
  }
  figcaption .note {
    font-weight: normal;
  }
  .hint {
    font-size: 11px;
  }
  canvas.overlay {
    width: 180px;
    height: auto;
    border: 1px solid var(--vscode-editorWidget-border, #454545);
  }
  .colorbar .bar {
    width: 110px;
  }
`;
