"""The rule catalogue written out: ``rules.md`` and ``rules.html`` (one self-contained page, no
external resources, print-friendly), from :func:`pipelines.catalogue.build_catalogue`.

Every text from the pack (titles, descriptions, clause quotations, local values) is escaped: in
HTML by Jinja's autoescaping, in Markdown by the ``md`` filter (``<`` written as ``&lt;``, table
pipes escaped), so a rule title like ``<script>`` is shown, never run.
"""

from __future__ import annotations

import json
from pathlib import Path

import jinja2

from pipelines.sqlfuncs import one_paragraph as join_lines

from .text import clean, clean_value, md_inline

TEMPLATES = Path(__file__).parent / "templates"


def md(text) -> str:
    """Text safe inside a Markdown table cell, list item or quotation: one line, no raw HTML, no
    link, image or other markup (reports.text.md_inline)."""
    return md_inline(join_lines(clean(text)))


def value(v) -> str:
    """A local.yaml value (was / now) in one line."""
    if isinstance(v, (dict, list)):
        return json.dumps(v, ensure_ascii=False)
    return "（未写）" if v is None else str(v)


def _environment(html: bool) -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=html,
                             keep_trailing_newline=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True, finalize=clean_value)
    env.filters["md"] = md
    env.filters["para"] = join_lines
    env.filters["value"] = value
    return env


def render_markdown(cat) -> str:
    return _environment(html=False).get_template("rules.md.j2").render(cat=cat)


def render_html(cat) -> str:
    return _environment(html=True).get_template("rules.html.j2").render(cat=cat)


def write_catalogue(cat: Catalogue, out_dir: Path) -> list[Path]:
    """Write rules.md and rules.html into ``out_dir`` (created); return their paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / "rules.md", out_dir / "rules.html"]
    paths[0].write_text(render_markdown(cat), encoding="utf-8")
    paths[1].write_text(render_html(cat), encoding="utf-8")
    return paths
