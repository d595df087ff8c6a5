// mha-lab/html (Node only): offline HTML pages (reads plotly.js-dist from node_modules). Re-exports only.
export type { FigureToHTMLOptions } from "./figure-to-html";
export { figureToHTML } from "./figure-to-html";
