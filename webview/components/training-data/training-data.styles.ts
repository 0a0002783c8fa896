import { css } from 'lit';

export const trainingDataStyles = css`
  :host {
    display: block;
  }
  .counts {
    display: grid;
    grid-template-columns: max-content minmax(80px, 1fr) max-content max-content;
    gap: 3px 10px;
    align-items: center;
    max-width: 640px;
    font-variant-numeric: tabular-nums;
  }
  .counts .head {
    font-size: 11px;
    color: var(--vscode-descriptionForeground, #9d9d9d);
  }
  .track {
    height: 10px;
    background: var(--vscode-editorWidget-background, #252526);
    border: 1px solid var(--vscode-editorWidget-border, #454545);
  }
  .fill {
    height: 100%;
    background: var(--vscode-charts-blue, #3794ff);
  }
  .fill.rare {
    background: var(--vscode-charts-orange, #d18616);
  }
  .num {
    text-align: right;
  }
  ul.warnings {
    margin: 6px 0 0;
    padding-left: 18px;
  }
  ul.warnings li {
    color: var(--vscode-editorWarning-foreground, #cca700);
  }
`;
