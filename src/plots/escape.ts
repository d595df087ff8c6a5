/**
 * Labels are data, never markup. Plotly renders a subset of HTML in every text it draws (tick labels,
 * titles, annotations, hover): it splits the string on `<…>`, interprets `<br>`, `<b>`, `<i>`, `<a href>`,
 * `<span style>`, `<sub>`, `<sup>`, `<em>`, `<s>`, `<u>`, drops their markup, and decodes `&lt;`, `&amp;`,
 * `&#NN;` … in the text between (plotly.js src/lib/svg_text_utils.js: buildSVGText, convertEntities).
 * Text wrapped in `$…$` is typeset as TeX when MathJax is on the page (as in JupyterLab).
 * Unknown tags such as `<img>` already stay text (plotly only ever creates text nodes), but a token
 * `<b>` would vanish and `&lt;` would show as `<`. Escaping `&`, `<`, `>`, `$` (and `"`, `'`, `%`) as entities
 * makes plotly's own entity decoding give back exactly the original characters.
 */
import { _ASCII_EM, _EMOJI_EM, _LATIN_EM, _OTHER_EM, _PUNCT_EM, _WIDE_EM } from "./_glyph-widths";

/**
 * The one escaper of mha-lab: text becomes entities that both an HTML parser and plotly's text renderer decode
 * back to exactly the original characters. Also used by src/html (escapeHTML) for page titles and attributes.
 *
 * escape(s) = s with & < > " ' $ % → &amp; &lt; &gt; &#34; &#39; &#36; &#37; (in one pass, so no double decoding)
 * `%` is escaped so a label can never become a plotly hovertemplate/texttemplate variable (`%{y}` stays text);
 * plotly substitutes `%{…}` first and decodes entities afterwards.
 * @param s any text (a token, a title, a series name)
 * @example escapePlotlyText("<b>x</b> & $y$") // returns "&lt;b&gt;x&lt;/b&gt; &amp; &#36;y&#36;"
 * @example escapePlotlyText("%{y} 'a' \"b\"") // returns "&#37;{y} &#39;a&#39; &#34;b&#34;"
 */
