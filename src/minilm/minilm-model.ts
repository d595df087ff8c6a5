/**
 * The whole all-MiniLM-L6-v2 (BERT: embeddings, 6 encoder layers of 12 heads, d = 384) in our own code, from the
 * package's float32 weights, computing in float64: type any sentence, get its tokens, every head's attention,
 * every hidden state, the sentence embedding, and our MultiHeadAttention's full trace of every layer.
 *
 * The model holds weights already in memory: loadMiniLMModel (load.ts) reads and checks the files. encode passes
 * flat (L, d) buffers from layer to layer; nested matrices are built only when a returned field is read.
 *
 * Dependencies: MiniLMTokenizer, _embeddingsFlat, _bertLayerFlat, _meanPoolingFlat, l2Normalize, _checkHeadMask.
 */
import type { MultiHeadAttention } from "../math/multi-head";
import { _lazy } from "../math/_lazy";
import type { AttentionTrace, Matrix, Vector } from "../math/trace";
import { _checkedLater } from "../math/_validate";
import { _describe } from "../math/_describe";
import { _checkOptions } from "./_check";
import { _toNested } from "./_dense";
import { _bertLayerFlat, _isKernel, _layerTrace, BertLayerTrace, BertLayerWeights } from "./bert-layer";
import type { MiniLMConfig } from "./config";
import { _embeddingsFlat, BertEmbeddingWeights } from "./embeddings";
import type { MiniLMFiles } from "./files";
import { _checkHeadMask } from "./head-mask";
import { _meanPoolingFlat, l2Normalize } from "./pooling";
import { MiniLMTokenizer } from "./tokenizer";

export type { MiniLMConfig } from "./config";

/** All weights, in float64, in PyTorch's layouts except attention (our MultiHeadAttention, paper orientation). */
export interface MiniLMWeights {
  embeddings: BertEmbeddingWeights;
  layers: BertLayerWeights[];
}

/** Options of encode. */
export interface EncodeOptions {
  /** (numLayers, numHeads) as Hugging Face's head_mask: 1 keeps a head, 0 ablates it (fractions scale it) */
  headMask?: number[][];
  /** "fast" (default): the Float64Array attention kernel; "readable": MultiHeadAttention.forward on mathjs (~10× slower) */
  kernel?: "fast" | "readable";
}

/** What encode returns. */
export interface MiniLMEncoding {
  /** the sentence */ text: string;
  /** WordPiece tokens, "[CLS]" … "[SEP]", length L */ tokens: string[];
  /** (L,) */ inputIds: number[];
  /** (L,) all 0 for one sentence */ tokenTypeIds: number[];
  /** (numLayers, numHeads, L, L): attentions[l][h][i][j] = how much token i attends to token j in layer l, head h */
  attentions: Matrix[][];
  /** (numLayers + 1, L, d): the embeddings, then each layer's output */ hiddenStates: Matrix[];
  /** (d,) mean pooling over the tokens of the last hidden state, then L2 normalisation (modules.json); equal to
   *  sentence-transformers' encode up to 256 tokens (its max_seq_length truncates longer input; we do not) */ embedding: Vector;
  /** (L, d) word + position + token type, before the embedding LayerNorm */ embeddingSum: Matrix;
  /** our MultiHeadAttention's trace of every layer (q, k, v, scores, weights, head outputs, contributions …) */
  traces: AttentionTrace[];
  /** every layer's steps: attention, residual + LayerNorm, feed-forward, residual + LayerNorm */ layers: BertLayerTrace[];
  /** the head mask that was applied, or null */ headMask: number[][] | null;
}

/** all-MiniLM-L6-v2, loaded: call `encode(sentence)`. */
export class MiniLMModel {
  readonly config: MiniLMConfig;
  readonly weights: MiniLMWeights;
  readonly tokenizer: MiniLMTokenizer;
  /** where the model was read from (loadMiniLMModel), or null when built from weights in memory */ readonly files: MiniLMFiles | null;

