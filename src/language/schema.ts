// What each statement accepts, with the documentation the editor shows in completion and hover.

export type ParamKind =
  | 'posint' // a whole number ≥ 1
  | 'nonnegint' // a whole number ≥ 0
  | 'size' // a whole number ≥ 1, or HxW
  | 'stride' // a whole number ≥ 1, or HxW
  | 'pad' // a whole number ≥ 0, or HxW, or same / valid
  | 'pair0' // a whole number ≥ 0, or HxW
  | 'fraction' // 0 ≤ x < 1
  | 'positive' // a finite number > 0
  | 'nonneg' // a finite number ≥ 0
  | 'finite' // any finite number
  | 'angle' // degrees, 0 ≤ x ≤ 180 (a random turn in ±x)
  | 'range' // LOW-HIGH, two numbers > 0 with LOW ≤ HIGH (zoom=0.9-1.1)
  | 'weights' // `balanced`, or a comma-separated list of numbers > 0 (class_weights=1,3,2)
  | 'enum';

export interface ParamSchema {
  name: string;
  aliases: readonly string[];
  kind: ParamKind;
  values?: readonly string[];
  required?: boolean;
  /** The default, as the user would write it. */
  default?: string;
  doc: string;
  /** Values offered by completion. */
  examples?: readonly string[];
  /** Why the allowed range is what it is: added to the message of a value out of range. */
  why?: string;
}

export interface StatementSchema {
  keyword: string;
  /** Other spellings of the keyword (fc for dense). */
  synonyms: readonly string[];
  /** True for statements that are layers (they count towards `layers.{i}`). */
  layer: boolean;
  params: readonly ParamSchema[];
  /** What bare values mean, for hover and completion. */
  positional?: string;
  /** Bare values offered by completion. */
  positionalValues?: readonly string[];
  /** Bare values that a path follows (`data folder DIR`): completion offers nothing in the path's place. */
  pathAfter?: readonly string[];
  doc: string;
  /** A one-line example. */
  example: string;
  /** Bare values are names of labelled outputs (`from`, `add`, `concat`): completion offers the labels defined above. */
  names?: 'one' | 'many';
}

const ACTIVATIONS = ['relu', 'sigmoid', 'tanh', 'none'] as const;

const activation: ParamSchema = {
  name: 'activation',
  aliases: [],
  kind: 'enum',
  values: ACTIVATIONS,
  default: 'none',
  doc: 'An activation applied right after this layer, without a statement of its own.',
};

const poolParams: readonly ParamSchema[] = [
  { name: 'size', aliases: ['F'], kind: 'size', default: '2', doc: 'Window size F (F×F, or HxW such as 2x1).', examples: ['2', '3'] },
  { name: 'stride', aliases: ['S'], kind: 'stride', default: 'the size', doc: 'Step S between windows; defaults to the window size.', examples: ['1', '2'] },
  { name: 'pad', aliases: ['P'], kind: 'pad', default: '0', doc: 'Zero padding P on each side, or same / valid.', examples: ['0', '1', 'same', 'valid'] },
];

