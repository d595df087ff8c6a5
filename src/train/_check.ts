/**
 * Module-private: the checks every public entry of mha-lab/train runs on what the user passes (examples,
 * options) and on what training produces (non-finite losses, gradients, weights). Options go through
 * src/math/_validate.ts's _validateOptions (unknown keys suggest the right one); the rest is here.
 *
 * Dependencies: _validateOptions (src/math/_validate.ts).
 */
import type { OptionCheck } from "../math/_validate";
import type { TinyModelConfig } from "./model";
import type { Optimizer } from "./optimizers";

/** A short description of a value for error messages. */
export function _what(v: unknown): string {
  if (v === null) return "null";
  if (v === undefined) return "undefined";
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === "string") return JSON.stringify(v.length > 20 ? v.slice(0, 20) + "…" : v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return typeof v;
}

/** An option that must be an integer ≥ min. */
export function _intAtLeast(min: number): OptionCheck {
  return (v, name) => {
    if (typeof v !== "number" || !Number.isInteger(v) || v < min) throw new Error(`${name} must be an integer ≥ ${min}, got ${_what(v)}`);
  };
}

/** An option that must be a finite number ≥ 0. */
export const _isNonNegative: OptionCheck = (v, name) => {
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0) throw new Error(`${name} must be a finite number ≥ 0, got ${_what(v)}`);
};

/** An option that must be a finite number > 0. */
export const _isPositive: OptionCheck = (v, name) => {
  if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) throw new Error(`${name} must be a finite number > 0, got ${_what(v)}`);
};

/** An option that must be a function. */
export const _isFunction: OptionCheck = (v, name) => {
  if (typeof v !== "function") throw new Error(`${name} must be a function, got ${_what(v)}`);
};

/** A learning rate as people write it: 0.01, 1e6, 1e-5. */
export function _fmtNumber(x: number): string {
  if (x !== 0 && Number.isFinite(x) && (Math.abs(x) >= 1e4 || Math.abs(x) < 1e-3)) return x.toExponential().replace("e+", "e");
  return String(x);
}

/**
 * Throw unless examples is a non-empty array of { tokens, targets } the model can score: tokens are
 * integers in 0 … vocab − 1, all examples as long as the first and no longer than the model's length;
 * targets has one row per output part, each as long as tokens, of integers in 0 … numClasses − 1 or −1
 * (not scored).
 * @param where the call, e.g. "evaluate" or "stepper().step"
 * @param name the argument, e.g. "examples" or "batch"
 * @param examples what the user passed
 * @param config the model's sizes
 */
export function _checkExamples(where: string, name: string, examples: unknown, config: TinyModelConfig): void {
  if (!Array.isArray(examples) || examples.length === 0) {
    throw new Error(`${where}: ${name} must be a non-empty array of { tokens, targets }, got ${_what(examples)}`);
  }
  const { vocab, length, numClasses: C, parts } = config;
  let L0 = -1;
  for (let n = 0; n < examples.length; n++) {
    const ex = examples[n] as { tokens?: unknown; targets?: unknown } | null;
    const at = `${name}[${n}]`;
    if (ex == null || typeof ex !== "object" || Array.isArray(ex)) throw new Error(`${where}: ${at} must be { tokens, targets }, got ${_what(ex)}`);
    const { tokens, targets } = ex;
    if (!Array.isArray(tokens) || tokens.length === 0) throw new Error(`${where}: ${at}.tokens must be a non-empty array of token ids, got ${_what(tokens)}`);
    const L = tokens.length;
    if (L > length) throw new Error(`${where}: ${at}.tokens has ${L} tokens but the model's length is ${length}`);
    if (n === 0) L0 = L;
    else if (L !== L0) throw new Error(`${where}: ${at}.tokens has ${L} tokens but ${name}[0].tokens has ${L0}; all examples must be equally long`);
    for (let i = 0; i < L; i++) {
      const t = tokens[i];
      if (typeof t !== "number" || !Number.isInteger(t) || t < 0 || t >= vocab) {
        throw new Error(`${where}: ${at}.tokens[${i}] is ${_what(t)}, not a token id in 0…${vocab - 1} (the model's vocab is ${vocab})`);
      }
    }
    if (!Array.isArray(targets) || targets.length !== parts) {
      throw new Error(`${where}: ${at}.targets must have one row per output part (${parts}), got ${_what(targets)}`);
    }
    for (let p = 0; p < parts; p++) {
      const row = targets[p];
      if (!Array.isArray(row) || row.length !== L) {
        throw new Error(`${where}: ${at}.targets[${p}] must have one target per token (${L}), got ${_what(row)}`);
      }
      for (let i = 0; i < L; i++) {
        const t = row[i];
        if (typeof t !== "number" || !Number.isInteger(t) || t < -1 || t >= C) {
          throw new Error(`${where}: ${at}.targets[${p}][${i}] is ${_what(t)}, not a class in 0…${C - 1} or −1 (not scored)`);
        }
      }
    }
  }
}

/**
 * Throw when a training step produced a non-finite loss, gradient or weights, naming the step, the optimiser
 * and its learning rate.
 * @param what e.g. "loss", "the gradient", "the weights"
 * @param value the first non-finite value found
 * @param step 1-based step of the stepper
 * @param optimizer the optimiser in use
 */
export function _nonFinite(what: string, value: number, step: number, optimizer: Optimizer): Error {
  return new Error(`${what} became ${String(value)} at step ${step} (${optimizer.name}, lr ${_fmtNumber(optimizer.lr)}): lower the learning rate`);
}

/** The first non-finite entry of a, or null. */
export function _firstNonFinite(a: Float64Array): number | null {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return a[i];
  return null;
}
