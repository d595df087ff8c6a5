/**
 * Labels are data, never markup: tokens that look like HTML must draw as literal text in the
 * chart's tick labels, and nothing in them may run (no JS dialog, no injected <img>, no
 * javascript: link).
 *
 * - raw-plotly.ipynb proves the pipeline (tslab display.raw -> jupyterlab-plotly mime renderer)
 *   with a hand-written figure, and checks one hover label exactly.
 * - evil-tokens.ipynb uses mha-lab's plotHeads + show; skipped until dist/ exports them.
 */
import * as path from 'path';
import {
  REPO,
  SCREENSHOTS,
  SERVER_ROOT,
  drawnPlots,
  errorsOf,
  expectAllDrawn,
  expect,
  hoverAt,
  hoverHeatmap,
  openNotebook,
  plotlyFiguresOf,
  readNotebook,
  runAll,
  saveNotebook,
  screenshotNotebook,
  test
} from './helpers';
import type { IJupyterLabPageFixture } from '@jupyterlab/galata';

const EVIL = ['</script><img src=x onerror=alert(1)>', '<a href="javascript:alert(1)">x</a>'];

/** Tick label texts (x and y) of the given plot, as the browser renders them. */
async function tickTexts(plot: ReturnType<typeof drawnPlots>): Promise<string[]> {
  return plot.locator('g.xtick text, g.ytick text').allTextContents();
}

/** Nothing from the tokens became live DOM anywhere on the page. */
async function expectNoInjection(page: IJupyterLabPageFixture, dialogs: string[]): Promise<void> {
  expect(dialogs, 'JS dialogs').toEqual([]);
  await expect(page.locator('img[src="x"]')).toHaveCount(0);
  await expect(page.locator('a[href^="javascript:"], a[*|href^="javascript:"]')).toHaveCount(0);
}

async function runFixture(page: IJupyterLabPageFixture, name: string) {
  const rel = `fixtures/${name}`;
  await openNotebook(page, rel);
  await runAll(page, 2 * 60_000);
  await saveNotebook(page);
  const saved = readNotebook(path.join(SERVER_ROOT, rel));
  expect(errorsOf(saved), 'error / stderr outputs').toEqual([]);
  const figures = plotlyFiguresOf(saved);
  await expectAllDrawn(page, figures.length);
  return figures;
}

test.describe('labels are data, never markup', () => {
  test('pipeline: a hand-written plotly figure draws, escaped tokens show literally, hover names the cell', async ({
    page,
    dialogs
  }) => {
    const figures = await runFixture(page, 'raw-plotly.ipynb');
    expect(figures.length).toBe(2);

    const escaped = drawnPlots(page).nth(0);
    const ticks = await tickTexts(escaped);
    for (const token of EVIL) {
      expect(ticks.filter(t => t === token), `tick labels ${JSON.stringify(ticks)} show ${token}`).toHaveLength(2);
    }

    // Unescaped tokens: plotly may interpret its own markup, but nothing may run.
    await expectNoInjection(page, dialogs);

    // Hover the centre of cell (query "the", key "the") = row 0, column 0 of a 4x4 grid.
    const text = await hoverHeatmap(page, escaped, 0.125, 0.125);
    expect(text).toContain('query: the');
    expect(text).toContain('key: the');
    expect(text).toContain('weight: 0.700');
    // Cell (query = 3rd token, key = 4th token): weight 0.4, labels literal in the hover too.
    const text2 = await hoverHeatmap(page, escaped, 0.875, 0.625);
    expect(text2).toContain(`query: ${EVIL[1]}`);
    expect(text2).toContain('key: cat');
    expect(text2).toContain('weight: 0.400');

    await screenshotNotebook(page, path.join(SCREENSHOTS, 'fixture-raw-plotly.png'));
    await expectNoInjection(page, dialogs);
  });

  test('plotHeads + show: HTML-like tokens are literal tick labels and never run', async ({ page, dialogs }) => {
    const figures = await runFixture(page, 'evil-tokens.ipynb');
    expect(figures.length).toBe(1);
    const plot = drawnPlots(page).first();
    await plot.scrollIntoViewIfNeeded();
    // Tick labels: literal text; plotHeads may shorten long labels with "…" (no overlaps), so a
    // label is the token itself or a prefix of it plus "…" that still shows the literal "<".
    const ticks = await tickTexts(plot);
    const shows = (label: string, token: string) =>
      label === token || (label.endsWith('…') && label.length > 4 && token.startsWith(label.slice(0, -1)) && label.startsWith('<'));
    for (const token of EVIL) {
      expect(
        ticks.filter(t => shows(t, token)).length,
        `tick labels ${JSON.stringify(ticks)} show ${token} as literal text`
      ).toBeGreaterThanOrEqual(2);
    }
    await expectNoInjection(page, dialogs);

    // Hover: the full tokens, literally, with the weight, in head 1: query row of EVIL[0] (aimed
    // at its rendered y tick label) and key column of EVIL[1].
    const drag = (await plot.locator('.draglayer .xy .nsewdrag').first().boundingBox())!;
    const yTick = plot.locator('g.ytick text').filter({ hasText: /^<\/script>/ }).first();
    const yBox = (await yTick.boundingBox())!;
    // Key columns are the tokens in order, left to right: EVIL[1] is column 2 of 4.
    const xCenter = drag.x + drag.width * (2.5 / 4);
    const text = await hoverAt(page, plot, xCenter, yBox.y + yBox.height / 2);
    expect(text).toContain(`query: ${EVIL[0]}`);
    expect(text).toContain(`key: ${EVIL[1]}`);
    expect(text).toMatch(/weight: \d\.\d{3}/);
    test.info().annotations.push({ type: 'hover', description: text });
    await screenshotNotebook(page, path.join(SCREENSHOTS, 'fixture-evil-tokens.png'));
    await expectNoInjection(page, dialogs);
  });
});
