// bench/results.html: the benchmark as plotly charts, self-contained (plotly.js inlined, no CDN).
// Uses figureToHTML from mha-lab/html when it is built, else inlines node_modules/plotly.js-dist itself.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ROOT, require } from "./common.mjs";

const IMPLS = [
  ["oursMs", "ours: forward (readable, mathjs + typed-array multiply)", "#1f77b4"],
  ["referenceMs", "forward on mathjs's own multiply (--reference)", "#17becf"],
  ["fastMs", "ours: fast kernel", "#2ca02c"],
  ["tfjsMs", "tfjs-cpu (float32)", "#d62728"],
  ["torchMs", "PyTorch f32, 1 thread", "#9467bd"],
  ["torchMtMs", "PyTorch f32, default threads", "#c5b0d5"],
  ["torch64Ms", "PyTorch f64, 1 thread", "#8c564b"],
];
const DASH = { 64: "solid", 256: "dash" };

/** The figures: forward time vs n, and speed-up over tfjs-cpu with the 3× goal. */
export function benchFigures(results) {
  const dModels = [...new Set(results.rows.map((r) => r.dModel))];
  const timeData = [];
  for (const [key, name, color] of IMPLS) {
    for (const d of dModels) {
      const rows = results.rows.filter((r) => r.dModel === d && r[key] != null);
      if (!rows.length) continue;
      timeData.push({ type: "scatter", mode: "lines+markers", name: `${name}, dModel=${d}`, legendgroup: key,
        x: rows.map((r) => r.n), y: rows.map((r) => r[key]), line: { dash: DASH[d] ?? "dot", color }, marker: { color } });
    }
  }
  const speedData = [];
  for (const [key, name, color] of [["tfjsOverOurs", "tfjs ÷ forward (goal ≥ 3)", "#1f77b4"], ["tfjsOverFast", "tfjs ÷ fast kernel (goal ≥ 5)", "#2ca02c"]]) {
    for (const d of dModels) {
      const rows = results.rows.filter((r) => r.dModel === d && r[key] != null);
      if (!rows.length) continue;
      speedData.push({ type: "scatter", mode: "lines+markers", name: `${name}, dModel=${d}`, x: rows.map((r) => r.n), y: rows.map((r) => r[key]), line: { dash: DASH[d] ?? "dot", color }, marker: { color } });
    }
  }
  const ns = results.rows.map((r) => r.n);
  speedData.push({ type: "scatter", mode: "lines", name: "goal: 3× (forward)", x: [Math.min(...ns), Math.max(...ns)], y: [3, 3], line: { color: "gray", dash: "dot" } });
  speedData.push({ type: "scatter", mode: "lines", name: "goal: 5× (fast)", x: [Math.min(...ns), Math.max(...ns)], y: [5, 5], line: { color: "black", dash: "dot" } });
  const loaded = results.machine.loaded ? " — LOADED MACHINE, not figures" : "";
  const title = `${results.machine.cpu}, ${results.machine.nproc} cores, ${results.machine.date.slice(0, 10)}${loaded}`;
  return [
    { data: timeData, layout: { title: { text: `MHA forward, h = 8: median ms (${title}); solid dModel = 64, dashed dModel = 256` }, height: 520,
      xaxis: { title: { text: "sequence length n" }, type: "log" }, yaxis: { title: { text: "ms" }, type: "log" } } },
    { data: speedData, layout: { title: { text: "Speed-up over tfjs-cpu (higher is better)" }, height: 420,
      xaxis: { title: { text: "sequence length n" }, type: "log" }, yaxis: { title: { text: "tfjs ms ÷ ours ms" }, type: "log" } } },
  ];
}

/** Write the chart page to outPath. */
export async function writeChart(results, outPath) {
  const figures = benchFigures(results);
  let figureToHTML = null;
  try { figureToHTML = require("mha-lab/html").figureToHTML; } catch { /* not built */ }
  if (typeof figureToHTML === "function") {
    writeFileSync(outPath, figureToHTML(figures, { title: "mha-lab benchmark: multi-head attention forward" }));
    return;
  }
  const plotly = readFileSync(require.resolve("plotly.js-dist"), "utf8").replace(/<\/script/gi, "<\\/script");
  const divs = figures.map((_, i) => `<div id="fig${i}"></div>`).join("\n");
  const calls = figures.map((f, i) => `Plotly.newPlot("fig${i}", ${JSON.stringify(f.data)}, ${JSON.stringify(f.layout)});`).join("\n");
  writeFileSync(outPath, `<!doctype html>\n<html><head><meta charset="utf-8"><title>mha-lab benchmark</title>
<script>${plotly}</script></head><body>
${divs}
<script>
${calls}
</script></body></html>\n`);
}

// node bench/chart.mjs: rebuild the page from bench/results.json
if (process.argv[1] && path.resolve(process.argv[1]) === path.join(ROOT, "bench", "chart.mjs")) {
  const res = JSON.parse(readFileSync(path.join(ROOT, "bench", "results.json"), "utf8"));
  await writeChart(res, path.join(ROOT, "bench", "results.html"));
}
