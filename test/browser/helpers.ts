/**
 * Shared helpers for the browser tests (Galata + Playwright + Debian Chromium).
 *
 * The server (test/browser/serve.sh) serves build/browser-root/ with notebooks/ and fixtures/
 * copied in, so the tests may write next to the copies without touching committed files.
 */
import * as fs from 'fs';
import * as path from 'path';
import { expect, test as galataTest } from '@jupyterlab/galata';
import type { IJupyterLabPageFixture } from '@jupyterlab/galata';
import { drawnReport } from '../../scripts/drawn.mjs';

export { expect };

export const REPO = path.resolve(__dirname, '../..');
/** The server's root dir on disk (see serve.sh). */
export const SERVER_ROOT = path.join(REPO, 'build/browser-root');
export const SCREENSHOTS = path.join(REPO, 'screenshots/notebooks');
/** Screenshots are pictures for a person, not checks: taken only with MHA_BROWSER_SCREENSHOTS=1 (they cost ~10 s a
 * notebook: a viewport up to 14,000 px tall, one PNG per chart). Playwright keeps a trace of any failed test. */
export const TAKE_SCREENSHOTS = process.env.MHA_BROWSER_SCREENSHOTS === '1';
/** Where the notebook stage (test/notebooks/nbrun.py) writes each notebook as the tslab kernel executed it. */
export const EXECUTED = path.join(REPO, 'build/executed');
/**
 * Notebooks the browser opens from their executed copy instead of running them again in JupyterLab: the slow ones
 * (training, MiniLM over a corpus, the chat model; 20-40 s of kernel time each). The rest run live, so the
 * kernel -> JupyterLab -> save -> untrusted reopen path stays proven on most of the course.
 */
export const FROM_EXECUTED_DEFAULT = ['10-heads-learn', '10b-induction-heads', '11-how-many-heads', '11b-encoder-decoder', '13b-heads-and-syntax', '13c-inside-a-chat-model'];
/** FROM_EXECUTED_DEFAULT, or the names in MHA_BROWSER_FROM_EXECUTED ("04-many-heads,12-real-heads"; "" runs all live). */
export const FROM_EXECUTED =
  process.env.MHA_BROWSER_FROM_EXECUTED === undefined ? FROM_EXECUTED_DEFAULT : process.env.MHA_BROWSER_FROM_EXECUTED.split(',').map(s => s.trim()).filter(Boolean);
export const PLOTLY_MIME = 'application/vnd.plotly.v1+json';

/** A notebook output as nbformat stores it (only the fields we read). */
export interface NbOutput {
  output_type: string;
  name?: string;
  text?: string | string[];
  ename?: string;
  evalue?: string;
  data?: Record<string, unknown>;
}
export interface NbCell {
  cell_type: string;
  source: string | string[];
  outputs?: NbOutput[];
}
export interface Nb {
  cells: NbCell[];
  metadata: Record<string, unknown>;
  nbformat: number;
  nbformat_minor: number;
}

function _isLocal(url: URL): boolean {
  if (['data:', 'blob:', 'about:'].includes(url.protocol)) return true;
  return url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
}

/**
 * Galata's test, plus two automatic fixtures set up on the browser context before the page loads:
 * - `externalRequests`: every non-localhost request is aborted and recorded; the test fails if any happened.
 * - `dialogs`: every JS dialog (alert/confirm/prompt) is dismissed and recorded.
 */
export const test = galataTest.extend<{ externalRequests: string[]; dialogs: string[] }>({
  externalRequests: [
    async ({ context }, use) => {
      const seen: string[] = [];
      context.on('request', req => {
        if (!_isLocal(new URL(req.url()))) seen.push(`${req.method()} ${req.url()}`);
      });
      await context.route(
        url => !_isLocal(url),
        route => route.abort('blockedbyclient')
      );
      await use(seen);
      expect(seen, 'requests that left localhost').toEqual([]);
    },
    { auto: true }
  ],
  dialogs: [
    async ({ context }, use) => {
      const seen: string[] = [];
      context.on('dialog', dialog => {
        seen.push(`${dialog.type()}: ${dialog.message()}`);
        void dialog.dismiss().catch(() => undefined);
      });
      await use(seen);
    },
    { auto: true }
  ]
});

/** Notebooks of the course, found at run time (whatever notebooks/*.ipynb exist). */
export function courseNotebooks(): string[] {
  const dir = path.join(REPO, 'notebooks');
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter(f => f.endsWith('.ipynb'))
    .sort();
}

