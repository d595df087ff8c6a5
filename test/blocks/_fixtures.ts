/**
 * Reading the golden fixtures scripts/golden_blocks.py wrote (PyTorch autograd, float64), and central finite
 * differences on flat buffers (the second way every backward is checked).
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

/** A flat array and its shape, as the script writes them. */
export interface Arr { shape: number[]; data: number[] }

/** One fixture of test/blocks/fixtures. */
export interface BlockFixture {
  name: string;
  sizes: Record<string, number | string>;
  inputs: Record<string, Arr>;
  tokens: Record<string, number[] | number[][]>;
  params: Record<string, Arr>;
  G: Arr | null;
  outputs: Record<string, Arr>;
  grads: Record<string, Arr>;
}

const DIR = join(__dirname, "fixtures");

/** Every fixture, by name. */
export const fixtures: Record<string, BlockFixture> = Object.fromEntries(
  readdirSync(DIR).filter((f) => f.endsWith(".json")).map((f) => {
    const fx = JSON.parse(readFileSync(join(DIR, f), "utf8")) as BlockFixture;
    return [fx.name, fx];
  }),
);

/** A fixture array as a new Float64Array. */
export const f64 = (a: Arr): Float64Array => Float64Array.from(a.data);

/** Largest |a − b| relative to max(1, |b|) over two equally long arrays (Infinity on a length mismatch or NaN). */
export function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i]));
    if (!(d <= m)) m = Number.isNaN(d) ? Infinity : d;
  }
  return m;
}

/** Σ a ⊙ g. */
export function dot(a: ArrayLike<number>, g: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * g[i];
  return s;
}

// Finite differences: the one helper of test/math/_fd.ts, which takes the blocks' Float64Array buffers too.
export { numericGrad } from "../math/_fd";
