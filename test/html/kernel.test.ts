// End to end: show() inside the real tslab kernel sends only the plotly MIME type; nbconvert_plotly.py turns
// the executed notebook into an offline page that Chromium draws with the network blocked.
// Skipped when the runtime .venv (JupyterLab, nbconvert, tslab kernelspec) is not there.
import { describe, expect, it } from "vitest";
import { spawnAsync } from "../_spawn";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PLOTLY_MIME } from "../../src/notebook/show";
import { hasChromium, launch, openFile } from "./_browser";
import { EVIL_LINK, EVIL_SCRIPT } from "./_gallery";
import { waitAllDrawn } from "../../scripts/drawn.mjs";

const ROOT = path.join(__dirname, "..", "..");
const VENV = path.join(ROOT, ".venv");
const JUPYTER = path.join(VENV, "bin", "jupyter");
const KERNELS = path.join(VENV, "share", "jupyter");
const ready = fs.existsSync(JUPYTER) && fs.existsSync(path.join(KERNELS, "kernels", "tslab", "kernel.json")) && hasChromium;

describe.skipIf(!ready)("show() in the tslab kernel → nbconvert_plotly.py → Chromium", () => {
  it("three show() calls give three plotly-only outputs, drawn offline in the handout", async () => {
    // compile the package to a git-ignored folder inside the repo, so require("tslab") finds the kernel's own tslab
    const out = path.join(ROOT, "build", "charts-e2e");
    fs.rmSync(out, { recursive: true, force: true });
    await spawnAsync(process.execPath, [path.join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.build.json", "--outDir", out, "--declaration", "false", "--declarationMap", "false", "--sourceMap", "false"], { cwd: ROOT });
    expect(fs.existsSync(path.join(out, "notebook", "show.js"))).toBe(true);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mha-kernel-"));
    const cell = (source: string) => ({ cell_type: "code", execution_count: null, metadata: {}, source, outputs: [] });
    const nb = {
      nbformat: 4, nbformat_minor: 5,
      metadata: { kernelspec: { name: "tslab", display_name: "TypeScript", language: "typescript" } },
      cells: [
        cell(
          [
            `const { show } = require(${JSON.stringify(path.join(out, "notebook", "show.js"))});`,
            `const P = require(${JSON.stringify(path.join(out, "plots", "index.js"))});`,
            `const { MultiHeadAttention } = require(${JSON.stringify(path.join(out, "math", "multi-head.js"))});`,
            "const mha = MultiHeadAttention.random({ dModel: 8, numHeads: 2, seed: 0 });",
            "const x = [[1,0,0,0,0,0,0,1],[0,1,0,0,0,0,1,0],[0,0,1,0,0,1,0,0],[0,0,0,1,1,0,0,0]];",
            "const trace = mha.forward(x, { causal: true });",
            `const toks = ["the", "cat", ${JSON.stringify(EVIL_LINK)}, ${JSON.stringify(EVIL_SCRIPT)}];`,
          ].join("\n"),
        ),
        cell("show(P.plotHeads(trace, { queryTokens: toks, maxLabelChars: 48 }));"),
        cell("show(P.plotHeadStages(trace, { queryTokens: toks }));\nshow(P.plotDataFlow(trace));"),
      ],
    };
    const inFile = path.join(dir, "nb.ipynb");
    fs.writeFileSync(inFile, JSON.stringify(nb));
    const env = { ...process.env, JUPYTER_PATH: KERNELS, JUPYTER_PLATFORM_DIRS: "1", PATH: `${path.dirname(process.execPath)}:${process.env.PATH}` };
    const ex = await spawnAsync(JUPYTER, ["nbconvert", "--to", "notebook", "--execute", "--ExecutePreprocessor.timeout=120", inFile, "--output", "executed.ipynb"], { cwd: dir, env });
    expect(ex.status, ex.stderr).toBe(0);
    const executed = JSON.parse(fs.readFileSync(path.join(dir, "executed.ipynb"), "utf8"));
    const outputs = executed.cells.flatMap((c: { outputs: unknown[] }) => c.outputs) as Array<{ output_type: string; data: Record<string, any> }>;
    expect(outputs.length).toBe(3);
    for (const o of outputs) {
      expect(o.output_type).toBe("display_data");
      expect(Object.keys(o.data)).toEqual([PLOTLY_MIME]);
      expect(o.data[PLOTLY_MIME].layout.height).toBeGreaterThan(0);
    }
    const htmlFile = path.join(dir, "handout.html");
    const conv = await spawnAsync(path.join(VENV, "bin", "python"), [path.join(ROOT, "scripts", "nbconvert_plotly.py"), path.join(dir, "executed.ipynb"), "-o", htmlFile], { cwd: ROOT });
    expect(conv.status, conv.stderr).toBe(0);
    const browser = await launch();
    try {
      const { page, dialogs, blocked } = await openFile(browser, htmlFile);
      expect((await waitAllDrawn(page, { count: 3, timeout: 60_000 })).length).toBe(3); // drawn data, not plotly's empty frame
      const ticks = await page.$$eval(".js-plotly-plot .xtick text", (els) => els.slice(0, 4).map((e) => e.textContent));
      expect(ticks).toEqual(["the", "cat", EVIL_LINK, EVIL_SCRIPT]);
      expect(dialogs).toEqual([]);
      expect(blocked).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 240_000);
});