export function readNotebook(file: string): Nb {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Nb;
}

function _text(t: string | string[] | undefined): string {
  return Array.isArray(t) ? t.join('') : (t ?? '');
}

/** All outputs of a saved notebook, in order. */
export function outputsOf(nb: Nb): NbOutput[] {
  return nb.cells.flatMap(c => (c.cell_type === 'code' ? (c.outputs ?? []) : []));
}

/** Error outputs and stderr streams (tslab reports compile diagnostics as errors), as text. */
export function errorsOf(nb: Nb): string[] {
  return outputsOf(nb)
    .filter(o => o.output_type === 'error' || (o.output_type === 'stream' && o.name === 'stderr'))
    .map(o => (o.output_type === 'error' ? `${o.ename}: ${o.evalue}` : `stderr: ${_text(o.text)}`));
}

/** The plotly figures (application/vnd.plotly.v1+json) the notebook's outputs hold, in order. */
export function plotlyFiguresOf(nb: Nb): Array<{ data: any[]; layout: any }> {
  return outputsOf(nb)
    .filter(o => o.data !== undefined && PLOTLY_MIME in o.data)
    .map(o => o.data![PLOTLY_MIME] as { data: any[]; layout: any });
}

/**
 * Why build/executed/<name> cannot stand for a run of the notebook, or null when it can: it exists, is newer than
 * the notebook and than dist/ (the code it ran), was executed by the TypeScript kernel, has a count on every code
 * cell, and no error or stderr output.
 */
export function executedCopyProblem(name: string, dir = EXECUTED): string | null {
  const copy = path.join(dir, name);
  if (!fs.existsSync(copy)) return `no ${path.relative(REPO, copy)} (run the notebook stage first)`;
  const mtime = fs.statSync(copy).mtimeMs;
  if (mtime < fs.statSync(path.join(REPO, 'notebooks', name)).mtimeMs) return 'the executed copy is older than the notebook';
  const dist = path.join(REPO, 'dist', 'index.js');
  if (fs.existsSync(dist) && mtime < fs.statSync(dist).mtimeMs) return 'the executed copy is older than dist/';
  const nb = readNotebook(copy);
  if ((nb.metadata as any).language_info?.name !== 'typescript') return 'the executed copy was not run by the TypeScript kernel';
  const unexecuted = nb.cells.filter(c => c.cell_type === 'code' && _text(c.source).trim() !== '' && (c as any).execution_count == null);
  if (unexecuted.length) return `the executed copy has ${unexecuted.length} code cells never executed`;
  const errors = errorsOf(nb);
  if (errors.length) return `the executed copy has errors: ${errors[0].slice(0, 200)}`;
  return null;
}

/** Code cells with non-empty source. */
export function codeCellCount(nb: Nb): number {
  return nb.cells.filter(c => c.cell_type === 'code' && _text(c.source).trim() !== '').length;
}

/**
 * Opens a notebook by its path relative to the server root and waits for its panel.
 * Uses the docmanager:open command, not the file browser: Galata's per-test folders are named
 * after the spec ("notebooks-…"), which makes its file-browser path lookup ambiguous.
 */
export async function openNotebook(page: IJupyterLabPageFixture, relPath: string): Promise<void> {
  await page.evaluate(async p => {
    await (window as any).jupyterapp.commands.execute('docmanager:open', { path: p, factory: 'Notebook' });
  }, relPath);
  const name = path.basename(relPath);
  await expect.poll(() => page.notebook.isOpen(name), { message: `open ${relPath}` }).toBe(true);
  expect(await page.notebook.activate(name)).toBe(true);
  await expect(page.locator('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook')).toBeVisible();
}

/**
 * Runs all cells of the active notebook (Run > Run All Cells) and waits until it has finished.
 * Unlike Galata's notebook.run(), it also returns when a cell fails: Run All then stops and later
 * cells never get an execution count. tslab reports compile diagnostics on stderr (no `error`
 * output), so "finished" is: kernel idle, no cell queued or running, and either every code cell
 * executed or that state unchanged for 3 s.
 */
