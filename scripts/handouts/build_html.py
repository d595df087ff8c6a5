#!/usr/bin/env python3
"""Handouts, Python half: execute notebooks (the runtime helper's nbclient runner) and write offline HTML.

Called by scripts/handouts/handouts.mjs (`npm run handouts`), which adds the PDFs and the index page.
For each notebook given on the command line:

* executes it through the real tslab kernel with ``run_notebook`` from test/notebooks/nbrun.py (the code
  `npm run nb` and `npm test` use; the executed copy goes to build/executed/), or with ``--no-execute``
  reads the existing build/executed/<name>.ipynb;
* converts it with ``HandoutHTMLExporter``: scripts/nbconvert_plotly.py's ``OfflineHTMLExporter`` (plotly
  outputs drawn by plotly.js from node_modules, inlined once; no require.js / mermaid / MathJax CDN) plus
  KaTeX for the LaTeX in markdown cells, inlined from node_modules/katex with its fonts as data: URIs, so the
  page works from file:// on a USB stick with no network at all;
* prints human progress lines, and one machine line per notebook for handouts.mjs:
  ``@@handout {"name", "title", "html", "plotly", "ok", "error", "executeSeconds", "htmlSeconds"}``.
"""
from __future__ import annotations

import argparse
import base64
import json
import re
import sys
import time
from pathlib import Path

import nbformat
from jinja2 import DictLoader

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "test" / "notebooks"))

from nbconvert_plotly import PLOTLY_MIME, OfflineHTMLExporter, trusted_script  # noqa: E402

KATEX_DIR = ROOT / "node_modules" / "katex" / "dist"

# Delimiters in markdown cells (nbconvert leaves the TeX as text; KaTeX's auto-render typesets it).
_KATEX_DELIMITERS = [
    {"left": "$$", "right": "$$", "display": True},
    {"left": "\\[", "right": "\\]", "display": True},
    {"left": "\\begin{equation}", "right": "\\end{equation}", "display": True},
    {"left": "\\begin{align}", "right": "\\end{align}", "display": True},
    {"left": "\\begin{aligned}", "right": "\\end{aligned}", "display": True},
    {"left": "$", "right": "$", "display": False},
    {"left": "\\(", "right": "\\)", "display": False},
]

_RENDER_JS = """
document.addEventListener("DOMContentLoaded", function () {
  var opts = { delimiters: %s, throwOnError: false, ignoredTags: ["script", "noscript", "style", "textarea", "pre", "code"] };
  var blocks = document.querySelectorAll(".jp-MarkdownOutput");
  for (var i = 0; i < blocks.length; i++) renderMathInElement(blocks[i], opts);
  document.documentElement.setAttribute("data-math", String(document.querySelectorAll(".jp-MarkdownOutput .katex").length));
});
"""

# Print layout: keep a chart or an output on one page where it fits; no hover toolbars on paper.
_PRINT_CSS = """
@media print {
  .js-plotly-plot, .katex-display, .jp-Cell-inputWrapper { break-inside: avoid; }
  /* Chromium ignores break-inside inside the lab template's table cells and flex rows: print a chart's output as blocks */
  .jp-OutputArea-child:has(.js-plotly-plot), .jp-OutputArea-output:has(.js-plotly-plot) { display: block; break-inside: avoid; }
  .jp-Cell-inputWrapper { break-after: avoid; }
  .jp-MarkdownOutput h1, .jp-MarkdownOutput h2, .jp-MarkdownOutput h3 { break-after: avoid; }
  .modebar-container { display: none !important; }
}
/* long code lines wrap instead of being cut off at the edge of the page (the lab template hides the overflow) */
.jp-InputArea-editor .highlight pre { white-space: pre-wrap; overflow-wrap: anywhere; }
@media print { .jp-OutputArea-output pre { white-space: pre-wrap; overflow-wrap: anywhere; } }
.mha-handout-footer { color: #666; font-size: 12px; margin: 24px 0 8px 0; }
"""


