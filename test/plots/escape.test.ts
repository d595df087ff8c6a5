import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { escapePlotlyText, _axisLabel, _truncate } from "../../src/plots/escape";

// A second, independent model of what plotly draws for a text: plotly.js svg_text_utils.buildSVGText
// splits on tags, drops the markup of tags it knows, keeps unknown tags as text, decodes entities in text
// parts (regexes copied from plotly.js 4.1.1), and TeX-typesets strings with $…$ when MathJax is loaded.
const SPLIT_TAGS = /(<[^<>]*>)/;
const ONE_TAG = /<(\/?)([^ >]*)(\s+(.*))?>/i;
const KNOWN = ["br", "sup", "sub", "s", "u", "b", "i", "a", "span", "em"];
const ENTITIES: Record<string, string> = { mu: "μ", amp: "&", lt: "<", gt: ">", nbsp: "\u00a0", times: "×", plusmn: "±", deg: "°" };
function plotlyVisibleText(str: string): { text: string; tex: boolean } {
  const tex = /([^$]*)([$]+[^$]*[$]+)([^$]*)/.test(str);
  const parts = str.replace(/(\r\n?|\n)/g, " ").split(SPLIT_TAGS);
  let out = "";
  for (const p of parts) {
    const m = p.match(ONE_TAG);
    const tag = m && m[2].toLowerCase();
    if (tag && KNOWN.includes(tag)) continue;
    out += p.replace(/&(#\d+|#x[\da-fA-F]+|[a-z]+);/g, (full, inner: string) => {
      if (inner[0] === "#") return String.fromCodePoint(inner[1] === "x" ? parseInt(inner.slice(2), 16) : parseInt(inner.slice(1), 10));
      return ENTITIES[inner] ?? full;
    });
  }
  return { text: out, tex };
}

describe("escapePlotlyText", () => {
  it("escapePlotlyText(s) maps & < > \" ' $ % to entities, in one pass", () => {
    expect(escapePlotlyText("<b>x</b> & $y$")).toBe("&lt;b&gt;x&lt;/b&gt; &amp; &#36;y&#36;");
    expect(escapePlotlyText(`%{y} "a" 'b'`)).toBe("&#37;{y} &#34;a&#34; &#39;b&#39;");
    expect(escapePlotlyText("&lt;")).toBe("&amp;lt;");
    expect(escapePlotlyText("plain")).toBe("plain");
  });

  it("without escaping, plotly would eat tags and decode entities (why escaping is needed)", () => {
    expect(plotlyVisibleText('<a href="javascript:alert(1)">x</a>').text).toBe("x");
    expect(plotlyVisibleText("<b>I</b>").text).toBe("I");
    expect(plotlyVisibleText("&lt;").text).toBe("<");
    expect(plotlyVisibleText("$x$").tex).toBe(true);
  });

  it("plotly shows exactly the original text of the evil tokens once escaped", () => {
    for (const s of ["</script><img src=x onerror=alert(1)>", '<a href="javascript:alert(1)">x</a>', "&lt;", "&amp;amp;", "$x$", "<br>", "a<b"]) {
      expect(plotlyVisibleText(escapePlotlyText(s))).toEqual({ text: s, tex: false });
    }
  });

  it("property: for any string, plotly's visible text of escape(s) is s (newlines drawn as spaces), never TeX", () => {
    const alphabet = fc.constantFrom(..."<>&$;#/ab =\"'x1lgtmp\n%{}".split(""), "&lt;", "&#60;", "<b>", "</a>", "<br>", "$", "%{y}", "%{x:.2f}");
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 30 }).map((a) => a.join("")), (s) => {
        const seen = plotlyVisibleText(escapePlotlyText(s));
        expect(seen.tex).toBe(false);
        expect(seen.text).toBe(s.replace(/(\r\n?|\n)/g, " "));
      }),
      { numRuns: 500 },
    );
  });

  it("a series name in a hovertemplate stays text: plotly substitutes %{…} first, then decodes entities", () => {
    // plotly.js 4.1.1 src/lib/index.js templateFormatString: TEMPLATE_STRING_REGEX, applied to the raw template
    const TEMPLATE = /%{([^\s%{}:]*)([:|\|][^}]*)?}/g;
    const hover = (template: string, vars: Record<string, unknown>) =>
      plotlyVisibleText(template.replace(TEMPLATE, (m, key: string) => (key in vars ? String(vars[key]) : m))).text;
    for (const name of ["%{y}", "%{x:.2f} <b>", "100% & $5$"]) {
      expect(hover(`${escapePlotlyText(name)}: %{y}`, { y: 3, x: 7 })).toBe(`${name}: 3`);
      // unescaped, the name would have been expanded
      if (name.startsWith("%{")) expect(hover(`${name}: %{y}`, { y: 3, x: 7 })).not.toContain(name);
    }
  });

  it("_truncate(s, n) cuts by code points and marks the cut with …; _axisLabel escapes after cutting", () => {
    expect(_truncate("abcdef", 4)).toBe("abc…");
    expect(_truncate("abcd", 4)).toBe("abcd");
    expect(_truncate("😀😀😀😀😀", 3)).toBe("😀😀…");
    expect(_axisLabel("<unbelievable>", 6)).toBe("&lt;unbe…");
    expect(_axisLabel("a&b", 2)).toBe("a…");
  });
});