export function escapePlotlyText(s: string): string {
  return String(s).replace(/[&<>"'$%]/g, (c) => _ENTITIES[c]);
}

const _ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;", $: "&#36;", "%": "&#37;" };

/**
 * Shorten a label to at most `maxChars` characters (cut with "…"), then escape it for plotly.
 *
 * label(s) = escape(len(s) ≤ n ? s : s[0 … n−2] + "…")
 * @param s the raw token
 * @param maxChars the longest label drawn on an axis
 * @example _axisLabel("<unbelievable>", 6) // returns "&lt;unbe…"
 */
export function _axisLabel(s: string, maxChars: number): string {
  return escapePlotlyText(_truncate(s, maxChars));
}

/**
 * Cut a raw label to at most `maxChars` characters (code points), ending in "…" when cut.
 * @example _truncate("abcdef", 4) // returns "abc…"
 */
export function _truncate(s: string, maxChars: number): string {
  const chars = Array.from(String(s));
  return chars.length <= maxChars ? chars.join("") : chars.slice(0, Math.max(1, maxChars - 1)).join("") + "…";
}

/**
 * Width in pixels of a (raw, unescaped) label drawn at `fontSize`, for reserving margins: each glyph's advance width
 * in DejaVu Sans as Chromium draws it (_glyph-widths.ts), full width for East Asian glyphs, wider for emoji, and the
 * width of "W" for any glyph not measured, so a label is never cut off at the figure's edge.
 *
 * width = Σ_glyphs em(glyph) · fontSize
 * @param s the raw text
 * @param fontSize pixels
 * @example _textWidth("head", 14) // returns 35.28
 * @example _textWidth("WWW", 10) // returns 29.7
 */
export function _textWidth(s: string, fontSize: number): number {
  let em = 0;
  for (const ch of Array.from(String(s))) em += _glyphEm(ch.codePointAt(0) ?? 0);
  return Math.round(em * fontSize * 100) / 100;
}

/** The advance width in em of one code point (see _textWidth). */
function _glyphEm(cp: number): number {
  if (cp >= 0x20 && cp <= 0x7e) return _ASCII_EM[cp - 0x20];
  if (cp >= 0xa0 && cp <= 0x17f) return _LATIN_EM[cp - 0xa0];
  if (_PUNCT_EM[cp] !== undefined) return _PUNCT_EM[cp];
  if (cp >= 0x1f000) return _EMOJI_EM;
  if ((cp >= 0x2e80 && cp <= 0xa4cf) || (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xff00 && cp <= 0xffef)) return _WIDE_EM;
  if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || (cp >= 0x200b && cp <= 0x200f) || (cp >= 0xfe00 && cp <= 0xfe0f)) return 0; // controls, zero-width
  return _OTHER_EM;
}

/**
 * The one label-width formula: px that the widest of some axis labels takes, each cut to `maxChars` as drawn,
 * plus 8 px of padding. Used by the layout engine and by builders that size cells to their labels.
 *
 * labelWidth(ls) = max_s _textWidth(_truncate(s, maxChars), fontSize) + 8   (8 for no labels)
 * @param labels raw labels
 * @param maxChars labels longer than this are cut with "…" (Infinity: never)
 * @param fontSize pixels
 * @example _labelWidth(["a", "head"], 14, 14) // returns 43.28
 */
export function _labelWidth(labels: readonly string[], maxChars: number, fontSize: number): number {
  let w = 0;
  for (const s of labels) w = Math.max(w, _textWidth(_truncate(s, maxChars), fontSize));
  return w + 8;
}

/**
 * The text plotly draws for a piece of (trusted) plotly markup: tags dropped, entities decoded.
 * Used to measure titles given as markup, e.g. "Q<sub>1</sub>" draws as "Q1".
 *
 * visible(s) = decode(s without <…>)
 * @param markup plotly text with tags and entities
 * @example _visibleText("W<sub>1</sub><sup>Q</sup> &lt;x&gt;") // returns "W1Q <x>"
 */
export function _visibleText(markup: string): string {
  return String(markup)
    .replace(/<br\s*\/?>/gi, " ")
    .replace(/<[^>]*>/g, "")
    .replace(/&(#x[0-9a-f]+|#[0-9]+|lt|gt|amp|quot|#36);/gi, (_, e: string) => {
      if (e[0] === "#") return String.fromCodePoint(e[1] === "x" || e[1] === "X" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
      return ({ lt: "<", gt: ">", amp: "&", quot: '"' } as Record<string, string>)[e.toLowerCase()];
    });
}

/**
 * Escape a figure title and break it into lines (at spaces) no wider than `maxPx` at the figure-title size,
 * so a long title is wrapped instead of being cut off at the figure's edge.
 *
 * lines = greedy split of the words so that _textWidth(line, size) ≤ maxPx (a longer single word stays whole)
 * @param s the raw title
 * @param maxPx the widest line in pixels
 * @param size the font size in pixels (default the theme's figure-title size, 18)
 * @example _wrapTitle("a <b>", 800).text // returns "a &lt;b&gt;"
 */
export function _wrapTitle(s: string, maxPx: number, size = 18): { text: string; lines: number; width: number } {
  const words = String(s).split(" ");
  const lines: string[] = [];
  let cur: string | null = null;
  for (const w of words) {
    const next: string = cur === null ? w : cur + " " + w;
    if (cur !== null && _textWidth(next, size) > maxPx) {
      lines.push(cur);
      cur = w;
    } else cur = next;
  }
  lines.push(cur ?? "");
  return {
    text: lines.map(escapePlotlyText).join("<br>"),
    lines: lines.length,
    width: Math.max(...lines.map((l) => _textWidth(l, size))),
  };
}
