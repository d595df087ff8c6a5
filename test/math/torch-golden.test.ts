/**
 * Golden values from real PyTorch: every fixture in test/fixtures/torch/ was written by
 * scripts/golden.py (`npm run fixtures:torch`) from torch.nn.MultiheadAttention in float64.
 * Each case is checked two ways: a plain-loop reference written here straight from PyTorch's
 * layout (so a wrong fixture or a misread format shows up on its own), and our MultiHeadAttention.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { MultiHeadAttention } from "../../src/math/multi-head";

type Matrix = number[][];
type StateDict = Record<string, number[] | Matrix>;

interface Fixture {
  name: string;
  description: string;
  args: { embed_dim: number; num_heads: number; kdim: number; vdim: number; bias: boolean };
  state_dict: StateDict;
  query: Matrix; // (L, E)
  key: Matrix; // (S, kdim)
  value: Matrix; // (S, vdim)
  attn_mask: boolean[][] | Matrix | null; // (L, S)
  attn_mask_dtype: "bool" | "float" | null;
  key_padding_mask: boolean[] | null; // (S,)
  causal: boolean;
  output: Matrix; // (L, E)
  weights: Matrix[]; // (h, L, S)
  nan_rows: number[];
}

const TOL = 1e-12;
const DIR = join(__dirname, "..", "fixtures", "torch");

/** JSON cannot hold non-finite numbers; golden.py writes them as these strings. */
function _revive(_key: string, v: unknown): unknown {
  if (v === "NaN") return NaN;
  if (v === "Infinity") return Infinity;
  if (v === "-Infinity") return -Infinity;
  return v;
}

const fixtures: Fixture[] = readdirSync(DIR)
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((f) => JSON.parse(readFileSync(join(DIR, f), "utf8"), _revive) as Fixture);

/** max |a − b| over two equally shaped nested arrays; Infinity on a shape mismatch or a NaN. */
function _maxAbsDiff(a: unknown, b: unknown): number {
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return Infinity;
    return a.reduce((m: number, x, i) => Math.max(m, _maxAbsDiff(x, b[i])), 0);
  }
  if (typeof a === "number" && typeof b === "number") {
    const d = Math.abs(a - b);
    return Number.isNaN(d) ? Infinity : d;
  }
  return Infinity;
}

/** Drop the rows PyTorch left as NaN: (L, …) -> (L − |rows|, …). */
function _withoutRows<T>(m: T[], rows: number[]): T[] {
  return m.filter((_, i) => !rows.includes(i));
}

/** y = x·Wᵀ + b, PyTorch's nn.Linear orientation. x (n, in), w (out, in), b (out,) */
function _torchLinear(x: Matrix, w: Matrix, b: number[] | null): Matrix {
  return x.map((row) => w.map((wr, o) => wr.reduce((s, wij, j) => s + wij * row[j], b ? b[o] : 0)));
}

/**
 * Multi-head attention written with plain loops straight from PyTorch's state dict,
 * independent of src/: returns output (L, E), weights (h, L, S) and the fully masked rows.
 */
