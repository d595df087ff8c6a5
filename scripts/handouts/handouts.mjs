#!/usr/bin/env node
// `npm run handouts`: execute every notebooks/*.ipynb through the real tslab kernel and write handouts/:
//   <name>.html  one self-contained page per notebook (plotly.js inlined once, KaTeX + fonts inlined, no URL)
//   <name>.pdf   the same page printed by Chromium (A4 landscape), after every chart has been drawn
//   index.html   a table linking every notebook's HTML and PDF, with its title
// Options (after `--`):  --no-execute   use build/executed/*.ipynb as they are (no kernel)
//                        --execute-missing  with --no-execute: execute the notebooks whose copy is missing, unclean or stale
//                        --out DIR      write somewhere else than handouts/
//                        05 09 ...      only the notebooks whose names start with these
// Python half (execute + HTML): scripts/handouts/build_html.py; this file does the PDFs and the index,
// printing each notebook's PDF while the next one executes.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { CHROMIUM, launchChromium } from "../chromium.mjs";
import { drawnReport } from "../drawn.mjs";
import { ROOT, VENV_PY, UserError, jupyterEnv, log, runMain, setup } from "../runtime/lib.mjs";

const require = createRequire(import.meta.url);
// A4 landscape with 10 mm margins: 277 mm of printable width = 1047 CSS px at 96 px/in.
const PRINTABLE_WIDTH_PX = Math.floor(((297 - 2 * 10) / 25.4) * 96);
// and 210 − 10 − 12 mm of printable height = 710 CSS px: a chart taller than that at the chosen scale is cut in two
const PRINTABLE_HEIGHT_PX = Math.floor(((210 - 10 - 12) / 25.4) * 96);
const MIN_SCALE_FOR_HEIGHT = 0.55; // a chart that needs less (a 100-token line view) is split rather than shrunk unreadably
const MAX_SCALE = 0.8; // text at 80 % reads like 11 pt on paper, and a 1150 px chart + prompts fits the width

/** Command-line options. */
function parseArgs(argv) {
  const opts = { execute: true, executeMissing: false, out: path.join(ROOT, "handouts"), only: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--no-execute") opts.execute = false;
    else if (a === "--execute-missing") opts.executeMissing = true;
    else if (a === "--out") opts.out = path.resolve(process.env.INIT_CWD ?? process.cwd(), argv[++i] ?? "");
    else if (a.startsWith("--out=")) opts.out = path.resolve(process.env.INIT_CWD ?? process.cwd(), a.slice(6));
    else if (a.startsWith("-")) throw new UserError(`handouts: unknown option ${a} (known: --no-execute, --execute-missing, --out DIR, notebook name prefixes)`);
    else opts.only.push(path.basename(a).replace(/\.ipynb$/, ""));
  }
  return opts;
}

/** notebooks/*.ipynb, sorted, optionally only those whose names start with one of `only`. */
function chooseNotebooks(only) {
  const dir = path.join(ROOT, "notebooks");
  const all = fs.readdirSync(dir).filter((f) => f.endsWith(".ipynb")).sort();
  const chosen = only.length ? all.filter((f) => only.some((p) => f.startsWith(p))) : all;
  if (!chosen.length) throw new UserError(`handouts: no notebook in notebooks/ matches ${only.join(", ") || "*.ipynb"}`);
  return chosen.map((f) => path.join(dir, f));
}

/**
 * build/handouts/plotly.min.js: node_modules/plotly.js-dist/plotly.js (10 MB) minified with esbuild (a
 * vitest dependency) to ~4.8 MB, its licence header kept; rebuilt when the source changes. Falls back
 * to the unminified file when esbuild is missing.
 */
export function minifiedPlotly() {
  const src = require.resolve("plotly.js-dist/plotly.js", { paths: [ROOT] });
  const out = path.join(ROOT, "build", "handouts", "plotly.min.js");
  const stampFile = out + ".stamp";
  const stat = fs.statSync(src);
  const stamp = `${src} ${stat.size} ${stat.mtimeMs}`;
  if (fs.existsSync(out) && fs.existsSync(stampFile) && fs.readFileSync(stampFile, "utf8") === stamp) return out;
  let esbuild;
  try {
    esbuild = require(require.resolve("esbuild", { paths: [ROOT] }));
  } catch {
    log("handouts: esbuild not found, inlining the unminified plotly.js (10 MB per page)");
    return src;
  }
  const code = fs.readFileSync(src, "utf8");
  const header = code.match(/^\/\*\*[\s\S]*?\*\//)?.[0] ?? "/* plotly.js (MIT licence, Plotly, Inc.) */";
  const min = esbuild.transformSync(code, { minify: true, legalComments: "none" }).code;
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, `${header}\n${min}`);
  fs.writeFileSync(stampFile, stamp);
  return out;
}

