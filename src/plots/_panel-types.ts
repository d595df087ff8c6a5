/**
 * The panel types every heatmap figure is described in: builders fill these in, the layout engine
 * (_layout.ts) sizes them in pixels, and _panels.ts turns them into a Plotly figure. Private to src/plots.
 */
import { ColorScale } from "./theme";

/** One axis of a panel: either token labels (every one drawn) or a count of index positions. */
export interface _AxisSpec {
  /** raw (unescaped) labels, one per position, drawn in order */ labels?: string[];
  /** number of index positions (dimensions) when there are no labels; ticks are thinned */ count?: number;
  /** axis title drawn next to the axis, e.g. "dK", "query", "key" (raw text) */ title?: string;
  /** the positions of a long token axis drawn as an overview (sized by THEME.targetOverviewPx) */ overview?: boolean;
}

/** A colour scale with its range; panels with the same `key` share one colour bar. */
export interface _ScaleSpec {
  key: string;
  title: string;
  colorscale: ColorScale;
  zmin: number;
  zmax: number;
  zmid?: number;
  tickvals?: number[];
  ticktext?: string[];
}

/** One heatmap panel. */
export interface _Panel {
  /** (rows, cols); non-finite values are drawn as missing (grey) */ z: number[][];
  rows: _AxisSpec;
  cols: _AxisSpec;
  /** raw title text */ title: string;
  /** trusted plotly markup for the title, built by a builder from numbers and fixed text only (never tokens) */
  titleMarkup?: string;
  titleColor?: string;
  scale: _ScaleSpec;
  /** plotly hovertemplate; customdata[r][c] holds escaped strings / numbers it refers to */ hovertemplate: string;
  customdata?: unknown[][][];
  /** text drawn in each cell when cells are large enough (raw, escaped here) */ text?: string[][];
  /** draw the row labels (default true) */ showRowLabels?: boolean;
  /** draw the column labels (default true) */ showColLabels?: boolean;
  /** extra plotly shapes in this panel's data coordinates (xref/yref are filled in) */ shapes?: Array<Record<string, unknown>>;
}

/** Options every grid figure accepts. */
export interface _GridOptions {
  /** panels per grid row; chosen to fit THEME.maxWidth when omitted */ columns?: number;
  /** at most this many panels per grid row when `columns` is omitted (default 6) */ maxColumns?: number;
  /** figure title (raw text) */ title?: string;
  /** labels longer than this are cut with "…" on the axes */ maxLabelChars?: number;
  /** pixels per token row/column */ tokenPx?: number;
}

/** What builders pass to the figure assembly: the user's grid options plus layout choices of the builder. */
export interface _PanelFigureOptions extends _GridOptions {
  /** draw row labels only in the first grid column (all panels share the same rows) */ sharedRowLabels?: boolean;
  /**
   * room reserved under the grid for another chart (the training curves of plotHeadsOverTraining): the plot area is
   * `heightPx` taller and at least `minWidthPx` wide (within THEME.maxWidth); the builder draws its chart into the
   * bottom `heightPx` of the plot area, which it reads back from the layout (width − margins, height − margins).
   */
  reserveBelow?: { heightPx: number; minWidthPx: number };
}
