/**
 * Module-private: the validation layer both forward paths share (the readable path and the fast
 * kernel). It checks, once, at the public boundary:
 *   - options objects like arguments: an unknown key is an error that suggests the right one
 *     ("`attn_mask` is not an option of forward; did you mean `attnMask`?"), and wrong types are errors;
 *   - a layer's parameters (shape, type, finiteness) when it is built, then freezes them (deep), so no
 *     later edit can put a layer into a state a forward pass computes garbage from;
 *   - sizes before memory is allocated (the estimate of what a call would hold vs a fixed budget).
 * Non-finite intermediates are reported by _overflow.ts.
 *
 * Dependencies: checkMatrix, checkVector, checkPositiveInt, headSize, _describe, _suggest.
 */
import { _suggest as _suggestKey } from "../_suggest";
import { _describe } from "./_describe";
import { checkMatrix, checkPositiveInt, checkVector, headSize, shapeOf } from "./matrix";
import type { MhaParams } from "./trace";
import type { Matrix, Scoring, Vector } from "./types";

// ---------------------------------------------------------------- options

/** Checks one option's value; throws an Error naming `name` when it is wrong. */
export type OptionCheck = (value: unknown, name: string) => void;

/** Option names of other libraries, and common slips, mapped to ours. */
const _ALIASES: { [spelling: string]: string } = {
  mask: "attnMask", attentionmask: "attnMask", srcmask: "attnMask",
  iscausal: "causal", srckeypaddingmask: "keyPaddingMask", paddingmask: "keyPaddingMask",
  heads: "numHeads", numheads: "numHeads", nhead: "numHeads", embeddim: "dModel", dmodel: "dModel", hidden: "dModel",
  usebias: "bias", addbias: "bias", randomseed: "seed", impl: "kernel", backend: "kernel",
};

/**
 * The known option closest to an unknown key, or null: same letters ignoring case and _ - (attn_mask →
 * attnMask), a known alias (mask → attnMask, is_causal → causal), or at most 2 edits away (casual → causal).
 */
export function _suggest(key: string, known: string[]): string | null {
  return _suggestKey(key, known, _ALIASES);
}

/**
 * Check an options object against its spec: it must be a plain object, every key must be known, and every
 * value that is not undefined must pass its check.
 * @param where how the user calls the function, e.g. "forward" or "MultiHeadAttention.random"
 * @param options the object the user passed
 * @param spec { key: check }
 * @param required keys that must be present
 * @example _validateOptions("forward", { attn_mask: [[0]] }, { attnMask: () => {} }) // throws "`attn_mask` is not an option of forward; did you mean `attnMask`?"
 */
export function _validateOptions(where: string, options: unknown, spec: { [key: string]: OptionCheck }, required: string[] = []): void {
  const known = Object.keys(spec);
  if (options == null || typeof options !== "object" || Array.isArray(options)) {
    throw new Error(`${where} options must be an object { ${known.join(", ")} }, got ${_describe(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (Object.prototype.hasOwnProperty.call(spec, key)) continue;
    const s = _suggest(key, known);
    throw new Error(`\`${key}\` is not an option of ${where}; ` +
      (s ? `did you mean \`${s}\`?` : `the options are ${known.map((k) => `\`${k}\``).join(", ")}`));
  }
  const o = options as { [key: string]: unknown };
  for (const key of required) {
    if (o[key] === undefined) throw new Error(`${where} needs \`${key}\``);
  }
  for (const key of known) if (o[key] !== undefined) spec[key](o[key], key);
}

/** An option that must be true or false. */
export const _isBoolean: OptionCheck = (v, name) => {
  if (typeof v !== "boolean") throw new Error(`${name} must be true or false, got ${_describe(v)}`);
};

/** An option that must be a positive integer. */
export const _isPositiveInt: OptionCheck = (v, name) => {
  checkPositiveInt(name, v);
};

/** An option that must be a safe integer (a seed). */
export const _isSafeInteger: OptionCheck = (v, name) => {
  if (typeof v !== "number" || !Number.isSafeInteger(v)) throw new Error(`${name} must be an integer, got ${_describe(v)}`);
};

/** An option that must be a string. */
export const _isString: OptionCheck = (v, name) => {
  if (typeof v !== "string") throw new Error(`${name} must be a string, got ${_describe(v)}`);
};

/** An option that must be one of the given strings. */
export function _isOneOf(values: string[]): OptionCheck {
  return (v, name) => {
    if (typeof v !== "string" || !values.includes(v)) {
      throw new Error(`${name} must be ${values.map((x) => JSON.stringify(x)).join(" or ")}, got ${_describe(v)}`);
    }
  };
}

/** An option that is validated later, where its shape is known (masks): anything passes here. */
export const _checkedLater: OptionCheck = () => {};

// ---------------------------------------------------------------- sizes

/**
 * The most memory one call may allocate: 2 GiB, about half of Node's default 4 GiB heap on a 24 GB machine.
 * Checked BEFORE anything is allocated: running out of heap aborts the whole process and cannot be caught.
 */
