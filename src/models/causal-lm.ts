/**
 * A causal language model built only from src/blocks: token embedding (+ learned positions), N layers of
 * [LayerNorm →] causal self-attention → residual [→ LayerNorm → feed-forward → residual], a final
 * [LayerNorm →] linear read-out to the vocabulary, and next-token cross-entropy at every position.
 * Attention-only with feedForward: 0 (the two-layer model of Olsson et al. 2022's induction heads).
 *
 * Dependencies: Embedding, LearnedPositions, LayerNorm, Attention, Residual, FeedForward, Linear,
 * CrossEntropy (src/blocks), _initTheta, mulberry32 (sampling), softmaxRows, _validateOptions.
 */
import { _describe } from "../math/_describe";
import { Attention, AttentionCache, AttentionParams } from "../blocks/attention";
import type { Activation } from "../blocks/activation";
import { CrossEntropy } from "../blocks/cross-entropy";
import { Embedding, LearnedPositions } from "../blocks/embedding";
import { FeedForward, FeedForwardCache, FeedForwardParams } from "../blocks/feed-forward";
import { LayerNorm, LayerNormCache, LayerNormParams } from "../blocks/layer-norm";
import { Linear, LinearParams } from "../blocks/linear";
import { Residual } from "../blocks/residual";
import { _checkedLater, _isBoolean, _isOneOf, _isSafeInteger, _validateOptions } from "../math/_validate";
import { mulberry32 } from "../math/random";
import { softmaxRows } from "../math/softmax";
import type { Matrix } from "../math/trace";
import { _checkTheta, _initTheta, _layout, _Layout, _Slot, _view } from "./_params";

import { _checkLayerMasks, _checkSequences, _positiveInt } from "./_check";

/** Options of CausalLM.random. */
export interface CausalLMOptions {
  /** tokens 0 … vocab − 1 */ vocab: number;
  /** the longest sequence the model reads (the learned positions' rows) */ contextLength: number;
  dModel: number;
  numHeads: number;
  /** default 2 */ numLayers?: number;
  /** the feed-forward block's hidden width; 0 = attention-only (default 0) */ feedForward?: number;
  /** the feed-forward's activation (default "gelu") */ activation?: Activation;
  /** LayerNorm before each sub-layer and before the read-out (default true) */ layerNorm?: boolean;
  /** "learned" (default) or "none": then only the causal mask tells positions apart */ positions?: "learned" | "none";
  /** biases in the attention projections (default false) */ bias?: boolean;
  /** default 0 */ seed?: number;
}

/** The resolved sizes and switches of a CausalLM. */
export interface CausalLMConfig {
  vocab: number;
  contextLength: number;
  dModel: number;
  numHeads: number;
  numLayers: number;
  feedForward: number;
  activation: Activation;
  layerNorm: boolean;
  positions: "learned" | "none";
  bias: boolean;
}

/** Options of forward and evaluate: heads removed. Masks are (numLayers, numHeads): 1 keeps a head, 0 removes it. */
export interface CausalLMRunOptions {
  /** removes a head's output everywhere (ablation) */ headMask?: number[][];
  /**
   * removes a head's output only from the stream that LATER layers' keys read (queries, values and the
   * residual stream keep it): composition through the keys (K-composition)
   */
  keyHeadMask?: number[][];
}

/** What forward computed for one sequence. */
export interface CausalLMTrace {
  /** (L,) */ tokens: number[];
  /** (L, vocab) the prediction of the NEXT token at every position */ logits: Matrix;
  /** (numLayers, numHeads, L, L) attention weights: attentions[0][1] is layer 1, head 2 */ attentions: Matrix[][];
  /** (L − 1,) −log p(token i+1 | tokens 0 … i) */ losses: number[];
  /** mean of losses */ loss: number;
}

