import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fastForward, fastMatmul, installFastMultiply, uninstallFastMultiply } from "../../../src/math/fast";
import { matmul } from "../../../src/math/matrix";
import { all, create } from "mathjs";
import { MultiHeadAttention } from "../../../src/math/multi-head";
import { mulberry32 } from "../../../src/math/random";
import type { Matrix } from "../../../src/math/trace";

/** A mathjs instance of our own: the reference for the kernel's numbers. */
const math = create(all, { number: "number" });

/** C[i][j] = Σ_p a[i][p]·b[p][j] as a plain triple loop (the independent answer). */
function loopMatmul(a: Matrix, b: Matrix): Matrix {
  return a.map((row) => b[0].map((_, j) => row.reduce((s, x, p) => s + x * b[p][j], 0)));
}

function randomMatrix(rows: number, cols: number, seed: number): Matrix {
  const r = mulberry32(seed);
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => 2 * r() - 1));
}

/** Every number in two nested structures, side by side; -0 and 0 count as equal. */
function maxAbsDiffDeep(a: unknown, b: unknown): number {
  if (typeof a === "number" && typeof b === "number") {
    if (a === b) return 0;
    return Number.isNaN(a) && Number.isNaN(b) ? 0 : Math.abs(a - b);
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return Infinity;
    return a.reduce((m: number, x, i) => Math.max(m, maxAbsDiffDeep(x, b[i])), 0);
  }
  if (a && b && typeof a === "object" && typeof b === "object") {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    if (ka.join() !== kb.join()) return Infinity;
    return ka.reduce((m, k) => Math.max(m, maxAbsDiffDeep((a as any)[k], (b as any)[k])), 0);
  }
  return a === b ? 0 : Infinity;
}

describe("fastMatmul(a, b)", () => {
  it("works a 2×2 case out by hand", () => {
    // [1 2; 3 4]·[5 6; 7 8] = [1·5+2·7, 1·6+2·8; 3·5+4·7, 3·6+4·8] = [19 22; 43 50]
    expect(fastMatmul([[1, 2], [3, 4]], [[5, 6], [7, 8]])).toEqual([[19, 22], [43, 50]]);
  });

  it("equals mathjs's own multiply and a triple loop, for shapes reaching every block path", () => {
    // _multiplyNested sums tiny products (n·k·m ≤ 2048) straight on the nested arrays and the rest in _matmulTransB's
    // 3×4 blocks, then 2×4 for the last two rows, 1×m for the last one, and the j-remainders of each: k up to 80 and
    // n, m up to 13 reach all of them. The reference is mathjs's own nested-array product (summed p = 0 … k−1 like
    // the kernel).
    const original = (a: Matrix, b: Matrix) => math.multiply(a, b) as unknown as Matrix;
    const paths = new Set<string>();
    fc.assert(fc.property(fc.integer({ min: 1, max: 13 }), fc.oneof(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 5, max: 80 })),
      fc.integer({ min: 1, max: 13 }), fc.integer({ min: 0, max: 2 ** 31 }), (n, k, m, seed) => {
        const a = randomMatrix(n, k, seed);
        const b = randomMatrix(k, m, seed + 1);
        const c = fastMatmul(a, b);
        const tiny = n * k * m <= 2048;
        paths.add(tiny ? "tiny" : `rows ${n % 3 === 0 ? "3" : n % 3 === 1 ? (n === 1 ? "1" : "3+1") : "3+2"}, cols ${m % 4 === 0 ? "4" : "4+rest"}`);
        expect(maxAbsDiffDeep(c, original(a, b))).toBe(0); // the same summation order as mathjs
        expect(maxAbsDiffDeep(c, loopMatmul(a, b))).toBe(0); // loopMatmul also sums p in order from 0
      }), { numRuns: 300, seed: 11, examples: [[3, 700, 4, 1], [2, 700, 4, 2], [1, 2100, 1, 3], [1, 1, 1, 4], [7, 50, 9, 5], [13, 80, 13, 6]] });
    // every block path was reached (the 1-row path appears as "3+1" and "1", the 2-row path as "3+2")
    for (const p of ["tiny", "rows 3, cols 4", "rows 3+1, cols 4+rest", "rows 3+2, cols 4+rest", "rows 1, cols 4+rest"]) expect(paths).toContain(p);
  });

  it("names both shapes when the inner sizes differ", () => {
    expect(() => fastMatmul([[1, 2, 3]], [[1], [2]], ["x", "w"])).toThrow("x·w: x is 1×3 and w is 2×1; inner sizes 3 and 2 must match");
    expect(() => fastMatmul([[1, NaN]], [[1], [2]])).toThrow("a[0][1] is NaN");
  });
});

