// npm test's summary line and skip policy (scripts/runtime/test.mjs), on output and reports recorded from the real
// runners (vitest 3.2.7, pytest 9.2.0, playwright via @jupyterlab/galata 5.6.4): each run had 1 passed, 1 failed and
// 1 skipped test (pytest also 1 error), in test/runtime/fixtures/.
import { describe, expect, it } from "vitest";
import * as fs from "fs";
import * as path from "path";
import { failedInReport, parseCounts, skippedInReport, unexplainedSkips, SKIPS_FILE } from "../../scripts/runtime/test.mjs";

// Recorded runner output; the checkout it was recorded in is written <ROOT>, so the test holds in any clone.
const ROOT_DIR = path.resolve(__dirname, "..", "..");
const fixture = (f: string) => fs.readFileSync(path.join(__dirname, "fixtures", f), "utf8").replaceAll("<ROOT>", ROOT_DIR);

describe("parseCounts(runner output)", () => {
  it("vitest: the Tests line, not the Test Files line", () => {
    expect(parseCounts(fixture("vitest.txt"))).toEqual({ passed: 1, failed: 1, skipped: 1 });
  });
  it("pytest: the closing == line; an error counts as a failure", () => {
    expect(parseCounts(fixture("pytest.txt"))).toEqual({ passed: 1, failed: 2, skipped: 1 });
  });
  it("playwright: failed, skipped and passed each on its own closing line", () => {
    expect(parseCounts(fixture("playwright.txt"))).toEqual({ passed: 1, failed: 1, skipped: 1 });
  });
  it("lines seen in our stages: a skip-only vitest line, pytest with deselected, playwright flaky/interrupted", () => {
    expect(parseCounts("      Tests  7 passed | 1 skipped (8)")).toEqual({ passed: 7, failed: 0, skipped: 1 });
    expect(parseCounts("1 passed, 68 deselected in 30.99s")).toEqual({ passed: 1, failed: 0, skipped: 0 });
    expect(parseCounts("  1 flaky\n    a.spec.ts:3:1 › x\n  2 interrupted\n  3 passed (1.0m)")).toEqual({ passed: 4, failed: 2, skipped: 0 });
    // a test's own output that mentions "errors" is not a count; only the last matching line counts
    expect(parseCounts("found 3 errors in the figure\n      Tests  2 passed (2)")).toEqual({ passed: 2, failed: 0, skipped: 0 });
    // a test NAME with a count in it (the hub's "after 5 failed logins …") is not the runner's summary: the hub
    // stage of a green run once ended "2075 passed, 5 failed" because of it
    expect(parseCounts("   ✓ hub > after 5 failed logins for a name, even the right password waits  1848ms\n      Tests  13 passed (13)")).toEqual({ passed: 13, failed: 0, skipped: 0 });
  });
  it("ANSI colours are ignored", () => {
    expect(parseCounts("\x1b[2m      Tests \x1b[22m \x1b[1m\x1b[32m3 passed\x1b[39m\x1b[22m\x1b[90m | \x1b[33m2 skipped\x1b[39m (5)")).toEqual({ passed: 3, failed: 0, skipped: 2 });
  });
});

describe("skippedInReport(kind, report)", () => {
  it("vitest JSON: file > full name of each skipped test", () => {
    expect(skippedInReport("vitest", fixture("vitest.json"))).toEqual(["test/runtime/_rec.test.ts > group skips"]);
  });
  it("pytest JUnit XML: classname::name of each skipped test", () => {
    expect(skippedInReport("junit", fixture("pytest.xml"))).toEqual(["test_rec::test_skipped"]);
  });
  it("playwright JSON: file > describe > title of each skipped test", () => {
    expect(skippedInReport("playwright", fixture("playwright.json"))).toEqual(["rec.spec.ts > group > skips"]);
  });
  it("an unknown kind is an error", () => {
    expect(() => skippedInReport("mocha", "{}")).toThrow("testsInReport: unknown report kind mocha");
  });
});

describe("failedInReport(kind, report): what npm test repeats at its end, so a CI log's tail names the failure", () => {
  it("vitest JSON: file > full name: the first line of the failure", () => {
    expect(failedInReport("vitest", fixture("vitest.json"))).toEqual(["test/runtime/_rec.test.ts > group fails: AssertionError: expected 1 to be 2 // Object.is equality"]);
  });
  it("pytest JUnit XML: failures and errors, with their message attribute (entities decoded)", () => {
    expect(failedInReport("junit", fixture("pytest.xml"))).toEqual(["test_rec::test_bad: assert 1 == 2", 'test_rec::test_error: failed on setup with "RuntimeError: fixture broke"']);
  });
  it("playwright JSON: the error's first line, without ANSI colours", () => {
    expect(failedInReport("playwright", fixture("playwright.json"))).toEqual(["rec.spec.ts > group > fails: Error: expect(received).toBe(expected) // Object.is equality"]);
  });
  it("vitest: a file that failed outside its tests (a beforeAll hook) is named with the file's message", () => {
    const report = JSON.stringify({ testResults: [{ name: path.join(ROOT_DIR, "test/hub/x.check.ts"), status: "failed", message: "Hook timed out in 60000ms.\nmore", assertionResults: [{ fullName: "a", status: "skipped" }] }] });
    expect(failedInReport("vitest", report)).toEqual(["test/hub/x.check.ts (outside a test): Hook timed out in 60000ms."]);
  });
  it("a passing report names nothing", () => {
    expect(failedInReport("vitest", JSON.stringify({ testResults: [{ name: path.join(ROOT_DIR, "a.ts"), status: "passed", assertionResults: [{ fullName: "ok", status: "passed" }] }] }))).toEqual([]);
  });
});

describe("unexplainedSkips(skipped, test/skips.json entries)", () => {
  const skipped = ["test/minilm/model.test.ts > encode > matches transformers", "test_rec::test_skipped"];
  it("an entry with a reason allows the names it matches (* = any text); the rest are reported", () => {
    expect(unexplainedSkips(skipped, [{ test: "test/minilm/model.test.ts > *", reason: "the model is not installed" }])).toEqual(["test_rec::test_skipped"]);
  });
  it("an entry without a reason allows nothing", () => {
    expect(unexplainedSkips(skipped, [{ test: "*", reason: " " }, { test: "test_rec::*" } as any])).toEqual(skipped);
  });
  it("regex characters in names are literal", () => {
    expect(unexplainedSkips(["a (b) [c]"], [{ test: "a (b) [c]", reason: "r" }])).toEqual([]);
    expect(unexplainedSkips(["axb"], [{ test: "a.b", reason: "r" }])).toEqual(["axb"]);
  });
  it("test/skips.json is valid: { skips: [{ test, reason }] }, every entry with a reason", () => {
    const list = JSON.parse(fs.readFileSync(SKIPS_FILE, "utf8"));
    expect(Array.isArray(list.skips)).toBe(true);
    for (const s of list.skips) {
      expect(typeof s.test).toBe("string");
      expect(s.reason.trim().length, `reason of ${s.test}`).toBeGreaterThan(10);
    }
  });
});
