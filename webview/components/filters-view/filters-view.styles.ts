import { css } from 'lit';

export const filtersStyles = css`
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
  canvas {
    display: block;
    max-width: 100%;
    height: auto;
  }
`;
