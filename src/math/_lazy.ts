/**
 * Internal: fields computed on first read. A trace can hold big intermediates (every head's weights, every
 * layer's feed-forward activations) that most callers never look at; each is built the first time it is read,
 * then stored as a plain value.
 *
 * Dependencies: none.
 */

/**
 * Define obj[key] as computed by make() on first read, then stored (enumerable, so spreads and JSON see it).
 * @example (illustrative) _lazy(trace, "weights", () => buildWeights()) // returns undefined; trace.weights builds them once
 */
export function _lazy(obj: object, key: string, make: () => unknown): void {
  Object.defineProperty(obj, key, {
    enumerable: true,
    configurable: true,
    get() {
      const value = make();
      Object.defineProperty(obj, key, { value, enumerable: true, configurable: true, writable: true });
      return value;
    },
  });
}
