/**
 * The Clark-style table: for each relation and direction, the best head chosen on one half of the sentences and
 * scored on the other half, next to the best fixed-offset baseline (chosen and scored the same way), with
 * bootstrap intervals over the held-out sentences. Choosing the best of 72 heads on the same sentences it is
 * scored on would report the luckiest head; the held-out half does not know which head won.
 *
 * Dependencies: relationPairs, mostAttended, headHits, offsetHits, bootstrapInterval, _shuffled, _validateOptions.
 */
import type { Matrix } from "../math/trace";
import { _validateOptions } from "../math/_validate";
import { _shuffled } from "./_shuffle";
import { bootstrapInterval } from "./bootstrap";
import { headHits, mostAttended, offsetHits } from "./head-accuracy";
import type { ParsedSentence } from "./parsed";
import { Direction, DIRECTIONS, Relation, RELATIONS, relationByName, relationPairs } from "./relations";

/** Options of scoreRelations. */
export interface ScoreOptions {
  /** relation names (default: all of RELATIONS) */ relations?: string[];
  /** default both */ directions?: Direction[];
  /** seed of the split into halves and of the bootstrap (default 0) */ seed?: number;
  /** bootstrap resamples (default 1000) */ samples?: number;
  /** the baseline's offsets (default −5 … 5 without 0) */ offsets?: number[];
}

/** A head, 0-based: layer l, head h (prose says L{l}·H{h+1}). */
export interface HeadRef { layer: number; head: number }

/** One row of the table. */
export interface RelationScore {
  relation: string;
  direction: Direction;
  /** word pairs in the selection half, the held-out half, all sentences */ pairs: { select: number; heldOut: number; all: number };
  /** the head with the best accuracy on the selection half, scored on the held-out half; null without pairs */
  best: (HeadRef & { selectAccuracy: number; heldOutAccuracy: number; ci: [number, number] }) | null;
  /** the offset with the best accuracy on the selection half, scored on the held-out half; null without pairs */
  baseline: { offset: number; selectAccuracy: number; heldOutAccuracy: number; ci: [number, number] } | null;
  /** held-out accuracy of the best head minus the baseline's, with a paired bootstrap interval */
  difference: { value: number; ci: [number, number] } | null;
  /** (layers, heads) every head's accuracy on all sentences, for a heatmap; NaN-free (0 without pairs) */ accuracy: number[][];
  /** why best is null, or "" */ note: string;
}

/** What scoreRelations returns. */
export interface SyntaxScores {
  /** sentence indices of the two halves */ halves: { select: number[]; heldOut: number[] };
  rows: RelationScore[];
  /** the row of a relation and direction */ row(relation: string, direction: Direction): RelationScore;
}

/**
 * Split n sentences into two halves by a seeded shuffle (selection gets the extra one when n is odd).
 * @example splitHalves(4, 0).select.length // returns 2
 */
export function splitHalves(n: number, seed = 0): { select: number[]; heldOut: number[] } {
  const order = _shuffled(n, seed);
  const cut = Math.ceil(n / 2);
  return { select: order.slice(0, cut).sort((a, b) => a - b), heldOut: order.slice(cut).sort((a, b) => a - b) };
}

const _sum = (xs: number[], idx: number[]) => idx.reduce((s, k) => s + xs[k], 0);

/**
 * Score every head against the parses, relation by relation, in both directions.
 *   best head = argmax over heads of accuracy on the selection half; reported: its accuracy on the held-out half
 * @param sentences (n,) parsed sentences
 * @param wordAtts  (n,) each sentence's word attention (layers, heads, W, W), from wordAttentions
 * @param options   { relations, directions, seed, samples, offsets }
 * @return { halves, rows, row(relation, direction) }
 * @example (illustrative) scoreRelations(sentences, wordAtts).row("dobj", "dep→head").best // returns { layer, head, heldOutAccuracy, ci, … }
 */