describe("fastForward(mha, query, key, value, options)", () => {
  const arbCase = fc.record({
    numHeads: fc.integer({ min: 1, max: 4 }),
    dK: fc.integer({ min: 1, max: 5 }),
    L: fc.integer({ min: 1, max: 7 }),
    S: fc.integer({ min: 1, max: 7 }),
    kdimExtra: fc.integer({ min: 0, max: 3 }),
    bias: fc.boolean(),
    causal: fc.boolean(),
    maskKind: fc.constantFrom("none", "bool", "float", "padding", "fullyMaskedRow"),
    seed: fc.integer({ min: 0, max: 2 ** 31 }),
  });

  /** A layer, its inputs and options from one arbCase draw. */
  function build(c: typeof arbCase extends fc.Arbitrary<infer T> ? T : never) {
    const dModel = c.numHeads * c.dK;
    const kdim = dModel + c.kdimExtra;
    let mha = MultiHeadAttention.random({ dModel, numHeads: c.numHeads, seed: c.seed, kdim, vdim: kdim + 1, bias: c.bias });
    if (c.bias) {
      // non-zero biases, so the bias path is exercised (params are frozen: build a new layer)
      const r = mulberry32(c.seed + 7);
      const b = () => Array.from({ length: dModel }, () => r() - 0.5);
      mha = new MultiHeadAttention({ ...mha.params, bQ: b(), bK: b(), bV: b(), bO: b() }, c.numHeads);
    }
    const q = randomMatrix(c.L, dModel, c.seed + 1);
    const k = randomMatrix(c.S, kdim, c.seed + 2);
    const v = randomMatrix(c.S, kdim + 1, c.seed + 3);
    const options: Parameters<typeof fastForward>[4] = { causal: c.causal };
    if (c.maskKind === "bool") options.attnMask = randomMatrix(c.L, c.S, c.seed + 4).map((row) => row.map((x) => x > 0.3));
    if (c.maskKind === "float") options.attnMask = randomMatrix(c.L, c.S, c.seed + 5);
    if (c.maskKind === "padding") options.keyPaddingMask = Array.from({ length: c.S }, (_, j) => j === c.S - 1 && c.S > 1);
    if (c.maskKind === "fullyMaskedRow") options.attnMask = Array.from({ length: c.L }, (_, i) => Array.from({ length: c.S }, () => i === 0));
    return { mha, q, k, v, options };
  }

  it("returns the same trace as MultiHeadAttention.forward, number for number (property)", () => {
    fc.assert(fc.property(arbCase, (c) => {
      const { mha, q, k, v, options } = build(c);
      const ref = mha.forward(q, k, v, options);
      const fast = fastForward(mha, q, k, v, options);
      expect(maxAbsDiffDeep(fast, ref)).toBe(0);
      expect(fast.fullyMaskedRows).toEqual(ref.fullyMaskedRows);
      if (c.maskKind === "fullyMaskedRow") expect(fast.fullyMaskedRows).toEqual([0]);
    }), { numRuns: 150 });
  });

  it("matches at the benchmark's shapes: n = 33, dModel = 64 and 256, h = 8, self-attention", () => {
    for (const dModel of [64, 256]) {
      const mha = MultiHeadAttention.random({ dModel, numHeads: 8, seed: 3 });
      const x = randomMatrix(33, dModel, 4);
      const ref = mha.forward(x);
      const fast = fastForward(mha, x);
      expect(maxAbsDiffDeep(fast, ref)).toBe(0);
      // the output is concat·W^O + bO, and also the sum of the per-head contributions (+ bO = 0 here)
      const summed = fast.contributions.reduce((acc, c) => acc.map((row, i) => row.map((x2, j) => x2 + c[i][j])));
      expect(maxAbsDiffDeep(summed, fast.output)).toBeLessThanOrEqual(1e-12);
      // every weights row is a distribution
      for (const w of fast.weights) for (const row of w) expect(Math.abs(row.reduce((s, x2) => s + x2, 0) - 1)).toBeLessThan(1e-12);
    }
  });

  it("a layer's params are frozen: an edit throws, and a new layer from edited params gives the new numbers", () => {
    const mha = MultiHeadAttention.random({ dModel: 8, numHeads: 2, seed: 5 });
    const x = randomMatrix(3, 8, 6);
    const first = fastForward(mha, x).output;
    expect(() => { (mha.params.wO[7] as number[])[7] += 0.5; }).toThrow("read only");
    expect(() => { (mha.params as any).wQ = [[1]]; }).toThrow("read only");
    expect(() => { (mha as any).dModel = 4; }).toThrow("read only");
    const wO = mha.params.wO.map((row) => row.slice());
    wO[7][7] += 0.5; // W^O row 7 feeds output column 7 through head 2's last concat column
    const edited = new MultiHeadAttention({ ...mha.params, wO }, 2);
    const second = fastForward(edited, x);
    expect(maxAbsDiffDeep(second, edited.forward(x))).toBe(0);
    expect(maxAbsDiffDeep(second.output, first)).toBeGreaterThan(1e-6);
    expect(fastForward(mha, x).output).toEqual(first); // the old layer is unchanged
  });

  it("accepts the same call shapes as forward, and mha.forward(x, { kernel: \"fast\" }) is fastForward", () => {
    const mha = MultiHeadAttention.random({ dModel: 8, numHeads: 2, seed: 2 });
    const x = randomMatrix(4, 8, 3);
    const k = randomMatrix(5, 8, 4);
    const v = randomMatrix(5, 8, 5);
    const opts = { causal: true };
    const calls: [unknown, unknown][] = [
      [fastForward(mha, x, opts), mha.forward(x, opts)],
      [fastForward(mha, x), mha.forward(x)],
      [fastForward(mha, x, k, opts), mha.forward(x, k, opts)],
      [fastForward(mha, x, k, v, opts), mha.forward(x, k, v, opts)],
      [fastForward(mha, x, null, null, opts), mha.forward(x, null, null, opts)],
      [mha.forward(x, k, v, { ...opts, kernel: "fast" }), mha.forward(x, k, v, { ...opts, kernel: "readable" })],
      [mha.forward(x, { kernel: "fast" }), fastForward(mha, x)],
    ];
    for (const [a, b] of calls) expect(maxAbsDiffDeep(a, b)).toBe(0);
    expect(fastForward(mha, x, opts).fullyMaskedRows).toEqual([]);
  });

  it("returns the trace lazily, and every field reads as plain nested arrays (spread, JSON, structuredClone)", () => {
    const mha = MultiHeadAttention.random({ dModel: 8, numHeads: 2, seed: 2 });
    const x = randomMatrix(3, 8, 3);
    const t = fastForward(mha, x);
    expect(Array.isArray(t.output) && Array.isArray(t.output[0])).toBe(true);
    expect(t.output).toBe(t.output); // computed once, then kept
    expect(JSON.parse(JSON.stringify(t))).toEqual(JSON.parse(JSON.stringify(mha.forward(x))));
    expect(maxAbsDiffDeep(structuredClone({ ...t }), mha.forward(x))).toBe(0);
  });

  it("rejects bad inputs with the same messages as forward", () => {
    const mha = MultiHeadAttention.random({ dModel: 4, numHeads: 2, seed: 1 });
    expect(() => fastForward(mha, [[1, 2, 3]])).toThrow("query has 3 columns but dModel is 4");
    expect(() => mha.forward([[1, 2, 3]])).toThrow("query has 3 columns but dModel is 4");
    expect(() => fastForward(mha, [[1, 2, 3, 4]], [[1, 2, 3, 4], [1, 2, 3, 4]], [[1, 2, 3, 4]]))
      .toThrow("value has 1 rows but key has 2 rows");
    expect(() => fastForward(mha, [[1, 2, 3, 4]], null, null, { attnMask: [[false, true]] }))
      .toThrow("attnMask is 1×2 but the attention is 1×1");
  });
});

