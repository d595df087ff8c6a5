export { fastForward } from "./forward";
export type { FastTrace, FlatTrace } from "./forward";
export { fastBackward } from "./backward";
export { fastMatmul, installFastMultiply, uninstallFastMultiply } from "./mathjs";
export type { MathWithMultiply } from "./mathjs";