export function scoreRelations(sentences: ParsedSentence[], wordAtts: Matrix[][][], options: ScoreOptions = {}): SyntaxScores {
  _validateOptions("scoreRelations", options, {
    relations: (v, k) => { if (!Array.isArray(v)) throw new Error(`${k} must be an array of relation names`); v.forEach((r) => relationByName(r)); },
    directions: (v, k) => { if (!Array.isArray(v) || !v.every((d) => DIRECTIONS.includes(d))) throw new Error(`${k} must be a list of "dep→head" and "head→dep"`); },
    seed: (v, k) => { if (!Number.isSafeInteger(v)) throw new Error(`${k} must be an integer, got ${v}`); },
    samples: (v, k) => { if (!Number.isInteger(v) || (v as number) < 1) throw new Error(`${k} must be a positive integer, got ${v}`); },
    offsets: (v, k) => { if (!Array.isArray(v) || v.length === 0 || !v.every((o) => Number.isInteger(o) && o !== 0)) throw new Error(`${k} must be a list of non-zero integers`); },
  });
  if (!Array.isArray(sentences) || !Array.isArray(wordAtts) || sentences.length !== wordAtts.length) {
    throw new Error(`scoreRelations: ${Array.isArray(sentences) ? sentences.length : "no"} sentences but ${Array.isArray(wordAtts) ? wordAtts.length : "no"} word attentions`);
  }
  if (sentences.length < 2) throw new Error(`scoreRelations needs at least 2 sentences (one per half), got ${sentences.length}`);
  sentences.forEach((s, k) => {
    const W = s.words.length, a = wordAtts[k]?.[0]?.[0];
    if (!Array.isArray(a) || a.length !== W || a[0].length !== W) throw new Error(`scoreRelations: sentence ${k} has ${W} words but its word attention is ${Array.isArray(a) ? `${a.length}×${a[0]?.length}` : "missing"}`);
  });
  const relations: Relation[] = (options.relations ?? RELATIONS.map((r) => r.name)).map(relationByName);
  const directions = options.directions ?? [...DIRECTIONS];
  const seed = options.seed ?? 0, samples = options.samples ?? 1000;
  const offsets = options.offsets ?? [-5, -4, -3, -2, -1, 1, 2, 3, 4, 5];
  const halves = splitHalves(sentences.length, seed);
  const all = sentences.map((_, k) => k);
  const predictions = wordAtts.map(mostAttended); // (n, layers, heads, W)
  const [numLayers, numHeads] = [wordAtts[0].length, wordAtts[0][0].length];

  const rows: RelationScore[] = [];
  for (const r of relations) for (const direction of directions) {
    const pairs = sentences.map((s) => relationPairs(s, r, direction)); // (n, pairs, 2)
    const total = pairs.map((p) => p.length); // (n,)
    const hits = headHits(predictions, pairs); // (n, layers, heads)
    const perHead = (l: number, h: number) => hits.map((x) => x[l][h]); // (n,)
    const acc = (correct: number[], idx: number[]) => _sum(correct, idx) / _sum(total, idx);
    const count = { select: _sum(total, halves.select), heldOut: _sum(total, halves.heldOut), all: _sum(total, all) };
    const accuracy = Array.from({ length: numLayers }, (_, l) => Array.from({ length: numHeads }, (_, h) => (count.all > 0 ? acc(perHead(l, h), all) : 0)));
    const row: RelationScore = { relation: r.name, direction, pairs: count, best: null, baseline: null, difference: null, accuracy, note: "" };
    if (count.select === 0 || count.heldOut === 0) {
      row.note = `no ${r.name} pairs in the ${count.select === 0 ? "selection" : "held-out"} half`;
      rows.push(row);
      continue;
    }
    // 1) the best head on the selection half
    let bl = 0, bh = 0, bAcc = -1;
    for (let l = 0; l < numLayers; l++) for (let h = 0; h < numHeads; h++) {
      const a = acc(perHead(l, h), halves.select);
      if (a > bAcc) [bl, bh, bAcc] = [l, h, a];
    }
    // 2) the best offset on the selection half
    let bo = offsets[0], boAcc = -1;
    for (const o of offsets) {
      const a = acc(offsetHits(pairs, o), halves.select);
      if (a > boAcc) [bo, boAcc] = [o, a];
    }
    // 3) both scored on the held-out half, with intervals over its sentences
    const head = perHead(bl, bh), base = offsetHits(pairs, bo), H = halves.heldOut;
    const boot = (stat: (idx: number[]) => number) => bootstrapInterval(H.length, (idx) => {
      const picked = idx.map((k) => H[k]);
      return _sum(total, picked) === 0 ? null : stat(picked); // a resample without pairs says nothing
    }, { samples, seed });
    row.best = { layer: bl, head: bh, selectAccuracy: bAcc, heldOutAccuracy: acc(head, H), ci: boot((p) => acc(head, p)) };
    row.baseline = { offset: bo, selectAccuracy: boAcc, heldOutAccuracy: acc(base, H), ci: boot((p) => acc(base, p)) };
    row.difference = { value: row.best.heldOutAccuracy - row.baseline.heldOutAccuracy, ci: boot((p) => acc(head, p) - acc(base, p)) };
    rows.push(row);
  }
  const row = (relation: string, direction: Direction) => {
    const found = rows.find((x) => x.relation === relation && x.direction === direction);
    if (!found) throw new Error(`no row for ${relation} ${direction}; the table has ${[...new Set(rows.map((x) => x.relation))].join(", ")}`);
    return found;
  };
  return { halves, rows, row };
}
