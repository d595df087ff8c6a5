// Runs ONE bench part in this (fresh) process and prints its result as JSON on the last line:
//   node --expose-gc bench/part.mjs <name> '<opts as JSON>'
// bench/run.mjs starts one of these per part, so no part is timed in a process that an earlier part (the forward
// grid's n = 1024 calls, a model loaded before) left with a grown heap or WebAssembly memory: measured on the idle
// machine, a causal-LM Adam step took 19.5 ms after the grid in one process and far less in a fresh one.
import { existsSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { ROOT, adamStepPart } from "./common.mjs";

const [name, json] = process.argv.slice(2);
const file = path.join(ROOT, "bench", `${name}.mjs`);
if (!existsSync(file)) throw new Error(`bench/part.mjs: bench/${name}.mjs is not there`);
const mod = await import(pathToFileURL(file).href);
const opts = JSON.parse(json ?? "{}");
let result;
if (typeof mod.run === "function") result = await mod.run(opts);
else if (typeof mod.runOurs === "function" && typeof mod.runTorch === "function") result = adamStepPart(mod, opts);
else throw new Error(`bench/${name}.mjs exports neither run(opts) nor runOurs and runTorch`);
console.log(JSON.stringify(result));
