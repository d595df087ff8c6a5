import { escapePlotlyText } from "../plots/escape";

/**
 * JSON that is safe to paste inside an HTML `<script>` element: `<`, `>`, `&`, U+2028 and U+2029
 * become `\uXXXX` escapes, so no `</script>` or `<!--` can end or confuse the element, and the text
 * still parses to the same value with JSON.parse or as a JavaScript literal.
 *
 * scriptJSON(x) = JSON.stringify(x) with [<>&\u2028\u2029] → \u003c \u003e \u0026 \u2028 \u2029
 * @param value any JSON-serialisable value (non-finite numbers become null, as in JSON.stringify)
 * @example scriptSafeJSON({ t: "</script>" }) // returns '{"t":"\\u003c/script\\u003e"}'
 */
export function scriptSafeJSON(value: unknown): string {
  const json = JSON.stringify(value);
  if (json === undefined) throw new Error("scriptSafeJSON: value is not JSON-serialisable (got undefined)");
  return json.replace(/[<>&\u2028\u2029]/g, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
}

/**
 * Escape text for HTML element content and attribute values: the same one escaper as the charts use
 * (src/plots/escape.ts, escapePlotlyText), so a label is escaped one way everywhere.
 *
 * escapeHTML(s) = s with & < > " ' $ % → &amp; &lt; &gt; &#34; &#39; &#36; &#37;
 * @param s raw text
 * @example escapeHTML('<a href="x">') // returns "&lt;a href=&#34;x&#34;&gt;"
 */
export const escapeHTML: (s: string) => string = escapePlotlyText;
