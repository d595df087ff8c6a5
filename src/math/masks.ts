/**
 * The masks a forward pass needs, in PyTorch's convention (nn.MultiheadAttention): a boolean `true`
 * means "NOT allowed", and a float mask is ADDED to the scaled scores. Internally every mask becomes
 * an additive float mask (0 = allowed, −Infinity = not allowed). Converters from other libraries'
 * conventions are in mask-conventions.ts.
 *
 * Dependencies: checkMatrix, checkPositiveInt.
 */
import { _describe } from "./_describe";
import { checkMatrix, checkPositiveInt, formatShape, shapeOf } from "./matrix";
import type { BoolMask, Matrix } from "./types";
import { _checkSize, _nestedBytes } from "./_validate";

/** A mask in PyTorch's convention: boolean (true = not allowed) or float (added to the scores). */
export type Mask = BoolMask | Matrix;

function _isBoolMask(mask: unknown): mask is BoolMask {
  return Array.isArray(mask) && Array.isArray(mask[0]) && typeof mask[0][0] === "boolean";
}

/** Check a boolean or 0/1 grid of any shape; returns its shape. */
export function _checkGrid(name: string, mask: unknown, allowed: (v: unknown) => boolean, what: string): [number, number] {
  if (!Array.isArray(mask) || mask.length === 0 || !Array.isArray(mask[0]) || mask[0].length === 0) {
    throw new Error(`${name} must be a non-empty 2-D array, got ${_describe(mask)}`);
  }
  const cols = mask[0].length;
  for (let i = 0; i < mask.length; i++) { // loops, not forEach: forEach skips the holes of a sparse array
    const row: unknown = mask[i];
    if (!Array.isArray(row)) throw new Error(`${name}[${i}] is ${_describe(row)}, not a row array`);
    if (row.length !== cols) {
      throw new Error(`${name} is ragged: row ${i} has ${row.length} columns but row 0 has ${cols}`);
    }
    for (let j = 0; j < cols; j++) {
      if (!allowed(row[j])) throw new Error(`${name}[${i}][${j}] is ${_describe(row[j])}; ${what}`);
    }
  }
  return [mask.length, cols];
}

/**
 * Validate a PyTorch-convention mask (all booleans, or all numbers with −Infinity allowed)
 * and, when L and S are given, its shape.
 * @param name e.g. "attnMask"
 * @param mask (L, S) boolean or float
 * @param L number of queries, S number of keys
 * @example checkMask("attnMask", causalMask(3, 4), 4, 4) // throws "attnMask is 3×4 but the attention is 4×4"
 */
export function checkMask(name: string, mask: unknown, L?: number, S?: number): Mask {
  let shape: [number, number];
  if (_isBoolMask(mask)) {
    shape = _checkGrid(name, mask, (v) => typeof v === "boolean", "a boolean mask must hold only true/false");
  } else {
    shape = shapeOf(checkMatrix(name, mask, { allowNegInfinity: true }));
  }
  if (L !== undefined && S !== undefined && (shape[0] !== L || shape[1] !== S)) {
    throw new Error(`${name} is ${formatShape(shape[0], shape[1])} but the attention is ${formatShape(L, S)}`);
  }
  return mask as Mask;
}

/**
 * The causal ("no peeking ahead") mask: query i may attend to keys 0 … i only.
 *   mask[i][j] = j > i   (true = not allowed; top-left aligned when L ≠ S, like torch.tril)
 * @param L number of queries
 * @param S number of keys (default L)
 * @return (L, S) boolean mask
 * @example causalMask(3) // returns [[false, true, true], [false, false, true], [false, false, false]]
 */
export function causalMask(L: number, S: number = L): BoolMask {
  checkPositiveInt("L", L);
  checkPositiveInt("S", S);
  _checkSize(`causalMask(${L}, ${S})`, _nestedBytes(L, S), "use a shorter sequence");
  return Array.from({ length: L }, (_, i) => Array.from({ length: S }, (_, j) => j > i)); // (L, S)
}

/**
 * A key-padding mask for a sequence whose first `validLength` keys are real and the rest padding.
 *   mask[j] = j ≥ validLength   (true = padding, ignored)
 * @param validLength number of real keys, 0 … S
 * @param S total number of keys
 * @return (S,) boolean mask
 * @example keyPaddingMask(2, 4) // returns [false, false, true, true]
 */
export function keyPaddingMask(validLength: number, S: number): boolean[] {
  checkPositiveInt("S", S);
  _checkSize(`keyPaddingMask(${validLength}, ${S})`, _nestedBytes(1, S), "use a shorter sequence");
  if (!Number.isInteger(validLength) || validLength < 0 || validLength > S) {
    throw new Error(`validLength must be an integer in 0…${S}, got ${validLength}`);
  }
  return Array.from({ length: S }, (_, j) => j >= validLength); // (S,)
}

