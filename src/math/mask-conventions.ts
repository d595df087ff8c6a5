/**
 * Converters between our mask convention (PyTorch nn.MultiheadAttention: bool true = NOT allowed,
 * float = added to the scores) and the conventions people meet elsewhere:
 *
 *   PyTorch F.scaled_dot_product_attention attn_mask:  bool true = TAKES PART (opposite!)
 *   Keras MultiHeadAttention attention_mask:           1 / true = attend
 *   Annotated Transformer:                             scores.masked_fill(mask == 0, -1e9)
 *   Hugging Face attention_mask (S,):                  1 = real token, 0 = padding
 *
 * Dependencies: _checkGrid (masks.ts), _describe.
 */
import { _describe } from "./_describe";
import { _checkGrid } from "./masks";
import type { BoolMask, Matrix } from "./types";

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
 * @param fill the value used for masked positions (default −1e9): a negative number or −Infinity
 * @return (L, S) float mask
 * @example fromAnnotatedMask([[1, 0]]) // returns [[0, -1e9]]
 */
export function fromAnnotatedMask(mask: (number | boolean)[][], fill = -1e9): Matrix {
  if (typeof fill !== "number" || !(fill < 0)) {
    throw new Error(`fill must be a negative number (such as −1e9, or −Infinity), got ${_describe(fill)}: ` +
      "it is added to the scores of masked positions");
  }
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
  if (mask.length === 0) throw new Error("mask is empty; a Hugging Face attention_mask has one 0/1 entry per token");
  for (let j = 0; j < mask.length; j++) { // a loop, not forEach: forEach skips the holes of a sparse array
    const v = mask[j];
    if (v !== 0 && v !== 1 && typeof v !== "boolean") {
      throw new Error(`mask[${j}] is ${_describe(v)}; an attention_mask holds 1 (token) or 0 (padding)`);
    }
  }
  return Array.from(mask, (v) => !v); // (S,)
}
