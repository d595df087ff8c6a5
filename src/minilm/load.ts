/**
 * Loading all-MiniLM-L6-v2: every file read here (config.json, modules.json, tokenizer.json,
 * tokenizer_config.json, model.safetensors), every value checked with an error that names the file, then the
 * model built from what was read. MiniLMModel's constructor reads nothing.
 *
 * Dependencies: fs, findMiniLMFiles, _parseConfig/_checkModules, parseSafetensors/readTensor, MiniLMTokenizer,
 * MultiHeadAttention.fromTorchStateDict, _keepTorchAttention.
 */
import * as fs from "fs";
import { MultiHeadAttention } from "../math/multi-head";
import type { Matrix } from "../math/trace";
import { _checkOptions } from "./_check";
import type { Dense, NormParams } from "./_dense";
import type { BertLayerWeights } from "./bert-layer";
import { _checkModules, _parseConfig, MiniLMConfig } from "./config";
import type { EmbeddingTable } from "./embeddings";
import { _isPath, findMiniLMFiles, MiniLMFiles, MiniLMFilesOptions } from "./files";
import { MiniLMModel, MiniLMWeights } from "./minilm-model";
import { parseSafetensors, readTensor, SafetensorsFile } from "./safetensors";
import { _keepTorchAttention } from "./self-attention";
import { _readJson, MiniLMTokenizer } from "./tokenizer";

/**
 * One tensor, its shape checked against the config and every value checked finite (a NaN in a late-layer
 * weight would otherwise give a NaN embedding with no error).
 * @param st the parsed model.safetensors
 * @param name the tensor's name
 * @param shape the shape the config implies
 */
function _tensor(st: SafetensorsFile, name: string, shape: number[]): Float64Array {
  const t = readTensor(st, name);
  if (t.shape.length !== shape.length || t.shape.some((n, i) => n !== shape[i])) {
    throw new Error(`${st.source}: tensor "${name}" has shape [${t.shape.join(", ")}] but config.json implies [${shape.join(", ")}]`);
  }
  for (let i = 0; i < t.data.length; i++) {
    if (!Number.isFinite(t.data[i])) {
      const at = shape.length === 2 ? `[${Math.floor(i / shape[1])}, ${i % shape[1]}]` : `[${i}]`;
      throw new Error(`${st.source}: tensor "${name}" element ${at} is ${t.data[i]}; every weight must be a finite number (is the file damaged?)`);
    }
  }
  return t.data;
}

function _dense(st: SafetensorsFile, name: string, outF: number, inF: number): Dense {
  return { outFeatures: outF, inFeatures: inF, weight: _tensor(st, `${name}.weight`, [outF, inF]), bias: _tensor(st, `${name}.bias`, [outF]) };
}

function _norm(st: SafetensorsFile, name: string, d: number): NormParams {
  return { weight: _tensor(st, `${name}.weight`, [d]), bias: _tensor(st, `${name}.bias`, [d]) };
}

function _table(st: SafetensorsFile, name: string, rows: number, d: number): EmbeddingTable {
  return { rows, dim: d, data: _tensor(st, name, [rows, d]) };
}

/** Rows first … first + rows − 1 of a (·, cols) row-major buffer, nested (MultiHeadAttention keeps nested weights). */
function _rows(f: Float64Array, rows: number, cols: number): Matrix {
  const out: Matrix = new Array(rows);
  for (let i = 0; i < rows; i++) out[i] = Array.from(f.subarray(i * cols, (i + 1) * cols));
  return out;
}

/**
 * Every weight of the model, read from model.safetensors, shapes checked against config.json and values
 * checked finite. Attention becomes our MultiHeadAttention (paper orientation); the rest stays in PyTorch's layout.
 * @param st the parsed model.safetensors (its `source` names it in errors)
 * @param config the checked config.json
 */
