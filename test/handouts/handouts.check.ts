// `npm run handouts` end to end, for EVERY notebook in notebooks/ (found by glob, so new notebooks are included):
// built from the executed copies the notebook stage left in build/executed/ (`npm test`, `npm run nb`), and any
// notebook whose copy is missing, not a clean run or older than the notebook is executed here first
// (handouts.mjs --no-execute --execute-missing). Builds into a temp folder, then checks each page from file:// in
// Chromium with every other request aborted (every chart's data drawn, scripts/drawn.mjs), and each PDF with poppler.
// Run: npx vitest run -c test/handouts/vitest.config.mts   (about 10 s per notebook from executed copies)
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "child_process";
import { spawnAsync } from "../_spawn";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { Browser } from "playwright-core";
import { CHROMIUM, launchChromium } from "../../scripts/chromium.mjs";
// @ts-ignore -- plain .mjs module of the handouts script (no types)
import { openOffline, waitDrawn } from "../../scripts/handouts/handouts.mjs";

const ROOT = path.join(__dirname, "..", "..");
const EXECUTED = path.join(ROOT, "build", "executed");
const PLOTLY_MIME = "application/vnd.plotly.v1+json";
const SHOTS = path.join(ROOT, "screenshots", "handouts");
const hasPdftoppm = spawnSync("pdftoppm", ["-v"]).error === undefined;

interface Nb {
  cells: { cell_type: string; source: string | string[]; outputs?: { output_type: string; data?: Record<string, unknown> }[] }[];
}
const readNb = (f: string): Nb => JSON.parse(fs.readFileSync(f, "utf8"));
const plotlyOutputs = (nb: Nb) =>
  nb.cells.flatMap((c) => c.outputs ?? []).filter((o) => o.data && PLOTLY_MIME in o.data).length;
// an executed copy that is not a clean run: an error, stderr output, or a code cell never executed
const hasErrors = (nb: Nb) =>
  nb.cells.some(
    (c) =>
      c.cell_type === "code" &&
      ((c as { execution_count?: number | null }).execution_count == null ||
        (c.outputs ?? []).some((o) => o.output_type === "error" || (o.output_type === "stream" && (o as { name?: string }).name === "stderr"))),
  );
const mathCount = (nb: Nb) =>
  nb.cells.filter((c) => c.cell_type === "markdown").map((c) => [c.source].flat().join("")).join("\n").match(/\$/g)?.length ?? 0;

/** Every notebooks/*.ipynb, by name; MHA_HANDOUTS_ONLY="00,04" narrows it for a quick local run (npm test never sets it). */
function choose(): { names: string[]; all: number } {
  const every = fs
    .readdirSync(path.join(ROOT, "notebooks"))
    .filter((f) => f.endsWith(".ipynb"))
    .sort()
    .map((f) => f.replace(/\.ipynb$/, ""));
  const only = (process.env.MHA_HANDOUTS_ONLY ?? "").split(",").filter(Boolean);
  return { names: only.length ? every.filter((n) => only.some((p) => n.startsWith(p))) : every, all: every.length };
}

/** The text of an HTML page outside its <script> elements (the inlined bundles mention URLs as data). */
function markupOnly(html: string): string {
  return html.replace(/(<script\b[^>]*>)[\s\S]*?<\/script>/gi, "$1</script>"); // keeps the tag and its attributes
}

const { names, all } = choose();
/** Notebooks without a clean, current executed copy: the build executes them (slower). */
const toExecute = names.filter((n) => {
  const copy = path.join(EXECUTED, `${n}.ipynb`);
  return !fs.existsSync(copy) || fs.statSync(copy).mtimeMs < fs.statSync(path.join(ROOT, "notebooks", `${n}.ipynb`)).mtimeMs || hasErrors(readNb(copy));
});
// ~10 s per notebook from its executed copy (PDF and checks), up to ~90 s for one executed here
const BUILD_MS = 60_000 + names.length * 20_000 + toExecute.length * 120_000;
const out = fs.mkdtempSync(path.join(os.tmpdir(), "mha-handouts-"));
let build = { status: -1 as number | null, stdout: "", stderr: "" };

