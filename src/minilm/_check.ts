/**
 * Module-private: how mha-lab/minilm describes a bad value in its errors, and its options checker (src/math's
 * _validateOptions: an unknown key suggests the right one, `{ headmask }` → `headMask`).
 *
 * Dependencies: _validateOptions (src/math/_validate.ts).
 */
export { _validateOptions as _checkOptions } from "../math/_validate";

/** A short description of a value for error messages: numbers as themselves, strings quoted, arrays by length. */
export function _what(v: unknown): string {
  if (v === null) return "null";
  if (v === undefined) return "undefined";
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name}`;
  if (typeof v === "string") return `the string ${JSON.stringify(v.length > 20 ? v.slice(0, 20) + "…" : v)}`;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return typeof v === "function" ? "a function" : "an object";
}
