/**
 * Module-private: the input checks and the combined mask that every forward pass starts with
 * (MultiHeadAttention.forward and the fast kernel's fastForward share them).
 *
 * Dependencies: checkMatrix, masks.
 */
import { causalMask, checkKeyPaddingMask, checkMask, combineMasks, expandKeyPaddingMask, fullyMaskedRows, Mask } from "./masks";
import { checkMatrix, shapeOf } from "./matrix";
import type { ForwardOptions, MultiHeadAttention } from "./multi-head";
import type { Matrix } from "./trace";

/** What a forward pass needs of a layer: a MultiHeadAttention satisfies it. */
export type ForwardLayer = Pick<MultiHeadAttention, "dModel" | "numHeads" | "dK" | "dV" | "kdim" | "vdim" | "params">;

/** The checked inputs of a forward pass. */
export interface ForwardInputs {
  L: number;
  S: number;
  /** (S, kdim): the key, defaulting to the query */ key: Matrix;
  /** (S, vdim): the value, defaulting to the key */ value: Matrix;
  /** (L, S) attnMask, keyPaddingMask and the causal flag combined into one additive mask, or null */ mask: Matrix | null;
  /** query rows whose keys are all masked */ fullyMaskedRows: number[];
}

/**
 * Validate query, key, value and options against the layer and combine the masks.
 * @param layer the layer's sizes
 * @param query (L, dModel)
 * @param key (S, kdim), default query
 * @param value (S, vdim), default key
 */
export function _forwardInputs(
  layer: ForwardLayer, query: Matrix, key: Matrix | null | undefined, value: Matrix | null | undefined, options: ForwardOptions,
): ForwardInputs {
  if (options == null || typeof options !== "object") throw new Error("options must be { attnMask?, keyPaddingMask?, causal? }");
  const E = layer.dModel;
  const [L] = shapeOf(checkMatrix("query", query, { cols: { n: E, why: `dModel is ${E}` } })); // (L, E)
  const k = key ?? query;
  const v = value ?? k;
  const [S] = shapeOf(checkMatrix("key", k, { cols: { n: layer.kdim, why: `kdim is ${layer.kdim}` } })); // (S, kdim)
  checkMatrix("value", v, {
    rows: { n: S, why: `key has ${S} rows` }, cols: { n: layer.vdim, why: `vdim is ${layer.vdim}` },
  }); // (S, vdim)
  if (options.causal !== undefined && typeof options.causal !== "boolean") {
    throw new Error(`causal must be true or false, got ${String(options.causal)}`);
  }
  const masks: Mask[] = [];
  if (options.attnMask != null) masks.push(checkMask("attnMask", options.attnMask, L, S)); // (L, S)
  if (options.keyPaddingMask != null) {
    masks.push(expandKeyPaddingMask(checkKeyPaddingMask("keyPaddingMask", options.keyPaddingMask, S), L)); // (L, S)
  }
  if (options.causal) masks.push(causalMask(L, S)); // (L, S)
  const mask = masks.length > 0 ? combineMasks(...masks) : null; // (L, S) additive
  return { L, S, key: k, value: v, mask, fullyMaskedRows: mask == null ? [] : fullyMaskedRows(mask) };
}
