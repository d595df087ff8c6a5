#!/usr/bin/env python3
"""Offline HTML handouts for notebooks whose charts are plotly MIME outputs.

mha-lab's ``show(figure)`` sends one MIME type, ``application/vnd.plotly.v1+json``. JupyterLab draws it
with plotly's mime renderer, but nbconvert's HTML exporter has no plotly entry in its priority list and
drops it. This module fixes that, offline:

* ``PlotlyHTMLPreprocessor`` adds a ``text/html`` representation to every output that carries the plotly
  MIME type: a ``<div>`` plus a ``Plotly.newPlot`` call, the figure embedded as JSON escaped for
  ``<script>`` (``<``, ``>``, ``&``, U+2028, U+2029 as ``\\uXXXX``). plotly.js itself, read from
  ``node_modules/plotly.js-dist/plotly.js`` (never a CDN), is inlined exactly once per document: in front
  of the first plotly output, as plotly.py's own "notebook" renderer does.
* ``OfflineHTMLExporter`` is nbconvert's lab HTML exporter without the CDN scripts of the stock template
  (require.js, mermaid; MathJax only if ``--mathjax-url`` points at a local copy), using the preprocessor.

Use:
    python scripts/nbconvert_plotly.py notebook.ipynb [-o out.html] [--plotly-js path/to/plotly.js]
or with the stock CLI (PYTHONPATH=scripts):
    jupyter nbconvert --to html --HTMLExporter.preprocessors='["nbconvert_plotly.PlotlyHTMLPreprocessor"]' nb.ipynb
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path

from jinja2 import DictLoader
from nbconvert.exporters import HTMLExporter
from nbconvert.preprocessors import Preprocessor
from traitlets import Unicode

PLOTLY_MIME = "application/vnd.plotly.v1+json"

_SCRIPT_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def script_safe_json(value) -> str:
    """JSON text safe inside an HTML <script> element (same escapes as src/html/safe-json.ts)."""
    text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return re.sub("[<>&\u2028\u2029]", lambda m: _SCRIPT_ESCAPES[m.group(0)], text)


def find_plotly_js(start: Path | None = None) -> Path:
    """node_modules/plotly.js-dist/plotly.js, searched upwards from `start`, this script and the cwd."""
    env = os.environ.get("MHA_PLOTLY_JS")
    if env:
        return Path(env)
    for base in [start, Path(__file__).resolve().parent, Path.cwd()]:
        if base is None:
            continue
        for d in [base, *base.parents]:
            p = d / "node_modules" / "plotly.js-dist" / "plotly.js"
            if p.is_file():
                return p
    raise FileNotFoundError(
        "nbconvert_plotly: cannot find node_modules/plotly.js-dist/plotly.js (run from the mha-lab repo, "
        "or set MHA_PLOTLY_JS / --plotly-js)"
    )


def read_plotly_js(path: Path) -> str:
    """The plotly.js bundle, with any `</script` written as `<\\/script` so it can be inlined."""
    src = Path(path).read_text(encoding="utf-8")
    return re.sub(r"</(script)", r"<\\/\1", src, flags=re.IGNORECASE)


def _figure_html(fig: dict, div_id: str) -> str:
    layout = fig.get("layout") or {}
    height = layout.get("height") if isinstance(layout.get("height"), (int, float)) else 450
    return (
        f'<div id="{div_id}" class="mha-plotly" style="height:{int(height)}px"></div>\n'
        "<script>(function () {\n"
        f"  var fig = {script_safe_json(fig)};\n"
        f'  Plotly.newPlot("{div_id}", fig.data || [], fig.layout || {{}}, {{ displaylogo: false }});\n'
        "})();</script>"
    )


class PlotlyHTMLPreprocessor(Preprocessor):
    """Add text/html (div + Plotly.newPlot) to plotly MIME outputs; inline plotly.js once per notebook."""

    plotly_js_path = Unicode("", help="path of plotly.js (default: node_modules/plotly.js-dist/plotly.js)").tag(config=True)

    def preprocess(self, nb, resources):
        self._plotly_included = False
        self._plotly_src = None
        return super().preprocess(nb, resources)

    def _plotly_script(self) -> str:
        if self._plotly_src is None:
            path = Path(self.plotly_js_path) if self.plotly_js_path else find_plotly_js()
            self._plotly_src = read_plotly_js(path)
        return f'<script type="text/javascript">/* plotly.js, inlined once */\n{self._plotly_src}\n</script>\n'

    def preprocess_cell(self, cell, resources, index):
        if cell.get("cell_type") != "code":
            return cell, resources
        for j, out in enumerate(cell.get("outputs", [])):
            if out.get("output_type") not in ("display_data", "execute_result"):
                continue
            data = out.get("data", {})
            if PLOTLY_MIME not in data:
                continue
            fig = data[PLOTLY_MIME]
            if isinstance(fig, str):  # some writers store JSON text
                fig = json.loads(fig)
            html = _figure_html(fig, f"mha-plotly-{index}-{j}")
            if not self._plotly_included:
                html = self._plotly_script() + html
                self._plotly_included = True
            data["text/html"] = html
        return cell, resources


_OFFLINE_TEMPLATE = r"""{%- extends 'index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block html_head_js_mathjax -%}
{%- if resources.mha_mathjax_url -%}
<script src="{{ resources.mha_mathjax_url }}?config=TeX-AMS_CHTML-full,Safe"></script>
{%- endif -%}
{%- endblock html_head_js_mathjax -%}
"""


class OfflineHTMLExporter(HTMLExporter):
    """nbconvert's lab HTML exporter, offline: no CDN <script src>, plotly outputs drawn from inlined plotly.js."""

    export_from_notebook = "HTML (offline, plotly)"
    local_mathjax_url = Unicode("", help="a local (relative) MathJax.js URL; empty = no MathJax").tag(config=True)

    def __init__(self, **kw):
        super().__init__(**kw)
        self.register_preprocessor(PlotlyHTMLPreprocessor, enabled=True)

    def _template_file_default(self):
        return "mha_offline.html.j2"

    def _create_environment(self):
        self.extra_loaders = [DictLoader({"mha_offline.html.j2": _OFFLINE_TEMPLATE}), *self.extra_loaders]
        return super()._create_environment()

    def from_notebook_node(self, nb, resources=None, **kw):
        resources = dict(resources or {})
        resources["mha_mathjax_url"] = self.local_mathjax_url
        return super().from_notebook_node(nb, resources, **kw)


def convert(path_in: str, path_out: str | None = None, plotly_js: str | None = None) -> str:
    """Convert one notebook to an offline HTML page; returns the output path."""
    import nbformat

    nb = nbformat.read(path_in, as_version=4)
    exporter = OfflineHTMLExporter()
    if plotly_js:
        for pp in exporter._preprocessors:
            if isinstance(pp, PlotlyHTMLPreprocessor):
                pp.plotly_js_path = plotly_js
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": Path(path_in).stem}})
    out = path_out or str(Path(path_in).with_suffix(".html"))
    Path(out).write_text(body, encoding="utf-8")
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Offline HTML from a notebook with plotly MIME outputs.")
    ap.add_argument("notebook")
    ap.add_argument("-o", "--output")
    ap.add_argument("--plotly-js", help="path of plotly.js (default: node_modules/plotly.js-dist/plotly.js)")
    args = ap.parse_args(argv)
    out = convert(args.notebook, args.output, args.plotly_js)
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
