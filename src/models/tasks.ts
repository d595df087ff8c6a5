/**
 * Seeded sequence tasks for causal language models, generated in code:
 *   - repeatedTokens: random tokens, then the same tokens again: the second half is predictable only by
 *     copying from the first (what induction heads do);
 *   - tinyGrammar: sentences of a tiny English ("the big dog sees a cat ."), whose next word follows from
 *     grammar, not from copying, so not every head becomes an induction head.
 *
 * Dependencies: mulberry32.
 */
import { mulberry32 } from "../math/random";
import { _positiveInt } from "./_check";

/** A source of token sequences for a language model. */
export interface SequenceTask {
  name: string;
  /** one sentence saying what is in a sequence */ description: string;
  /** tokens are 0 … vocab − 1 */ vocab: number;
  /** every sequence is this long */ length: number;
  /** the seed sequences(n) uses when none is given */ seed: number;
  /** (vocab,) a label per token */ tokenNames: string[];
  /** names of the regions worth scoring apart (e.g. ["first half", "second half"]); [] for none */ regionNames: string[];
  /**
   * The region of every predicted token of a sequence: entry i labels the prediction of token i + 1 from
   * tokens 0 … i (so L − 1 labels), "" for none.
   */
  regionsOf(seq: number[]): string[];
  /**
   * n sequences, the same for the same (n, seed) on every machine.
   * @param n how many
   * @param seed default task.seed
   */
  sequences(n: number, seed?: number): number[][];
}

/**
 * Random tokens repeated once, after a random prefix: [p_1 … p_k, r_1 … r_n, r_1 … r_n] with n drawn per
 * sequence in minHalf … ⌊length/2⌋ and k = length − 2n, all k + n tokens different. The distance between
 * the two copies changes from sequence to sequence, so no fixed position holds the answer: only matching
 * the current token to its earlier occurrence and reading the token after it (induction) can copy.
 * Regions (labels of the predicted tokens, regionsOf): "first half" is every token up to the start of the
 * repeat (chance at best), "second half" the repeat's tokens after its first (each one copyable).
 * @param options { vocab ≥ length − minHalf, length, minHalf = ⌈length/4⌉, seed = 0 }
 * @example repeatedTokens({ vocab: 20, length: 12, seed: 1 }).sequences(1)[0].length // returns 12
 */
export function repeatedTokens(options: { vocab: number; length: number; minHalf?: number; seed?: number }): SequenceTask {
  if (options == null || typeof options !== "object") throw new Error("repeatedTokens needs { vocab, length }");
  const vocab = _positiveInt("vocab", options.vocab, 2);
  const length = _positiveInt("length", options.length, 4);
  const maxHalf = Math.floor(length / 2);
  const minHalf = _positiveInt("minHalf", options.minHalf ?? Math.ceil(length / 4), 2);
  if (minHalf > maxHalf) throw new Error(`minHalf (${minHalf}) must be ≤ length/2 (${maxHalf})`);
  if (vocab < length - minHalf) {
    throw new Error(`vocab (${vocab}) must be ≥ length − minHalf (${length - minHalf}): the prefix and the repeated tokens are all different`);
  }
  const seed = options.seed ?? 0;
  return {
    name: "repeatedTokens",
    description: `a random prefix, then n random tokens twice (n from ${minHalf} to ${maxHalf}), ${length} tokens in all`,
    vocab, length, seed, tokenNames: Array.from({ length: vocab }, (_, t) => `t${t}`), regionNames: ["first half", "second half"],
    regionsOf(seq: number[]): string[] {
      const n = _repeatLength(seq);
      const start = seq.length - n; // the second copy starts here
      return seq.slice(1).map((_, i) => (i + 1 > start ? "second half" : "first half"));
    },
    sequences(count: number, s: number = seed): number[][] {
      _positiveInt("n", count, 0);
      const rand = mulberry32(s);
      return Array.from({ length: count }, () => {
        const n = minHalf + Math.floor(rand() * (maxHalf - minHalf + 1));
        const k = length - 2 * n;
        const pool = Array.from({ length: vocab }, (_, t) => t);
        for (let i = 0; i < k + n; i++) { // a partial Fisher–Yates: the first k + n of a shuffled pool
          const j = i + Math.floor(rand() * (vocab - i));
          [pool[i], pool[j]] = [pool[j], pool[i]];
        }
        const repeat = pool.slice(k, k + n);
        return [...pool.slice(0, k), ...repeat, ...repeat];
      });
    },
  };
}

/** The length n of the repeat at the end of a repeatedTokens sequence (the largest n whose two copies match). */
function _repeatLength(seq: number[]): number {
  for (let n = Math.floor(seq.length / 2); n >= 1; n--) {
    let same = true;
    for (let i = 0; i < n && same; i++) same = seq[seq.length - 2 * n + i] === seq[seq.length - n + i];
    if (same) return n;
  }
  return 0;
}

/** The tiny grammar's words, by part of speech. */
const _WORDS = {
  det: ["the", "a"], adj: ["big", "small", "red", "old"], noun: ["dog", "cat", "bird", "fish", "man"],
  verb: ["sees", "likes", "chases"], end: ["."],
};

/**
 * Sentences of a tiny English, back to back: DET [ADJ] NOUN VERB DET [ADJ] NOUN "." (an adjective half the
 * time), cut to `length` tokens. The next word's part of speech follows from the grammar; which word, mostly not.
 * No regions: a sentence starts anywhere in the sequence.
 * @param options { length, seed = 0 }
 * @example tinyGrammar({ length: 8 }).tokenNames.length // returns 15
 */
export function tinyGrammar(options: { length: number; seed?: number }): SequenceTask {
  if (options == null || typeof options !== "object") throw new Error("tinyGrammar needs { length }");
  const length = _positiveInt("length", options.length, 2);
  const seed = options.seed ?? 0;
  const names = [..._WORDS.det, ..._WORDS.adj, ..._WORDS.noun, ..._WORDS.verb, ..._WORDS.end];
  const id = (w: string) => names.indexOf(w);
  const pick = (rand: () => number, words: string[]) => id(words[Math.floor(rand() * words.length)]);
  return {
    name: "tinyGrammar", description: "sentences DET [ADJ] NOUN VERB DET [ADJ] NOUN . back to back", vocab: names.length, length, seed,
    tokenNames: names, regionNames: [], regionsOf: (seq: number[]) => seq.slice(1).map(() => ""),
    sequences(count: number, s: number = seed): number[][] {
      _positiveInt("n", count, 0);
      const rand = mulberry32(s);
      return Array.from({ length: count }, () => {
        const out: number[] = [];
        while (out.length < length) {
          for (const part of ["subject", "object"]) {
            out.push(pick(rand, _WORDS.det));
            if (rand() < 0.5) out.push(pick(rand, _WORDS.adj));
            out.push(pick(rand, _WORDS.noun));
            out.push(part === "subject" ? pick(rand, _WORDS.verb) : id("."));
          }
        }
        return out.slice(0, length);
      });
    },
  };
}
