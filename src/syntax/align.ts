/**
 * Which word each sub-word token belongs to. WordPiece splits words ("unbelievably" → un ##bel ##ie ##va ##bly)
 * and the parser has its own words ("didn't" → did n't); both cover the same characters, so match them
 * character by character: a token belongs to the word its first character falls in.
 *
 * Dependencies: none.
 */

/** A string as an uncased WordPiece tokenizer sees it: lower case, accents stripped, no spaces. */
function _normalise(s: string): string {
  return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/\s+/g, "");
}

const _SPECIAL = new Set(["[CLS]", "[SEP]", "[PAD]", "[MASK]"]);

/**
 * Map every token to its word: wordOfToken[t] = the index of the word whose characters token t starts in,
 * −1 for [CLS], [SEP] and [PAD]. Every word gets at least one token, or it is an error naming the word.
 *   characters of tokens (## stripped) = characters of words, both lower-cased without spaces or accents
 * @param tokens (L,) WordPiece tokens, e.g. encode(text).tokens
 * @param words  (W,) the parser's words of the same text
 * @return (L,) word index per token
 * @example alignWords(["[CLS]", "un", "##bel", "##ie", "##va", "##bly", "true", "[SEP]"], ["Unbelievably", "true"]) // returns [-1, 0, 0, 0, 0, 0, 1, -1]
 */
export function alignWords(tokens: string[], words: string[]): number[] {
  if (!Array.isArray(tokens) || !tokens.every((t) => typeof t === "string")) throw new Error("alignWords: tokens must be an array of strings");
  if (!Array.isArray(words) || !words.every((w) => typeof w === "string")) throw new Error("alignWords: words must be an array of strings");
  // the word of every character of the words, in order
  const charWord: number[] = [];
  let text = "";
  words.forEach((w, k) => {
    const n = _normalise(w);
    text += n;
    for (let c = 0; c < n.length; c++) charWord.push(k);
  });
  const out: number[] = [];
  let pos = 0;
  for (let t = 0; t < tokens.length; t++) {
    const tok = tokens[t];
    if (_SPECIAL.has(tok)) {
      out.push(-1);
      continue;
    }
    if (tok === "[UNK]") throw new Error(`alignWords: token ${t} is [UNK] (the tokenizer does not know a character near word ${charWord[pos] ?? words.length} "${words[charWord[pos]] ?? ""}"); remove that character`);
    const piece = _normalise(tok.startsWith("##") ? tok.slice(2) : tok);
    if (text.slice(pos, pos + piece.length) !== piece) {
      const k = charWord[Math.min(pos, charWord.length - 1)];
      throw new Error(`alignWords: token ${t} "${tok}" does not match the words at word ${k} "${words[k]}" (the words read "${text.slice(pos, pos + 12)}…" there); are the tokens and the words from the same text?`);
    }
    out.push(charWord[pos]);
    pos += piece.length;
  }
  if (pos !== text.length) throw new Error(`alignWords: the tokens end before word ${charWord[pos]} "${words[charWord[pos]]}"; are the tokens and the words from the same text?`);
  const seen = new Set(out);
  const missing = words.findIndex((_, k) => !seen.has(k));
  if (missing >= 0) throw new Error(`alignWords: no token starts inside word ${missing} "${words[missing]}" (it shares a token with the word before it); split the text so a token boundary falls there`);
  return out;
}
