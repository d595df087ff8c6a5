/**
 * An encoder–decoder Transformer (Vaswani et al. 2017, pre-LN) built only from src/blocks, with the three roles
 * of multi-head attention side by side:
 *   encoder layer:  x ← x + SelfAttn(LN(x));                    x ← x + FFN(LN(x))
 *   decoder layer:  y ← y + CausalSelfAttn(LN(y));  y ← y + CrossAttn(LN(y), memory);  y ← y + FFN(LN(y))
 * memory = LN(encoder output); logits = LN(decoder output)·U. Trained with teacher forcing: the decoder reads the
 * whole target [BOS y₁ … yₙ EOS PAD …] and every position predicts the next token; PAD targets are not scored.
 * Pre-LN (LayerNorm before each sub-layer, as CausalLM and GPT-2), not the paper's post-LN: it trains without warm-up.
 *
 * Token conventions: in both vocabularies id 0 is PAD; in the target vocabulary id 1 is BOS and id 2 is EOS.
 * Source padding is masked, as PyTorch's src_key_padding_mask and memory_key_padding_mask do: no query of the
 * encoder's self-attention or of cross-attention attends to a source PAD, so a source's padding changes nothing.
 *
 * Dependencies: Embedding, LearnedPositions, LayerNorm, Attention, Residual, FeedForward, Linear, CrossEntropy
 * (src/blocks), _initTheta, _validateOptions, _checkSequences, _checkLayerMasks.
 */
import { _describe } from "../math/_describe";
import { Attention, AttentionCache, AttentionParams } from "../blocks/attention";
import type { Scoring } from "../math/fast/flat-attention";
import type { Activation } from "../blocks/activation";
import { CrossEntropy } from "../blocks/cross-entropy";
import { Embedding, LearnedPositions } from "../blocks/embedding";
import { FeedForward, FeedForwardCache, FeedForwardParams } from "../blocks/feed-forward";
import { LayerNorm, LayerNormCache, LayerNormParams } from "../blocks/layer-norm";
import { Linear, LinearParams } from "../blocks/linear";
import { Residual } from "../blocks/residual";
import { _checkedLater, _isOneOf, _isSafeInteger, _validateOptions } from "../math/_validate";
import type { Matrix } from "../math/trace";
import { _checkLayerMasks, _checkSequences, _positiveInt } from "./_check";
import { _checkTheta, _initTheta, _layout, _Layout, _Slot, _view } from "./_params";

/** How each head scores a query against a key: "dot" q·k/√dK, or "additive" wᵀ tanh(q + k) (Bahdanau). */
export type { Scoring };

/** Target-vocabulary ids with a fixed meaning (PAD is 0 in the source vocabulary too). */
export const PAD = 0;
export const BOS = 1;
export const EOS = 2;

/** Options of EncoderDecoder.random. */
export interface EncoderDecoderOptions {
  /** source ids 0 … sourceVocab − 1 (0 = PAD) */ sourceVocab: number;
  /** target ids 0 … targetVocab − 1 (0 = PAD, 1 = BOS, 2 = EOS) */ targetVocab: number;
  /** the longest source (rows of the source positions) */ sourceLength: number;
  /** the longest target sequence the decoder reads, BOS and EOS included */ targetLength: number;
  dModel: number;
  numHeads: number;
  /** default 1 */ encoderLayers?: number;
  /** default 1 */ decoderLayers?: number;
  /** the feed-forward's hidden width, 0 = none (default 4·dModel) */ feedForward?: number;
  /** default "relu" */ activation?: Activation;
  /** every attention block's scoring (default "dot") */ scoring?: Scoring;
  /** default 0 */ seed?: number;
}

/** The resolved sizes of an EncoderDecoder. */
export interface EncoderDecoderConfig {
  sourceVocab: number;
  targetVocab: number;
  sourceLength: number;
  targetLength: number;
  dModel: number;
  numHeads: number;
  encoderLayers: number;
  decoderLayers: number;
  feedForward: number;
  activation: Activation;
  scoring: Scoring;
}

/** A batch: B sources (each of one length S) and B targets (each of one length T, starting with BOS). */
export interface Seq2SeqBatch {
  /** (B, S) */ sources: number[][];
  /** (B, T) [BOS y₁ … yₙ EOS PAD …] */ targets: number[][];
}

/** Heads removed, one mask per role, each (layers, numHeads): 1 keeps a head, 0 removes its output. */
export interface EncoderDecoderRunOptions {
  /** (encoderLayers, numHeads) */ encoderHeadMask?: number[][];
  /** (decoderLayers, numHeads) the causal self-attention */ decoderHeadMask?: number[][];
  /** (decoderLayers, numHeads) the encoder–decoder attention */ crossHeadMask?: number[][];
}

