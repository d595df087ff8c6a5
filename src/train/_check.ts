/**
 * Module-private: the checks every public entry of mha-lab/train runs on what the user passes (examples,
 * options) and on what training produces (non-finite losses, gradients, weights). Options go through
 * src/math/_validate.ts's _validateOptions (unknown keys suggest the right one); the rest is here.
 *
 * Dependencies: _validateOptions (src/math/_validate.ts).
 */
import { _suggest } from "../_suggest";
import { _describe } from "../math/_describe";
import { _validateOptions } from "../math/_validate";
import type { OptionCheck } from "../math/_validate";

/** Other libraries' names for the trainer's options (keyed as src/_suggest.ts's _normalKey spells them). */
const _TRAIN_ALIASES: { [normalKey: string]: string } = {
  learningrate: "lr", lrate: "lr", stepsize: "lr", alpha: "lr", b1: "beta1", b2: "beta2", epsilon: "eps",
  mom: "momentum", numsteps: "steps", iterations: "steps", iters: "steps", maxsteps: "steps", batch: "batchSize",
  bs: "batchSize", valfraction: "validationFraction", valsplit: "validationFraction", validationsplit: "validationFraction",
  randomseed: "seed", headmask: "headMask",
};

/**
 * _validateOptions (src/math/_validate.ts) with the trainer's aliases too: `adam({ learning_rate })` suggests `lr`,
 * which is too far from `lr` in spelling for the shared suggestion to find.
 * @param where how the user calls it, e.g. "adam"
 * @param options what the user passed
 * @param spec { key: check }
 * @param required keys that must be present
 * @example _checkOptions("adam", { learning_rate: 0.1 }, { lr: _isPositive }) // throws "`learning_rate` is not an option of adam; did you mean `lr`?"
 */
export function _checkOptions(where: string, options: unknown, spec: { [key: string]: OptionCheck }, required: string[] = []): void {
  if (options != null && typeof options === "object" && !Array.isArray(options)) {
    for (const key of Object.keys(options)) {
      if (Object.prototype.hasOwnProperty.call(spec, key)) continue;
      const s = _suggest(key, Object.keys(spec), _TRAIN_ALIASES);
      if (s !== null) throw new Error(`\`${key}\` is not an option of ${where}; did you mean \`${s}\`?`);
    }
  }
  _validateOptions(where, options, spec, required);
}

/** The sizes of a TinyModel (TinyModelConfig extends this; declared here so model.ts can import this file without a cycle). */
export interface _Sizes {
  /** input tokens are 0 … vocab − 1 */ vocab: number;
  /** the longest sequence L */ length: number;
  dModel: number;
  numHeads: number;
  /** classes per output part */ numClasses: number;
  /** output parts */ parts: number;
}


/** An option that must be an integer ≥ min. */
export function _intAtLeast(min: number): OptionCheck {
  return (v, name) => {
    if (typeof v !== "number" || !Number.isInteger(v) || v < min) throw new Error(`${name} must be an integer ≥ ${min}, got ${_describe(v)}`);
  };
}

/** An option that must be a finite number ≥ 0. */
export const _isNonNegative: OptionCheck = (v, name) => {
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0) throw new Error(`${name} must be a finite number ≥ 0, got ${_describe(v)}`);
};

/** An option that must be a finite number > 0. */
export const _isPositive: OptionCheck = (v, name) => {
  if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) throw new Error(`${name} must be a finite number > 0, got ${_describe(v)}`);
};

/** An option that must be a function. */
export const _isFunction: OptionCheck = (v, name) => {
  if (typeof v !== "function") throw new Error(`${name} must be a function, got ${_describe(v)}`);
};

/** An option that must be a number in [0, 1) (Adam's β, SGD's momentum: at 1 the running average never forgets). */
export function _isRateBelowOne(why: string): OptionCheck {
  return (v, name) => {
    if (typeof v !== "number" || !(v >= 0 && v < 1)) throw new Error(`${name} must be a number in [0, 1), got ${_describe(v)}${v === 1 ? `: ${why}` : ""}`);
  };
}

// ---------------------------------------------------------------- sizes, checked before anything is allocated

/**
 * The most memory one call of mha-lab/train may allocate: 512 MiB. A bigger request is refused with an error
 * before allocating, because running out of heap aborts Node (and the notebook's kernel) and cannot be caught.
 */
export const MAX_TRAIN_BYTES = 2 ** 29;

/** The most updates one train() call makes: a million steps of even the smallest model take minutes. */
export const MAX_STEPS = 1_000_000;

/** Bytes as people read them: 512 MiB, 7.5 GiB, 1.2 TiB. */
export function _fmtBytes(bytes: number): string {
  const units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let u = 0;
  let x = bytes;
  while (x >= 1024 && u < units.length - 1) { x /= 1024; u++; }
  return `${u === 0 ? x : x >= 100 ? x.toFixed(0) : x.toPrecision(2)} ${units[u]}`;
}

/**
 * Throw before allocating when `bytes` is over MAX_TRAIN_BYTES.
 * @param what the call and what it would build, e.g. "task.examples(1000000000)"
 * @param bytes the estimate, counted the way the allocation is made (Float64Array: 8 bytes a number; a JS array:
 *   8 bytes an entry plus about 48 for the array)
 * @param hint what to do instead
 * @example _checkBytes("x", 2 ** 30, "ask for less") // throws "x would allocate about 1.0 GiB, more than the 512 MiB mha-lab/train allows in one call; ask for less"
 */