describe("installFastMultiply(math)", () => {
  it("puts the kernel into a mathjs instance the caller owns, gives mathjs's own numbers, and leaves other signatures alone", () => {
    const mine = create(all, { number: "number" });
    const original = mine.multiply;
    const a = randomMatrix(6, 16, 10);
    const b = randomMatrix(16, 5, 11);
    const reference = original(a, b);
    installFastMultiply(mine);
    installFastMultiply(mine); // idempotent
    expect((mine.multiply as any)[Symbol.for("mha-lab.fast.originalMultiply")]).toBe(original);
    expect(maxAbsDiffDeep(mine.multiply(a, b), reference)).toBe(0);
    expect(mine.multiply([[1, 2], [3, 4]], [[5, 6], [7, 8]])).toEqual([[19, 22], [43, 50]]);
    expect(mine.multiply(2, 3)).toBe(6);
    expect(mine.multiply([1, 2], [3, 4])).toBe(11); // vector dot product, original path
    expect(mine.multiply([[1, 2]], 3)).toEqual([[3, 6]]);
    uninstallFastMultiply(mine);
    expect(mine.multiply).toBe(original);
  });

  it("needs an instance: there is no default one to change", () => {
    expect(() => installFastMultiply(undefined as never)).toThrow("math must be a mathjs instance (with multiply and import) that you created");
  });
});
