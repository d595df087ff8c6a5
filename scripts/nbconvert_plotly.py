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
  (require.js, mermaid, widgets; MathJax only if ``--mathjax-url`` points at a local copy), using the preprocessor.
* **Untrusted notebooks are safe to convert**: everything the notebook brings is treated as JupyterLab treats an
  untrusted notebook. Markdown cells, ``text/html``, ``text/markdown`` and raw HTML go through ``clean_notebook_html``
  (bleach, an allow-list of text tags: no ``<script>``, event handlers, ``javascript:``/``file:`` URLs, forms, iframes,
  styles); ``application/javascript`` outputs are not run; output ``filenames`` metadata is dropped. The page carries a
  Content-Security-Policy that lets only the scripts this module wrote run (their sha256 hashes) and loads nothing but
  ``data:`` images and fonts, so no ``file:`` subresource is fetched even if markup got through.

Use:
    python scripts/nbconvert_plotly.py notebook.ipynb [-o out.html] [--plotly-js path/to/plotly.js]
or with the stock CLI (PYTHONPATH=scripts):
    jupyter nbconvert --to html --HTMLExporter.preprocessors='["nbconvert_plotly.PlotlyHTMLPreprocessor"]' nb.ipynb
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import re
import sys
from pathlib import Path

import bleach
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


