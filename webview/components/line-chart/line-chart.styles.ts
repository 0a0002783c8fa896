import { css } from 'lit';

export const lineChartStyles = css`
  :host {
    display: block;
    position: relative;
  }
  canvas {
    display: block;
    width: 100%;
  }
  .legend {
    display: flex;
    flex-wrap: wrap;
    gap: 4px 14px;
    margin-top: 2px;
    font-size: 11px;
  }
  .swatch {
    display: inline-block;
    width: 14px;
    height: 3px;
    vertical-align: middle;
    margin-right: 4px;
  }
  .swatch.markers {
    width: 7px;
    height: 7px;
    border-radius: 50%;
  }
  .readout {
    position: absolute;
    pointer-events: none;
    background: var(--vscode-editorHoverWidget-background, #252526);
    color: var(--vscode-editorHoverWidget-foreground, #cccccc);
    border: 1px solid var(--vscode-editorHoverWidget-border, #454545);
    padding: 3px 6px;
    font-size: 11px;
    white-space: nowrap;
    z-index: 1;
  }
`;