export const MAX_BYTES = 2 ** 31;

/** Bytes V8 uses for one nested array entry (a number or a boolean): an 8-byte slot. */
const _SLOT_BYTES = 8;
/** Bytes of a JavaScript array's own header and length (about 32 on 64-bit V8). */
const _ARRAY_BYTES = 32;

/**
 * Bytes of a nested (rows, cols) array of numbers or booleans, as V8 allocates it: one array of rows, and each
 * row an array of 8-byte slots.
 * @example _nestedBytes(2, 3) // returns 144
 */
export function _nestedBytes(rows: number, cols: number): number {
  return _ARRAY_BYTES + rows * (_ARRAY_BYTES + cols * _SLOT_BYTES);
}

/** Bytes of a Float64Array of n numbers. */
export function _flatBytes(n: number): number {
  return 8 * n;
}

/** Memory as people read it: "4.5 GiB", "512 MiB". */
function _formatBytes(bytes: number): string {
  const gib = bytes / 2 ** 30;
  if (gib >= 1) return `${gib >= 10 ? gib.toFixed(0) : gib.toFixed(1)} GiB`;
  return `${(bytes / 2 ** 20).toFixed(0)} MiB`;
}

/**
 * Throw a clear error before allocating when a call would need more than MAX_BYTES.
 * @param what what is being built, e.g. "MultiHeadAttention.random({ dModel: 100000 })"
 * @param bytes how much memory it would allocate, counted the way the allocation is made (_nestedBytes, _flatBytes)
 * @param hint what to do instead
 * @example _checkSize("expandKeyPaddingMask(mask, 100000000)", _nestedBytes(1e8, 2), "use a shorter sequence") // throws "expandKeyPaddingMask(mask, 100000000) would allocate 4.5 GiB"
 */
export function _checkSize(what: string, bytes: number, hint: string): void {
  if (bytes <= MAX_BYTES) return;
  throw new Error(`${what} would allocate ${_formatBytes(bytes)}, more than the ${_formatBytes(MAX_BYTES)} mha-lab accepts in ` +
    `one call; ${hint}`);
}

/**
 * The bytes a readable forward trace holds (and makes on the way), for h query heads and hKV key/value heads, all
 * nested arrays: per head scores, scaledScores, maskedScores, weights (L·S each) and the softmax's exponentials,
 * q and output (L·d); per key/value head k and v (S·d); the mask and meanWeights; contributions (h·L·dModel);
 * concat and output.
 */
export function _forwardBytes(L: number, S: number, E: number, h: number, hKV: number = h): number {
  const d = E / h;
  return h * (5 * _nestedBytes(L, S) + 2 * _nestedBytes(L, d)) + hKV * 2 * _nestedBytes(S, d) +
    3 * _nestedBytes(L, S) + h * _nestedBytes(L, E) + 3 * _nestedBytes(L, E);
}

// ---------------------------------------------------------------- the layer's parameters

/** What a forward pass needs of a layer: a MultiHeadAttention satisfies it. */
export interface LayerSizes {
  dModel: number;
  numHeads: number;
  /** key/value heads (grouped-query attention); numHeads for ordinary multi-head attention */ numKVHeads: number;
  dK: number;
  dV: number;
  kdim: number;
  vdim: number;
  params: MhaParams;
  /** how each head scores: "dot" (absent = "dot") or "additive" (then params also holds wA (numHeads, dK)) */
  scoring?: Scoring;
}

/** Layers whose parameters were validated, copied and frozen by the constructor: trusted by every forward. */
const _validated = new WeakSet<object>();

function _frozenCopy(m: Matrix): Matrix {
  return Object.freeze(m.map((row) => Object.freeze(row.slice()))) as Matrix;
}

/**
 * Validate paper-orientation parameters and return their sizes with a deep-frozen copy of them.
 * @param params { wQ (dModel, dModel), wK (kdim, hKV·dK), wV (vdim, hKV·dV), wO (dModel, dModel), bQ, bO (dModel,),
 *   bK, bV (hKV·dK,), each bias or null }
 * @param numHeads h; dModel must be divisible by h
 * @param where how the user calls it (for messages), e.g. "new MultiHeadAttention"
 * @param numKVHeads hKV, key/value heads (default numHeads); numHeads must be divisible by it
 * @param scoring "dot" (default) or "additive": then params.wA (numHeads, dK) is required (and only then allowed)
 */
