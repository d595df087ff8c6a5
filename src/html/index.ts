// Node-only: offline HTML pages (reads plotly.js-dist from node_modules).
export type { FigureToHTMLOptions } from "./figure-to-html";
export { figureToHTML, plotlyJsSource } from "./figure-to-html";
export { scriptSafeJSON, escapeHTML } from "./safe-json";
