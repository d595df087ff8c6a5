/**
 * Module-private: the tiny model as one flat parameter vector θ, and its loss and gradient on a batch,
 * computed with the fast flat kernels of src/math/fast/backward.ts. The trainer and evaluate run on this;
 * TinyModel.forward (readable) is the reference it is tested against.
 *
 * Dependencies: _mhaForwardFlat, _mhaBackwardFlat, _matmulTransB, MultiHeadAttention, causalMask.
 */
import { causalMask } from "../math/masks";
import { MultiHeadAttention } from "../math/multi-head";
import {
  _FlatDims, _flatDims, _FlatParams, _mhaBackwardFlat, _mhaForwardFlat, _transposeFlat,
} from "../math/fast/backward";
import { _matmulTransB } from "../math/fast/kernels";
import type { Matrix } from "../math/trace";
import { _checkTinyParams, TinyModel, TinyModelConfig } from "./model";
import type { Example } from "./tasks";

/** θ and named views into it (a gradient buffer gets the same views). */
export interface _FlatModel {
  config: TinyModelConfig;
  dims: _FlatDims;
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
  mha: _FlatParams;
  /** (E, parts·C) */ readout: Float64Array;
  /** (parts·C,) */ readoutBias: Float64Array;
}

interface _Slot { name: string; size: number }

function _slots(config: TinyModelConfig, dims: _FlatDims, biases: _Biases): _Slot[] {
  const { vocab, length, dModel: E, numClasses: C, parts, positions } = config;
  const s: _Slot[] = [{ name: "embedding", size: vocab * E }];
  if (positions === "learned") s.push({ name: "positions", size: length * E });
  s.push({ name: "wQ", size: E * E }, { name: "wK", size: dims.kdim * E }, { name: "wV", size: dims.vdim * E },
    { name: "wO", size: E * E });
  for (const b of ["bQ", "bK", "bV", "bO"] as const) if (biases[b]) s.push({ name: b, size: E });
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
    readout: v.readout, readoutBias: v.readoutBias,
  };
}

function _put(dst: Float64Array, m: Matrix): void {
  const cols = m[0].length;
  m.forEach((row, i) => row.forEach((x, j) => { dst[i * cols + j] = x; }));
}

function _get(src: Float64Array, rows: number, cols: number): Matrix {
  return Array.from({ length: rows }, (_, i) => Array.from(src.subarray(i * cols, (i + 1) * cols)));
}

/**
 * Which parameter entry θ[i] is, as people name it: "embedding[3][2]", "wQ[0][5]", "readoutBias[4]".
 * @example (illustrative) _thetaName(fm, 0) // returns "embedding[0][0]"
 */
export function _thetaName(fm: Pick<_FlatModel, "config" | "dims" | "biases">, i: number): string {
  const { dModel: E, parts, numClasses: C } = fm.config;
  const cols: { [slot: string]: number } = { embedding: E, positions: E, wQ: E, wK: E, wV: E, wO: E, readout: parts * C };
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
    config: model.config, dims: _flatDims(model.mha),
    biases: { bQ: p.bQ != null, bK: p.bK != null, bV: p.bV != null, bO: p.bO != null },
  };
  const size = _slots(layout.config, layout.dims, layout.biases).reduce((s, x) => s + x.size, 0);
  const theta = new Float64Array(size);
  const views = _views(layout, theta);
  const { params } = model;
  _put(views.embedding, params.embedding);
  if (views.positions) _put(views.positions, params.positions);
  _put(views.mha.wQ, p.wQ); _put(views.mha.wK, p.wK); _put(views.mha.wV, p.wV); _put(views.mha.wO, p.wO);
  for (const b of ["bQ", "bK", "bV", "bO"] as const) if (p[b] != null) views.mha[b]!.set(p[b] as number[]);
  _put(views.readout, params.readout);
  views.readoutBias.set(params.readoutBias);
  let fixedPositions: Float64Array | null = null;
  if (!views.positions) {
    fixedPositions = new Float64Array(model.config.length * model.config.dModel);
    _put(fixedPositions, params.positions);
  }
  return { ...layout, theta, views, fixedPositions };
}

