// <cnn-gradient-flow>'s styles: its heading and the diagnostics list under the chart.

import { css } from 'lit';

export const gradientFlowStyles = css`
  :host {
    display: block;
    margin-top: 12px;
  }
  h3 {
    font-size: 12px;
    font-weight: 600;
    margin: 0 0 4px;
  }
  ul {
    margin: 6px 0 0;
    padding-left: 18px;
  }
  li {
    margin: 2px 0;
  }
  .code {
    font-family: var(--vscode-editor-font-family, monospace);
    color: var(--vscode-editorWarning-foreground, #cca700);
  }
`;
