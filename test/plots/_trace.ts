// A tiny, independent multi-head attention in plain loops, only to build AttentionTrace values for chart
// tests (the charts never compute anything; these numbers are not checked here).
import { AttentionTrace, HeadTrace, Matrix, MhaParams } from "../../src/math/trace";

/** Deterministic pseudo-random numbers in [-1, 1) (LCG). */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  };
}

export function randMatrix(r: number, c: number, next: () => number, scale = 1): Matrix {
  return Array.from({ length: r }, () => Array.from({ length: c }, () => next() * scale));
}

function matmul(a: Matrix, b: Matrix): Matrix {
  return a.map((row) => b[0].map((_, j) => row.reduce((s, v, k) => s + v * b[k][j], 0)));
}
function transpose(a: Matrix): Matrix {
  return a[0].map((_, j) => a.map((row) => row[j]));
}
function cols(a: Matrix, from: number, to: number): Matrix {
  return a.map((row) => row.slice(from, to));
}

export function fakeParams(dModel: number, seed = 1): MhaParams {
  const next = rng(seed);
  const s = 1 / Math.sqrt(dModel);
  return {
    wQ: randMatrix(dModel, dModel, next, s),
    wK: randMatrix(dModel, dModel, next, s),
    wV: randMatrix(dModel, dModel, next, s),
    wO: randMatrix(dModel, dModel, next, s),
    bQ: null, bK: null, bV: null, bO: null,
  };
}

/** Self-attention trace for L tokens, optional causal mask. */
export function fakeTrace(L: number, dModel: number, numHeads: number, opts: { causal?: boolean; seed?: number } = {}): {
  trace: AttentionTrace;
  params: MhaParams;
} {
  const seed = opts.seed ?? 7;
  const next = rng(seed);
  const x = randMatrix(L, dModel, next, 1.5);
  const params = fakeParams(dModel, seed + 1);
  const d = dModel / numHeads;
  const mask: Matrix | null = opts.causal
    ? Array.from({ length: L }, (_, i) => Array.from({ length: L }, (_, j) => (j > i ? -Infinity : 0)))
    : null;
  const heads: HeadTrace[] = [];
  for (let h = 0; h < numHeads; h++) {
    const q = matmul(x, cols(params.wQ, h * d, (h + 1) * d));
    const k = matmul(x, cols(params.wK, h * d, (h + 1) * d));
    const v = matmul(x, cols(params.wV, h * d, (h + 1) * d));
    const scores = matmul(q, transpose(k));
    const scaledScores = scores.map((r) => r.map((s) => s / Math.sqrt(d)));
    const maskedScores = scaledScores.map((r, i) => r.map((s, j) => s + (mask ? mask[i][j] : 0)));
    const weights = maskedScores.map((r) => {
      const m = Math.max(...r);
      const e = r.map((s) => Math.exp(s - m));
      const z = e.reduce((a, b) => a + b, 0);
      return e.map((t) => t / z);
    });
    heads.push({ q, k, v, scores, scaledScores, maskedScores, weights, output: matmul(weights, v) });
  }
  const concat = x.map((_, i) => heads.flatMap((hd) => hd.output[i]));
  const contributions = heads.map((hd, h) => matmul(hd.output, params.wO.slice(h * d, (h + 1) * d)));
  const output = matmul(concat, params.wO);
  return {
    params,
    trace: {
      dModel, numHeads, dK: d, dV: d, query: x, key: x, value: x, mask, fullyMaskedRows: [],
      heads, weights: heads.map((hd) => hd.weights), concat, contributions, output,
    },
  };
}
