/**
 * Module-private: the tiny model as one flat parameter vector θ, and its loss and gradient on a batch, built from
 * the shared blocks of mha-lab/blocks (whose attention is src/math's one batched flat attention, s/√dK as the
 * readable path). The trainer and evaluate run on this; TinyModel.forward (readable) is the reference it is tested against.
 *
 * Dependencies: Embedding, LearnedPositions, Attention, Residual, FeedForward, Linear (src/blocks); flatDims;
 * _flatten/_nested (src/math/fast/convert.ts, the one flat ⇄ nested converter); MultiHeadAttention.
 */
import { Attention, Embedding, FeedForward, LearnedPositions, Linear, Residual } from "../blocks";
import type { FeedForwardParams } from "../blocks";
import { MultiHeadAttention } from "../math/multi-head";
import { flatDims } from "../math/fast/backward";
import { _flatten, _nested } from "../math/fast/convert";
import type { FlatAttentionDims, FlatAttentionParams } from "../math/fast/flat-attention";
import { _checkTinyParams, TinyModel, TinyModelConfig } from "./model";
import type { Example } from "./tasks";

/** θ and named views into it (a gradient buffer gets the same views). */
export interface _FlatModel {
  config: TinyModelConfig;
  dims: FlatAttentionDims;
  /** all trainable numbers */ theta: Float64Array;
  /** views into theta */ views: _Views;
  /** (L, dModel) the fixed sinusoids when positions are not learned */ fixedPositions: Float64Array | null;
  /** which of bQ, bK, bV, bO the layer has */ biases: _Biases;
}

/** Which of the layer's biases exist. */
export type _Biases = { bQ: boolean; bK: boolean; bV: boolean; bO: boolean };

/** Named views into one θ-shaped buffer. */
export interface _Views {
  /** (vocab, E) */ embedding: Float64Array;
  /** (length, E) or null when fixed */ positions: Float64Array | null;
  mha: FlatAttentionParams;
  /** the feed-forward block: W₁ (E, H), b₁ (H,), W₂ (H, E), b₂ (E,); null when config.feedForward is 0 */ ffn: FeedForwardParams | null;
  /** (E, parts·C) */ readout: Float64Array;
  /** (parts·C,) */ readoutBias: Float64Array;
}

interface _Slot { name: string; size: number }

function _slots(config: TinyModelConfig, dims: FlatAttentionDims, biases: _Biases): _Slot[] {
  const { vocab, length, dModel: E, numClasses: C, parts, positions } = config;
  const s: _Slot[] = [{ name: "embedding", size: vocab * E }];
  if (positions === "learned") s.push({ name: "positions", size: length * E });
  s.push({ name: "wQ", size: E * E }, { name: "wK", size: dims.kdim * E }, { name: "wV", size: dims.vdim * E },
    { name: "wO", size: E * E });
  for (const b of ["bQ", "bK", "bV", "bO"] as const) if (biases[b]) s.push({ name: b, size: E });
  const H = config.feedForward ?? 0;
  if (H > 0) s.push({ name: "ffn.w1", size: E * H }, { name: "ffn.b1", size: H }, { name: "ffn.w2", size: H * E }, { name: "ffn.b2", size: E });
  s.push({ name: "readout", size: E * parts * C }, { name: "readoutBias", size: parts * C });
  return s;
}

/** Views named by the model's slots into buf (a θ-shaped buffer of fm). */
export function _views(fm: Pick<_FlatModel, "config" | "dims" | "biases">, buf: Float64Array): _Views {
  const v: Record<string, Float64Array> = {};
  let o = 0;
  for (const { name, size } of _slots(fm.config, fm.dims, fm.biases)) {
    v[name] = buf.subarray(o, o + size);
    o += size;
  }
  return {
    embedding: v.embedding, positions: v.positions ?? null,
    mha: { wQ: v.wQ, wK: v.wK, wV: v.wV, wO: v.wO, bQ: v.bQ ?? null, bK: v.bK ?? null, bV: v.bV ?? null, bO: v.bO ?? null },
    ffn: v["ffn.w1"] ? { up: { w: v["ffn.w1"], b: v["ffn.b1"] }, down: { w: v["ffn.w2"], b: v["ffn.b2"] } } : null,
    readout: v.readout, readoutBias: v.readoutBias,
  };
}

/** Rows of a row-major (rows, cols) buffer as a nested matrix (the shared converter, whole width). */
function _get(src: Float64Array, rows: number, cols: number): number[][] {
  return _nested(src, cols, 0, rows, 0, cols); // (rows, cols)
}

/**
 * Which parameter entry θ[i] is, as people name it: "embedding[3][2]", "wQ[0][5]", "readoutBias[4]".
 * @example (illustrative) _thetaName(fm, 0) // returns "embedding[0][0]"
 */