/**
 * Validate a key-padding mask: (S,) all booleans (true = ignore) or all numbers (added, −Infinity allowed).
 * @param name e.g. "keyPaddingMask"
 * @param mask (S,)
 * @param S required length (the number of keys), optional
 * @example checkKeyPaddingMask("keyPaddingMask", [false, true], 3) // throws "keyPaddingMask has 2 entries but key has 3 rows"
 */
export function checkKeyPaddingMask(name: string, mask: unknown, S?: number): boolean[] | number[] {
  if (!Array.isArray(mask) || mask.length === 0) {
    throw new Error(`${name} must be a non-empty 1-D array of booleans or numbers, got ${_describe(mask)}`);
  }
  const bool = typeof mask[0] === "boolean";
  for (let j = 0; j < mask.length; j++) { // a loop, not forEach: forEach skips the holes of a sparse array
    const v: unknown = mask[j];
    if (bool ? typeof v !== "boolean" : typeof v !== "number" || Number.isNaN(v) || v === Infinity) {
      throw new Error(`${name}[${j}] is ${_describe(v)}; expected all booleans or all numbers (−Infinity allowed)`);
    }
  }
  if (S !== undefined && mask.length !== S) {
    throw new Error(`${name} has ${mask.length} entries but key has ${S} rows`);
  }
  return mask as boolean[] | number[];
}

/**
 * Repeat a key-padding mask for every query row, giving an (L, S) mask.
 * @param mask (S,) boolean (true = ignore) or float (added)
 * @param L number of queries
 * @return (L, S) mask of the same kind
 * @example expandKeyPaddingMask([false, true], 2) // returns [[false, true], [false, true]]
 */
export function expandKeyPaddingMask(mask: boolean[] | number[], L: number, name = "keyPaddingMask"): Mask {
  checkKeyPaddingMask(name, mask);
  checkPositiveInt("L", L);
  _checkSize(`expandKeyPaddingMask(mask, ${L})`, _nestedBytes(L, mask.length), "use a shorter sequence");
  return Array.from({ length: L }, () => mask.slice()) as Mask; // (L, S)
}

/**
 * Turn any PyTorch-convention mask into an additive float mask: true → −Infinity, false → 0;
 * a float mask is copied unchanged.
 * @param mask (L, S) boolean or float
 * @return (L, S) float mask to add to the scaled scores
 * @example toAdditiveMask([[false, true]]) // returns [[0, -Infinity]]
 */
export function toAdditiveMask(mask: Mask, name = "mask"): Matrix {
  checkMask(name, mask);
  if (_isBoolMask(mask)) return mask.map((row) => row.map((m) => (m ? -Infinity : 0)));
  return (mask as Matrix).map((row) => row.slice());
}

/**
 * Combine masks of the same shape the way PyTorch merges attn_mask and key_padding_mask:
 * booleans are OR-ed, floats are added (i.e. the additive masks are summed).
 * null/undefined entries are skipped; at least one mask is required.
 * @param masks each (L, S), boolean or float
 * @return (L, S) additive float mask
 * @example combineMasks(causalMask(2), [[0, 0], [-1, 0]]) // returns [[0, -Infinity], [-1, 0]]
 */
export function combineMasks(...masks: (Mask | null | undefined)[]): Matrix {
  const present = masks.map((m, i) => ({ m, i })).filter((e) => e.m != null);
  if (present.length === 0) throw new Error("combineMasks needs at least one mask");
  const additive = present.map(({ m, i }) => toAdditiveMask(m as Mask, `masks[${i}]`));
  const [L, S] = shapeOf(additive[0]);
  additive.forEach((a, k) => checkMask(`masks[${present[k].i}]`, a, L, S));
  return additive[0].map((row, i) => row.map((_, j) => additive.reduce((s, a) => s + a[i][j], 0))); // (L, S)
}

/**
 * The query rows in which every key is masked (every entry −Infinity): the rows whose weights are zero.
 * @param masked (L, S) masked scores or an additive mask
 * @return the row indices, ascending
 * @example fullyMaskedRows([[0, -Infinity], [-Infinity, -Infinity]]) // returns [1]
 */
export function fullyMaskedRows(masked: Matrix): number[] {
  checkMatrix("masked", masked, { allowNegInfinity: true });
  return masked.flatMap((row, i) => (row.every((x) => x === -Infinity) ? [i] : []));
}
