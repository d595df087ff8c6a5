/**
 * The whole all-MiniLM-L6-v2 (BERT: embeddings, 6 encoder layers of 12 heads, d = 384) in our own code, from the
 * package's float32 weights, computing in float64: type any sentence, get its tokens, every head's attention,
 * every hidden state, the sentence embedding, and our MultiHeadAttention's full trace of every layer.
 *
 * Dependencies: findMiniLMFiles, parseSafetensors/readTensor, MiniLMTokenizer, bertEmbeddings, bertLayer,
 * meanPooling, l2Normalize, MultiHeadAttention.fromTorchStateDict.
 */
import * as fs from "fs";
import { MultiHeadAttention } from "../math/multi-head";
import { _lazy } from "../math/_lazy";
import type { AttentionTrace, Matrix, Vector } from "../math/trace";
import type { Dense, NormParams } from "./_dense";
import { bertLayer, BertLayerTrace, BertLayerWeights } from "./bert-layer";
import { bertEmbeddings, BertEmbeddingWeights } from "./embeddings";
import { findMiniLMFiles, MiniLMFiles, MiniLMFilesOptions } from "./files";
import { _checkHeadMask } from "./head-mask";
import { l2Normalize, meanPooling } from "./pooling";
import { parseSafetensors, readTensor, SafetensorsFile } from "./safetensors";
import { MiniLMTokenizer } from "./tokenizer";

/** The sizes of the model, from its config.json. */
export interface MiniLMConfig {
  /** 384 */ hiddenSize: number;
  /** 6 */ numLayers: number;
  /** 12 */ numHeads: number;
  /** 1536 */ intermediateSize: number;
  /** 512 */ maxPositions: number;
  /** 30522 */ vocabSize: number;
  /** 1e-12 */ layerNormEps: number;
}

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

function _dense(st: SafetensorsFile, name: string): Dense {
  const w = readTensor(st, `${name}.weight`); // (out, in)
  const b = readTensor(st, `${name}.bias`); // (out,)
  return { outFeatures: w.shape[0], inFeatures: w.shape[1], weight: w.data, bias: b.data };
}

function _norm(st: SafetensorsFile, name: string): NormParams {
  return { weight: readTensor(st, `${name}.weight`).data, bias: readTensor(st, `${name}.bias`).data };
}

function _rows(f: Float64Array, rows: number, cols: number, first = 0): Matrix {
  const out: Matrix = new Array(rows);
  for (let i = 0; i < rows; i++) out[i] = Array.from(f.subarray((first + i) * cols, (first + i + 1) * cols));
  return out;
}

/** all-MiniLM-L6-v2, loaded: call `encode(sentence)`. */
export class MiniLMModel {
  readonly config: MiniLMConfig;
  readonly weights: MiniLMWeights;
  readonly tokenizer: MiniLMTokenizer;
  readonly files: MiniLMFiles;

