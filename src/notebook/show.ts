import { Figure } from "../plots/theme";

/** The part of tslab's `display` that show() uses. */
export interface RawDisplay {
  raw(contentType: string, data: any): unknown;
}

/** The MIME type plotly's JupyterLab renderer draws (and scripts/nbconvert_plotly.py turns into HTML). */
export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

const _HINT =
  "show() draws only inside a Jupyter notebook run by the tslab kernel. " +
  'In plain Node, write a page instead: fs.writeFileSync("fig.html", figureToHTML(figure)).';

/** tslab's display, loaded lazily so mha-lab works in plain Node without a kernel. */
function _tslabDisplay(): RawDisplay {
  let tslab: { display: RawDisplay };
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    tslab = require("tslab");
  } catch (e) {
    throw new Error(`show(): cannot load the "tslab" package (${(e as Error).message}). ${_HINT}`);
  }
  return tslab.display;
}

/** A deep copy with every non-finite number replaced by null (JSON has no Infinity/NaN). */
function _jsonSafe(x: unknown): unknown {
  return JSON.parse(JSON.stringify(x));
}

/**
 * Draw a figure in the notebook: sends it as the single MIME type application/vnd.plotly.v1+json.
 *
 * JupyterLab 4 draws it with plotly's mime renderer (live and after reopening, trusted or not);
 * scripts/nbconvert_plotly.py adds the HTML for handouts.
 * @param figure a plotly figure { data, layout } (layout.height is required by the renderer)
 * @param display tslab's display (default) or any object with raw(type, data), e.g. in tests
 * @example (illustrative) show(plotHeads(trace, { queryTokens })) // returns undefined, the chart appears under the cell
 */
export function show(figure: Figure, display?: RawDisplay): void {
  if (!figure || !Array.isArray(figure.data) || typeof figure.layout !== "object" || figure.layout === null) {
    throw new Error("show(): figure is not a plotly figure (expected { data: [...], layout: {...} })");
  }
  if (!(typeof figure.layout.height === "number" && figure.layout.height > 0)) {
    throw new Error(`show(): figure.layout.height must be a positive number of pixels, got ${String(figure.layout.height)}`);
  }
  const d = display ?? _tslabDisplay();
  try {
    d.raw(PLOTLY_MIME, _jsonSafe({ data: figure.data, layout: figure.layout }));
  } catch (e) {
    const msg = (e as Error).message;
    if (/not ready/i.test(msg)) throw new Error(`show(): tslab's display is not ready: not inside a tslab kernel. ${_HINT}`);
    throw e;
  }
}
