/**
 * Option and size checks of the chart builders, in the style of the math's: an unknown option is an error
 * that suggests the right spelling, a wrong type is an error naming the option and what was passed, and a
 * figure too large to draw says so (with what to do) before any JSON is built. Private to src/plots.
 */
import { _suggest } from "../_suggest";
import { _describe } from "./_shared";

/** What an option must be. */
export type _OptionKind =
  | "string"
  | "strings" // array of strings (token labels)
  | "number" // finite
  | "positiveNumber"
  | "positiveInteger"
  | "index" // integer ≥ 0
  | "indices" // non-empty array of integers ≥ 0 (range checked by the builder)
  | "boolean"
  | "numbers" // array of finite numbers
  | "range" // [min, max], finite, min < max
  | "array"
  | "object";

const _EXPECTED: Record<_OptionKind, string> = {
  string: "a string",
  strings: "an array of strings (one label per position; numbers: .map(String))",
  number: "a finite number",
  positiveNumber: "a finite number > 0",
  positiveInteger: "an integer ≥ 1",
  index: "an integer ≥ 0 (a 0-based index)",
  indices: "a non-empty array of integers ≥ 0 (0-based indices)",
  boolean: "true or false",
  numbers: "an array of finite numbers",
  range: "[min, max] with finite min < max",
  array: "an array",
  object: "an object",
};

function _ok(kind: _OptionKind, v: unknown): boolean {
  const int0 = (x: unknown) => typeof x === "number" && Number.isInteger(x) && x >= 0;
  switch (kind) {
    case "string": return typeof v === "string";
    case "strings": return Array.isArray(v) && v.every((s) => typeof s === "string");
    case "number": return typeof v === "number" && Number.isFinite(v);
    case "positiveNumber": return typeof v === "number" && Number.isFinite(v) && v > 0;
    case "positiveInteger": return typeof v === "number" && Number.isInteger(v) && v >= 1;
    case "index": return int0(v);
    case "indices": return Array.isArray(v) && v.length > 0 && v.every(int0);
    case "boolean": return typeof v === "boolean";
    case "numbers": return Array.isArray(v) && v.every((x) => typeof x === "number" && Number.isFinite(x));
    case "range": return Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === "number" && Number.isFinite(x)) && v[0] < v[1];
    case "array": return Array.isArray(v);
    case "object": return typeof v === "object" && v !== null && !Array.isArray(v);
  }
}

/** What exactly is wrong inside an array option, e.g. "queryTokens[2] is the number 3". */
function _firstBad(name: string, kind: _OptionKind, v: unknown): string {
  if (!Array.isArray(v)) return _describe(v);
  if (kind === "indices" && v.length === 0) return "an empty array";
  const bad = v.findIndex((x) =>
    kind === "strings" ? typeof x !== "string" : kind === "indices" ? !(typeof x === "number" && Number.isInteger(x) && x >= 0) : !(typeof x === "number" && Number.isFinite(x)),
  );
  if (bad >= 0) return `${_describe(v)} whose ${name}[${bad}] is ${_describe(v[bad])}`;
  return `[${v.map(String).join(", ")}]`;
}

/** Common spellings from other libraries (and our own singular/plural) mapped to the option meant. */
const _ALIASES: Record<string, string> = { tokens: "queryTokens", labels: "queryTokens", xlabels: "keyTokens", ylabels: "queryTokens", head: "heads", heads: "head", cols: "columns", ncols: "columns" }; // keyed by _normalKey

/**
 * Check a builder's options: `undefined` is fine (defaults), anything else must be an object whose keys are
 * all in `spec` and whose values (unless undefined) have the kind given there.
 * @param fn the builder's name, e.g. "plotHeads"
 * @param opts what the user passed
 * @param spec option name → kind
 * @example _checkOptions("plotHeads", { queryTokens: "abcd" }, { queryTokens: "strings" }) // throws "plotHeads: option queryTokens must be an array of strings"
 * @example _checkOptions("plotHeads", { querytokens: ["a"] }, { queryTokens: "strings" }) // throws "did you mean \"queryTokens\"?"
 */
