#!/usr/bin/env node
// `npm run kernel:install -- [--user | --sys-prefix | --prefix DIR] [--python PY]`
// Registers this project's tslab kernel ("TypeScript") with YOUR own Jupyter, instead of .venv's.
// Default: --user (~/.local/share/jupyter/kernels/tslab on Linux), using the python3 that has Jupyter.
import { UserError, capture, installKernel, log, runMain } from "./lib.mjs";

runMain(() => {
  const argv = process.argv.slice(2);
  let python = process.env.PYTHON || "python3";
  const where = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--python") python = argv[++i];
    else if (a.startsWith("--python=")) python = a.slice(9);
    else if (a === "--user" || a === "--sys-prefix") where.push(a);
    else if (a === "--prefix") where.push(`--prefix=${argv[++i]}`);
    else if (a.startsWith("--prefix=")) where.push(a);
    else throw new UserError(`unknown option ${a}; use --user, --sys-prefix, --prefix DIR, --python PY`);
  }
  if (where.length === 0) where.push("--user");
  const probe = capture(python, ["-c", "import jupyter_client, IPython"]);
  if (!probe.ok) {
    throw new UserError(
      `${python} cannot import jupyter_client and IPython, which \`tslab install\` needs.` +
        `\nPass the Python of your Jupyter:  npm run kernel:install -- --python /path/to/jupyter-env/bin/python` +
        `\n(or install them there: pip install jupyter_client ipython)`,
    );
  }
  installKernel(python, where);
  log(`registered kernel "TypeScript" (tslab) with ${python} ${where.join(" ")}; check with: jupyter kernelspec list`);
  log("the kernel runs this checkout's node_modules/tslab; keep the checkout where it is (or re-run this)");
});
