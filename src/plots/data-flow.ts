import { AttentionTrace } from "../math/trace";
import { Figure, THEME, _baseLayout, headColor } from "./theme";
import { _wrapTitle } from "./escape";
import { _describe, _headLabel } from "./_shared";
import { _checkOptions } from "./_validate";

/** The shapes that define one multi-head attention layer. */
export interface LayerShape {
  /** query length */ L: number;
  /** key/value length (default L) */ S?: number;
  dModel: number;
  numHeads: number;
  /** per-head query/key size (default dModel / numHeads) */ dK?: number;
  /** per-head value size (default dK) */ dV?: number;
}

function _shapeOf(x: AttentionTrace | LayerShape): Required<LayerShape> {
  if ("heads" in x) {
    return { L: x.query.length, S: x.key.length, dModel: x.dModel, numHeads: x.numHeads, dK: x.dK, dV: x.dV };
  }
  const dK = x.dK ?? x.dModel / x.numHeads;
  return { L: x.L, S: x.S ?? x.L, dModel: x.dModel, numHeads: x.numHeads, dK, dV: x.dV ?? dK };
}

/**
 * A diagram of the whole layer's data flow, naming the shapes of the layer shown:
 * input → per-head Q/K/V → attention per head → concat → W^O → output.
 *
 * head_i = softmax(Q_i K_iᵀ/√dK)·V_i (L, dV); output = Concat(head_1 … head_h)·W^O (L, dModel)
 * @param layer a trace (its shapes are read) or the shapes { L, S?, dModel, numHeads, dK?, dV? }
 * @example plotDataFlow({ L: 4, dModel: 8, numHeads: 2 }).layout.shapes.length > 0 // returns true
 */
export function plotDataFlow(layer: AttentionTrace | LayerShape, opts: { title?: string } = {}): Figure {
  _checkOptions("plotDataFlow", opts, { title: "string" });
  if (!layer || typeof layer !== "object") {
    throw new Error(`plotDataFlow: layer must be a forward trace or { L, dModel, numHeads, S?, dK?, dV? }, got ${_describe(layer)}`);
  }
  const s = _shapeOf(layer);
  for (const [k, v] of Object.entries(s)) {
    if (!(Number.isInteger(v) && v > 0)) throw new Error(`plotDataFlow: ${k} must be a positive integer, got ${v}`);
  }
  const h = s.numHeads;
  // lanes drawn: every head up to 4, else heads 1, 2, ⋮, h
  const lanes: Array<number | null> = h <= 4 ? Array.from({ length: h }, (_, i) => i) : [0, 1, null, h - 1];
  const laneH = 120;
  const top = 20;
  const H = top + lanes.length * laneH + 10;
  const shapes: Array<Record<string, unknown>> = [];
  const ann: Array<Record<string, unknown>> = [];
  const box = (x0: number, x1: number, y0: number, y1: number, text: string, color: string, fill = "#ffffff") => {
    shapes.push({ type: "rect", xref: "x", yref: "y", x0, x1, y0, y1, line: { color, width: 2 }, fillcolor: fill, layer: "below" });
    ann.push({ x: (x0 + x1) / 2, y: (y0 + y1) / 2, xref: "x", yref: "y", text, showarrow: false, font: { size: THEME.fontSize, color: THEME.textColor } });
  };
  const arrow = (x0: number, y0: number, x1: number, y1: number, color = "#444444") => {
    ann.push({ x: x1, y: y1, ax: x0, ay: y0, xref: "x", yref: "y", axref: "x", ayref: "y", text: "", showarrow: true, arrowhead: 2, arrowsize: 1.2, arrowwidth: 2, arrowcolor: color });
  };
  // x positions are pixels (the plot area is 820 px wide, 1 unit = 1 px), so every box is sized for its text
  const midY = top + (lanes.length * laneH) / 2;
  const inputText = s.S === s.L ? `input X<br>${s.L}×${s.dModel}` : `query<br>${s.L}×${s.dModel}<br>key/value<br>${s.S}×·`;
  const inputH = s.S === s.L ? 40 : 50;
  box(0, 90, midY - inputH, midY + inputH, inputText, "#222222", "#f5f5f5");
  lanes.forEach((head, j) => {
    const y0 = top + j * laneH;
    const cy = y0 + laneH / 2;
    if (head === null) {
      ann.push({ x: 375, y: cy, xref: "x", yref: "y", text: `⋮  (${h - 3} more heads)`, showarrow: false, font: { size: THEME.titleSize, color: "#555555" } });
      return;
    }
    const c = headColor(head);
    const n = head + 1;
    const rows: Array<[string, string]> = [
      [`Q<sub>${n}</sub>`, `${s.L}×${s.dK}`],
      [`K<sub>${n}</sub>`, `${s.S}×${s.dK}`],
      [`V<sub>${n}</sub>`, `${s.S}×${s.dV}`],
    ];
    rows.forEach(([name, dims], r) => {
      const by = y0 + 8 + r * 35;
      box(140, 250, by, by + 30, `${name} ${dims}`, c);
      arrow(90, midY, 140, by + 15, "#999999");
      arrow(250, by + 15, 290, cy, c);
    });
    box(290, 460, y0 + 12, y0 + laneH - 12, `<b>${_headLabel(head)}</b><br>softmax(QKᵀ/√${s.dK})·V<br>weights ${s.L}×${s.S}<br>→ output ${s.L}×${s.dV}`, c);
    arrow(460, cy, 500, midY, c);
  });
  const hd = h * s.dV;
  box(500, 590, top + 10, top + lanes.length * laneH - 10, `concat<br>${s.L}×${hd}`, "#222222", "#f5f5f5");
  // widths hold "1008×1008" in DejaVu Sans as Chromium draws it (its × is 0.84 em wide)
  arrow(590, midY, 605, midY);
  box(605, 705, midY - 40, midY + 40, `·W<sup>O</sup><br>${hd}×${s.dModel}`, "#222222", "#f5f5f5");
  arrow(705, midY, 723, midY);
  box(723, 813, midY - 40, midY + 40, `output<br>${s.L}×${s.dModel}`, "#222222", "#f5f5f5");
  ann.push({ x: 195, y: top - 8, xref: "x", yref: "y", text: "X·W<sub>i</sub><sup>Q</sup>, X·W<sub>i</sub><sup>K</sup>, X·W<sub>i</sub><sup>V</sup>", showarrow: false, font: { size: THEME.fontSize, color: "#555555" } });
  const axis = { visible: false, fixedrange: true, showgrid: false, zeroline: false };
  const title = _wrapTitle(
    opts.title ?? `multi-head attention: h=${h}, dModel=${s.dModel}, dK=${s.dK}, dV=${s.dV}, L=${s.L}, S=${s.S}`,
    THEME.maxWidth - 40,
    THEME.figureTitleSize,
  );
  return {
    data: [{ type: "scatter", x: [0, 810], y: [0, H], mode: "markers", marker: { opacity: 0 }, hoverinfo: "skip" }],
    layout: {
      ..._baseLayout(),
      plot_bgcolor: "#ffffff",
      width: THEME.maxWidth, // 10 + 820 + 10: the x range [−5, 815] is drawn 1 unit = 1 px
      height: Math.round(H + 70 + 24 * (title.lines - 1)),
      margin: { l: 10, r: 10, t: 60 + 24 * (title.lines - 1), b: 10 },
      title: { text: title.text, font: { size: THEME.figureTitleSize }, x: 0.02, xanchor: "left" },
      xaxis: { ...axis, range: [-5, 815] },
      yaxis: { ...axis, range: [H, 0] },
      shapes,
      annotations: ann,
    },
  };
}
