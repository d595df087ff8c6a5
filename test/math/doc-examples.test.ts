/**
 * Every one-line `@example expr // returns value` (or `// throws "message"`) in src/ runs here (src/plots
 * and src/html have their own test in test/plots), so the documentation cannot drift from the code.
 * "…" after a number means "rounded": compared to 1e-5. `@example (illustrative) …` is not run: it needs
 * a notebook's variables or a kernel. An example may name any export of any module in
 * src/, private ones included (they document private helpers too).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { expectClose } from "./_helpers";

const SRC = path.resolve(__dirname, "../../src");
const SKIP = new Set(["plots", "html"]);

/** Every .ts file under src/ outside SKIP, as paths relative to src/. */
function sourceFiles(dir = SRC): string[] {
  return readdirSync(dir).flatMap((f) => {
    const full = path.join(dir, f);
    if (statSync(full).isDirectory()) return dir === SRC && SKIP.has(f) ? [] : sourceFiles(full);
    return f.endsWith(".ts") && !f.endsWith(".d.ts") ? [path.relative(SRC, full)] : [];
  });
}

/** The scope examples run in: every export of every module in src/ (filled in beforeAll), a file's own exports first. */
const api: Record<string, unknown> = {};
const own = new Map<string, Record<string, unknown>>();

interface Example { file: string; expr: string; kind: "returns" | "throws"; expected: string }

function examples(): Example[] {
  const out: Example[] = [];
  for (const file of sourceFiles()) {
    const lines = readFileSync(path.join(SRC, file), "utf8").split("\n");
    lines.forEach((line, i) => {
      const m = line.match(/@example (.+)$/);
      if (!m || m[1].startsWith("(illustrative)")) return; // needs variables from a notebook or a kernel
      let [expr, rest] = m[1].split(/ \/\/ /);
      if (rest === undefined) rest = (lines[i + 1] ?? "").match(/^\s*\*\s*\/\/ (.*)$/)?.[1] ?? "";
      const r = rest.match(/^(returns|throws) (.+?)(\s{2,}\(.*\))?$/);
      if (r) out.push({ file, expr: expr.trim(), kind: r[1] as "returns" | "throws", expected: r[2].trim() });
    });
  }
  return out;
}

/** Evaluate an example of `file`: its own exports shadow a same-named export of another folder (math's linear vs blocks'). */
const evaluate = (src: string, file = ""): unknown => {
  const scope = { ...api, ...own.get(file) };
  const names = Object.keys(scope);
  return new Function(...names, `return (${src});`)(...names.map((n) => scope[n]));
};

beforeAll(async () => {
  const all = readdirSync(SRC, { recursive: true }).map(String).filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"));
  for (const f of all) {
    const mod = await import(path.join(SRC, f));
    Object.assign(api, mod);
    own.set(f.split(path.sep).join("/"), mod);
  }
});

describe("doc-comment examples", () => {
  const all = examples();
  it("there are at least 38 runnable examples", () => {
    expect(all.length).toBeGreaterThanOrEqual(38);
  });
  for (const ex of all) {
    it(`${ex.file}: ${ex.expr} ${ex.kind} ${ex.expected}`, () => {
      if (ex.kind === "throws") {
        expect(() => evaluate(ex.expr, ex.file)).toThrow(JSON.parse(ex.expected));
        return;
      }
      const actual = evaluate(ex.expr, ex.file);
      if (ex.expected.includes("…")) expectClose(actual, evaluate(ex.expected.replace(/…/g, ""), ex.file), 1e-5);
      else expect(actual).toEqual(evaluate(ex.expected, ex.file));
    });
  }
});