  /**
   * A model from weights already in memory; reads nothing (loadMiniLMModel reads and checks the files, then calls this).
   * The sizes of the weights are checked against the config.
   * @param config    the sizes (config.json, checked)
   * @param weights   embeddings and one BertLayerWeights per layer
   * @param tokenizer the model's tokenizer
   * @param files     where they came from, if from files
   */
  constructor(config: MiniLMConfig, weights: MiniLMWeights, tokenizer: MiniLMTokenizer, files: MiniLMFiles | null = null) {
    if (!(tokenizer instanceof MiniLMTokenizer)) throw new Error(`new MiniLMModel: tokenizer must be a MiniLMTokenizer, got ${_describe(tokenizer)}`);
    const { hiddenSize: d, numLayers: N, numHeads: h, intermediateSize: dFF } = config;
    if (weights == null || !Array.isArray(weights.layers) || weights.layers.length !== N) {
      throw new Error(`new MiniLMModel: config has ${N} layers but weights.layers has ${Array.isArray(weights?.layers) ? weights.layers.length : _describe(weights?.layers)}`);
    }
    if (weights.embeddings?.word?.dim !== d) throw new Error(`new MiniLMModel: config has hidden size ${d} but the word embeddings are ${_describe(weights.embeddings?.word?.dim)} wide`);
    weights.layers.forEach((w, l) => {
      const a: MultiHeadAttention | undefined = w?.attention;
      if (a?.dModel !== d || a.numHeads !== h || w.feedForward?.intermediate?.outFeatures !== dFF) {
        throw new Error(`new MiniLMModel: layer ${l}'s weights do not have config's sizes (dModel ${d}, ${h} heads, FFN ${dFF})`);
      }
    });
    this.config = config;
    this.weights = weights;
    this.tokenizer = tokenizer;
    this.files = files;
  }

  /**
   * Run the whole model on one sentence.
   *   H_0 = Embeddings(tokens),  H_{l+1} = BertLayer_l(H_l),  e = normalize(mean_i H_6[i])
   * Errors (with what was passed): a non-string, an empty sentence, more than 512 tokens, a badly shaped headMask.
   *
   * @param sentence any text; the model's tokenizer lower-cases it and strips accents
   * @param options  { headMask (6, 12): 1 keeps a head, 0 ablates it; kernel: "fast" | "readable" }
   * @return tokens, inputIds, attentions (6, 12, L, L), hiddenStates (7, L, 384), embedding (384,), traces, layers
   * @example (illustrative) loadMiniLMModel().encode("He gave her the ball").tokens // returns ["[CLS]", "he", "gave", "her", "the", "ball", "[SEP]"]
   */
  encode(sentence: string, options: EncodeOptions = {}): MiniLMEncoding {
    _checkOptions("encode", options, { headMask: _checkedLater, kernel: _isKernel }); // `headmask` → "did you mean `headMask`?"
    const { numLayers: N, numHeads: h, hiddenSize: d, intermediateSize: dFF, layerNormEps: eps } = this.config;
    const headMask = options.headMask === undefined ? null : _checkHeadMask(options.headMask, N, h);
    const { tokens, inputIds, tokenTypeIds } = this.tokenizer.tokenize(sentence);
    const L = tokens.length;

    // 1) embeddings: word + position + token type, LayerNorm
    const emb = _embeddingsFlat(inputIds, tokenTypeIds, this.weights.embeddings, eps); // (L, d)
    const flats: Float64Array[] = [emb.output]; // hidden_states, flat: layer l reads flats[l]

    // 2) the encoder layers, passing flat (L, d) buffers
    const layers: BertLayerTrace[] = [];
    const nested: Matrix[] = []; // hidden_states[l] as nested arrays, built when first read (shared by hiddenStates and layers)
    const hidden = (l: number): Matrix => nested[l] ?? (nested[l] = _toNested(flats[l], L, d));
    for (let l = 0; l < N; l++) {
      const r = _bertLayerFlat(flats[l], L, this.weights.layers[l], headMask?.[l] ?? null, options.kernel ?? "fast", eps, () => hidden(l)); // (L, d)
      flats.push(r.y);
      layers.push(_layerTrace(r, L, d, dFF, () => hidden(l + 1)));
    }

    // 3) mean pooling + L2 normalisation
    const embedding = l2Normalize(_meanPoolingFlat(flats[N], L, d)); // (d,)
    const encoding = {
      text: sentence, tokens, inputIds, tokenTypeIds, embedding,
      traces: layers.map((t) => t.attention), layers,
      headMask: headMask === null ? null : headMask.map((r) => r.slice()),
    } as MiniLMEncoding;
    _lazy(encoding, "hiddenStates", () => flats.map((_, l) => hidden(l))); // (N + 1, L, d)
    _lazy(encoding, "embeddingSum", () => _toNested(emb.sum, L, d)); // (L, d)
    _lazy(encoding, "attentions", () => layers.map((t) => t.attention.weights)); // (N, h, L, L), built when first read
    return encoding;
  }
}
