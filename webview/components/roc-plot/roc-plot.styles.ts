import { css } from 'lit';

export const rocPlotStyles = css`
  :host {
    display: block;
  }
  .wrap {
    display: flex;
    flex-wrap: wrap;
    gap: 8px 18px;
    align-items: flex-start;
  }
  svg {
    display: block;
    overflow: visible;
    font-size: 10px;
  }
  .axis,
  .tick {
    fill: none;
    stroke: var(--vscode-descriptionForeground, #9d9d9d);
    stroke-width: 1;
  }
  .grid {
    stroke: var(--vscode-editorWidget-border, rgba(128, 128, 128, 0.35));
    stroke-width: 1;
    opacity: 0.5;
  }
  .diagonal {
    fill: none;
    stroke: var(--vscode-descriptionForeground, #9d9d9d);
    stroke-dasharray: 4 4;
    stroke-width: 1;
  }
  text {
    fill: var(--vscode-descriptionForeground, #9d9d9d);
  }
  path.curve {
    fill: none;
    stroke-width: 1.6;
    stroke-linejoin: round;
  }
  path.curve.dim {
    opacity: 0.18;
  }
  path.curve.focus {
    stroke-width: 3;
  }
  .readout {
    fill: var(--vscode-foreground, #cccccc);
    font-size: 11px;
  }
  table.auc {
    border-collapse: collapse;
    font-variant-numeric: tabular-nums;
  }
  table.auc th,
  table.auc td {
    padding: 2px 8px;
    text-align: right;
  }
  table.auc th:first-child,
  table.auc td:first-child {
    text-align: left;
  }
  table.auc th {
    font-weight: normal;
    color: var(--vscode-descriptionForeground, #9d9d9d);
    border-bottom: 1px solid var(--vscode-editorWidget-border, #454545);
  }
  table.auc tbody tr {
    cursor: pointer;
  }
  table.auc tbody tr:hover,
  table.auc tbody tr.focus {
    background: var(--vscode-list-hoverBackground, rgba(128, 128, 128, 0.15));
  }
  table.auc tfoot td {
    border-top: 1px solid var(--vscode-editorWidget-border, #454545);
    font-weight: 600;
  }
  .swatch {
    display: inline-block;
    width: 18px;
    height: 0;
    border-top-width: 2px;
    vertical-align: middle;
    margin-right: 6px;
  }
`;