/** Every head's attention weights in the three roles. */
export interface EncoderDecoderAttentions {
  /** (encoderLayers, numHeads, S, S) */ encoder: Matrix[][];
  /** (decoderLayers, numHeads, T, T) causal */ decoder: Matrix[][];
  /** (decoderLayers, numHeads, T, S): row t = target position t, column s = source position s */ cross: Matrix[][];
}

/** What forward computed for one pair. */
export interface EncoderDecoderTrace {
  /** (S,) */ source: number[];
  /** (T,) */ target: number[];
  /** (T, targetVocab) row t predicts target[t + 1] */ logits: Matrix;
  attentions: EncoderDecoderAttentions;
  /** (T − 1,) −log p(target[t + 1] | source, target[0 … t]); NaN where target[t + 1] is PAD */ losses: number[];
  /** mean of the scored losses */ loss: number;
}

/** What lossAndGrad and evaluate report. */
export interface Seq2SeqLoss {
  /** mean cross-entropy over the scored target tokens */ loss: number;
  /** fraction of scored target tokens predicted right (argmax, teacher forcing) */ accuracy: number;
  /** fraction of sentences with every scored token right (teacher forcing) */ sentenceAccuracy: number;
}

/** One greedy translation. */
export interface Translation {
  /** the decoder's sequence: BOS, the words, then EOS if it stopped by itself */ tokens: number[];
  /** the words alone (no BOS, no EOS) */ words: number[];
  /** whether EOS came before targetLength ran out */ finished: boolean;
}

interface _Params {
  srcEmbedding: Float64Array; srcPositions: Float64Array; tgtEmbedding: Float64Array; tgtPositions: Float64Array;
  encoder: { ln1: LayerNormParams; attn: AttentionParams; ln2: LayerNormParams | null; ffn: FeedForwardParams | null }[];
  encF: LayerNormParams;
  decoder: {
    ln1: LayerNormParams; self: AttentionParams; ln2: LayerNormParams; cross: AttentionParams;
    ln3: LayerNormParams | null; ffn: FeedForwardParams | null;
  }[];
  decF: LayerNormParams;
  /** (d, targetVocab) */ unembed: LinearParams;
}

interface _FfnCache { ln: LayerNormCache; ffn: FeedForwardCache }
interface _Enc {
  B: number; S: number; ids: number[];
  /** (B·S,) 1 where the source token is PAD */ keyPadding: Uint8Array;
  layers: { ln1: LayerNormCache; attn: AttentionCache; ffn: _FfnCache | null }[]; encF: LayerNormCache;
}
interface _Dec {
  T: number; ids: number[];
  layers: { ln1: LayerNormCache; self: AttentionCache; ln2: LayerNormCache; cross: AttentionCache; ffn: _FfnCache | null }[];
  decF: LayerNormCache; logits: Float64Array; ce: ReturnType<typeof CrossEntropy.forward>;
}
interface _Masks { encoder: Float64Array[] | null; decoder: Float64Array[] | null; cross: Float64Array[] | null }

const _OPTIONS = {
  sourceVocab: _checkedLater, targetVocab: _checkedLater, sourceLength: _checkedLater, targetLength: _checkedLater,
  dModel: _checkedLater, numHeads: _checkedLater, encoderLayers: _checkedLater, decoderLayers: _checkedLater,
  feedForward: _checkedLater, activation: _isOneOf(["gelu", "relu"]), scoring: _isOneOf(["dot", "additive"]), seed: _isSafeInteger,
};
const _RUN_OPTIONS = { encoderHeadMask: _checkedLater, decoderHeadMask: _checkedLater, crossHeadMask: _checkedLater };

function _attnSlots(p: string, c: EncoderDecoderConfig): _Slot[] {
  const d = c.dModel;
  const s: _Slot[] = ["wQ", "wK", "wV", "wO"].map((w) => ({ name: `${p}.${w}`, shape: [d, d] }));
  if (c.scoring === "additive") s.push({ name: `${p}.wA`, shape: [c.numHeads, d / c.numHeads] });
  return s;
}

