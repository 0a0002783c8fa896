// A network's named tensors, as PyTorch's state_dict names and lays them out: `layers.{i}.weight|bias` for
// parameters, `layers.{i}.running_mean|running_var|num_batches_tracked` for batch norm's buffers.

import type { Plan } from './plan';

/** A named tensor in PyTorch layout (conv weight [K,C,FH,FW], dense weight [U,I], bias [n]). */
export interface NamedTensor {
  name: string;
  shape: number[];
  data: Float32Array;
  /** How a checkpoint stores it: F32 (the default) or I64 (batch norm's num_batches_tracked; whole numbers). */
  dtype?: 'F32' | 'I64';
}

/** Copies of the parameters (and, with `buffers`, the buffers after each layer's parameters), in order. */
export function namedTensors(plan: Plan, params: Float32Array, buffers: Float32Array | null): NamedTensor[] {
  const out: NamedTensor[] = [];
  for (const node of plan.nodes) {
    const i = node.info.index;
    for (const p of node.params) out.push({ name: `layers.${i}.${p.decl.name}`, shape: p.decl.shape.slice(), data: params.slice(p.off, p.off + p.len) });
    if (!buffers) continue;
    for (const b of node.buffers) {
      const t: NamedTensor = { name: `layers.${i}.${b.decl.name}`, shape: b.decl.shape.slice(), data: buffers.slice(b.off, b.off + b.len) };
      if (b.decl.dtype === 'I64') t.dtype = 'I64';
      out.push(t);
    }
  }
  return out;
}

/**
 * Writes tensors into the parameter and buffer arrays. Every tensor the model has must be present with its
 * exact shape; nothing is written unless all are.
 */
export function writeTensors(plan: Plan, tensors: readonly NamedTensor[], params: Float32Array, buffers: Float32Array): void {
  const byName = new Map(tensors.map((t) => [t.name, t]));
  const writes: [Float32Array, number, Float32Array][] = [];
  for (const node of plan.nodes) {
    const i = node.info.index;
    const slots = [...node.params.map((p) => [params, p] as const), ...node.buffers.map((b) => [buffers, b] as const)];
    for (const [target, slot] of slots) {
      const name = `layers.${i}.${slot.decl.name}`;
      const shape = slot.decl.shape;
      const t = byName.get(name);
      if (!t) throw new Error(`${name} is missing`);
      if (t.shape.length !== shape.length || t.shape.some((d, k) => d !== shape[k])) {
        throw new Error(`${name} has shape [${t.shape.join(',')}] but the model needs [${shape.join(',')}]`);
      }
      writes.push([target, slot.off, t.data]);
    }
  }
  for (const [target, off, data] of writes) target.set(data, off);
}