/** What lossAndGrad and evaluate report for a batch. */
export interface CausalLMLoss {
  /** mean next-token cross-entropy over every position of every sequence */ loss: number;
  /** fraction of next tokens predicted right (argmax) */ accuracy: number;
  /** (L − 1,) mean loss at position i (predicting token i + 1) over the sequences */ positionLoss: number[];
  /** (B, L − 1) the loss of every prediction of every sequence */ losses: number[][];
}

/** Options of generate. */
export interface GenerateOptions {
  /** how many tokens to add (a positive integer) */ maxNewTokens: number;
  /** false (default): greedy, the most likely token each time; true: draw from softmax(logits / temperature) */ sample?: boolean;
  /** > 0 (default 1) with sample: below 1 sharper, above 1 flatter */ temperature?: number;
  /** with sample: draw only among the k most likely tokens (1 … vocab) */ topK?: number;
  /** the sampling seed (default 0): the same seed gives the same tokens */ seed?: number;
}

/** What generate returns. */
export interface Generation {
  /** the prompt followed by the new tokens */ tokens: number[];
  /** only the new tokens */ newTokens: number[];
}

/** Named views of every parameter in one θ-shaped buffer. */
interface _Params {
  /** (vocab, d) */ embedding: Float64Array;
  /** (contextLength, d) or null */ positions: Float64Array | null;
  layers: { ln1: LayerNormParams | null; attn: AttentionParams; ln2: LayerNormParams | null; ffn: FeedForwardParams | null }[];
  lnF: LayerNormParams | null;
  /** (d, vocab) */ unembed: LinearParams;
}

interface _LayerCache {
  x: Float64Array;
  ln1: LayerNormCache | null;
  attn: AttentionCache;
  mid: Float64Array;
  ln2: LayerNormCache | null;
  ffn: FeedForwardCache | null;
}

interface _Run {
  B: number;
  L: number;
  ids: number[];
  layers: _LayerCache[];
  lnF: LayerNormCache | null;
  /** (B·L, d) what the read-out reads */ hF: Float64Array;
  /** (B·L, vocab) */ logits: Float64Array;
  ce: ReturnType<typeof CrossEntropy.forward>;
}

const _OPTIONS = {
  vocab: _checkedLater, contextLength: _checkedLater, dModel: _checkedLater, numHeads: _checkedLater, numLayers: _checkedLater,
  feedForward: _checkedLater, activation: _isOneOf(["gelu", "relu"]), layerNorm: _isBoolean, positions: _isOneOf(["learned", "none"]),
  bias: _isBoolean, seed: _isSafeInteger,
};

function _slots(c: CausalLMConfig): _Slot[] {
  const { vocab, contextLength, dModel: d, numLayers, feedForward: hid } = c;
  const s: _Slot[] = [{ name: "embedding", shape: [vocab, d] }];
  if (c.positions === "learned") s.push({ name: "positions", shape: [contextLength, d] });
  const norm = (p: string) => (c.layerNorm ? [{ name: `${p}.gamma`, shape: [d] }, { name: `${p}.beta`, shape: [d] }] : []);
  for (let l = 0; l < numLayers; l++) {
    const p = `layers.${l}`;
    s.push(...norm(`${p}.ln1`));
    for (const w of ["wQ", "wK", "wV", "wO"]) s.push({ name: `${p}.attn.${w}`, shape: [d, d] });
    if (c.bias) for (const b of ["bQ", "bK", "bV", "bO"]) s.push({ name: `${p}.attn.${b}`, shape: [d] });
    if (hid > 0) {
      s.push(...norm(`${p}.ln2`));
      s.push({ name: `${p}.ffn.up.w`, shape: [d, hid] }, { name: `${p}.ffn.up.b`, shape: [hid] },
        { name: `${p}.ffn.down.w`, shape: [hid, d] }, { name: `${p}.ffn.down.b`, shape: [d] });
    }
  }
  s.push(...norm("lnF"), { name: "unembed", shape: [d, vocab] });
  return s;
}

