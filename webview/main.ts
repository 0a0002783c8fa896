// The inspector webview's entry: registers the components. The page (media/inspector/index.html) holds one
// <cnn-inspector>; nonce.ts hands the policy's nonce to Lit first.

import './nonce';

export * from './components/inspector-app/inspector-app';
export { ArchitectureView } from './components/architecture-view/architecture-view';
export { FeatureMaps } from './components/feature-maps/feature-maps';
export { FiltersView } from './components/filters-view/filters-view';
export { PredictionView } from './components/prediction-view/prediction-view';
export { ConvExplorer } from './components/conv-explorer/conv-explorer';
export { TrainingView } from './components/training-view/training-view';
export { LineChart } from './components/line-chart/line-chart';
