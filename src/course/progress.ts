/**
 * Progress across the course: which exercises are done. Checks record their result in a small JSON file
 * (~/.mha-lab/progress.json, or $MHA_LAB_PROGRESS) keyed by exercise id ("03.1"); progress() lists every exercise
 * of every notebook (found by the `exercise-check` cell tag) with its state.
 *
 * Dependencies: node:fs, node:os, node:path.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** What a check recorded for one exercise: done (right or predicted), or tried and not right yet. */
export interface ProgressEntry {
  /** "done" once a check said ✓ (or a prediction was made); "tried" after wrong attempts only */ state: "done" | "tried";
  /** the check's label */ label: string;
  /** ISO time of the last record */ at: string;
}

/** One exercise found in a notebook. */
export interface ExerciseInfo {
  /** e.g. "03.1" */ id: string;
  /** the check's label without the id */ label: string;
  /** the notebook's file name */ notebook: string;
  /** the recorded state, or "todo" */ state: "done" | "tried" | "todo";
}

/** The id at the start of a check label, "03.1 softmax …" → "03.1"; null when the label has none. */
export function exerciseId(label: string): string | null {
  const m = /^(\d{2}[a-z]?\.\d+)\s/.exec(label);
  return m ? m[1] : null;
}

/** The progress file: $MHA_LAB_PROGRESS, else ~/.mha-lab/progress.json. */
export function progressFile(): string {
  return process.env.MHA_LAB_PROGRESS || path.join(os.homedir(), ".mha-lab", "progress.json");
}

/** The recorded entries by id ({} when there is no file or it cannot be read). */
export function readProgress(file = progressFile()): { [id: string]: ProgressEntry } {
  try {
    const data = JSON.parse(fs.readFileSync(file, "utf8"));
    return data && typeof data === "object" && !Array.isArray(data) ? data : {};
  } catch {
    return {};
  }
}

/**
 * Record one exercise's state when its label has an id; "tried" never overwrites "done". Never throws (a read-only
 * home must not break a check cell).
 * @param label the check's label, "03.1 …"
 * @param state "done" or "tried"
 * @example recordProgress("03.1 favourite keys", "done") // writes {"03.1": {state: "done", …}}
 */
export function recordProgress(label: string, state: "done" | "tried", file = progressFile()): void {
  const id = exerciseId(label);
  if (!id) return;
  try {
    const all = readProgress(file);
    if (state === "tried" && all[id]?.state === "done") return;
    all[id] = { state: state, label: label.slice(id.length).trim(), at: new Date().toISOString() };
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(all, null, 1) + "\n");
  } catch {
    // progress is a convenience: never fail the learner's cell over it
  }
}

/** The first string literal argument of every exercise/reachTarget/reveal call in a cell's source. */
const _CHECK_LABEL = /\b(?:exercise|reachTarget|reveal)\(\s*["'`](\d{2}[a-z]?\.\d+)\s+([^"'`]*)["'`]/g;

/**
 * Every exercise of every notebook in a folder, in file order, with its recorded state. An exercise is a cell
 * tagged `exercise-check` whose check label starts with an id.
 * @param dir the notebooks folder (default: the working directory, which is notebooks/ in a kernel)
 * @param file the progress file
 * @return one ExerciseInfo per exercise
 * @example listExercises("notebooks")[0].id // returns "01.1"
 * @example listExercises("notebooks")[0].notebook // returns "01-attention-in-one-picture.ipynb"
 */
export function listExercises(dir = ".", file = progressFile()): ExerciseInfo[] {
  const done = readProgress(file);
  const out: ExerciseInfo[] = [];
  const names = fs.readdirSync(dir).filter((f) => f.endsWith(".ipynb")).sort();
  for (const notebook of names) {
    let cells: { cell_type: string; source: string | string[]; metadata?: { tags?: string[] } }[];
    try {
      cells = JSON.parse(fs.readFileSync(path.join(dir, notebook), "utf8")).cells ?? [];
    } catch {
      continue;
    }
    for (const cell of cells) {
      if (!(cell.metadata?.tags ?? []).includes("exercise-check")) continue;
      const src = Array.isArray(cell.source) ? cell.source.join("") : cell.source;
      for (const m of src.matchAll(_CHECK_LABEL)) {
        out.push({ id: m[1], label: m[2].trim(), notebook: notebook, state: done[m[1]]?.state ?? "todo" });
      }
    }
  }
  return out;
}

/**
 * The course's exercises as text, one line per notebook: "03-scaled-dot-product  ✓ 03.1  ✗ 03.2  ○ 03.3", then
 * the total. ✓ done, ✗ tried and not right yet, ○ not tried.
 * @param dir the notebooks folder
 * @param file the progress file
 * @example progressText("notebooks").split("\n")[0].startsWith("01-attention") // returns true
 */
export function progressText(dir = ".", file = progressFile()): string {
  const all = listExercises(dir, file);
  const mark = { done: "✓", tried: "✗", todo: "○" } as const;
  const byNotebook = new Map<string, ExerciseInfo[]>();
  for (const e of all) byNotebook.set(e.notebook, [...(byNotebook.get(e.notebook) ?? []), e]);
  const width = Math.max(0, ...[...byNotebook.keys()].map((n) => n.length - 6));
  const lines = [...byNotebook].map(([nb, es]) => `${nb.replace(/\.ipynb$/, "").padEnd(width)}  ${es.map((e) => `${mark[e.state]} ${e.id}`).join("  ")}`);
  const done = all.filter((e) => e.state === "done").length;
  lines.push(`${done} of ${all.length} exercises done (✓ done, ✗ tried, ○ not yet; recorded in ${file})`);
  return lines.join("\n");
}

/**
 * Print the course's progress (see progressText) in a notebook cell.
 * @param dir the notebooks folder (default: the kernel's working directory, notebooks/)
 * @example progress() // prints "02-projections  ✓ 02.1  ○ 02.2 …"
 */
export function progress(dir = "."): void {
  console.log(progressText(dir));
}
