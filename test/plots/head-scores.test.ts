import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { plotHeadScores } from "../../src/plots";
import { DIVERGING_SCALE, THEME, WEIGHTS_SCALE } from "../../src/plots/theme";
import { _textWidth } from "../../src/plots/escape";
import { L, T, fontSizes, panelBox } from "./_helpers";

// a (6 layers × 12 heads) grid like notebook 12's, values written out so the cells can be checked by eye
const grid = Array.from({ length: 6 }, (_, l) => Array.from({ length: 12 }, (_, h) => ((l * 12 + h) % 10) / 10));
grid[0][2] = 0.995;

describe("plotHeadScores", () => {
  const f = plotHeadScores(grid, { title: "previous-token score per head" });

  it("plotHeadScores(scores) draws one heatmap of the (layers, heads) grid, layer 0 on top, in the shared theme", () => {
    expect(f.data.length).toBe(1);
    expect(T(f, 0).type).toBe("heatmap");
    expect(T(f, 0).z).toEqual(grid);
    expect(T(f, 0).colorscale).toEqual(WEIGHTS_SCALE);
    expect([T(f, 0).zmin, T(f, 0).zmax]).toEqual([0, 1]);
    expect(L(f).yaxis.range[0]).toBeGreaterThan(L(f).yaxis.range[1]); // reversed: row 0 at the top
    expect(L(f).title.text).toBe("previous-token score per head");
    expect(L(f).font.family).toBe(THEME.fontFamily);
    expect(Math.min(...fontSizes(f))).toBeGreaterThanOrEqual(14);
  });

  it('labels the axes "layer 0 …" and "head" 1 … 12 (12 × "head 12" is wider than 840 px), every one, in order', () => {
    expect(L(f).yaxis.ticktext).toEqual(["layer 0", "layer 1", "layer 2", "layer 3", "layer 4", "layer 5"]);
    expect(L(f).yaxis.tickvals).toEqual([0, 1, 2, 3, 4, 5]);
    expect(L(f).xaxis.ticktext).toEqual(Array.from({ length: 12 }, (_, h) => `${h + 1}`));
    expect(L(f).xaxis.title.text).toBe("head");
    // with few heads the labels fit their cells and stay "head 1 …"
    const g = plotHeadScores([[0.1, 0.2, 0.3]]);
    expect(L(g).xaxis.ticktext).toEqual(["head 1", "head 2", "head 3"]);
    expect(L(g).xaxis.title).toBeUndefined();
  });

  it("the hover names layer, head and the score; each cell shows the score to 2 decimals", () => {
    expect(T(f, 0).hovertemplate).toBe("%{customdata[0]}, %{customdata[1]}<br>score: %{z:.3f}<extra></extra>");
    expect(T(f, 0).customdata[0][2]).toEqual(["layer 0", "head 3"]);
    expect(T(f, 0).customdata[5][11]).toEqual(["layer 5", "head 12"]);
    expect(T(f, 0).text[0][2]).toBe("0.99"); // 0.995.toFixed(2) is "0.99" in binary floating point
    expect(T(f, 0).text[1][0]).toBe("0.20"); // (12 % 10) / 10
    expect(T(f, 0).texttemplate).toBe("%{text}");
  });

  it("fits a projector notebook (≤ 840 px), cells ≥ 42 px so values are written, column labels horizontal and within their cell", () => {
    expect(L(f).width).toBeLessThanOrEqual(THEME.maxWidth);
    const [x0, y0, x1, y1] = panelBox(f, 0);
    const cellW = (x1 - x0) / 12;
    expect(cellW).toBeGreaterThanOrEqual(42);
    expect((y1 - y0) / 6).toBeCloseTo(cellW, 1); // square cells (up to the rounded figure size)
    expect(L(f).xaxis.tickangle).toBe(0);
    expect(_textWidth("12", THEME.fontSize)).toBeLessThan(cellW);
    expect(_textWidth("head 12", THEME.fontSize)).toBeGreaterThan(cellW); // why the labels are numbers
  });

  it("custom labels, valueName and labels that look like markup are drawn as text", () => {
    const g = plotHeadScores([[0.5, -0.25]], { rowLabels: ["<b>L0</b>"], colLabels: ["H1", "a&b"], valueName: "weight <i>", zmin: -1, zmax: 1 });
    expect(L(g).yaxis.ticktext).toEqual(["&lt;b&gt;L0&lt;/b&gt;"]);
    expect(L(g).xaxis.ticktext).toEqual(["H1", "a&amp;b"]);
    expect(T(g, 0).customdata[0][1]).toEqual(["&lt;b&gt;L0&lt;/b&gt;", "a&amp;b"]);
    expect(T(g, 0).hovertemplate).toContain("weight &lt;i&gt;: %{z:.3f}");
    expect(T(g, 0).colorbar.title.text).toBe("weight &lt;i&gt;");
    expect(T(g, 0).text[0][1]).toBe("−0.25");
    // a range below 0 turns the scale diverging, centred at 0
    expect(T(g, 0).colorscale).toEqual(DIVERGING_SCALE);
    expect([T(g, 0).zmin, T(g, 0).zmid, T(g, 0).zmax]).toEqual([-1, 0, 1]);
  });

  it("zmin / zmax set the colour range", () => {
    const g = plotHeadScores([[2, 3]], { zmin: 1, zmax: 4 });
    expect([T(g, 0).zmin, T(g, 0).zmax, T(g, 0).zauto]).toEqual([1, 4, false]);
    expect(T(g, 0).zmid).toBeUndefined();
  });

  it("throws errors that name the argument and the numbers", () => {
    expect(() => plotHeadScores([])).toThrow("plotHeadScores: scores is empty, expected a (layers, heads) grid with at least one number");
    expect(() => plotHeadScores([[1, 2], [3]])).toThrow("plotHeadScores: scores row 1 has 1 heads but row 0 has 2");
    expect(() => plotHeadScores([[1, 2]], { rowLabels: ["a", "b"] })).toThrow("plotHeadScores: rowLabels has 2 labels but scores has 1 rows (layers)");
    expect(() => plotHeadScores([[1, 2]], { colLabels: ["a"] })).toThrow("plotHeadScores: colLabels has 1 labels but scores has 2 columns (heads)");
    expect(() => plotHeadScores([[1]], { zmin: 1, zmax: 1 })).toThrow("plotHeadScores: zmin (1) must be finite and below zmax (1)");
  });

  it("any grid up to 24 layers × 16 heads fits 1150 px with cells at least one 14 px text line (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 24 }), fc.integer({ min: 1, max: 16 }), (nl, nh) => {
        const g = plotHeadScores(Array.from({ length: nl }, () => new Array(nh).fill(0.5)));
        expect(L(g).width).toBeLessThanOrEqual(THEME.maxWidth);
        const [x0, y0, x1, y1] = panelBox(g, 0);
        expect((x1 - x0) / nh).toBeGreaterThanOrEqual(THEME.fontSize);
        expect((y1 - y0) / nl).toBeGreaterThanOrEqual(THEME.fontSize);
      }),
    );
  });
});
