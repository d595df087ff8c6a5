/**
 * Every course notebook in a real JupyterLab, every chart drawn (its data, scripts/drawn.mjs), the hover label naming
 * the cell under the mouse, all of it in a notebook JupyterLab does not trust. Two ways to get there:
 *
 * - LIVE (most notebooks): Run All in JupyterLab with the tslab kernel, no error, every code cell executed, saved,
 *   every chart drawn and hovered; then the saved file reopened as an untrusted copy, each of jupyterlab-plotly's
 *   saved PNG snapshots made live, every chart drawn again from its saved JSON.
 * - EXECUTED (the slow ones, FROM_EXECUTED): the copy the notebook stage executed with the same tslab kernel
 *   (nbclient, build/executed/; test/notebooks checks it ran clean and every show( made a chart) opened in
 *   JupyterLab, untrusted as nbclient writes it, every chart drawn from its JSON and hovered. Running them again here
 *   would prove only that the kernel runs them a second time (docs/testing.md). A copy that is missing, older than
 *   the notebook or dist/, or not a clean run, is not used: that notebook runs LIVE.
 *
 * Expected charts are counted from the file on disk (outputs whose data holds application/vnd.plotly.v1+json),
 * independently of the DOM. Screenshots (screenshots/notebooks/) only with MHA_BROWSER_SCREENSHOTS=1.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { IJupyterLabPageFixture } from '@jupyterlab/galata';
import {
  EXECUTED,
  FROM_EXECUTED,
  SCREENSHOTS,
  SERVER_ROOT,
  codeCellCount,
  courseNotebooks,
  drawnPlots,
  errorsOf,
  executedCopyProblem,
  expect,
  expectAllDrawn,
  hoverHeatmap,
  makeSnapshotsLive,
  openNotebook,
  plotlyFiguresOf,
  plotlyOutputs,
  readNotebook,
  runAll,
  saveNotebook,
  screenshotCharts,
  screenshotNotebook,
  scrollThrough,
  test,
  writeUntrustedCopy,
  type Nb
} from './helpers';

const notebooks = courseNotebooks();

test.describe('course notebooks in JupyterLab', () => {
  test('there is at least one notebook to test', () => {
    expect(notebooks.length, 'notebooks/*.ipynb').toBeGreaterThan(0);
  });

  test('the kernel-to-JupyterLab path stays proven: most notebooks run live, every FROM_EXECUTED name is a notebook', () => {
    const stems = notebooks.map(n => n.replace(/\.ipynb$/, ''));
    expect(FROM_EXECUTED.filter(s => !stems.includes(s)), 'FROM_EXECUTED names without a notebook').toEqual([]);
    expect(stems.length - FROM_EXECUTED.length, 'notebooks run live in JupyterLab').toBeGreaterThanOrEqual(8);
  });

  test('an executed copy stands for a run only when it is there, current, by the TypeScript kernel and clean', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mha-executed-'));
    const name = notebooks[0];
    const clean = readNotebook(path.join(SERVER_ROOT, 'notebooks', name));
    (clean.metadata as any).language_info = { name: 'typescript' };
    clean.cells.forEach((c, i) => c.cell_type === 'code' && ((c as any).execution_count = i + 1));
    const write = (nb: Nb) => fs.writeFileSync(path.join(dir, name), JSON.stringify(nb));
    expect(executedCopyProblem(name, dir)).toMatch(/^no .*run the notebook stage first/);
    write(clean);
    expect(executedCopyProblem(name, dir)).toBeNull();
    fs.utimesSync(path.join(dir, name), new Date(0), new Date(0));
    expect(executedCopyProblem(name, dir)).toBe('the executed copy is older than the notebook');
    const failed = JSON.parse(JSON.stringify(clean)) as Nb;
    failed.cells.find(c => c.cell_type === 'code')!.outputs = [{ output_type: 'error', ename: 'Error', evalue: 'boom' }];
    write(failed);
    expect(executedCopyProblem(name, dir)).toBe('the executed copy has errors: Error: boom');
    const unrun = JSON.parse(JSON.stringify(clean)) as Nb;
    unrun.cells.forEach(c => ((c as any).execution_count = null));
    write(unrun);
    expect(executedCopyProblem(name, dir)).toMatch(/^the executed copy has \d+ code cells never executed$/);
    write({ ...clean, metadata: {} });
    expect(executedCopyProblem(name, dir)).toBe('the executed copy was not run by the TypeScript kernel');
  });

  for (const name of notebooks) {
    const stem = name.replace(/\.ipynb$/, '');
    // One title for both ways (a title decided while listing could differ in the worker: dist/ may be rebuilt).
    test(`${name}: runs, draws its charts, still draws them untrusted`, async ({ page, dialogs }) => {
      const lap = _laps();
      const problem = FROM_EXECUTED.includes(stem) ? executedCopyProblem(name) : 'live';
      if (problem === null) {
        const copy = writeUntrustedCopy(path.join(EXECUTED, name), path.join(SERVER_ROOT, 'notebooks', `${stem}.executed.ipynb`));
        const nb = readNotebook(copy);
        expect(errorsOf(nb), 'error / stderr outputs in the executed copy').toEqual([]);
        await openNotebook(page, path.relative(SERVER_ROOT, copy));
        lap('open');
        await _expectUntrusted(page, nb);
        await _expectDrawnAndHover(page, nb, name, lap);
        expect(dialogs, 'JS dialogs').toEqual([]);
        _annotate(nb, `the notebook stage's executed copy (${path.relative(SERVER_ROOT, copy)}), untrusted`, lap);
        return;
      }
      if (problem !== 'live') test.info().annotations.push({ type: 'live', description: `not from build/executed/: ${problem}` });
      const rel = `notebooks/${name}`;
      const onDisk = path.join(SERVER_ROOT, rel);
      const codeCells = codeCellCount(readNotebook(onDisk));

      await openNotebook(page, rel);
      lap('open');
      const t0 = Date.now();
      await runAll(page, 3 * 60_000);
      const runSeconds = (Date.now() - t0) / 1000;
      lap('run');
      await saveNotebook(page);
      lap('save');

      const saved = readNotebook(onDisk);
      expect(errorsOf(saved), 'error / stderr outputs').toEqual([]);
      const unexecuted = saved.cells.filter(
        c => c.cell_type === 'code' && [c.source].flat().join('').trim() !== '' && (c as any).execution_count == null
      ).length;
      expect(unexecuted, `code cells left unexecuted (of ${codeCells})`).toBe(0);
      test.info().annotations.push({ type: 'notebook', description: `${codeCells} code cells, ran in ${runSeconds.toFixed(1)} s` });
      await _expectDrawnAndHover(page, saved, name, lap);

      // Reopen untrusted: a copy whose signature the server's empty notary has never seen.
      expect(await page.notebook.close(true)).toBe(true);
      const copy = writeUntrustedCopy(onDisk);
      await openNotebook(page, path.relative(SERVER_ROOT, copy));
      lap('reopen');
      await _expectUntrusted(page, saved);
      // jupyterlab-plotly stores a PNG snapshot next to the figure when a plot is drawn, and on reopening shows that
      // snapshot (img.plot-img) until the mouse enters it. A PNG is not a drawn chart (a blank one would pass): make
      // every snapshot live as a reader's mouse would, then require every figure's data drawn from the saved JSON.
      const expected = plotlyFiguresOf(saved).length;
      await scrollThrough(page);
      await expect(plotlyOutputs(page)).toHaveCount(expected, { timeout: 60_000 });
      const snapshots = await makeSnapshotsLive(page);
      await expectAllDrawn(page, expected);
      lap('untrusted drawn');
      test.info().annotations.push({ type: 'untrusted', description: `${snapshots} PNG snapshots made live; ${expected} plots drawn` });
      await screenshotNotebook(page, path.join(SCREENSHOTS, `${stem}.untrusted.png`));
      expect(dialogs, 'JS dialogs').toEqual([]);
      _annotate(saved, 'run live in JupyterLab', lap);
    });
  }
});

/** A stopwatch for the annotations: lap(name) records the seconds since the last lap. */
function _laps(): ((name: string) => void) & { text: () => string } {
  const laps: string[] = [];
  let t = Date.now();
  const lap = (name: string) => {
    laps.push(`${name} ${((Date.now() - t) / 1000).toFixed(1)} s`);
    t = Date.now();
  };
  return Object.assign(lap, { text: () => laps.join(', ') });
}

