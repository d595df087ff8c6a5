// "Drawn" means the data was drawn: the one check, evaluated IN THE PAGE, that every chart counter of mha-lab uses
// (browser tests, handouts, offline pages, nbconvert and kernel tests, the hub load test).
//
// Plotly's frame (svg.main-svg, its background and drag rectangles) appears for any figure, even `data: []`, a
// heatmap whose values are all null, or a trace type plotly does not know. So a plot counts as drawn only when
//   1. plotly kept every trace of the figure: `_fullData` has as many traces as `data`, each of the same type and
//      not hidden by plotly (an unknown type comes back as another type, or invisible);
//   2. at least one trace drew something, and every trace that has data drew it:
//      - heatmap: its <image> has painted pixels (some pixel not fully transparent; a uniform colour is fine: equal
//        attention weights are a real result);
//      - scatter: a line/fill path with a non-empty box, or marker points, or text;
//      - bar: a bar with a non-zero width and height (when some value is non-zero);
//      a line or bar trace with no finite data at all (a legend entry such as x: [null]) may draw nothing; a heatmap
//      may not (an all-null panel is never a result).
//   A trace of another type passes on condition 1 and some SVG geometry in its layer.
//
// Use: `await page.evaluate(drawnReport, selector)` → [{ drawn, why, traces }] per plot div matching `selector`
// (default ".js-plotly-plot"), or `await waitAllDrawn(page, { selector, count })` (Node side, polls). drawnReport is
// self-contained (Playwright sends its source text to the page), so it may not use anything from this module.

/**
 * One report per plotly graph div under `selector`: `{ drawn: boolean, why: string, traces: number }`, in document
 * order. `why` is "" when drawn, else the first reason it is not. Async (reads heatmap pixels).
 * @param {string} [selector] CSS selector of the plotly graph divs (elements with class js-plotly-plot)
 * @returns {Promise<Array<{ drawn: boolean, why: string, traces: number }>>}
 */
