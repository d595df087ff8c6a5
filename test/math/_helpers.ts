/**
 * Test helpers: tolerance comparison, fast-check arbitraries, and a plain-loop reference
 * implementation of multi-head attention that shares NO code with src/ (the "second way").
 */
import fc from "fast-check";
import { expect } from "vitest";

export type M = number[][];

/** Assert |a − b| ≤ tol·max(1, |b|) elementwise, for numbers or nested arrays of any depth. */
export function expectClose(actual: unknown, expected: unknown, tol = 1e-12, path = "value"): void {
  if (typeof expected === "number") {
    expect(typeof actual, `${path} type`).toBe("number");
    const a = actual as number;
    if (!Number.isFinite(expected)) {
      expect(a, path).toBe(expected);
      return;
    }
    const err = Math.abs(a - expected);
    if (!(err <= tol * Math.max(1, Math.abs(expected)))) {
      throw new Error(`${path}: ${a} differs from ${expected} by ${err} (tol ${tol})`);
    }
    return;
  }
  expect(Array.isArray(actual), `${path} is an array`).toBe(true);
  const e = expected as unknown[];
  const a = actual as unknown[];
  expect(a.length, `${path}.length`).toBe(e.length);
  e.forEach((x, i) => expectClose(a[i], x, tol, `${path}[${i}]`));
}

/** A seeded simple LCG for test data (different from the module's mulberry32 on purpose). */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

export function randMatrix(rows: number, cols: number, rand: () => number, scale = 1): M {
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => (2 * rand() - 1) * scale));
}

/** fast-check: a (rows, cols) matrix of moderate floats. */
export function arbMatrix(rows: number, cols: number, max = 3): fc.Arbitrary<M> {
  return fc.array(fc.array(fc.double({ min: -max, max, noNaN: true, noDefaultInfinity: true }), {
    minLength: cols, maxLength: cols,
  }), { minLength: rows, maxLength: rows });
}

// ---- plain-loop reference (no mathjs, no src imports) ----

export function refMatmul(a: M, b: M): M {
  const out: M = [];
  for (let i = 0; i < a.length; i++) {
    out.push([]);
    for (let j = 0; j < b[0].length; j++) {
      let s = 0;
      for (let k = 0; k < b.length; k++) s += a[i][k] * b[k][j];
      out[i].push(s);
    }
  }
  return out;
}

/**
 * Multi-head attention written as direct loops over (head, i, j, d), straight from the paper,
 * with weights in paper orientation. mask: additive (L, S) or null. Fully masked rows → zero weights.
 * Returns output (L, E) and weights (h, L, S).
 */
export function refMha(
  p: { wQ: M; wK: M; wV: M; wO: M; bQ: number[] | null; bK: number[] | null; bV: number[] | null; bO: number[] | null },
  h: number, x: M, y: M, z: M, mask: M | null,
): { output: M; weights: M[] } {
  const E = p.wQ.length;
  const d = E / h;
  const proj = (X: M, W: M, b: number[] | null) => X.map((row) =>
    W[0].map((_, c) => row.reduce((s, xv, r) => s + xv * W[r][c], 0) + (b ? b[c] : 0)));
  const Q = proj(x, p.wQ, p.bQ);
  const K = proj(y, p.wK, p.bK);
  const V = proj(z, p.wV, p.bV);
  const L = x.length;
  const S = y.length;
  const concat: M = Array.from({ length: L }, () => new Array(E).fill(0));
  const weights: M[] = [];
  for (let head = 0; head < h; head++) {
    const W: M = [];
    for (let i = 0; i < L; i++) {
      const e: number[] = [];
      for (let j = 0; j < S; j++) {
        let s = 0;
        for (let c = head * d; c < (head + 1) * d; c++) s += Q[i][c] * K[j][c];
        e.push(s / Math.sqrt(d) + (mask ? mask[i][j] : 0));
      }
      const mx = Math.max(...e);
      const ex = e.map((v) => (mx === -Infinity ? 0 : Math.exp(v - mx)));
      const sum = ex.reduce((a, b) => a + b, 0);
      const w = ex.map((v) => (sum === 0 ? 0 : v / sum));
      W.push(w);
      for (let c = head * d; c < (head + 1) * d; c++) {
        concat[i][c] = w.reduce((s, wj, j) => s + wj * V[j][c], 0);
      }
    }
    weights.push(W);
  }
  return { output: proj(concat, p.wO, p.bO), weights };
}
