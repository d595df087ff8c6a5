/**
 * Module-private: "the inputs were checked at the public boundary". MultiHeadAttention.forward validates its
 * arguments once, then runs its steps inside _withCheckedInputs, where checkMatrix / checkVector return at
 * once and the mathjs kernel skips its type scan: the steps compute on arrays forward built itself.
 * Overflow checks (_overflow.ts) are never switched off.
 *
 * Dependencies: none.
 */

let _trustDepth = 0;

/**
 * Run fn with the argument checks of checkMatrix and checkVector switched off: for a public entry point
 * (MultiHeadAttention.forward) that has checked its inputs once, so the steps it calls need not check
 * again what it built itself. Overflow checks (_overflow.ts) stay on.
 * @param fn the trusted computation
 * @example _withCheckedInputs(() => _inputsChecked()) // returns true
 */
export function _withCheckedInputs<T>(fn: () => T): T {
  _trustDepth++;
  try {
    return fn();
  } finally {
    _trustDepth--;
  }
}

/** True inside _withCheckedInputs (the mathjs kernel then skips its own type scan). */
export function _inputsChecked(): boolean {
  return _trustDepth > 0;
}