function _reference(fx: Fixture): { output: Matrix; weights: Matrix[]; fullyMasked: number[] } {
  const { embed_dim: E, num_heads: h } = fx.args;
  const sd = fx.state_dict;
  const rows = (m: Matrix, from: number, to: number) => m.slice(from, to);
  const ipw = sd["in_proj_weight"] as Matrix | undefined;
  const ipb = (sd["in_proj_bias"] as number[] | undefined) ?? null;
  const wq = ipw ? rows(ipw, 0, E) : (sd["q_proj_weight"] as Matrix); // (E, E)
  const wk = ipw ? rows(ipw, E, 2 * E) : (sd["k_proj_weight"] as Matrix); // (E, kdim)
  const wv = ipw ? rows(ipw, 2 * E, 3 * E) : (sd["v_proj_weight"] as Matrix); // (E, vdim)
  const q = _torchLinear(fx.query, wq, ipb && ipb.slice(0, E)); // (L, E)
  const k = _torchLinear(fx.key, wk, ipb && ipb.slice(E, 2 * E)); // (S, E)
  const v = _torchLinear(fx.value, wv, ipb && ipb.slice(2 * E)); // (S, E)
  const L = q.length;
  const S = k.length;
  const d = E / h;
  const maskAt = (l: number, s: number): number => {
    let m = 0;
    if (fx.attn_mask) {
      const a = fx.attn_mask[l][s];
      m += typeof a === "boolean" ? (a ? -Infinity : 0) : a;
    }
    if (fx.key_padding_mask && fx.key_padding_mask[s]) m += -Infinity;
    return m;
  };
  const fullyMasked = new Set<number>();
  const weights: Matrix[] = [];
  const concat: Matrix = q.map(() => new Array(E).fill(0)); // (L, E)
  for (let i = 0; i < h; i++) {
    const w: Matrix = [];
    for (let l = 0; l < L; l++) {
      const z: number[] = [];
      for (let s = 0; s < S; s++) {
        let dot = 0;
        for (let j = i * d; j < (i + 1) * d; j++) dot += q[l][j] * k[s][j];
        z.push(dot / Math.sqrt(d) + maskAt(l, s));
      }
      const max = Math.max(...z);
      if (max === -Infinity) {
        fullyMasked.add(l);
        w.push(z.map(() => 0));
        continue;
      }
      const e = z.map((x) => Math.exp(x - max));
      const sum = e.reduce((a, b) => a + b, 0);
      w.push(e.map((x) => x / sum));
      for (let j = i * d; j < (i + 1) * d; j++) {
        concat[l][j] = w[l].reduce((acc, p, s) => acc + p * v[s][j], 0);
      }
    }
    weights.push(w);
  }
  const bo = (sd["out_proj.bias"] as number[] | undefined) ?? null;
  const output = _torchLinear(concat, sd["out_proj.weight"] as Matrix, bo);
  return { output, weights, fullyMasked: [...fullyMasked].sort((a, b) => a - b) };
}

/** The masks as our forward() takes them (PyTorch conventions, undefined when absent). */
function _forwardOptions(fx: Fixture) {
  return {
    attnMask: fx.attn_mask ?? undefined,
    keyPaddingMask: fx.key_padding_mask ?? undefined,
  };
}

const report: string[] = [];
afterAll(() => {
  if (report.length) console.log("max |diff| from PyTorch per case:\n" + report.join("\n"));
});