/**
 * Opens an HTML file from file:// with every other request aborted (other local files too: a handout carries all it
 * shows, and Chromium runs as root with file URLs allowed); returns the page and what it saw (dialogs, blocked
 * requests, page errors, Content-Security-Policy refusals).
 */
export async function openOffline(browser, file, viewport = { width: 1400, height: 1000 }) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const seen = { dialogs: [], blocked: [], errors: [], refused: [] };
  page.on("dialog", (d) => {
    seen.dialogs.push(d.message());
    d.dismiss().catch(() => {});
  });
  page.on("pageerror", (e) => seen.errors.push(String(e)));
  page.on("console", (m) => {
    if (/Content Security Policy/i.test(m.text())) seen.refused.push(m.text().slice(0, 300));
  });
  const self = pathToFileURL(file).href;
  await context.route("**", (route) => {
    const url = route.request().url();
    if (url === self || url.startsWith("data:") || url.startsWith("blob:")) return route.continue();
    seen.blocked.push(url);
    return route.abort("blockedbyclient");
  });
  await page.goto(self, { waitUntil: "load" });
  return { page, context, ...seen };
}

/**
 * Waits until every plotly div has drawn its data (scripts/drawn.mjs: painted heatmaps, lines, bars, not only plotly's
 * frame) and KaTeX has run; returns { charts, divs, math, … }. Throws with each undrawn chart's reason after `timeout`.
 */
export async function waitDrawn(page, timeout = 90_000) {
  const t0 = Date.now();
  let report;
  for (;;) {
    const math = await page.evaluate(() => document.documentElement.hasAttribute("data-math"));
    report = await page.evaluate(drawnReport, ".mha-plotly");
    if (math && report.every((r) => r.drawn)) break;
    if (Date.now() - t0 > timeout) {
      const bad = report.map((r, i) => (r.drawn ? null : `chart ${i + 1}: ${r.why}`)).filter(Boolean);
      throw new Error(`handouts: after ${timeout / 1000} s ${bad.length} of ${report.length} charts not drawn (${bad.join("; ")})${math ? "" : ", KaTeX has not run"}`);
    }
    await page.waitForTimeout(200);
  }
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
  const drawn = report.filter((r) => r.drawn).length;
  const page_ = await page.evaluate(() => ({
    divs: document.querySelectorAll(".mha-plotly").length,
    math: Number(document.documentElement.getAttribute("data-math")),
    mathErrors: document.querySelectorAll(".katex-error").length,
    // tallest chart (a chart is never split across pages if the scale lets it fit on one)
    chartHeights: [...document.querySelectorAll(".js-plotly-plot .main-svg")].map((e) => e.getBoundingClientRect().height),
    // widest thing that cannot reflow: a chart, or printed output such as a matrix (code input wraps)
    width: Math.max(
      600,
      ...[...document.querySelectorAll(".js-plotly-plot .main-svg")].map((e) => e.getBoundingClientRect().right),
      ...[...document.querySelectorAll(".jp-OutputArea-output pre")].map((e) => {
        const r = document.createRange(); // the text's own extent, not the block's
        r.selectNodeContents(e);
        return r.getBoundingClientRect().right;
      }),
    ),
  }));
  return { charts: drawn, ...page_ };
}

