/**
 * The Clark-style table as text: one line per relation and direction, the best head's held-out accuracy,
 * its interval, the baseline's, and the difference.
 *
 * Dependencies: none.
 */
import type { SyntaxScores } from "./score-relations";

const _pct = (v: number) => (100 * v).toFixed(1).padStart(5);
const _ci = (c: [number, number]) => `[${_pct(c[0])}, ${_pct(c[1])}]`;

/**
 * Format the rows of scoreRelations as an aligned text table (percentages; heads as L{layer}·H{head+1}).
 * @param scores what scoreRelations or analyzeSyntax returned
 * @example (illustrative) formatSyntaxTable(scores).split("\n")[0] // returns "relation  direction  pairs (sel/held) …"
 */
export function formatSyntaxTable(scores: SyntaxScores): string {
  const head = "relation  direction  pairs sel/held  best head  sel. acc  held-out acc [95% CI]   baseline (offset)  held-out [95% CI]     head − baseline [95% CI]";
  const lines = scores.rows.map((r) => {
    const first = `${r.relation.padEnd(8)}  ${r.direction.padEnd(9)}  ${`${r.pairs.select}/${r.pairs.heldOut}`.padStart(14)}`;
    if (!r.best || !r.baseline || !r.difference) return `${first}  (${r.note})`;
    const name = `L${r.best.layer}·H${r.best.head + 1}`.padEnd(9);
    const off = `${r.baseline.offset > 0 ? "+" : ""}${r.baseline.offset}`;
    return `${first}  ${name}  ${_pct(r.best.selectAccuracy)}    ${_pct(r.best.heldOutAccuracy)} ${_ci(r.best.ci)}   ${off.padStart(3)}               ${_pct(r.baseline.heldOutAccuracy)} ${_ci(r.baseline.ci)}  ${_pct(r.difference.value)} ${_ci(r.difference.ci)}`;
  });
  return [head, ...lines].join("\n");
}
