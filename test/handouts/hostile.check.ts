// A hostile notebook builds into a handout that runs nothing and shows no local file (issue 20, "The handouts").
// Instructors build handouts of their own and of learners' notebooks, and Chromium prints them as root with file
// URLs allowed. The notebook below tries every way in we know: <script>, onerror/onload/onmouseover handlers,
// javascript: links, a form, iframe/object/img/link/@import/meta-refresh pointing at a root-only 0600 stand-in file,
// text/html, text/markdown, application/javascript and SVG outputs, an image "filename", a fake chart div and a figure
// title that closes </script>. Probes: window.__pwned, document.title, dialogs, requests, the page's and every
// frame's text, and the PDF's text (pdftotext).
// Three layers, each tested alone: the sanitiser (scripts/nbconvert_plotly.py clean_notebook_html), the page's
// Content-Security-Policy, and openOffline's request blocking; plus a control page that proves the probes catch it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { pathToFileURL } from "url";
import type { Browser, Page } from "playwright-core";
import { CHROMIUM, launchChromium } from "../../scripts/chromium.mjs";
// @ts-ignore -- plain .mjs module of the handouts script (no types)
import { minifiedPlotly, openOffline, printPdf, waitDrawn } from "../../scripts/handouts/handouts.mjs";

const ROOT = path.join(__dirname, "..", "..");
const PY = path.join(ROOT, ".venv", "bin", "python");
const hasPdftotext = spawnSync("pdftotext", ["-v"]).error === undefined;
const SECRET = `MHA-SECRET-${process.pid}-${Date.now()}`;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mha-hostile-"));
const secretFile = path.join(dir, "shadow-stand-in");
const secretURL = pathToFileURL(secretFile).href;

/** The markdown cell: raw HTML a notebook may carry. */
const MARKDOWN = `# Hostile notebook
<script>window.__pwned = "markdown script"; document.title = "pwned";</script>
<img src=x onerror="window.__pwned='onerror'">
<a href="javascript:window.__pwned='link'">click me</a>
<form action="${secretURL}"><input name=q><button>go</button></form>
<iframe src="${secretURL}"></iframe>
<object data="${secretURL}"></object>
<embed src="${secretURL}">
<img src="${secretURL}">
<link rel="stylesheet" href="${secretURL}">
<style>@import url("${secretURL}");</style>
<meta http-equiv="refresh" content="0;url=${secretURL}">
<div id="mha-plotly-1-6" class="js-plotly-plot mha-plotly" onmouseover="window.__pwned='hover'">fake chart</div>
<svg onload="window.__pwned='svg'"><circle r=5></circle></svg>

Some math stays: $a < b$ and $$\\sum_i x_i$$`;

function hostileNotebook(): unknown {
  const out = (data: Record<string, unknown>, metadata: Record<string, unknown> = {}) => ({ output_type: "display_data", metadata, data });
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: { name: "tslab", display_name: "TypeScript", language: "typescript" },
      title: "</title><script>window.__pwned='title'</script>",
      widgets: { "application/vnd.jupyter.widget-state+json": { state: {} } }, // nbconvert would load widgets from a CDN
    },
    cells: [
      { cell_type: "markdown", id: "md", metadata: {}, source: MARKDOWN },
      {
        cell_type: "code",
        id: "code",
        execution_count: 1,
        metadata: { tags: ['x" onmouseover="window.__pwned=9'] },
        source: "1",
        outputs: [
          out({ "text/html": `<b>bold</b><script>window.__pwned="html output"</script><img src=y onerror="window.__pwned='html onerror'"><iframe src="${secretURL}"></iframe>`, "text/plain": "x" }),
          out({ "application/javascript": "window.__pwned = 'js output';" }),
          out({ "text/markdown": `<script>window.__pwned='md output'</script><iframe src="${secretURL}"></iframe> **md**` }),
          out({ "image/png": "iVBORw0KGgo=" }, { filenames: { "image/png": secretURL } }),
          out({ "image/svg+xml": "<svg xmlns='http://www.w3.org/2000/svg' onload=\"window.__pwned='svg output'\"><script>window.__pwned='svg script'</script></svg>" }),
          { output_type: "execute_result", execution_count: 1, metadata: {}, data: { "text/html": `<iframe src="${secretURL}"></iframe>`, "text/plain": "1" } },
          out({
            "application/vnd.plotly.v1+json": { data: [{ type: "heatmap", z: [[1, 2], [3, 4]] }], layout: { height: 300, title: { text: "</script><script>window.__pwned='fig'</script>" } } },
            "text/html": "<script>window.__pwned='plotly html'</script>",
          }),
        ],
      },
    ],
  };
}