export const STATEMENTS: readonly StatementSchema[] = [
  {
    keyword: 'network',
    synonyms: [],
    layer: false,
    params: [],
    positional: 'NAME: the network\'s name',
    doc: 'Names the network. Optional, at most once, before any layer.',
    example: 'network DoorStairSign',
  },
  {
    keyword: 'input',
    synonyms: [],
    layer: false,
    params: [],
    positional: 'HxWxC: height × width × channels (HxW means one channel)',
    positionalValues: ['28x28x1', '32x32x3', '64x64x3'],
    doc: 'The input volume: height × width × channels. Exactly once, before the first layer.',
    example: 'input 32x32x3',
  },
  {
    keyword: 'classes',
    synonyms: [],
    layer: false,
    params: [],
    positional: 'NAME…: one name per class',
    doc: 'The class names; their count must equal the last dense layer\'s units.',
    example: 'classes door stair sign',
  },
  {
    keyword: 'conv',
    synonyms: [],
    layer: true,
    params: [
      { name: 'filters', aliases: ['K'], kind: 'posint', required: true, doc: 'Number of filters K: the output depth.', examples: ['6', '16', '32', '64'] },
      { name: 'size', aliases: ['F'], kind: 'size', required: true, doc: 'Filter size F (F×F, or HxW such as 3x5). Each filter is F×F×depth.', examples: ['3', '5', '1'] },
      { name: 'stride', aliases: ['S'], kind: 'stride', default: '1', doc: 'Step S of the filter across the input.', examples: ['1', '2'] },
      { name: 'pad', aliases: ['P'], kind: 'pad', default: '0', doc: 'Zero padding P on each side; same keeps the size at stride 1 (P = D·(F − 1)/2), valid means 0.', examples: ['0', '1', '2', 'same', 'valid'] },
      {
        name: 'groups',
        aliases: [],
        kind: 'posint',
        default: '1',
        doc: 'Groups G: the channels are split into G groups, each convolved with its own K/G filters of F×F×(C/G). G must divide both the input channels C and K; G = C is a depthwise convolution (MobileNet). Parameters K·(F·F·C/G + 1).',
        examples: ['1', '2', '16'],
      },
      {
        name: 'dilation',
        aliases: [],
        kind: 'size',
        default: '1',
        doc: 'Dilation D: the filter taps are D pixels apart, so an F×F filter sees D·(F − 1) + 1 pixels per side with the same F·F weights (HxW for different sides).',
        examples: ['1', '2'],
      },
      activation,
    ],
    doc: 'Convolution: K filters of F×F×depth slide over the input with stride S and zero padding P. Each side N becomes (N − F + 2P)/S + 1 (with dilation D, F is D·(F − 1) + 1).',
    example: 'conv filters=16 size=3 stride=1 pad=1',
  },
  {
    keyword: 'pool',
    synonyms: [],
    layer: true,
    params: poolParams,
    positional: 'max (default) or avg; global pools the whole map to 1×1',
    positionalValues: ['max', 'avg', 'global'],
    doc: 'Pooling: spatial down-sampling that keeps the depth. Each side N becomes (N − F + 2P)/S + 1. Max pooling never picks its padding; average pooling counts the zeros of the padding. With global (pool avg global) the whole H×W becomes 1×1×C.',
    example: 'pool max size=2 stride=2',
  },
  { keyword: 'maxpool', synonyms: [], layer: true, params: poolParams, positional: 'global pools the whole map to 1×1', positionalValues: ['global'], doc: 'Max pooling (shorthand for pool max).', example: 'maxpool size=2' },
  { keyword: 'avgpool', synonyms: [], layer: true, params: poolParams, positional: 'global pools the whole map to 1×1', positionalValues: ['global'], doc: 'Average pooling (shorthand for pool avg).', example: 'avgpool size=2' },
  { keyword: 'gap', synonyms: [], layer: true, params: [], doc: 'Global average pooling (shorthand for pool avg global): each channel\'s H×W map becomes its mean, 1×1×C. No parameters.', example: 'gap' },
  {
    keyword: 'batchnorm',
    synonyms: ['bn'],
    layer: true,
    params: [
      { name: 'momentum', aliases: [], kind: 'fraction', default: '0.1', doc: 'How far each training batch moves the running mean and variance: running = (1 − momentum)·running + momentum·batch (PyTorch\'s rule).', examples: ['0.1', '0.01'] },
      { name: 'eps', aliases: [], kind: 'positive', default: '1e-5', doc: 'Added to the variance before the square root, so a constant channel does not divide by zero.', examples: ['1e-5', '1e-3'] },
    ],
    doc: 'Batch normalisation, per channel of a volume (per feature of a vector): (x − mean)/√(var + eps)·γ + β. Batch statistics while training, the running statistics in evaluation. Parameters 2·C (γ and β); the running mean and variance are buffers.',
    example: 'batchnorm',
  },
  {
    keyword: 'deconv',
    synonyms: ['convtranspose'],
    layer: true,
    params: [
      { name: 'filters', aliases: ['K'], kind: 'posint', required: true, doc: 'Number of filters K: the output depth.', examples: ['8', '16', '32'] },
      { name: 'size', aliases: ['F'], kind: 'size', required: true, doc: 'Filter size F (F×F, or HxW).', examples: ['2', '3', '4'] },
      { name: 'stride', aliases: ['S'], kind: 'stride', default: '1', doc: 'Stride S: how much larger the output grows (S = 2 doubles each side with F = 2).', examples: ['1', '2'] },
      { name: 'pad', aliases: ['P'], kind: 'pair0', default: '0', doc: 'Padding P: removes P rows and columns from each side of the output.', examples: ['0', '1'] },
      { name: 'outpad', aliases: [], kind: 'pair0', default: '0', doc: 'Output padding: one extra row and column at the bottom and right, to reach an odd size; less than the stride.', examples: ['0', '1'] },
      activation,
    ],
    doc: 'Transposed convolution (ConvTranspose2d), the learned up-sampling of U-Net and autoencoders: each side N becomes (N − 1)·S − 2P + F + outpad. Parameters K·F·F·C + K.',
    example: 'deconv filters=16 size=2 stride=2',
  },
  {
    keyword: 'upsample',
    synonyms: [],
    layer: true,
    params: [{ name: 'scale', aliases: [], kind: 'posint', default: '2', doc: 'Whole factor by which each side grows: N becomes N·scale.', examples: ['2', '4'] }],
    positional: 'nearest (default) or bilinear',
    positionalValues: ['nearest', 'bilinear'],
    doc: 'Up-sampling by a whole factor without weights: nearest repeats each pixel, bilinear interpolates (align_corners=False, as PyTorch).',
    example: 'upsample scale=2',
  },
  {
    keyword: 'add',
    synonyms: [],
    layer: true,
    params: [],
    positional: 'NAME…: labelled outputs added to the current flow (all shapes equal)',
    names: 'many',
    doc: 'Adds the current flow and each named output element by element, as a residual block\'s shortcut does (x + F(x)). Every shape must be equal. No parameters.',
    example: 'add main',
  },
  {
    keyword: 'concat',
    synonyms: [],
    layer: true,
    params: [],
    positional: 'NAME…: labelled outputs joined after the current flow, along the channels',
    names: 'many',
    doc: 'Joins the current flow and the named outputs along the channels, in that order (torch.cat([x, a, b], dim=1)), as DenseNet and U-Net do. Heights and widths must be equal; vectors join end to end.',
    example: 'concat enc1',
  },
  {
    keyword: 'from',
    synonyms: [],
    layer: false,
    params: [],
    positional: 'NAME: the labelled output the next layer reads',
    names: 'one',
    doc: 'Starts a new branch: the next layer takes the named output as its input, instead of the line above. Not a layer of its own.',
    example: 'from stem',
  },
  { keyword: 'relu', synonyms: [], layer: true, params: [], doc: 'Rectified linear unit: max(0, x), element by element.', example: 'relu' },
  { keyword: 'sigmoid', synonyms: [], layer: true, params: [], doc: 'Logistic sigmoid 1/(1 + e^−x), element by element.', example: 'sigmoid' },
  { keyword: 'tanh', synonyms: [], layer: true, params: [], doc: 'Hyperbolic tangent, element by element.', example: 'tanh' },
  {
    keyword: 'leakyrelu',
    synonyms: [],
    layer: true,
    params: [{ name: 'slope', aliases: [], kind: 'nonneg', default: '0.01', doc: 'Slope for negative inputs.', examples: ['0.01', '0.1'] }],
    doc: 'Leaky ReLU: x for x > 0, slope·x otherwise.',
    example: 'leakyrelu slope=0.01',
  },
  {
    keyword: 'dropout',
    synonyms: [],
    layer: true,
    params: [{ name: 'rate', aliases: [], kind: 'fraction', default: '0.5', doc: 'Fraction of values set to zero while training (0 ≤ rate < 1).', examples: ['0.25', '0.5'] }],
    doc: 'Dropout: while training, zeroes a random fraction of values and scales the rest; does nothing at prediction.',
    example: 'dropout rate=0.5',
  },
  { keyword: 'flatten', synonyms: [], layer: true, params: [], doc: 'Turns the volume into a vector. Implicit before the first dense layer after a volume.', example: 'flatten' },
  {
    keyword: 'dense',
    synonyms: ['fc'],
    layer: true,
    params: [
      { name: 'units', aliases: [], kind: 'posint', required: true, doc: 'Number of output units (for the last layer: the number of classes).', examples: ['3', '10', '100'] },
      activation,
    ],
    doc: 'Fully connected layer: every unit sees every input. Parameters: units·(inputs + 1).',
    example: 'dense units=10',
  },
  { keyword: 'softmax', synonyms: [], layer: true, params: [], doc: 'Turns class scores into probabilities that sum to 1. Only as the last layer.', example: 'softmax' },
  {
    keyword: 'data',
    synonyms: [],
    layer: false,
    params: [
      { name: 'samples', aliases: [], kind: 'posint', doc: 'How many examples to use (for shapes: how many to generate, default 3000).', examples: ['1000', '3000'] },
      { name: 'val', aliases: [], kind: 'fraction', doc: 'Fraction of the training examples held out for validation (0 means none), when the source has no split of its own.', examples: ['0.1', '0.2', '0'] },
    ],
    positional: 'KIND [PATH]: shapes, folder DIR, idx DIR or npz FILE (paths relative to this file)',
    positionalValues: ['shapes', 'folder', 'idx', 'npz'],
    pathAfter: ['folder', 'idx', 'npz'],
    doc: 'Where the examples come from: shapes (built in), folder DIR (one sub-folder of PNG/JPEG per class), idx DIR (MNIST IDX files), npz FILE (MedMNIST).',
    example: 'data shapes samples=3000',
  },
  {
    keyword: 'train',
    synonyms: [],
    layer: false,
    params: [
      { name: 'epochs', aliases: [], kind: 'posint', default: '10', doc: 'Passes over the training set.', examples: ['3', '10', '20'] },
      { name: 'batch', aliases: [], kind: 'posint', default: '32', doc: 'Examples per optimisation step.', examples: ['32', '64', '128'] },
      { name: 'optimizer', aliases: [], kind: 'enum', values: ['sgd', 'adam'], default: 'adam', doc: 'sgd (with momentum) or adam.' },
      { name: 'lr', aliases: [], kind: 'positive', default: '0.001', doc: 'Learning rate.', examples: ['0.001', '0.01', '0.1'] },
      { name: 'momentum', aliases: [], kind: 'fraction', default: '0.9', doc: 'Momentum for sgd (0 ≤ momentum < 1).', examples: ['0.9', '0'] },
      { name: 'weight_decay', aliases: [], kind: 'nonneg', default: '0', doc: 'L2 penalty added to the gradient.', examples: ['0', '0.0001'] },
      { name: 'seed', aliases: [], kind: 'nonnegint', default: '1', doc: 'Seed for initialisation, shuffling and dropout: the same seed gives the same run.', examples: ['1', '7', '42'] },
      { name: 'val', aliases: [], kind: 'fraction', doc: 'Fraction held out for validation; overrides the data source\'s own split.', examples: ['0.1', '0.2', '0'] },
      {
        name: 'class_weights',
        aliases: [],
        kind: 'weights',
        default: 'none',
        doc: 'Weights for an imbalanced data set, so a rare class counts as much as a common one. balanced weighs each class by n / (K · n_class), from the training split\'s counts (scikit-learn\'s rule); for a multi-label network (dense units=L + sigmoid) it sets each label\'s positive weight to negatives / positives (PyTorch\'s pos_weight). Or one weight per class (label), by hand: class_weights=1,3,2 (no spaces; each greater than 0).',
        examples: ['balanced', '1,2'],
      },
    ],
    doc: 'Training settings; every one has a default.',
    example: 'train epochs=10 batch=32 optimizer=adam lr=0.001 seed=7',
  },
  {
    keyword: 'augment',
    synonyms: [],
    layer: false,
    params: [
      { name: 'flip', aliases: [], kind: 'enum', values: ['horizontal', 'vertical', 'both'], doc: 'Mirror each training image at random (with probability 1/2): horizontal (left-right), vertical (upside down) or both (each of the two, independently).' },
      {
        name: 'rotate',
        aliases: [],
        kind: 'angle',
        default: '0',
        doc: 'Turn each training image by a random angle, uniform in ±DEGREES (0 to 180); corners that come from outside the picture are zero.',
        examples: ['10', '15', '30'],
        why: 'each image turns by a random angle in ±rotate, and ±180° already reaches every angle',
      },
      {
        name: 'shift',
        aliases: [],
        kind: 'nonnegint',
        default: '0',
        doc: 'Move each training image by a random whole number of pixels, uniform in ±PIXELS along each side, filling with zeros; at most half the input\'s smaller side.',
        examples: ['2', '4'],
      },
      {
        name: 'zoom',
        aliases: [],
        kind: 'range',
        doc: 'Scale each training image by a random factor, uniform in LOW-HIGH (greater than 0, at most 10): 0.9-1.1 is ±10 %; below 1 zooms out (zero border), above 1 zooms in.',
        examples: ['0.9-1.1', '0.8-1.2'],
      },
      {
        name: 'brightness',
        aliases: [],
        kind: 'fraction',
        default: '0',
        doc: 'Multiply each training image by a random factor, uniform in [1 − b, 1 + b] (0 ≤ b < 1).',
        examples: ['0.1', '0.2'],
        why: 'the factor is uniform in [1 − b, 1 + b], and at b = 1 it could reach 0, a black picture',
      },
      {
        name: 'contrast',
        aliases: [],
        kind: 'fraction',
        default: '0',
        doc: 'Scale each training image\'s distance from its mean by a random factor, uniform in [1 − c, 1 + c] (0 ≤ c < 1).',
        examples: ['0.1', '0.2'],
        why: 'the factor is uniform in [1 − c, 1 + c], and at c = 1 it could reach 0, a flat grey picture',
      },
    ],
    doc: 'Random changes to the training images, new for every batch, so the network sees more variety than the data holds: flips, rotation, shift, zoom, brightness and contrast. Training batches only (never validation, test or prediction); seeded by train seed=, so a run repeats exactly.',
    example: 'augment flip=horizontal rotate=10 shift=2 zoom=0.9-1.1',
  },
];