/**
 * A causal language model: each position predicts the next token from the tokens up to it.
 *   x⁰_i = E[t_i] (+ P_i);  per layer: x ← x + Attn(LN(x)) (causal), then x ← x + FFN(LN(x)) if it has one;
 *   logits = LN(x)·U;  loss = mean_i −log softmax(logits_i)[t_{i+1}]
 * @example CausalLM.random({ vocab: 5, contextLength: 4, dModel: 8, numHeads: 2 }).forward([0, 1, 2]).logits.length // returns 3
 */
export class CausalLM {
  readonly config: CausalLMConfig;
  /** every trainable number, flat (an optimiser updates it in place) */ readonly theta: Float64Array;
  /** @internal */ readonly _layout: _Layout;
  /** @internal */ readonly _p: _Params;

  /**
   * A model from its config and θ (used as given, not copied).
   * @param config the sizes and switches
   * @param theta (numParams,) in the order of CausalLM.parameterNames(config)
   */
  constructor(config: CausalLMConfig, theta: Float64Array) {
    this.config = config;
    this._layout = _layout(_slots(config));
    _checkTheta("CausalLM", this._layout, theta);
    this.theta = theta;
    this._p = _params(this._layout, config, theta);
  }

  /**
   * A seeded random model: Xavier-uniform matrices, LayerNorm γ = 1 and β = 0, biases 0.
   * @param options { vocab, contextLength, dModel, numHeads, numLayers = 2, feedForward = 0, activation, layerNorm = true, positions = "learned", bias = false, seed = 0 }
   * @example CausalLM.random({ vocab: 5, contextLength: 4, dModel: 8, numHeads: 2, numLayers: 1 }).numParams // returns 400  (5·8 + 4·8 + 2·8 + 4·64 + 2·8 + 8·5)
   */
  static random(options: CausalLMOptions): CausalLM {
    if (options == null || typeof options !== "object") throw new Error("CausalLM.random needs { vocab, contextLength, dModel, numHeads }");
    _validateOptions("CausalLM.random", options, _OPTIONS, ["vocab", "contextLength", "dModel", "numHeads"]);
    const config: CausalLMConfig = {
      vocab: _positiveInt("vocab", options.vocab, 2), contextLength: _positiveInt("contextLength", options.contextLength, 1),
      dModel: _positiveInt("dModel", options.dModel, 1), numHeads: _positiveInt("numHeads", options.numHeads, 1),
      numLayers: _positiveInt("numLayers", options.numLayers ?? 2, 1), feedForward: _positiveInt("feedForward", options.feedForward ?? 0, 0),
      activation: options.activation ?? "gelu", layerNorm: options.layerNorm ?? true, positions: options.positions ?? "learned",
      bias: options.bias ?? false,
    };
    if (config.dModel % config.numHeads !== 0) {
      throw new Error(`dModel ${config.dModel} is not divisible by numHeads ${config.numHeads}: each head gets dModel/numHeads columns`);
    }
    const theta = _initTheta(_layout(_slots(config)), options.seed ?? 0);
    return new CausalLM(config, theta);
  }

  /** Number of trainable numbers. */
  get numParams(): number {
    return this.theta.length;
  }

  /** The parameter names in θ's order, with their shapes (e.g. "layers.0.attn.wQ" [d, d]). */
  get parameterNames(): { name: string; shape: number[] }[] {
    return this._layout.slots.map((s) => ({ name: s.name, shape: s.shape.slice() }));
  }

  /** A model with a copy of θ. */
  clone(): CausalLM {
    return new CausalLM(this.config, this.theta.slice());
  }

