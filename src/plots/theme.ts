/**
 * The one theme every chart of mha-lab uses: fonts, sizes and colour scales chosen to be readable
 * on a workshop projector (no font under 14 px) and the same in every notebook.
 */

/** A Plotly figure as plain JSON: what `Plotly.newPlot(div, data, layout)` takes. */
export interface Figure {
  data: Array<Record<string, unknown>>;
  layout: Record<string, unknown> & { height: number; width?: number };
}

/** A Plotly colour scale: pairs of (position in [0, 1], CSS colour). */
export type ColorScale = Array<[number, string]>;

/** Sequential scale for attention weights in [0, 1]: white (0) to dark blue (1). */
export const WEIGHTS_SCALE: ColorScale = [
  [0, "#ffffff"],
  [0.125, "#deebf7"],
  [0.25, "#c6dbef"],
  [0.375, "#9ecae1"],
  [0.5, "#6baed6"],
  [0.625, "#4292c6"],
  [0.75, "#2171b5"],
  [0.875, "#08519c"],
  [1, "#08306b"],
];

/** Diverging scale for signed values (projections, weights, scores): blue < 0, white = 0, red > 0. */
export const DIVERGING_SCALE: ColorScale = [
  [0, "#053061"],
  [0.1, "#2166ac"],
  [0.2, "#4393c3"],
  [0.3, "#92c5de"],
  [0.4, "#d1e5f0"],
  [0.5, "#f7f7f7"],
  [0.6, "#fddbc7"],
  [0.7, "#f4a582"],
  [0.8, "#d6604d"],
  [0.9, "#b2182b"],
  [1, "#67001f"],
];

/** Two-colour scale for masks: allowed (light), additive bias (mid), masked (dark). */
export const MASK_SCALE: ColorScale = [
  [0, "#f0f0f0"],
  [0.33, "#f0f0f0"],
  [0.33, "#fdae6b"],
  [0.66, "#fdae6b"],
  [0.66, "#252525"],
  [1, "#252525"],
];

/** One colour per head (12 distinct, colour-blind friendlier first), reused cyclically beyond 12. */
export const HEAD_COLORS: string[] = [
  "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
  "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#637939",
];

/** Fonts and pixel sizes shared by every builder. */
export const THEME = {
  fontFamily: '"DejaVu Sans", "Helvetica Neue", Arial, sans-serif',
  /** tick labels, hover, colour-bar ticks */ fontSize: 14,
  /** subplot titles */ titleSize: 16,
  /** figure title */ figureTitleSize: 18,
  /** the colour of the plot background: shows through where a value is missing (a masked −∞) */
  missingColor: "#bdbdbd",
  textColor: "#222222",
  /** pixels per token row/column: never less than a line of 14 px text */ minTokenPx: 18,
  maxTokenPx: 48,
  /** a token panel aims at about this many pixels on its long side */ targetPanelPx: 288,
  /** an index axis (dimensions) aims at about this many pixels */ targetIndexPanelPx: 220,
  /** the overview of a token axis longer than maxLabelledTokens aims at about this many pixels */ targetOverviewPx: 400,
  /**
   * the widest figure, in px: JupyterLab 4 in a 1280 px window with the file browser open gives an output
   * area of about 848 px, and its plotly renderer clips anything wider (a workshop projector is exactly this)
   */
  maxWidth: 840,
  /** labels longer than this are cut with "…" on the axes (the hover shows them in full) */ maxLabelChars: 14,
  /**
   * a token axis longer than this is drawn as an overview: positions instead of labels (ticks thinned), cells as
   * small as needed to fit maxWidth; the hover still names every token. 40 rows of 18 px already fill a screen.
   */
  maxLabelledTokens: 40,
  gapPx: 18,
  /** px reserved for one column of colour bars (bar, ticks, rotated title) */ colorbarPx: 100,
  /** a colour bar is never shorter than this; shorter slots put the next bar in a new column */ minColorbarPx: 120,
  /** a panel may shrink (token rows and index axes) down to this fraction of its preferred size to fit maxWidth */
  minShrink: 0.6,
} as const;

/** Colour of head `i` (0-based). */
export function headColor(i: number): string {
  return HEAD_COLORS[((i % HEAD_COLORS.length) + HEAD_COLORS.length) % HEAD_COLORS.length];
}

/** The layout keys every figure starts from (font, background, hover label). */
export function _baseLayout(): Record<string, unknown> {
  return {
    font: { family: THEME.fontFamily, size: THEME.fontSize, color: THEME.textColor },
    paper_bgcolor: "#ffffff",
    plot_bgcolor: THEME.missingColor,
    hoverlabel: { font: { family: THEME.fontFamily, size: THEME.fontSize } },
    showlegend: false,
  };
}
