import { describe, expect, it } from "vitest";
import { plotBars, plotLines } from "../../src/course/figures";

describe("plotLines / plotBars", () => {
  it("plotLines draws one trace per series with a layout height and a legend only for several series", () => {
    const f = plotLines([4, 16], [{ name: "var", values: [4, 16] }], { title: "t", logX: true });
    expect(f.data.length).toBe(1);
    expect(f.layout.height).toBe(420);
    expect(f.layout.showlegend).toBe(false);
    expect(f.layout.xaxis).toMatchObject({ type: "log", tickvals: [4, 16], ticktext: ["4", "16"] }); // ticks at the data
    const g = plotLines([1, 2], [{ name: "a", values: [1, Infinity] }, { name: "b<i>", values: [1, 2], dash: true }]);
    expect(g.layout.showlegend).toBe(true);
    expect(g.data[0].y).toEqual([1, null]); // JSON has no Infinity
    expect(g.data[1].name).not.toContain("<i>"); // escaped
  });
  it("plotLines rejects a series of the wrong length", () => {
    expect(() => plotLines([1, 2, 3], [{ name: "v", values: [1] }])).toThrow('plotLines: series 0 ("v") has 1 values but x has 3');
  });
  it("plotBars draws one bar per label and rejects mismatched lengths", () => {
    const f = plotBars(["head 1", "head 2"], [0.3, 0.5]);
    expect(f.data[0].y).toEqual([0.3, 0.5]);
    expect(() => plotBars(["a"], [1, 2])).toThrow("plotBars: labels has 1 entries but values has 2");
  });
});