  /**
   * Run one sequence and return every head's attention map, the logits and the next-token losses.
   * @param tokens (L,) ids in 0 … vocab − 1, 1 ≤ L ≤ contextLength
   * @param options { headMask, keyHeadMask } (numLayers, numHeads) each
   * @return { tokens, logits (L, vocab), attentions (numLayers, numHeads, L, L), losses (L − 1,), loss }
   * @example CausalLM.random({ vocab: 5, contextLength: 4, dModel: 8, numHeads: 2 }).forward([0, 1]).attentions[1][0] // returns [[1, 0], [0.60743…, 0.39257…]]
   */
  forward(tokens: number[], options: CausalLMRunOptions = {}): CausalLMTrace {
    _validateOptions("CausalLM.forward", options, { headMask: _checkedLater, keyHeadMask: _checkedLater });
    _checkSequences("CausalLM.forward", "tokens", [tokens], this.config);
    const run = _run(this, [tokens], _checkLayerMasks("CausalLM.forward", options, this.config));
    const { L } = run;
    const { vocab: V, numHeads: h } = this.config;
    const nested = (f: Float64Array, off: number, rows: number, cols: number): Matrix =>
      Array.from({ length: rows }, (_, i) => Array.from(f.subarray(off + i * cols, off + (i + 1) * cols)));
    const losses = Array.from(run.ce.losses.subarray(0, L - 1));
    return {
      tokens: tokens.slice(),
      logits: nested(run.logits, 0, L, V), // (L, vocab)
      attentions: run.layers.map((c) => Array.from({ length: h }, (_, i) => nested(c.attn.weights, i * L * L, L, L))), // (layers, h, L, L)
      losses, loss: run.ce.loss,
    };
  }

  /**
   * Mean next-token loss of a batch, and its gradient ADDED to grad (a θ-shaped buffer) when one is given.
   * @param batch B sequences of equal length L (2 … contextLength)
   * @param grad (numParams,) or null for the loss alone
   * @param options { headMask } (numLayers, numHeads)
   * @return { loss, accuracy, positionLoss (L − 1,), losses (B, L − 1) }
   * @example (illustrative) const g = new Float64Array(model.numParams); model.lossAndGrad(batch, g).loss
   */
  lossAndGrad(batch: number[][], grad: Float64Array | null = null, options: CausalLMRunOptions = {}): CausalLMLoss {
    _validateOptions("CausalLM.lossAndGrad", options, { headMask: _checkedLater, keyHeadMask: _checkedLater });
    _checkSequences("CausalLM.lossAndGrad", "batch", batch, this.config, 2);
    const masks = _checkLayerMasks("CausalLM.lossAndGrad", options, this.config);
    if (grad != null && !(grad instanceof Float64Array && grad.length === this.theta.length)) {
      throw new Error(`CausalLM.lossAndGrad: grad must be a Float64Array of ${this.theta.length} numbers (the model's θ), got ${grad instanceof Float64Array ? grad.length : typeof grad}`);
    }
    if (grad != null && masks.keyHeadMask != null) throw new Error("CausalLM.lossAndGrad: keyHeadMask is an analysis of a trained model; it has no gradient");
    const run = _run(this, batch, masks);
    if (grad != null) _backward(this, run, grad);
    return _summary(run);
  }

  /**
   * Loss, accuracy and per-position loss on many sequences (in batches of 256), without a gradient.
   * @param sequences sequences of equal length (e.g. a task's held-out sequences)
   * @param options { headMask, keyHeadMask }
   * @example (illustrative) model.evaluate(task.sequences(200, 99), { headMask: [[1, 1], [0, 1]] }).positionLoss
   */
  evaluate(sequences: number[][], options: CausalLMRunOptions = {}): CausalLMLoss {
    _validateOptions("CausalLM.evaluate", options, { headMask: _checkedLater, keyHeadMask: _checkedLater });
    _checkSequences("CausalLM.evaluate", "sequences", sequences, this.config, 2);
    const masks = _checkLayerMasks("CausalLM.evaluate", options, this.config);
    let lossSum = 0;
    let accSum = 0;
    let pos: number[] | null = null;
    const losses: number[][] = [];
    for (let i = 0; i < sequences.length; i += 256) {
      const chunk = sequences.slice(i, i + 256);
      const r = _summary(_run(this, chunk, masks));
      lossSum += r.loss * chunk.length;
      accSum += r.accuracy * chunk.length;
      pos = pos == null ? r.positionLoss.map((x) => x * chunk.length) : pos.map((x, j) => x + r.positionLoss[j] * chunk.length);
      losses.push(...r.losses);
    }
    const n = sequences.length;
    return { loss: lossSum / n, accuracy: accSum / n, positionLoss: (pos as number[]).map((x) => x / n), losses };
  }