function _slots(c: EncoderDecoderConfig): _Slot[] {
  const d = c.dModel;
  const hid = c.feedForward;
  const norm = (p: string): _Slot[] => [{ name: `${p}.gamma`, shape: [d] }, { name: `${p}.beta`, shape: [d] }];
  const ffn = (p: string, ln: string): _Slot[] => (hid > 0 ? [...norm(`${p}.${ln}`),
    { name: `${p}.ffn.up.w`, shape: [d, hid] }, { name: `${p}.ffn.up.b`, shape: [hid] },
    { name: `${p}.ffn.down.w`, shape: [hid, d] }, { name: `${p}.ffn.down.b`, shape: [d] }] : []);
  const s: _Slot[] = [
    { name: "source.embedding", shape: [c.sourceVocab, d] }, { name: "source.positions", shape: [c.sourceLength, d] },
    { name: "target.embedding", shape: [c.targetVocab, d] }, { name: "target.positions", shape: [c.targetLength, d] },
  ];
  for (let l = 0; l < c.encoderLayers; l++) {
    const p = `encoder.${l}`;
    s.push(...norm(`${p}.ln1`), ..._attnSlots(`${p}.attn`, c), ...ffn(p, "ln2"));
  }
  s.push(...norm("encoder.lnF"));
  for (let l = 0; l < c.decoderLayers; l++) {
    const p = `decoder.${l}`;
    s.push(...norm(`${p}.ln1`), ..._attnSlots(`${p}.self`, c), ...norm(`${p}.ln2`), ..._attnSlots(`${p}.cross`, c), ...ffn(p, "ln3"));
  }
  s.push(...norm("decoder.lnF"), { name: "unembed", shape: [d, c.targetVocab] });
  return s;
}

/**
 * An encoder–decoder Transformer: the encoder reads the source, the decoder writes the target one token at a
 * time, reading the source through cross-attention.
 *   memory = LN(Encoder(E_s[src] + P_s));   logits_t = LN(Decoder(E_t[tgt] + P_t, memory))_t · U
 *   loss = mean over t with tgt[t+1] ≠ PAD of −log softmax(logits_t)[tgt[t+1]]
 * @example EncoderDecoder.random({ sourceVocab: 6, targetVocab: 7, sourceLength: 4, targetLength: 5, dModel: 8, numHeads: 2 }).forward([3, 4, 5], [1, 3, 2]).attentions.cross[0][1].length // returns 3
 */
export class EncoderDecoder {
  readonly config: EncoderDecoderConfig;
  /** every trainable number, flat (an optimiser updates it in place) */ readonly theta: Float64Array;
  /** @internal */ readonly _layout: _Layout;
  /** @internal */ readonly _p: _Params;

  /**
   * A model from its config and θ (used as given, not copied).
   * @param config the sizes
   * @param theta (numParams,) in the order of parameterNames
   */
  constructor(config: EncoderDecoderConfig, theta: Float64Array) {
    this.config = config;
    this._layout = _layout(_slots(config));
    _checkTheta("EncoderDecoder", this._layout, theta);
    this.theta = theta;
    this._p = _params(this._layout, config, theta);
  }

  /**
   * A seeded random model: Xavier-uniform matrices (wA too), LayerNorm γ = 1, β = 0, biases 0.
   * @param options { sourceVocab, targetVocab, sourceLength, targetLength, dModel, numHeads, encoderLayers = 1, decoderLayers = 1, feedForward = 4·dModel, activation = "relu", scoring = "dot", seed = 0 }
   * @example EncoderDecoder.random({ sourceVocab: 6, targetVocab: 7, sourceLength: 4, targetLength: 5, dModel: 8, numHeads: 2, feedForward: 0 }).numParams // returns 1080  (embeddings 176, encoder 272 + 16, decoder 544 + 16, read-out 56)
   */
  static random(options: EncoderDecoderOptions): EncoderDecoder {
    const where = "EncoderDecoder.random";
    if (options == null || typeof options !== "object") throw new Error(`${where} needs { sourceVocab, targetVocab, sourceLength, targetLength, dModel, numHeads }, got ${_describe(options)}`);
    _validateOptions(where, options, _OPTIONS, ["sourceVocab", "targetVocab", "sourceLength", "targetLength", "dModel", "numHeads"]);
    const dModel = _positiveInt("dModel", options.dModel, 1);
    const config: EncoderDecoderConfig = {
      sourceVocab: _positiveInt("sourceVocab", options.sourceVocab, 2), targetVocab: _positiveInt("targetVocab", options.targetVocab, 4),
      sourceLength: _positiveInt("sourceLength", options.sourceLength, 1), targetLength: _positiveInt("targetLength", options.targetLength, 2),
      dModel, numHeads: _positiveInt("numHeads", options.numHeads, 1),
      encoderLayers: _positiveInt("encoderLayers", options.encoderLayers ?? 1, 1), decoderLayers: _positiveInt("decoderLayers", options.decoderLayers ?? 1, 1),
      feedForward: _positiveInt("feedForward", options.feedForward ?? 4 * dModel, 0), activation: options.activation ?? "relu",
      scoring: options.scoring ?? "dot",
    };
    if (dModel % config.numHeads !== 0) throw new Error(`dModel ${dModel} is not divisible by numHeads ${config.numHeads}: each head gets dModel/numHeads columns`);
    const theta = _initTheta(_layout(_slots(config)), options.seed ?? 0);
    return new EncoderDecoder(config, theta);
  }

