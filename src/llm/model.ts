/**
 * SmolLM2-135M-Instruct (the llama architecture) composed from the shared blocks:
 *   x_0 = E[ids]                                                        token embedding
 *   for each of the 30 layers:
 *     x ← x + Attention(RMSNorm(x))        causal, RoPE, grouped-query (9 query heads, 3 key/value heads)
 *     x ← x + SwiGLU-FFN(RMSNorm(x))
 *   logits = RMSNorm(x)·Eᵀ                                              the output layer is tied to E
 *
 * Dependencies: RMSNorm, SwiGLU (src/blocks), causalSelfAttention, KVCache (./attention), linearT (./linear).
 */
import { RMSNorm } from "../blocks/rms-norm";
import { SwiGLU } from "../blocks/swiglu";
import { causalSelfAttention, KVCache } from "./attention";
import { linearT } from "./linear";
import type { ChatModelConfig, ChatWeights } from "./weights";

/** What forward returns. */
export interface ChatForward {
  /** (L, vocab) next-token logits at every position */ logits: number[][];
  /** numLayers × numHeads × (L, L) attention weights (row i: how query i spreads over keys 0 … i) */ attentions: number[][][][];
  /**
   * (numLayers + 1) × (L, d): hiddenStates[l] is the input of layer l (0: the embeddings), and the last entry
   * is the final RMSNorm's output (what the logits are read from), as transformers' output_hidden_states
   */
  hiddenStates: number[][][];
}

/** Options of forward. */
export interface ForwardOptions {
  /** (numLayers, numHeads): 1 keeps a head, 0 removes it (multiplies its attention weights and output) */ headMask?: number[][] | null;
}

/** What one step of the model computed (the internal form: flat buffers, only what was asked for). */
export interface _StepResult {
  /** (L, vocab), or only the last row when lastOnly */ logits: Float64Array;
  attentions: number[][][][] | null;
  hidden: Float64Array[] | null;
}

/** Rows of a flat (n, width) buffer as nested arrays. */
export function _rows(x: Float64Array, width: number): number[][] {
  return Array.from({ length: x.length / width }, (_, i) => Array.from(x.subarray(i * width, (i + 1) * width)));
}

/**
 * Run the model on L new token ids after what the cache holds, and append their keys and values to it.
 * @param c sizes
 * @param w weights
 * @param ids (L,) new token ids (already checked)
 * @param cache keys and values so far
 * @param opts headMask (numLayers, numHeads) or null; lastOnly: logits of the last position only;
 *   trace: also return attentions and hidden states; float32Sums: the decoding path (with trace false): the linear
 *   steps sum in float32 where the weights are float32 in the kernel's memory (linearT, about 1e-6 relative) and
 *   the attention runs on the flat cache; default false: float64, the path the golden checks hold to 1e-9
 */
export function _step(
  c: ChatModelConfig, w: ChatWeights, ids: number[], cache: KVCache,
  opts: { headMask: number[][] | null; lastOnly: boolean; trace: boolean; float32Sums?: boolean },
): _StepResult {
  const { dModel: d, ffnHidden, rmsEps } = c;
  const L = ids.length;
  const f32 = opts.float32Sums ?? false;
  let x = new Float64Array(L * d); // (L, d)
  ids.forEach((id, i) => x.set(w.embedding.subarray(id * d, (id + 1) * d), i * d));
  const hidden: Float64Array[] = [];
  const attentions: number[][][][] = [];
  for (let l = 0; l < c.numLayers; l++) {
    const p = w.layers[l];
    if (opts.trace) hidden.push(x);
    // 1) x + Attention(RMSNorm(x))
    const a = causalSelfAttention(RMSNorm.forward(x, p.attnNorm, L, d, rmsEps).y, p, c, l, cache, opts.headMask?.[l] ?? null, f32 && !opts.trace); // (L, d)
    if (opts.trace) attentions.push(a.weights);
    const x1 = new Float64Array(L * d); // (L, d)
    for (let k = 0; k < x1.length; k++) x1[k] = x[k] + a.y[k];
    // 2) x + W_down·(SiLU(W_gate·n) ⊙ W_up·n), n = RMSNorm(x)
    const n = RMSNorm.forward(x1, p.ffnNorm, L, d, rmsEps).y; // (L, d)
    const gated = SwiGLU.forward(linearT(n, p.wGate, L, d, ffnHidden, f32), linearT(n, p.wUp, L, d, ffnHidden, f32)); // (L, hidden)
    const f = linearT(gated, p.wDown, L, ffnHidden, d, f32); // (L, d)
    x = new Float64Array(L * d); // (L, d)
    for (let k = 0; k < x.length; k++) x[k] = x1[k] + f[k];
  }
  cache.length += L;
  // 3) final RMSNorm and the tied output layer
  const rows = opts.lastOnly ? 1 : L;
  const last = x.subarray((L - rows) * d); // (rows, d)
  const normed = RMSNorm.forward(last, w.finalNorm, rows, d, rmsEps).y; // (rows, d)
  if (opts.trace) hidden.push(opts.lastOnly ? RMSNorm.forward(x, w.finalNorm, L, d, rmsEps).y : normed);
  const logits = linearT(normed, w.embedding, rows, d, c.vocabSize, f32); // (rows, vocab)
  return { logits, attentions: opts.trace ? attentions : null, hidden: opts.trace ? hidden : null };
}