def katex_head(katex_dir: Path = KATEX_DIR, resources: dict | None = None) -> str:
    """<style> + <script> elements that typeset $…$ / $$…$$ in markdown cells with KaTeX, fully inlined; the scripts
    are registered in resources["mha_trusted_scripts"], so the page's CSP lets them (and only them) run."""
    css = (katex_dir / "katex.min.css").read_text(encoding="utf-8")

    def font_src(m: re.Match) -> str:
        # each @font-face lists woff2, woff and ttf; keep woff2 only, as a data: URI
        woff2 = re.search(r"url\((?:['\"])?(fonts/[^)'\"]+\.woff2)(?:['\"])?\)", m.group(0))
        if not woff2:
            raise ValueError(f"katex.min.css: an @font-face without woff2: {m.group(0)[:120]}")
        data = base64.b64encode((katex_dir / woff2.group(1)).read_bytes()).decode("ascii")
        return f'src:url(data:font/woff2;base64,{data}) format("woff2")'

    css = re.sub(r"src:[^;}]*", font_src, css)
    if re.search(r"url\((?!data:)", css):
        raise ValueError("katex.min.css still references a file after inlining the fonts")
    js = (katex_dir / "katex.min.js").read_text(encoding="utf-8")
    auto = (katex_dir / "contrib" / "auto-render.min.js").read_text(encoding="utf-8")
    return (
        f'<style type="text/css">/* KaTeX {_katex_version(katex_dir)}, fonts inlined */\n{css}\n{_PRINT_CSS}</style>\n'
        + trusted_script(f"/* KaTeX, inlined */\n{js}\n", resources) + "\n"
        + trusted_script(f"/* KaTeX auto-render, inlined */\n{auto}\n", resources) + "\n"
        + trusted_script(_RENDER_JS % json.dumps(_KATEX_DELIMITERS), resources)
    )


def _katex_version(katex_dir: Path) -> str:
    try:
        return json.loads((katex_dir.parent / "package.json").read_text(encoding="utf-8"))["version"]
    except (OSError, KeyError, ValueError):
        return "?"


_HANDOUT_TEMPLATE = r"""{%- extends 'mha_offline.html.j2' -%}
{%- block html_head_js_mathjax -%}
{{ resources.mha_katex_head }}
{%- endblock html_head_js_mathjax -%}
{%- block body_footer -%}
<div class="mha-handout-footer">{{ resources.mha_footer | e }}</div>
{{ super() }}
{%- endblock body_footer -%}
"""


class HandoutHTMLExporter(OfflineHTMLExporter):
    """OfflineHTMLExporter + KaTeX inlined for markdown math + print CSS + a footer line."""

    def _template_file_default(self):
        return "mha_handout.html.j2"

    def _create_environment(self):
        self.extra_loaders = [DictLoader({"mha_handout.html.j2": _HANDOUT_TEMPLATE}), *self.extra_loaders]
        return super()._create_environment()

    def from_notebook_node(self, nb, resources=None, **kw):
        resources = dict(resources or {})
        resources.setdefault("mha_trusted_scripts", [])
        resources.setdefault("mha_katex_head", katex_head(resources=resources))
        resources.setdefault("mha_footer", "")
        return super().from_notebook_node(nb, resources, **kw)


def notebook_title(nb, fallback: str) -> str:
    """The text of the first markdown heading, without LaTeX dollars; else the file name."""
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():
            m = re.match(r"^\s*#{1,6}\s+(.*\S)", line)
            if m:
                return re.sub(r"\$([^$]*)\$", lambda t: re.sub(r"[\\{}]", "", t.group(1)), m.group(1)).strip()
    return fallback


def count_plotly(nb) -> int:
    return sum(
        1
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if PLOTLY_MIME in out.get("data", {})
    )


def error_outputs(nb) -> list[str]:
    """Why an executed copy is not a clean run: error outputs, stderr (as nbrun.py judges it), cells never run."""
    found = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        if cell.source.strip() and cell.get("execution_count") is None:
            found.append(f"cell {i} was never executed")
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                found.append(f"cell {i}: {out.get('ename', 'Error')}: {out.get('evalue', '')}"[:200])
            elif (out.get("output_type") == "stream" and out.get("name") == "stderr" and out.get("text", "").strip()
                  and "allow-stderr" not in cell.metadata.get("tags", [])):
                found.append(f"cell {i} wrote to stderr: {out['text'].strip().splitlines()[0]}"[:200])
    return found


