/**
 * Internal: the flat Float64Array helpers the MiniLM blocks share. Weights stay in PyTorch's nn.Linear layout,
 * weight (out, in) row-major, which is exactly the "B transposed" operand of the fast kernel.
 *
 * Dependencies: _matmulTransB (src/math/fast/kernels).
 */
import { _matmulTransB } from "../math/fast/kernels";
import type { AttentionTrace, Matrix } from "../math/trace";

/** An nn.Linear in PyTorch's layout: y = x·Wᵀ + b. */
export interface Dense {
  /** in */ inFeatures: number;
  /** out */ outFeatures: number;
  /** (out, in) row-major, as PyTorch and safetensors store it */ weight: Float64Array;
  /** (out,) */ bias: Float64Array;
}

/** LayerNorm parameters: γ (weight) and β (bias), both (d,). */
export interface NormParams {
  /** (d,) γ */ weight: Float64Array;
  /** (d,) β */ bias: Float64Array;
}

/** A nested (rows, cols) matrix checked for shape and finiteness, copied into a row-major buffer. */
export function _toFlat(name: string, x: Matrix, cols: number): Float64Array {
  if (!Array.isArray(x) || x.length === 0) throw new Error(`${name} must be a non-empty (L, ${cols}) matrix, got ${Array.isArray(x) ? "0 rows" : typeof x}`);
  const rows = x.length;
  const f = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const r = x[i];
    if (!Array.isArray(r) || r.length !== cols) {
      throw new Error(`${name} row ${i} has ${Array.isArray(r) ? r.length : typeof r} columns but ${cols} were expected`);
    }
    for (let j = 0; j < cols; j++) {
      const v = r[j];
      if (typeof v !== "number" || !Number.isFinite(v)) throw new Error(`${name}[${i}][${j}] is ${v}, not a finite number`);
      f[i * cols + j] = v;
    }
  }
  return f; // (rows·cols,)
}

/**
 * One (rows, cols) field of an attention trace as a row-major buffer: the fast path's own flat buffer when the
 * trace carries one (fastForward's `trace.flat`, applyHeadMask's), else the nested field copied (readable path).
 * Read it, do not write it: the trace's nested fields not yet read are built from it.
 * @param trace a trace of forward, fastForward or applyHeadMask
 * @param field "output" (L, dModel) or "concat" (L, h·dV)
 */
export function _flatOf(trace: AttentionTrace, field: "output" | "concat", rows: number, cols: number): Float64Array {
  const flat = (trace as { flat?: { [k: string]: unknown } }).flat?.[field];
  if (flat instanceof Float64Array && flat.length === rows * cols) return flat;
  return _toFlat(`the attention trace's ${field}`, trace[field], cols); // (rows, cols)
}

/** A row-major buffer as a nested (rows, cols) matrix. */
export function _toNested(f: Float64Array, rows: number, cols: number): Matrix {
  const out: Matrix = new Array(rows);
  for (let i = 0; i < rows; i++) {
    const r: number[] = new Array(cols);
    for (let j = 0, o = i * cols; j < cols; j++) r[j] = f[o + j];
    out[i] = r;
  }
  return out; // (rows, cols)
}

/** y = x·Wᵀ + b on flat buffers: x (rows, in) → (rows, out). Each entry sums p = 0 … in−1 in order, then adds b. */
export function _denseFlat(x: Float64Array, rows: number, d: Dense): Float64Array {
  const y = new Float64Array(rows * d.outFeatures);
  _matmulTransB(x, 0, d.inFeatures, rows, d.inFeatures, d.weight, 0, d.inFeatures, d.outFeatures, y, 0); // (rows, out)
  for (let i = 0; i < rows; i++) {
    const o = i * d.outFeatures;
    for (let j = 0; j < d.outFeatures; j++) y[o + j] += d.bias[j];
  }
  return y;
}
