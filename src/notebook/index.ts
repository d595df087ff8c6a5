// The only module that talks to tslab's display.
export type { RawDisplay } from "./show";
export { show, PLOTLY_MIME } from "./show";
