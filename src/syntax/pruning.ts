/**
 * How many heads can go? Michel et al. (2019) remove heads in order of importance and watch a task's score.
 * Here the task is the model's own job, the sentence embedding: how close (cosine) the pruned model's embedding
 * stays to the full model's. Importance is leave-one-out: how far the embedding moves when that head alone is
 * removed (Michel et al. use a gradient estimate of the same quantity; we have no gradients through MiniLM).
 *
 *   Δ_h = 1 − cos(e, e_{∖h}),   curve(k) = mean_s cos(e_s, e_s with the first k heads of the order removed)
 *
 * Removing heads of layer l and later changes nothing before layer l, so each run starts from the hidden state
 * H_l that encode already returned.
 *
 * Dependencies: bertLayer, meanPooling, l2Normalize (mha-lab/minilm).
 */
import type { Matrix, Vector } from "../math/trace";
import { bertLayer, BertLayerWeights, l2Normalize, meanPooling } from "../minilm";
import { _shuffled } from "./_shuffle";
import type { HeadRef } from "./score-relations";

/** What pruning needs of the model: its layers' weights and sizes (MiniLM's MiniLMModel has them). */
export interface PrunableModel {
  config: { numLayers: number; numHeads: number; layerNormEps?: number };
  weights: { layers: BertLayerWeights[] };
}

/** What pruning needs of an encoding: the hidden states H_0 … H_N and the embedding (MiniLM's encode). */
export interface EncodedSentence { hiddenStates: Matrix[]; embedding: Vector }

const _cos = (a: Vector, b: Vector) => a.reduce((s, v, k) => s + v * b[k], 0); // both unit length

/**
 * The sentence embedding with some heads removed (mask 0) or scaled, starting from the first layer the mask touches.
 *   H'_l = H_l (l < l0),  H'_{l+1} = BertLayer_l(H'_l; mask_l),  e' = normalize(mean_i H'_N[i])
 * @param model    MiniLM (loadMiniLMModel())
 * @param enc      model.encode(sentence)
 * @param headMask (numLayers, numHeads) 1 keeps a head, 0 removes it (Hugging Face's head_mask)
 * @return (d,) unit-length embedding
 * @example (illustrative) embeddingWithHeadMask(model, enc, allOnes) // returns enc.embedding, bit for bit
 */
export function embeddingWithHeadMask(model: PrunableModel, enc: EncodedSentence, headMask: number[][]): Vector {
  const { numLayers: N, numHeads: h } = model.config;
  if (!Array.isArray(headMask) || headMask.length !== N || !headMask.every((r) => Array.isArray(r) && r.length === h)) {
    throw new Error(`headMask must be (${N}, ${h}): one row of ${h} per layer, got ${Array.isArray(headMask) ? `${headMask.length} rows` : typeof headMask}`);
  }
  const first = headMask.findIndex((r) => r.some((v) => v !== 1));
  if (first < 0) return enc.embedding.slice();
  let x = enc.hiddenStates[first]; // (L, d): layers before `first` are unchanged
  for (let l = first; l < N; l++) x = bertLayer(x, model.weights.layers[l], { headMask: headMask[l], eps: model.config.layerNormEps }).output; // (L, d)
  return l2Normalize(meanPooling(x)); // (d,)
}

/** A (numLayers, numHeads) mask of ones with the given heads set to 0. */
export function maskWithout(model: PrunableModel, removed: HeadRef[]): number[][] {
  const m = Array.from({ length: model.config.numLayers }, () => new Array<number>(model.config.numHeads).fill(1));
  for (const r of removed) {
    if (m[r.layer]?.[r.head] === undefined) throw new Error(`no head L${r.layer}·H${r.head + 1} (layer ${r.layer}, head index ${r.head}) in a model of ${m.length} layers × ${m[0].length} heads`);
    m[r.layer][r.head] = 0;
  }
  return m;
}

/**
 * Every head of the model in a seeded random order: the control for a pruning order.
 * @example randomHeadOrder({ config: { numLayers: 1, numHeads: 2 }, weights: { layers: [] } }, 0).length // returns 2
 */
export function randomHeadOrder(model: PrunableModel, seed: number): HeadRef[] {
  const h = model.config.numHeads;
  return _shuffled(model.config.numLayers * h, seed).map((k) => ({ layer: Math.floor(k / h), head: k % h }));
}

/**
 * Leave-one-out importance of every head: the mean over sentences of 1 − cos(e, e without that head alone).
 * @param model     MiniLM
 * @param encodings (n,) model.encode(sentence) of each sentence
 * @param layers    the layers to score (default all), so a notebook can spread the work over cells
 * @return (layers.length, numHeads)
 * @example (illustrative) headImportance(model, encs, [5])[0][0] // returns 1 − cos for L5·H1, e.g. 0.004
 */
export function headImportance(model: PrunableModel, encodings: EncodedSentence[], layers?: number[]): number[][] {
  if (!Array.isArray(encodings) || encodings.length === 0) throw new Error("headImportance needs at least one encoded sentence");
  const { numLayers: N, numHeads: h } = model.config;
  const which = layers ?? Array.from({ length: N }, (_, l) => l);
  const bad = which.find((l) => !Number.isInteger(l) || l < 0 || l >= N);
  if (bad !== undefined) throw new Error(`headImportance: layer ${bad} does not exist (layers 0 … ${N - 1})`);
  return which.map((l) => Array.from({ length: h }, (_, k) => // (numHeads,)
    encodings.reduce((s, enc) => s + 1 - _cos(enc.embedding, embeddingWithHeadMask(model, enc, maskWithout(model, [{ layer: l, head: k }]))), 0) / encodings.length));
}

/**
 * Remove heads cumulatively in the given order and measure how close the embedding stays.
 * @param model     MiniLM
 * @param encodings (n,) model.encode(sentence)
 * @param order     heads in the order they are removed (e.g. least important first)
 * @param counts    how many heads are removed at each point, e.g. [0, 8, 16, …, 72]
 * @return (counts.length,) mean over sentences of cos(e, e_pruned); 1 at 0 heads removed
 * @example (illustrative) pruningCurve(model, encs, order, [0, 36, 72]) // returns [1, 0.93…, 0.2…]
 */
export function pruningCurve(model: PrunableModel, encodings: EncodedSentence[], order: HeadRef[], counts: number[]): number[] {
  if (!Array.isArray(encodings) || encodings.length === 0) throw new Error("pruningCurve needs at least one encoded sentence");
  const bad = counts.find((c) => !Number.isInteger(c) || c < 0 || c > order.length);
  if (bad !== undefined) throw new Error(`pruningCurve: counts must be integers from 0 to ${order.length} (the heads in order), got ${bad}`);
  return counts.map((c) => {
    const mask = maskWithout(model, order.slice(0, c));
    return encodings.reduce((s, enc) => s + _cos(enc.embedding, embeddingWithHeadMask(model, enc, mask)), 0) / encodings.length;
  });
}
