/**
 * Golden values of the whole all-MiniLM-L6-v2 from the real model (transformers' BertModel, eager attention,
 * float64), written by scripts/export_minilm_golden.py into src/minilm/golden/. Tests and notebook 13 compare
 * our model with them; no Python is needed to read them.
 *
 * Dependencies: fs, path.
 */
import * as fs from "fs";
import * as path from "path";

/** One golden sentence: what the tokenizer gave, and which layers were stored. */
export interface GoldenSentence {
  text: string;
  tokens: string[];
  inputIds: number[];
  tokenTypeIds: number[];
  length: number;
  /** layers whose attentions (h, L, L) are stored */ attentionLayers: number[];
  /** indices l of hidden_states[l] (L, d) that are stored (0 = embeddings) */ hiddenStateLayers: number[];
  /** "f8" (float64) or "f4" (float32) storage of attentions and hidden states */ dtype: string;
  /** Python's own checks: our pooling formula vs sentence-transformers' Pooling + Normalize */
  checks: { embeddingVsStPooling64: number; embeddingVsStEncode32: number };
}

/** One head-mask ablation run through Hugging Face's head_mask. */
export interface GoldenAblation {
  name: string;
  sentence: number;
  /** (numLayers, numHeads) */ headMask: number[][];
  attentionLayers: number[];
}

/** The index of the golden fixture. */
export interface MiniLMGolden {
  model: Record<string, string>;
  generator: Record<string, string>;
  numLayers: number;
  numHeads: number;
  dModel: number;
  sentences: GoldenSentence[];
  intermediateSentence: number;
  intermediateLayers: number[];
  ablations: GoldenAblation[];
  /** a few tensors of model.safetensors as torch read them: shape, first 4 values, float64 sum */
  weightSpots: Record<string, { dtype: string; shape: number[]; first: number[]; sum: number }>;
  /** every stored tensor's name, e.g. "sentence1/attentions/5" */ names: string[];
}

interface _Index extends Omit<MiniLMGolden, "names"> {
  binFile: string;
  binBytes: number;
  tensors: Record<string, { offset: number; dtype: "f4" | "f8"; shape: number[] }>;
}

let _idx: _Index | null = null;
let _bin: DataView | null = null;

/** The golden folder: `<package root>/src/minilm/golden`, found from src/minilm or dist/minilm alike. */
export function miniLMGoldenDir(): string {
  return path.join(__dirname, "..", "..", "src", "minilm", "golden");
}

function _load(): { idx: _Index; bin: DataView } {
  if (_idx === null || _bin === null) {
    const dir = miniLMGoldenDir();
    const file = path.join(dir, "golden.json");
    if (!fs.existsSync(file)) throw new Error(`MiniLM golden values not found at ${file}; regenerate them with \`npm run fixtures:minilm-golden\``);
    const idx = JSON.parse(fs.readFileSync(file, "utf8")) as _Index;
    const buf = fs.readFileSync(path.join(dir, idx.binFile));
    if (buf.byteLength !== idx.binBytes) throw new Error(`${idx.binFile} has ${buf.byteLength} bytes but golden.json says ${idx.binBytes}`);
    _bin = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    _idx = idx;
  }
  return { idx: _idx, bin: _bin };
}

/**
 * What the golden fixture holds (sentences, tokens, ablations, weight spot values, tensor names).
 * @example miniLMGolden().sentences[0].tokens // returns ["[CLS]", "he", "gave", "her", "the", "ball", "[SEP]"]
 */
export function miniLMGolden(): MiniLMGolden {
  const { idx } = _load();
  return JSON.parse(JSON.stringify({ ...idx, tensors: undefined, binFile: undefined, binBytes: undefined, names: Object.keys(idx.tensors) }));
}

/**
 * One golden tensor as nested arrays (float32 entries widened exactly to float64).
 * @param name e.g. "sentence0/hiddenStates/6", "sentence1/attentions/5", "ablation/single/embedding"
 * @return nested arrays of the stored shape
 * @example goldenTensor("sentence0/embedding").length // returns 384
 */
export function goldenTensor(name: string): any {
  const { idx, bin } = _load();
  const t = idx.tensors[name];
  if (t === undefined) {
    const near = Object.keys(idx.tensors).filter((k) => k.split("/")[0] === name.split("/")[0]).slice(0, 6);
    throw new Error(`golden fixture has no tensor "${name}"${near.length ? `; e.g. ${near.join(", ")}` : ""}`);
  }
  const size = t.dtype === "f8" ? 8 : 4;
  let pos = t.offset;
  const read = (dims: number[]): any => {
    if (dims.length === 0) {
      const v = size === 8 ? bin.getFloat64(pos, true) : bin.getFloat32(pos, true);
      pos += size;
      return v;
    }
    const out = new Array(dims[0]);
    for (let i = 0; i < dims[0]; i++) out[i] = read(dims.slice(1));
    return out;
  };
  return read(t.shape);
}
