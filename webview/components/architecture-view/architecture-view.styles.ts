import { css } from 'lit';

export const architectureStyles = css`
  :host {
    display: block;
  }
  .summary {
    margin: 4px 0 8px;
  }
  .fit {
    overflow-x: auto;
    padding-bottom: 4px;
  }
  svg {
    display: block;
  }
  .box {
    cursor: pointer;
  }
  .box path {
    stroke: var(--vscode-editor-foreground, #d4d4d4);
    stroke-width: 0.75;
    stroke-opacity: 0.6;
  }
  .box .front {
    fill-opacity: 0.85;
  }
  .box .top {
    fill-opacity: 0.6;
  }
  .box .side {
    fill-opacity: 0.45;
  }
  .box text {
    fill: var(--vscode-foreground, #cccccc);
    font-size: 11px;
    text-anchor: middle;
  }
  .box text.kind {
    font-weight: 600;
  }
  .box text.name {
    fill: var(--vscode-textLink-foreground, #3794ff);
    font-family: var(--vscode-editor-font-family, monospace);
  }
  .box text.figure {
    fill: var(--vscode-descriptionForeground, #9d9d9d);
  }
  .box:hover path,
  .box:focus-visible path {
    stroke-opacity: 1;
    stroke-width: 1.5;
  }
  .box:focus {
    outline: none;
  }
  .box.current .hit {
    fill: var(--vscode-editor-selectionBackground, rgba(38, 79, 120, 0.5));
    fill-opacity: 0.5;
    stroke: var(--vscode-focusBorder, #007fd4);
    stroke-width: 1.5;
  }
  .hit {
    fill: transparent;
  }
  .box.error path {
    stroke: var(--vscode-errorForeground, #f48771);
    stroke-width: 2;
    stroke-opacity: 1;
    stroke-dasharray: 3 2;
  }
  .box.error text.kind {
    fill: var(--vscode-errorForeground, #f48771);
  }
  .kind-input { fill: var(--vscode-charts-foreground, #9e9e9e); }
  .kind-conv,
  .kind-deconv { fill: var(--vscode-charts-blue, #3794ff); }
  .kind-pool,
  .kind-globalpool,
  .kind-upsample { fill: var(--vscode-charts-green, #89d185); }
  .kind-batchnorm { fill: var(--vscode-charts-yellow, #cca700); }
  .kind-add,
  .kind-concat { fill: var(--vscode-terminal-ansiCyan, #29b8db); }
  .kind-relu,
  .kind-leakyrelu,
  .kind-sigmoid,
  .kind-tanh { fill: var(--vscode-charts-orange, #d18616); }
  .kind-dense { fill: var(--vscode-charts-purple, #b180d7); }
  .kind-softmax { fill: var(--vscode-charts-red, #f14c4c); }
  .kind-flatten,
  .kind-dropout { fill: var(--vscode-charts-yellow, #cca700); }
  .arrow {
    fill: none;
    stroke: var(--vscode-descriptionForeground, #9d9d9d);
    stroke-width: 1;
    marker-end: url(#arrowhead);
  }
  #arrowhead path {
    fill: var(--vscode-descriptionForeground, #9d9d9d);
  }
  ul.errors {
    margin: 8px 0 0;
    padding-left: 18px;
  }
`;
