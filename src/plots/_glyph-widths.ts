/**
 * Advance widths of the glyphs our charts draw, in em (× font size = px), for reserving room for labels and titles.
 * Measured in Chromium (156.0.0.0, Debian) with canvas measureText at 100 px in THEME.fontFamily, which
 * resolves to DejaVu Sans: the widest of the fonts it lists, so the room reserved is enough for the others too.
 * Rounded UP to 0.01 em. test/plots/label-fit.test.ts measures them again and fails if any entry is narrower than
 * what Chromium draws, and checks real tick-label boxes of generated figures against the figure and panel edges.
 * Private to src/plots (escape.ts _textWidth reads it).
 */

/** U+0020 … U+007E (space to tilde), in code point order. */
export const _ASCII_EM: readonly number[] = [
  0.32, 0.41, 0.46, 0.84, 0.64, 0.96, 0.78, 0.28, 0.40, 0.40, 0.50, 0.84, 0.32, 0.37, 0.32, 0.34,
  0.64, 0.64, 0.64, 0.64, 0.64, 0.64, 0.64, 0.64, 0.64, 0.64, 0.34, 0.34, 0.84, 0.84, 0.84, 0.54,
  1.00, 0.69, 0.69, 0.70, 0.78, 0.64, 0.58, 0.78, 0.76, 0.30, 0.30, 0.66, 0.56, 0.87, 0.75, 0.79,
  0.61, 0.79, 0.70, 0.64, 0.62, 0.74, 0.69, 0.99, 0.69, 0.62, 0.69, 0.40, 0.34, 0.40, 0.84, 0.50,
  0.50, 0.62, 0.64, 0.55, 0.64, 0.62, 0.36, 0.64, 0.64, 0.28, 0.28, 0.58, 0.28, 0.98, 0.64, 0.62,
  0.64, 0.64, 0.42, 0.53, 0.40, 0.64, 0.60, 0.82, 0.60, 0.60, 0.53, 0.64, 0.34, 0.64, 0.84,
];

/** U+00A0 … U+017F (Latin-1 Supplement and Latin Extended-A), in code point order. */
export const _LATIN_EM: readonly number[] = [
  0.32, 0.41, 0.64, 0.64, 0.64, 0.64, 0.34, 0.50, 0.50, 1.00, 0.48, 0.62, 0.84, 0.00, 1.00, 0.50,
  0.50, 0.84, 0.41, 0.41, 0.50, 0.64, 0.64, 0.32, 0.50, 0.41, 0.48, 0.62, 0.97, 0.97, 0.97, 0.54,
  0.69, 0.69, 0.69, 0.69, 0.69, 0.69, 0.98, 0.70, 0.64, 0.64, 0.64, 0.64, 0.30, 0.30, 0.30, 0.30,
  0.78, 0.75, 0.79, 0.79, 0.79, 0.79, 0.79, 0.84, 0.79, 0.74, 0.74, 0.74, 0.74, 0.62, 0.61, 0.63,
  0.62, 0.62, 0.62, 0.62, 0.62, 0.62, 0.99, 0.55, 0.62, 0.62, 0.62, 0.62, 0.28, 0.28, 0.28, 0.28,
  0.62, 0.64, 0.62, 0.62, 0.62, 0.62, 0.62, 0.84, 0.62, 0.64, 0.64, 0.64, 0.64, 0.60, 0.64, 0.60,
  0.69, 0.62, 0.69, 0.62, 0.69, 0.62, 0.70, 0.55, 0.70, 0.55, 0.70, 0.55, 0.70, 0.55, 0.78, 0.64,
  0.78, 0.64, 0.64, 0.62, 0.64, 0.62, 0.64, 0.62, 0.64, 0.62, 0.64, 0.62, 0.78, 0.64, 0.78, 0.64,
  0.78, 0.64, 0.78, 0.64, 0.76, 0.64, 0.92, 0.70, 0.30, 0.28, 0.30, 0.28, 0.30, 0.28, 0.30, 0.28,
  0.30, 0.28, 0.59, 0.56, 0.30, 0.28, 0.66, 0.58, 0.58, 0.56, 0.28, 0.56, 0.28, 0.56, 0.38, 0.56,
  0.35, 0.57, 0.29, 0.75, 0.64, 0.75, 0.64, 0.75, 0.64, 0.82, 0.75, 0.64, 0.79, 0.62, 0.79, 0.62,
  0.79, 0.62, 1.07, 1.03, 0.70, 0.42, 0.70, 0.42, 0.70, 0.42, 0.64, 0.53, 0.64, 0.53, 0.64, 0.53,
  0.64, 0.53, 0.62, 0.40, 0.62, 0.40, 0.62, 0.40, 0.74, 0.64, 0.74, 0.64, 0.74, 0.64, 0.74, 0.64,
  0.74, 0.64, 0.74, 0.64, 0.99, 0.82, 0.62, 0.60, 0.62, 0.69, 0.53, 0.69, 0.53, 0.69, 0.53, 0.36,
];

/** Punctuation and arrows the course uses: dashes, quotes, bullet, ellipsis, arrows, minus. */
export const _PUNCT_EM: Readonly<Record<number, number>> = {
  0x2013: 0.50, 0x2014: 1.00, 0x2018: 0.32, 0x2019: 0.32, 0x201a: 0.32, 0x201b: 0.32, 0x201c: 0.52, 0x201d: 0.52, 0x2022: 0.59, 0x2026: 1.00, 0x2190: 0.84, 0x2191: 0.84, 0x2192: 0.84, 0x2193: 0.84, 0x2212: 0.84,
};

/** em of a glyph of CJK and other East Asian scripts (full width), and of an emoji (wider in colour fonts). */
export const _WIDE_EM = 1.0;
export const _EMOJI_EM = 1.25;
/** em of any other glyph, not measured: as wide as the widest Latin capital (W), so a label is never cut off. */
export const _OTHER_EM = 1.0;
