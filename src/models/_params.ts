/**
 * Module-private: a model's trainable numbers as ONE flat θ (what an optimiser updates), and named views
 * into it, so each block reads its own parameters and a gradient buffer shaped like θ gets the same names.
 *
 * Dependencies: glorotUniform, mulberry32 (src/math/random.ts), _describe.
 */
import { _describe } from "../math/_describe";
import { glorotUniform, mulberry32 } from "../math/random";

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

/**
 * A fresh θ for a layout: every matrix Glorot-uniform (drawn in slot order from one seeded stream), every LayerNorm
 * gain (a slot named ….gamma) 1, every other vector (biases, betas) 0.
 * @example Array.from(_initTheta(_layout([{ name: "ln.gamma", shape: [2] }, { name: "b", shape: [1] }]), 0)) // returns [1, 1, 0]
 */
export function _initTheta(layout: _Layout, seed: number): Float64Array {
  const theta = new Float64Array(layout.size);
  const rand = mulberry32(seed);
  for (const s of layout.slots) {
    const v = _view(layout, theta, s.name);
    if (s.name.endsWith(".gamma")) v.fill(1);
    else if (s.shape.length === 2) glorotUniform(s.shape[0], s.shape[1], rand).forEach((row, i) => v.set(row, i * s.shape[1]));
  }
  return theta;
}

/** Throws unless theta is a Float64Array of exactly layout.size numbers (`where` names the model). */
export function _checkTheta(where: string, layout: _Layout, theta: unknown): asserts theta is Float64Array {
  if (!(theta instanceof Float64Array) || theta.length !== layout.size) {
    throw new Error(`${where}: theta must be a Float64Array of ${layout.size} numbers for this config, got ${theta instanceof Float64Array ? theta.length : _describe(theta)}`);
  }
}