export function _thetaName(fm: Pick<_FlatModel, "config" | "dims" | "biases">, i: number): string {
  const { dModel: E, parts, numClasses: C } = fm.config;
  const H = fm.config.feedForward ?? 0;
  const cols: { [slot: string]: number } = { embedding: E, positions: E, wQ: E, wK: E, wV: E, wO: E, "ffn.w1": H, "ffn.w2": E, readout: parts * C };
  let o = 0;
  for (const { name, size } of _slots(fm.config, fm.dims, fm.biases)) {
    if (i < o + size) {
      const k = i - o;
      return cols[name] === undefined ? `${name}[${k}]` : `${name}[${Math.floor(k / cols[name])}][${k % cols[name]}]`;
    }
    o += size;
  }
  return `θ[${i}]`;
}

/**
 * Copy a model's trainable numbers into a new θ, after checking them (a NaN in model.params is named here).
 * @param where the public call, for messages (e.g. "stepper")
 */
export function _flatModel(model: TinyModel, where = "stepper"): _FlatModel {
  _checkTinyParams(where, model.config, model.params);
  const p = model.mha.params;
  const layout = {
    config: model.config, dims: flatDims(model.mha),
    biases: { bQ: p.bQ != null, bK: p.bK != null, bV: p.bV != null, bO: p.bO != null },
  };
  const size = _slots(layout.config, layout.dims, layout.biases).reduce((s, x) => s + x.size, 0);
  const theta = new Float64Array(size);
  const views = _views(layout, theta);
  const { params } = model;
  views.embedding.set(_flatten(params.embedding));
  if (views.positions) views.positions.set(_flatten(params.positions));
  for (const w of ["wQ", "wK", "wV", "wO"] as const) views.mha[w].set(_flatten(p[w]));
  for (const b of ["bQ", "bK", "bV", "bO"] as const) if (p[b] != null) views.mha[b]!.set(p[b] as number[]);
  if (views.ffn && params.ffn) {
    views.ffn.up.w.set(_flatten(params.ffn.w1));
    views.ffn.up.b!.set(params.ffn.b1);
    views.ffn.down.w.set(_flatten(params.ffn.w2));
    views.ffn.down.b!.set(params.ffn.b2);
  }
  views.readout.set(_flatten(params.readout));
  views.readoutBias.set(params.readoutBias);
  let fixedPositions: Float64Array | null = null;
  if (!views.positions) {
    fixedPositions = new Float64Array(model.config.length * model.config.dModel);
    fixedPositions.set(_flatten(params.positions));
  }
  return { ...layout, theta, views, fixedPositions };
}

/** A new TinyModel holding a copy of θ. */
export function _modelFromFlat(fm: _FlatModel, theta: Float64Array = fm.theta): TinyModel {
  const { vocab, length, dModel: E, numHeads, numClasses: C, parts } = fm.config;
  const H = fm.config.feedForward ?? 0;
  const { kdim, vdim } = fm.dims;
  const v = theta === fm.theta ? fm.views : _views(fm, theta);
  const vec = (b: Float64Array | null) => (b == null ? null : Array.from(b));
  const mha = new MultiHeadAttention({
    wQ: _get(v.mha.wQ, E, E), wK: _get(v.mha.wK, kdim, E), wV: _get(v.mha.wV, vdim, E), wO: _get(v.mha.wO, E, E),
    bQ: vec(v.mha.bQ), bK: vec(v.mha.bK), bV: vec(v.mha.bV), bO: vec(v.mha.bO),
  }, numHeads);
  return new TinyModel(fm.config, {
    embedding: _get(v.embedding, vocab, E),
    positions: v.positions ? _get(v.positions, length, E) : _get(fm.fixedPositions as Float64Array, length, E),
    readout: _get(v.readout, E, parts * C), readoutBias: Array.from(v.readoutBias),
    ffn: v.ffn == null ? null : {
      w1: _get(v.ffn.up.w, E, H), b1: Array.from(v.ffn.up.b!), w2: _get(v.ffn.down.w, H, E), b2: Array.from(v.ffn.down.b!),
    },
  }, mha);
}

/** Loss and accuracy counts of a batch. */
export interface _BatchResult {
  /** mean cross-entropy over the scored (position, part) entries */ loss: number;
  /** scored entries */ count: number;
  /** correctly predicted entries */ correct: number;
  /** per part: { count, correct } */ parts: { count: number; correct: number }[];
}

/**
 * Forward (and, when grad is given, backward) of the tiny model on a batch of equally long examples, built from the
 * shared blocks (mha-lab/blocks): Embedding + LearnedPositions → Attention (src/math's one batched flat attention)
 * → Residual → (FeedForward → Residual, when config.feedForward > 0) → Linear read-out → cross-entropy (log-sum-exp, below). The gradient of the mean loss is ADDED to grad (a θ-shaped buffer).
 * @param fm the flat model
 * @param theta θ to evaluate at (default fm.theta)
 * @param batch B examples of the same length L
 * @param grad θ-shaped buffer for ∂loss/∂θ, or null for forward only
 * @param headMask (h,) multipliers of the heads' outputs, or null
 */
