/**
 * Golden gradients from real PyTorch autograd: every fixture in test/fixtures/torch-grad/ was written by
 * scripts/golden_grad.py (`npm run fixtures:torch-grad`) from torch.nn.MultiheadAttention in float64, with
 * loss = Σ output ⊙ G. Our backward must give the same gradient for query, key, value and every parameter.
 * PyTorch's state-dict layout is converted here with plain transposes (not with src/ code), so a layout
 * mistake on either side shows up.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fastBackward } from "../../src/math/fast";
import { MultiHeadAttention } from "../../src/math";
import type { ForwardOptions, MhaGradients } from "../../src/math";
import { maxAbsDiff } from "./_fd";

type M = number[][];
type StateDict = Record<string, number[] | M>;

interface GradSet {
  grad_query: M;
  grad_key: M;
  grad_value: M;
  grad_state_dict: StateDict;
}

interface Fixture extends GradSet {
  name: string;
  description: string;
  args: { embed_dim: number; num_heads: number; kdim: number; vdim: number; bias: boolean };
  state_dict: StateDict;
  query: M;
  key: M;
  value: M;
  attn_mask: boolean[][] | M | null;
  key_padding_mask: boolean[] | null;
  causal: boolean;
  G: M;
  output: M;
  grad_self: M | null;
  nan_rows: number[];
  rows_removed?: GradSet & { query_rows: number[] };
}

const TOL = 1e-12;
const DIR = join(__dirname, "..", "fixtures", "torch-grad");

function _revive(_key: string, v: unknown): unknown {
  if (v === "NaN") return NaN;
  if (v === "Infinity") return Infinity;
  if (v === "-Infinity") return -Infinity;
  return v;
}

const fixtures: Fixture[] = readdirSync(DIR).filter((f) => f.endsWith(".json")).sort()
  .map((f) => JSON.parse(readFileSync(join(DIR, f), "utf8"), _revive) as Fixture);

const T = (m: M): M => m[0].map((_, j) => m.map((row) => row[j]));

/** Our paper-orientation gradients in PyTorch's state-dict layout (y = x·Wᵀ + b, so ∂W_torch = (∂W_paper)ᵀ). */
function toTorchLayout(g: MhaGradients, fx: Fixture): StateDict {
  const p = g.dParams;
  const sd: StateDict = {};
  if ("in_proj_weight" in fx.state_dict) sd.in_proj_weight = [...T(p.wQ), ...T(p.wK), ...T(p.wV)];
  else {
    sd.q_proj_weight = T(p.wQ);
    sd.k_proj_weight = T(p.wK);
    sd.v_proj_weight = T(p.wV);
  }
  if ("in_proj_bias" in fx.state_dict) sd.in_proj_bias = [...p.bQ!, ...p.bK!, ...p.bV!];
  sd["out_proj.weight"] = T(p.wO);
  if ("out_proj.bias" in fx.state_dict) sd["out_proj.bias"] = p.bO!.slice();
  return sd;
}

function options(fx: Fixture): ForwardOptions {
  return { attnMask: fx.attn_mask ?? undefined, keyPaddingMask: fx.key_padding_mask ?? undefined, causal: fx.causal };
}

describe("backward against PyTorch autograd (test/fixtures/torch-grad)", () => {
  it("covers self/cross, kdim/vdim, bias off, bool/float/padding/causal masks and a fully masked row", () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(16);
    expect(fixtures.some((f) => f.args.kdim !== f.args.embed_dim && f.args.vdim !== f.args.embed_dim)).toBe(true);
    expect(fixtures.some((f) => !f.args.bias)).toBe(true);
    expect(fixtures.some((f) => f.causal && f.key_padding_mask)).toBe(true);
    expect(fixtures.some((f) => f.attn_mask && typeof f.attn_mask[0][0] === "number")).toBe(true);
    expect(fixtures.some((f) => f.nan_rows.length > 0 && f.rows_removed)).toBe(true);
  });

  const worst: Record<string, number> = {};
  for (const fx of fixtures) {
    const h = fx.args.num_heads;
    describe(fx.name, () => {
      const mha = MultiHeadAttention.fromTorchStateDict(fx.state_dict, { numHeads: h });
      const trace = mha.forward(fx.query, fx.key, fx.value, options(fx));
      for (const [path, g] of [["readable", mha.backward(trace, fx.G)], ["fast", fastBackward(mha, trace, fx.G)]] as const) {
        it(`${path}: ∂query, ∂key, ∂value and every parameter equal autograd's to ≤ ${TOL}`, () => {
          let ref: GradSet = fx;
          let dQuery = g.dQuery;
          let bOFromMaskedRows: number[] | null = null;
          if (fx.nan_rows.length > 0) {
            // PyTorch's gradients are NaN here (the NaN output reaches the loss). The finite reference is the same
            // layer with those query rows deleted; our rows there must be zero, and their G rows reach only ∂bO
            // (a fully masked row's output is bO).
            ref = fx.rows_removed!;
            for (const i of fx.nan_rows) expect(g.dQuery[i].every((x) => x === 0), `dQuery[${i}]`).toBe(true);
            dQuery = fx.rows_removed!.query_rows.map((i) => g.dQuery[i]);
            bOFromMaskedRows = fx.G[0].map((_, j) => fx.nan_rows.reduce((s, i) => s + fx.G[i][j], 0));
          }
          const ours = toTorchLayout(g, fx);
          if (bOFromMaskedRows) ours["out_proj.bias"] = (ours["out_proj.bias"] as number[]).map((x, j) => x - bOFromMaskedRows![j]);
          const diffs: Record<string, number> = {
            query: maxAbsDiff(dQuery, ref.grad_query), key: maxAbsDiff(g.dKey, ref.grad_key), value: maxAbsDiff(g.dValue, ref.grad_value),
          };
          expect(Object.keys(ours).sort()).toEqual(Object.keys(ref.grad_state_dict).sort());
          for (const k of Object.keys(ref.grad_state_dict)) diffs[k] = maxAbsDiff(ours[k], ref.grad_state_dict[k]);
          const m = Math.max(...Object.values(diffs));
          worst[`${fx.name} ${path}`] = m;
          expect(m, JSON.stringify(diffs)).toBeLessThanOrEqual(TOL);
        });
      }
      if (fx.grad_self && fx.nan_rows.length === 0) { // (NaN in PyTorch when a row is fully masked)
        it("self-attention: dQuery + dKey + dValue equals autograd's gradient of the one tensor x", () => {
          const g = mha.backward(mha.forward(fx.query, options(fx)), fx.G);
          const dx = g.dQuery.map((row, i) => row.map((x, j) => x + g.dKey[i][j] + g.dValue[i][j]));
          expect(maxAbsDiff(dx, fx.grad_self)).toBeLessThanOrEqual(TOL);
        });
      }
    });
  }
  it("reports the largest difference", () => {
    const m = Math.max(...Object.values(worst));
    console.log(`largest |ours − autograd| over ${Object.keys(worst).length} case×path: ${m.toExponential(2)}`);
    expect(m).toBeLessThanOrEqual(TOL);
  });
});