  /**
   * Continue a prompt one token at a time (nanoGPT's loop): crop to the last contextLength tokens, run,
   * take the last position's logits, then the most likely token (greedy) or a draw from
   * softmax(logits / temperature) among the topK most likely (sample: true, seeded), and append it.
   * @param prompt (P,) token ids, 1 ≤ P ≤ contextLength
   * @param options { maxNewTokens, sample = false, temperature = 1, topK = vocab, seed = 0 }
   * @return { tokens (prompt + new), newTokens }
   * @example CausalLM.random({ vocab: 5, contextLength: 4, dModel: 8, numHeads: 2 }).generate([0, 1], { maxNewTokens: 3 }).tokens.length // returns 5
   * @example CausalLM.random({ vocab: 5, contextLength: 4, dModel: 8, numHeads: 2 }).generate([], { maxNewTokens: 3 }) // throws "CausalLM.generate: prompt must be a non-empty array of token ids, got an empty array"
   */
  generate(prompt: number[], options: GenerateOptions): Generation {
    return _generate(this, prompt, options);
  }
}

const _GENERATE_OPTIONS = {
  maxNewTokens: _checkedLater, sample: _isBoolean, temperature: _checkedLater, topK: _checkedLater, seed: _isSafeInteger,
};

function _generate(model: CausalLM, prompt: number[], options: GenerateOptions): Generation {
  const where = "CausalLM.generate";
  if (options == null || typeof options !== "object") throw new Error(`${where} needs options { maxNewTokens }, got ${_describe(options)}`);
  _validateOptions(where, options, _GENERATE_OPTIONS, ["maxNewTokens"]);
  const { vocab: V, contextLength } = model.config;
  const n = options.maxNewTokens;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 1) throw new Error(`${where}: maxNewTokens must be a positive integer, got ${_describe(n)}`);
  const sample = options.sample ?? false;
  const temperature = options.temperature ?? 1;
  if (typeof temperature !== "number" || !Number.isFinite(temperature) || (sample && temperature <= 0)) {
    throw new Error(`${where}: temperature must be a finite number > 0 when sampling, got ${_describe(temperature)}; for the most likely token every time, use sample: false (greedy)`);
  }
  if (!sample && (options.temperature != null || options.topK != null)) {
    throw new Error(`${where}: ${options.temperature != null ? "temperature" : "topK"} only applies with sample: true (greedy takes the most likely token)`);
  }
  const topK = options.topK ?? V;
  if (typeof topK !== "number" || !Number.isInteger(topK) || topK < 1 || topK > V) throw new Error(`${where}: topK must be an integer in 1…${V} (the vocab), got ${_describe(topK)}`);
  _checkSequences(where, "prompt", [prompt], model.config);
  const rand = mulberry32(options.seed ?? 0);
  const tokens = prompt.slice();
  for (let k = 0; k < n; k++) {
    const context = tokens.slice(-contextLength); // crop to the last contextLength tokens
    const run = _run(model, [context], { headMask: null, keyHeadMask: null });
    const last = Array.from(run.logits.subarray((context.length - 1) * V, context.length * V)); // (vocab,) the next token's logits
    let next = 0;
    if (!sample) {
      for (let t = 1; t < V; t++) if (last[t] > last[next]) next = t;
    } else {
      const kth = last.slice().sort((a, b) => b - a)[topK - 1];
      const p = softmaxRows([last.map((z) => (z >= kth ? z / temperature : -Infinity))], "logits")[0]; // (vocab,)
      let u = rand();
      next = p.length - 1;
      for (let t = 0; t < p.length; t++) {
        u -= p[t];
        if (u < 0) { next = t; break; }
      }
    }
    tokens.push(next);
  }
  return { tokens, newTokens: tokens.slice(prompt.length) };
}

