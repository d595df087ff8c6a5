import { describe, expect, it } from "vitest";
import fc from "fast-check";
import * as vm from "vm";
import { figureToHTML, plotlyJsSource } from "../../src/html/figure-to-html";
import { escapeHTML, scriptSafeJSON } from "../../src/html/safe-json";
import { plotMasks } from "../../src/plots/masks";
import { plotDataFlow } from "../../src/plots/data-flow";

describe("scriptSafeJSON", () => {
  it("scriptSafeJSON(x) escapes < > & U+2028 U+2029 as \\u escapes", () => {
    expect(scriptSafeJSON({ t: "</script>&\u2028\u2029" })).toBe('{"t":"\\u003c/script\\u003e\\u0026\\u2028\\u2029"}');
    expect(scriptSafeJSON([1, Infinity, NaN])).toBe("[1,null,null]");
    expect(() => scriptSafeJSON(undefined)).toThrow("scriptSafeJSON: value is not JSON-serialisable (got undefined)");
  });
  it("property: parses back to the same value as JSON and as a JS literal, and never contains < > & U+2028/9", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const s = scriptSafeJSON(v);
        expect(s).not.toMatch(/[<>&\u2028\u2029]/);
        expect(JSON.parse(s)).toEqual(JSON.parse(JSON.stringify(v)));
        // as a JS object literal too (except the one key whose literal meaning differs from JSON: __proto__)
        if (!s.includes('"__proto__"')) expect(vm.runInNewContext("(" + s + ")")).toEqual(JSON.parse(JSON.stringify(v)));
      }),
      { numRuns: 300 },
    );
  });
});

describe("escapeHTML", () => {
  it("escapeHTML(s) escapes & < > \" '", () => {
    expect(escapeHTML(`<a href="x" title='y'>&</a>`)).toBe("&lt;a href=&#34;x&#34; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
  });
});

describe("figureToHTML", () => {
  const figs = [plotMasks([{ title: "m", mask: [[false, true], [false, false]] }]), plotDataFlow({ L: 2, dModel: 4, numHeads: 2 })];
  const html = figureToHTML(figs, { title: "</title><script>alert(1)</script>" });

  it("figureToHTML(figures) inlines plotly.js once and fetches nothing", () => {
    expect(html.split("window.Plotly = Plotly").length - 1).toBe(1);
    expect(html).not.toMatch(/<script[^>]*\ssrc\s*=/i);
    expect(html.length).toBeGreaterThan(plotlyJsSource().length);
    expect(plotlyJsSource()).not.toMatch(/<\/script/i);
  });
  it("has one div per figure and escapes the title", () => {
    expect(html.match(/<div id="mha-fig-\d+"/g)).toEqual(['<div id="mha-fig-0"', '<div id="mha-fig-1"']);
    expect(html).toContain("<title>&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;</title>");
    expect(html).not.toContain("<script>alert(1)");
    // the only </script> tags are the two we wrote
    expect(html.match(/<\/script>/g)?.length).toBe(2);
  });
  it("accepts a single figure and rejects what is not a figure", () => {
    expect(figureToHTML(figs[0]).match(/class="mha-figure"/g)?.length).toBe(1);
    expect(() => figureToHTML([figs[0], {} as never])).toThrow("figureToHTML: figure 1 is not a plotly figure");
  });
});