  /** Number of trainable numbers. */
  get numParams(): number {
    return this.theta.length;
  }

  /** The parameter names in θ's order, with their shapes (e.g. "decoder.0.cross.wQ" [d, d]). */
  get parameterNames(): { name: string; shape: number[] }[] {
    return this._layout.slots.map((s) => ({ name: s.name, shape: s.shape.slice() }));
  }

  /** A model with a copy of θ. */
  clone(): EncoderDecoder {
    return new EncoderDecoder(this.config, this.theta.slice());
  }

  /**
   * Run one pair with teacher forcing; return every head's maps in the three roles, the logits and the losses.
   * @param source (S,) source ids, S ≤ sourceLength
   * @param target (T,) [BOS y₁ … EOS PAD …], T ≤ targetLength
   * @param options { encoderHeadMask, decoderHeadMask, crossHeadMask }
   * @return { source, target, logits (T, targetVocab), attentions { encoder, decoder, cross }, losses (T − 1,), loss }
   * @example EncoderDecoder.random({ sourceVocab: 6, targetVocab: 7, sourceLength: 4, targetLength: 5, dModel: 8, numHeads: 2 }).forward([3, 9], [1, 2]) // throws "EncoderDecoder.forward: source[1] is 9, not a token id in 0…5 (the model's source vocab is 6)"
   */
  forward(source: number[], target: number[], options: EncoderDecoderRunOptions = {}): EncoderDecoderTrace {
    const where = "EncoderDecoder.forward";
    _validateOptions(where, options, _RUN_OPTIONS);
    _checkBatch(where, { sources: [source], targets: [target] }, this.config, "pair");
    const masks = _checkMasks(where, options, this.config);
    const enc = _encode(this, [source], masks);
    const dec = _decode(this, enc, [target], masks);
    const { T } = dec;
    const V = this.config.targetVocab;
    return {
      source: source.slice(), target: target.slice(),
      logits: _nested(dec.logits, 0, T, V), // (T, targetVocab)
      attentions: _attentionsOf(enc, dec, 0, this.config.numHeads),
      losses: Array.from(dec.ce.losses.subarray(0, T - 1)), loss: dec.ce.loss,
    };
  }

  /**
   * Every head's maps in the three roles for a whole batch, in one batched pass (teacher forcing).
   * @param batch { sources (B, S), targets (B, T) }
   * @param options head masks
   * @return (B,) the maps of each pair, as forward(source, target).attentions
   * @example EncoderDecoder.random({ sourceVocab: 6, targetVocab: 7, sourceLength: 4, targetLength: 5, dModel: 8, numHeads: 2 }).attentions({ sources: [[3, 4], [5, 5]], targets: [[1, 3], [1, 4]] })[1].cross[0][0].length // returns 2
   */
  attentions(batch: Seq2SeqBatch, options: EncoderDecoderRunOptions = {}): EncoderDecoderAttentions[] {
    const where = "EncoderDecoder.attentions";
    _validateOptions(where, options, _RUN_OPTIONS);
    _checkBatch(where, batch, this.config, "sources");
    const masks = _checkMasks(where, options, this.config);
    const enc = _encode(this, batch.sources, masks);
    const dec = _decode(this, enc, batch.targets, masks);
    return batch.sources.map((_, b) => _attentionsOf(enc, dec, b, this.config.numHeads));
  }

  /**
   * Mean loss of a batch (teacher forcing), and its gradient ADDED to grad when one is given.
   * @param batch { sources (B, S), targets (B, T) }, T ≥ 2
   * @param grad (numParams,) or null for the loss alone
   * @param options head masks (see EncoderDecoderRunOptions)
   * @return { loss, accuracy, sentenceAccuracy }
   * @example (illustrative) const g = new Float64Array(model.numParams); model.lossAndGrad(task.batch(32), g).loss
   */
  lossAndGrad(batch: Seq2SeqBatch, grad: Float64Array | null = null, options: EncoderDecoderRunOptions = {}): Seq2SeqLoss {
    const where = "EncoderDecoder.lossAndGrad";
    _validateOptions(where, options, _RUN_OPTIONS);
    _checkBatch(where, batch, this.config);
    const masks = _checkMasks(where, options, this.config);
    if (grad != null && !(grad instanceof Float64Array && grad.length === this.theta.length)) {
      throw new Error(`${where}: grad must be a Float64Array of ${this.theta.length} numbers (the model's θ), got ${grad instanceof Float64Array ? grad.length : _describe(grad)}`);
    }
    const enc = _encode(this, batch.sources, masks);
    const dec = _decode(this, enc, batch.targets, masks);
    if (grad != null) _backward(this, enc, dec, grad);
    return _summary(dec, batch.sources.length);
  }

