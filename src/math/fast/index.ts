export { fastMatmul } from "./kernels";
export { fastForward } from "./forward";
export { fastBackward } from "./backward";
export type { FastForwardOptions, FastLayer } from "./forward";
export { installFastMultiply, uninstallFastMultiply } from "./mathjs";
export type { MathWithMultiply } from "./mathjs";
