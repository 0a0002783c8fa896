// Theme colours for canvas drawing: VS Code's CSS variables read from an element, with fallbacks.

import type { ReactiveController, ReactiveControllerHost } from 'lit';

export interface ThemeColors {
  foreground: string;
  muted: string;
  grid: string;
  background: string;
  accent: string;
  error: string;
  series: string[];
}

export function themeColors(el: Element): ThemeColors {
  const cs = getComputedStyle(el);
  const v = (name: string, fallback: string) => cs.getPropertyValue(name).trim() || fallback;
  return {
    foreground: v('--vscode-foreground', '#cccccc'),
    muted: v('--vscode-descriptionForeground', '#9d9d9d'),
    grid: v('--vscode-editorWidget-border', v('--vscode-panel-border', 'rgba(128,128,128,0.35)')),
    background: v('--vscode-editor-background', '#1e1e1e'),
    accent: v('--vscode-focusBorder', '#007fd4'),
    error: v('--vscode-errorForeground', '#f48771'),
    series: [
      v('--vscode-charts-blue', '#3794ff'),
      v('--vscode-charts-orange', '#d18616'),
      v('--vscode-charts-green', '#89d185'),
      v('--vscode-charts-purple', '#b180d7'),
      v('--vscode-charts-red', '#f14c4c'),
      v('--vscode-charts-yellow', '#cca700'),
    ],
  };
}


/**
 * Asks its host to render again when VS Code changes the colour theme (it rewrites the theme variables on
 * <html>'s style and the body's vscode-light / vscode-dark / vscode-high-contrast class), so canvases that
 * read the theme's colours repaint. Observes on connect, stops on disconnect.
 */
export class ThemeController implements ReactiveController {
  private observer: MutationObserver | null = null;

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostConnected(): void {
    this.observer = new MutationObserver(() => this.host.requestUpdate());
    this.observer.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
    this.observer.observe(document.body, { attributes: true, attributeFilter: ['class'] });
  }

  hostDisconnected(): void {
    this.observer?.disconnect();
    this.observer = null;
  }
}