  /**
   * Loss and accuracies on many pairs (in batches of 256), without a gradient.
   * @param batch { sources, targets } (e.g. a task's held-out pairs)
   * @param options head masks
   * @example (illustrative) model.evaluate(task.heldOut(200), { crossHeadMask: [[0, 1]] }).accuracy
   */
  evaluate(batch: Seq2SeqBatch, options: EncoderDecoderRunOptions = {}): Seq2SeqLoss {
    const where = "EncoderDecoder.evaluate";
    _validateOptions(where, options, _RUN_OPTIONS);
    _checkBatch(where, batch, this.config);
    const masks = _checkMasks(where, options, this.config);
    let loss = 0, right = 0, count = 0, sentences = 0;
    for (let i = 0; i < batch.sources.length; i += 256) {
      const sources = batch.sources.slice(i, i + 256);
      const dec = _decode(this, _encode(this, sources, masks), batch.targets.slice(i, i + 256), masks);
      loss += dec.ce.loss * dec.ce.count;
      right += dec.ce.correct;
      count += dec.ce.count;
      sentences += _summary(dec, sources.length).sentenceAccuracy * sources.length;
    }
    return { loss: count === 0 ? 0 : loss / count, accuracy: count === 0 ? 0 : right / count, sentenceAccuracy: sentences / batch.sources.length };
  }

  /**
   * Greedy decoding of new sources: the encoder runs once; then, from [BOS], the decoder reruns on the whole
   * prefix, the most likely next token is appended, until EOS or targetLength tokens.
   * @param sources (B, S) source ids (one length, padded as in training)
   * @param options head masks
   * @return one Translation per source
   * @example EncoderDecoder.random({ sourceVocab: 6, targetVocab: 7, sourceLength: 4, targetLength: 5, dModel: 8, numHeads: 2 }).translate([[3, 4]])[0].tokens[0] // returns 1
   */
  translate(sources: number[][], options: EncoderDecoderRunOptions = {}): Translation[] {
    const where = "EncoderDecoder.translate";
    _validateOptions(where, options, _RUN_OPTIONS);
    _checkBatch(where, { sources, targets: Array.isArray(sources) ? sources.map(() => [BOS]) : [] }, this.config, "sources");
    const masks = _checkMasks(where, options, this.config);
    const V = this.config.targetVocab;
    const enc = _encode(this, sources, masks);
    const seqs = sources.map(() => [BOS]);
    const done = sources.map(() => false);
    while (seqs[0].length < this.config.targetLength && done.some((x) => !x)) {
      const dec = _decode(this, enc, seqs, masks);
      const t = seqs[0].length - 1; // the last position predicts the next token
      seqs.forEach((seq, b) => {
        let next = 0;
        const o = (b * seq.length + t) * V;
        for (let v = 1; v < V; v++) if (dec.logits[o + v] > dec.logits[o + next]) next = v;
        seq.push(done[b] ? PAD : next);
        if (next === EOS) done[b] = true;
      });
    }
    return seqs.map((seq, b) => {
      const end = seq.indexOf(EOS);
      const tokens = end < 0 ? seq : seq.slice(0, end + 1);
      return { tokens, words: tokens.slice(1).filter((t) => t !== EOS), finished: done[b] };
    });
  }
}

/** Rows r … r + rows − 1 of a flat (·, cols) buffer from offset off, as nested arrays. */
function _nested(f: Float64Array, off: number, rows: number, cols: number): Matrix {
  return Array.from({ length: rows }, (_, i) => Array.from(f.subarray(off + i * cols, off + (i + 1) * cols)));
}

/** Pair b's maps in the three roles, out of the batch's (B, h, L, K) weights. */
function _attentionsOf(enc: _Enc, dec: _Dec, b: number, h: number): EncoderDecoderAttentions {
  const { S } = enc;
  const { T } = dec;
  const maps = (c: AttentionCache, L: number, K: number) => Array.from({ length: h }, (_, i) => _nested(c.weights, (b * h + i) * L * K, L, K)); // h × (L, K)
  return {
    encoder: enc.layers.map((c) => maps(c.attn, S, S)), // (layers, h, S, S)
    decoder: dec.layers.map((c) => maps(c.self, T, T)), // (layers, h, T, T)
    cross: dec.layers.map((c) => maps(c.cross, T, S)), // (layers, h, T, S)
  };
}

/** Rethrow a shared checker's error in this model's words (e.g. "(contextLength)" → "(sourceLength)"). */
function _inWords<T>(f: () => T, words: [string, string][]): T {
  try {
    return f();
  } catch (e) {
    const err = e as Error;
    err.message = words.reduce((m, [a, b]) => m.split(a).join(b), err.message);
    throw err;
  }
}

