// npm test's two lanes (scripts/runtime/test.mjs runLanes): stages of a lane run in order, the lanes side by side, and
// a buffered stage's output comes out in one block with its own closing lines counted.
import { describe, expect, it } from "vitest";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Writable } from "stream";
import * as testRunner from "../../scripts/runtime/test.mjs";

import type { StageResult } from "../../scripts/runtime/test.mjs";

const { LANES, runLanes, runStage } = testRunner;

/** A stage that runs `code` in node; its name is what it records. */
const stage = (name: string, code: string) => ({ name, cmd: process.execPath, args: ["-e", code], counts: true });

describe("runLanes(lanes, onStage)", () => {
  it("runs the lanes side by side: a stage of lane 1 that waits for a file lane 2 writes finishes", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mha-lanes-"));
    const flag = JSON.stringify(path.join(dir, "flag"));
    // waits (up to 30 s) for lane 2's file: run one after the other, lane 1 would give up and exit 1
    const waiter = stage("a1", `const fs=require("fs");const t=Date.now();(function w(){if(fs.existsSync(${flag})){console.log("      Tests  1 passed (1)");return}if(Date.now()-t>30000){console.log("      Tests  1 failed (1)");process.exit(1)}setTimeout(w,50)})()`);
    const writer = stage("b1", `require("fs").writeFileSync(${flag},"x");for(let i=0;i<3;i++)console.log("line "+i);console.log("      Tests  2 passed (2)")`);
    const after = stage("a2", `console.log("      Tests  3 passed | 1 skipped (4)")`);
    let text = "";
    const out = new Writable({ write(c, _e, cb) { text += c.toString(); cb(); } });
    const ended: string[] = [];
    const results: Record<string, StageResult> = {};
    await runLanes([[waiter, after], [writer]], (s, r) => {
      ended.push(s.name);
      results[s.name] = r;
    }, (s, o) => runStage(s, { ...o, out, err: out }));
    expect(ended.indexOf("a1")).toBeLessThan(ended.indexOf("a2"));
    expect(results.a1).toMatchObject({ code: 0, passed: 1 });
    expect(results.b1).toMatchObject({ code: 0, passed: 2 });
    expect(results.a2).toMatchObject({ code: 0, passed: 3, skipped: 1 });
    // the buffered stage's lines are one block
    expect(text).toContain("line 0\nline 1\nline 2\n      Tests  2 passed (2)\n");
  }, 60_000);

  it("a stage with after: waits for that stage of the other lane to end", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mha-lanes-"));
    const file = JSON.stringify(path.join(dir, "executed"));
    // lane 1 writes the file after a while; lane 2's reader fails if it starts before
    const writer = stage("writer", `setTimeout(()=>{require("fs").writeFileSync(${file},"x");console.log("      Tests  1 passed (1)")},500)`);
    const reader = { ...stage("reader", `const ok=require("fs").existsSync(${file});console.log("      Tests  1 "+(ok?"passed":"failed")+" (1)");process.exit(ok?0:1)`), after: "writer" };
    const results: Record<string, StageResult> = {};
    const quiet = new Writable({ write(_c, _e, cb) { cb(); } });
    await runLanes([[writer], [reader]], (s, r) => (results[s.name] = r), (s, o) => runStage(s, { ...o, out: quiet, err: quiet }));
    expect(results.reader).toMatchObject({ code: 0, passed: 1 });
  }, 60_000);

  it("npm test's lanes: every stage once; what reads build/executed/ (handouts, browser) waits for the notebook stage", () => {
    const names = LANES.map((l) => l.map((s) => s.name.split(" ")[0]));
    expect(names).toEqual([["notebooks", "browser"], ["unit", "doctor", "workshop", "exercises", "handouts"]]);
    const after = Object.fromEntries(LANES.flat().map((s) => [s.name.split(" ")[0], s.after]));
    expect(after.browser).toBe("notebooks");
    expect(after.handouts).toBe("notebooks");
  });
});