/** Prints one handout to PDF with Chromium, after its charts are drawn; returns what was drawn. */
export async function printPdf(browser, htmlFile, pdfFile, { title = "" } = {}) {
  const { page, context, dialogs, blocked, errors, refused } = await openOffline(browser, htmlFile);
  try {
    const drawn = await waitDrawn(page);
    const byWidth = Math.floor((PRINTABLE_WIDTH_PX / (drawn.width + 16)) * 100) / 100;
    const fitsPage = drawn.chartHeights.map((h) => Math.floor((PRINTABLE_HEIGHT_PX / (h + 24)) * 100) / 100).filter((k) => k >= MIN_SCALE_FOR_HEIGHT);
    const scale = Math.max(0.3, Math.min(MAX_SCALE, byWidth, ...fitsPage));
    const esc = (s) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
    await page.pdf({
      path: pdfFile,
      format: "A4",
      landscape: true,
      printBackground: true,
      scale,
      margin: { top: "10mm", bottom: "12mm", left: "10mm", right: "10mm" },
      displayHeaderFooter: true,
      headerTemplate: "<span></span>",
      footerTemplate:
        `<div style="font-size:8px;width:100%;padding:0 10mm;color:#666;display:flex;justify-content:space-between">` +
        `<span>${esc(title)}</span><span><span class="pageNumber"></span> / <span class="totalPages"></span></span></div>`,
    });
    return { ...drawn, scale, dialogs, blocked, errors, refused };
  } finally {
    await context.close();
  }
}

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const mb = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;

