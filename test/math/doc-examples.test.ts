/**
 * Every one-line `@example expr // returns value` (or `// throws "message"`) in src/math runs here,
 * so the documentation cannot drift from the code. "…" after a number means "rounded": compared to 1e-5.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import * as api from "../../src/index";
import { expectClose } from "./_helpers";

const DIR = path.resolve(__dirname, "../../src/math");

interface Example { file: string; expr: string; kind: "returns" | "throws"; expected: string }

function examples(): Example[] {
  const out: Example[] = [];
  for (const file of readdirSync(DIR).filter((f) => f.endsWith(".ts"))) {
    const lines = readFileSync(path.join(DIR, file), "utf8").split("\n");
    lines.forEach((line, i) => {
      const m = line.match(/@example (.+)$/);
      if (!m) return;
      let [expr, rest] = m[1].split(/ \/\/ /);
      if (rest === undefined) rest = (lines[i + 1] ?? "").match(/^\s*\*\s*\/\/ (.*)$/)?.[1] ?? "";
      const r = rest.match(/^(returns|throws) (.+?)(\s{2,}\(.*\))?$/);
      if (r) out.push({ file, expr: expr.trim(), kind: r[1] as "returns" | "throws", expected: r[2].trim() });
    });
  }
  return out;
}

const names = Object.keys(api);
const evaluate = (src: string): unknown => new Function(...names, `return (${src});`)(...names.map((n) => (api as Record<string, unknown>)[n]));

describe("doc-comment examples", () => {
  const all = examples();
  it("there are at least 38 runnable examples", () => {
    expect(all.length).toBeGreaterThanOrEqual(38);
  });
  for (const ex of all) {
    it(`${ex.file}: ${ex.expr} ${ex.kind} ${ex.expected}`, () => {
      if (ex.kind === "throws") {
        expect(() => evaluate(ex.expr)).toThrow(JSON.parse(ex.expected));
        return;
      }
      const actual = evaluate(ex.expr);
      if (ex.expected.includes("…")) expectClose(actual, evaluate(ex.expected.replace(/…/g, "")), 1e-5);
      else expect(actual).toEqual(evaluate(ex.expected));
    });
  }
});
