import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { alignWords } from "../../src/syntax/align";
import { wordAttention, wordAttentions } from "../../src/syntax/word-attention";

describe("alignWords(tokens, words)", () => {
  it("maps WordPiece pieces to the word they start in, [CLS]/[SEP] to −1", () => {
    expect(alignWords(["[CLS]", "he", "gave", "her", "the", "ball", ".", "[SEP]"], ["He", "gave", "her", "the", "ball", "."])).toEqual([-1, 0, 1, 2, 3, 4, 5, -1]);
    expect(alignWords(["[CLS]", "the", "head", "##master", "'", "s", "cat", "[SEP]"], ["The", "headmaster", "'s", "cat"])).toEqual([-1, 0, 1, 1, 2, 2, 3, -1]);
  });

  it("handles a parser word split differently from the tokens (didn't → did + n't; tokens didn ' t)", () => {
    expect(alignWords(["[CLS]", "she", "didn", "'", "t", "go", "[SEP]"], ["She", "did", "n't", "go"])).toEqual([-1, 0, 1, 2, 2, 3, -1]);
  });

  it("ignores case and accents as an uncased tokenizer does", () => {
    expect(alignWords(["[CLS]", "cafe", "ole", "[SEP]"], ["Café", "Olé"])).toEqual([-1, 0, 1, -1]);
  });

  it("names the token and the word when the texts differ", () => {
    expect(() => alignWords(["[CLS]", "he", "took", "[SEP]"], ["He", "gave"])).toThrow('token 2 "took" does not match the words at word 1 "gave"');
    expect(() => alignWords(["[CLS]", "he", "[SEP]"], ["He", "gave"])).toThrow('the tokens end before word 1 "gave"');
    expect(() => alignWords(["[CLS]", "didn", "[SEP]"], ["di", "dn"])).toThrow('no token starts inside word 1 "dn"');
    expect(() => alignWords(["[CLS]", "[UNK]", "[SEP]"], ["☃"])).toThrow("token 1 is [UNK]");
  });
});

describe("wordAttention(a, wordOfToken, numWords)", () => {
  // a hand-built case: tokens [CLS] play ##ing ball [SEP] → words playing(0), ball(1)
  const a = [
    [0.2, 0.2, 0.2, 0.2, 0.2], // [CLS]
    [0.1, 0.1, 0.3, 0.4, 0.1], // play
    [0.0, 0.5, 0.1, 0.2, 0.2], // ##ing
    [0.3, 0.3, 0.1, 0.2, 0.1], // ball
    [0.2, 0.2, 0.2, 0.2, 0.2], // [SEP]
  ];
  const map = [-1, 0, 0, 1, -1];

  it("sums the weight TO a split word over its pieces and averages the weight FROM it", () => {
    const w = wordAttention(a, map, 2);
    expect(w[0][0]).toBeCloseTo(((0.1 + 0.3) + (0.5 + 0.1)) / 2, 15); // from playing (mean of 2 rows) to playing (sum of 2 columns)
    expect(w[0][1]).toBeCloseTo((0.4 + 0.2) / 2, 15);
    expect(w[1][0]).toBeCloseTo(0.3 + 0.1, 15); // ball to play + ##ing
    expect(w[1][1]).toBeCloseTo(0.2, 15);
  });

  it("equals the matrix product P_from · A · P_toᵀ computed another way", () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 5 }), fc.integer({ min: 0, max: 1000 }), (pieces, seed) => {
      const map = [-1, ...pieces.flatMap((n, u) => Array(n).fill(u)), -1];
      const L = map.length, W = pieces.length;
      let s = seed;
      const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
      const A = Array.from({ length: L }, () => { const r = Array.from({ length: L }, rnd), z = r.reduce((x, y) => x + y, 0); return r.map((v) => v / z); });
      const from = Array.from({ length: W }, (_, u) => map.map((m) => (m === u ? 1 / pieces[u] : 0))); // (W, L)
      const to = Array.from({ length: W }, (_, v) => map.map((m) => (m === v ? 1 : 0))); // (W, L)
      const other = from.map((fr) => to.map((tv) => fr.reduce((acc, f, i) => acc + f * A[i].reduce((b, aij, j) => b + aij * tv[j], 0), 0)));
      const w = wordAttention(A, map, W);
      w.forEach((row, u) => row.forEach((x, v) => expect(x).toBeCloseTo(other[u][v], 12)));
      // rows sum to 1 minus the mean weight the word's pieces put on [CLS] and [SEP]
      w.forEach((row, u) => {
        const onSpecial = map.reduce((acc, m, i) => acc + (m === u ? A[i][0] + A[i][L - 1] : 0), 0) / pieces[u];
        expect(row.reduce((x, y) => x + y, 0)).toBeCloseTo(1 - onSpecial, 12);
      });
    }));
  });

  it("is the identity on words when every word is one token", () => {
    const A = [[0.5, 0.5], [0.25, 0.75]];
    expect(wordAttention(A, [0, 1], 2)).toEqual(A);
    expect(wordAttentions([[A, A]], [0, 1], 2)).toEqual([[A, A]]);
  });

  it("says which shape or which entry is wrong", () => {
    expect(() => wordAttention(a.slice(0, 4), map, 2)).toThrow("the attention has 4 rows but wordOfToken has 5 tokens");
    expect(() => wordAttention(a, [-1, 0, 0, 5, -1], 2)).toThrow("token 3 belongs to word 5, but there are 2 words");
    expect(() => wordAttention(a, [-1, 0, 0, 0, -1], 2)).toThrow("word 1 has no token");
    const bad = a.map((r) => r.slice());
    bad[1][3] = NaN;
    expect(() => wordAttention(bad, map, 2)).toThrow("the attention at row 1, column 3 is NaN");
  });
});
