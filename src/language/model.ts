// The checked model: what the checker hands to the summary, the editor, the engine and the trainer.
// Plain data only, so it crosses process boundaries as JSON.

/** A volume is height × width × channels; a vector is a flat list of n numbers. */
export type Shape = { kind: 'volume'; h: number; w: number; c: number } | { kind: 'vector'; n: number };

export type Activation = 'relu' | 'sigmoid' | 'tanh' | 'none';

/** The layer itself, with every default filled in and every alias resolved. */
export type LayerSpec =
  | {
      kind: 'conv';
      filters: number;
      /** Filter height and width. */
      fh: number;
      fw: number;
      /** Stride along height and width. */
      sh: number;
      sw: number;
      /** Zero padding along height and width (each side). */
      ph: number;
      pw: number;
      /** Dilation along height and width (1: none); the effective filter side is d·(f − 1) + 1. */
      dh: number;
      dw: number;
      /** Groups (1: an ordinary convolution; the input channels: depthwise). Divides C and K. */
      groups: number;
      /** A fused activation (`activation=`); it does not count as a layer statement of its own. */
      activation: Activation;
    }
  | { kind: 'pool'; mode: 'max' | 'avg'; fh: number; fw: number; sh: number; sw: number; ph: number; pw: number }
  /** `pool max|avg global`, `gap`: the whole H×W to 1×1×C (AdaptiveAvgPool2d(1) / AdaptiveMaxPool2d(1)). */
  | { kind: 'globalpool'; mode: 'max' | 'avg' }
  /** Per channel of a volume (BatchNorm2d), per feature of a vector (BatchNorm1d). */
  | { kind: 'batchnorm'; momentum: number; eps: number }
  /**
   * Transposed convolution (ConvTranspose2d): out = (n − 1)·s − 2p + f + outpad per side. Weight
   * [C_in, K, F_h, F_w].
   */
  | {
      kind: 'deconv';
      filters: number;
      fh: number;
      fw: number;
      sh: number;
      sw: number;
      ph: number;
      pw: number;
      /** Output padding (less than the stride), added to one side of the output. */
      oph: number;
      opw: number;
      activation: Activation;
    }
  /** Upsample by a whole factor (nn.Upsample; bilinear with align_corners=False). */
  | { kind: 'upsample'; scale: number; mode: 'nearest' | 'bilinear' }
  /** The element-wise sum of its inputs (LayerInfo.inputs, the current flow first): all shapes equal. */
  | { kind: 'add' }
  /** Its inputs joined along the channels in order (torch.cat(dim=1)); vectors join end to end. */
  | { kind: 'concat' }
  | { kind: 'relu' }
  | { kind: 'sigmoid' }
  | { kind: 'tanh' }
  | { kind: 'leakyrelu'; slope: number }
  | { kind: 'dropout'; rate: number }
  | { kind: 'flatten' }
  | { kind: 'dense'; units: number; activation: Activation }
  | { kind: 'softmax' };

export type LayerKind = LayerSpec['kind'];

/** A layer statement with everything the checker worked out about it. */
export interface LayerInfo {
  /** 0-based index among the file's layer statements: the `i` of `layers.{i}.weight`. */
  index: number;
  /**
   * The layers whose outputs flow into this one, by index (-1: the network's input), in order: the current
   * flow first (the layer before, or the target of a `from` line above), then the names of `add`/`concat`.
   * Every other kind has exactly one. Always earlier layers: the layers in file order are a topological order.
   * In a file with errors a name that does not resolve (E052) is left out, so the list may be shorter (even
   * empty after a `from` of an unknown name); a model spec (no errors) always has them all.
   */
  inputs: number[];
  /** The label that names this layer's output (`stem: relu`), if any. */
  label: string | null;
  /** 0-based line of the statement. */
  line: number;
  /** The statement's keyword as written (conv, maxpool, fc…). */
  keyword: string;
  /** Offset and length of the statement in the text. */
  offset: number;
  length: number;
  spec: LayerSpec;
  /** The shape that flows in (for add/concat: of the first input); null when an earlier error made it unknown. */
  input: Shape | null;
  /** The shape that flows out; null when it cannot be computed. */
  output: Shape | null;
  /**
   * When the shape rule gives a size that is not whole (E020): the exact sides, such as 2.33×2.33×1, so the
   * views show the broken fraction instead of a number; `output` is null then, and so is every shape below.
   */
  fractional?: { h: number; w: number; c: number };
  /** True when a `dense` follows a volume and flattens it implicitly. */
  implicitFlatten: boolean;
  /** Learnable numbers (weights and biases); null when the input shape is unknown. */
  params: number | null;
  /** Multiply-adds per sample, weights only; null when unknown. */
  macs: number | null;
  /** Receptive field of one output unit on the input, height and width; null when unknown. */
  receptiveField: [number, number] | null;
  /** True when a diagnostic of severity error points into this statement. */
  hasError: boolean;
}

