/**
 * Module-private: the call shapes, input checks and the combined mask that every forward pass starts with
 * (MultiHeadAttention.forward and the fast kernel's fastForward share them, so both accept the same calls and
 * reject the same inputs with the same messages).
 *
 * Dependencies: checkMatrix, masks, _validate (options, sizes, the trusted layer).
 */
import { causalMask, checkKeyPaddingMask, checkMask, combineMasks, expandKeyPaddingMask, fullyMaskedRows, Mask } from "./masks";
import { checkMatrix, shapeOf } from "./matrix";
import {
  _checkedLater, _validateOptions, _checkSize, _forwardBytes, _isBoolean, _isOneOf, LayerSizes, OptionCheck,
} from "./_validate";
import type { BoolMask, Matrix } from "./types";

/** Options of MultiHeadAttention.forward and fastForward; masks follow PyTorch's nn.MultiheadAttention. */
export interface ForwardOptions {
  /** (L, S) boolean (true = not allowed) or float (added to the scaled scores) */ attnMask?: BoolMask | Matrix | null;
  /** (S,) boolean (true = padding, ignored) or float (added) */ keyPaddingMask?: boolean[] | number[] | null;
  /** also apply causalMask(L, S): query i sees keys 0 … i */ causal?: boolean;
  /**
   * "readable" (default): each step as its file reads (plain loops on nested arrays);
   * "fast": fastForward of mha-lab/fast (one flat pass on Float64Array buffers), loaded by importing mha-lab/fast
   * (the package's main entry loads it too). Both return the same trace, to rounding.
   */
  kernel?: "readable" | "fast";
}

/** What a forward pass needs of a layer: a MultiHeadAttention satisfies it. */
export type ForwardLayer = LayerSizes;

/** The checks of every forward option. */
export const FORWARD_OPTIONS: { [key: string]: OptionCheck } = {
  attnMask: _checkedLater, keyPaddingMask: _checkedLater, causal: _isBoolean, kernel: _isOneOf(["readable", "fast"]),
};

/** The checked inputs of a forward pass. */
export interface ForwardInputs {
  L: number;
  S: number;
  /** (S, kdim): the key, defaulting to the query */ key: Matrix;
  /** (S, vdim): the value, defaulting to the key */ value: Matrix;
  /** (L, S) attnMask, keyPaddingMask and the causal flag combined into one additive mask, or null */ mask: Matrix | null;
  /** query rows whose keys are all masked */ fullyMaskedRows: number[];
}

function _isOptionsObject(x: unknown): boolean {
  return x != null && typeof x === "object" && !Array.isArray(x);
}

/**
 * Sort out the call shapes forward and fastForward accept after the query:
 *   (options), (key), (key, options), (key, value), (key, value, options), with null for a defaulted key or value.
 * @param rest the arguments after the query
 */
export function _forwardArgs(rest: unknown[]): { key: unknown; value: unknown; options: unknown } {
  if (rest.length > 3) throw new Error(`forward takes (query, key?, value?, options?), got ${rest.length + 1} arguments`);
  const last = rest.length - 1;
  if (last >= 0 && _isOptionsObject(rest[last])) {
    const before = rest.slice(0, last);
    return { key: before[0], value: before[1], options: rest[last] };
  }
  if (rest.length === 3 && rest[2] == null) return { key: rest[0], value: rest[1], options: {} };
  if (rest.length === 3) return { key: rest[0], value: rest[1], options: rest[2] }; // rejected by _validateOptions
  return { key: rest[0], value: rest[1], options: {} };
}

/**
 * Validate query, key, value and options against the layer (sizes before any allocation) and combine the masks.
 * @param layer a trusted layer (see _trustedLayer)
 * @param query (L, dModel)
 * @param key (S, kdim), default query
 * @param value (S, vdim), default key
 * @param where "forward" or "fastForward", for messages
 */
export function _forwardInputs(
  layer: ForwardLayer, query: unknown, key: unknown, value: unknown, options: unknown, where = "forward",
): ForwardInputs & { options: ForwardOptions } {
  _validateOptions(where, options, FORWARD_OPTIONS);
  const o = options as ForwardOptions;
  const E = layer.dModel;
  const [L] = shapeOf(checkMatrix("query", query, { cols: { n: E, why: `dModel is ${E}` } })); // (L, E)
  const k = (key ?? query) as Matrix;
  const v = (value ?? k) as Matrix;
  const [S] = shapeOf(checkMatrix("key", k, { cols: { n: layer.kdim, why: `kdim is ${layer.kdim}` } })); // (S, kdim)
  checkMatrix("value", v, {
    rows: { n: S, why: `key has ${S} rows` }, cols: { n: layer.vdim, why: `vdim is ${layer.vdim}` },
  }); // (S, vdim)
  _checkSize(`${where} with L = ${L} queries and S = ${S} keys (h = ${layer.numHeads}, dModel = ${E})`,
    _forwardBytes(L, S, E, layer.numHeads, layer.numKVHeads), "split the sequence into shorter chunks");
  const masks: Mask[] = [];
  if (o.attnMask != null) masks.push(checkMask("attnMask", o.attnMask, L, S)); // (L, S)
  if (o.keyPaddingMask != null) {
    masks.push(expandKeyPaddingMask(checkKeyPaddingMask("keyPaddingMask", o.keyPaddingMask, S), L)); // (L, S)
  }
  if (o.causal) masks.push(causalMask(L, S)); // (L, S)
  const mask = masks.length > 0 ? combineMasks(...masks) : null; // (L, S) additive
  return { L, S, key: k, value: v, mask, fullyMaskedRows: mask == null ? [] : fullyMaskedRows(mask), options: o };
}
