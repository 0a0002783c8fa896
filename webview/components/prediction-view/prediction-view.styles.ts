import { css } from 'lit';

export const predictionStyles = css`
  :host {
    display: block;
  }
  .bars {
    display: grid;
    grid-template-columns: max-content 1fr 4em;
    gap: 4px 8px;
    align-items: center;
    max-width: 520px;
  }
  .track {
    position: relative;
    height: 14px;
    background: var(--vscode-editorWidget-background, #252526);
    border: 1px solid var(--vscode-editorWidget-border, #454545);
  }
  .fill {
    height: 100%;
    background: var(--vscode-charts-blue, #3794ff);
  }
  .fill.top {
    background: var(--vscode-charts-green, #89d185);
  }
  .fill.wrong {
    background: var(--vscode-charts-red, #f14c4c);
  }
  .value {
    text-align: right;
    font-variant-numeric: tabular-nums;
  }
  .truth {
    font-weight: 600;
  }
  table.confusion {
    border-collapse: collapse;
    font-variant-numeric: tabular-nums;
  }
  table.confusion th,
  table.confusion td {
    padding: 3px 6px;
    text-align: center;
    border: 1px solid var(--vscode-editorWidget-border, #454545);
  }
  table.confusion th {
    font-weight: normal;
    color: var(--vscode-descriptionForeground, #9d9d9d);
  }
  .gallery {
    display: flex;
    flex-wrap: wrap;
    gap: 10px;
  }
  figure {
    margin: 0;
    font-size: 11px;
    text-align: center;
  }
  figure canvas {
    display: block;
    width: 72px;
    height: 72px;
    margin: 0 auto 2px;
  }
`;
