// Explanations of a trained network's predictions (issue 10): Grad-CAM, saliency and occlusion maps from the
// built-in engine (maps.ts), the checks of what is asked against the model (target.ts), and the maps drawn
// over their inputs as PNG images (overlay.ts). The engine's part is Network.logitGradients.

export { explain, gradCam, occlusion, OCCLUSION_BATCH, saliency, targetClasses, type ExplainMap, type Explanation, type ExplainOptions } from './maps';
export { defaultLine, ExplainError, layerOnLine, METHODS, occlusionWindow, resolveClass, type ExplainMethod, type OcclusionWindow } from './target';
export { overlayPng, upsampleBilinear } from './overlay';