/**
 * Throw unless the batch is B sources of one length and B targets of one length the model can read, each target
 * starting with BOS. mode "pair": one source and one target (forward); "sources": targets are only [BOS] (translate).
 */
function _checkBatch(where: string, batch: unknown, c: EncoderDecoderConfig, mode: "batch" | "pair" | "sources" = "batch"): asserts batch is Seq2SeqBatch {
  if (batch == null || typeof batch !== "object" || Array.isArray(batch)) throw new Error(`${where}: batch must be { sources, targets }, got ${_describe(batch)}`);
  const { sources, targets } = batch as Seq2SeqBatch;
  const pair = mode === "pair";
  const [sName, tName] = pair ? ["source", "target"] : ["sources", "targets"];
  const sizes = (vocab: number, length: number) => ({ vocab, contextLength: length, numLayers: 1, numHeads: 1 });
  _inWords(() => _checkSequences(where, sName, sources, sizes(c.sourceVocab, c.sourceLength)),
    [["source[0]", "source"], ["(contextLength)", "(sourceLength)"], ["the model's vocab", "the model's source vocab"], ["the model's context", "the model's longest source"]]);
  if (!Array.isArray(targets) || targets.length !== sources.length) {
    throw new Error(`${where}: sources has ${sources.length} sentence${sources.length === 1 ? "" : "s"} but targets has ${Array.isArray(targets) ? targets.length : _describe(targets)}; each source needs its target`);
  }
  _inWords(() => _checkSequences(where, tName, targets, sizes(c.targetVocab, c.targetLength), mode === "batch" ? 2 : 1),
    [["target[0]", "target"], ["(contextLength)", "(targetLength)"], ["the model's vocab", "the model's target vocab"], ["the model's context", "the model's longest target"],
      ["a next-token loss", "teacher forcing"]]);
  const bad = targets.findIndex((t) => t[0] !== BOS);
  if (bad >= 0) throw new Error(`${where}: ${pair ? "target" : `targets[${bad}]`} starts with ${targets[bad][0]}, not BOS (${BOS}): the decoder reads [BOS y₁ … EOS]`);
}

/** The three head masks, checked against their layer counts. */
function _checkMasks(where: string, o: EncoderDecoderRunOptions, c: EncoderDecoderConfig): _Masks {
  const one = (key: keyof EncoderDecoderRunOptions, numLayers: number) => _inWords(
    () => _checkLayerMasks(where, { headMask: o[key] }, { vocab: 1, contextLength: 1, numLayers, numHeads: c.numHeads }).headMask, [["headMask", key]]);
  return { encoder: one("encoderHeadMask", c.encoderLayers), decoder: one("decoderHeadMask", c.decoderLayers), cross: one("crossHeadMask", c.decoderLayers) };
}

function _params(layout: _Layout, c: EncoderDecoderConfig, buf: Float64Array): _Params {
  const v = (name: string) => _view(layout, buf, name);
  const norm = (p: string): LayerNormParams => ({ gamma: v(`${p}.gamma`), beta: v(`${p}.beta`) });
  const attn = (p: string): AttentionParams => ({
    wQ: v(`${p}.wQ`), wK: v(`${p}.wK`), wV: v(`${p}.wV`), wO: v(`${p}.wO`), bQ: null, bK: null, bV: null, bO: null,
    wA: c.scoring === "additive" ? v(`${p}.wA`) : null,
  });
  const ffn = (p: string): FeedForwardParams | null => (c.feedForward > 0
    ? { up: { w: v(`${p}.ffn.up.w`), b: v(`${p}.ffn.up.b`) }, down: { w: v(`${p}.ffn.down.w`), b: v(`${p}.ffn.down.b`) } } : null);
  const ff = c.feedForward > 0;
  return {
    srcEmbedding: v("source.embedding"), srcPositions: v("source.positions"), tgtEmbedding: v("target.embedding"), tgtPositions: v("target.positions"),
    encoder: Array.from({ length: c.encoderLayers }, (_, l) => {
      const p = `encoder.${l}`;
      return { ln1: norm(`${p}.ln1`), attn: attn(`${p}.attn`), ln2: ff ? norm(`${p}.ln2`) : null, ffn: ffn(p) };
    }),
    encF: norm("encoder.lnF"),
    decoder: Array.from({ length: c.decoderLayers }, (_, l) => {
      const p = `decoder.${l}`;
      return { ln1: norm(`${p}.ln1`), self: attn(`${p}.self`), ln2: norm(`${p}.ln2`), cross: attn(`${p}.cross`), ln3: ff ? norm(`${p}.ln3`) : null, ffn: ffn(p) };
    }),
    decF: norm("decoder.lnF"), unembed: { w: v("unembed"), b: null },
  };
}

