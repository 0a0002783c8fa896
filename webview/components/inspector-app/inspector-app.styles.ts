import { css } from 'lit';

export const inspectorAppStyles = css`
  :host {
    display: block;
    padding: 0 12px 16px;
  }
  header {
    position: sticky;
    top: 0;
    z-index: 5;
    background: var(--vscode-editor-background, #1e1e1e);
    padding-top: 8px;
  }
  .file {
    font-size: 11px;
    color: var(--vscode-descriptionForeground, #9d9d9d);
    margin-bottom: 4px;
  }
  [role='tablist'] {
    display: flex;
    flex-wrap: wrap;
    gap: 2px;
    border-bottom: 1px solid var(--vscode-panel-border, rgba(128, 128, 128, 0.35));
  }
  [role='tab'] {
    font: inherit;
    background: none;
    border: none;
    border-bottom: 2px solid transparent;
    color: var(--vscode-panelTitle-inactiveForeground, #9d9d9d);
    padding: 5px 10px 4px;
    cursor: pointer;
    border-radius: 0;
  }
  [role='tab']:hover {
    color: var(--vscode-panelTitle-activeForeground, #e7e7e7);
    background: none;
  }
  [role='tab'][aria-selected='true'] {
    color: var(--vscode-panelTitle-activeForeground, #e7e7e7);
    border-bottom-color: var(--vscode-panelTitle-activeBorder, #e7e7e7);
  }
  main {
    padding-top: 8px;
  }
  .live {
    color: var(--vscode-charts-green, #89d185);
    font-size: 11px;
    margin-left: 6px;
  }
`;
