// <cnn-inspector>: the app. It holds the state, feeds host messages (through HostMessagesController) and the
// user's actions through the pure reducer, hands each view its slice, and turns the views' events into
// checked messages to the host. The tab and sample survive hiding the panel and reloading the window.

import { html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { type HostToWebview, INSPECTOR_TABS, type InspectorTab, type WebviewToHost } from '../../../src/protocol/webview';
import { HostMessagesController } from '../../controllers/host-messages';
import { GRID_COUNT, gridPhase, previewRequestKey } from '../../state/augment';
import { type ConvSetting, explorerLayer } from '../../state/conv';
import { currentKey, explainRequest, galleryRequest, shouldAsk } from '../../state/explain';
import { type Action, initialState, type InspectorState, isLive, persisted, reduce } from '../../state/inspector';
import { type Host, host } from '../../vscode-api';
import '../architecture-view/architecture-view';
import '../conv-explorer/conv-explorer';
import '../explain-view/explain-view';
import '../feature-maps/feature-maps';
import '../filters-view/filters-view';
import '../prediction-view/prediction-view';
import '../training-view/training-view';
import { sharedStyles } from '../shared.styles';
import { inspectorAppStyles } from './inspector-app.styles';

const TAB_TITLES: Record<InspectorTab, string> = {
  architecture: 'Architecture',
  training: 'Training',
  features: 'Feature maps',
  filters: 'Filters',
  prediction: 'Prediction',
  explain: 'Explain',
  explorer: 'Convolution',
};

@customElement('cnn-inspector')
export class InspectorApp extends LitElement {
  static override styles = [sharedStyles, inspectorAppStyles];

  /** The whole state; replaced (never mutated) by the reducer. */
  @state() state: InspectorState;

  /** Tell the host on connect that the app is ready (off in tests that drive the app alone). */
  @property({ type: Boolean, attribute: 'no-ready' }) noReady = false;

  private readonly host: Host = host();
  /** The augmentation grid's last request (file, sample, seed, settings): asked again only when that changes. */
  private augmentAsked: string | null = null;
  /** The snapshot (the running network's latest) the Explain tab's last request followed. */
  private explainAfter: unknown = null;
  /** The evaluation whose misclassified samples the gallery's Grad-CAM maps were last asked for. */
  private galleryAfter: unknown = null;

  constructor() {
    super();
    this.state = initialState(this.host.getState());
    new HostMessagesController(this, (m: HostToWebview) => this.dispatch(m));
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (!this.noReady) this.post({ type: 'ready' });
  }

  /** Runs an action through the reducer; saves what must survive a reload. */
  dispatch(action: Action): void {
    const next = reduce(this.state, action);
    if (next === this.state) return;
    const before = persisted(this.state);
    this.state = next;
    const after = persisted(next);
    if (before.file !== after.file || before.tab !== after.tab || before.sample !== after.sample) this.host.setState(after);
  }

  private post(m: WebviewToHost): void {
    this.host.post(m);
  }

  override updated(): void {
    this.requestAugmentPreview();
    this.requestExplanation();
    this.requestGalleryCams();
  }

  /** The gallery's Grad-CAM toggle on: the maps of each new evaluation's misclassified samples (each epoch while training). */
  private requestGalleryCams(): void {
    const s = this.state;
    if (s.tab !== 'prediction' || !s.file || !s.evaluation || s.evaluation === this.galleryAfter) return;
    const request = galleryRequest(s.file, s.explain, s.model, s.evaluation.misclassified.map((m) => m.index));
    if (!request) return;
    this.galleryAfter = s.evaluation;
    this.post(request);
  }

  /**
   * While the Explain tab shows: a new sample, class or layer asks the trainer for the maps; while training, so does
   * each newer snapshot (once the last answer is in), so the maps follow the running network.
   */
  private requestExplanation(pickImage = false): void {
    const s = this.state;
    if (s.tab !== 'explain' || !s.file) return;
    if (!pickImage && !shouldAsk(s.explain, s.model, isLive(s), s.snapshot !== this.explainAfter)) return;
    this.explainAfter = s.snapshot;
    const request = explainRequest(s.file, s.explain, s.model);
    if (!pickImage) this.dispatch({ type: 'ui/explainAsked', key: currentKey(s.explain, s.model) });
    this.post(pickImage ? { ...request, pickImage: true } : request);
  }

  /**
   * While the Training tab shows, the augmentation grid follows the editor: a new `augment` line (every edit), another
   * sample or new draws ask the host for new images, once each.
   */
  private requestAugmentPreview(): void {
    const s = this.state;
    if (s.tab !== 'training' || !s.file) return;
    const key = previewRequestKey(s.model, s.augment.sample, s.augment.seed);
    if (key === null || key === this.augmentAsked) return;
    this.augmentAsked = key;
    this.post({ type: 'augmentPreview', file: s.file, sample: s.augment.sample, count: GRID_COUNT, ...(s.augment.seed !== null ? { seed: s.augment.seed } : {}) });
  }

  private withFile(f: (file: string) => WebviewToHost): void {
    if (this.state.file) this.post(f(this.state.file));
  }

  /** Feature maps, filters and probabilities of a validation sample (the chosen one by default). */
  private requestSnapshot(sample = this.state.sample): void {
    this.withFile((file) => ({ type: 'snapshot', file, sample: Math.max(0, Math.floor(sample) || 0) }));
  }

  /**
   * A new setting in the convolution explorer: shown, and told to the host when it is a plain convolution's N, F,
   * S and P (the walkthrough watches for stride 3; a dilated or transposed one is another lesson).
   */
  private onExplorer(setting: Partial<ConvSetting>): void {
    this.dispatch({ type: 'ui/explorer', setting });
    const { n, f, s, p, d, transposed } = this.state.explorer.setting;
    if (!transposed && (d ?? 1) === 1) this.post({ type: 'explorer', n, f, s, p });
  }

  private selectTab(tab: InspectorTab): void {
    this.dispatch({ type: 'ui/tab', tab });
  }

  private onTabKey(e: KeyboardEvent): void {
    const i = INSPECTOR_TABS.indexOf(this.state.tab);
    const d = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (!d) return;
    e.preventDefault();
    const tab = INSPECTOR_TABS[(i + d + INSPECTOR_TABS.length) % INSPECTOR_TABS.length]!;
    this.selectTab(tab);
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(`[role=tab][data-tab=${tab}]`)?.focus());
  }

  override render() {
    const s = this.state;
    const live = isLive(s);
    return html`
      <header>
        <div class="file">${s.model ? s.model.fileName : s.empty ? 'No .cnn file' : 'Waiting for the editor…'}${live ? html`<span class="live">● training</span>` : nothing}</div>
        <div role="tablist" aria-label="Inspector views" @keydown=${this.onTabKey}>
          ${INSPECTOR_TABS.map(
            (t) => html`<button role="tab" data-tab=${t} aria-selected=${t === s.tab ? 'true' : 'false'} tabindex=${t === s.tab ? '0' : '-1'} @click=${() => this.selectTab(t)}>
              ${TAB_TITLES[t]}
            </button>`,
          )}
        </div>
      </header>
      <main role="tabpanel" aria-label=${TAB_TITLES[s.tab]}>${s.empty && !s.model ? html`<p class="note">Open a .cnn file to inspect it.</p>` : this.renderTab(live)}</main>
    `;
  }

  private renderTab(live: boolean) {
    const s = this.state;
    switch (s.tab) {
      case 'architecture':
        return html`<cnn-architecture .model=${s.model} .cursorLine=${s.cursorLine} @cnn-reveal=${(e: CustomEvent<{ line: number }>) => this.withFile((file) => ({ type: 'reveal', file, line: e.detail.line }))}></cnn-architecture>`;
      case 'training':
        return html`<cnn-training
          .run=${s.run}
          .status=${s.status}
          .file=${s.file}
          ?live=${live}
          ?hasErrors=${(s.model?.errorCount ?? 0) > 0}
          .data=${s.trainingData}
          .model=${s.model}
          .augmentPreview=${s.augment.preview}
          .augmentPhase=${gridPhase(s.model, s.augment.preview, s.augment.sample, s.augment.seed)}
          .augmentSample=${s.augment.sample}
          @cnn-augment-sample=${(e: CustomEvent<{ sample: number }>) => this.dispatch({ type: 'ui/augmentSample', sample: e.detail.sample })}
          @cnn-augment-redraw=${() => this.dispatch({ type: 'ui/augmentSeed', seed: (s.augment.preview?.seed ?? s.augment.seed ?? 0) + 1 })}
          @cnn-stop=${() => this.withFile((file) => ({ type: 'stopTraining', file }))}
          @cnn-train=${() => this.withFile((file) => ({ type: 'train', file }))}
        ></cnn-training>`;
      case 'features':
        return html`<cnn-feature-maps
          .snapshot=${s.snapshot}
          .model=${s.model}
          .status=${s.status}
          .enlarged=${s.enlarged}
          .sample=${s.sample}
          @cnn-sample=${(e: CustomEvent<{ sample: number }>) => this.dispatch({ type: 'ui/sample', sample: e.detail.sample })}
          @cnn-snapshot=${(e: CustomEvent<{ sample: number }>) => this.requestSnapshot(e.detail.sample)}
          @cnn-pick-image=${() => this.withFile((file) => ({ type: 'pickImage', file }))}
          @cnn-enlarge=${(e: CustomEvent<{ layer: number; channel: number }>) => this.dispatch({ type: 'ui/enlarge', ...e.detail })}
          @cnn-close-enlarged=${() => this.dispatch({ type: 'ui/closeEnlarged' })}
        ></cnn-feature-maps>`;
      case 'filters':
        return html`<cnn-filters .snapshot=${s.snapshot} .model=${s.model} @cnn-snapshot=${() => this.requestSnapshot()}></cnn-filters>`;
      case 'prediction':
        return html`<cnn-prediction
          .snapshot=${s.snapshot}
          .evaluation=${s.evaluation}
          .sample=${s.sample}
          .task=${s.model?.task ?? 'single'}
          ?normalise=${s.normalise}
          .rocFocus=${s.rocFocus}
          ?cam=${s.explain.galleryCam}
          .cams=${s.explain.gallery}
          @cnn-gallery-cam=${(e: CustomEvent<{ on: boolean }>) => this.dispatch({ type: 'ui/galleryCam', on: e.detail.on })}
          @cnn-normalise=${(e: CustomEvent<{ on: boolean }>) => this.dispatch({ type: 'ui/normalise', on: e.detail.on })}
          @cnn-roc-focus=${(e: CustomEvent<{ index: number | null }>) => this.dispatch({ type: 'ui/rocFocus', index: e.detail.index })}
          @cnn-snapshot=${() => this.requestSnapshot()}
          @cnn-evaluate=${() => this.withFile((file) => ({ type: 'evaluate', file }))}
        ></cnn-prediction>`;
      case 'explain':
        return html`<cnn-explain
          .explain=${s.explain}
          .model=${s.model}
          .evaluation=${s.evaluation}
          .status=${s.status}
          ?live=${live}
          @cnn-explain-sample=${(e: CustomEvent<{ sample: number }>) => this.dispatch({ type: 'ui/explainSample', sample: e.detail.sample })}
          @cnn-explain-class=${(e: CustomEvent<{ cls: number | null }>) => this.dispatch({ type: 'ui/explainClass', cls: e.detail.cls })}
          @cnn-explain-line=${(e: CustomEvent<{ line: number }>) => this.dispatch({ type: 'ui/explainLine', line: e.detail.line })}
          @cnn-explain-opacity=${(e: CustomEvent<{ opacity: number }>) => this.dispatch({ type: 'ui/explainOpacity', opacity: e.detail.opacity })}
          @cnn-explain-pick=${() => this.requestExplanation(true)}
        ></cnn-explain>`;
      case 'explorer':
        return html`<cnn-conv-explorer
          .explorer=${s.explorer}
          .layer=${s.model ? explorerLayer(s.model.layers, s.cursorLine) : null}
          @cnn-explorer=${(e: CustomEvent<{ setting: Partial<ConvSetting> }>) => this.onExplorer(e.detail.setting)}
          @cnn-explorer-step=${(e: CustomEvent<{ step: number }>) => this.dispatch({ type: 'ui/explorerStep', step: e.detail.step })}
        ></cnn-conv-explorer>`;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'cnn-inspector': InspectorApp;
  }
}