/** handouts/index.html: every notebook's title, its HTML and PDF, sizes and chart counts. No URL. */
export function writeIndex(outDir, rows, { seconds }) {
  const body = rows
    .map((r) => {
      const html = r.html && fs.existsSync(r.html) ? path.basename(r.html) : null;
      const pdf = r.pdf && fs.existsSync(r.pdf) ? path.basename(r.pdf) : null;
      const status = r.problems.length ? `<span class="bad">⚠ ${esc(r.problems.join("; "))}</span>` : "✓";
      return (
        `<tr><td>${html ? `<a href="${encodeURI(html)}">${esc(r.title)}</a>` : esc(r.title)}</td>` +
        `<td>${html ? `<a href="${encodeURI(html)}">HTML</a> <small>${mb(fs.statSync(r.html).size)}</small>` : "–"}</td>` +
        `<td>${pdf ? `<a href="${encodeURI(pdf)}">PDF</a> <small>${mb(fs.statSync(r.pdf).size)}</small>` : "–"}</td>` +
        `<td class="n">${r.plotly}</td><td>${status}</td></tr>`
      );
    })
    .join("\n");
  const page = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>mha-lab handouts</title>
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 2em auto; max-width: 60em; padding: 0 1em; color: #222; }
table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: .45em .7em; border-bottom: 1px solid #ddd; }
td.n { text-align: right; } small { color: #777; } .bad { color: #b00; } p.note { color: #555; }
</style></head><body>
<h1>mha-lab — multi-head attention, step by step: handouts</h1>
<p class="note">Executed copies of the course notebooks. The HTML pages work offline (open them from this folder, e.g. on a
USB stick): charts are interactive (hover, zoom), equations are typeset, nothing is loaded from the network.
The PDFs are the same pages printed (A4 landscape).</p>
<table><thead><tr><th>Notebook</th><th>Page</th><th>Print</th><th>Charts</th><th></th></tr></thead>
<tbody>
${body}
</tbody></table>
<p class="note">Built ${esc(new Date().toISOString().replace("T", " ").slice(0, 16))} UTC in ${seconds.toFixed(0)} s by <code>npm run handouts</code>.</p>
</body></html>
`;
  const file = path.join(outDir, "index.html");
  fs.writeFileSync(file, page);
  return file;
}

async function main() {
  const t0 = Date.now();
  const opts = parseArgs(process.argv.slice(2));
  const notebooks = chooseNotebooks(opts.only);
  if (!fs.existsSync(CHROMIUM)) throw new UserError(`handouts: Chromium not found at ${CHROMIUM} (apt-get install -y chromium, or set MHA_CHROMIUM)`);
  if (opts.execute || opts.executeMissing) setup({ quiet: true });
  else if (!fs.existsSync(VENV_PY)) throw new UserError("handouts: .venv is missing; run npm run setup first");
  fs.mkdirSync(opts.out, { recursive: true });
  if (!opts.only.length) {
    // a full run replaces the folder's handouts (renamed notebooks must not leave stale pages behind)
    for (const f of fs.readdirSync(opts.out)) if (/\.(html|pdf)$/.test(f)) fs.rmSync(path.join(opts.out, f));
  }
  const plotlyJs = minifiedPlotly();
  log(`handouts: ${notebooks.length} notebook(s) -> ${path.relative(ROOT, opts.out) || "."}/ ` +
    `(${opts.execute ? "executing with the tslab kernel" : opts.executeMissing ? "from build/executed/, executing the missing or stale" : "from build/executed/, not executing"}; plotly.js: ${path.relative(ROOT, plotlyJs)})`);

  const browser = await launchChromium();
  const rows = [];
  let pdfChain = Promise.resolve();
  const footer = `mha-lab · executed ${new Date().toISOString().slice(0, 10)}`;
  const child = spawn(
    VENV_PY,
    [path.join(ROOT, "scripts", "handouts", "build_html.py"), "--out", opts.out, "--footer", footer, ...(opts.execute ? [] : ["--no-execute"]), ...(opts.executeMissing ? ["--execute-missing"] : []), ...notebooks],
    { cwd: ROOT, env: jupyterEnv({ MHA_PLOTLY_JS: plotlyJs, PYTHONUNBUFFERED: "1" }), stdio: ["ignore", "pipe", "inherit"] },
  );
  const lines = readline.createInterface({ input: child.stdout });
  lines.on("line", (line) => {
    if (!line.startsWith("@@handout ")) return console.log(line);
    const info = JSON.parse(line.slice("@@handout ".length));
    const row = { ...info, pdf: null, problems: info.ok ? [] : [info.error] };
    rows.push(row);
    if (!info.html) return;
    pdfChain = pdfChain.then(async () => {
      const s0 = Date.now();
      const pdf = info.html.replace(/\.html$/, ".pdf");
      try {
        const r = await printPdf(browser, info.html, pdf, { title: info.title });
        row.pdf = pdf;
        if (r.charts !== info.plotly) row.problems.push(`${r.charts} charts drawn, notebook has ${info.plotly}`);
        if (r.blocked.length) row.problems.push(`page asked for ${r.blocked[0]} (a handout loads nothing but itself)`);
        if (r.refused.length) row.problems.push(`the page's Content-Security-Policy refused: ${r.refused[0]}`);
        if (r.errors.length) row.problems.push(`page error: ${r.errors[0].slice(0, 200)}`);
        if (r.dialogs.length) row.problems.push(`page opened a dialog: ${r.dialogs[0]}`);
        if (r.mathErrors) row.problems.push(`${r.mathErrors} equation(s) KaTeX could not typeset`);
        console.log(
          `[pdf] ${info.name}: ${mb(fs.statSync(pdf).size)}, ${r.charts}/${info.plotly} charts drawn, ${r.math} equations, ` +
            `scale ${r.scale} (${((Date.now() - s0) / 1000).toFixed(1)} s)${row.problems.length ? "  ⚠ " + row.problems.join("; ") : ""}`,
        );
      } catch (e) {
        row.problems.push(`PDF failed: ${String(e.message ?? e).split("\n")[0]}`);
        console.log(`[pdf] ${info.name}: FAILED: ${row.problems.at(-1)}`);
      }
    });
  });
  const code = await new Promise((resolve) => child.on("close", (c) => resolve(c ?? 1)));
  await pdfChain;
  await browser.close();
  if (code !== 0 && !rows.some((r) => r.problems.length)) throw new UserError(`handouts: build_html.py exited with ${code}`);

  const seconds = (Date.now() - t0) / 1000;
  const index = writeIndex(opts.out, rows, { seconds });
  const bad = rows.filter((r) => r.problems.length);
  const sizes = rows.reduce((s, r) => s + (r.html && fs.existsSync(r.html) ? fs.statSync(r.html).size : 0) + (r.pdf && fs.existsSync(r.pdf) ? fs.statSync(r.pdf).size : 0), 0);
  log(`handouts: ${rows.length - bad.length}/${notebooks.length} notebooks ok, ${mb(sizes)} in ${path.relative(ROOT, opts.out) || "."}/; open ${path.relative(process.cwd(), index)}`);
  for (const r of bad) log(`handouts: ⚠ ${r.name}: ${r.problems.join("; ")}`);
  log(`handouts: total time ${seconds.toFixed(1)} s`);
  if (bad.length || rows.length !== notebooks.length) process.exit(1);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) runMain(main);
