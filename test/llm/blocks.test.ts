/**
 * RMSNorm, the SwiGLU gate and RoPE (src/blocks) against PyTorch (test/llm/fixtures/blocks.json from
 * scripts/export_smollm_golden.py: torch.nn.RMSNorm, F.silu(a)·b, transformers' apply_rotary_pos_emb, autograd),
 * plus finite differences and the properties each one promises.
 */
import * as fs from "fs";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { RMSNorm } from "../../src/blocks/rms-norm";
import { RoPE } from "../../src/blocks/rope";
import { SwiGLU } from "../../src/blocks/swiglu";

const fx = JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures", "blocks.json"), "utf8"));
const F = (a: number[]) => Float64Array.from(a);
const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol: number) => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  expect(m).toBeLessThan(tol);
};
/** central finite differences of sum(f(x) ⊙ dY) */
function fd(f: (x: Float64Array) => Float64Array, x: Float64Array, dY: Float64Array, h = 1e-6): Float64Array {
  return x.map((_, i) => {
    const up = x.slice(), down = x.slice();
    up[i] += h;
    down[i] -= h;
    const a = f(up), b = f(down);
    let s = 0;
    for (let j = 0; j < a.length; j++) s += (a[j] - b[j]) * dY[j];
    return s / (2 * h);
  });
}

describe("RMSNorm", () => {
  const r = fx.rmsNorm;
  it("forward equals torch.nn.RMSNorm and backward equals autograd (float64, 1e-13)", () => {
    const c = RMSNorm.forward(F(r.x), F(r.g), r.n, r.d, r.eps);
    close(c.y, r.y, 1e-13);
    const dG = new Float64Array(r.d);
    close(RMSNorm.backward(c, F(r.g), F(r.dY), dG, r.n, r.d), r.dX, 1e-13);
    close(dG, r.dG, 1e-13);
  });
  it("backward equals finite differences", () => {
    const c = RMSNorm.forward(F(r.x), F(r.g), r.n, r.d, r.eps);
    const dX = RMSNorm.backward(c, F(r.g), F(r.dY), new Float64Array(r.d), r.n, r.d);
    close(dX, fd((x) => RMSNorm.forward(x, F(r.g), r.n, r.d, r.eps).y, F(r.x), F(r.dY)), 1e-7);
  });
  it("is scale-invariant: RMSNorm(c·x) = RMSNorm(x) for c > 0 (ε = 0), and its rows have RMS 1 with g = 1", () => {
    const x = F(r.x), g = new Float64Array(r.d).fill(1);
    const y = RMSNorm.forward(x, g, r.n, r.d, 0).y;
    close(RMSNorm.forward(x.map((v) => 7.5 * v), g, r.n, r.d, 0).y, y, 1e-13);
    for (let i = 0; i < r.n; i++) expect(Math.sqrt(y.subarray(i * r.d, (i + 1) * r.d).reduce((s, v) => s + v * v, 0) / r.d)).toBeCloseTo(1, 13);
  });
  it("errors name the sizes", () => {
    expect(() => RMSNorm.forward(new Float64Array(5), new Float64Array(2), 2, 2)).toThrow("RMSNorm: x has 5 numbers but n·d = 2·2 = 4");
    expect(() => RMSNorm.forward(new Float64Array(4), new Float64Array(3), 2, 2)).toThrow("RMSNorm: the gain has 3 numbers but rows have d = 2");
  });
});

describe("SwiGLU gate", () => {
  const s = fx.swiglu;
  it("forward equals F.silu(a)·b and backward equals autograd", () => {
    close(SwiGLU.forward(F(s.a), F(s.b)), s.h, 1e-14);
    const g = SwiGLU.backward(F(s.a), F(s.b), F(s.dH));
    close(g.dA, s.dA, 1e-14);
    close(g.dB, s.dB, 1e-14);
  });
  it("backward equals finite differences", () => {
    const g = SwiGLU.backward(F(s.a), F(s.b), F(s.dH));
    close(g.dA, fd((a) => SwiGLU.forward(a, F(s.b)), F(s.a), F(s.dH)), 1e-7);
  });
  it("errors name the sizes", () => {
    expect(() => SwiGLU.forward(new Float64Array(3), new Float64Array(2))).toThrow("SwiGLU: the gate has 3 numbers but the up projection has 2");
  });
});

describe("RoPE", () => {
  const r = fx.rope;
  it("forward equals transformers' apply_rotary_pos_emb and backward equals autograd", () => {
    close(RoPE.forward(F(r.x), r.positions, r.heads, r.d, r.base), r.y, 1e-14);
    close(RoPE.backward(F(r.dY), r.positions, r.heads, r.d, r.base), r.dX, 1e-14);
  });
  it("keeps lengths, and q′·k′ depends only on the distance between positions", () => {
    const q = F(r.x.slice(0, r.d)), k = F(r.x.slice(r.d, 2 * r.d));
    const dot = (p: number, s: number) => {
      const a = RoPE.forward(q, [p], 1, r.d, r.base), b = RoPE.forward(k, [s], 1, r.d, r.base);
      return a.reduce((t, v, i) => t + v * b[i], 0);
    };
    expect(dot(5, 2)).toBeCloseTo(dot(103, 100), 12);
    const y = RoPE.forward(q, [42], 1, r.d, r.base);
    expect(Math.hypot(...y)).toBeCloseTo(Math.hypot(...q), 13);
  });
  it("position 0 is the identity", () => {
    expect(Array.from(RoPE.forward(F(r.x.slice(0, r.d)), [0], 1, r.d, r.base))).toEqual(r.x.slice(0, r.d));
  });
  it("errors name the sizes", () => {
    expect(() => RoPE.forward(new Float64Array(6), [0, 1], 1, 4, 10)).toThrow("RoPE: x has 6 numbers but 2 positions × 1 heads × 4 = 8");
    expect(() => RoPE.frequencies(3, 10)).toThrow("RoPE: the head width d = 3 must be a positive even integer");
  });
});
