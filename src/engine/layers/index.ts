// The engine's layer table: one LayerOps entry per layer kind. The mapped type makes a kind without an entry
// a compile error; add a kind to LayerSpec (src/language/model.ts) and this file says what is missing.

import type { LayerKind, LayerSpec } from '../../language/model';
import { leakyrelu, relu, sigmoid, tanh } from './activation';
import { batchnorm } from './batchnorm';
import { conv } from './conv';
import { deconv } from './deconv';
import { dense } from './dense';
import { dropout } from './dropout';
import { globalpool } from './globalpool';
import { add, concat } from './merge';
import { pool } from './pool';
import { flatten, softmax } from './shape';
import type { LayerOps } from './types';
import { upsample } from './upsample';

export type LayerTable = { [K in LayerKind]: LayerOps<Extract<LayerSpec, { kind: K }>> };

export const LAYERS: LayerTable = {
  conv,
  pool,
  globalpool,
  batchnorm,
  deconv,
  upsample,
  add,
  concat,
  relu,
  sigmoid,
  tanh,
  leakyrelu,
  dropout,
  flatten,
  dense,
  softmax,
};

/** The entry for a layer, typed for its spec. */
export function layerOps<S extends LayerSpec>(spec: S): LayerOps<S> {
  return LAYERS[spec.kind] as unknown as LayerOps<S>;
}

export type { BackwardCtx, BufferDecl, Dims, ForwardCtx, LayerOps, ParamDecl } from './types';
export { fmtDims, vector, volume } from './types';