function _params(layout: _Layout, c: CausalLMConfig, buf: Float64Array): _Params {
  const v = (name: string) => _view(layout, buf, name);
  const norm = (p: string): LayerNormParams | null => (c.layerNorm ? { gamma: v(`${p}.gamma`), beta: v(`${p}.beta`) } : null);
  const b = (name: string) => (c.bias ? v(name) : null);
  return {
    embedding: v("embedding"), positions: c.positions === "learned" ? v("positions") : null,
    layers: Array.from({ length: c.numLayers }, (_, l) => {
      const p = `layers.${l}`;
      return {
        ln1: norm(`${p}.ln1`),
        attn: {
          wQ: v(`${p}.attn.wQ`), wK: v(`${p}.attn.wK`), wV: v(`${p}.attn.wV`), wO: v(`${p}.attn.wO`),
          bQ: b(`${p}.attn.bQ`), bK: b(`${p}.attn.bK`), bV: b(`${p}.attn.bV`), bO: b(`${p}.attn.bO`),
        },
        ln2: c.feedForward > 0 ? norm(`${p}.ln2`) : null,
        ffn: c.feedForward > 0 ? {
          up: { w: v(`${p}.ffn.up.w`), b: v(`${p}.ffn.up.b`) }, down: { w: v(`${p}.ffn.down.w`), b: v(`${p}.ffn.down.b`) },
        } : null,
      };
    }),
    lnF: norm("lnF"), unembed: { w: v("unembed"), b: null },
  };
}

/** The forward pass of a checked batch, keeping every block's cache. */
function _run(model: CausalLM, batch: number[][], masks: { headMask: Float64Array[] | null; keyHeadMask: Float64Array[] | null }): _Run {
  const { dModel: d, numHeads: h, vocab: V, feedForward: hid, activation } = model.config;
  const P = model._p;
  const B = batch.length;
  const L = batch[0].length;
  const n = B * L;
  const ids = batch.flat(); // (B·L,)
  // 1) embeddings: x = E[t] (+ P)
  let x = Embedding.forward(ids, P.embedding, d); // (B·L, d)
  if (P.positions) LearnedPositions.forward(x, P.positions, B, L, d);
  // removed: what keyHeadMask takes out of the stream later layers' keys read (Σ of the removed heads' outputs)
  let removed: Float64Array | null = null;
  const layers: _LayerCache[] = [];
  P.layers.forEach((lp, l) => {
    // 2) x ← x + Attn(LN(x)), causal
    const ln1 = lp.ln1 ? LayerNorm.forward(x, lp.ln1, n, d) : null;
    const hIn = ln1 ? ln1.y : x; // (B·L, d)
    let keys: Float64Array | undefined;
    if (removed != null) {
      const xk = Residual.forward(x, removed.map((r) => -r)); // (B·L, d) the stream without the removed heads
      keys = lp.ln1 ? LayerNorm.forward(xk, lp.ln1, n, d).y : xk;
    }
    const headMask = masks.headMask?.[l] ?? null;
    const attn = Attention.forward(hIn, lp.attn, B, L, d, h, { causal: true, headMask, keys });
    const keyMask = masks.keyHeadMask?.[l];
    if (keyMask != null && keyMask.some((g) => g !== 1)) {
      const kept = Attention.forward(hIn, lp.attn, B, L, d, h, {
        causal: true, keys, headMask: keyMask.map((g, i) => g * (headMask == null ? 1 : headMask[i])),
      }).y; // (B·L, d) this layer's output without the key-ablated heads
      const r: Float64Array = removed ?? new Float64Array(n * d);
      for (let k = 0; k < r.length; k++) r[k] += attn.y[k] - kept[k];
      removed = r;
    }
    const mid = Residual.forward(x, attn.y); // (B·L, d)
    // 3) x ← x + FFN(LN(x))
    let ln2: LayerNormCache | null = null;
    let ffn: FeedForwardCache | null = null;
    let out = mid;
    if (lp.ffn) {
      ln2 = lp.ln2 ? LayerNorm.forward(mid, lp.ln2, n, d) : null;
      ffn = FeedForward.forward(ln2 ? ln2.y : mid, lp.ffn, n, d, hid, activation);
      out = Residual.forward(mid, ffn.y); // (B·L, d)
    }
    layers.push({ x, ln1, attn, mid, ln2, ffn });
    x = out;
  });
  // 4) read-out and next-token cross-entropy (the last position has no next token: not scored)
  const lnF = P.lnF ? LayerNorm.forward(x, P.lnF, n, d) : null;
  const hF = lnF ? lnF.y : x; // (B·L, d)
  const logits = Linear.forward(hF, P.unembed, n, d, V); // (B·L, vocab)
  const targets = batch.flatMap((s) => s.map((_, i) => (i + 1 < L ? s[i + 1] : -1))); // (B·L,)
  return { B, L, ids, layers, lnF, hF, logits, ce: CrossEntropy.forward(logits, targets, n, V) };
}

