/**
 * Seeded synthetic tasks whose answers need an identifiable relationship between positions, so a
 * trained head has something definite to find: the previous token, the token k back, the token after
 * an earlier occurrence (induction), and both neighbours at once.
 *
 * Dependencies: mulberry32.
 */
import { _describe } from "../math/_describe";
import type { OptionCheck } from "../math/_validate";
import { mulberry32 } from "../math/random";
import { _checkBytes, _checkOptions, _examplesBytes, _maxExamples } from "./_check";

/** One example: input tokens and, for every output part, the target class at every position (−1 = not scored). */
export interface Example {
  /** (L,) token ids in 0 … vocab − 1 */ tokens: number[];
  /** (parts, L) target class ids, −1 where the position is not scored */ targets: number[][];
}

/** A synthetic task: what the model reads, what it must output, and a seeded generator of examples. */
export interface Task {
  /** e.g. "previousToken" */ name: string;
  /** one sentence saying what the answer is */ description: string;
  /** input tokens are 0 … vocab − 1 */ vocab: number;
  /** sequence length L */ length: number;
  /** output classes per part (the read-out has parts·numClasses outputs per position) */ numClasses: number;
  /** names of the output parts, e.g. ["previous"] or ["left", "right"] */ parts: string[];
  /** the seed `examples(n)` uses when none is given */ seed: number;
  /**
   * n examples, the same for the same (n, seed) on every machine.
   * @param n how many
   * @param seed default task.seed
   */
  examples(n: number, seed?: number): Example[];
}

/** Options shared by every task. */
export interface TaskOptions {
  /** number of distinct tokens (≥ 2) */ vocab: number;
  /** sequence length L (≥ 2) */ length: number;
  /** default seed of task.examples (default 0) */ seed?: number;
}

function _checkInt(name: string, x: unknown, min: number): number {
  if (typeof x !== "number" || !Number.isSafeInteger(x) || x < min) {
    throw new Error(`${name} must be an integer ≥ ${min}, got ${_describe(x)}`);
  }
  return x;
}

const _checkSeed: OptionCheck = (v, name) => {
  if (typeof v !== "number" || !Number.isSafeInteger(v)) throw new Error(`${name} must be an integer, got ${_describe(v)}`);
};

/** The options every task takes; tokenBack adds k. Checked by _validateOptions: `seeed` suggests `seed`. */
const _TASK_SPEC: { [key: string]: OptionCheck } = {
  vocab: (v, n) => _checkInt(n, v, 2), length: (v, n) => _checkInt(n, v, 2), seed: _checkSeed,
};

function _base(name: string, options: TaskOptions, extra: { [key: string]: OptionCheck } = {}): { vocab: number; length: number; seed: number } {
  if (options == null || typeof options !== "object") throw new Error(`tasks.${name} needs { vocab, length }, got ${_describe(options)}`);
  _checkOptions(`tasks.${name}`, options, { ..._TASK_SPEC, ...extra }, ["vocab", "length", ...Object.keys(extra)]);
  return { vocab: options.vocab, length: options.length, seed: options.seed ?? 0 };
}

function _task(
  name: string, description: string, base: { vocab: number; length: number; seed: number }, parts: string[],
  make: (rand: () => number) => Example,
): Task {
  return {
    name, description, vocab: base.vocab, length: base.length, numClasses: base.vocab, parts, seed: base.seed,
    examples(n: number, seed: number = base.seed): Example[] {
      _checkInt(`${name}.examples: n`, n, 0);
      _checkSeed(seed, `${name}.examples: seed`);
      _checkBytes(`${name}.examples(${n})`, _examplesBytes(n, base.length, parts.length),
        `ask for at most ${_maxExamples(base.length, parts.length)} examples of ${base.length} tokens at a time`);
      const rand = mulberry32(seed);
      return Array.from({ length: n }, () => make(rand));
    },
  };
}

/** (L,) uniformly random tokens. */
function _tokens(rand: () => number, vocab: number, length: number): number[] {
  return Array.from({ length }, () => Math.floor(rand() * vocab));
}