/** x ← x + FFN(LN(x)), or x itself without a feed-forward. */
function _ffnForward(model: EncoderDecoder, x: Float64Array, ln: LayerNormParams | null, ffn: FeedForwardParams | null, n: number): { out: Float64Array; cache: _FfnCache | null } {
  if (ffn == null || ln == null) return { out: x, cache: null };
  const { dModel: d, feedForward: hid, activation } = model.config;
  const lnC = LayerNorm.forward(x, ln, n, d);
  const f = FeedForward.forward(lnC.y, ffn, n, d, hid, activation);
  return { out: Residual.forward(x, f.y), cache: { ln: lnC, ffn: f } }; // (n, d)
}

/** The backward of _ffnForward: ∂x from ∂out. */
function _ffnBackward(model: EncoderDecoder, c: _FfnCache | null, ln: LayerNormParams | null, ffn: FeedForwardParams | null,
  gLn: LayerNormParams | null, gFfn: FeedForwardParams | null, dOut: Float64Array, n: number): Float64Array {
  if (c == null) return dOut;
  const { dModel: d, feedForward: hid, activation } = model.config;
  const dIn = FeedForward.backward(c.ffn, ffn!, dOut, gFfn!, n, d, hid, activation); // (n, d)
  return Residual.backward(dOut, LayerNorm.backward(c.ln, ln!, dIn, gLn!, n, d));
}

/** x = E[ids] + P (B sequences of L tokens): the embedding of either side. */
function _embed(ids: number[], table: Float64Array, positions: Float64Array, B: number, L: number, d: number): Float64Array {
  return LearnedPositions.forward(Embedding.forward(ids, table, d), positions, B, L, d); // (B·L, d)
}

/** The encoder on a checked batch of sources: memory = LN(encoder layers(E[src] + P)). */
function _encode(model: EncoderDecoder, sources: number[][], masks: _Masks): _Enc {
  const { dModel: d, numHeads: h, scoring } = model.config;
  const P = model._p;
  const B = sources.length;
  const S = sources[0].length;
  const n = B * S;
  const ids = sources.flat(); // (B·S,)
  const keyPadding = Uint8Array.from(ids, (t) => (t === PAD ? 1 : 0)); // (B·S,) no query attends to a source PAD
  // 1) embeddings: x = E_s[src] + P_s
  let x = _embed(ids, P.srcEmbedding, P.srcPositions, B, S, d); // (B·S, d)
  const layers: _Enc["layers"] = [];
  P.encoder.forEach((lp, l) => {
    // 2) x ← x + SelfAttn(LN(x)): every source position sees every other
    const ln1 = LayerNorm.forward(x, lp.ln1, n, d);
    const attn = Attention.forward(ln1.y, lp.attn, B, S, d, h, { headMask: masks.encoder?.[l] ?? null, scoring, keyPadding });
    // 3) x ← x + FFN(LN(x))
    const f = _ffnForward(model, Residual.forward(x, attn.y), lp.ln2, lp.ffn, n);
    layers.push({ ln1, attn, ffn: f.cache });
    x = f.out; // (B·S, d)
  });
  return { B, S, ids, keyPadding, layers, encF: LayerNorm.forward(x, P.encF, n, d) }; // encF.y: the memory (B·S, d)
}

/** The decoder with teacher forcing on checked targets, reading the encoder's memory; then the next-token loss. */
function _decode(model: EncoderDecoder, enc: _Enc, targets: number[][], masks: _Masks): _Dec {
  const { dModel: d, numHeads: h, targetVocab: V, scoring } = model.config;
  const P = model._p;
  const { B, S } = enc;
  const T = targets[0].length;
  const n = B * T;
  const ids = targets.flat(); // (B·T,)
  // 1) embeddings: y = E_t[tgt] + P_t
  let y = _embed(ids, P.tgtEmbedding, P.tgtPositions, B, T, d); // (B·T, d)
  const layers: _Dec["layers"] = [];
  P.decoder.forEach((lp, l) => {
    // 2) y ← y + CausalSelfAttn(LN(y)): position t sees the target up to t
    const ln1 = LayerNorm.forward(y, lp.ln1, n, d);
    const self = Attention.forward(ln1.y, lp.self, B, T, d, h, { causal: true, headMask: masks.decoder?.[l] ?? null, scoring });
    const mid = Residual.forward(y, self.y); // (B·T, d)
    // 3) y ← y + CrossAttn(LN(y), memory): queries from the decoder, keys and values from the encoder
    const ln2 = LayerNorm.forward(mid, lp.ln2, n, d);
    const cross = Attention.forward(ln2.y, lp.cross, B, T, d, h,
      { context: enc.encF.y, contextLength: S, headMask: masks.cross?.[l] ?? null, scoring, keyPadding: enc.keyPadding });
    // 4) y ← y + FFN(LN(y))
    const f = _ffnForward(model, Residual.forward(mid, cross.y), lp.ln3, lp.ffn, n);
    layers.push({ ln1, self, ln2, cross, ffn: f.cache });
    y = f.out; // (B·T, d)
  });
  // 5) read-out and next-token cross-entropy (a PAD next token, and the last position, are not scored)
  const decF = LayerNorm.forward(y, P.decF, n, d);
  const logits = Linear.forward(decF.y, P.unembed, n, d, V); // (B·T, targetVocab)
  const next = targets.flatMap((t) => t.map((_, i) => (i + 1 < T && t[i + 1] !== PAD ? t[i + 1] : -1))); // (B·T,)
  return { T, ids, layers, decF, logits, ce: CrossEntropy.forward(logits, next, n, V) };
}

