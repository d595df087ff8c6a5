/**
 * The core types of the module: plain nested number arrays go in and come out, so every intermediate can be
 * printed in a notebook or handed to a chart as it is.
 */

/** A row-major matrix: `m[i][j]` is row i, column j. Shape (rows, cols). */
export type Matrix = number[][];

/** A vector, shape (n,). */
export type Vector = number[];

/**
 * A boolean mask in PyTorch's convention: `true` means the position is NOT allowed.
 * Shape (L, S) for attention masks, (S,) for key-padding masks.
 */
export type BoolMask = boolean[][];

/**
 * How a head of multi-head attention scores a (query, key) pair: "dot", the scaled dot product q·k/√dK (Vaswani et
 * al.), or "additive", wᵀ·tanh(q + k) (Bahdanau et al., with the projections folded into W^Q, W^K).
 */
export type Scoring = "dot" | "additive";
