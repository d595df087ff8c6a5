/**
 * Every course notebook in a real JupyterLab: run all cells, no errors, every plotly output drawn,
 * saved, reopened untrusted and still drawn; one screenshot each in screenshots/notebooks/.
 *
 * Expected charts are counted from the SAVED FILE on disk (outputs whose data holds
 * application/vnd.plotly.v1+json), independently of the DOM; drawn charts are counted in the DOM
 * (.js-plotly-plot holding an svg.main-svg inside a plotly mime output). The two must be equal.
 */
import * as path from 'path';
import {
  SCREENSHOTS,
  SERVER_ROOT,
  codeCellCount,
  courseNotebooks,
  drawnPlots,
  errorsOf,
  expect,
  expectAllDrawn,
  hoverHeatmap,
  openNotebook,
  plotlyFiguresOf,
  plotlyOutputs,
  readNotebook,
  runAll,
  saveNotebook,
  screenshotNotebook,
  scrollThrough,
  test,
  writeUntrustedCopy
} from './helpers';

const notebooks = courseNotebooks();

test.describe('course notebooks in JupyterLab', () => {
  test('there is at least one notebook to test', () => {
    expect(notebooks.length, 'notebooks/*.ipynb').toBeGreaterThan(0);
  });

  for (const name of notebooks) {
    test(`${name}: runs, draws its charts, still draws them untrusted`, async ({ page, dialogs }) => {
      const rel = `notebooks/${name}`;
      const onDisk = path.join(SERVER_ROOT, rel);
      const codeCells = codeCellCount(readNotebook(onDisk));

      await openNotebook(page, rel);
      const t0 = Date.now();
      await runAll(page, 3 * 60_000);
      const runSeconds = (Date.now() - t0) / 1000;
      await saveNotebook(page);

      const saved = readNotebook(onDisk);
      expect(errorsOf(saved), 'error / stderr outputs').toEqual([]);
      const unexecuted = saved.cells.filter(
        c => c.cell_type === 'code' && [c.source].flat().join('').trim() !== '' && (c as any).execution_count == null
      ).length;
      expect(unexecuted, `code cells left unexecuted (of ${codeCells})`).toBe(0);

      const expected = plotlyFiguresOf(saved).length;
      test.info().annotations.push({
        type: 'notebook',
        description: `${codeCells} code cells, ran in ${runSeconds.toFixed(1)} s, ${expected} plotly outputs`
      });
      // A course notebook whose code calls show()/plot builders must produce charts.
      const source = saved.cells.map(c => [c.source].flat().join('')).join('\n');
      if (/\bshow\s*\(|\bplot[A-Z]\w*\s*\(|vnd\.plotly/.test(source)) {
        expect(expected, 'plotly outputs of a notebook that charts something').toBeGreaterThan(0);
      }
      await scrollThrough(page);
      await expect(plotlyOutputs(page)).toHaveCount(expected);
      await scrollThrough(page);
      await expectAllDrawn(page, expected);
      // One hover label: the first attention heatmap (token labels on both axes, weights in [0, 1]).
      const figures = plotlyFiguresOf(saved);
      const k = figures.findIndex(f => _isAttentionHeatmap(f.data[0]));
      if (k >= 0) {
        // Try a few points of the first subplot (a cell may be masked / have no hover); the label must name the
        // cell under the mouse: its query token, key token and weight, read from the saved figure's data.
        let text = '';
        let want: { query: string; key: string; weight: number } | null = null;
        // Fractions off any cell boundary for the sizes we draw (0.5 is the edge between two rows of an even-length axis).
        for (const [fx, fy] of [[0.53, 0.47], [0.13, 0.11], [0.11, 0.89], [0.89, 0.87], [0.31, 0.63]]) {
          text = await hoverHeatmap(page, drawnPlots(page).nth(k), fx, fy).catch(() => '');
          if (!text) continue;
          want = await _cellUnderMouse(page, drawnPlots(page).nth(k), figures[k], fx, fy);
          break;
        }
        expect(want, `no hover label on the first subplot of chart ${k + 1}`).not.toBeNull();
        expect(_hoverNamesCell(text, want!), `hover text "${text}" names the cell under the mouse ${JSON.stringify(want)}`).toBe(true);
        test.info().annotations.push({ type: 'hover', description: text });
      }
      await screenshotNotebook(page, path.join(SCREENSHOTS, name.replace(/\.ipynb$/, '.png')));
      // One picture per chart too (the whole-notebook picture is too tall to read the charts in).
      const stem = name.replace(/\.ipynb$/, '');
      // A tall viewport, so charts taller than the window are captured whole (not stitched).
      const vp = page.viewportSize() ?? { width: 1280, height: 900 };
      await page.setViewportSize({ width: vp.width, height: 3000 });
      for (let i = 0; i < expected; i++) {
        const plot = drawnPlots(page).nth(i);
        await plot.scrollIntoViewIfNeeded();
        await plot.screenshot({ path: path.join(SCREENSHOTS, stem, `plot-${String(i + 1).padStart(2, '0')}.png`) });
      }
      await page.setViewportSize(vp);

      // Reopen untrusted: a copy whose signature the server's empty notary has never seen.
      expect(await page.notebook.close(true)).toBe(true);
      const copy = writeUntrustedCopy(onDisk);
      const copyRel = path.relative(SERVER_ROOT, copy);
      await openNotebook(page, copyRel);
      if (expected > 0) {
        await expect(
          page.locator('#jp-main-statusbar [data-icon="ui-components:not-trusted"]'),
          'the copy opens untrusted'
        ).toHaveCount(1);
        const trusted = await page.evaluate(() => {
          const cells = (window as any).jupyterapp.shell.currentWidget.content.model.cells;
          return [...cells].filter((c: any) => c.type === 'code' && c.outputs.length > 0 && c.trusted).length;
        });
        expect(trusted, 'trusted code cells in the untrusted copy').toBe(0);
      }
      await scrollThrough(page);
      // jupyterlab-plotly stores a PNG snapshot next to the figure when a plot is drawn, and on reopening shows that
      // snapshot (img.plot-img) until the mouse enters it. A PNG is not a drawn chart (a blank one would pass): make
      // every snapshot live as a reader's mouse would, then require every figure's data drawn from the saved JSON.
      await expect(plotlyOutputs(page)).toHaveCount(expected, { timeout: 60_000 });
      const snapshots = await page.evaluate(() => {
        const imgs = Array.from(document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-RenderedPlotly img.plot-img'));
        const shown = imgs.filter(i => (i as HTMLElement).style.display !== 'none' && (i as HTMLImageElement).src.startsWith('data:image/png'));
        for (const i of shown) i.dispatchEvent(new MouseEvent('mouseenter'));
        return shown.length;
      });
      await scrollThrough(page);
      await expectAllDrawn(page, expected);
      test.info().annotations.push({ type: 'untrusted', description: `${snapshots} PNG snapshots made live; ${expected} plots drawn` });
      await screenshotNotebook(page, path.join(SCREENSHOTS, name.replace(/\.ipynb$/, '.untrusted.png')));
      expect(dialogs, 'JS dialogs').toEqual([]);
    });
  }
});

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
 * The cell under the mouse at fractions (fx, fy) of the first subplot's drag area, read from the SAVED figure: the
 * visible heatmap on axes x/y, the column and row that plotly's own axis mapping (p2c) puts under those pixels.
 */
async function _cellUnderMouse(
  page: any,
  plot: ReturnType<typeof drawnPlots>,
  figure: { data: any[] },
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
  void figure; // the saved figure chose which chart to hover; its live state names the cell
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
