/**
 * The relations scored, as ClearNLP labels (the labels of spaCy's English pipelines), and the (from, to) word
 * pairs a relation gives in one sentence, in either direction.
 *
 * Dependencies: none.
 */
import type { ParsedSentence } from "./parsed";

/** A relation: its name in Clark et al. (2019)'s table and the parser labels that count as it. */
export interface Relation {
  name: string;
  /** parser labels, or "*" for any label except punct and ROOT */ labels: string[];
  /** in words */ description: string;
}

/** The relations of the course's table. ClearNLP calls the indirect object "dative". */
export const RELATIONS: readonly Relation[] = Object.freeze([
  { name: "amod", labels: ["amod"], description: "adjective → its noun (tall → man)" },
  { name: "dobj", labels: ["dobj"], description: "direct object → its verb (ball → gave)" },
  { name: "iobj", labels: ["dative"], description: "indirect object → its verb (her → gave)" },
  { name: "nsubj", labels: ["nsubj"], description: "subject → its verb (he → gave)" },
  { name: "det", labels: ["det"], description: "determiner → its noun (the → ball)" },
  { name: "poss", labels: ["poss"], description: "possessor → the possessed (my → sister)" },
  { name: "prep", labels: ["prep"], description: "preposition → the word it attaches to (on → sat)" },
  { name: "pobj", labels: ["pobj"], description: "object of a preposition → the preposition (table → on)" },
  { name: "aux", labels: ["aux", "auxpass"], description: "auxiliary → its verb (has → finished)" },
  { name: "any", labels: ["*"], description: "any relation (punctuation and the root left out)" },
].map((r) => Object.freeze({ ...r, labels: Object.freeze(r.labels) as string[] })));

/** "dep→head": the dependent attends to its head; "head→dep": the head attends to its dependent. */
export type Direction = "dep→head" | "head→dep";
export const DIRECTIONS: readonly Direction[] = Object.freeze(["dep→head", "head→dep"] as Direction[]);

/**
 * The relation by name, or an error listing the names (with a suggestion for a near miss).
 * @example relationByName("dobj").labels // returns ["dobj"]
 */
export function relationByName(name: string): Relation {
  const r = RELATIONS.find((x) => x.name === name);
  if (r) return r;
  const lower = String(name).toLowerCase();
  const near = RELATIONS.find((x) => x.name === lower || x.labels.includes(lower));
  throw new Error(`no relation "${name}"${near ? `; did you mean "${near.name}"?` : ""} (relations: ${RELATIONS.map((x) => x.name).join(", ")})`);
}

/**
 * The word pairs of one relation in one sentence. For every word d whose label is one of the relation's, with
 * head h: dep→head gives [d, h] (query d should attend to h), head→dep gives [h, d]. A head with two such
 * dependents gives two head→dep pairs (as in Clark et al.).
 * @param s         a parsed sentence
 * @param relation  a Relation (RELATIONS) or its name
 * @param direction "dep→head" or "head→dep"
 * @return [from, to] word indices
 * @example relationPairs({ text: "He gave her the ball.", words: ["He", "gave", "her", "the", "ball", "."], heads: [1, -1, 1, 4, 1, 1], deps: ["nsubj", "ROOT", "dative", "det", "dobj", "punct"] }, "dobj", "dep→head") // returns [[4, 1]]
 */
export function relationPairs(s: ParsedSentence, relation: Relation | string, direction: Direction): [number, number][] {
  const r = typeof relation === "string" ? relationByName(relation) : relation;
  if (direction !== "dep→head" && direction !== "head→dep") throw new Error(`direction must be "dep→head" or "head→dep", got ${JSON.stringify(direction)}`);
  const any = r.labels.includes("*");
  const out: [number, number][] = [];
  s.deps.forEach((label, d) => {
    const h = s.heads[d];
    if (h < 0) return;
    if (any ? label === "punct" || label === "ROOT" : !r.labels.includes(label)) return;
    out.push(direction === "dep→head" ? [d, h] : [h, d]);
  });
  return out;
}