/** The backward pass of _encode + _decode: ∂loss/∂θ ADDED to grad. */
function _backward(model: EncoderDecoder, enc: _Enc, dec: _Dec, grad: Float64Array): void {
  const { dModel: d, targetVocab: V } = model.config;
  const P = model._p;
  const G = _params(model._layout, model.config, grad);
  const { B, S } = enc;
  const nT = B * dec.T;
  const nS = B * S;
  // 5) read-out
  const dLogits = CrossEntropy.backward(dec.ce, nT, V); // (B·T, targetVocab)
  const dDecF = Linear.backward(dec.decF.y, P.unembed, dLogits, G.unembed, nT, d, V); // (B·T, d)
  let dy = LayerNorm.backward(dec.decF, P.decF, dDecF, G.decF, nT, d); // (B·T, d)
  const dMemory = new Float64Array(nS * d); // (B·S, d) summed over every decoder layer's cross-attention
  for (let l = P.decoder.length - 1; l >= 0; l--) {
    const lp = P.decoder[l];
    const gp = G.decoder[l];
    const c = dec.layers[l];
    // 4) feed-forward
    dy = _ffnBackward(model, c.ffn, lp.ln3, lp.ffn, gp.ln3, gp.ffn, dy, nT);
    // 3) cross-attention: ∂queries back into the decoder, ∂keys + ∂values into the memory
    const gc = Attention.backward(c.cross, lp.cross, dy, gp.cross);
    for (let k = 0; k < dMemory.length; k++) dMemory[k] += gc.dContext![k];
    dy = Residual.backward(dy, LayerNorm.backward(c.ln2, lp.ln2, gc.dX, gp.ln2, nT, d));
    // 2) causal self-attention
    const ds = Attention.backward(c.self, lp.self, dy, gp.self).dX; // (B·T, d)
    dy = Residual.backward(dy, LayerNorm.backward(c.ln1, lp.ln1, ds, gp.ln1, nT, d));
  }
  Embedding.backward(dec.ids, dy, G.tgtEmbedding, d);
  LearnedPositions.backward(dy, G.tgtPositions, B, dec.T, d);
  // the encoder, from ∂memory
  let dx = LayerNorm.backward(enc.encF, P.encF, dMemory, G.encF, nS, d); // (B·S, d)
  for (let l = P.encoder.length - 1; l >= 0; l--) {
    const lp = P.encoder[l];
    const gp = G.encoder[l];
    const c = enc.layers[l];
    dx = _ffnBackward(model, c.ffn, lp.ln2, lp.ffn, gp.ln2, gp.ffn, dx, nS);
    const da = Attention.backward(c.attn, lp.attn, dx, gp.attn).dX; // (B·S, d)
    dx = Residual.backward(dx, LayerNorm.backward(c.ln1, lp.ln1, da, gp.ln1, nS, d));
  }
  Embedding.backward(enc.ids, dx, G.srcEmbedding, d);
  LearnedPositions.backward(dx, G.srcPositions, B, S, d);
}

function _summary(dec: _Dec, B: number): Seq2SeqLoss {
  const { ce, T } = dec;
  const V = ce.probs.length / ce.losses.length;
  let sentences = 0;
  for (let b = 0; b < B; b++) {
    let ok = true;
    for (let t = b * T; t < (b + 1) * T && ok; t++) {
      const target = ce.targets[t];
      if (target < 0) continue;
      for (let v = 0; v < V; v++) if (ce.probs[t * V + v] > ce.probs[t * V + target]) { ok = false; break; }
    }
    if (ok) sentences++;
  }
  return { loss: ce.loss, accuracy: ce.count === 0 ? 0 : ce.correct / ce.count, sentenceAccuracy: sentences / B };
}
