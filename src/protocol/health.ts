// Training health as the trainer streams it (HealthMessage, a TrainerMessage) and metrics.jsonl stores it
// (`{"health": {step, epoch, layers, diagnostics}, "time"}`): figures per layer statement every few steps, and
// at each epoch's end the dead/saturated shares over a validation batch and the diagnostics W301–W304
// (src/trainer/healthDiagnostics.ts). Definitions: src/engine/health.ts.

import { arrayOf, isFiniteNum, isInt, isStr, nullable, oneOf, optional, shape, type Check } from './check';

export type HealthCode = 'W301' | 'W302' | 'W303' | 'W304';

/** One layer statement's figures; the parameter figures are null for statements without parameters. */
export interface LayerHealth {
  /** LayerInfo.index and the statement's 0-based line in the file the run trained. */
  index: number;
  line: number;
  kind: string;
  /** ‖∂L/∂w‖ of the weight (conv/deconv/dense weight, batchnorm γ) at this step. */
  gradNorm: number | null;
  /** ‖∂L/∂θ‖ over all the layer's parameters (weight and bias). */
  paramGradNorm: number | null;
  /** ‖w‖ before this step's update. */
  weightNorm: number | null;
  /** ‖Δw‖/‖w‖ of this step's optimizer update. */
  updateRatio: number | null;
  /** Epoch-end records of activations only: the activation (the statement's kind, or a conv/dense's `activation=`). */
  activation?: 'relu' | 'leakyrelu' | 'sigmoid' | 'tanh';
  /** Epoch-end records only: share of the units dead (relu, leakyrelu) on every sample of the validation batch. */
  dead?: number;
  /** Epoch-end records only: share of the units saturated (sigmoid, tanh) on every sample of the validation batch. */
  saturated?: number;
}

/** A training-health finding on a layer statement's line (a warning). */
export interface HealthDiagnostic {
  code: HealthCode;
  index: number;
  line: number;
  /** What was measured and what to try, one sentence or two. */
  message: string;
}

export interface HealthMessage {
  type: 'health';
  /** Optimizer steps since the run started (1-based), and the epoch. */
  step: number;
  epoch: number;
  /** Layer statements with parameters or an activation, in file order. */
  layers: LayerHealth[];
  /** At an epoch's end: the diagnostics of that epoch (possibly none); null for the records in between. */
  diagnostics: HealthDiagnostic[] | null;
  /** Samples of the validation (else training) split the dead/saturated shares were measured on; 0 in between. */
  samples: number;
}

const isShare: Check = (v) => isFiniteNum(v) && (v as number) >= 0 && (v as number) <= 1;
const isNonNeg: Check = (v) => isFiniteNum(v) && (v as number) >= 0;

export const isHealthDiagnostic: Check = shape({ code: oneOf('W301', 'W302', 'W303', 'W304'), index: isInt, line: isInt, message: isStr });

/** The fields of a HealthMessage (the validator table entry of protocol/trainer.ts). */
export const healthFields: Record<string, Check> = {
  step: isInt,
  epoch: isInt,
  layers: arrayOf(
    shape({
      index: isInt,
      line: isInt,
      kind: isStr,
      gradNorm: nullable(isNonNeg),
      paramGradNorm: nullable(isNonNeg),
      weightNorm: nullable(isNonNeg),
      updateRatio: nullable(isNonNeg),
      activation: optional(oneOf('relu', 'leakyrelu', 'sigmoid', 'tanh')),
      dead: optional(isShare),
      saturated: optional(isShare),
    }),
  ),
  diagnostics: nullable(arrayOf(isHealthDiagnostic)),
  samples: isInt,
};
