/**
 * Module-private: the one way the math describes a value the user passed, for error messages
 * ("query[0][1] is the string \"2\", not a number", "seed must be an integer, got 1.5").
 *
 * Dependencies: none.
 */

/**
 * A short description of a bad value: numbers and booleans as themselves, strings quoted (cut at 20 characters),
 * arrays and typed arrays by kind and length, anything else by kind.
 * @param value what the user passed
 * @example _describe(new Float64Array(3)) // returns "a Float64Array of 3"
 * @example _describe([1, 2]) // returns "an array of 2"
 */
export function _describe(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (typeof value === "string") return `the string ${JSON.stringify(value.length > 20 ? value.slice(0, 20) + "…" : value)}`;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  if (Array.isArray(value)) return value.length === 0 ? "an empty array" : `an array of ${value.length}`;
  if (ArrayBuffer.isView(value)) {
    const n = (value as unknown as { length?: number }).length;
    return `a ${value.constructor.name}${n === undefined ? "" : ` of ${n}`}`;
  }
  if (typeof value === "function") return "a function";
  if (typeof value === "symbol") return "a symbol";
  return "an object";
}
