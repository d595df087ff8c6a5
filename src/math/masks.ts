/**
 * Attention masks and the conventions people meet. Our convention is PyTorch's
 * (nn.MultiheadAttention): a boolean `true` means "NOT allowed", and a float mask is ADDED
 * to the scaled scores. Internally every mask becomes an additive float mask
 * (0 = allowed, −Infinity = not allowed).
 *
 *   PyTorch nn.MultiheadAttention attn_mask / key_padding_mask: bool true = not allowed; float = added
 *   PyTorch F.scaled_dot_product_attention attn_mask:          bool true = TAKES PART (opposite!)
 *   Keras MultiHeadAttention attention_mask:                   1 / true = attend
 *   Annotated Transformer:                                     scores.masked_fill(mask == 0, -1e9)
 *
 * Dependencies: checkMatrix, checkPositiveInt.
 */
import { checkMatrix, checkPositiveInt, formatShape, shapeOf } from "./matrix";
import type { BoolMask, Matrix } from "./trace";

/** A mask in PyTorch's convention: boolean (true = not allowed) or float (added to the scores). */
export type Mask = BoolMask | Matrix;

function _isBoolMask(mask: unknown): mask is BoolMask {
  return Array.isArray(mask) && Array.isArray(mask[0]) && typeof mask[0][0] === "boolean";
}

/** Check a boolean or 0/1 grid of any shape; returns its shape. */
function _checkGrid(name: string, mask: unknown, allowed: (v: unknown) => boolean, what: string): [number, number] {
  if (!Array.isArray(mask) || mask.length === 0 || !Array.isArray(mask[0]) || mask[0].length === 0) {
    throw new Error(`${name} must be a non-empty 2-D array, got ${JSON.stringify(mask)?.slice(0, 40)}`);
  }
  const cols = mask[0].length;
  mask.forEach((row: unknown, i: number) => {
    if (!Array.isArray(row)) throw new Error(`${name}[${i}] is not a row array`);
    if (row.length !== cols) {
      throw new Error(`${name} is ragged: row ${i} has ${row.length} columns but row 0 has ${cols}`);
    }
    row.forEach((v: unknown, j: number) => {
      if (!allowed(v)) throw new Error(`${name}[${i}][${j}] is ${String(v)}; ${what}`);
    });
  });
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
    throw new Error(`${name} must be a non-empty 1-D array of booleans or numbers`);
  }
  const bool = typeof mask[0] === "boolean";
  mask.forEach((v: unknown, j: number) => {
    if (bool ? typeof v !== "boolean" : typeof v !== "number" || Number.isNaN(v) || v === Infinity) {
      throw new Error(`${name}[${j}] is ${String(v)}; expected all booleans or all numbers (−Infinity allowed)`);
    }
  });
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
 * Convert a Keras attention_mask (1 / true = attend) to our boolean mask (true = not allowed).
 * @param mask (L, S) of 0/1 or booleans
 * @return (L, S) boolean mask
 * @example fromKerasMask([[1, 0]]) // returns [[false, true]]
 */
export function fromKerasMask(mask: (number | boolean)[][]): BoolMask {
  _checkGrid("mask", mask, (v) => v === 0 || v === 1 || typeof v === "boolean", "a Keras mask holds 1 (attend) or 0 (masked)");
  return mask.map((row) => row.map((v) => !v));
}

/**
 * Convert our boolean mask (true = not allowed) to a Keras attention_mask (1 = attend).
 * @param mask (L, S) boolean
 * @return (L, S) of 0/1
 * @example toKerasMask([[false, true]]) // returns [[1, 0]]
 */
export function toKerasMask(mask: BoolMask): number[][] {
  _checkGrid("mask", mask, (v) => typeof v === "boolean", "expected a boolean mask (true = not allowed)");
  return mask.map((row) => row.map((v) => (v ? 0 : 1)));
}

/**
 * Convert an Annotated Transformer mask (`scores.masked_fill(mask == 0, -1e9)`) to an additive mask:
 * 0 where mask ≠ 0, `fill` (−1e9) where mask == 0. When a row keeps at least one key this matches
 * masked_fill to float64 precision; when a row keeps none, masked_fill gives uniform weights while
 * this additive form gives ≈ softmax(scores) — use fromKerasMask + −Infinity to get our zero rows.
 * @param mask (L, S) of numbers or booleans (0 / false = masked)
 * @param fill the value used for masked positions (default −1e9)
 * @return (L, S) float mask
 * @example fromAnnotatedMask([[1, 0]]) // returns [[0, -1e9]]
 */
export function fromAnnotatedMask(mask: (number | boolean)[][], fill = -1e9): Matrix {
  _checkGrid("mask", mask, (v) => typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v)), "expected finite numbers or booleans");
  return mask.map((row) => row.map((v) => (Number(v) === 0 ? fill : 0)));
}

/**
 * Convert our boolean mask (true = not allowed) to an Annotated Transformer mask (1 = keep, 0 = masked).
 * @param mask (L, S) boolean
 * @return (L, S) of 0/1
 * @example toAnnotatedMask(causalMask(2)) // returns [[1, 0], [1, 1]]
 */
export function toAnnotatedMask(mask: BoolMask): number[][] {
  return toKerasMask(mask); // same 1 = keep convention
}

/**
 * Convert a boolean mask for torch.nn.functional.scaled_dot_product_attention (true = TAKES PART)
 * to ours (true = not allowed). The inverse is the same function.
 * @param mask (L, S) boolean
 * @return (L, S) boolean
 * @example fromSdpaBoolMask([[true, false]]) // returns [[false, true]]
 */
export function fromSdpaBoolMask(mask: BoolMask): BoolMask {
  _checkGrid("mask", mask, (v) => typeof v === "boolean", "expected a boolean mask");
  return mask.map((row) => row.map((v) => !v));
}

/**
 * Convert a Hugging Face `attention_mask` (S,) — 1 = real token, 0 = padding — to our key-padding mask.
 * @param mask (S,) of 0/1 or booleans
 * @return (S,) boolean, true = padding (ignored)
 * @example fromHfAttentionMask([1, 1, 0]) // returns [false, false, true]
 */
export function fromHfAttentionMask(mask: (number | boolean)[]): boolean[] {
  if (!Array.isArray(mask)) throw new Error("mask must be a 1-D array of 0/1 (Hugging Face attention_mask)");
  mask.forEach((v, j) => {
    if (v !== 0 && v !== 1 && typeof v !== "boolean") {
      throw new Error(`mask[${j}] is ${String(v)}; an attention_mask holds 1 (token) or 0 (padding)`);
    }
  });
  return mask.map((v) => !v); // (S,)
}
