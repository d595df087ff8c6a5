/**
 * Golden values of the whole all-MiniLM-L6-v2 from the real model (transformers' BertModel, eager attention,
 * float64), written by scripts/export_minilm_golden.py into src/minilm/golden/. Tests and notebook 13 compare
 * our model with them; no Python is needed to read them.
 *
 * Dependencies: fs, path.
 */
import * as path from "path";
import { _indexedBin, type _BinIndex } from "./_indexed-bin";

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

interface _Index extends Omit<MiniLMGolden, "names">, _BinIndex {}

/** The golden folder: `<package root>/src/minilm/golden`, found from src/minilm or dist/minilm alike. */
export function miniLMGoldenDir(): string {
  return path.join(__dirname, "..", "..", "src", "minilm", "golden");
}

const _file = _indexedBin<_Index>(miniLMGoldenDir, "golden.json", "MiniLM golden fixture", "npm run fixtures:minilm-golden");

/**
 * What the golden fixture holds (sentences, tokens, ablations, weight spot values, tensor names).
 * @example miniLMGolden().sentences[0].tokens // returns ["[CLS]", "he", "gave", "her", "the", "ball", "[SEP]"]
 */
export function miniLMGolden(): MiniLMGolden {
  const idx = _file.index();
  return JSON.parse(JSON.stringify({ ...idx, tensors: undefined, binFile: undefined, binBytes: undefined, names: Object.keys(idx.tensors) }));
}

/**
 * One golden tensor as nested arrays (float32 entries widened exactly to float64).
 * @param name e.g. "sentence0/hiddenStates/6", "sentence1/attentions/5", "ablation/single/embedding"
 * @return nested arrays of the stored shape
 * @example goldenTensor("sentence0/embedding").length // returns 384
 */
export function goldenTensor(name: string): any {
  const sameGroup = (names: string[]) => {
    const near = names.filter((k) => k.split("/")[0] === name.split("/")[0]).slice(0, 6);
    return near.length ? `; e.g. ${near.join(", ")}` : "";
  };
  return _file.tensor(name, sameGroup);
}