/** The backward pass of _run: ∂loss/∂θ ADDED to grad. */
function _backward(model: CausalLM, run: _Run, grad: Float64Array): void {
  const { dModel: d, numHeads: h, vocab: V, feedForward: hid, activation } = model.config;
  const P = model._p;
  const G = _params(model._layout, model.config, grad);
  const { B, L } = run;
  const n = B * L;
  void h;
  const dLogits = CrossEntropy.backward(run.ce, n, V); // (B·L, vocab)
  const dHF = Linear.backward(run.hF, P.unembed, dLogits, G.unembed, n, d, V); // (B·L, d)
  let dx = run.lnF ? LayerNorm.backward(run.lnF, P.lnF!, dHF, G.lnF!, n, d) : dHF;
  for (let l = P.layers.length - 1; l >= 0; l--) {
    const lp = P.layers[l];
    const gp = G.layers[l];
    const c = run.layers[l];
    if (lp.ffn && c.ffn) {
      const dIn = FeedForward.backward(c.ffn, lp.ffn, dx, gp.ffn!, n, d, hid, activation); // (B·L, d)
      dx = Residual.backward(dx, c.ln2 ? LayerNorm.backward(c.ln2, lp.ln2!, dIn, gp.ln2!, n, d) : dIn);
    }
    const dIn = Attention.backward(c.attn, lp.attn, dx, gp.attn).dX; // (B·L, d)
    dx = Residual.backward(dx, c.ln1 ? LayerNorm.backward(c.ln1, lp.ln1!, dIn, gp.ln1!, n, d) : dIn);
  }
  Embedding.backward(run.ids, dx, G.embedding, d);
  if (G.positions) LearnedPositions.backward(dx, G.positions, B, L, d);
}

function _summary(run: _Run): CausalLMLoss {
  const { B, L, ce } = run;
  const positionLoss = Array.from({ length: L - 1 }, (_, i) => {
    let s = 0;
    for (let b = 0; b < B; b++) s += ce.losses[b * L + i];
    return s / B;
  });
  const losses = Array.from({ length: B }, (_, b) => Array.from(ce.losses.subarray(b * L, b * L + L - 1)));
  return { loss: ce.loss, accuracy: ce.count === 0 ? 0 : ce.correct / ce.count, positionLoss, losses };
}
