/**
 * Module-private: a model's trainable numbers as ONE flat θ (what an optimiser updates), and named views
 * into it, so each block reads its own parameters and a gradient buffer shaped like θ gets the same names.
 *
 * Dependencies: none.
 */

/** One named parameter and its shape, e.g. { name: "layers.0.attn.wQ", shape: [32, 32] }. */
export interface _Slot { name: string; shape: number[] }

/** Where each slot lives in θ. */
export interface _Layout {
  slots: _Slot[];
  /** name → [offset, size] */ offsets: Map<string, [number, number]>;
  /** numbers in θ */ size: number;
}

/** The layout of a list of slots, in order. */
export function _layout(slots: _Slot[]): _Layout {
  const offsets = new Map<string, [number, number]>();
  let o = 0;
  for (const s of slots) {
    const n = s.shape.reduce((a, b) => a * b, 1);
    if (offsets.has(s.name)) throw new Error(`two parameters are named ${s.name}`);
    offsets.set(s.name, [o, n]);
    o += n;
  }
  return { slots, offsets, size: o };
}

/**
 * A view of one slot of a θ-shaped buffer (changing it changes the buffer).
 * @example _view(_layout([{ name: "a", shape: [2] }, { name: "b", shape: [3] }]), new Float64Array(5), "b").length // returns 3
 */
export function _view(layout: _Layout, buf: Float64Array, name: string): Float64Array {
  const at = layout.offsets.get(name);
  if (at == null) throw new Error(`no parameter named ${name}`);
  return buf.subarray(at[0], at[0] + at[1]);
}