export function _checkBytes(what: string, bytes: number, hint: string): void {
  if (bytes <= MAX_TRAIN_BYTES) return;
  throw new Error(`${what} would allocate about ${_fmtBytes(bytes)}, more than the ${_fmtBytes(MAX_TRAIN_BYTES)} mha-lab/train allows in one call; ${hint}`);
}

/**
 * Bytes of n examples of length L with `parts` target rows, as V8 allocates them: per example one object (64 bytes)
 * and 1 + parts arrays (48 bytes each with their backing store, plus 8 a number). Measured: 296 bytes an example of
 * 6 tokens and one part (estimate 256), 1024 of 32 tokens and two parts (estimate 976).
 */
export function _examplesBytes(n: number, L: number, parts: number): number {
  return n * (64 + (1 + parts) * (48 + 8 * L));
}

/** The most examples of length L with `parts` target rows that fit the budget. */
export function _maxExamples(L: number, parts: number): number {
  return Math.floor(MAX_TRAIN_BYTES / _examplesBytes(1, L, parts));
}

/**
 * Bytes the flat forward and backward of one batch allocate (src/train/_flat.ts): the inputs, Q, K, V, the heads'
 * outputs and their gradients (about 12 (B·L, dModel) buffers), the attention weights and their gradients (3 of
 * (B, h, L, L)) and the logits with their gradient (3 of (B·L, parts·C)).
 */
export function _batchBytes(B: number, config: _Sizes, L = config.length): number {
  const { dModel: E, numHeads: h, parts, numClasses: C } = config;
  return 8 * B * L * (12 * E + 3 * h * L + 3 * parts * C);
}

/** The largest batch of the model's length that fits the budget. */
export function _maxBatch(config: _Sizes): number {
  return Math.floor(MAX_TRAIN_BYTES / _batchBytes(1, config));
}

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
export function _checkExamples(where: string, name: string, examples: unknown, config: _Sizes): void {
  if (!Array.isArray(examples) || examples.length === 0) {
    throw new Error(`${where}: ${name} must be a non-empty array of { tokens, targets }, got ${_describe(examples)}`);
  }
  const { vocab, length, numClasses: C, parts } = config;
  let L0 = -1;
  for (let n = 0; n < examples.length; n++) {
    const ex = examples[n] as { tokens?: unknown; targets?: unknown } | null;
    const at = `${name}[${n}]`;
    if (ex == null || typeof ex !== "object" || Array.isArray(ex)) throw new Error(`${where}: ${at} must be { tokens, targets }, got ${_describe(ex)}`);
    const { tokens, targets } = ex;
    if (!Array.isArray(tokens) || tokens.length === 0) throw new Error(`${where}: ${at}.tokens must be a non-empty array of token ids, got ${_describe(tokens)}`);
    const L = tokens.length;
    if (L > length) throw new Error(`${where}: ${at}.tokens has ${L} tokens but the model's length is ${length}`);
    if (n === 0) L0 = L;
    else if (L !== L0) throw new Error(`${where}: ${at}.tokens has ${L} tokens but ${name}[0].tokens has ${L0}; all examples must be equally long`);
    for (let i = 0; i < L; i++) {
      const t = tokens[i];
      if (typeof t !== "number" || !Number.isInteger(t) || t < 0 || t >= vocab) {
        throw new Error(`${where}: ${at}.tokens[${i}] is ${_describe(t)}, not a token id in 0…${vocab - 1} (the model's vocab is ${vocab})`);
      }
    }
    if (!Array.isArray(targets) || targets.length !== parts) {
      throw new Error(`${where}: ${at}.targets must have one row per output part (${parts}), got ${_describe(targets)}`);
    }
    for (let p = 0; p < parts; p++) {
      const row = targets[p];
      if (!Array.isArray(row) || row.length !== L) {
        throw new Error(`${where}: ${at}.targets[${p}] must have one target per token (${L}), got ${_describe(row)}`);
      }
      for (let i = 0; i < L; i++) {
        const t = row[i];
        if (typeof t !== "number" || !Number.isInteger(t) || t < -1 || t >= C) {
          throw new Error(`${where}: ${at}.targets[${p}][${i}] is ${_describe(t)}, not a class in 0…${C - 1} or −1 (not scored)`);
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
export function _nonFinite(what: string, value: number, step: number, optimizer: { name: string; lr: number }): Error {
  return new Error(`${what} became ${String(value)} at step ${step} (${optimizer.name}, lr ${_fmtNumber(optimizer.lr)}): lower the learning rate`);
}

/** The first non-finite entry of a, or null. */
export function _firstNonFinite(a: Float64Array): number | null {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return a[i];
  return null;
}

/**
 * The snapshotSteps option of a training loop: an array of step numbers 0 … steps, as a set (empty when absent).
 * @example [..._snapshotSteps([0, 50], 100)] // returns [0, 50]
 */
export function _snapshotSteps(value: unknown, steps: number): Set<number> {
  const out = new Set<number>();
  if (value == null) return out;
  if (!Array.isArray(value)) throw new Error(`snapshotSteps must be an array of step numbers, got ${_describe(value)}`);
  value.forEach((s, i) => {
    _intAtLeast(0)(s, `snapshotSteps[${i}]`);
    if (s > steps) throw new Error(`snapshotSteps[${i}] is ${s} but steps is ${steps}: that snapshot would never be taken`);
    out.add(s);
  });
  return out;
}