export async function runAll(page: IJupyterLabPageFixture, timeout: number): Promise<void> {
  // The kernel ignores execute requests sent before it has started (jupyterlab#15420).
  await page.waitForFunction(
    () => {
      const text = document.querySelector('#jp-main-statusbar')?.textContent ?? '';
      return text.includes('Idle') && !['Connecting', 'Initializing', 'Starting'].some(s => text.includes(s));
    },
    undefined,
    { timeout: 60_000 }
  );
  await page.menu.clickMenuItem('Run>Run All Cells');
  const deadline = Date.now() + timeout;
  let last = '';
  let since = Date.now();
  for (;;) {
    const state = await page.evaluate(() => {
      const panel = (window as any).jupyterapp.shell.currentWidget;
      const cells = panel?.content?.model?.cells;
      if (!cells) return { done: false, key: 'no notebook' };
      let pending = 0;
      let executed = 0;
      for (const cell of cells) {
        if (cell.type !== 'code' || cell.sharedModel.getSource().trim() === '') continue;
        if (cell.executionState === 'running') return { done: false, key: 'running' };
        if (cell.executionCount === null) pending++;
        else executed++;
      }
      const queued = Array.from(document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-InputPrompt')).some(p =>
        (p.textContent ?? '').includes('*')
      );
      const idle = (document.querySelector('#jp-main-statusbar')?.textContent ?? '').includes('Idle');
      return { done: idle && !queued && pending === 0, key: `${idle} ${queued} ${pending} ${executed}` };
    });
    if (state.done) return;
    if (state.key !== last) {
      last = state.key;
      since = Date.now();
    } else if (/^true false [1-9]\d* [1-9]/.test(state.key) && Date.now() - since > 3000) {
      return; // stopped early (a failing cell); the caller's error check reports it
    }
    if (Date.now() > deadline) throw new Error(`runAll: not finished after ${timeout} ms (state ${state.key})`);
    await page.waitForTimeout(250);
  }
}

/** Saves the active notebook and waits for the file on disk to carry the outputs. */
export async function saveNotebook(page: IJupyterLabPageFixture): Promise<void> {
  expect(await page.notebook.save()).toBe(true);
  await expect(page.locator('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-mod-dirty')).toHaveCount(0);
}

/** CSS selector of the plotly graph divs in the visible notebook: jupyterlab-plotly's output node is itself the plot
 * (div.jp-OutputArea-output.jp-RenderedPlotly.js-plotly-plot, no data-mime-type attribute). */
export const PLOT_SELECTOR = '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-RenderedPlotly.js-plotly-plot';

/**
 * Locator of the plotly plots with a frame (svg.main-svg) in the visible notebook, to hover or screenshot one.
 * A frame is not a drawn chart: count drawn charts with drawnCount / expectAllDrawn.
 */
export function drawnPlots(page: IJupyterLabPageFixture) {
  return page.locator(`${PLOT_SELECTOR}:has(svg.main-svg)`);
}

/** The plots in the visible notebook whose data is drawn (scripts/drawn.mjs), and why the others are not. */
export async function drawnCount(page: IJupyterLabPageFixture): Promise<{ drawn: number; undrawn: string[] }> {
  const r = await page.evaluate(drawnReport, PLOT_SELECTOR);
  return { drawn: r.filter(x => x.drawn).length, undrawn: r.map((x, i) => (x.drawn ? '' : `plot ${i}: ${x.why}`)).filter(Boolean) };
}

/** Waits until exactly `expected` plots of the visible notebook have drawn their data (not only plotly's frame). */
export async function expectAllDrawn(page: IJupyterLabPageFixture, expected: number, timeout = 60_000): Promise<void> {
  let last = { drawn: -1, undrawn: [] as string[] };
  await expect
    .poll(async () => (last = await drawnCount(page)).drawn, { timeout, message: `plots that drew their data (${expected} expected)` })
    .toBe(expected)
    .catch(e => {
      throw new Error(`${(e as Error).message}\nnot drawn: ${last.undrawn.join('; ') || 'none'}`);
    });
}

/** Locator of all outputs rendered by jupyterlab-plotly's mime renderer (drawn or not). */
export function plotlyOutputs(page: IJupyterLabPageFixture) {
  return page.locator('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-RenderedPlotly');
}

/**
 * Scrolls the visible notebook from top to bottom, as a reader would, so JupyterLab's windowed
 * notebook attaches and renders every cell's outputs (off-screen outputs may not be rendered).
 */
export async function scrollThrough(page: IJupyterLabPageFixture): Promise<void> {
  for (let step = 0; step < 400; step++) {
    const atEnd = await page.evaluate(() => {
      const outer = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-outer');
      if (!outer) return true;
      const end = outer.scrollTop + outer.clientHeight >= outer.scrollHeight - 2;
      outer.scrollTop += outer.clientHeight * 0.8;
      return end;
    });
    await page.waitForTimeout(150);
    if (atEnd) return;
  }
}