/** Everything a hostile page could have done, as seen from inside it and from its frames. */
async function probe(page: Page) {
  const inPage = await page.evaluate(() => ({
    pwned: (window as any).__pwned ?? null,
    title: document.title,
    frames: document.querySelectorAll("iframe, frame, object, embed").length,
    forms: Array.from(document.querySelectorAll("form, input, button, select, textarea")).filter((e) => !e.closest(".js-plotly-plot")).length,
    jsLinks: document.querySelectorAll('a[href^="javascript:" i]').length,
    handlers: Array.from(document.querySelectorAll("body *")).filter((e) => Array.from(e.attributes).some((a) => /^on/i.test(a.name))).length,
    text: document.body.innerText,
  }));
  const frameTexts = await Promise.all(page.frames().slice(1).map((f) => f.content().catch(() => "")));
  return { ...inPage, frameTexts };
}

describe.skipIf(!fs.existsSync(CHROMIUM) || !fs.existsSync(PY))("a hostile notebook's handout", () => {
  let browser: Browser;
  const html = path.join(dir, "out", "hostile.html");
  const pdf = path.join(dir, "out", "hostile.pdf");
  let printed: { charts: number; blocked: string[]; dialogs: string[]; errors: string[]; refused: string[] };

  beforeAll(async () => {
    fs.writeFileSync(secretFile, `${SECRET}\n`, { mode: 0o600 }); // a root-only file, as /etc/shadow is
    fs.mkdirSync(path.join(dir, "executed"));
    fs.writeFileSync(path.join(dir, "executed", "hostile.ipynb"), JSON.stringify(hostileNotebook()));
    const r = spawnSync(PY, [path.join(ROOT, "scripts", "handouts", "build_html.py"), "--no-execute", "--executed", path.join(dir, "executed"), "--out", path.join(dir, "out"), path.join(dir, "executed", "hostile.ipynb")], { cwd: ROOT, encoding: "utf8", env: { ...process.env, PYTHONWARNINGS: "ignore", MHA_PLOTLY_JS: minifiedPlotly() } });
    if (r.status !== 0) throw new Error(`build_html.py failed (${r.status}): ${r.stderr}`);
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
  });

  it("the stand-in is a root-only file that holds the secret", () => {
    expect(fs.statSync(secretFile).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(secretFile, "utf8")).toContain(SECRET);
  });

  it("the HTML carries no script, handler, frame, form or file URL from the notebook (sanitised markup)", () => {
    const page = fs.readFileSync(html, "utf8");
    const markup = page.replace(/(<script\b[^>]*>)[\s\S]*?<\/script>/gi, "$1</script>");
    expect(markup).not.toMatch(/<(iframe|object|embed|form|input|link|base|svg|meta http-equiv="refresh")\b/i);
    expect(markup).not.toMatch(/\son[a-z]+\s*=\s*["']?[^"'\s>]*__pwned/i); // no handler attribute (class text may quote one)
    expect(markup).not.toMatch(/(src|href|data|action)\s*=\s*["']?\s*(javascript|file):/i);
    expect(markup.match(/id="mha-plotly-1-6"/g)?.length).toBe(1); // the fake chart did not take the real chart's id
    expect(markup).not.toMatch(/class="[^"]*js-plotly-plot/); // nor a chart's class (it would be counted)
    // scripts: plotly.js, the one figure, KaTeX (3), each allowed by hash in the CSP, and the inert widget-state JSON
    expect(markup.match(/<script type="text\/javascript">/g)?.length).toBe(5);
    const csp = page.match(/<meta http-equiv="Content-Security-Policy" content="([^"]+)">/)?.[1] ?? "";
    expect(csp).toMatch(/^default-src 'none'; script-src( 'sha256-[A-Za-z0-9+/=]+'){5}; style-src/);
    expect(csp).not.toMatch(/unsafe-inline[^;]*;.*script-src|script-src[^;]*unsafe/);
  });

  it("opens and prints with nothing run: no side effect, no dialog, no request, chart and math still drawn", async () => {
    const { page, context, dialogs, blocked, errors } = await openOffline(browser, html);
    try {
      const drawn = await waitDrawn(page, 60_000);
      expect(drawn.charts).toBe(1); // the real chart, drawn from its JSON; the fake div is not counted
      expect(drawn.math).toBe(2);
      await page.mouse.move(200, 200);
      await page.mouse.move(300, 400, { steps: 5 }); // over the cells: no onmouseover may fire
      const p = await probe(page);
      expect(p.pwned).toBeNull();
      expect(p.title).toBe("Hostile notebook");
      const { text, frameTexts, ...counts } = p;
      expect(counts, JSON.stringify(counts)).toMatchObject({ frames: 0, forms: 0, jsLinks: 0, handlers: 0 });
      expect(text).not.toContain(SECRET);
      expect(frameTexts).toEqual([]);
      expect(text).toContain("[a JavaScript output: not run in a handout]");
      expect(dialogs).toEqual([]);
      expect(blocked).toEqual([]); // nothing was even asked for: the markup is gone
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
    printed = await printPdf(browser, html, pdf, { title: "hostile" });
    expect(printed.charts).toBe(1);
    expect(printed).toMatchObject({ blocked: [], dialogs: [], errors: [], refused: [] });
  }, 90_000);

  it.skipIf(!hasPdftotext)("the PDF (printed above) shows the notebook's text and no local file content", () => {
    const text = spawnSync("pdftotext", [pdf, "-"], { encoding: "utf8" }).stdout;
    expect(text).toContain("Hostile notebook");
    expect(text).toContain("bold");
    expect(text).not.toContain(SECRET);
  });

  /** The built handout with the raw hostile markup put back in after sanitising, as if the sanitiser missed it all. */
  // (without the meta refresh, which would navigate the whole page to the file: a CSP does not govern navigation;
  // the sanitiser removes it, and openOffline's request blocking stops it, tested below)
  function unsanitised(keepCsp: boolean, refresh = false): string {
    let page = fs.readFileSync(html, "utf8");
    if (!keepCsp) page = page.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, "");
    let raw = MARKDOWN + (hostileNotebook() as any).cells[1].outputs[0].data["text/html"];
    if (!refresh) raw = raw.replace(/<meta http-equiv="refresh"[^>]*>/, "");
    const file = path.join(dir, `${keepCsp ? "csp-only" : "control"}${refresh ? "-refresh" : ""}.html`);
    fs.writeFileSync(file, page.replace(/<main>/, () => `<main>${raw}`));
    return file;
  }

  /** Opens a file with no request blocking (the CSP alone must hold), waiting for frames to load. */
  async function openUnguarded(file: string) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const dialogs: string[] = [];
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss().catch(() => undefined);
    });
    await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
    await page.waitForTimeout(500);
    return { page, context, dialogs };
  }

  it("control: the same markup without sanitiser and CSP runs its scripts and shows the file (the probes can fail)", async () => {
    const { page, context } = await openUnguarded(unsanitised(false));
    try {
      const p = await probe(page);
      expect(p.pwned).not.toBeNull();
      expect(p.frames).toBeGreaterThan(0);
      expect(p.frameTexts.join("\n")).toContain(SECRET);
    } finally {
      await context.close();
    }
  }, 60_000);

  it("the Content-Security-Policy alone: unsanitised markup in the page runs nothing and loads no local file", async () => {
    const { page, context, dialogs } = await openUnguarded(unsanitised(true));
    try {
      const p = await probe(page);
      expect(p.pwned).toBeNull();
      expect(p.frameTexts.join("\n")).not.toContain(SECRET);
      expect(p.text).not.toContain(SECRET);
      expect(dialogs).toEqual([]);
      expect(p.frames).toBeGreaterThan(0); // the elements are there: it is the policy that stops them
    } finally {
      await context.close();
    }
  }, 60_000);

  it("openOffline's request blocking alone: a page without CSP asking for a local file (frames, refresh) gets nothing", async () => {
    const { page, context, blocked } = await openOffline(browser, unsanitised(false, true));
    try {
      await page.waitForTimeout(1000);
      const p = await probe(page);
      expect(p.frameTexts.join("\n")).not.toContain(SECRET);
      expect(p.text).not.toContain(SECRET); // the meta refresh did not take the page to the file
      expect(blocked.some((u: string) => u.startsWith(secretURL))).toBe(true);
    } finally {
      await context.close();
    }
  }, 60_000);
});
