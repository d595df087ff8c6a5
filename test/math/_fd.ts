/**
 * Central finite differences for the backward tests: the gradient of loss = Σ f(·) ⊙ G, one entry at a time,
 * computed from the forward alone (the "second way" every backward is checked against).
 */

export type M = number[][];

/** Σ_ij a_ij·g_ij over two equally shaped matrices. */
export function dotAll(a: M, g: M): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) for (let j = 0; j < a[i].length; j++) s += a[i][j] * g[i][j];
  return s;
}

/**
 * ∂loss/∂x by central differences, perturbing x IN PLACE (and restoring it): (loss(x + ε) − loss(x − ε)) / 2ε.
 * @param x a matrix, a vector or a Float64Array the loss reads (the blocks' flat buffers too)
 * @param loss reads x (and anything else) and returns a number
 */
export function numericGrad<T extends number[] | M | Float64Array>(x: T, loss: () => number, eps = 1e-6): T {
  if (Array.isArray(x[0])) {
    const m = x as M;
    return m.map((row) => row.map((_, j) => {
      const o = row[j];
      row[j] = o + eps;
      const lp = loss();
      row[j] = o - eps;
      const lm = loss();
      row[j] = o;
      return (lp - lm) / (2 * eps);
    })) as T;
  }
  const v = x as number[]; // a Float64Array maps the same way (and returns a Float64Array)
  return v.map((_, j) => {
    const o = v[j];
    v[j] = o + eps;
    const lp = loss();
    v[j] = o - eps;
    const lm = loss();
    v[j] = o;
    return (lp - lm) / (2 * eps);
  }) as T;
}

/** Largest |a − b| over equally shaped nested arrays or objects of them (Infinity on a shape or key mismatch or a NaN). */
export function maxAbsDiff(a: unknown, b: unknown): number {
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return Infinity;
    return a.reduce((m: number, x, i) => Math.max(m, maxAbsDiff(x, b[i])), 0);
  }
  if (typeof a === "number" && typeof b === "number") {
    const d = Math.abs(a - b);
    return Number.isNaN(d) ? Infinity : d;
  }
  if (a && b && typeof a === "object" && typeof b === "object") {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    if (ka.join() !== kb.join()) return Infinity;
    return ka.reduce((m, k) => Math.max(m, maxAbsDiff((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])), 0);
  }
  return a === b ? 0 : Infinity;
}
