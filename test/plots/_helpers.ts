// Helpers for reading figure JSON in tests.
import { Figure, THEME } from "../../src/plots/theme";
import { _textWidth, _truncate } from "../../src/plots/escape";

export type Obj = Record<string, any>;
export const L = (f: Figure): Obj => f.layout as Obj;
export const T = (f: Figure, i: number): Obj => f.data[i] as Obj;
export const axis = (f: Figure, kind: "x" | "y", i: number): Obj => L(f)[i === 0 ? `${kind}axis` : `${kind}axis${i + 1}`];
export const titles = (f: Figure): string[] => (L(f).annotations as Obj[]).map((a) => a.text);

/** Every font size anywhere in the figure (keys named "size" inside an object reached through a *font key). */
export function fontSizes(x: unknown, inFont = false): number[] {
  if (Array.isArray(x)) return x.flatMap((v) => fontSizes(v, false));
  if (x && typeof x === "object") {
    return Object.entries(x as Obj).flatMap(([k, v]) =>
      inFont && k === "size" && typeof v === "number" ? [v] : fontSizes(v, /font$/i.test(k)),
    );
  }
  return [];
}

/** Pixel box [x0, y0, x1, y1] (y downwards) of panel i's plot area. */
export function panelBox(f: Figure, i: number): [number, number, number, number] {
  const l = L(f);
  const m = l.margin;
  const pw = l.width - m.l - m.r;
  const ph = l.height - m.t - m.b;
  const xd = axis(f, "x", i).domain;
  const yd = axis(f, "y", i).domain;
  return [m.l + xd[0] * pw, m.t + (1 - yd[1]) * ph, m.l + xd[1] * pw, m.t + (1 - yd[0]) * ph];
}

/**
 * Each panel's box with the room its labels need: row labels on the left (if drawn), vertical column
 * labels below (else one text line), and the panel title above.
 */
export function labelledPanelBoxes(f: Figure, tokens: string[]): number[][] {
  const fs = THEME.fontSize;
  const labelW = Math.max(...tokens.map((t) => _textWidth(_truncate(t, THEME.maxLabelChars), fs)));
  return f.data.map((_, i) => {
    const [x0, y0, x1, y1] = panelBox(f, i);
    const yl = axis(f, "y", i).showticklabels ? labelW : 0;
    const xl = axis(f, "x", i).tickangle === -90 ? labelW : fs;
    return [x0 - yl, y0 - (THEME.titleSize + 4), x1, y1 + xl];
  });
}

export function overlaps(a: number[], b: number[]): boolean {
  return a[0] < b[2] - 0.5 && b[0] < a[2] - 0.5 && a[1] < b[3] - 0.5 && b[1] < a[3] - 0.5;
}

/** The text plotly draws for a title given as markup (tags dropped, the entities we emit decoded), written
 * independently of src/plots/escape.ts's _visibleText. */
export function drawnText(markup: string): string {
  const ents: Record<string, string> = { "&lt;": "<", "&gt;": ">", "&amp;": "&", "&#36;": "$", "&#34;": '"', "&#39;": "'", "&#37;": "%" };
  return markup.replace(/<[^>]+>/g, "").replace(/&lt;|&gt;|&amp;|&#36;|&#34;|&#39;|&#37;/g, (e) => ents[e]);
}

/** Estimated pixel box [x0, y0, x1, y1] (y downwards) of every panel-title annotation, centred on its x as
 * plotly draws xanchor "center" / yanchor "bottom" titles; sub/superscripts are counted at full size. */
export function titleBoxes(f: Figure, textWidth: (s: string, size: number) => number): number[][] {
  const l = L(f);
  const m = l.margin;
  const pw = l.width - m.l - m.r;
  const ph = l.height - m.t - m.b;
  return ((l.annotations ?? []) as Obj[]).map((a) => {
    const size = a.font.size;
    const w = textWidth(drawnText(a.text), size);
    const cx = m.l + a.x * pw;
    const bottom = m.t + (1 - a.y) * ph - (a.yshift ?? 0);
    return [cx - w / 2, bottom - size * 1.2, cx + w / 2, bottom];
  });
}
