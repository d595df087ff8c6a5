/**
 * The built package loads by name from plain Node, as CommonJS and as ESM, and the README example
 * prints the same numbers as the TypeScript sources. Needs `npm run build` first (npm test does it).
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { MultiHeadAttention } from "../../src/math/multi-head";
import { causalMask } from "../../src/math/masks";

const ROOT = path.resolve(__dirname, "../..");

const EXAMPLE = `
const mha = MultiHeadAttention.random({ dModel: 8, numHeads: 2, seed: 42 });
const x = [[1, 0, 0, 0, 0, 0, 0, 0], [0, 1, 0, 0, 0, 0, 0, 0], [0, 0, 1, 0, 0, 0, 0, 0], [0, 0, 0, 1, 0, 0, 0, 0]];
const trace = mha.forward(x, { attnMask: causalMask(4) });
console.log(JSON.stringify(trace.output));
`;

function run(args: string[]): string {
  expect(existsSync(path.join(ROOT, "dist/index.js")), "dist/index.js is missing: run `npm run build` first").toBe(true);
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: "utf8", timeout: 60000 });
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  return r.stdout;
}

describe('import { … } from "mha-lab" in plain Node', () => {
  const expected = MultiHeadAttention.random({ dModel: 8, numHeads: 2, seed: 42 })
    .forward([[1, 0, 0, 0, 0, 0, 0, 0], [0, 1, 0, 0, 0, 0, 0, 0], [0, 0, 1, 0, 0, 0, 0, 0], [0, 0, 0, 1, 0, 0, 0, 0]], { attnMask: causalMask(4) })
    .output;

  it("CommonJS require gives the README example's numbers", () => {
    const out = run(["-e", `const { MultiHeadAttention, causalMask } = require("mha-lab");${EXAMPLE}`]);
    expect(JSON.parse(out)).toEqual(expected);
  }, 60000);

  it("ESM import gives the same numbers", () => {
    const out = run(["--input-type=module", "-e", `import { MultiHeadAttention, causalMask } from "mha-lab";${EXAMPLE}`]);
    expect(JSON.parse(out)).toEqual(expected);
  }, 60000);
});

// One entry point per layer (package.json "exports"; "typesVersions" gives tslab's node10 resolution the types).
const LAYERS: Record<string, string> = {
  "mha-lab": "MultiHeadAttention",
  "mha-lab/fast": "fastForward",
  "mha-lab/plots": "plotHeads",
  "mha-lab/notebook": "show",
  "mha-lab/html": "figureToHTML",
  "mha-lab/course": "checkClose",
  "mha-lab/minilm": "loadMiniLM",
};

describe("every layer loads by its own name", () => {
  for (const [spec, name] of Object.entries(LAYERS)) {
    it(`require("${spec}") and import "${spec}" both give ${name}`, () => {
      expect(run(["-e", `console.log(typeof require(${JSON.stringify(spec)}).${name})`]).trim()).toBe("function");
      expect(run(["--input-type=module", "-e", `import { ${name} } from ${JSON.stringify(spec)}; console.log(typeof ${name})`]).trim())
        .toBe("function");
    }, 60000);
  }

  it('"mha-lab" is the math alone: no plots, display, HTML, course helpers or validators', () => {
    const names = JSON.parse(run(["-e", 'console.log(JSON.stringify(Object.keys(require("mha-lab"))))']));
    for (const outside of ["plotHeads", "show", "figureToHTML", "checkClose", "loadMiniLM", "fastForward", "checkMatrix", "shapeOf", "headSize", "scriptSafeJSON"]) {
      expect(names).not.toContain(outside);
    }
  }, 60000);

  it("typesVersions maps every subpath to the same .d.ts as exports", () => {
    const pkg = JSON.parse(require("node:fs").readFileSync(path.join(ROOT, "package.json"), "utf8"));
    for (const spec of Object.keys(LAYERS).filter((s) => s !== "mha-lab")) {
      const sub = spec.slice("mha-lab/".length);
      expect(`./${pkg.typesVersions["*"][sub][0]}`).toBe(pkg.exports[`./${sub}`].types);
      expect(existsSync(path.join(ROOT, pkg.exports[`./${sub}`].types))).toBe(true);
    }
  });
});
