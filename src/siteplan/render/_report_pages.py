"""The report's pages for people: markdown, and one self-contained HTML page.

Both render the tables of :mod:`siteplan.render._tables`. The HTML page has
inline CSS (``static/report.css``, a package file), no script and no external
resource; its map and distance matrix are PNG pictures embedded as data URLs.
"""

from __future__ import annotations

import base64
from functools import cache
from importlib.resources import files
from itertools import islice
from typing import TYPE_CHECKING, Final

from siteplan import __version__
from siteplan.render._static_map import heatmap_png, site_map_png
from siteplan.render._tables import (
    MEASURE_SHORT,
    Table,
    caveat_label,
    headline_parts,
    scope,
    tables,
)
from siteplan.render.text import escape_all, escape_html, escape_markdown

if TYPE_CHECKING:
    from siteplan.analysis import Result

__all__ = ["render_html", "render_markdown"]

# Belt and braces for a page that may be emailed: no script, no external resource.
_CSP: Final = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"


# --------------------------------------------------------------------------- markdown


def _markdown_table(table: Table) -> list[str]:
    lines = [f"## {table.title}", ""]
    if table.note:
        lines += [escape_markdown(table.note), ""]
    if not table.rows:
        return [*lines, "(none)", ""]
    lines.append("| " + " | ".join(escape_markdown(h) for h in table.headers) + " |")
    lines.append("|" + "|".join("---:" if n else "---" for n in table.numeric) + "|")
    cells = iter(escape_all([c for row in table.rows for c in row], escape_markdown))
    lines += ["| " + " | ".join(islice(cells, len(row))) + " |" for row in table.rows]
    return [*lines, ""]


def render_markdown(result: Result) -> str:
    """Return the report as markdown."""
    lines = [f"# Proximity report: {escape_markdown(result.name)}", ""]
    lines += [f"> **{caveat_label(result)}.** {escape_markdown(result.caveat)}", ""]
    headline = "".join(
        f"**{escape_markdown(text)}**" if strong else escape_markdown(text)
        for text, strong in headline_parts(result)
    )
    lines += [headline.strip(), ""]
    lines += [escape_markdown(scope(result)), ""]
    for table in tables(result):
        lines += _markdown_table(table)
    lines += ["## Warnings", ""]
    lines += [f"- {escape_markdown(w)}" for w in result.warnings] or ["None."]
    return "\n".join(lines).rstrip("\n") + "\n"


# --------------------------------------------------------------------------- html


@cache
def _css() -> str:
    """Return the page's style sheet (``static/report.css``)."""
    return files("siteplan.render").joinpath("static/report.css").read_text("utf-8").strip()


def _html_table(table: Table) -> list[str]:
    out = [f'<section id="{escape_html(table.key)}">', f"<h2>{escape_html(table.title)}</h2>"]
    if table.note:
        out.append(f'<p class="note">{escape_html(table.note)}</p>')
    if not table.rows:
        return [*out, "<p>(none)</p>", "</section>"]

    def cell(tag: str, text: str, numeric: bool) -> str:
        cls = ' class="num"' if numeric else ""
        return f"<{tag}{cls}>{escape_html(text)}</{tag}>"

    out.append("<table>")
    heads = "".join(
        cell("th", h, n).replace("<th", '<th scope="col"', 1)
        for h, n in zip(table.headers, table.numeric, strict=True)
    )
    out.append(f"<thead><tr>{heads}</tr></thead>")
    out.append("<tbody>")
    width = len(table.numeric)
    if any(len(row) != width for row in table.rows):
        raise ValueError(f"table {table.key!r}: a row's length differs from its headers'")
    # one row: <tr><td class="num">{}</td><td>{}</td>...</tr>, filled with escaped cells
    row_text = "<tr>" + "".join(cell("td", "\x00", n) for n in table.numeric) + "</tr>"
    fill = row_text.replace("{", "{{").replace("}", "}}").replace("\x00", "{}").format
    cells = escape_all([c for row in table.rows for c in row], escape_html)
    out += [fill(*cells[k : k + width]) for k in range(0, len(cells), width)]
    out += ["</tbody>", "</table>", "</section>"]
    return out


def _img(data: bytes, alt: str) -> str:
    encoded = base64.b64encode(data).decode("ascii")
    return f'<img alt="{escape_html(alt)}" src="data:image/png;base64,{encoded}">'


def render_html(result: Result) -> str:
    """Return the report as one self-contained HTML page."""
    measure = MEASURE_SHORT[result.parameters.measure]
    title = f"Proximity report: {result.name}"
    headline = "".join(
        f"<strong>{escape_html(text)}</strong>" if strong else escape_html(text)
        for text, strong in headline_parts(result)
    ).strip()
    focus = result.study.focus if result.study.focus in set(result.sites["id"]) else None
    ring_owner = f"around {focus}" if focus else "around every site"
    by_key = {t.key: t for t in tables(result)}
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape_html(title)}</title>",
        f"<style>{_css()}</style>",
        "</head>",
        "<body>",
        "<main>",
        f"<h1>{escape_html(title)}</h1>",
        f'<div class="caveat" role="note"><strong>{escape_html(caveat_label(result))}.</strong> '
        f"{escape_html(result.caveat)}</div>",
        f'<p class="headline">{headline}</p>',
        f"<p>{escape_html(scope(result))}</p>",
        '<section id="map">',
        "<h2>Map</h2>",
        "<figure>",
        _img(
            site_map_png(result),
            f"Map of the sites coloured by score, with rings {ring_owner} and pair lines",
        ),
        f"<figcaption>Sites coloured by score (0-100) and labelled by id; ring outlines "
        f"{escape_html(ring_owner)}; pair lines are the shortest edge-to-edge segments. Drawn in "
        f"{escape_html(result.crs_name)}; no basemap.</figcaption>",
        "</figure>",
        "</section>",
        *_html_table(by_key["ranking"]),
        *_html_table(by_key["pairs"]),
        '<section id="matrix">',
        "<h2>Distance matrix</h2>",
        "<figure>",
        _img(heatmap_png(result), f"Matrix of {measure} distances between every pair of sites"),
        f"<figcaption>{escape_html(measure.capitalize())} distance in metres between every pair "
        "of sites, in rank order.</figcaption>",
        "</figure>",
        "</section>",
        *_html_table(by_key["breakdown"]),
        *_html_table(by_key["overlaps"]),
        *_html_table(by_key["details"]),
        *_html_table(by_key["parameters"]),
        '<section id="warnings">',
        "<h2>Warnings</h2>",
    ]
    if result.warnings:
        out += ["<ul>", *(f"<li>{escape_html(w)}</li>" for w in result.warnings), "</ul>"]
    else:
        out.append("<p>None.</p>")
    out += [
        "</section>",
        "</main>",
        f"<footer>Made with siteplan {escape_html(__version__)}.</footer>",
        "</body>",
        "</html>",
    ]
    return "\n".join(out) + "\n"
