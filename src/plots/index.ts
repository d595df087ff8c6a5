// Re-exports of the chart builders (pure: no tslab, no DOM, no fs).
export type { Figure, ColorScale } from "./theme";
export { THEME, WEIGHTS_SCALE, DIVERGING_SCALE, MASK_SCALE, HEAD_COLORS, headColor } from "./theme";
export { escapePlotlyText } from "./escape";
export type { PlotHeadsOptions, TokenOptions } from "./heads";
export { plotHeads } from "./heads";
