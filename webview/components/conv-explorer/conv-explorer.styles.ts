import { css } from 'lit';

export const convExplorerStyles = css`
  :host {
    display: block;
  }
  .controls label {
    display: inline-flex;
    gap: 4px;
    align-items: center;
  }
  canvas {
    display: block;
    margin: 10px 0;
    max-width: 100%;
  }
  .formula {
    font-size: 1.1em;
    margin: 6px 0;
  }
  .bad {
    color: var(--vscode-errorForeground, #f48771);
  }
  .good {
    color: var(--vscode-charts-green, #89d185);
  }
`;
