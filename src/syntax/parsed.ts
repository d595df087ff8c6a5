/**
 * Parsed sentences: words, each word's head (0-based, the root −1) and dependency label. The committed set
 * (src/syntax/data/parsed.json, 316 sentences) was parsed by a MACHINE, spaCy's small English pipeline
 * (scripts/parse_sentences.py), whose own reported accuracy is UAS 0.918, LAS 0.899: it is not a gold treebank.
 *
 * Dependencies: fs, path.
 */
import * as fs from "fs";
import * as path from "path";

/** One parsed sentence. */
export interface ParsedSentence {
  /** the sentence as typed */ text: string;
  /** (W,) the parser's words, in order */ words: string[];
  /** (W,) heads[i] = the index of word i's head; the root has −1 */ heads: number[];
  /** (W,) dependency labels (ClearNLP: nsubj, dobj, dative, amod, det, poss, prep, pobj, aux, …) */ deps: string[];
  /** (W,) coarse part-of-speech tags, when the parser gave them */ pos?: string[];
}

/** Who parsed the committed sentences, and how well that parser did on its own evaluation set. */
export interface ParserInfo {
  pipeline: string;
  pipelineVersion: string;
  package: string;
  spacyVersion: string;
  labels: string;
  reportedUAS: number;
  reportedLAS: number;
  reportedOn: string;
}

/** The committed sentence set. */
export interface ParsedSentenceSet {
  /** says that these are machine parses */ description: string;
  parser: ParserInfo;
  sentences: ParsedSentence[];
}

/** The folder with sentences.txt and parsed.json (src/syntax/data, found from dist/ or src/). */
export function syntaxDataDir(): string {
  return path.join(__dirname, "..", "..", "src", "syntax", "data");
}

/**
 * Check one parsed sentence; the error names the sentence (by `where`), the word and what is wrong.
 *   every heads[i] ∈ {−1, 0 … W−1}, heads[i] ≠ i, exactly one root, words/heads/deps of equal length
 * @param s     { text, words (W,), heads (W,), deps (W,) }
 * @param where how to name it in an error, e.g. "sentence 3"
 * @return the same sentence
 * @example checkParsedSentence({ text: "Hi.", words: ["Hi", "."], heads: [-1, 0], deps: ["ROOT", "punct"] }).words // returns ["Hi", "."]
 * @example checkParsedSentence({ text: "Hi.", words: ["Hi", "."], heads: [-1, 5], deps: ["ROOT", "punct"] }) // throws "word 1 \".\" has head 5"
 */
export function checkParsedSentence(s: ParsedSentence, where = "the sentence"): ParsedSentence {
  if (s === null || typeof s !== "object" || Array.isArray(s)) throw new Error(`${where} must be an object { text, words, heads, deps }, got ${Array.isArray(s) ? "an array" : String(s)}`);
  if (typeof s.text !== "string" || s.text.trim() === "") throw new Error(`${where}: text must be a non-empty string, got ${JSON.stringify(s.text)}`);
  for (const key of ["words", "heads", "deps"] as const) {
    if (!Array.isArray(s[key])) throw new Error(`${where} (${JSON.stringify(s.text)}): ${key} must be an array, got ${s[key] === undefined ? "nothing" : typeof s[key]}`);
  }
  const W = s.words.length;
  if (W === 0) throw new Error(`${where} (${JSON.stringify(s.text)}) has no words`);
  if (s.heads.length !== W || s.deps.length !== W) throw new Error(`${where} (${JSON.stringify(s.text)}): ${W} words but ${s.heads.length} heads and ${s.deps.length} deps`);
  if (s.pos !== undefined && (!Array.isArray(s.pos) || s.pos.length !== W)) throw new Error(`${where} (${JSON.stringify(s.text)}): pos must be an array of ${W} tags`);
  let roots = 0;
  s.heads.forEach((h, i) => {
    if (typeof s.words[i] !== "string" || s.words[i] === "") throw new Error(`${where}: word ${i} is ${JSON.stringify(s.words[i])}, not a non-empty string`);
    if (!Number.isInteger(h) || h < -1 || h >= W) throw new Error(`${where}: word ${i} "${s.words[i]}" has head ${h}; a head must be −1 (root) or a word index 0 … ${W - 1}`);
    if (h === i) throw new Error(`${where}: word ${i} "${s.words[i]}" is its own head`);
    if (h === -1) roots++;
  });
  if (roots !== 1) throw new Error(`${where} (${JSON.stringify(s.text)}) has ${roots} roots (heads equal to −1); a parse has exactly one`);
  return s;
}

let _cached: ParsedSentenceSet | null = null;

/**
 * The committed sentence set: 316 sentences written for the course, machine-parsed (see ParserInfo).
 * @return { description, parser, sentences }; the same frozen object on every call
 * @example loadParsedSentences().sentences[0].words // returns ["He", "gave", "her", "the", "ball", "."]
 */
export function loadParsedSentences(): ParsedSentenceSet {
  if (_cached === null) {
    const file = path.join(syntaxDataDir(), "parsed.json");
    const data = JSON.parse(fs.readFileSync(file, "utf8")) as ParsedSentenceSet;
    data.sentences.forEach((s, k) => checkParsedSentence(s, `${file} sentence ${k}`));
    _cached = _deepFreeze(data);
  }
  return _cached;
}

function _deepFreeze<T>(x: T): T {
  if (x !== null && typeof x === "object") {
    Object.values(x as object).forEach(_deepFreeze);
    Object.freeze(x);
  }
  return x;
}
