/**
 * Figure assembly for every heatmap figure: takes the panels (_panel-types.ts) and the grid the layout engine
 * (_layout.ts) chose, and writes the Plotly JSON: axis domains and ticks, panel-title annotations, one heatmap
 * trace per panel, colour bars, shapes. Private to src/plots: builders describe panels, this file draws them.
 */
import { Figure, THEME, _baseLayout } from "./theme";
import { _axisLabel, _wrapTitle, escapePlotlyText } from "./escape";
import { _AxisSpec, _Panel, _PanelFigureOptions } from "./_panel-types";
import { _AxisGeom, _chooseGrid, _preferredTokenPx } from "./_layout";
import { _finite } from "./_shared";

/** One axis's layout JSON: range (rows reversed, so row 0 is on top), ticks (every token, or thinned indices), title. */
function _axisLayout(ax: _AxisSpec, g: _AxisGeom, show: boolean, maxChars: number, reversed: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {
    range: reversed ? [g.n - 0.5, -0.5] : [-0.5, g.n - 0.5],
    showgrid: false,
    zeroline: false,
    showline: false,
    ticks: "",
    fixedrange: true,
    automargin: false,
    showticklabels: show,
    tickfont: { size: THEME.fontSize },
  };
  if (g.tokens) {
    out.tickmode = "array";
    out.tickvals = ax.labels!.map((_, i) => i);
    out.ticktext = ax.labels!.map((s) => _axisLabel(s, maxChars));
    out.tickangle = g.tickangle;
  } else {
    if (g.n <= 12 && g.px >= THEME.fontSize + 2) {
      // few, wide positions: number every one
      out.tickmode = "linear";
      out.tick0 = 0;
      out.dtick = 1;
    } else {
      out.tickmode = "auto";
      out.nticks = Math.min(Math.max(g.n, 1), 6);
    }
    out.tickformat = "d";
    out.tickangle = 0;
  }
  if (ax.title && show) out.title = { text: escapePlotlyText(ax.title), font: { size: THEME.fontSize }, standoff: 4 };
  return out;
}

/**
 * A token axis longer than THEME.maxLabelledTokens becomes an index axis ("query position"): one label per
 * row cannot be drawn at 14 px, so the panel is an overview and the hover (customdata) names the tokens.
 * @example _overviewAxis({ labels: Array(41).fill("a"), title: "query" }) // returns { count: 41, title: "query position", overview: true }
 */
export function _overviewAxis(ax: _AxisSpec): _AxisSpec {
  if (!ax.labels || ax.labels.length <= THEME.maxLabelledTokens) return ax;
  return { count: ax.labels.length, title: ax.title ? `${ax.title} position` : "position", overview: true };
}

/**
 * Build a figure from panels laid out in a grid that fits THEME.maxWidth.
 *
 * width = Σ_columns (row-label width + panel width + gap) + colour bars ≤ THEME.maxWidth; height likewise per grid row.
 * @param panels the heatmaps, in reading order (left to right, top to bottom)
 * @param opts grid options
 * @example _panelFigure([{ z: [[1]], rows: { count: 1 }, cols: { count: 1 }, title: "", scale: _ATTENTION_WEIGHTS_SPEC, hovertemplate: "" }]).data.length // returns 1
 */
