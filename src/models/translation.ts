/**
 * A toy translation task, generated in code and seeded: a tiny English (subject–verb–object, adjectives before
 * nouns, articles) into a tiny made-up language (subject–object–verb, adjectives after nouns, no articles, a
 * particle after the subject "ga" and after the object "o"):
 *   "the big dog sees a small cat"  →  "kopa gor ga miru pim o tavi"
 * The answer needs alignment that is not the diagonal: the verb moves to the end, each adjective swaps with its
 * noun, articles are dropped and particles inserted. 112 · 6 · 112 = 75,264 sentences; a seeded tenth of them
 * is held out and never drawn for training.
 *
 * Dependencies: mulberry32, PAD/BOS/EOS and Seq2SeqBatch (encoder-decoder.ts).
 */
import { _describe } from "../math/_describe";
import { _isSafeInteger, _validateOptions } from "../math/_validate";
import { mulberry32 } from "../math/random";
import { _positiveInt } from "./_check";
import { BOS, EOS, EncoderDecoder, EncoderDecoderRunOptions, PAD, Seq2SeqBatch } from "./encoder-decoder";

const _DETS = ["the", "a"];
const _ADJS: [string, string][] = [["big", "gor"], ["small", "pim"], ["red", "sak"], ["old", "dul"], ["happy", "fen"], ["quiet", "mos"]];
const _NOUNS: [string, string][] = [["dog", "kopa"], ["cat", "miru"], ["bird", "tesi"], ["fish", "luno"], ["fox", "varo"], ["horse", "beki"], ["child", "nomu"], ["king", "rado"]];
const _VERBS: [string, string][] = [["sees", "tavi"], ["likes", "nelu"], ["chases", "supa"], ["helps", "kiro"], ["feeds", "bami"], ["hears", "olen"]];

const _SRC = ["<pad>", ..._DETS, ..._ADJS.map((w) => w[0]), ..._NOUNS.map((w) => w[0]), ..._VERBS.map((w) => w[0])];
const _TGT = ["<pad>", "<s>", "</s>", "ga", "o", ..._NOUNS.map((w) => w[1]), ..._ADJS.map((w) => w[1]), ..._VERBS.map((w) => w[1])];
const _NP = _DETS.length * (_ADJS.length + 1) * _NOUNS.length; // 112 noun phrases
const _COUNT = _NP * _VERBS.length * _NP; // 75,264 sentences

/** A seeded source of translation pairs with a held-out set. */
export interface TranslationTask {
  name: string;
  /** one sentence saying what the task is */ description: string;
  /** source ids 0 … sourceVocab − 1 (0 = PAD) */ sourceVocab: number;
  /** target ids 0 … targetVocab − 1 (0 = PAD, 1 = BOS, 2 = EOS) */ targetVocab: number;
  /** every source is padded to this length */ sourceLength: number;
  /** every target [BOS … EOS PAD …] is padded to this length */ targetLength: number;
  /** (sourceVocab,) */ sourceWords: string[];
  /** (targetVocab,) */ targetWords: string[];
  seed: number;
  /** how many different sentences there are, and how many of them are held out */ counts: { all: number; heldOut: number };
  /**
   * n training pairs (never a held-out sentence), the same for the same (n, seed).
   * @param seed default task.seed
   */
  batch(n: number, seed?: number): Seq2SeqBatch;
  /** n different held-out pairs (never drawn by batch), the same for the same (n, seed); seed default task.seed + 1 */
  heldOut(n: number, seed?: number): Seq2SeqBatch;
  /** whether a source (ids) is one of the held-out sentences */ isHeldOut(source: number[]): boolean;
  /** the correct target [BOS words EOS PAD …] of a source */ reference(source: number[]): number[];
  /**
   * For each decoder position t (which predicts target[t + 1]), the source position of the word target[t + 1]
   * translates, or −1 (a particle, EOS, PAD): where a cross-attention row "should" look.
   * @param source (S,) ids
   * @return (targetLength − 1,)
   */
  alignment(source: number[]): number[];
  /** words of source ids, PAD left out */ sourceText(ids: number[]): string;
  /** words of target ids, PAD, BOS and EOS left out */ targetText(ids: number[]): string;
}

/** A sentence as its parts: [det, adj (0 = none), noun] for subject and object, and the verb. */
interface _Sentence { subj: [number, number, number]; verb: number; obj: [number, number, number] }

function _sentence(i: number): _Sentence {
  const np = (k: number): [number, number, number] => [k % 2, Math.floor(k / 2) % 7, Math.floor(k / 14)];
  return { subj: np(i % _NP), verb: Math.floor(i / _NP) % _VERBS.length, obj: np(Math.floor(i / (_NP * _VERBS.length))) };
}

