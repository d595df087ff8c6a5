import * as fs from "fs";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { findChatModelFile, hasChatModelFile } from "../../src/llm/files";
import { readGgufHeader } from "../../src/llm/gguf";
import { ChatTokenizer } from "../../src/llm/tokenizer";

const golden = JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures", "golden.json"), "utf8"));
const skip = !hasChatModelFile();
const reason = skip ? " (skipped: the model file is not installed; run npm run setup)" : "";
const tok = skip ? (null as unknown as ChatTokenizer) : new ChatTokenizer(readGgufHeader(fs.readFileSync(findChatModelFile())).metadata);

describe.skipIf(skip)(`ChatTokenizer from the GGUF's own tokens and merges equals transformers${reason}`, () => {
  for (const g of golden.tokenizer as { text: string; ids: number[]; decoded: string }[]) {
    it(`tokenize(${JSON.stringify(g.text).slice(0, 40)}) has transformers' ids, and detokenize gives the text back`, () => {
      const { ids, tokens } = tok.tokenize(g.text);
      expect(ids).toEqual(g.ids);
      expect(tokens.length).toBe(ids.length);
      expect(tok.detokenize(ids)).toBe(g.decoded);
    });
  }
  it("digits are split one by one and control tokens are single ids", () => {
    expect(tok.tokenize("2024").tokens).toEqual(["2", "0", "2", "4"]);
    expect(tok.tokenize("<|im_end|>").ids).toEqual([2]);
  });
  for (const c of golden.chats as { messages: { role: string; content: string }[]; text: string }[]) {
    it(`chatPrompt(${c.messages.map((m) => m.role).join(", ")}) equals apply_chat_template(add_generation_prompt=True)`, () => {
      expect(tok.chatPrompt(c.messages)).toBe(c.text);
    });
  }
  it("bad input: the error names what was passed", () => {
    const cases: [() => unknown, string][] = [
      [() => tok.tokenize(42 as unknown as string), "tokenize needs a string, got 42"],
      [() => tok.tokenize(""), "tokenize: the text is empty; type at least one character"],
      [() => tok.detokenize([1, 49152]), "detokenize: ids[1] is 49152, not a token id in 0 … 49151"],
      [() => tok.chatPrompt([]), "messages must be a non-empty array of { role, content }, got an empty array"],
      [() => tok.chatPrompt("hi" as never), 'messages must be a non-empty array of { role, content }, got the string \"hi\"'],
      [() => tok.chatPrompt([{ content: "hi" } as never]), "messages[0].role must be one of system, user, assistant, got undefined"],
      [() => tok.chatPrompt([{ role: "user", content: "a" }, { role: "bot", content: "b" }]), 'messages[1].role must be one of system, user, assistant, got the string \"bot\"'],
      [() => tok.chatPrompt([{ role: "user" } as never]), "messages[0].content must be a string, got undefined"],
      [() => tok.chatPrompt([{ role: "user", content: "a", name: "x" } as never]), 'messages[0] has unknown key "name" (a message is { role, content })'],
    ];
    for (const [f, text] of cases) expect(f).toThrow(text);
  });
});