  /** Use loadMiniLMModel(); this reads the files named in `files`. */
  constructor(files: MiniLMFiles) {
    this.files = files;
    const c = JSON.parse(fs.readFileSync(files.config, "utf8"));
    if (c.model_type !== "bert" || c.hidden_act !== "gelu" || c.position_embedding_type !== "absolute") {
      throw new Error(`${files.config} is not a BERT with GELU and absolute positions (model_type ${c.model_type}, hidden_act ${c.hidden_act})`);
    }
    this.config = {
      hiddenSize: c.hidden_size, numLayers: c.num_hidden_layers, numHeads: c.num_attention_heads,
      intermediateSize: c.intermediate_size, maxPositions: c.max_position_embeddings, vocabSize: c.vocab_size,
      layerNormEps: c.layer_norm_eps,
    };
    const modules = JSON.parse(fs.readFileSync(files.modules, "utf8")) as { type: string }[];
    const kinds = modules.map((m) => m.type.split(".").pop());
    if (kinds.join(",") !== "Transformer,Pooling,Normalize") throw new Error(`${files.modules} lists ${kinds.join(" → ")}, not Transformer → Pooling → Normalize`);
    const st = parseSafetensors(fs.readFileSync(files.safetensors), files.safetensors);
    const { hiddenSize: d, numHeads: h, numLayers: N } = this.config;
    const table = (name: string) => {
      const t = readTensor(st, name);
      return { rows: t.shape[0], dim: t.shape[1], data: t.data };
    };
    const layers: BertLayerWeights[] = [];
    for (let l = 0; l < N; l++) {
      const p = `encoder.layer.${l}`;
      const q = readTensor(st, `${p}.attention.self.query.weight`).data; // (d, d) PyTorch (out, in)
      const k = readTensor(st, `${p}.attention.self.key.weight`).data;
      const v = readTensor(st, `${p}.attention.self.value.weight`).data;
      const bias = (n: string) => Array.from(readTensor(st, `${p}.attention.self.${n}.bias`).data);
      const out = _dense(st, `${p}.attention.output.dense`);
      const attention = MultiHeadAttention.fromTorchStateDict({
        in_proj_weight: [..._rows(q, d, d), ..._rows(k, d, d), ..._rows(v, d, d)], // (3d, d) [W_q; W_k; W_v]
        in_proj_bias: [...bias("query"), ...bias("key"), ...bias("value")], // (3d,)
        "out_proj.weight": _rows(out.weight, d, d), // (d, d)
        "out_proj.bias": Array.from(out.bias), // (d,)
      }, { numHeads: h });
      layers.push({
        attention,
        attentionNorm: _norm(st, `${p}.attention.output.LayerNorm`),
        feedForward: { intermediate: _dense(st, `${p}.intermediate.dense`), output: _dense(st, `${p}.output.dense`) },
        outputNorm: _norm(st, `${p}.output.LayerNorm`),
      });
    }
    this.weights = {
      embeddings: {
        word: table("embeddings.word_embeddings.weight"), // (vocab, d)
        position: table("embeddings.position_embeddings.weight"), // (512, d)
        tokenType: table("embeddings.token_type_embeddings.weight"), // (2, d)
        layerNorm: _norm(st, "embeddings.LayerNorm"),
      },
      layers,
    };
    this.tokenizer = new MiniLMTokenizer(files.tokenizer, files.tokenizerConfig, this.config.maxPositions);
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
    if (options === null || typeof options !== "object") throw new Error(`encode options must be an object like { headMask }, got ${options}`);
    const { numLayers: N, numHeads: h, layerNormEps: eps } = this.config;
    const headMask = options.headMask === undefined ? null : _checkHeadMask(options.headMask, N, h);
    if (options.kernel !== undefined && options.kernel !== "fast" && options.kernel !== "readable") {
      throw new Error(`kernel must be "fast" or "readable", got ${JSON.stringify(options.kernel)}`);
    }
    const { tokens, inputIds, tokenTypeIds } = this.tokenizer.encode(sentence);

    // 1) embeddings: word + position + token type, LayerNorm
    const emb = bertEmbeddings(inputIds, tokenTypeIds, this.weights.embeddings, eps); // (L, d)
    const hiddenStates: Matrix[] = [emb.output];
    const layers: BertLayerTrace[] = [];

    // 2) the encoder layers
    for (let l = 0; l < N; l++) {
      const t = bertLayer(hiddenStates[l], this.weights.layers[l], { headMask: headMask?.[l], kernel: options.kernel, eps }); // (L, d)
      layers.push(t);
      hiddenStates.push(t.output);
    }

    // 3) mean pooling + L2 normalisation
    const embedding = l2Normalize(meanPooling(hiddenStates[N])); // (d,)
    const encoding = {
      text: sentence, tokens, inputIds, tokenTypeIds,
      hiddenStates, embedding, embeddingSum: emb.sum,
      traces: layers.map((t) => t.attention), layers,
      headMask: headMask === null ? null : headMask.map((r) => r.slice()),
    } as MiniLMEncoding;
    _lazy(encoding, "attentions", () => layers.map((t) => t.attention.weights)); // (N, h, L, L), built when first read
    return encoding;
  }
}

const _cache = new Map<string, MiniLMModel>();

/**
 * Load all-MiniLM-L6-v2 from the installed package (see findMiniLMFiles), once per folder per process.
 * Reads the 91 MB model.safetensors into float64 (about 0.5 s and 200 MB).
 *
 * @param options { modelDir? } a folder with model.safetensors and tokenizer.json (default: the package in .venv)
 * @return the model; `model.encode(sentence, { headMask })`
 * @example (illustrative) loadMiniLMModel().config.numHeads // returns 12
 */
export function loadMiniLMModel(options: MiniLMFilesOptions = {}): MiniLMModel {
  const files = findMiniLMFiles(options);
  let m = _cache.get(files.dir);
  if (m === undefined) {
    m = new MiniLMModel(files);
    _cache.set(files.dir, m);
  }
  return m;
}
