/**
 * Every one-line `@example expr // returns value` (or `// throws "message"`) in src/plots and src/html runs here,
 * in the same format as test/math/doc-examples.test.ts. Examples may use every export of the files in those
 * folders (private `_` helpers included), the math API, and these fixtures: `mha` (dModel 8, h 2, seed 1),
 * `trace = mha.forward(x)` for 4 tokens, `dot` / `add` (one head's dot-product and additive attention).
 * `@example (illustrative) …` marks an example that is not run (it writes a file, or needs a notebook); those
 * end in a comment that is not "returns"/"throws", so the math's parser skips them too.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import * as math from "../../src/math";
import { MultiHeadAttention } from "../../src/math/multi-head";
import { scaledDotProductAttention } from "../../src/math/scaled-dot-product";
import { additiveAttention } from "../../src/math/additive";
import { randMatrix, rng } from "./_trace";

const DIRS = ["src/plots", "src/html"].map((d) => path.resolve(__dirname, "../..", d));

interface Example { file: string; expr: string; kind: "returns" | "throws"; expected: string }

function examples(): { runnable: Example[]; illustrative: number; all: number } {
  const out: Example[] = [];
  let illustrative = 0;
  let all = 0;
  for (const dir of DIRS) {
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".ts"))) {
      const lines = readFileSync(path.join(dir, file), "utf8").split("\n");
      lines.forEach((line) => {
        const m = line.match(/@example (.+)$/);
        if (!m) return;
        all++;
        if (m[1].startsWith("(illustrative)")) return void illustrative++;
        const [expr, rest = ""] = m[1].split(/ \/\/ /);
        const r = rest.match(/^(returns|throws) (.+)$/);
        if (!r) throw new Error(`${path.basename(dir)}/${file}: @example without "// returns …" or "// throws …", and not marked (illustrative): ${m[1]}`);
        out.push({ file: `${path.basename(dir)}/${file}`, expr: expr.trim(), kind: r[1] as "returns" | "throws", expected: r[2].trim() });
      });
    }
  }
  return { runnable: out, illustrative, all };
}

const mha = MultiHeadAttention.random({ dModel: 8, numHeads: 2, seed: 1 });
const x = randMatrix(4, 8, rng(5));
const trace = mha.forward(x);
const h0 = trace.heads[0];
const dot = scaledDotProductAttention(h0.q, h0.k, h0.v);
const next = rng(7);
const add = additiveAttention(h0.q, h0.k, h0.v, { wQ: randMatrix(4, 6, next), wK: randMatrix(4, 6, next), wV: randMatrix(6, 1, next).map((r) => r[0]) });

const scope: Record<string, unknown> = { ...math, mha, x, trace, dot, add };
beforeAll(async () => {
  for (const dir of DIRS) {
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".ts"))) Object.assign(scope, await import(path.join(dir, file)));
  }
});
const evaluate = (src: string): unknown => {
  const names = Object.keys(scope);
  return new Function(...names, `return (${src});`)(...names.map((n) => scope[n]));
};

describe("doc-comment examples in src/plots and src/html", () => {
  const { runnable, illustrative, all } = examples();
  it("every example runs or is marked illustrative (at most 1 in 10 illustrative)", () => {
    expect(runnable.length + illustrative).toBe(all);
    expect(runnable.length).toBeGreaterThanOrEqual(30);
    expect(illustrative * 10).toBeLessThanOrEqual(all);
  });
  for (const ex of runnable) {
    it(`${ex.file}: ${ex.expr} ${ex.kind} ${ex.expected}`, () => {
      if (ex.kind === "throws") {
        expect(() => evaluate(ex.expr)).toThrow(JSON.parse(ex.expected));
        return;
      }
      expect(evaluate(ex.expr)).toEqual(evaluate(ex.expected));
    });
  }
});