/**
 * Screenshot of the whole notebook: the viewport is made as tall as the notebook's content
 * (capped), so every cell is laid out and drawn, then restored.
 */
export async function screenshotNotebook(page: IJupyterLabPageFixture, file: string): Promise<void> {
  if (!TAKE_SCREENSHOTS) return;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const before = page.viewportSize() ?? { width: 1280, height: 900 };
  const contentHeight = await page.evaluate(() => {
    const nb = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-outer');
    const inner = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-inner');
    return Math.max(nb?.scrollHeight ?? 0, inner?.scrollHeight ?? 0);
  });
  await page.evaluate(() => {
    const outer = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-outer');
    if (outer) outer.scrollTop = 0;
  });
  await page.mouse.move(0, 0); // no hover label left over in the picture
  const height = Math.min(Math.max(before.height, contentHeight + 120), 14_000);
  await page.setViewportSize({ width: before.width, height });
  await page.waitForTimeout(800); // let plotly's resize handlers settle
  await page.screenshot({ path: file });
  await page.setViewportSize(before);
}

/**
 * One screenshot per plotly chart of the visible notebook, whole (a viewport 3,000 px tall, so a chart taller than
 * the window is not stitched), as dir/plot-01.png …; only with MHA_BROWSER_SCREENSHOTS=1.
 */
export async function screenshotCharts(page: IJupyterLabPageFixture, dir: string, count: number): Promise<void> {
  if (!TAKE_SCREENSHOTS) return;
  const vp = page.viewportSize() ?? { width: 1280, height: 900 };
  await page.setViewportSize({ width: vp.width, height: 3000 });
  for (let i = 0; i < count; i++) {
    const plot = drawnPlots(page).nth(i);
    await plot.scrollIntoViewIfNeeded();
    await plot.screenshot({ path: path.join(dir, `plot-${String(i + 1).padStart(2, '0')}.png`) });
  }
  await page.setViewportSize(vp);
}

/**
 * Writes an untrusted copy of a notebook file (next to it as <name>.untrusted.ipynb, or to `to`): the same cells and
 * outputs, plus one metadata key, so its signature is one the server's (in-memory, empty) notary has never seen.
 */
export function writeUntrustedCopy(from: string, to = from.replace(/\.ipynb$/, '.untrusted.ipynb')): string {
  const nb = readNotebook(from);
  delete (nb.metadata as any).signature;
  nb.metadata.mha_lab_browser_test = 'untrusted copy written outside JupyterLab';
  fs.writeFileSync(to, JSON.stringify(nb, null, 1));
  return to;
}

/**
 * jupyterlab-plotly shows a reopened chart as its saved PNG snapshot (img.plot-img) until the mouse enters it: do
 * that for every snapshot shown in the visible notebook, as a reader's mouse would. Returns how many.
 */
export async function makeSnapshotsLive(page: IJupyterLabPageFixture): Promise<number> {
  return page.evaluate(() => {
    const imgs = Array.from(document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-RenderedPlotly img.plot-img'));
    const shown = imgs.filter(i => (i as HTMLElement).style.display !== 'none' && (i as HTMLImageElement).src.startsWith('data:image/png'));
    for (const i of shown) i.dispatchEvent(new MouseEvent('mouseenter'));
    return shown.length;
  });
}

/** The rendered text of the hover label after moving the mouse to page point (x, y) over a plot. */
export async function hoverAt(
  page: IJupyterLabPageFixture,
  plot: ReturnType<typeof drawnPlots>,
  x: number,
  y: number
): Promise<string> {
  await page.mouse.move(x - 3, y - 3);
  await page.mouse.move(x, y, { steps: 4 });
  const label = plot.locator('.hoverlayer .hovertext').first();
  await expect(label).toBeVisible({ timeout: 5_000 });
  return (await label.textContent()) ?? '';
}

/** The rendered text of the hover label after hovering a heatmap's first subplot at fractions (fx, fy). */
export async function hoverHeatmap(
  page: IJupyterLabPageFixture,
  plot: ReturnType<typeof drawnPlots>,
  fx: number,
  fy: number
): Promise<string> {
  await plot.scrollIntoViewIfNeeded();
  const box = await plot.locator('.draglayer .xy .nsewdrag').first().boundingBox();
  expect(box, 'heatmap drag layer').not.toBeNull();
  return hoverAt(page, plot, box!.x + box!.width * fx, box!.y + box!.height * fy);
}
