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