function _annotate(nb: Nb, how: string, lap: ReturnType<typeof _laps>): void {
  test.info().annotations.push({ type: 'source', description: `${how}: ${plotlyFiguresOf(nb).length} plotly outputs` });
  test.info().annotations.push({ type: 'phases', description: lap.text() });
}

/** The open notebook is untrusted (status bar) and none of its code cells with outputs is trusted. */
async function _expectUntrusted(page: IJupyterLabPageFixture, nb: Nb): Promise<void> {
  if (plotlyFiguresOf(nb).length === 0) return;
  await expect(page.locator('#jp-main-statusbar [data-icon="ui-components:not-trusted"]'), 'the notebook opens untrusted').toHaveCount(1);
  const trusted = await page.evaluate(() => {
    const cells = (window as any).jupyterapp.shell.currentWidget.content.model.cells;
    return [...cells].filter((c: any) => c.type === 'code' && c.outputs.length > 0 && c.trusted).length;
  });
  expect(trusted, 'trusted code cells in an untrusted notebook').toBe(0);
}

/**
 * Every plotly output of `nb` (the file the open notebook shows) is in the page and has drawn its data; the first
 * attention heatmap's hover label names the cell under the mouse; per-chart screenshots when asked for.
 */
async function _expectDrawnAndHover(page: IJupyterLabPageFixture, nb: Nb, name: string, lap: ReturnType<typeof _laps>): Promise<void> {
  const figures = plotlyFiguresOf(nb);
  const expected = figures.length;
  // A course notebook whose code calls show()/plot builders must produce charts.
  const source = nb.cells.map(c => [c.source].flat().join('')).join('\n');
  if (/\bshow\s*\(|\bplot[A-Z]\w*\s*\(|vnd\.plotly/.test(source)) {
    expect(expected, 'plotly outputs of a notebook that charts something').toBeGreaterThan(0);
  }
  // One pass top to bottom, as a reader scrolls: JupyterLab renders the outputs of cells that come into view.
  await scrollThrough(page);
  await expect(plotlyOutputs(page)).toHaveCount(expected);
  await expectAllDrawn(page, expected);
  lap('drawn');
  // One hover label: the first attention heatmap (token labels on both axes, weights in [0, 1]).
  const k = figures.findIndex(f => _isAttentionHeatmap(f.data[0]));
  if (k >= 0) {
    // Try a few points of the first subplot (a cell may be masked / have no hover); the label must name the
    // cell under the mouse: its query token, key token and weight, read from the figure as the page holds it.
    let text = '';
    let want: { query: string; key: string; weight: number } | null = null;
    // Fractions off any cell boundary for the sizes we draw (0.5 is the edge between two rows of an even-length axis).
    for (const [fx, fy] of [[0.53, 0.47], [0.13, 0.11], [0.11, 0.89], [0.89, 0.87], [0.31, 0.63]]) {
      text = await hoverHeatmap(page, drawnPlots(page).nth(k), fx, fy).catch(() => '');
      if (!text) continue;
      want = await _cellUnderMouse(page, drawnPlots(page).nth(k), fx, fy);
      break;
    }
    expect(want, `no hover label on the first subplot of chart ${k + 1}`).not.toBeNull();
    expect(_hoverNamesCell(text, want!), `hover text "${text}" names the cell under the mouse ${JSON.stringify(want)}`).toBe(true);
    test.info().annotations.push({ type: 'hover', description: text });
    lap('hover');
  }
  const stem = name.replace(/\.ipynb$/, '');
  await screenshotNotebook(page, path.join(SCREENSHOTS, `${stem}.png`));
  await screenshotCharts(page, path.join(SCREENSHOTS, stem), expected);
}

/** A heatmap trace of attention weights (all in [0, 1]) whose cells name their tokens: string x/y labels, or
 * customdata [query, key, …] per cell. */
function _isAttentionHeatmap(trace: any): boolean {
  if (!trace || trace.type !== 'heatmap') return false;
  // a mask (true/false per cell, "mask:" in its hover) is not attention weights, though its z is 0/1
  if (typeof trace.hovertemplate === 'string' && !/weight/.test(trace.hovertemplate)) return false;
  const z: unknown[] = Array.isArray(trace.z) ? trace.z.flat() : [];
  if (!(z.length > 0 && z.every(w => w === null || (typeof w === 'number' && w >= 0 && w <= 1)))) return false;
  if (Array.isArray(trace.x) && Array.isArray(trace.y)) return [...trace.x, ...trace.y].every((t: unknown) => typeof t === 'string');
  const cd = trace.customdata?.[0]?.[0];
  return Array.isArray(cd) && typeof cd[0] === 'string' && typeof cd[1] === 'string' && /query/.test(trace.hovertemplate ?? '');
}

/**
 * The cell under the mouse at fractions (fx, fy) of the first subplot's drag area, read from the figure as the page
 * holds it (a slider step may have restyled z since it was saved): the visible heatmap on axes x/y, the column and row that plotly's own axis mapping (p2c) puts under those pixels.
 */
async function _cellUnderMouse(
  page: any,
  plot: ReturnType<typeof drawnPlots>,
  fx: number,
  fy: number
): Promise<{ query: string; key: string; weight: number } | null> {
  const box = (await plot.locator('.draglayer .xy .nsewdrag').first().boundingBox())!;
  // Read from the figure as the page holds it now (gd.data): a slider step may have restyled z since it was saved.
  const t = await plot.evaluate(
    (gd: any, [px, py]: number[]) => {
      const xa = gd._fullLayout.xaxis;
      const ya = gd._fullLayout.yaxis;
      const full = gd._fullData.find((d: any) => d.type === 'heatmap' && d.visible === true && d.xaxis === 'x' && d.yaxis === 'y');
      if (!full) return null;
      const d = gd.data[full.index];
      return { col: Math.round(xa.p2c(px)), row: Math.round(ya.p2c(py)), z: d.z, x: d.x, y: d.y, customdata: d.customdata };
    },
    [box.width * fx, box.height * fy]
  );
  if (!t) return null;
  const { col, row } = t;
  const weight = t.z?.[row]?.[col];
  if (typeof weight !== 'number') return null;
  // token labels: the trace's own x/y (explorer), or customdata[row][col] = [query, key, …] (the panel figures)
  if (Array.isArray(t.x) && Array.isArray(t.y)) return { query: String(t.y[row]), key: String(t.x[col]), weight };
  const cd = t.customdata?.[row]?.[col];
  return Array.isArray(cd) ? { query: String(cd[0]), key: String(cd[1]), weight } : null;
}

/** True if the hover text names this cell: its query token, its key token and its weight (to 2, 3 or 4 places). */
function _hoverNamesCell(text: string, cell: { query: string; key: string; weight: number }): boolean {
  // Axis labels are escaped for plotly (&lt; …) and may be shortened with "…"; hover shows them decoded.
  const plain = (s: string) =>
    s.replace(/…$/, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#36;/g, '$').replace(/&#34;/g, '"').replace(/&#39;/g, "'").replace(/&#37;/g, '%').replace(/&amp;/g, '&');
  // "query: q … key: k … weight: w" (panel figures) or "query q → key k … weight w" (explorer), in that order
  const q = text.indexOf(`query${text.includes('query:') ? ':' : ''} ${plain(cell.query)}`);
  const k = text.indexOf(`key${text.includes('key:') ? ':' : ''} ${plain(cell.key)}`, q + 1);
  return q >= 0 && k > q && [2, 3, 4].some(d => text.indexOf(cell.weight.toFixed(d), k) > k);
}
