import { css } from 'lit';

export const trainingStyles = css`
  :host {
    display: block;
  }
  .stats {
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(110px, 1fr));
    gap: 6px 12px;
    margin: 6px 0 10px;
  }
  .test {
    display: contents;
  }
  .stat .value {
    font-size: 1.25em;
    font-variant-numeric: tabular-nums;
  }
  .stat .name {
    font-size: 11px;
    color: var(--vscode-descriptionForeground, #9d9d9d);
  }
  .charts {
    display: grid;
    grid-template-columns: repeat(auto-fit, minmax(260px, 1fr));
    gap: 12px;
  }
  progress {
    width: 100%;
    height: 4px;
    accent-color: var(--vscode-progressBar-background, #0e70c0);
  }
`;