# What a notebook's own markup (markdown cells, HTML/markdown outputs, raw cells) may use in a handout: text structure.
SAFE_TAGS = frozenset(
    "a abbr b blockquote br caption cite code col colgroup dd del details div dl dt em figcaption figure h1 h2 h3 h4 h5 "
    "h6 hr i img ins kbd li mark ol p pre q s samp small span strong sub summary sup table tbody td tfoot th thead tr u "
    "ul var".split()
)
_SAFE_ATTRS = {
    "*": {"class", "id", "title", "lang", "dir"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "ol": {"start", "type"},
    "col": {"span"},
    "colgroup": {"span"},
}
# names the page's own machinery uses: notebook markup may not take them (a div with id "mha-plotly-3-0" would take
# the chart's place, one with class "js-plotly-plot" would be counted as a chart)
_RESERVED = re.compile(r"(^|\s)(mha-|js-plotly|katex|plotly)", re.IGNORECASE)


def _allowed_attr(tag: str, name: str, value: str) -> bool:
    if name not in _SAFE_ATTRS.get(tag, set()) | _SAFE_ATTRS["*"]:
        return False
    if name in ("id", "class") and _RESERVED.search(value):
        return False
    v = value.strip().lower()
    if tag == "img" and name == "src":
        return bool(re.match(r"data:image/(png|jpeg|gif|webp);base64,", v))  # no file:, no URL, no SVG (scripts)
    if tag == "a" and name == "href":
        return not v.startswith(("data:", "javascript:", "vbscript:", "file:"))
    return True


def clean_notebook_html(html) -> str:
    """A notebook's own HTML made inert, as JupyterLab sanitises an untrusted notebook: bleach with SAFE_TAGS, other
    tags removed (their text kept), no event handler, style, form, frame or script, links only http(s)/mailto/relative.

    clean('<img src=x onerror=alert(1)><b>hi</b>') == '<b>hi</b>'
    """
    html = html.decode() if isinstance(html, bytes) else str(html)
    # the content of these elements is code or a document, not text: drop it with the element
    html = re.sub(r"<(script|style|iframe|object|embed|noscript|template|textarea|select|svg|math)\b[\s\S]*?</\1\s*>", "", html, flags=re.IGNORECASE)
    return bleach.clean(html, tags=SAFE_TAGS, attributes=_allowed_attr, protocols={"http", "https", "mailto", "data"},
                        strip=True, strip_comments=True)


# The page loads only what it carries: data: images (plotly's heatmaps, notebook PNGs) and data: fonts (KaTeX);
# scripts run only when their hash is listed (ours); no frames, forms, connections, plugins or <base>.
_CSP = ("default-src 'none'; script-src {hashes}; style-src 'unsafe-inline'; img-src data: blob:; font-src data:; "
        "connect-src 'none'; frame-src 'none'; child-src 'none'; worker-src 'none'; object-src 'none'; "
        "form-action 'none'; base-uri 'none'")


def trusted_script(body: str, resources: dict | None) -> str:
    """An inline <script> this module wrote, its text made safe to inline; its hash goes into the page's CSP."""
    body = re.sub(r"</(script)", r"<\\/\1", body, flags=re.IGNORECASE)
    if resources is not None:
        resources.setdefault("mha_trusted_scripts", []).append(body)
    return f'<script type="text/javascript">{body}</script>'


def add_csp(html: str, scripts: list[str]) -> str:
    """The page with a Content-Security-Policy <meta> first in <head>, allowing exactly `scripts` (by sha256)."""
    hashes = " ".join(sorted({"'sha256-%s'" % base64.b64encode(hashlib.sha256(b.encode("utf-8")).digest()).decode() for b in scripts})) or "'none'"
    meta = f'<meta http-equiv="Content-Security-Policy" content="{_CSP.format(hashes=hashes)}">'
    head = re.search(r"<head[^>]*>", html, flags=re.IGNORECASE)
    if not head:
        raise ValueError("nbconvert_plotly: the page has no <head> to put its Content-Security-Policy in")
    return html[: head.end()] + "\n" + meta + html[head.end():]


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


def _figure_html(fig: dict, div_id: str, resources: dict | None = None) -> str:
    layout = fig.get("layout") or {}
    height = layout.get("height") if isinstance(layout.get("height"), (int, float)) else 450
    height = min(max(int(height), 10), 20000)
    return f'<div id="{div_id}" class="mha-plotly" style="height:{height}px"></div>\n' + trusted_script(
        "(function () {\n"
        f"  var fig = {script_safe_json(fig)};\n"
        f'  Plotly.newPlot("{div_id}", fig.data || [], fig.layout || {{}}, {{ displaylogo: false }});\n'
        "})();",
        resources,
    )


class PlotlyHTMLPreprocessor(Preprocessor):
    """Add text/html (div + Plotly.newPlot) to plotly MIME outputs; inline plotly.js once per notebook."""

    plotly_js_path = Unicode("", help="path of plotly.js (default: node_modules/plotly.js-dist/plotly.js)").tag(config=True)

    def preprocess(self, nb, resources):
        self._plotly_included = False
        self._plotly_src = None
        return super().preprocess(nb, resources)

    def _plotly_script(self, resources) -> str:
        if self._plotly_src is None:
            path = Path(self.plotly_js_path) if self.plotly_js_path else find_plotly_js()
            self._plotly_src = read_plotly_js(path)
        return trusted_script(f"/* plotly.js, inlined once */\n{self._plotly_src}\n", resources) + "\n"

    def preprocess_cell(self, cell, resources, index):
        tags = cell.get("metadata", {}).get("tags")
        if isinstance(tags, list):  # tags become CSS classes: words only, never quotes or markup
            cell.metadata["tags"] = [t for t in tags if isinstance(t, str) and re.fullmatch(r"[\w-]{1,64}", t)]
        if cell.get("cell_type") != "code":
            return cell, resources
        for j, out in enumerate(cell.get("outputs", [])):
            # files next to the notebook are never part of a handout (an image "filename" could name any local file)
            meta = out.get("metadata")
            if isinstance(meta, dict):
                meta.pop("filenames", None)
            if out.get("output_type") not in ("display_data", "execute_result"):
                continue
            data = out.get("data", {})
            if PLOTLY_MIME not in data:
                continue
            fig = data[PLOTLY_MIME]
            if isinstance(fig, str):  # some writers store JSON text
                fig = json.loads(fig)
            if not isinstance(fig, dict):
                raise ValueError(f"nbconvert_plotly: cell {index}, output {j}: the plotly output is not a figure object")
            html = _figure_html(fig, f"mha-plotly-{index}-{j}", resources)
            if not self._plotly_included:
                html = self._plotly_script(resources) + html
                self._plotly_included = True
            # the template draws this output's text/html as is (only for outputs carrying the plotly MIME type): it is
            # always ours, replacing whatever text/html the notebook brought
            data["text/html"] = html
        return cell, resources


_OFFLINE_TEMPLATE = r"""{%- extends 'index.html.j2' -%}
{% from 'cell_id_anchor.j2' import cell_id_anchor %}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}
{%- if resources.mha_mathjax_url -%}
<script src="{{ resources.mha_mathjax_url }}?config=TeX-AMS_CHTML-full,Safe"></script>
{%- endif -%}
{%- endblock html_head_js_mathjax -%}

{% block markdowncell scoped %}
<div {{ cell_id_anchor(cell) }} class="jp-Cell jp-MarkdownCell jp-Notebook-cell">
<div class="jp-Cell-inputWrapper">
<div class="jp-Collapser jp-InputCollapser jp-Cell-inputCollapser">
</div>
<div class="jp-InputArea jp-Cell-inputArea">
{%- if resources.global_content_filter.include_input_prompt-%}
    {{ self.empty_in_prompt() }}
{%- endif -%}
<div class="jp-RenderedHTMLCommon jp-RenderedMarkdown jp-MarkdownOutput" data-mime-type="text/markdown">
{{ cell.source | markdown2html | strip_files_prefix | mha_clean }}
</div>
</div>
</div>
</div>
{%- endblock markdowncell %}

{% block rawcell scoped %}
{%- if cell.metadata.get('raw_mimetype', '').lower() in resources.get('raw_mimetypes', ['']) -%}
{{ cell.source | mha_clean }}
{%- endif -%}
{%- endblock rawcell %}

{% block data_html scoped -%}
<div class="jp-RenderedHTMLCommon jp-RenderedHTML jp-OutputArea-output {{ extra_class }}" data-mime-type="text/html">
{%- if 'application/vnd.plotly.v1+json' in output.data %}
{{ output.data['text/html'] }}
{%- else %}
{{ output.data['text/html'] | mha_clean }}
{%- endif %}
</div>
{%- endblock data_html %}

{% block data_markdown scoped -%}
<div class="jp-RenderedHTMLCommon jp-RenderedMarkdown jp-OutputArea-output {{ extra_class }}" data-mime-type="text/markdown">
{{ output.data['text/markdown'] | markdown2html | mha_clean }}
</div>
{%- endblock data_markdown %}

{%- block data_javascript scoped %}
<div class="jp-RenderedText jp-OutputArea-output {{ extra_class }}" data-mime-type="text/plain">
<pre>[a JavaScript output: not run in a handout]</pre>
</div>
{%- endblock -%}
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

    def default_filters(self):
        yield from super().default_filters()
        yield ("mha_clean", clean_notebook_html)

    def from_notebook_node(self, nb, resources=None, **kw):
        resources = dict(resources or {})
        resources["mha_mathjax_url"] = self.local_mathjax_url
        resources.setdefault("mha_trusted_scripts", [])
        body, resources = super().from_notebook_node(nb, resources, **kw)
        return add_csp(body, resources["mha_trusted_scripts"]), resources


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
