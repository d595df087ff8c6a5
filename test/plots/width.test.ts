// Every figure fits THEME.maxWidth (840 px). JupyterLab 4 in a 1280 px window with the file browser open gives
// an output area of about 848 px and its plotly renderer CLIPS wider figures: notebook 12's 12-head grid lost its
// third column, notebook 00's data flow stopped at "concat", notebook 01's stages lost a colour bar.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { plotHeads, plotDataFlow } from "../../src/plots";
import { THEME, Figure } from "../../src/plots/theme";
import { _textWidth, _truncate } from "../../src/plots/escape";
import { gallery } from "../html/_gallery";
import { fakeTrace } from "./_trace";
import { L, Obj, axis, drawnText, fontSizes, labelledPanelBoxes, overlaps, panelBox, titleBoxes } from "./_helpers";

/** Colour bars: inside the figure's right margin, each THEME.colorbarPx wide, stacked bars not overlapping. */
function expectColorbarsInside(f: Figure, name: string): void {
  const l = L(f);
  const pw = l.width - l.margin.l - l.margin.r;
  const ph = l.height - l.margin.t - l.margin.b;
  const bars = f.data.filter((t) => t.showscale && t.colorbar).map((t) => t.colorbar as Obj);
  const boxes = bars.map((cb) => {
    const x0 = l.margin.l + cb.x * pw;
    const top = l.margin.t + (1 - cb.y) * ph;
    return [x0, top, x0 + THEME.colorbarPx - 12, top + cb.len * ph];
  });
  boxes.forEach((b, i) => {
    expect(b[0], `${name}: colour bar ${i} starts inside the panels`).toBeGreaterThanOrEqual(l.margin.l + pw);
    expect(b[2], `${name}: colour bar ${i} runs off the figure`).toBeLessThanOrEqual(l.width);
    expect(b[3] - b[1], `${name}: colour bar ${i} is too short to read`).toBeGreaterThanOrEqual(Math.min(THEME.minColorbarPx, ph) - 1);
    for (let j = 0; j < i; j++) expect(overlaps(b, boxes[j]), `${name}: colour bars ${j} and ${i} overlap`).toBe(false);
  });
}

describe("every figure fits THEME.maxWidth", () => {
  it("THEME.maxWidth is 840 px (a 1280 px JupyterLab window with the file browser open shows ≈ 848 px)", () => {
    expect(THEME.maxWidth).toBe(840);
  });

  const figs = gallery();
  for (const [name, f] of Object.entries(figs)) {
    it(`gallery figure ${name}: width ≤ ${THEME.maxWidth} px, fonts ≥ 14 px, colour bars inside and apart`, () => {
      expect(L(f).width).toBeLessThanOrEqual(THEME.maxWidth);
      expect(Math.min(...fontSizes(f))).toBeGreaterThanOrEqual(THEME.fontSize);
      if (f.data.every((t) => t.type === "heatmap")) expectColorbarsInside(f, name);
    });
  }

  it("16 tokens × 12 heads: 2 columns of square panels, one 18 px row per token, nothing overlaps", () => {
    const f = figs.heads_16x12;
    expect(f.data.length).toBe(12);
    const x = f.data.map((_, i) => axis(f, "x", i).domain[0]);
    expect(new Set(x).size).toBe(2); // 3 × 16 × 18 px = 864 px of cells alone would not fit
    const [x0, y0, x1, y1] = panelBox(f, 0);
    expect((x1 - x0) / 16).toBeCloseTo(THEME.minTokenPx, 0);
    expect((y1 - y0) / 16).toBeCloseTo(THEME.minTokenPx, 0);
  });

  it("12 heads × 7 tokens (notebook 12): 3 columns, token rows still ≥ 24 px", () => {
    const f = figs.heads_7x12;
    const x = f.data.map((_, i) => axis(f, "x", i).domain[0]);
    expect(new Set(x).size).toBe(3);
    const [, y0, , y1] = panelBox(f, 0);
    expect((y1 - y0) / 7).toBeGreaterThanOrEqual(24);
  });

  it("plotHeads for any L, S ≤ 16, h ≤ 12, any tokens: fits, cells ≥ 14 px, panels + labels + titles apart (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 16 }),
        fc.integer({ min: 1, max: 12 }),
        fc.array(fc.string({ minLength: 1, maxLength: 20 }), { minLength: 16, maxLength: 16 }),
        fc.option(fc.string({ maxLength: 120 }), { nil: undefined }),
        (n, h, toks, title) => {
          const { trace } = fakeTrace(n, h * 2, h, { seed: n * 31 + h });
          const tokens = toks.slice(0, n);
          const f = plotHeads(trace, { queryTokens: tokens, title });
          const l = L(f);
          expect(l.width).toBeLessThanOrEqual(THEME.maxWidth);
          expect(Math.min(...fontSizes(f))).toBeGreaterThanOrEqual(THEME.fontSize);
          const fs = THEME.fontSize;
          f.data.forEach((_, i) => {
            const [x0, y0, x1, y1] = panelBox(f, i);
            expect((x1 - x0) / n).toBeGreaterThanOrEqual(fs - 0.01);
            expect((y1 - y0) / n).toBeGreaterThanOrEqual(fs - 0.01);
          });
          const boxes = labelledPanelBoxes(f, tokens);
          for (let i = 0; i < boxes.length; i++) {
            for (let j = i + 1; j < boxes.length; j++) expect(overlaps(boxes[i], boxes[j]), `panels ${i} and ${j}`).toBe(false);
            expect(boxes[i][0]).toBeGreaterThanOrEqual(0);
            expect(boxes[i][2]).toBeLessThanOrEqual(l.width - l.margin.r + 0.5);
          }
          const tb = titleBoxes(f, _textWidth);
          for (let i = 0; i < tb.length; i++) for (let j = i + 1; j < tb.length; j++) expect(overlaps(tb[i], tb[j])).toBe(false);
          expectColorbarsInside(f, `L=${n} h=${h}`);
          // a long figure title is wrapped at spaces: every line of more than one word fits the figure
          if (title) {
            const lines = l.title.text.split("<br>").map(drawnText);
            expect(lines.join(" ")).toBe(title); // nothing lost: each break replaces one space
            for (const line of lines) if (line.includes(" ")) expect(_textWidth(line, THEME.figureTitleSize)).toBeLessThanOrEqual(l.width);
          }
        },
      ),
      { numRuns: 80, seed: 7 },
    );
  });
});

