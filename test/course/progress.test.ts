import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { exerciseId, listExercises, progressText, recordProgress } from "../../src/course/progress";

let dir: string;
const nb = (cells: { tags: string[]; source: string }[]) =>
  JSON.stringify({ cells: cells.map((c) => ({ cell_type: "code", metadata: { tags: c.tags }, source: c.source.split(/(?<=\n)/) })) });
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "mha-progress-"));
  fs.writeFileSync(path.join(dir, "03-x.ipynb"), nb([
    { tags: ["exercise"], source: "// Exercise 03.1: …\nconst a: number | null = null; // TODO" },
    { tags: ["exercise-check"], source: 'reveal("03.1 how many keys", a, 2, "why");' },
    { tags: [], source: 'exercise("99.9 not a check cell", null, () => 1, [[]], "h");' },
    { tags: ["exercise-check"], source: 'exercise(\n  "03.2 softmax rows", f, g, [[]], ["a", "b", "c"]);' },
  ]));
  fs.writeFileSync(path.join(dir, "10b-y.ipynb"), nb([{ tags: ["exercise-check"], source: 'reachTarget("10b.1 train it", m, 0.05, "loss", "h");' }]));
  fs.writeFileSync(path.join(dir, "broken.ipynb"), "{ not json");
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("exerciseId(label)", () => {
  it("reads NN.k or NNb.k at the start of a label, else null", () => {
    expect(exerciseId("03.1 how many keys")).toBe("03.1");
    expect(exerciseId("10b.12 x")).toBe("10b.12");
    expect(exerciseId("softmax 03.1")).toBeNull();
    expect(exerciseId("3.1 x")).toBeNull();
  });
});

describe("listExercises(dir, file) and progressText", () => {
  it("finds every check cell's id by tag, in file order, with the recorded state", () => {
    const file = path.join(dir, "p.json");
    recordProgress("03.2 softmax rows", "done", file);
    recordProgress("10b.1 train it", "tried", file);
    expect(listExercises(dir, file).map((e) => [e.notebook, e.id, e.label, e.state])).toEqual([
      ["03-x.ipynb", "03.1", "how many keys", "todo"],
      ["03-x.ipynb", "03.2", "softmax rows", "done"],
      ["10b-y.ipynb", "10b.1", "train it", "tried"],
    ]);
    expect(progressText(dir, file)).toBe(`03-x   ○ 03.1  ✓ 03.2\n10b-y  ✗ 10b.1\n1 of 3 exercises done (✓ done, ✗ tried, ○ not yet; recorded in ${file})`);
  });
  it("an unreadable progress file counts as nothing done, and recording never throws", () => {
    const file = path.join(dir, "bad.json");
    fs.writeFileSync(file, "[1, 2");
    expect(listExercises(dir, file).every((e) => e.state === "todo")).toBe(true);
    expect(() => recordProgress("03.1 x", "done", path.join(dir, "03-x.ipynb", "no", "p.json"))).not.toThrow();
  });
});