export function _lossAndGrad(
  fm: _FlatModel, theta: Float64Array, batch: Example[], grad: Float64Array | null, headMask: Float64Array | null = null,
): _BatchResult {
  const { dModel: E, numHeads: h, numClasses: C, parts, residual, causal, length } = fm.config;
  const H = fm.config.feedForward ?? 0;
  const B = batch.length;
  const L = batch[0].tokens.length;
  if (L > length) throw new Error(`examples have ${L} tokens but the model's length is ${length}`);
  const v = theta === fm.theta ? fm.views : _views(fm, theta);
  const BL = B * L;
  const PC = parts * C;

  // 1) x = E[t] + P   (B·L, E)
  const tokens = new Int32Array(BL); // (B·L,) the batch's ids, sequence after sequence
  const targets = new Int32Array(BL * parts); // (B·L·parts,) row (b·L + i)·parts + p of the logits seen as (B·L·parts, C)
  for (let b = 0; b < B; b++) {
    const ex = batch[b];
    if (ex.tokens.length !== L) throw new Error(`batch[${b}] has ${ex.tokens.length} tokens but batch[0] has ${L}`);
    for (let i = 0; i < L; i++) {
      tokens[b * L + i] = ex.tokens[i];
      for (let p = 0; p < parts; p++) targets[(b * L + i) * parts + p] = ex.targets[p][i];
    }
  }
  const x = Embedding.forward(tokens, v.embedding, E); // (B·L, E)
  LearnedPositions.forward(x, v.positions ?? (fm.fixedPositions as Float64Array), B, L, E); // (B·L, E) + P, in place

  // 2) attention (+ residual)
  const att = Attention.forward(x, v.mha, B, L, E, h, { causal, headMask }); // y (B·L, E)
  const afterAttention = residual ? Residual.forward(x, att.y) : att.y; // (B·L, E)

  // 2b) the feed-forward block (+ residual), when the model has one
  const ff = v.ffn == null ? null : FeedForward.forward(afterAttention, v.ffn, BL, E, H); // y (B·L, E)
  const hidden = ff == null ? afterAttention : residual ? Residual.forward(afterAttention, ff.y) : ff.y; // (B·L, E)

  // 3) read-out and cross-entropy: the (B·L, parts·C) logits are (B·L·parts, C) rows, one per (position, part).
  //    The loss is log Σ_c e^{z_c − max} + max − z_t (log-sum-exp: finite however confident the model is), on the flat
  //    rows. (mha-lab/blocks' CrossEntropy computes −log softmax(z)[t] through nested arrays: ~20% of a training
  //    step here, and Infinity once p_t underflows; the trainer moves to it when it computes on flat rows.)
  const readout = { w: v.readout, b: v.readoutBias };
  const logits = Linear.forward(hidden, readout, BL, E, PC); // (B·L, parts·C)
  let count = 0;
  for (let r = 0; r < BL * parts; r++) if (targets[r] >= 0) count++;
  const partStats = Array.from({ length: parts }, () => ({ count: 0, correct: 0 }));
  let lossSum = 0;
  let correct = 0;
  const dLogits = grad == null ? null : new Float64Array(BL * PC); // (B·L, parts·C) ∂loss/∂z = (softmax(z) − onehot(t)) / count
  for (let r = 0; r < BL * parts; r++) {
    const t = targets[r];
    if (t < 0) continue;
    const o = r * C;
    let max = -Infinity;
    let arg = 0;
    for (let c = 0; c < C; c++) if (logits[o + c] > max) { max = logits[o + c]; arg = c; }
    let sum = 0;
    for (let c = 0; c < C; c++) sum += Math.exp(logits[o + c] - max);
    lossSum += Math.log(sum) + max - logits[o + t];
    partStats[r % parts].count++;
    if (arg === t) { correct++; partStats[r % parts].correct++; }
    if (dLogits != null) {
      for (let c = 0; c < C; c++) dLogits[o + c] = Math.exp(logits[o + c] - max) / sum / count;
      dLogits[o + t] -= 1 / count;
    }
  }
  const result: _BatchResult = { loss: count === 0 ? 0 : lossSum / count, count, correct, parts: partStats };
  if (grad == null || dLogits == null) return result;

  // 4) backward, block by block in reverse: read-out, feed-forward, attention, residuals, embedding and positions
  const g = _views(fm, grad);
  const dHidden = Linear.backward(hidden, readout, dLogits, { w: g.readout, b: g.readoutBias }, BL, E, PC); // (B·L, E)
  let dAfter = dHidden; // (B·L, E) ∂loss/∂afterAttention
  if (ff != null && v.ffn != null && g.ffn != null) {
    const dThroughFF = FeedForward.backward(ff, v.ffn, dHidden, g.ffn, BL, E, H); // (B·L, E)
    dAfter = residual ? Residual.backward(dHidden, dThroughFF) : dThroughFF;
  }
  const dAtt = Attention.backward(att, v.mha, dAfter, g.mha).dX; // (B·L, E) through queries, keys and values
  const dX = residual ? Residual.backward(dAfter, dAtt) : dAtt; // (B·L, E)
  Embedding.backward(tokens, dX, g.embedding, E);
  if (g.positions) LearnedPositions.backward(dX, g.positions, B, L, E);
  return result;
}
