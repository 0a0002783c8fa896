// The inspector's Explain tab across the trainer boundary: an ExplainRequest (which sample, which class, which
// layer, which methods) and its ExplanationMessage (the input and one raw map per method, or the one-line reason
// the request does not fit the model). Definitions of the maps: src/explain/maps.ts. Plain data and checks only.

import { arrayOf, type Check, isF32, isInt, isStr, nullable, oneOf, shape } from './check';

/** The explanation methods (src/explain/target.ts's METHODS, repeated here: the protocol imports no engine code). */
export const EXPLAIN_METHODS = ['gradcam', 'saliency', 'occlusion'] as const;
export type ExplainMethodName = (typeof EXPLAIN_METHODS)[number];

/** Explain a validation sample (else training) by index, or an image file, with the network's current weights. */
export interface ExplainRequest {
  type: 'explain';
  /** A sample of the validation split (else training), clamped to it; ignored when `imagePath` is given. */
  sample: number;
  imagePath: string | null;
  /** The class (logit index) to explain; null: the predicted one. */
  cls: number | null;
  /** Grad-CAM's layer: the statement's 0-based line; null: the last conv, pool or merge with a spatial output. */
  line: number | null;
  methods: ExplainMethodName[];
}

/** One method's raw map (neither normalised nor upsampled): h×w values, row-major. */
export interface ExplanationMap {
  method: ExplainMethodName;
  /** Grad-CAM: the 0-based line of the layer it weighs; null for saliency and occlusion. */
  line: number | null;
  h: number;
  w: number;
  map: Float32Array;
}

/** The answer to an ExplainRequest. */
export interface ExplanationMessage {
  type: 'explanation';
  /** `validation sample 3`, or the image file's path. */
  source: string;
  /** The sample's validation index (null for an image file) and image path (null for a sample). */
  sample: number | null;
  imagePath: string | null;
  /** The sample's class (single-label; null for an image file or a multi-label set). */
  label: number | null;
  /** The input as [H, W, C] (channels last, values as the network sees them). */
  input: { shape: number[]; data: Float32Array };
  /** The class explained (the predicted one unless the request named one); -1 with an error. */
  classIndex: number;
  /** Whether classIndex is the prediction (the request named none). */
  predicted: boolean;
  /** The class (or label) probabilities of the sample. */
  probabilities: number[];
  classes: string[];
  maps: ExplanationMap[];
  /** Why nothing was computed (a dense line, an unknown class), one line; null when the maps are there. */
  error: string | null;
}

/** The misclassified gallery's Grad-CAM toggle: each sample's map for its predicted class, at the default layer or `line`. */
export interface ExplainGalleryRequest {
  type: 'explainGallery';
  /** Samples of the validation split (else training), as the evaluation numbers them. */
  samples: number[];
  line: number | null;
}

/** One gallery sample's Grad-CAM map (raw, h×w) for the class it was predicted as. */
export interface GalleryMap {
  sample: number;
  classIndex: number;
  h: number;
  w: number;
  map: Float32Array;
}

/** The answer to an ExplainGalleryRequest: the maps in the request's order, or the reason there are none. */
export interface GalleryExplanationMessage {
  type: 'galleryExplanation';
  /** The layer's 0-based line (null with an error). */
  line: number | null;
  items: GalleryMap[];
  error: string | null;
}

/** The most samples one gallery request may ask for. */
export const GALLERY_MAX = 256;

const isMethod: Check = oneOf(...EXPLAIN_METHODS);
const isNonNegInt: Check = (v) => isInt(v) && (v as number) >= 0;

/** The request's fields (isHostMessage's `explain` entry). */
export const explainRequestFields: Record<string, Check> = {
  sample: isNonNegInt,
  imagePath: nullable(isStr),
  cls: nullable(isNonNegInt),
  line: nullable(isNonNegInt),
  methods: (v) => arrayOf(isMethod)(v) && (v as unknown[]).length >= 1 && new Set(v as unknown[]).size === (v as unknown[]).length,
};

/** The message's fields (isTrainerMessage's `explanation` entry). */
export const explanationFields: Record<string, Check> = {
  source: isStr,
  sample: nullable(isNonNegInt),
  imagePath: nullable(isStr),
  label: nullable(isInt),
  input: shape({ shape: arrayOf(isInt), data: isF32 }),
  classIndex: isInt,
  predicted: (v) => typeof v === 'boolean',
  probabilities: arrayOf((v) => typeof v === 'number' && Number.isFinite(v)),
  classes: arrayOf(isStr),
  maps: arrayOf(shape({ method: isMethod, line: nullable(isNonNegInt), h: isNonNegInt, w: isNonNegInt, map: isF32 })),
  error: nullable(isStr),
};

/** Every map holds h×w values and the input as many as its shape says (a renderer would read past the end). */
export function explanationConsistent(m: ExplanationMessage): boolean {
  const n = m.input.shape.reduce((a, b) => a * b, 1);
  return m.input.shape.length === 3 && m.input.shape.every((d) => d >= 0) && n === m.input.data.length && m.maps.every((x) => x.map.length === x.h * x.w);
}

/** The gallery request's fields. */
export const explainGalleryFields: Record<string, Check> = {
  samples: (v) => arrayOf(isNonNegInt)(v) && (v as unknown[]).length <= GALLERY_MAX,
  line: nullable(isNonNegInt),
};

/** The gallery answer's fields. */
export const galleryExplanationFields: Record<string, Check> = {
  line: nullable(isNonNegInt),
  items: arrayOf(shape({ sample: isNonNegInt, classIndex: isInt, h: isNonNegInt, w: isNonNegInt, map: isF32 })),
  error: nullable(isStr),
};

/** Every gallery map holds h×w values. */
export function galleryConsistent(m: GalleryExplanationMessage): boolean {
  return m.items.every((x) => x.map.length === x.h * x.w);
}
