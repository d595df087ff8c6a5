/**
 * Module-private: the validation layer both forward paths share (the readable mathjs path and the fast
 * kernel). It checks, once, at the public boundary:
 *   - options objects like arguments: an unknown key is an error that suggests the right one
 *     ("`attn_mask` is not an option of forward; did you mean `attnMask`?"), and wrong types are errors;
 *   - a layer's parameters (shape, type, finiteness) when it is built, then freezes them (deep), so no
 *     later edit can put a layer into a state a forward pass computes garbage from;
 *   - sizes before memory is allocated (the estimate of what a call would hold vs a fixed budget).
 * Non-finite intermediates are reported by _overflow.ts.
 *
 * Dependencies: checkMatrix, checkVector, checkPositiveInt, headSize.
 */
import { _suggest as _suggestKey } from "../_suggest";
import { checkMatrix, checkPositiveInt, checkVector, headSize, shapeOf } from "./matrix";
import type { Matrix, MhaParams, Vector } from "./trace";

// ---------------------------------------------------------------- options

/** Checks one option's value; throws an Error naming `name` when it is wrong. */
export type OptionCheck = (value: unknown, name: string) => void;

function _describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return `the string ${JSON.stringify(value.length > 20 ? value.slice(0, 20) + "…" : value)}`;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return typeof value;
}

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
 * The most numbers one call may hold (2^28 = 268 million float64 = 2 GiB as plain data, about half of
 * Node's default 4 GiB heap on a 24 GB machine). Checked BEFORE anything is allocated: running out of heap
 * aborts the whole process and cannot be caught.
 */
export const MAX_NUMBERS = 2 ** 28;

/**
 * Throw a clear error before allocating when a call would hold more than MAX_NUMBERS numbers.
 * @param what what is being built, e.g. "MultiHeadAttention.random({ dModel: 100000 })"
 * @param numbers how many numbers it would hold
 * @param hint what to do instead
 */
export function _checkSize(what: string, numbers: number, hint: string): void {
  if (numbers <= MAX_NUMBERS) return;
  const gb = (numbers * 8) / 2 ** 30;
  throw new Error(`${what} would hold ${numbers.toExponential(2)} numbers (${gb >= 10 ? gb.toFixed(0) : gb.toFixed(1)} GiB), ` +
    `more than the ${MAX_NUMBERS.toExponential(2)} (2 GiB) mha-lab accepts in one call; ${hint}`);
}

/**
 * How many numbers a forward trace holds (and the readable path makes on the way), for h heads:
 * per head scores, scaledScores, maskedScores, weights (L·S each) and the softmax's exponentials, q, k, v, output;
 * the mask and meanWeights; contributions (h·L·dModel); concat and output.
 */
export function _forwardNumbers(L: number, S: number, E: number, h: number): number {
  const d = E / h;
  return h * (5 * L * S + 2 * L * d + 2 * S * d) + 3 * L * S + h * L * E + 3 * L * E;
}

// ---------------------------------------------------------------- the layer's parameters

/** What a forward pass needs of a layer: a MultiHeadAttention satisfies it. */
export interface LayerSizes {
  dModel: number;
  numHeads: number;
  dK: number;
  dV: number;
  kdim: number;
  vdim: number;
  params: MhaParams;
}

/** Layers whose parameters were validated, copied and frozen by the constructor: trusted by every forward. */
const _validated = new WeakSet<object>();

function _frozenCopy(m: Matrix): Matrix {
  return Object.freeze(m.map((row) => Object.freeze(row.slice()))) as Matrix;
}

/**
 * Validate paper-orientation parameters and return their sizes with a deep-frozen copy of them.
 * @param params { wQ (dModel, dModel), wK (kdim, dModel), wV (vdim, dModel), wO (dModel, dModel), bQ … bO (dModel,) or null }
 * @param numHeads h; dModel must be divisible by h
 * @param where how the user calls it (for messages), e.g. "new MultiHeadAttention"
 */
export function _checkParams(params: unknown, numHeads: unknown, where = "new MultiHeadAttention"): LayerSizes {
  const keys = ["wQ", "wK", "wV", "wO", "bQ", "bK", "bV", "bO"];
  if (params == null || typeof params !== "object" || Array.isArray(params)) {
    throw new Error(`${where}: params must be { ${keys.join(", ")} }, got ${_describe(params)}`);
  }
  for (const key of Object.keys(params)) {
    if (!keys.includes(key)) {
      const s = _suggest(key, keys);
      throw new Error(`\`${key}\` is not a parameter of MultiHeadAttention; ${s ? `did you mean \`${s}\`?` : `the parameters are ${keys.join(", ")}`}`);
    }
  }
  const p = params as { [key: string]: unknown };
  for (const key of ["wQ", "wK", "wV", "wO"]) if (p[key] === undefined) throw new Error(`${where}: params.${key} is missing`);
  const h = checkPositiveInt("numHeads", numHeads);
  const wQ = checkMatrix("wQ", p.wQ);
  const [E] = shapeOf(wQ);
  checkMatrix("wQ", wQ, { cols: { n: E, why: `wQ has ${E} rows (dModel)` } });
  const dK = headSize("dModel", E, h);
  const dModelIs = { n: E, why: `dModel is ${E}` };
  const [kdim] = shapeOf(checkMatrix("wK", p.wK, { cols: dModelIs }));
  const [vdim] = shapeOf(checkMatrix("wV", p.wV, { cols: dModelIs }));
  checkMatrix("wO", p.wO, { rows: dModelIs, cols: dModelIs });
  const bias = (name: string): Vector | null => {
    const b = p[name];
    return b == null ? null : (Object.freeze(checkVector(name, b, dModelIs).slice()) as Vector);
  };
  const frozen: MhaParams = Object.freeze({
    wQ: _frozenCopy(wQ), wK: _frozenCopy(p.wK as Matrix), wV: _frozenCopy(p.wV as Matrix), wO: _frozenCopy(p.wO as Matrix),
    bQ: bias("bQ"), bK: bias("bK"), bV: bias("bV"), bO: bias("bO"),
  });
  return { dModel: E, numHeads: h, dK, dV: dK, kdim, vdim, params: frozen };
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
  if (layer != null && typeof layer === "object" && _validated.has(layer)) return layer as LayerSizes;
  if (layer == null || typeof layer !== "object") {
    throw new Error(`${where} needs a MultiHeadAttention layer as its first argument, got ${_describe(layer)}`);
  }
  const l = layer as Partial<LayerSizes>;
  let checked: LayerSizes;
  try {
    checked = _checkParams(l.params, l.numHeads, where);
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
