import { css } from 'lit';

export const filtersStyles = css`
  :host {
    display: block;
  }
  section {
    margin: 10px 0 14px;
  }
  .head {
    display: flex;
    flex-wrap: wrap;
    gap: 4px 12px;
    align-items: baseline;
    margin-bottom: 4px;
  }
  .head .title {
    font-weight: 600;
  }
  canvas {
    display: block;
    max-width: 100%;
    height: auto;
  }
  .colorbar {
    display: inline-flex;
    align-items: center;
    gap: 4px;
    font-size: 11px;
    color: var(--vscode-descriptionForeground, #9d9d9d);
  }
  .colorbar .bar {
    display: inline-block;
    width: 80px;
    height: 8px;
    border: 1px solid var(--vscode-editorWidget-border, #454545);
  }
`;