/** A new TinyModel holding a copy of θ. */
export function _modelFromFlat(fm: _FlatModel, theta: Float64Array = fm.theta): TinyModel {
  const { vocab, length, dModel: E, numHeads, numClasses: C, parts } = fm.config;
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
 * Forward (and, when grad is given, backward) of the tiny model on a batch of equally long examples.
 * The gradient of the mean loss is ADDED to grad (a θ-shaped buffer).
 * @param fm the flat model
 * @param theta θ to evaluate at (default fm.theta)
 * @param batch B examples of the same length L
 * @param grad θ-shaped buffer for ∂loss/∂θ, or null for forward only
 * @param headMask (h,) multipliers of the heads' outputs, or null
 */
export function _lossAndGrad(
  fm: _FlatModel, theta: Float64Array, batch: Example[], grad: Float64Array | null, headMask: Float64Array | null = null,
): _BatchResult {
  const { dModel: E, numClasses: C, parts, residual, causal, length } = fm.config;
  const B = batch.length;
  const L = batch[0].tokens.length;
  if (L > length) throw new Error(`examples have ${L} tokens but the model's length is ${length}`);
  const v = theta === fm.theta ? fm.views : _views(fm, theta);
  const pos = v.positions ?? (fm.fixedPositions as Float64Array);
  const BL = B * L;

  // 1) x = E[t] + P   (B·L, E)
  const x = new Float64Array(BL * E);
  for (let b = 0; b < B; b++) {
    const toks = batch[b].tokens;
    if (toks.length !== L) throw new Error(`batch[${b}] has ${toks.length} tokens but batch[0] has ${L}`);
    for (let i = 0; i < L; i++) {
      const o = (b * L + i) * E;
      const e = toks[i] * E;
      for (let j = 0; j < E; j++) x[o + j] = v.embedding[e + j] + pos[i * E + j];
    }
  }

  // 2) attention (+ residual)
  let mask: Float64Array | null = null;
  if (causal) {
    mask = new Float64Array(L * L);
    causalMask(L).forEach((row, i) => row.forEach((m, j) => { mask![i * L + j] = m ? -Infinity : 0; }));
  }
  const cache = _mhaForwardFlat(fm.dims, v.mha, B, L, L, x, x, x, mask, headMask);
  const hidden = cache.out; // (B·L, E)
  if (residual) for (let k = 0; k < BL * E; k++) hidden[k] += x[k];

  // 3) read-out and cross-entropy
  const PC = parts * C;
  const logits = new Float64Array(BL * PC); // (B·L, parts·C)
  for (let r = 0; r < BL; r++) for (let c = 0; c < PC; c++) logits[r * PC + c] = v.readoutBias[c];
  _matmulTransB(hidden, 0, E, BL, E, _transposeFlat(v.readout, 0, PC, E, PC), 0, E, PC, logits, 0, PC, true); // (B·L, parts·C)
  let count = 0;
  for (const ex of batch) for (const tp of ex.targets) for (const t of tp) if (t >= 0) count++;
  const partStats = Array.from({ length: parts }, () => ({ count: 0, correct: 0 }));
  let lossSum = 0;
  let correct = 0;
  const dLogits = grad == null ? null : new Float64Array(BL * PC);
  for (let b = 0; b < B; b++) {
    for (let p = 0; p < parts; p++) {
      const targets = batch[b].targets[p];
      for (let i = 0; i < L; i++) {
        const t = targets[i];
        if (t < 0) continue;
        const o = (b * L + i) * PC + p * C;
        let max = -Infinity;
        let arg = 0;
        for (let c = 0; c < C; c++) if (logits[o + c] > max) { max = logits[o + c]; arg = c; }
        let sum = 0;
        for (let c = 0; c < C; c++) sum += Math.exp(logits[o + c] - max);
        lossSum += Math.log(sum) + max - logits[o + t];
        partStats[p].count++;
        if (arg === t) { correct++; partStats[p].correct++; }
        if (dLogits != null) {
          for (let c = 0; c < C; c++) dLogits[o + c] = Math.exp(logits[o + c] - max) / sum / count;
          dLogits[o + t] -= 1 / count;
        }
      }
    }
  }
  const result: _BatchResult = { loss: count === 0 ? 0 : lossSum / count, count, correct, parts: partStats };
  if (grad == null || dLogits == null) return result;

  // 4) backward: read-out, attention, residual, embedding and positions
  const g = _views(fm, grad);
  for (let r = 0; r < BL; r++) for (let c = 0; c < PC; c++) g.readoutBias[c] += dLogits[r * PC + c];
  const hT = _transposeFlat(hidden, 0, E, BL, E); // (E, B·L)
  const dLT = _transposeFlat(dLogits, 0, PC, BL, PC); // (parts·C, B·L)
  _matmulTransB(hT, 0, BL, E, BL, dLT, 0, BL, PC, g.readout, 0, PC, true); // (E, parts·C) ∂R += Hᵀ·∂logits
  const dHidden = new Float64Array(BL * E); // (B·L, E)
  _matmulTransB(dLogits, 0, PC, BL, PC, v.readout, 0, PC, E, dHidden, 0, E, false); // (B·L, E) ∂H = ∂logits·Rᵀ
  const { dXq, dXk, dXv } = _mhaBackwardFlat(fm.dims, v.mha, cache, dHidden, g.mha);
  for (let b = 0; b < B; b++) {
    const toks = batch[b].tokens;
    for (let i = 0; i < L; i++) {
      const o = (b * L + i) * E;
      const e = toks[i] * E;
      for (let j = 0; j < E; j++) {
        const dx = dXq[o + j] + dXk[o + j] + dXv[o + j] + (residual ? dHidden[o + j] : 0);
        g.embedding[e + j] += dx;
        if (g.positions) g.positions[i * E + j] += dx;
      }
    }
  }
  return result;
}
