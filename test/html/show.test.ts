import { describe, expect, it } from "vitest";
import { show, PLOTLY_MIME } from "../../src/notebook/show";
import { plotHeadStages } from "../../src/plots/stages";
import { plotMasks } from "../../src/plots/masks";
import { Figure } from "../../src/plots/theme";

describe("show", () => {
  it("show(figure, display) sends exactly one MIME type, the plotly one, with a JSON-safe copy", () => {
    const calls: Array<[string, any]> = [];
    const fig: Figure = { data: [{ type: "heatmap", z: [[1, -Infinity, NaN]] }], layout: { height: 300 } };
    show(fig, { raw: (type, data) => calls.push([type, data]) });
    expect(calls.length).toBe(1);
    expect(calls[0][0]).toBe(PLOTLY_MIME);
    expect(PLOTLY_MIME).toBe("application/vnd.plotly.v1+json");
    expect(calls[0][1]).toEqual({ data: [{ type: "heatmap", z: [[1, null, null]] }], layout: { height: 300 } });
    expect(fig.data[0].z).toEqual([[1, -Infinity, NaN]]); // the caller's figure is untouched
  });

  it("outside a tslab kernel, show() explains what to do instead", () => {
    const fig = plotMasks([{ title: "m", mask: [[false]] }]);
    expect(() => show(fig)).toThrow(/show\(\): tslab's display is not ready: not inside a tslab kernel\. .*figureToHTML\(figure\)/);
  });

  it("rejects what is not a figure, or a figure without layout.height", () => {
    expect(() => show({} as Figure, { raw: () => 0 })).toThrow("show(): figure is not a plotly figure");
    expect(() => show({ data: [], layout: {} } as unknown as Figure, { raw: () => 0 })).toThrow(
      "show(): figure.layout.height must be a positive number of pixels, got undefined",
    );
  });

  it("passes real builder output through unchanged apart from −∞ → null", () => {
    const f = plotHeadStages({
      dModel: 2, numHeads: 1, dK: 2, dV: 2, query: [[1, 0]], key: [[1, 0]], value: [[1, 0]], mask: null, fullyMaskedRows: [],
      heads: [{ q: [[1, 0]], k: [[1, 0]], v: [[1, 0]], scores: [[1]], scaledScores: [[0.7]], maskedScores: [[0.7]], weights: [[1]], output: [[1, 0]] }],
      weights: [[[1]]], concat: [[1, 0]], contributions: [[[1, 0]]], output: [[1, 0]],
    });
    let sent: any;
    show(f, { raw: (_t, d) => (sent = d) });
    expect(sent).toEqual(JSON.parse(JSON.stringify(f)));
  });
});
