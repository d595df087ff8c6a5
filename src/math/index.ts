// mha-lab: the math of multi-head attention, one step per file. Re-exports only.
// Validators (checkMatrix, shapeOf, headSize, …) are private to src/; every public function runs them itself.
export * from "./trace";
export * from "./version";
export { matmul, transpose } from "./matrix";
export * from "./random";
export * from "./softmax";
export * from "./linear";
export * from "./heads";
export * from "./projections";
export type { Mask } from "./masks";
export { causalMask, combineMasks, expandKeyPaddingMask, fullyMaskedRows, keyPaddingMask, toAdditiveMask } from "./masks";
export * from "./mask-conventions";
export * from "./scaled-dot-product";
export * from "./output-projection";
export * from "./additive";
export * from "./cost";
export * from "./multi-head";
export * from "./torch-state-dict";
export * from "./batched";