export function _checkParams(
  params: unknown, numHeads: unknown, where = "new MultiHeadAttention", numKVHeads?: unknown, scoring: Scoring = "dot",
): LayerSizes {
  const keys = ["wQ", "wK", "wV", "wO", "bQ", "bK", "bV", "bO"];
  if (params == null || typeof params !== "object" || Array.isArray(params)) {
    throw new Error(`${where}: params must be { ${keys.join(", ")} }, got ${_describe(params)}`);
  }
  keys.push("wA"); // additive scoring's score vectors (checked below)
  for (const key of Object.keys(params)) {
    if (!keys.includes(key)) {
      const s = _suggest(key, keys);
      throw new Error(`\`${key}\` is not a parameter of MultiHeadAttention; ${s ? `did you mean \`${s}\`?` : `the parameters are ${keys.join(", ")}`}`);
    }
  }
  const p = params as { [key: string]: unknown };
  for (const key of ["wQ", "wK", "wV", "wO"]) if (p[key] === undefined) throw new Error(`${where}: params.${key} is missing`);
  const h = checkPositiveInt("numHeads", numHeads);
  const hKV = numKVHeads === undefined ? h : checkPositiveInt("numKVHeads", numKVHeads);
  if (h % hKV !== 0) throw new Error(`numHeads ${h} is not divisible by numKVHeads ${hKV}: each key/value head serves the same number of query heads`);
  const wQ = checkMatrix("wQ", p.wQ);
  const [E] = shapeOf(wQ);
  checkMatrix("wQ", wQ, { cols: { n: E, why: `wQ has ${E} rows (dModel)` } });
  const dK = headSize("dModel", E, h);
  const dModelIs = { n: E, why: `dModel is ${E}` };
  const kvWidth = { n: hKV * dK, why: hKV === h ? `dModel is ${E}` : `numKVHeads ${hKV} × dK ${dK} = ${hKV * dK}` };
  const [kdim] = shapeOf(checkMatrix("wK", p.wK, { cols: kvWidth }));
  const [vdim] = shapeOf(checkMatrix("wV", p.wV, { cols: kvWidth }));
  checkMatrix("wO", p.wO, { rows: dModelIs, cols: dModelIs });
  const bias = (name: string, width: { n: number; why: string }): Vector | null => {
    const b = p[name];
    return b == null ? null : (Object.freeze(checkVector(name, b, width).slice()) as Vector);
  };
  // additive scoring's score vectors: row i is head i's w_i; no other scoring reads them
  if (scoring === "additive" && p.wA == null) {
    throw new Error(`${where}: scoring "additive" needs params.wA (numHeads, dK) = (${h}, ${dK}), one score vector per head`);
  }
  if (scoring !== "additive" && p.wA != null) {
    throw new Error(`${where}: params.wA is only read by additive scoring; pass { scoring: "additive" }, or drop wA`);
  }
  const wA = scoring === "additive"
    ? { wA: _frozenCopy(checkMatrix("wA", p.wA, { rows: { n: h, why: `numHeads is ${h}` }, cols: { n: dK, why: `dK is ${dK}` } })) }
    : {};
  const frozen: MhaParams = Object.freeze({
    wQ: _frozenCopy(wQ), wK: _frozenCopy(p.wK as Matrix), wV: _frozenCopy(p.wV as Matrix), wO: _frozenCopy(p.wO as Matrix),
    bQ: bias("bQ", dModelIs), bK: bias("bK", kvWidth), bV: bias("bV", kvWidth), bO: bias("bO", dModelIs), ...wA,
  });
  return { dModel: E, numHeads: h, numKVHeads: hKV, dK, dV: dK, kdim, vdim, params: frozen, scoring };
}

/** Mark a constructed (and frozen) layer as validated. */
export function _markValidated(layer: object): void {
  _validated.add(layer);
}

/**
 * The layer a forward pass may trust: a MultiHeadAttention built by the constructor passes at once (its
 * parameters were checked and frozen); anything else (a hand-made object) is checked in full, sizes included.
 * @param layer what the user passed as the layer
 * @param where e.g. "fastForward"
 */
export function _trustedLayer(layer: unknown, where: string): LayerSizes {
  if (layer != null && typeof layer === "object" && (layer as LayerSizes).scoring === "additive") {
    throw new Error(`${where} computes dot-product heads only, and this layer scores additively (scoring "additive"): ` +
      "call its readable forward, mha.forward(…), or the block Attention.forward(…, { scoring: \"additive\" })");
  }
  if (layer != null && typeof layer === "object" && _validated.has(layer)) return layer as LayerSizes;
  if (layer == null || typeof layer !== "object") {
    throw new Error(`${where} needs a MultiHeadAttention layer as its first argument, got ${_describe(layer)}`);
  }
  const l = layer as Partial<LayerSizes>;
  let checked: LayerSizes;
  try {
    checked = _checkParams(l.params, l.numHeads, where, l.numKVHeads);
  } catch (e) {
    throw new Error(`${where}: the layer is not a MultiHeadAttention built by its constructor, and its parameters do not hold up: ${(e as Error).message}`);
  }
  for (const key of ["dModel", "dK", "dV", "kdim", "vdim"] as const) {
    if (l[key] !== checked[key]) {
      throw new Error(`${where}: the layer says ${key} = ${_describe(l[key])} but its parameters give ${checked[key]}`);
    }
  }
  return checked;
}