def stale_copy(notebook: Path, copy: Path) -> str | None:
    """Why the executed copy of `notebook` cannot stand for it (missing, not a clean run, older), or None."""
    if not copy.is_file():
        return f"no executed copy {copy}"
    if copy.stat().st_mtime < notebook.stat().st_mtime:
        return f"the executed copy {copy} is older than the notebook"
    errs = error_outputs(nbformat.read(copy, as_version=4))
    if errs:
        return f"the executed copy is not a clean run ({errs[0]})"
    return None


def write_html(nb, name: str, out_dir: Path, footer: str) -> tuple[Path, str]:
    title = notebook_title(nb, name)
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))  # copy: the preprocessor edits outputs in place
    nb.metadata["title"] = title
    exporter = HandoutHTMLExporter()
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": name}, "mha_footer": footer})
    out = out_dir / f"{name}.html"
    out.write_text(body, encoding="utf-8")
    return out, title


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Execute notebooks and write offline HTML handouts.")
    ap.add_argument("notebooks", nargs="+", help="notebooks/*.ipynb to hand out")
    ap.add_argument("--out", default=str(ROOT / "handouts"))
    ap.add_argument("--executed", default=str(ROOT / "build" / "executed"), help="where executed copies go / are read")
    ap.add_argument("--no-execute", action="store_true", help="use the executed copies in --executed as they are")
    ap.add_argument("--execute-missing", action="store_true",
                    help="with --no-execute: execute the notebooks whose executed copy is missing, not a clean run, or older than the notebook")
    ap.add_argument("--footer", default="")
    args = ap.parse_args(argv)

    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    executed_dir = Path(args.executed)
    failures = 0
    total = len(args.notebooks)
    for i, nb_path in enumerate(map(Path, args.notebooks), 1):
        name = nb_path.stem
        info = {"name": name, "title": name, "html": None, "plotly": 0, "ok": True, "error": None,
                "executeSeconds": 0.0, "htmlSeconds": 0.0}
        t0 = time.time()
        nb = None
        copy = executed_dir / nb_path.name
        stale = stale_copy(nb_path, copy) if args.no_execute and args.execute_missing else None
        if stale:
            print(f"[{i}/{total}] {name}: {stale}: executing it", flush=True)
        if args.no_execute and not stale:
            copy = executed_dir / nb_path.name
            print(f"[{i}/{total}] {name}: reading {copy}", flush=True)
            if copy.is_file():
                nb = nbformat.read(copy, as_version=4)
                errs = error_outputs(nb)
                if errs:
                    info.update(ok=False, error=f"the executed copy is not a clean run ({len(errs)} problem(s)): {errs[0]}")
            else:
                info.update(ok=False, error=f"no executed copy {copy} (run without --no-execute)")
        else:
            from nbrun import NotebookFailed, run_notebook  # the runtime helper's runner

            print(f"[{i}/{total}] {name}: executing with the tslab kernel ...", flush=True)
            try:
                nb = run_notebook(nb_path, out_dir=executed_dir)
            except NotebookFailed as e:
                info.update(ok=False, error=str(e).strip().splitlines()[0][:300])
                copy = executed_dir / nb_path.name
                nb = nbformat.read(copy, as_version=4) if copy.is_file() else None
        info["executeSeconds"] = round(time.time() - t0, 1)
        if nb is not None:
            t1 = time.time()
            html, title = write_html(nb, name, out_dir, args.footer)
            info.update(html=str(html), title=title, plotly=count_plotly(nb), htmlSeconds=round(time.time() - t1, 1))
        if not info["ok"]:
            failures += 1
            print(f"[{i}/{total}] {name}: FAILED: {info['error']}", flush=True)
        else:
            mb = Path(info["html"]).stat().st_size / 1e6
            print(
                f"[{i}/{total}] {name}: {'executed in %.1f s, ' % info['executeSeconds'] if not args.no_execute or stale else ''}"
                f"HTML {mb:.1f} MB, {info['plotly']} charts ({info['htmlSeconds']:.1f} s)",
                flush=True,
            )
        print("@@handout " + json.dumps(info), flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
