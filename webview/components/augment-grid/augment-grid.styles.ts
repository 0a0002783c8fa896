import { css } from 'lit';

export const augmentGridStyles = css`
  :host {
    display: block;
  }
  .grid {
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(64px, 1fr));
    gap: 6px;
    /* The sample and its 8 versions in one row where the panel allows, at most 110 px each. */
    max-width: 1038px;
    margin-top: 8px;
  }
  .grid.stale {
    opacity: 0.55;
  }
  figure {
    margin: 0;
    font-size: 11px;
    text-align: center;
  }
  figure canvas {
    display: block;
    width: 100%;
    aspect-ratio: 1;
    border: 1px solid var(--vscode-editorWidget-border, #454545);
  }
  figure.original canvas {
    border-color: var(--vscode-focusBorder, #007fd4);
  }
  code {
    font-family: var(--vscode-editor-font-family, ui-monospace, monospace);
    background: var(--vscode-textCodeBlock-background, rgba(128, 128, 128, 0.15));
    padding: 1px 4px;
  }
  .settings {
    font-variant-numeric: tabular-nums;
  }
`;