export function _readWeights(st: SafetensorsFile, config: MiniLMConfig): MiniLMWeights {
  const { hiddenSize: d, numHeads: h, numLayers: N, intermediateSize: dFF, vocabSize, maxPositions } = config;
  const typeEntry = st.entries.find((e) => e.name === "embeddings.token_type_embeddings.weight");
  const types = typeEntry?.shape[0] ?? 2;
  const layers: BertLayerWeights[] = [];
  for (let l = 0; l < N; l++) {
    const p = `encoder.layer.${l}`;
    const self = (n: string) => _dense(st, `${p}.attention.self.${n}`, d, d); // (d, d) PyTorch (out, in)
    const [q, k, v] = [self("query"), self("key"), self("value")];
    const out = _dense(st, `${p}.attention.output.dense`, d, d);
    const attention = MultiHeadAttention.fromTorchStateDict({
      in_proj_weight: [..._rows(q.weight, d, d), ..._rows(k.weight, d, d), ..._rows(v.weight, d, d)], // (3d, d) [W_q; W_k; W_v]
      in_proj_bias: [...q.bias, ...k.bias, ...v.bias], // (3d,)
      "out_proj.weight": _rows(out.weight, d, d), // (d, d)
      "out_proj.bias": Array.from(out.bias), // (d,)
    }, { numHeads: h });
    _keepTorchAttention(attention, q, k, v, out); // the flat forward multiplies by these (out, in) buffers as they are
    layers.push({
      attention,
      attentionNorm: _norm(st, `${p}.attention.output.LayerNorm`, d),
      feedForward: { intermediate: _dense(st, `${p}.intermediate.dense`, dFF, d), output: _dense(st, `${p}.output.dense`, d, dFF) },
      outputNorm: _norm(st, `${p}.output.LayerNorm`, d),
    });
  }
  return {
    embeddings: {
      word: _table(st, "embeddings.word_embeddings.weight", vocabSize, d), // (vocab, d)
      position: _table(st, "embeddings.position_embeddings.weight", maxPositions, d), // (512, d)
      tokenType: _table(st, "embeddings.token_type_embeddings.weight", types, d), // (2, d)
      layerNorm: _norm(st, "embeddings.LayerNorm", d),
    },
    layers,
  };
}

/** Read a whole file, with an error that names it. */
function _readBytes(file: string): Uint8Array {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    throw new Error(`${file}: cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/** Build the model from the files of one folder: all the reading and checking. */
function _load(files: MiniLMFiles): MiniLMModel {
  const config = _parseConfig(_readJson(files.config), files.config);
  _checkModules(_readJson(files.modules), files.modules);
  const tokenizer = new MiniLMTokenizer(_readJson(files.tokenizer) as object, _readJson(files.tokenizerConfig) as object, config.maxPositions, files.tokenizer);
  const weights = _readWeights(parseSafetensors(_readBytes(files.safetensors), files.safetensors), config);
  return new MiniLMModel(config, weights, tokenizer, files);
}

const _cache = new Map<string, MiniLMModel>();

/**
 * Load all-MiniLM-L6-v2 from the installed package (see findMiniLMFiles), once per folder per process.
 * Reads the 91 MB model.safetensors into float64 (about 0.5 s and 200 MB); checks config.json's values, every
 * weight's shape and finiteness, and names the file in every error.
 *
 * @param options { modelDir? } a folder with model.safetensors, tokenizer.json, tokenizer_config.json, config.json
 *   and modules.json (default: MHA_LAB_MINILM_DIR, else the package in .venv)
 * @return the model; `model.encode(sentence, { headMask })`
 * @example (illustrative) loadMiniLMModel().config.numHeads // returns 12
 */
export function loadMiniLMModel(options: MiniLMFilesOptions = {}): MiniLMModel {
  if (typeof options === "string") {
    throw new Error(`loadMiniLMModel takes options { modelDir }, got the string ${JSON.stringify(options)}: to load that folder, call loadMiniLMModel({ modelDir: ${JSON.stringify(options)} })`);
  }
  _checkOptions("loadMiniLMModel", options, { modelDir: _isPath });
  const files = findMiniLMFiles(options);
  let m = _cache.get(files.dir);
  if (m === undefined) {
    m = _load(files);
    _cache.set(files.dir, m);
  }
  return m;
}