const byKeyword = new Map<string, StatementSchema>();
for (const s of STATEMENTS) {
  byKeyword.set(s.keyword, s);
  for (const syn of s.synonyms) byKeyword.set(syn, s);
}

export function statementSchema(keyword: string): StatementSchema | undefined {
  return byKeyword.get(keyword);
}

export function allKeywords(): string[] {
  return [...byKeyword.keys()];
}

export function findParam(schema: StatementSchema, name: string): ParamSchema | undefined {
  for (const p of schema.params) if (p.name === name || p.aliases.includes(name)) return p;
  return undefined;
}

/** Edit distance with a cap, for "did you mean" suggestions. */
export function editDistance(a: string, b: string, cap = 4): number {
  if (Math.abs(a.length - b.length) > cap) return cap + 1;
  let prev = new Array<number>(b.length + 1);
  let cur = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = cur[0];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (cur[j]! < rowMin) rowMin = cur[j]!;
    }
    if (rowMin > cap) return cap + 1;
    [prev, cur] = [cur, prev];
  }
  return prev[b.length]!;
}

/** The nearest candidate to `word`, if it is close enough to be a likely typo. */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestD = Infinity;
  const limit = Math.max(1, Math.min(3, Math.floor(word.length / 2)));
  for (const c of candidates) {
    if (c.toLowerCase() === w) return c;
    const d = editDistance(w, c.toLowerCase(), limit);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  if (best !== undefined && bestD <= limit) return best;
  // A prefix is a good hint too: "conv2d" → conv, "dens" → dense.
  for (const c of candidates) if (w.startsWith(c) || (w.length >= 3 && c.startsWith(w))) return c;
  return undefined;
}
