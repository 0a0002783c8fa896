import { css } from 'lit';

export const confusionStyles = css`
  :host {
    display: block;
  }
  label.toggle {
    display: inline-flex;
    gap: 5px;
    align-items: center;
    cursor: pointer;
  }
  table {
    border-collapse: collapse;
    font-variant-numeric: tabular-nums;
  }
  table.confusion th,
  table.confusion td {
    padding: 3px 6px;
    text-align: center;
    border: 1px solid var(--vscode-editorWidget-border, #454545);
    min-width: 2.6em;
  }
  table.confusion th {
    font-weight: normal;
    color: var(--vscode-descriptionForeground, #9d9d9d);
  }
  table.scores {
    margin-top: 8px;
  }
  table.scores th,
  table.scores td {
    padding: 2px 10px 2px 0;
    text-align: right;
  }
  table.scores th:first-child,
  table.scores td:first-child {
    text-align: left;
  }
  table.scores th {
    font-weight: normal;
    color: var(--vscode-descriptionForeground, #9d9d9d);
    border-bottom: 1px solid var(--vscode-editorWidget-border, #454545);
  }
  table.scores tfoot td {
    border-top: 1px solid var(--vscode-editorWidget-border, #454545);
    font-weight: 600;
  }
`;