/** A 32-bit mix of a sentence's index and the seed: the held-out tenth is the sentences it sends below 2³²/10. */
function _hash(i: number, seed: number): number {
  let h = Math.imul(i ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(seed + 0x632be5ab, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * The toy English → SOV translation task.
 *   source: DET [ADJ] NOUN VERB DET [ADJ] NOUN          (up to 7 words, padded with PAD)
 *   target: BOS NOUN' [ADJ'] ga NOUN' [ADJ'] o VERB' EOS  (up to 9 tokens, padded with PAD)
 * @param options { seed = 0 } (the held-out split and the default draws)
 * @example (t => t.sourceText(t.heldOut(1).sources[0]).split(" ").length >= 5)(toyTranslation()) // returns true
 * @example toyTranslation().targetText(toyTranslation().reference([1, 3, 9, 17, 2, 10])) // returns "kopa gor ga miru o tavi"
 */
export function toyTranslation(options: { seed?: number } = {}): TranslationTask {
  _validateOptions("toyTranslation", options, { seed: _isSafeInteger });
  const seed = options.seed ?? 0;
  const S = 7;
  const T = 9;
  const held = (i: number) => _hash(i, seed) < 0x1999999a;
  const word = (list: string[], w: string) => list.indexOf(w);
  const encode = (s: _Sentence): number[] => {
    const np = ([det, adj, noun]: [number, number, number]) =>
      [word(_SRC, _DETS[det]), ...(adj > 0 ? [word(_SRC, _ADJS[adj - 1][0])] : []), word(_SRC, _NOUNS[noun][0])];
    const ids = [...np(s.subj), word(_SRC, _VERBS[s.verb][0]), ...np(s.obj)];
    return [...ids, ...new Array<number>(S - ids.length).fill(PAD)];
  };
  /** the index of a source (ids), or −1 if it is not a sentence of the task */
  const indexOf = (src: number[]): number => {
    const words = src.filter((t) => t !== PAD).map((t) => _SRC[t]);
    let k = 0;
    const np = (): number => {
      const det = _DETS.indexOf(words[k++]);
      let adj = _ADJS.findIndex((a) => a[0] === words[k]) + 1;
      if (adj > 0) k++;
      const w = words[k++];
      const noun = _NOUNS.findIndex((n) => n[0] === w);
      return det < 0 || noun < 0 ? -1 : det + 2 * adj + 14 * noun;
    };
    const subj = np();
    const v = words[k++];
    const verb = _VERBS.findIndex((x) => x[0] === v);
    const obj = np();
    if (subj < 0 || verb < 0 || obj < 0 || k !== words.length) return -1;
    return subj + _NP * (verb + _VERBS.length * obj);
  };
  const parse = (src: number[]): _Sentence => {
    const i = indexOf(src);
    if (i < 0) throw new Error(`toyTranslation: [${src.join(", ")}] ("${src.map((t) => _SRC[t] ?? "?").join(" ")}") is not a sentence of the task`);
    return _sentence(i);
  };
  /** target words with, for each, the source position it translates (−1 for a particle) */
  const translate = (src: number[]): [number, number][] => {
    const s = parse(src);
    const out: [number, number][] = [];
    let pos = 0;
    const np = ([, adj, noun]: [number, number, number], particle: string) => {
      const adjAt = adj > 0 ? pos + 1 : -1;
      const nounAt = pos + 1 + (adj > 0 ? 1 : 0);
      out.push([word(_TGT, _NOUNS[noun][1]), nounAt]);
      if (adj > 0) out.push([word(_TGT, _ADJS[adj - 1][1]), adjAt]);
      out.push([word(_TGT, particle), -1]);
      pos = nounAt + 1;
    };
    np(s.subj, "ga");
    const verbAt = pos++;
    np(s.obj, "o");
    out.push([word(_TGT, _VERBS[s.verb][1]), verbAt]);
    return out;
  };
  const reference = (src: number[]): number[] => {
    const ids = [BOS, ...translate(src).map((w) => w[0]), EOS];
    return [...ids, ...new Array<number>(T - ids.length).fill(PAD)];
  };
  const pairs = (ids: number[]): Seq2SeqBatch => {
    const sources = ids.map((i) => encode(_sentence(i)));
    return { sources, targets: sources.map(reference) };
  };
  const draw = (n: number, s: number, wantHeld: boolean, distinct: boolean): number[] => {
    _positiveInt("n", n, 1);
    if (!Number.isSafeInteger(s)) throw new Error(`seed must be an integer, got ${_describe(s)}`);
    const rand = mulberry32(s);
    const ids: number[] = [];
    const seen = new Set<number>();
    while (ids.length < n) {
      const i = Math.floor(rand() * _COUNT);
      if (held(i) !== wantHeld || (distinct && seen.has(i))) continue;
      seen.add(i);
      ids.push(i);
    }
    return ids;
  };
  let heldCount = 0;
  for (let i = 0; i < _COUNT; i++) if (held(i)) heldCount++;
  return {
    name: "toyTranslation",
    description: "a tiny SVO English (articles, adjectives before nouns) into a tiny SOV language (no articles, adjectives after nouns, particles ga and o)",
    sourceVocab: _SRC.length, targetVocab: _TGT.length, sourceLength: S, targetLength: T,
    sourceWords: _SRC.slice(), targetWords: _TGT.slice(), seed, counts: { all: _COUNT, heldOut: heldCount },
    batch: (n, s = seed) => pairs(draw(n, s, false, false)),
    heldOut: (n, s = seed + 1) => {
      if (n > heldCount) throw new Error(`heldOut: asked for ${n} different held-out sentences, but there are ${heldCount}`);
      return pairs(draw(n, s, true, true));
    },
    isHeldOut: (src) => {
      parse(src);
      return held(indexOf(src));
    },
    reference,
    alignment: (src) => {
      const a = translate(src).map((w) => w[1]);
      return [...a, ...new Array<number>(T - 1 - a.length).fill(-1)]; // EOS and PAD: −1
    },
    sourceText: (ids) => ids.filter((t) => t !== PAD).map((t) => _SRC[t] ?? `?${t}`).join(" "),
    targetText: (ids) => ids.filter((t) => t !== PAD && t !== BOS && t !== EOS).map((t) => _TGT[t] ?? `?${t}`).join(" "),
  };
}

/**
 * The share of one cross-attention map's weight that falls on the source word each output word translates.
 *   share = mean over the rows t with alignment[t] ≥ 0 of A[t][alignment[t]]   (a head uniform over a source of W words, its padding masked: 1/W)
 * @param A (T, S) a cross-attention map (row t predicts target[t + 1])
 * @param alignment (≥ T − 1,) task.alignment(source): a source position per row, −1 for rows not scored
 * @example alignmentShare([[0.9, 0.1], [0.2, 0.8], [0.5, 0.5]], [0, 1, -1]) // returns 0.85…  ((0.9 + 0.8) / 2)
 */
export function alignmentShare(A: number[][], alignment: number[]): number {
  if (!Array.isArray(A) || !Array.isArray(alignment)) throw new Error(`alignmentShare needs a map (T, S) and an alignment, got ${_describe(A)} and ${_describe(alignment)}`);
  let sum = 0;
  let n = 0;
  A.forEach((row, t) => {
    const s = alignment[t];
    if (s == null || s < 0) return;
    if (s >= row.length) throw new Error(`alignmentShare: alignment[${t}] is ${s} but the map has ${row.length} source columns`);
    sum += row[s];
    n++;
  });
  return n === 0 ? NaN : sum / n;
}

/**
 * Every cross-attention head's alignment share, averaged over pairs (e.g. held-out ones).
 *   shares[l][i] = mean over pairs of alignmentShare(cross map of layer l head i, task.alignment(source))
 * @param model a trained EncoderDecoder
 * @param task its task (for the alignment)
 * @param batch the pairs
 * @param options head masks, as the model was run
 * @return (decoderLayers, numHeads)
 * @example (illustrative) crossAlignmentShares(run.model, task, heldOut) // returns [[0.92…, 0.72…]]
 */
export function crossAlignmentShares(model: EncoderDecoder, task: TranslationTask, batch: Seq2SeqBatch, options: EncoderDecoderRunOptions = {}): number[][] {
  const { decoderLayers, numHeads } = model.config;
  const sums = Array.from({ length: decoderLayers }, () => new Array<number>(numHeads).fill(0));
  for (let k = 0; k < batch.sources.length; k += 256) {
    const part = { sources: batch.sources.slice(k, k + 256), targets: batch.targets.slice(k, k + 256) };
    model.attentions(part, options).forEach((att, b) => {
      const a = task.alignment(part.sources[b]);
      att.cross.forEach((layer, l) => layer.forEach((A, i) => { sums[l][i] += alignmentShare(A, a); }));
    });
  }
  return sums.map((row) => row.map((s) => s / batch.sources.length));
}
