import { describe, expect, it } from "vitest";
import {
  causalMask, checkKeyPaddingMask, checkMask, combineMasks, expandKeyPaddingMask, keyPaddingMask, toAdditiveMask,
} from "../../src/math/masks";

const F = false;
const T = true;

describe("causalMask", () => {
  it("causalMask(3) forbids looking ahead (true above the diagonal)", () => {
    expect(causalMask(3)).toEqual([[F, T, T], [F, F, T], [F, F, F]]);
  });
  it("causalMask(2, 3) is top-left aligned like torch.tril(ones(2, 3))", () => {
    expect(causalMask(2, 3)).toEqual([[F, T, T], [F, F, T]]);
  });
  it("rejects bad sizes", () => {
    expect(() => causalMask(0)).toThrow("L must be a positive integer, got 0");
    expect(() => causalMask(2, 1.5)).toThrow("S must be a positive integer, got 1.5");
  });
});

describe("keyPaddingMask / expandKeyPaddingMask / checkKeyPaddingMask", () => {
  it("keyPaddingMask(2, 4) marks the last two keys as padding", () => {
    expect(keyPaddingMask(2, 4)).toEqual([F, F, T, T]);
    expect(keyPaddingMask(0, 2)).toEqual([T, T]);
    expect(() => keyPaddingMask(5, 4)).toThrow("validLength must be an integer in 0…4, got 5");
  });
  it("expandKeyPaddingMask repeats the row for every query", () => {
    expect(expandKeyPaddingMask([F, T], 3)).toEqual([[F, T], [F, T], [F, T]]);
    expect(expandKeyPaddingMask([0, -Infinity], 2)).toEqual([[0, -Infinity], [0, -Infinity]]);
  });
  it("checkKeyPaddingMask names the length and the bad entry", () => {
    expect(() => checkKeyPaddingMask("keyPaddingMask", [F, T], 3)).toThrow("keyPaddingMask has 2 entries but key has 3 rows");
    expect(() => checkKeyPaddingMask("keyPaddingMask", [F, 1])).toThrow("keyPaddingMask[1] is 1; expected all booleans or all numbers");
    expect(() => checkKeyPaddingMask("keyPaddingMask", [0, NaN])).toThrow("keyPaddingMask[1] is NaN");
    expect(() => checkKeyPaddingMask("keyPaddingMask", [])).toThrow("keyPaddingMask must be a non-empty 1-D array");
  });
});

describe("toAdditiveMask / combineMasks / checkMask", () => {
  it("bool true → -Infinity, false → 0; float masks pass through as copies", () => {
    expect(toAdditiveMask([[F, T]])).toEqual([[0, -Infinity]]);
    const f = [[0, -2.5]];
    const out = toAdditiveMask(f);
    expect(out).toEqual(f);
    expect(out).not.toBe(f);
  });
  it("combineMasks ORs booleans and adds floats, like PyTorch merging attn_mask and key_padding_mask", () => {
    const causal = causalMask(3);
    const pad = expandKeyPaddingMask([F, F, T], 3) as boolean[][];
    const orMask = causal.map((row, i) => row.map((c, j) => c || pad[i][j]));
    expect(combineMasks(causal, pad)).toEqual(toAdditiveMask(orMask));
    expect(combineMasks(causalMask(2), [[0, 0], [-1, 0]])).toEqual([[0, -Infinity], [-1, 0]]);
    expect(combineMasks(null, [[F, T]], undefined)).toEqual([[0, -Infinity]]);
  });
  it("errors: no masks, wrong shapes, mixed kinds, NaN", () => {
    expect(() => combineMasks()).toThrow("combineMasks needs at least one mask");
    expect(() => combineMasks(causalMask(2), causalMask(3))).toThrow("masks[1] is 3×3 but the attention is 2×2");
    expect(() => checkMask("attnMask", causalMask(3, 4), 4, 4)).toThrow("attnMask is 3×4 but the attention is 4×4");
    expect(() => checkMask("attnMask", [[F, 0]])).toThrow("attnMask[0][1] is 0; a boolean mask must hold only true/false");
    expect(() => checkMask("attnMask", [[0, F]])).toThrow("attnMask[0][1] is false, not a number");
    expect(() => checkMask("attnMask", [[0, NaN]])).toThrow("attnMask[0][1] is NaN");
    expect(() => checkMask("attnMask", [[Infinity]])).toThrow("attnMask[0][0] is Infinity");
    expect(() => checkMask("attnMask", [[F], [F, T]])).toThrow("attnMask is ragged: row 1 has 2 columns but row 0 has 1");
  });
});