describe.skipIf(!fs.existsSync(CHROMIUM))(`npm run handouts: all ${names.length} notebooks${toExecute.length ? ` (${toExecute.length} executed here)` : ""}`, () => {
  let browser: Browser;
  beforeAll(async () => {
    const t0 = Date.now();
    // Asynchronous on purpose: a spawnSync of ~100 s blocks this worker past vitest's RPC timeout (see test/_spawn.ts).
    build = await spawnAsync(process.execPath, [path.join(ROOT, "scripts", "handouts", "handouts.mjs"), "--out", out, "--no-execute", "--execute-missing", ...names], { cwd: ROOT, timeout: BUILD_MS });
    console.log(`handouts: ${names.length} notebooks built in ${((Date.now() - t0) / 1000).toFixed(0)} s (${toExecute.length} executed)`);
    browser = await launchChromium();
  }, BUILD_MS + 30_000);
  afterAll(async () => {
    await browser?.close();
  });

  it.skipIf(names.length < all)("picks up every notebook in notebooks/ (a new one is built without being listed anywhere)", () => {
    expect(names.length).toBeGreaterThanOrEqual(16);
    expect(names).toContain("00-welcome");
  });

  it("builds every notebook with progress lines and a total time, exit 0", () => {
    expect(build.stderr + build.stdout).not.toMatch(/Traceback|FAILED/);
    for (const n of names) expect(build.stdout).toMatch(new RegExp(`\\[pdf\\] ${n}: .* charts drawn`));
    expect(build.stdout).toMatch(/total time \d+\.\d s/);
    expect(build.status).toBe(0);
  });

  it("the URL checks below do catch CDN references (they can fail)", () => {
    const bad = [
      '<script src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-svg.js"></script>',
      '<link rel="stylesheet" href="//fonts.googleapis.com/css?family=Roboto">',
      '<style>@font-face { src: url("https://example.org/f.woff2") }</style>',
      '<img src="http://example.org/x.png">',
    ];
    for (const b of bad) expect(markupOnly(b)).toMatch(/<script[^>]*\ssrc\s*=|<link\b|url\(\s*["']?\s*(https?:)?\/\/|\s(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
    expect(markupOnly('<script>var u = "https://plotly.com/";</script>')).not.toMatch(/https?:/); // inlined bundles are data
  });

  it("writes an index linking each notebook's HTML and PDF under its title", () => {
    const index = fs.readFileSync(path.join(out, "index.html"), "utf8");
    for (const n of names) {
      expect(index).toContain(`href="${n}.html"`);
      expect(index).toContain(`href="${n}.pdf"`);
      const title = fs.readFileSync(path.join(out, `${n}.html`), "utf8").match(/<title>([^<]*)<\/title>/)![1];
      expect(title.length).toBeGreaterThan(3);
      expect(index).toContain(`>${title}</a>`);
    }
    expect(markupOnly(index)).not.toMatch(/(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
  });

  for (const n of names) {
    describe(n, () => {
      const htmlFile = path.join(out, `${n}.html`);
      const pdfFile = path.join(out, `${n}.pdf`);
      const expected = () => plotlyOutputs(readNb(path.join(EXECUTED, `${n}.ipynb`)));
      // a display equation ($$…$$) in the notebook's markdown: then the page must show it typeset as a display
      const displayMath = () =>
        readNb(path.join(EXECUTED, `${n}.ipynb`)).cells.some((c) => c.cell_type === "markdown" && [c.source ?? ""].flat().join("").includes("$$"));

      it("inlines plotly.js exactly once, and KaTeX with its fonts", () => {
        const html = fs.readFileSync(htmlFile, "utf8");
        const once = expected() > 0 ? 1 : 0; // a page without charts carries no plotly.js at all
        expect(html.match(/\/\* plotly\.js, inlined once \*\//g)?.length ?? 0).toBe(once);
        expect(html.match(/\* plotly\.js v\d+\.\d+\.\d+/g)?.length ?? 0).toBe(once); // the bundle's licence header
        expect(html.match(/\/\* KaTeX, inlined \*\//g)?.length).toBe(1);
        expect(html).toMatch(/url\(data:font\/woff2;base64,/);
      });

      it("references nothing over the network: no http(s) or // in src, href, CSS url() or @import", () => {
        const markup = markupOnly(fs.readFileSync(htmlFile, "utf8"));
        expect(markup).not.toMatch(/<script[^>]*\ssrc\s*=/i);
        expect(markup).not.toMatch(/<link\b/i);
        expect(markup).not.toMatch(/\s(src|href|srcset|poster|data)\s*=\s*["']?\s*(https?:)?\/\//i);
        expect(markup).not.toMatch(/url\(\s*["']?\s*(https?:)?\/\//i);
        expect(markup).not.toMatch(/@import/i);
        expect(markup).not.toMatch(/mathjax|require\.js|cdn\./i);
      });

      it("opens from file:// offline: every chart drawn, equations typeset, no request, dialog or error", async () => {
        const { page, context, dialogs, blocked, errors, refused } = await openOffline(browser, htmlFile);
        try {
          const drawn = await waitDrawn(page, 60_000); // every chart's data drawn (scripts/drawn.mjs), or it throws
          expect(drawn.divs).toBe(expected());
          expect(drawn.charts).toBe(expected());
          expect(drawn.math).toBeGreaterThan(0); // .katex elements in markdown cells
          expect(drawn.mathErrors).toBe(0);
          if (displayMath()) expect(await page.locator(".jp-MarkdownOutput .katex-display").count()).toBeGreaterThan(0);
          // no "$...$" left as text in markdown (an equation KaTeX did not see)
          const leftover = await page.evaluate(() =>
            Array.from(document.querySelectorAll(".jp-MarkdownOutput")).map((e) => (e as HTMLElement).innerText).filter((t) => /\$[^$\s][^$]*\$/.test(t)),
          );
          expect(leftover).toEqual([]);
          expect(blocked).toEqual([]);
          expect(refused).toEqual([]); // the page's own CSP let everything it carries run
          expect(dialogs).toEqual([]);
          expect(errors).toEqual([]);
          if (n === names[0]) {
            fs.mkdirSync(SHOTS, { recursive: true });
            await page.screenshot({ path: path.join(SHOTS, `test-${n}.png`) });
          }
        } finally {
          await context.close();
        }
      }, 90_000);

      it("has a PDF that is a real document with visible content on page 1", () => {
        const buf = fs.readFileSync(pdfFile);
        expect(buf.subarray(0, 5).toString()).toBe("%PDF-");
        expect(buf.length).toBeGreaterThan(50_000);
        if (!hasPdftoppm) return;
        const info = spawnSync("pdfinfo", [pdfFile], { encoding: "utf8" }).stdout;
        expect(Number(info.match(/Pages:\s+(\d+)/)?.[1])).toBeGreaterThan(1);
        const prefix = path.join(out, `${n}-p1`);
        const r = spawnSync("pdftoppm", ["-png", "-r", "40", "-f", "1", "-l", "1", "-gray", pdfFile, prefix], { encoding: "utf8" });
        expect(r.status).toBe(0);
        const png = fs.readdirSync(out).find((f) => f.startsWith(`${n}-p1`) && f.endsWith(".png"))!;
        // count non-white pixels in the grey PNG: decode pdftoppm -gray output (PGM: "P5 w h 255" + bytes) instead of parsing PNG
        const pgm = spawnSync("pdftoppm", ["-gray", "-r", "40", "-f", "1", "-l", "1", pdfFile], { maxBuffer: 1 << 26 }).stdout as Buffer;
        const header = pgm.subarray(0, 40).toString("latin1").match(/^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/)!;
        const pixels = pgm.subarray(header[0].length);
        let ink = 0;
        for (const v of pixels) if (v < 200) ink++;
        expect(png).toBeTruthy();
        expect(ink / pixels.length).toBeGreaterThan(0.01); // text and maybe a chart, not a blank page
        expect(ink / pixels.length).toBeLessThan(0.6); // not a black page either
      });
    });
  }
});