/**
 * Copy the token k positions back: target_i = x_{i−k}; the first k positions are not scored.
 * k = 0 copies the current token, which a linear map solves without attention (through the residual).
 * @param options { vocab, length, k, seed }
 * @example tasks.tokenBack({ vocab: 5, length: 4, k: 2 }).examples(1)[0].targets[0].slice(0, 2) // returns [-1, -1]
 */
export function tokenBack(options: TaskOptions & { k: number }): Task {
  return _tokenBack("tokenBack", options);
}

function _tokenBack(name: string, options: TaskOptions & { k: number }): Task {
  const base = _base(name, options, name === "tokenBack" ? { k: (v, n) => _checkInt(n, v, 0) } : {});
  const k = name === "tokenBack" ? options.k : 1;
  if (k >= base.length) throw new Error(`k must be below length ${base.length}, got ${k}`);
  const prev = name === "previousToken";
  return _task(prev ? name : k === 0 ? "copy" : `tokenBack${k}`,
    prev ? "output the previous token (x_{i−1})" : `output the token ${k} position${k === 1 ? "" : "s"} back (x_{i−${k}})`, base,
    [prev ? "previous" : k === 0 ? "current" : `${k} back`], (rand) => {
      const tokens = _tokens(rand, base.vocab, base.length);
      return { tokens, targets: [tokens.map((_, i) => (i >= k ? tokens[i - k] : -1))] };
    });
}

/**
 * Copy the previous token: target_i = x_{i−1} (position 0 is not scored). One head that attends to i − 1 solves it.
 * @param options { vocab, length, seed }
 * @example tasks.previousToken({ vocab: 5, length: 4 }).parts // returns ["previous"]
 */
export function previousToken(options: TaskOptions): Task {
  return _tokenBack("previousToken", options as TaskOptions & { k: number });
}

/**
 * Induction: at a position whose token occurred before, output the token that followed its most recent
 * earlier occurrence; other positions are not scored. Sequences are drawn from a small vocabulary so
 * repeats are common. One attention layer cannot compose "the token before me" with "match", so a single
 * layer does not solve it: it is here to show that limit (test/train/heads-specialise.test.ts: a trained one-layer
 * model reaches more than 30% but stays below 80%).
 * @param options { vocab, length, seed }
 * @example tasks.induction({ vocab: 3, length: 6 }).parts // returns ["what followed"]
 */
export function induction(options: TaskOptions): Task {
  const base = _base("induction", options);
  return _task("induction", "output the token that followed the previous occurrence of the current token", base,
    ["what followed"], (rand) => {
      const tokens = _tokens(rand, base.vocab, base.length);
      const targets = tokens.map((x, i) => {
        for (let j = i - 1; j >= 0; j--) if (tokens[j] === x) return tokens[j + 1];
        return -1;
      });
      return { tokens, targets: [targets] };
    });
}

/**
 * Both neighbours at once: part "left" is x_{i−1}, part "right" is x_{i+1} (the ends are not scored in the part
 * that falls off). One head can only mix v_{i−1} and v_{i+1} into one weighted sum, which is symmetric in the two
 * tokens, so it cannot tell left from right; two heads, one per neighbour, solve it.
 * @param options { vocab, length, seed }
 * @example tasks.neighbours({ vocab: 5, length: 4 }).parts // returns ["left", "right"]
 */
export function neighbours(options: TaskOptions): Task {
  const base = _base("neighbours", options);
  return _task("neighbours", "output [x_{i−1}; x_{i+1}]: the left and the right neighbour", base, ["left", "right"], (rand) => {
    const tokens = _tokens(rand, base.vocab, base.length);
    const L = tokens.length;
    return {
      tokens,
      targets: [tokens.map((_, i) => (i >= 1 ? tokens[i - 1] : -1)), tokens.map((_, i) => (i + 1 < L ? tokens[i + 1] : -1))],
    };
  });
}

/** The tasks, by name: `tasks.previousToken({ vocab, length, seed })`. */
export const tasks = { previousToken, tokenBack, induction, neighbours };