describe("PyTorch golden fixtures (scripts/golden.py, torch 2.13.0, float64)", () => {
  test("the fixture folder holds every case the issue asks for", () => {
    const names = fixtures.map((f) => f.name);
    expect(names.length).toBeGreaterThanOrEqual(16);
    const has = (p: (f: Fixture) => boolean) => fixtures.some(p);
    expect(has((f) => f.key.length !== f.query.length)).toBe(true); // cross, L ≠ S
    expect(has((f) => "q_proj_weight" in f.state_dict && f.args.vdim !== f.args.embed_dim)).toBe(true);
    expect(has((f) => !f.args.bias && !("out_proj.bias" in f.state_dict))).toBe(true);
    expect(has((f) => f.causal && f.key_padding_mask !== null)).toBe(true);
    expect(has((f) => f.attn_mask_dtype === "float" && f.attn_mask!.flat().includes(-Infinity))).toBe(true);
    expect(has((f) => f.nan_rows.length > 0)).toBe(true);
    for (const h of [1, 2, 3, 4]) expect(has((f) => f.args.num_heads === h)).toBe(true);
  });

  describe.each(fixtures.map((f) => [f.name, f] as const))("%s", (name, fx) => {
    const E = fx.args.embed_dim;
    const h = fx.args.num_heads;

    test(`the fixture is self-consistent: a plain-loop reference reproduces PyTorch (${fx.description})`, () => {
      const ref = _reference(fx);
      expect(ref.fullyMasked).toEqual(fx.nan_rows);
      const dOut = _maxAbsDiff(_withoutRows(ref.output, fx.nan_rows), _withoutRows(fx.output, fx.nan_rows));
      const dW = _maxAbsDiff(
        ref.weights.map((w) => _withoutRows(w, fx.nan_rows)),
        fx.weights.map((w) => _withoutRows(w, fx.nan_rows)),
      );
      report.push(`  ${name.padEnd(24)} plain-loop reference: output ${dOut.toExponential(2)}  weights ${dW.toExponential(2)}`);
      expect(dOut, `${name}: reference output differs from PyTorch by ${dOut}`).toBeLessThanOrEqual(TOL);
      expect(dW, `${name}: reference weights differ from PyTorch by ${dW}`).toBeLessThanOrEqual(TOL);
      // PyTorch's NaN rows are NaN throughout (golden.py also checks that every other row is finite).
      for (const i of fx.nan_rows) expect(fx.output[i].every(Number.isNaN)).toBe(true);
    });

    test(`forward matches PyTorch's output and per-head weights to ≤ ${TOL}`, () => {
      const mha = MultiHeadAttention.fromTorchStateDict(fx.state_dict, { numHeads: h });
      expect([mha.dModel, mha.numHeads, mha.kdim, mha.vdim]).toEqual([E, h, fx.args.kdim, fx.args.vdim]);
      const trace = mha.forward(fx.query, fx.key, fx.value, _forwardOptions(fx));
      const dOut = _maxAbsDiff(_withoutRows(trace.output, fx.nan_rows), _withoutRows(fx.output, fx.nan_rows));
      const dW = _maxAbsDiff(
        trace.weights.map((w) => _withoutRows(w, fx.nan_rows)),
        fx.weights.map((w) => _withoutRows(w, fx.nan_rows)),
      );
      report.push(`  ${name.padEnd(24)} MultiHeadAttention:   output ${dOut.toExponential(2)}  weights ${dW.toExponential(2)}`);
      expect(dOut, `${name}: output max |diff| = ${dOut}`).toBeLessThanOrEqual(TOL);
      expect(dW, `${name}: weights max |diff| = ${dW}`).toBeLessThanOrEqual(TOL);
      expect(trace.weights.length).toBe(h);
      expect(trace.fullyMaskedRows).toEqual(fx.nan_rows);
      // Where PyTorch gives NaN we give zero weights and a zero head output, so the output row is just bO.
      const bO = (fx.state_dict["out_proj.bias"] as number[] | undefined) ?? new Array(E).fill(0);
      for (const i of fx.nan_rows) {
        for (const w of trace.weights) expect(w[i]).toEqual(new Array(w[i].length).fill(0));
        expect(trace.concat[i].every((x) => x === 0)).toBe(true);
        expect(_maxAbsDiff(trace.output[i], bO), `${name}: output row ${i} should equal out_proj.bias`).toBe(0);
      }
      expect(JSON.stringify(trace.output)).not.toMatch(/null/); // JSON turns NaN and ±Infinity into null
    });

    if (fx.causal) {
      test("forward({ causal: true }) equals forward with PyTorch's causal attn_mask", () => {
        const mha = MultiHeadAttention.fromTorchStateDict(fx.state_dict, { numHeads: h });
        const a = mha.forward(fx.query, fx.key, fx.value, _forwardOptions(fx));
        const b = mha.forward(fx.query, fx.key, fx.value, {
          causal: true,
          keyPaddingMask: fx.key_padding_mask ?? undefined,
        });
        expect(b.output).toEqual(a.output);
        expect(b.weights).toEqual(a.weights);
      });
    }

    test("toTorchStateDict() returns the loaded state dict exactly (same keys, same numbers)", () => {
      const mha = MultiHeadAttention.fromTorchStateDict(fx.state_dict, { numHeads: h });
      const back = mha.toTorchStateDict();
      expect(Object.keys(back).sort()).toEqual(Object.keys(fx.state_dict).sort());
      expect(back).toStrictEqual(fx.state_dict);
    });
  });
});