export function _panelFigure(panels: _Panel[], opts: _PanelFigureOptions = {}): Figure {
  panels = panels.map((p) => ({ ...p, rows: _overviewAxis(p.rows), cols: _overviewAxis(p.cols) }));
  const maxChars = opts.maxLabelChars ?? THEME.maxLabelChars;
  const grid = _chooseGrid(panels, opts, maxChars, _preferredTokenPx(panels, opts));
  const { columns, geo, colX, plotW, rowY, plotH, bars } = grid;

  const scaleKeys: string[] = [];
  for (const p of panels) if (!scaleKeys.includes(p.scale.key)) scaleKeys.push(p.scale.key);
  const title = opts.title ? _wrapTitle(opts.title, THEME.maxWidth - 24, THEME.figureTitleSize) : undefined;
  const margin = { l: 8, r: bars.cols * THEME.colorbarPx + 8, t: title ? 56 + 24 * (title.lines - 1) : 8, b: 8, pad: 0 };
  // a narrow grid under a long figure title: widen the right margin so the title is not cut off
  if (title) margin.r += Math.max(0, Math.min(THEME.maxWidth, Math.ceil(title.width + 24)) - (margin.l + plotW + margin.r));

  // the plot area: the grid (plotW × plotH px, top left), plus any room reserved below it for another chart
  const reserve = opts.reserveBelow;
  const areaW = reserve ? Math.min(Math.max(plotW, reserve.minWidthPx), THEME.maxWidth - margin.l - 8) : plotW;
  const areaH = plotH + (reserve ? reserve.heightPx : 0);
  // the colour bars keep their pixel place right of the heatmaps; a wider area takes its room from the right margin
  if (reserve) margin.r = Math.max(8, Math.round(plotW + margin.r - areaW));
  const px2x = (px: number) => px / areaW; // px from the plot area's left → paper x
  const px2y = (px: number) => 1 - px / areaH; // px from the plot area's top → paper y

  const layout: Record<string, unknown> & { height: number; width: number } = {
    ..._baseLayout(),
    width: Math.round(margin.l + areaW + margin.r),
    height: Math.round(margin.t + areaH + margin.b),
    margin,
  };
  if (title) {
    layout.title = {
      text: title.text,
      font: { size: THEME.figureTitleSize },
      x: 0,
      xref: "paper",
      xanchor: "left",
      y: 1,
      yref: "container",
      yanchor: "top",
      // plotly centres a multi-line title block on where one line would be: push it down by half the extra lines
      pad: { t: 12 + 12 * (title.lines - 1) },
    };
  }
  const annotations: Array<Record<string, unknown>> = [];
  const shapes: Array<Record<string, unknown>> = [];
  const data: Array<Record<string, unknown>> = [];
  const seenScale = new Set<string>();

  panels.forEach((p, i) => {
    const g = geo[i];
    const c = i % columns;
    const r = Math.floor(i / columns);
    const k = i + 1;
    const xName = k === 1 ? "xaxis" : `xaxis${k}`;
    const yName = k === 1 ? "yaxis" : `yaxis${k}`;
    const xRef = k === 1 ? "x" : `x${k}`;
    const yRef = k === 1 ? "y" : `y${k}`;
    const x0 = colX[c];
    const y0 = rowY[r];
    const xDom = [px2x(x0), px2x(Math.min(plotW, x0 + g.x.len))];
    const yDom = [px2y(Math.min(plotH, y0 + g.y.len)), px2y(y0)];
    layout[xName] = { ..._axisLayout(p.cols, g.x, g.showX, maxChars, false), domain: xDom, anchor: yRef };
    layout[yName] = { ..._axisLayout(p.rows, g.y, g.showY, maxChars, true), domain: yDom, anchor: xRef };
    if (p.title !== "" || p.titleMarkup) annotations.push({
      text: p.titleMarkup ?? escapePlotlyText(p.title),
      x: (xDom[0] + xDom[1]) / 2,
      y: yDom[1],
      xref: "paper",
      yref: "paper",
      xanchor: "center",
      yanchor: "bottom",
      yshift: 4,
      showarrow: false,
      font: { size: THEME.titleSize, color: p.titleColor ?? THEME.textColor },
    });
    for (const s of p.shapes ?? []) shapes.push({ ...s, xref: xRef, yref: yRef });

    const first = !seenScale.has(p.scale.key);
    seenScale.add(p.scale.key);
    const si = scaleKeys.indexOf(p.scale.key);
    const trace: Record<string, unknown> = {
      type: "heatmap",
      name: escapePlotlyText(p.title),
      z: _finite(p.z),
      xaxis: xRef,
      yaxis: yRef,
      colorscale: p.scale.colorscale,
      zmin: p.scale.zmin,
      zmax: p.scale.zmax,
      zauto: false,
      showscale: first,
      hovertemplate: p.hovertemplate,
      hoverongaps: false,
      xgap: g.x.px >= 12 ? 1 : 0,
      ygap: g.y.px >= 12 ? 1 : 0,
    };
    if (p.scale.zmid !== undefined) trace.zmid = p.scale.zmid;
    if (p.customdata) trace.customdata = p.customdata;
    if (p.text && g.x.px >= 42 && g.y.px >= 24) {
      trace.text = p.text.map((row) => row.map((s) => escapePlotlyText(s)));
      trace.texttemplate = "%{text}";
      trace.textfont = { size: THEME.fontSize };
    }
    if (first) {
      // bars stacked bars.perCol high in bars.cols columns, each in its own slot of the plot height
      const slot = (plotH + 24) / bars.perCol;
      const cb: Record<string, unknown> = {
        title: { text: escapePlotlyText(p.scale.title), side: "right", font: { size: THEME.fontSize } },
        tickfont: { size: THEME.fontSize },
        thickness: 16,
        len: Math.min(plotH, Math.max(0.3 * plotH, 300), slot - 24) / areaH,
        lenmode: "fraction",
        x: px2x(plotW + Math.floor(si / bars.perCol) * THEME.colorbarPx + 12),
        xanchor: "left",
        xref: "paper",
        y: px2y((si % bars.perCol) * slot),
        yanchor: "top",
        outlinewidth: 0,
      };
      if (p.scale.tickvals) {
        cb.tickmode = "array";
        cb.tickvals = p.scale.tickvals;
        cb.ticktext = (p.scale.ticktext ?? []).map((s) => escapePlotlyText(s));
      }
      trace.colorbar = cb;
    }
    data.push(trace);
  });
  layout.annotations = annotations;
  layout.shapes = shapes;
  return { data, layout };
}
