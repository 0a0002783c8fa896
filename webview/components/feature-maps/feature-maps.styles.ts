import { css } from 'lit';

export const featureMapsStyles = css`
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
  canvas.tiles {
    display: block;
    cursor: zoom-in;
    max-width: 100%;
    height: auto;
  }
  canvas.input {
    display: block;
  }
  .enlarged {
    position: fixed;
    inset: 24px;
    z-index: 10;
    background: var(--vscode-editorWidget-background, #252526);
    border: 1px solid var(--vscode-editorWidget-border, #454545);
    box-shadow: 0 0 12px var(--vscode-widget-shadow, rgba(0, 0, 0, 0.5));
    padding: 10px;
    display: flex;
    flex-direction: column;
    gap: 8px;
    overflow: auto;
  }
  .enlarged canvas {
    width: min(100%, 60vh);
    height: auto;
    align-self: center;
  }
  label {
    display: inline-flex;
    gap: 4px;
    align-items: center;
  }
`;
