/**
 * Loader for the committed all-MiniLM-L6-v2 fixture (src/minilm/data/minilm.json + minilm.bin),
 * written by scripts/export_minilm.py. Synchronous, no Python needed.
 *
 * The data lives in src/minilm/data/ and ships with the package ("files": ["dist", "src"]).
 * Both src/minilm/fixture.ts (tests) and dist/minilm/fixture.js (Node, tslab) sit two folders below the
 * package root, so `<here>/../../src/minilm/data` finds it from either place.
 */
import * as path from "path";
import { _indexedBin, type _BinIndex } from "./_indexed-bin";
import type { Matrix, Vector } from "../math/trace";

/** nn.MultiheadAttention.state_dict() of one MiniLM layer, as nested arrays. */
export type MiniLMStateDict = {
  /** (3·dModel, dModel) rows stacked [W_q; W_k; W_v], PyTorch orientation (y = x·Wᵀ + b) */
  in_proj_weight: Matrix;
  /** (3·dModel,) */
  in_proj_bias: Vector;
  /** (dModel, dModel) */
  "out_proj.weight": Matrix;
  /** (dModel,) */
  "out_proj.bias": Vector;
};

/** One sentence as seen by one layer. */
export interface MiniLMSentence {
  /** the raw sentence */ text: string;
  /** WordPiece tokens, "[CLS]" … "[SEP]", length L */ tokens: string[];
  /** (L, dModel) hidden_states[layer]: the exact input of the layer */ hiddenStates: Matrix;
  /** (numHeads, L, L) the model's attention probabilities */ attentions: Matrix[];
  /** (L, dModel) attention.output.dense output: the block's output before dropout, residual and LayerNorm */
  attentionOutput: Matrix;
}

/** One layer of the fixture: its weights and every sentence's activations. */
export interface MiniLMLayer {
  layer: number;
  dModel: number;
  numHeads: number;
  /** ready for `MultiHeadAttention.fromTorchStateDict(stateDict, { numHeads })` */ stateDict: MiniLMStateDict;
  sentences: MiniLMSentence[];
}

/** The model's attention probabilities of one layer (available for every layer, weights or not). */
export interface MiniLMAttentions {
  layer: number;
  sentences: { text: string; tokens: string[]; /** (numHeads, L, L) */ attentions: Matrix[] }[];
}

/** What the fixture holds: model, licences, layers and sentences. */
export interface MiniLMInfo {
  model: { name: string; license: string; licenseSource: string };
  package: { name: string; version: string; license: string; licenseSource: string };
  generator: Record<string, string>;
  dModel: number;
  numHeads: number;
  numLayers: number;
  /** layers with weights, hidden states and attention outputs: `loadMiniLM` accepts these */
  weightLayers: number[];
  /** layers with the model's attention probabilities: `loadMiniLMAttentions` accepts these */
  attentionLayers: number[];
  sentences: { text: string; tokens: string[]; inputIds: number[] }[];
}

interface _Index extends MiniLMInfo, _BinIndex {
  format: string;
}

/** The fixture folder: `<package root>/src/minilm/data`, found from src/minilm or dist/minilm alike. */
export function miniLMDataDir(): string {
  return path.join(__dirname, "..", "..", "src", "minilm", "data");
}

const _file = _indexedBin<_Index>(miniLMDataDir, "minilm.json", "MiniLM fixture", "npm run fixtures:minilm");
const _tensor = (name: string): any => _file.tensor(name);

/**
 * What the MiniLM fixture holds: model name, licences, layers, sentences and tokens.
 *
 * @example
 * miniLMInfo().weightLayers // returns [0, 1, 5]
 */
export function miniLMInfo(): MiniLMInfo {
  const index = _file.index();
  return {
    model: { ...index.model },
    package: { ...index.package },
    generator: { ...index.generator },
    dModel: index.dModel,
    numHeads: index.numHeads,
    numLayers: index.numLayers,
    weightLayers: [...index.weightLayers],
    attentionLayers: [...index.attentionLayers],
    sentences: index.sentences.map((s) => ({ text: s.text, tokens: [...s.tokens], inputIds: [...s.inputIds] })),
  };
}

/**
 * One layer of all-MiniLM-L6-v2: its attention weights as a PyTorch MHA state dict, plus, per sentence,
 * the layer's input, the model's attention probabilities and the attention block's output.
 * Reproduce it with: `MultiHeadAttention.fromTorchStateDict(m.stateDict, { numHeads: 12 }).forward(s.hiddenStates)`.
 *
 * @param layer  a layer listed in `miniLMInfo().weightLayers`
 * @example
 * const m = loadMiniLM(0);
 * m.sentences[0].tokens // returns ["[CLS]", "he", "gave", "her", "the", "ball", "[SEP]"]
 */
export function loadMiniLM(layer: number): MiniLMLayer {
  const index = _file.index();
  if (!index.weightLayers.includes(layer)) {
    throw new Error(
      `layer ${layer} has no stored weights: loadMiniLM accepts layers ${index.weightLayers.join(", ")} ` +
        `(loadMiniLMAttentions gives the model's attention probabilities of layers ${index.attentionLayers.join(", ")})`,
    );
  }
  const p = `layer${layer}`;
  const stateDict: MiniLMStateDict = {
    in_proj_weight: _tensor(`${p}/in_proj_weight`), // (3E, E)
    in_proj_bias: _tensor(`${p}/in_proj_bias`), // (3E,)
    "out_proj.weight": _tensor(`${p}/out_proj.weight`), // (E, E)
    "out_proj.bias": _tensor(`${p}/out_proj.bias`), // (E,)
  };
  const sentences = index.sentences.map((s, i) => ({
    text: s.text,
    tokens: [...s.tokens],
    hiddenStates: _tensor(`${p}/sentence${i}/hidden_states`), // (L, E)
    attentions: _tensor(`attentions/${p}/sentence${i}`), // (h, L, L)
    attentionOutput: _tensor(`${p}/sentence${i}/attention_output`), // (L, E)
  }));
  return { layer, dModel: index.dModel, numHeads: index.numHeads, stateDict, sentences };
}

/**
 * The model's attention probabilities of one layer for every fixture sentence (any layer 0..5).
 *
 * @param layer  a layer listed in `miniLMInfo().attentionLayers`
 * @example
 * loadMiniLMAttentions(3).sentences[0].attentions.length // returns 12
 */
export function loadMiniLMAttentions(layer: number): MiniLMAttentions {
  const index = _file.index();
  if (!index.attentionLayers.includes(layer)) {
    throw new Error(`layer ${layer} is not in the fixture: loadMiniLMAttentions accepts layers ${index.attentionLayers.join(", ")}`);
  }
  return {
    layer,
    sentences: index.sentences.map((s, i) => ({
      text: s.text,
      tokens: [...s.tokens],
      attentions: _tensor(`attentions/layer${layer}/sentence${i}`), // (h, L, L)
    })),
  };
}
