// `npm run handouts` end to end, on notebooks that are already executed (build/executed/, written by
// `npm run nb` / `npm test` / `npm run handouts`), or on 00-welcome executed here when there is none.
// Builds into a temp folder with scripts/handouts/handouts.mjs, then checks each page from file:// in
// Chromium with every non-file request aborted, and each PDF with poppler (pdftoppm) when installed.
// Run: npx vitest run -c test/handouts/vitest.config.mts   (~1-2 min)
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "child_process";
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

/**
 * Notebooks to build: the executed copies without error outputs, whose source notebook still exists; the 3
 * with the most charts (+ the one with the most math if not among them), or all with MHA_HANDOUTS_ALL=1.
 */
function choose(): { names: string[]; execute: boolean } {
  const ok = fs.existsSync(EXECUTED)
    ? fs
        .readdirSync(EXECUTED)
        .filter((f) => f.endsWith(".ipynb") && fs.existsSync(path.join(ROOT, "notebooks", f)))
        .map((f) => ({ name: f.replace(/\.ipynb$/, ""), nb: readNb(path.join(EXECUTED, f)) }))
        .filter((x) => !hasErrors(x.nb))
    : [];
  if (!ok.length) return { names: ["00-welcome"], execute: true };
  if (process.env.MHA_HANDOUTS_ALL) return { names: ok.map((x) => x.name), execute: false };
  const byCharts = [...ok].sort((a, b) => plotlyOutputs(b.nb) - plotlyOutputs(a.nb) || a.name.localeCompare(b.name));
  const names = byCharts.slice(0, 3).map((x) => x.name);
  const byMath = [...ok].sort((a, b) => mathCount(b.nb) - mathCount(a.nb))[0];
  if (!names.includes(byMath.name)) names.push(byMath.name);
  return { names: names.sort(), execute: false };
}

/** The text of an HTML page outside its <script> elements (the inlined bundles mention URLs as data). */
function markupOnly(html: string): string {
  return html.replace(/(<script\b[^>]*>)[\s\S]*?<\/script>/gi, "$1</script>"); // keeps the tag and its attributes
}

const { names, execute } = choose();
const out = fs.mkdtempSync(path.join(os.tmpdir(), "mha-handouts-"));
let build = { status: -1 as number | null, stdout: "", stderr: "" };

describe.skipIf(!fs.existsSync(CHROMIUM))(`npm run handouts (${names.join(", ")}${execute ? ", executed here" : ""})`, () => {
  let browser: Browser;
  beforeAll(async () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, "scripts", "handouts", "handouts.mjs"), "--out", out, ...(execute ? [] : ["--no-execute"]), ...names], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 170_000,
    });
    build = { status: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
    browser = await launchChromium();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
  });

  it("builds every chosen notebook with progress lines and a total time, exit 0", () => {
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

      it("inlines plotly.js exactly once, and KaTeX with its fonts", () => {
        const html = fs.readFileSync(htmlFile, "utf8");
        expect(html.match(/\/\* plotly\.js, inlined once \*\//g)?.length).toBe(1);
        expect(html.match(/\* plotly\.js v\d+\.\d+\.\d+/g)?.length).toBe(1); // the bundle's licence header
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
        const { page, context, dialogs, blocked, errors } = await openOffline(browser, htmlFile);
        try {
          const drawn = await waitDrawn(page, 60_000);
          expect(drawn.divs).toBe(expected());
          expect(drawn.charts).toBe(expected());
          const svgs = await page.locator(".js-plotly-plot .main-svg").count();
          expect(svgs).toBeGreaterThanOrEqual(expected());
          expect(drawn.math).toBeGreaterThan(0); // .katex elements in markdown cells
          expect(drawn.mathErrors).toBe(0);
          expect(await page.locator(".jp-MarkdownOutput .katex-display").count()).toBeGreaterThan(0);
          // no "$...$" left as text in markdown (an equation KaTeX did not see)
          const leftover = await page.evaluate(() =>
            Array.from(document.querySelectorAll(".jp-MarkdownOutput")).map((e) => (e as HTMLElement).innerText).filter((t) => /\$[^$\s][^$]*\$/.test(t)),
          );
          expect(leftover).toEqual([]);
          expect(blocked).toEqual([]);
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