describe("plotDataFlow fits entirely", () => {
  /** Every box holds its text (each line estimated at 14 px, sub/superscripts at full size) and lies in the x range. */
  function expectBoxesHoldText(f: Figure, name: string): void {
    const l = L(f);
    const [xa, xb] = l.xaxis.range;
    const pxPerUnit = (l.width - l.margin.l - l.margin.r) / (xb - xa);
    expect(l.width).toBeLessThanOrEqual(THEME.maxWidth);
    const rects = (l.shapes as Obj[]).filter((s) => s.type === "rect");
    const anns = (l.annotations as Obj[]).filter((a) => !a.showarrow);
    for (const r of rects) {
      expect(r.x0, `${name}: a box starts left of the plot`).toBeGreaterThanOrEqual(xa);
      expect(r.x1, `${name}: a box ends right of the plot`).toBeLessThanOrEqual(xb);
      const inside = anns.filter((a) => a.x > r.x0 && a.x < r.x1 && a.y > r.y0 && a.y < r.y1);
      expect(inside.length, `${name}: box at x ${r.x0} has ${inside.length} labels`).toBe(1);
      const lines = inside[0].text.split("<br>").map(drawnText);
      const w = Math.max(...lines.map((s: string) => _textWidth(s, THEME.fontSize)));
      expect(w + 8, `${name}: "${lines.join(" / ")}" is wider than its box`).toBeLessThanOrEqual((r.x1 - r.x0) * pxPerUnit);
      expect(lines.length * THEME.fontSize * 1.3, `${name}: too many lines for the box`).toBeLessThanOrEqual(r.y1 - r.y0);
    }
    // arrows start and end inside the x range
    for (const a of (l.annotations as Obj[]).filter((a) => a.showarrow)) {
      for (const x of [a.x, a.ax]) expect(x).toBeGreaterThanOrEqual(xa), expect(x).toBeLessThanOrEqual(xb);
    }
  }

  it("h = 2 and h = 12 (the gallery), drawn 1 unit = 1 px", () => {
    for (const name of ["data_flow", "data_flow_12"]) {
      const f = gallery()[name];
      expectBoxesHoldText(f, name);
      expect(L(f).width).toBe(THEME.maxWidth);
      const text = (L(f).annotations as Obj[]).map((a) => drawnText(a.text ?? "")).join(" | ");
      for (const s of ["concat", "·WO", "output"]) expect(text).toContain(s);
    }
  });

  it("for any h ≤ 16, L, S ≤ 128, dModel ≤ 1024, cross-attention too (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 16 }),
        fc.integer({ min: 1, max: 128 }),
        fc.integer({ min: 1, max: 128 }),
        fc.integer({ min: 1, max: 64 }),
        (h, Lq, S, dK) => {
          const f = plotDataFlow({ L: Lq, S, dModel: h * dK, numHeads: h });
          expectBoxesHoldText(f, `h=${h} L=${Lq} S=${S} dK=${dK}`);
        },
      ),
      { numRuns: 100, seed: 3 },
    );
  });
});
