import { describe, expect, it } from "vitest";
import { causalMask, toAdditiveMask, keyPaddingMask } from "../../src/math/masks";
import {
  fromAnnotatedMask, fromHfAttentionMask, fromKerasMask, fromSdpaBoolMask, toAnnotatedMask, toKerasMask,
} from "../../src/math/mask-conventions";

const F = false;
const T = true;

describe("convention converters", () => {
  it("Keras (1 = attend) ↔ ours (true = not allowed)", () => {
    expect(fromKerasMask([[1, 0], [1, 1]])).toEqual([[F, T], [F, F]]);
    expect(fromKerasMask([[true, false]])).toEqual([[F, T]]);
    expect(toKerasMask([[F, T]])).toEqual([[1, 0]]);
    expect(fromKerasMask(toKerasMask(causalMask(3)))).toEqual(causalMask(3));
    expect(() => fromKerasMask([[1, 0.5]])).toThrow("mask[0][1] is 0.5; a Keras mask holds 1 (attend) or 0 (masked)");
  });
  it("Annotated Transformer (mask == 0 → -1e9) ↔ ours", () => {
    expect(fromAnnotatedMask([[1, 0]])).toEqual([[0, -1e9]]);
    expect(fromAnnotatedMask([[true, false]], -Infinity)).toEqual([[0, -Infinity]]);
    expect(toAnnotatedMask(causalMask(2))).toEqual([[1, 0], [1, 1]]);
    // subsequent_mask(3) of the Annotated Transformer is tril(ones) == lower triangle of 1s:
    const subsequent = [[1, 0, 0], [1, 1, 0], [1, 1, 1]];
    expect(toAdditiveMask(causalMask(3)).map((r) => r.map((v) => (v === 0 ? 0 : -1e9)))).toEqual(fromAnnotatedMask(subsequent));
    expect(() => fromAnnotatedMask([[NaN]])).toThrow("mask[0][0] is NaN; expected finite numbers or booleans");
  });
  it("Hugging Face attention_mask (1 = token, 0 = padding) → key-padding mask", () => {
    expect(fromHfAttentionMask([1, 1, 0])).toEqual(keyPaddingMask(2, 3));
    expect(() => fromHfAttentionMask([1, 2])).toThrow("mask[1] is 2; an attention_mask holds 1 (token) or 0 (padding)");
  });
  it("F.scaled_dot_product_attention bool masks (true = takes part) are inverted", () => {
    expect(fromSdpaBoolMask([[T, F]])).toEqual([[F, T]]);
    expect(() => fromSdpaBoolMask([[1]] as unknown as boolean[][])).toThrow("mask[0][0] is 1; expected a boolean mask");
  });
});
