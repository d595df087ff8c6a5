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
      await expect(drawnPlots(page)).toHaveCount(expected, { timeout: 60_000 });
      // One hover label: the first attention heatmap (token labels on both axes, weights in [0, 1]).
      const figures = plotlyFiguresOf(saved);
      const k = figures.findIndex(f => _isAttentionHeatmap(f.data[0]));
      if (k >= 0) {
        // Try a few points of the first subplot (a cell may be masked / have no hover).
        let text = '';
        for (const [fx, fy] of [[0.5, 0.5], [0.1, 0.1], [0.1, 0.9], [0.9, 0.9], [0.3, 0.6]]) {
          text = await hoverHeatmap(page, drawnPlots(page).nth(k), fx, fy).catch(() => '');
          if (text) break;
        }
        // The hovered panel may be any head's trace (an explorer figure shows one head of many at a time).
        const heatmaps = figures[k].data.filter((t: any) => _isAttentionHeatmap(t));
        expect(heatmaps.some((t: any) => _hoverNamesCell(text, t)), `hover text "${text}" names query token, key token, weight`).toBe(
          true
        );
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
      // jupyterlab-plotly stores a PNG snapshot next to the figure when a plot is drawn; in an
      // untrusted notebook it shows that snapshot (img.plot-img) instead of the live plot.
      const charts = page.locator(
        '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-RenderedPlotly:has(svg.main-svg), .jp-NotebookPanel:not(.lm-mod-hidden) .jp-RenderedPlotly:has(img.plot-img[src^="data:image/png"])'
      );
      await expect(charts).toHaveCount(expected, { timeout: 60_000 });
      const broken = await page.evaluate(() =>
        Array.from(document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-RenderedPlotly img.plot-img')).filter(
          i => !((i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth > 0)
        ).length
      );
      expect(broken, 'chart snapshots that failed to load').toBe(0);
      const live = await drawnPlots(page).count();
      test.info().annotations.push({ type: 'untrusted', description: `${live} live plots, ${expected - live} PNG snapshots` });
      await screenshotNotebook(page, path.join(SCREENSHOTS, name.replace(/\.ipynb$/, '.untrusted.png')));
      expect(dialogs, 'JS dialogs').toEqual([]);
    });
  }
});

/** A heatmap trace with string token labels on both axes and all weights in [0, 1]. */
function _isAttentionHeatmap(trace: any): boolean {
  if (!trace || trace.type !== 'heatmap' || !Array.isArray(trace.x) || !Array.isArray(trace.y)) return false;
  const strings = [...trace.x, ...trace.y].every((t: unknown) => typeof t === 'string');
  const z: unknown[] = Array.isArray(trace.z) ? trace.z.flat() : [];
  return strings && z.length > 0 && z.every(w => typeof w === 'number' && w >= 0 && w <= 1);
}

/** True if some cell (i, j) has its query token y[i], key token x[j] and weight z[i][j] in the text. */
function _hoverNamesCell(text: string, trace: any): boolean {
  // Axis labels are escaped for plotly (&lt; …) and may be shortened with "…"; hover shows them decoded.
  const plain = (s: string) =>
    s.replace(/…$/, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#36;/g, '$').replace(/&amp;/g, '&');
  const xs: string[] = trace.x.map(plain);
  const ys: string[] = trace.y.map(plain);
  const z: number[][] = trace.z;
  return ys.some((q, i) =>
    xs.some((key, j) => {
      const w = z[i]?.[j];
      return text.includes(q) && text.includes(key) && typeof w === 'number' && [2, 3, 4].some(d => text.includes(w.toFixed(d)));
    })
  );
}