export function _checkOptions(fn: string, opts: unknown, spec: Readonly<Record<string, _OptionKind>>): void {
  if (opts === undefined) return;
  if (typeof opts !== "object" || opts === null || Array.isArray(opts)) {
    throw new Error(`${fn}: options must be an object such as { ${Object.keys(spec)[0]}: … }, got ${_describe(opts)}`);
  }
  const known = Object.keys(spec);
  for (const [key, value] of Object.entries(opts as Record<string, unknown>)) {
    if (!(key in spec)) {
      const close = _suggest(key, known, _ALIASES);
      throw new Error(
        `${fn}: "${key}" is not an option${close ? `; did you mean "${close}"?` : ""} (options: ${known.join(", ")})`,
      );
    }
    if (value === undefined) continue;
    const kind = spec[key];
    if (!_ok(kind, value)) {
      throw new Error(`${fn}: option ${key} must be ${_EXPECTED[kind]}, got ${_firstBad(key, kind, value)}`);
    }
  }
}

/**
 * The most heatmap cells one figure holds. Every cell carries its value and its hover data (the query and key
 * tokens, a score: 60–80 bytes of JSON), so 50 000 cells are about 3–4 MB, which JupyterLab, the notebook file and
 * a handout still handle: 1 head of 200 tokens, 12 heads of 64, 3 heads of 128.
 */
export const _MAX_CELLS = 50_000;

/**
 * Refuse a figure with more than _MAX_CELLS cells, before building it, with what to do instead.
 * @example _checkSizeCap("plotHeads", 480000, "12 heads × 200×200", "pass heads: [0, 1]") // throws "plotHeads: 12 heads × 200×200 = 480,000 cells"
 */
export function _checkSizeCap(fn: string, cells: number, what: string, suggestion: string): void {
  if (cells > _MAX_CELLS) {
    throw new Error(
      `${fn}: ${what} = ${cells.toLocaleString("en-US")} cells, more than one chart can hold (at most ${_MAX_CELLS.toLocaleString("en-US")}, ` +
        `about 4 MB of figure JSON); ${suggestion}`,
    );
  }
}

/**
 * Check that an argument is a non-empty matrix of numbers (rows of equal length), naming the argument.
 * Non-finite values are allowed (they are drawn as gaps). Returns its shape.
 * @example _checkGrid("plotHeadScores", "scores", [[1, 2]]) // returns [1, 2]
 */
export function _checkGrid(fn: string, name: string, z: unknown, what = "a matrix of numbers", booleans = false): [number, number] {
  if (!Array.isArray(z) || z.length === 0 || !Array.isArray(z[0]) || z[0].length === 0) {
    throw new Error(`${fn}: ${name} must be ${what} (rows of numbers), got ${_describe(z)}${Array.isArray(z) && z.length > 0 ? ` whose row 0 is ${_describe(z[0])}` : ""}`);
  }
  const cols = z[0].length;
  z.forEach((row, r) => {
    if (!Array.isArray(row) || row.length !== cols) {
      throw new Error(`${fn}: ${name} row ${r} has ${Array.isArray(row) ? row.length : "no"} entries but row 0 has ${cols}`);
    }
    row.forEach((v: unknown, c: number) => {
      if (typeof v !== "number" && !(booleans && typeof v === "boolean")) {
        throw new Error(`${fn}: ${name}[${r}][${c}] is ${_describe(v)}, expected ${booleans ? "true/false or a number" : "a number"}`);
      }
    });
  });
  return [z.length, cols];
}

/** The options of every grid figure (_GridOptions a user may set). */
export const _GRID_OPTIONS = {
  columns: "positiveInteger",
  maxColumns: "positiveInteger",
  title: "string",
  maxLabelChars: "positiveInteger",
  tokenPx: "positiveNumber",
} as const satisfies Record<string, _OptionKind>;

/** Token label options (TokenOptions). */
export const _TOKEN_OPTIONS = { queryTokens: "strings", keyTokens: "strings" } as const satisfies Record<string, _OptionKind>;
