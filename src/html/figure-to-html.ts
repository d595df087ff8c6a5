import * as fs from "fs";
import { Figure } from "../plots/theme";
import { escapeHTML, scriptSafeJSON } from "./safe-json";

let _plotlyCache: string | null = null;

/**
 * The plotly.js bundle from the installed `plotly.js-dist` package, read once (about 10 MB), made safe
 * to inline in a `<script>` element. Never fetched from a network.
 * @example plotlyJsSource().includes("window.Plotly") // returns true
 */
export function plotlyJsSource(): string {
  if (_plotlyCache === null) {
    let file: string;
    try {
      file = require.resolve("plotly.js-dist/plotly.js");
    } catch {
      throw new Error('figureToHTML: cannot find the npm package "plotly.js-dist" (it is a dependency of mha-lab)');
    }
    // `</script` cannot appear in the inline element; `<\/` means the same inside JS strings and regexes
    _plotlyCache = fs.readFileSync(file, "utf8").replace(/<\/(script)/gi, "<\\/$1");
  }
  return _plotlyCache;
}

/** Options of figureToHTML. */
export interface FigureToHTMLOptions {
  /** page title and heading (text, HTML-escaped) */ title?: string;
}

/**
 * One self-contained offline HTML page drawing one or more figures: plotly.js inlined once, no network.
 *
 * page = <head> plotly.js </head> + one <div> per figure + one script: Plotly.newPlot(div_i, data_i, layout_i)
 * @param figures a figure or a list of figures ({ data, layout })
 * @param opts optional page title
 * @example figureToHTML(plotHeads(trace), { title: "heads" }).startsWith("<!DOCTYPE html>") // returns true
 * @example (illustrative) fs.writeFileSync("heads.html", figureToHTML(plotHeads(trace), { title: "heads" }))  // writes one offline page
 */
export function figureToHTML(figures: Figure | Figure[], opts: FigureToHTMLOptions = {}): string {
  const list = Array.isArray(figures) ? figures : [figures];
  list.forEach((f, i) => {
    if (!f || !Array.isArray(f.data) || typeof f.layout !== "object" || f.layout === null) {
      throw new Error(`figureToHTML: figure ${i} is not a plotly figure (expected { data: [...], layout: {...} })`);
    }
  });
  const title = opts.title ?? "mha-lab figure";
  const divs = list
    .map((f, i) => `<div id="mha-fig-${i}" class="mha-figure" style="height:${Number(f.layout.height) || 450}px"></div>`)
    .join("\n");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHTML(title)}</title>
<style>body{font-family:"DejaVu Sans","Helvetica Neue",Arial,sans-serif;margin:16px;color:#222}
h1{font-size:22px;font-weight:600}.mha-figure{margin:0 0 32px 0}</style>
<script>${plotlyJsSource()}</script>
</head>
<body>
<h1>${escapeHTML(title)}</h1>
${divs}
<script>
(function () {
  var figures = ${scriptSafeJSON(list)};
  for (var i = 0; i < figures.length; i++) {
    Plotly.newPlot("mha-fig-" + i, figures[i].data, figures[i].layout, { displaylogo: false, responsive: false });
  }
})();
</script>
</body>
</html>
`;
}
