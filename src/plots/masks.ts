import { BoolMask, Matrix } from "../math/trace";
import { Figure, MASK_SCALE } from "./theme";
import { _GridOptions, _Panel, _ScaleSpec } from "./_panel-types";
import { _panelFigure } from "./_panels";
import { _cellData, _checkTokens, _describe, _fmt, _labels } from "./_shared";
import { _GRID_OPTIONS, _TOKEN_OPTIONS, _checkGrid, _checkOptions, _checkSizeCap } from "./_validate";

/** One mask to draw: bool (true = not allowed) or additive float (−∞ / very negative = not allowed). */
export interface MaskPanel {
  title: string;
  /** (L, S) */ mask: BoolMask | Matrix;
}

/** Options of plotMasks. */
export interface PlotMasksOptions extends _GridOptions {
  /** (L,) */ queryTokens?: string[];
  /** (S,) */ keyTokens?: string[];
}

const _MASK: _ScaleSpec = {
  key: "mask",
  title: "",
  colorscale: MASK_SCALE,
  zmin: 0,
  zmax: 1,
  tickvals: [1 / 6, 0.5, 5 / 6],
  ticktext: ["allowed", "bias", "masked"],
};

/** 0 = allowed, 0.5 = finite additive bias, 1 = masked (true, −∞, or ≤ −1e9 as in the Annotated Transformer). */
function _maskLevel(v: boolean | number): number {
  if (typeof v === "boolean") return v ? 1 : 0;
  if (v === 0) return 0;
  if (v === -Infinity || v <= -1e9 || Number.isNaN(v)) return 1;
  return 0.5;
}

/**
 * Masks as heatmaps: light = allowed, dark = masked (the key is ignored by that query), orange = a finite bias.
 *
 * level(m) = 1 if m is true or m ≤ −1e9 (incl. −∞), 0 if m is false or 0, ½ otherwise
 * @param masks masks (L, S) with titles, e.g. [{ title: "causal", mask: causalMask(4) }]
 * @param opts token labels
 * @example plotMasks([{ title: "causal", mask: causalMask(3) }]).data.length // returns 1
 */
export function plotMasks(masks: MaskPanel[], opts: PlotMasksOptions = {}): Figure {
  _checkOptions("plotMasks", opts, { ..._TOKEN_OPTIONS, ..._GRID_OPTIONS });
  if (!Array.isArray(masks) || masks.length === 0) {
    throw new Error(`plotMasks: masks must be a non-empty array of { title, mask }, e.g. [{ title: "causal", mask: causalMask(4) }], got ${_describe(masks)}`);
  }
  let cells = 0;
  masks.forEach((m, i) => {
    if (!m || typeof m !== "object" || Array.isArray(m)) {
      throw new Error(`plotMasks: masks[${i}] must be { title, mask }, got ${_describe(m)}${Array.isArray(m) ? " (wrap a bare mask: { title: \"mask\", mask })" : ""}`);
    }
    if (typeof m.title !== "string") throw new Error(`plotMasks: masks[${i}].title must be a string, got ${_describe(m.title)}`);
    const [r, c] = _checkGrid("plotMasks", `masks[${i}].mask`, m.mask, "an (L, S) mask of true/false or additive numbers", true);
    cells += r * c;
  });
  _checkSizeCap("plotMasks", cells, `${masks.length} masks`, "draw fewer or smaller masks");
  const panels: _Panel[] = masks.map((m, i) => {
    const L = m.mask.length;
    const S = L > 0 ? m.mask[0].length : 0;
    _checkTokens("queryTokens", opts.queryTokens, L, `the number of rows of mask ${i} ("${m.title}")`);
    _checkTokens("keyTokens", opts.keyTokens ?? (L === S ? opts.queryTokens : undefined), S, `the number of columns of mask ${i} ("${m.title}")`);
    const qLab = _labels(opts.queryTokens, L);
    const kLab = _labels(opts.keyTokens ?? (L === S ? opts.queryTokens : undefined), S);
    const z = (m.mask as Array<Array<boolean | number>>).map((row) => row.map(_maskLevel)); // (L, S)
    const shown = (m.mask as Array<Array<boolean | number>>).map((row) =>
      row.map((v) => (typeof v === "boolean" ? String(v) : _fmt(v, 3))),
    );
    return {
      z,
      rows: { labels: opts.queryTokens ? opts.queryTokens : qLab, title: "query" },
      cols: { labels: opts.keyTokens ?? (L === S && opts.queryTokens ? opts.queryTokens : kLab), title: "key" },
      title: m.title,
      scale: _MASK,
      customdata: _cellData(qLab, kLab, (r, c) => [shown[r][c]]),
      hovertemplate: "query: %{customdata[0]}<br>key: %{customdata[1]}<br>mask: %{customdata[2]}<extra></extra>",
    };
  });
  return _panelFigure(panels, { ...opts, title: opts.title ?? "masks: rows = queries, columns = keys" });
}
