/**
 * Module-private: the checks at the models' public boundary (token sequences, per-layer head masks, sizes),
 * each naming what the user passed.
 *
 * Dependencies: _describe (src/train/_check.ts: one way to describe a bad value).
 */
import { _describe } from "../math/_describe";

/** The sizes the checks need. */
interface _Sizes { vocab: number; contextLength: number; numLayers: number; numHeads: number }

/** An integer ≥ min, or an error naming it. */
export function _positiveInt(name: string, v: unknown, min: number): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min) throw new Error(`${name} must be an integer ≥ ${min}, got ${_describe(v)}`);
  return v;
}

/**
 * Throw unless seqs is a non-empty array of equally long token sequences the model can read: integers in
 * 0 … vocab − 1, minLength ≤ length ≤ contextLength.
 * @param where the call, e.g. "CausalLM.evaluate"
 * @param name the argument, e.g. "sequences"
 */
export function _checkSequences(where: string, name: string, seqs: unknown, c: _Sizes, minLength = 1): void {
  if (!Array.isArray(seqs) || seqs.length === 0) throw new Error(`${where}: ${name} must be a non-empty array of token sequences, got ${_describe(seqs)}`);
  const single = name === "tokens" || name === "prompt";
  let L0 = -1;
  seqs.forEach((s, n) => {
    const at = single ? name : `${name}[${n}]`;
    if (!Array.isArray(s) || s.length === 0) throw new Error(`${where}: ${at} must be a non-empty array of token ids, got ${_describe(s)}`);
    if (s.length > c.contextLength) {
      throw new Error(`${where}: ${at} has ${s.length} tokens but the model's context is ${c.contextLength} (contextLength)`);
    }
    if (s.length < minLength) throw new Error(`${where}: ${at} has ${s.length} token${s.length === 1 ? "" : "s"}; a next-token loss needs at least ${minLength}`);
    if (n === 0) L0 = s.length;
    else if (s.length !== L0) throw new Error(`${where}: ${at} has ${s.length} tokens but ${name}[0] has ${L0}; all sequences of a batch must be equally long`);
    s.forEach((t, i) => {
      if (typeof t !== "number" || !Number.isInteger(t) || t < 0 || t >= c.vocab) {
        throw new Error(`${where}: ${at}[${i}] is ${_describe(t)}, not a token id in 0…${c.vocab - 1} (the model's vocab is ${c.vocab})`);
      }
    });
  });
}

/** headMask / keyHeadMask as (numLayers) Float64Arrays of numHeads, or null when not given. */
export function _checkLayerMasks(
  where: string, options: { headMask?: unknown; keyHeadMask?: unknown }, c: _Sizes,
): { headMask: Float64Array[] | null; keyHeadMask: Float64Array[] | null } {
  const one = (key: "headMask" | "keyHeadMask"): Float64Array[] | null => {
    const m = options[key];
    if (m == null) return null;
    const shape = `(${c.numLayers} layers, ${c.numHeads} heads)`;
    if (!Array.isArray(m) || m.length !== c.numLayers) throw new Error(`${where}: ${key} must be ${shape}: one row per layer, got ${_describe(m)}`);
    return m.map((row, l) => {
      if (!Array.isArray(row) || row.length !== c.numHeads) throw new Error(`${where}: ${key}[${l}] must have one entry per head (${c.numHeads}), got ${_describe(row)}`);
      row.forEach((g, i) => {
        if (typeof g !== "number" || !Number.isFinite(g)) throw new Error(`${where}: ${key}[${l}][${i}] is ${_describe(g)}, not a finite number`);
      });
      return Float64Array.from(row as number[]);
    });
  };
  return { headMask: one("headMask"), keyHeadMask: one("keyHeadMask") };
}