export type DataSpec =
  | { kind: 'shapes'; samples: number; val: number | null; line: number }
  | { kind: 'folder'; path: string; val: number | null; samples: number | null; line: number }
  | { kind: 'idx'; path: string; val: number | null; samples: number | null; line: number }
  | { kind: 'npz'; path: string; val: number | null; samples: number | null; line: number };

export interface TrainSpec {
  epochs: number;
  batch: number;
  optimizer: 'sgd' | 'adam';
  lr: number;
  momentum: number;
  weightDecay: number;
  seed: number;
  /** Validation fraction from `train val=` (null: take the data source's own split or its `val=`). */
  val: number | null;
  /**
   * `train class_weights=`: `balanced` (scikit-learn's n / (K · n_class); multi-label: each label's
   * pos_weight = negatives / positives), a list with one weight per class (or label), or null (none).
   */
  classWeights: 'balanced' | number[] | null;
}

/** Defaults for `train` when a setting is not given. */
export const TRAIN_DEFAULTS: TrainSpec = {
  epochs: 10,
  batch: 32,
  optimizer: 'adam',
  lr: 0.001,
  momentum: 0.9,
  weightDecay: 0,
  seed: 1,
  val: null,
  classWeights: null,
};

/**
 * What the network is trained to do. `single`: one class per sample (`dense units=K` + `softmax`,
 * cross-entropy). `multilabel`: L independent 0/1 labels (`dense units=L` + `sigmoid`, binary cross-entropy
 * on the logits).
 */
export type Task = 'single' | 'multilabel';

/** The one rule for a network's task: multi-label when its last layer is a `sigmoid`, else single label. */
export function taskOf(layers: readonly Pick<LayerInfo, 'spec'>[]): Task {
  return layers[layers.length - 1]?.spec.kind === 'sigmoid' ? 'multilabel' : 'single';
}

/**
 * The `augment` statement (training batches only; seeded). Every field at its "off" value means no change:
 * flip 'none', rotate 0 (degrees, uniform in ±rotate), shift 0 (pixels, zero-padded translation, uniform in
 * ±shift), zoom null (else [low, high] scale factors, uniform), brightness 0 and contrast 0 (multiplicative
 * jitter: a factor uniform in [1 − b, 1 + b]).
 */
export interface AugmentSpec {
  flip: 'none' | 'horizontal' | 'vertical' | 'both';
  rotate: number;
  shift: number;
  zoom: [number, number] | null;
  brightness: number;
  contrast: number;
  /** 0-based line of the statement. */
  line: number;
}

/** Default number of generated samples for `data shapes`. */
export const SHAPES_DEFAULT_SAMPLES = 3000;
/** Validation fraction used when neither the data source nor the file says otherwise. */
export const DEFAULT_VAL_FRACTION = 0.1;

/**
 * The whole network as the engine and trainer need it. Built only from a file without errors
 * (see `toModelSpec`), so every shape in it is known.
 */
export interface ModelSpec {
  name: string;
  input: { h: number; w: number; c: number };
  /** Class names (label names for multi-label): from `classes`, else `0`…`n-1` for the last dense layer's units. */
  classes: string[];
  /** `multilabel` when the network ends in `sigmoid` (after its last dense layer), else `single`. */
  task: Task;
  /** The `augment` statement, or null when there is none. */
  augment: AugmentSpec | null;
  layers: LayerInfo[];
  data: DataSpec | null;
  train: TrainSpec;
  /** The source text, stored in checkpoints' metadata. */
  source: string;
}