export async function drawnReport(selector = ".js-plotly-plot") {
  const finite = (v) => typeof v === "number" && Number.isFinite(v);
  const flat = (a) => (Array.isArray(a) ? a.flat(Infinity) : []);
  const hasData = (t) => {
    if (t.type === "heatmap") return flat(t.z).some(finite);
    if (t.type === "bar") return flat(t.orientation === "h" ? t.x : t.y).some((v) => finite(v) && v !== 0);
    if (t.type === "scatter") {
      const xs = Array.isArray(t.x) ? t.x : null;
      const ys = Array.isArray(t.y) ? t.y : null;
      if (!ys && !xs) return false;
      const n = Math.max(xs?.length ?? 0, ys?.length ?? 0);
      for (let i = 0; i < n; i++) if ((!xs || xs[i] !== null) && (!ys || finite(ys[i]) || typeof ys[i] === "string")) return true;
      return false;
    }
    return true;
  };
  const boxed = (el) => {
    try {
      const b = el.getBBox();
      return b.width > 0 || b.height > 0;
    } catch {
      return false;
    }
  };
  const painted = (img) =>
    new Promise((resolve) => {
      const href = img.getAttribute("href") || img.getAttribute("xlink:href") || "";
      if (!href) return resolve(false);
      const im = new Image();
      im.onload = () => {
        const w = im.naturalWidth;
        const h = im.naturalHeight;
        if (!w || !h) return resolve(false);
        const c = document.createElement("canvas");
        c.width = w;
        c.height = h;
        const ctx = c.getContext("2d");
        ctx.drawImage(im, 0, 0);
        const px = ctx.getImageData(0, 0, w, h).data;
        for (let i = 3; i < px.length; i += 4) if (px[i] > 0) return resolve(true);
        resolve(false);
      };
      im.onerror = () => resolve(false);
      im.src = href;
    });
  /** The SVG groups plotly drew for trace i: each `.trace` group's d3 datum is its calcdata, [0].trace the full trace. */
  const groupsOf = (gd, i) =>
    [...gd.querySelectorAll("g.trace, g.hm, g.cbcontour")].filter((g) => {
      const cd = g.__data__;
      const t = Array.isArray(cd) ? cd[0]?.trace : cd?.trace;
      return t && t.index === i;
    });
  const traceDrawn = async (gd, t, i) => {
    const groups = groupsOf(gd, i);
    if (t.type === "heatmap") {
      const imgs = groups.flatMap((g) => [...g.querySelectorAll("image")]).concat(groups.filter((g) => g.tagName === "image"));
      for (const img of imgs) if (await painted(img)) return "";
      return imgs.length ? "its heatmap image has no painted pixel" : "no heatmap image";
    }
    if (t.type === "bar") {
      const bars = groups.flatMap((g) => [...g.querySelectorAll(".point path")]);
      if (bars.some((p) => {
        try {
          const b = p.getBBox();
          return b.width > 0 && b.height > 0;
        } catch {
          return false;
        }
      })) return "";
      return bars.length ? "every bar has zero height" : "no bar";
    }
    if (t.type === "scatter") {
      const shapes = groups.flatMap((g) => [...g.querySelectorAll("path.js-line, path.js-fill, path.point, .textpoint text")]);
      if (shapes.some((s) => (s.tagName === "text" ? (s.textContent ?? "").length > 0 : (s.getAttribute("d") ?? "").length > 1 && boxed(s)))) return "";
      return shapes.length ? "its line, fill and markers are empty" : "no line, fill or marker";
    }
    return groups.some((g) => [...g.querySelectorAll("path, rect, image, text")].some(boxed)) ? "" : "no geometry";
  };
  const one = async (gd) => {
    const data = Array.isArray(gd.data) ? gd.data : null;
    const full = Array.isArray(gd._fullData) ? gd._fullData : null;
    if (!data || !full) return { drawn: false, why: "plotly has not drawn this div (no data / _fullData)", traces: 0 };
    if (data.length === 0) return { drawn: false, why: "the figure has no trace (data: [])", traces: 0 };
    if (full.length !== data.length) return { drawn: false, why: `plotly kept ${full.length} of ${data.length} traces`, traces: data.length };
    let drew = 0;
    for (let i = 0; i < data.length; i++) {
      const want = data[i].type ?? "scatter";
      const t = full[i];
      if (t.type !== want) return { drawn: false, why: `trace ${i}: plotly drew type "${t.type}" for type "${want}" (unknown trace type?)`, traces: data.length };
      // hidden by the figure itself (a slider or dropdown shows one of several traces), not by plotly
      if (t.visible === "legendonly" || data[i].visible === false || data[i].visible === "legendonly") continue;
      // a heatmap is a panel of the figure: an empty one (every value null) is never a result
      if (want === "heatmap" && !hasData({ ...data[i], type: want })) return { drawn: false, why: `trace ${i} (heatmap): every value is null`, traces: data.length };
      if (t.visible !== true) {
        // plotly hides a trace it cannot draw: fine for one with no data (an all-null heatmap draws nothing either)
        if (hasData({ ...data[i], type: want })) return { drawn: false, why: `trace ${i} (${want}): plotly made it invisible`, traces: data.length };
        continue;
      }
      const why = await traceDrawn(gd, t, i);
      if (!why) drew++;
      else if (hasData(t)) return { drawn: false, why: `trace ${i} (${want}): ${why}`, traces: data.length };
    }
    if (!drew) return { drawn: false, why: "no trace drew anything (all values null?)", traces: data.length };
    return { drawn: true, why: "", traces: data.length };
  };
  const out = [];
  for (const gd of document.querySelectorAll(selector)) out.push(await one(gd));
  return out;
}

/**
 * Polls the page (Node side) until at least `count` plots match `selector` and every one is drawn; returns the
 * reports. Throws after `timeout` ms with each undrawn plot's reason.
 * @param {{ evaluate: Function, waitForTimeout: Function }} page a Playwright page (Galata's too)
 * @param {{ selector?: string, count?: number, timeout?: number }} [opts]
 */
export async function waitAllDrawn(page, { selector = ".js-plotly-plot", count = 1, timeout = 60_000 } = {}) {
  const t0 = Date.now();
  for (;;) {
    const r = await page.evaluate(drawnReport, selector);
    if (r.length >= count && r.every((x) => x.drawn)) return r;
    if (Date.now() - t0 > timeout) {
      const bad = r.map((x, i) => (x.drawn ? null : `plot ${i}: ${x.why}`)).filter(Boolean);
      throw new Error(`waitAllDrawn: after ${timeout} ms, ${r.length} plot(s) match ${selector} (want ≥ ${count})` + (bad.length ? `; not drawn: ${bad.join("; ")}` : ""));
    }
    await page.waitForTimeout(200);
  }
}
