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
  .bars.labels {
    grid-template-columns: max-content 1fr 4em 3em;
  }
  .bars .head {
    font-size: 10px;
    color: var(--vscode-descriptionForeground, #9d9d9d);
  }
  .bars .threshold-label {
    transform: translateX(-0.8em);
  }
  .threshold {
    position: absolute;
    top: -3px;
    bottom: -3px;
    width: 0;
    border-left: 1px dashed var(--vscode-foreground, #cccccc);
  }
  .mark {
    font-size: 11px;
    white-space: nowrap;
  }
  figcaption.labels {
    max-width: 110px;
  }
  .value {
    text-align: right;
    font-variant-numeric: tabular-nums;
  }
  .truth {
    font-weight: 600;
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
