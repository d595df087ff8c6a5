/**
 * The import graph of src/, read with the TypeScript compiler's own pre-processor (ts.preProcessFile: every
 * `import`, `export … from` and `import type`, nothing run), and held to two rules:
 *   1. the readable math (src/math outside src/math/fast) imports only itself, src/_suggest.ts and mathjs: never
 *      the fast path, never a layer above it (plots, notebook, course, train, minilm, blocks, models, llm, …);
 *   2. no import cycle anywhere in src/.
 * Each rule is also run on a planted bad import, to show it fails.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "../..");
const SRC = path.join(ROOT, "src");

/** Every .ts file under dir, as paths relative to the repository ("src/math/linear.ts"). */
function tsFiles(dir = SRC): string[] {
  return readdirSync(dir).flatMap((f) => {
    const full = path.join(dir, f);
    if (statSync(full).isDirectory()) return tsFiles(full);
    return f.endsWith(".ts") && !f.endsWith(".d.ts") ? [path.relative(ROOT, full).split(path.sep).join("/")] : [];
  });
}

/** A module specifier resolved to a repository path (a .ts file or a folder's index.ts), or the package name. */
function resolve(from: string, spec: string): string {
  if (!spec.startsWith(".")) return spec; // a package: mathjs, node:fs, …
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), spec));
  for (const candidate of [`${base}.ts`, `${base}/index.ts`]) {
    try {
      if (statSync(path.join(ROOT, candidate)).isFile()) return candidate;
    } catch { /* try the next */ }
  }
  return `${base} (unresolved)`;
}

/** file → the files and packages it imports, from its source text. */
export function importGraph(sources: Map<string, string>): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const [file, text] of sources) {
    const { importedFiles } = ts.preProcessFile(text, true, true);
    graph.set(file, importedFiles.map((f) => resolve(file, f.fileName)));
  }
  return graph;
}

/** True for a file of the readable math: src/math, outside src/math/fast. */
const isReadableMath = (f: string) => f.startsWith("src/math/") && !f.startsWith("src/math/fast/");

/** What a readable-math file may import: the readable math, src/_suggest.ts, mathjs. */
const mayImportFromReadableMath = (target: string) => isReadableMath(target) || target === "src/_suggest.ts" || target === "mathjs";

/** Every import that breaks rule 1, as "from → to". */
export function layerViolations(graph: Map<string, string[]>): string[] {
  const bad: string[] = [];
  for (const [file, targets] of graph) {
    if (!isReadableMath(file)) continue;
    for (const t of targets) if (!mayImportFromReadableMath(t)) bad.push(`${file} → ${t}`);
  }
  return bad;
}

/** Every import cycle (Tarjan's strongly connected components of size > 1, or a file importing itself). */
export function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const stack: string[] = [];
  const on = new Set<string>();
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue; // a package
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}

const sources = new Map(tsFiles().map((f) => [f, readFileSync(path.join(ROOT, f), "utf8")]));
const graph = importGraph(sources);

describe("the import graph of src/", () => {
  it("reads every file and finds the readable math's imports (a sanity check of the reader)", () => {
    expect(graph.size).toBeGreaterThan(50);
    expect(graph.get("src/math/multi-head.ts")).toContain("src/math/linear.ts");
    expect(graph.get("src/math/fast/forward.ts")).toContain("src/math/_forward-inputs.ts");
    expect([...graph.values()].flat().filter((t) => t.endsWith("(unresolved)"))).toEqual([]);
  });

  it("the readable math (src/math outside fast/) imports only itself, src/_suggest.ts and mathjs", () => {
    expect(layerViolations(graph)).toEqual([]);
  });

  it("has no import cycle", () => {
    expect(cycles(graph)).toEqual([]);
  });

  it("fails on a planted import of the fast path, of a layer above, and on a planted cycle", () => {
    const planted = new Map(sources);
    planted.set("src/math/linear.ts", `import { _matmulTransB } from "./fast/kernels";\n${sources.get("src/math/linear.ts")}`);
    planted.set("src/math/softmax.ts", `import { show } from "../notebook";\n${sources.get("src/math/softmax.ts")}`);
    planted.set("src/math/heads.ts", `import type { AttentionTrace } from "./multi-head";\n${sources.get("src/math/heads.ts")}`);
    const g = importGraph(planted);
    expect(layerViolations(g)).toEqual(["src/math/linear.ts → src/math/fast/kernels.ts", "src/math/softmax.ts → src/notebook/index.ts"]);
    expect(cycles(g).flat()).toEqual(expect.arrayContaining(["src/math/heads.ts", "src/math/multi-head.ts"]));
  });
});
