"""Render a :class:`~siteplan.analysis.Result` as a proximity report.

Four formats, all read from the one result object (nothing is re-measured):

- ``json``: the contract in DESIGN.md (study, crs, parameters, sites, pairs,
  cluster_score, warnings) plus the caveat, per-site breakdowns and buffer
  overlaps, at full float precision;
- ``markdown``: a headline, the accuracy caveat and the tables, rounded for people;
- ``csv``: one row per pair (``table="pairs"``) or per site (``table="sites"``),
  at full float precision;
- ``html``: one self-contained page (inline CSS, no script, no external
  resource) with the tables, a static map and a distance-matrix heatmap
  embedded as PNG.

Every format is deterministic: the same result gives the same bytes.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd

from siteplan._io import write_text
from siteplan._values import is_missing, json_value
from siteplan.analysis import PAIR_COLUMNS, Result
from siteplan.errors import ParameterError

__all__ = [
    "FORMATS",
    "TABLES",
    "format_for_path",
    "render_report",
    "report_dict",
    "write_report",
]

#: Report formats, in the order the CLI lists them.
FORMATS: Final = ("markdown", "csv", "json", "html")
#: Tables ``csv`` can write.
TABLES: Final = ("pairs", "sites")
#: Output suffixes and the format each implies.
SUFFIX_FORMATS: Final = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".csv": "csv",
    ".json": "json",
    ".html": "html",
    ".htm": "html",
}

_MEASURE_TEXT: Final = {
    "edge": "edge-to-edge (0 when footprints touch or overlap)",
    "centroid": "centroid-to-centroid",
}
_MEASURE_SHORT: Final = {"edge": "edge-to-edge", "centroid": "centroid-to-centroid"}
# Formulas for people, with typographic multiplication and minus signs.
_DECAY_FORMULAS: Final = {
    "rings": "100 × (n − k) / n for the first ring k (0-based) of n that reaches; 0 beyond",  # noqa: RUF001
    "linear": "100 × max(0, 1 − d / max_m)",  # noqa: RUF001
    "exponential": "100 × 2^(−d / half_m)",  # noqa: RUF001
    "gaussian": "100 × exp(−d² / (2 sigma_m²))",  # noqa: RUF001
    "logistic": "100 / (1 + exp((d − inflection_m) / steepness_m))",  # noqa: RUF001
}
# Site-table columns written first, in this order; the layers' other properties follow.
_SITE_COLUMNS: Final = (
    "rank",
    "id",
    "name",
    "name_zh",
    "layer",
    "score",
    "nearest_id",
    "nearest_m",
    "area_m2",
    "geodesic_area_m2",
    "weight",
    "placement",
    "accuracy_m",
)


# --------------------------------------------------------------------------- public API


def render_report(result: Result, fmt: str = "markdown", table: str = "pairs") -> str:
    """Render the proximity report of an analysis as text.

    Parameters
    ----------
    result
        The analysis to report (see :func:`siteplan.analyze`).
    fmt
        ``markdown`` (default), ``csv``, ``json`` or ``html``.
    table
        For ``csv`` only: ``pairs`` (default, one row per pair) or ``sites``
        (one row per site, in rank order).

    Returns
    -------
    str
        The report, ending with a newline.

    Raises
    ------
    ParameterError
        For an unknown format or table, or a table other than ``pairs`` with a
        format other than ``csv``.

    Examples
    --------
    >>> import json
    >>> from siteplan import analyze
    >>> report = json.loads(render_report(analyze(), "json"))
    >>> report["crs"], len(report["sites"]), len(report["pairs"])
    ('EPSG:32651', 4, 6)
    """
    _check_choice("format", fmt, FORMATS)
    _check_choice("table", table, TABLES)
    if table != "pairs" and fmt != "csv":
        raise ParameterError(
            f"table {table!r} applies to the csv format only; "
            f"{fmt} reports carry both the pairs and the sites tables"
        )
    if fmt == "json":
        return json.dumps(report_dict(result), ensure_ascii=False, indent=2, allow_nan=False) + "\n"
    if fmt == "csv":
        return _render_csv(result, table)
    if fmt == "markdown":
        return _render_markdown(result)
    return _render_html(result)


def write_report(
    result: Result, path: str | Path, fmt: str | None = None, table: str = "pairs"
) -> Path:
    """Write the report to ``path`` atomically and return the path.

    Parameters
    ----------
    result
        The analysis to report.
    path
        The output file. Missing parent folders are created; an input of the
        study is never overwritten.
    fmt
        The format; None infers it from the suffix (see :func:`format_for_path`).
    table
        For ``csv``: ``pairs`` or ``sites``.

    Raises
    ------
    ParameterError
        For an unknown format or table.
    OutputError
        When the path is one of the study's inputs, a folder, or cannot be written.
    """
    path = Path(path)
    text = render_report(result, format_for_path(path) if fmt is None else fmt, table)
    return write_text(path, text, inputs=result.inputs)


def format_for_path(path: str | Path) -> str:
    """Return the report format a file name implies: by suffix, else ``markdown``.

    Examples
    --------
    >>> format_for_path("out/report.HTML"), format_for_path("report.txt")
    ('html', 'markdown')
    """
    return SUFFIX_FORMATS.get(Path(path).suffix.lower(), "markdown")


def report_dict(result: Result) -> dict[str, Any]:
    """Return the JSON report as plain Python values (the DESIGN.md contract).

    Keys: ``study``, ``crs``, ``focus``, ``schematic``, ``caveat``,
    ``parameters`` (the resolved scoring parameters plus ``crs``), ``sites`` (in
    rank order), ``pairs`` (in ``(a, b)`` order), ``cluster_score`` and
    ``warnings``. Floats are unrounded; missing values (a pair beyond the last
    ring, a site without neighbours) are None.

    Each site carries ``id``, ``name``, ``layer``, ``area_m2``, ``score``,
    ``rank``, ``nearest_id``, ``nearest_m``, then ``name_zh``, ``placement``,
    ``accuracy_m``, ``weight``, ``geodesic_area_m2``, ``breakdown`` (neighbour
    id -> contribution to the score) and ``properties`` (the layer's other
    properties). Each pair carries ``a``, ``b``, ``edge_m``, ``centroid_m``,
    ``geodesic_m``, ``ring_m``, ``score``, then ``name_a``, ``name_b``,
    ``distance_m`` (the chosen measure) and ``overlap_m2`` (buffer overlap
    area at each ring, aligned with ``parameters.rings_m``).
    """
    parameters = {"crs": result.crs_name, **result.parameters.as_dict()}
    breakdowns = _breakdowns(result)
    overlaps = _overlap_lookup(result)
    rings = result.parameters.rings_m
    return {
        "study": result.name,
        "crs": result.crs_name,
        "focus": result.study.focus,
        "schematic": bool(result.schematic),
        "caveat": result.caveat,
        "parameters": json_value(parameters),
        "sites": [_site_record(row, breakdowns) for row in _records(result.sites)],
        "pairs": [_pair_record(row, overlaps, rings) for row in _records(_sorted_pairs(result))],
        "cluster_score": float(result.cluster_score),
        "warnings": list(result.warnings),
    }


# --------------------------------------------------------------------------- helpers


def _check_choice(name: str, value: object, allowed: Sequence[str]) -> None:
    if not isinstance(value, str) or value not in allowed:
        raise ParameterError(f"{name} {value!r} is not one of {', '.join(allowed)}")


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    geometry = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    columns = [c for c in frame.columns if c != geometry]
    return [dict(zip(columns, row, strict=True)) for row in frame[columns].itertuples(False, None)]


def _sorted_pairs(result: Result) -> pd.DataFrame:
    pairs: pd.DataFrame = result.pairs.sort_values(["a", "b"], kind="stable", ignore_index=True)
    return pairs


def _overlap_lookup(result: Result) -> dict[tuple[str, str, float], float]:
    ov = result.overlaps
    return {
        (str(a), str(b), float(r)): float(v)
        for a, b, r, v in zip(ov["a"], ov["b"], ov["ring_m"], ov["overlap_m2"], strict=True)
    }


def _breakdowns(result: Result) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    table = result.breakdown.sort_values(["site_id", "other_id"], kind="stable")
    for site, other, value in zip(
        table["site_id"], table["other_id"], table["contribution"], strict=True
    ):
        out.setdefault(str(site), {})[str(other)] = float(value)
    return out


def _site_record(
    row: Mapping[str, Any], breakdowns: Mapping[str, Mapping[str, float]]
) -> dict[str, Any]:
    breakdown = breakdowns.get(str(row["id"]), {})
    record = {
        "id": row["id"],
        "name": row["name"],
        "layer": row["layer"],
        "area_m2": row["area_m2"],
        "score": row["score"],
        "rank": row["rank"],
        "nearest_id": row["nearest_id"],
        "nearest_m": row["nearest_m"],
        "name_zh": row.get("name_zh"),
        "placement": row.get("placement"),
        "accuracy_m": row.get("accuracy_m"),
        "weight": row["weight"],
        "geodesic_area_m2": row["geodesic_area_m2"],
        "breakdown": breakdown,
    }
    extra = {k: v for k, v in row.items() if k not in record and not is_missing(v)}
    record["properties"] = extra
    plain: dict[str, Any] = json_value(record)
    return plain


def _pair_record(
    row: Mapping[str, Any],
    overlaps: Mapping[tuple[str, str, float], float],
    rings_m: Sequence[float],
) -> dict[str, Any]:
    key = (str(row["a"]), str(row["b"]))
    record = {
        "a": row["a"],
        "b": row["b"],
        "edge_m": row["edge_m"],
        "centroid_m": row["centroid_m"],
        "geodesic_m": row["geodesic_m"],
        "ring_m": row["ring_m"],
        "score": row["score"],
        "name_a": row["name_a"],
        "name_b": row["name_b"],
        "distance_m": row["distance_m"],
        "overlap_m2": [overlaps.get((*key, r)) for r in rings_m],
    }
    plain: dict[str, Any] = json_value(record)
    return plain


# --------------------------------------------------------------------------- csv


def _csv_cell(value: Any) -> str:
    value = json_value(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _ring_label(ring: float) -> str:
    return f"{ring:.0f}" if float(ring).is_integer() else repr(float(ring))


def _render_csv(result: Result, table: str) -> str:
    if table == "sites":
        frame = pd.DataFrame(result.sites.drop(columns=result.sites.geometry.name))
        first = [c for c in _SITE_COLUMNS if c in frame.columns]
        columns = first + [c for c in frame.columns if c not in first]
    else:
        frame = pd.DataFrame(_sorted_pairs(result).drop(columns=result.pairs.geometry.name))
        overlaps = _overlap_lookup(result)
        for ring in result.parameters.rings_m:
            frame[f"overlap_m2_{_ring_label(ring)}"] = [
                overlaps.get((str(a), str(b), ring))
                for a, b in zip(frame["a"], frame["b"], strict=True)
            ]
        first = [c for c in PAIR_COLUMNS if c in frame.columns]
        columns = first + [c for c in frame.columns if c not in first]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in frame[columns].itertuples(index=False, name=None):
        writer.writerow([_csv_cell(v) for v in row])
    return buffer.getvalue()


# --------------------------------------------------------------------------- tables for people


@dataclass(frozen=True)
class _Table:
    """A table for people: headers, numeric-column flags, rows of display strings."""

    key: str
    title: str
    headers: tuple[str, ...]
    numeric: tuple[bool, ...]
    rows: tuple[tuple[str, ...], ...]
    note: str = ""


def _metres(value: Any) -> str:
    return "—" if is_missing(value) else f"{float(value):,.0f}"


def _score(value: Any) -> str:
    return "—" if is_missing(value) else f"{float(value):.1f}"


def _number(value: Any) -> str:
    return "—" if is_missing(value) else f"{float(value):g}"


def _text(value: Any) -> str:
    return "" if is_missing(value) else str(value)


def _metres_or_text(value: Any) -> str:
    """Return metres rounded for people, or the value as written when it is not a number."""
    try:
        return _metres(value)
    except (TypeError, ValueError):
        return _text(value)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _has(frame: pd.DataFrame, column: str) -> bool:
    return column in frame.columns and bool(frame[column].map(lambda v: not is_missing(v)).any())


def _ranking_table(result: Result) -> _Table:
    sites = result.sites
    zh = _has(sites, "name_zh")
    headers = ["Rank", "Id", "Name", *(["Name (zh)"] if zh else [])]
    headers += ["Score", "Nearest", "Nearest (m)", "Area (m²)"]
    rows = []
    for row in _records(sites):
        cells = [str(row["rank"]), _text(row["id"]), _text(row["name"])]
        cells += [_text(row.get("name_zh"))] if zh else []
        cells += [
            _score(row["score"]),
            _text(row["nearest_id"]),
            _metres(row["nearest_m"]),
            _metres(row["area_m2"]),
        ]
        rows.append(tuple(cells))
    numeric = (True, False, False, *([False] if zh else []), True, False, True, True)
    measure = _MEASURE_SHORT[result.parameters.measure]
    return _Table(
        "ranking",
        "Site ranking",
        tuple(headers),
        numeric,
        tuple(rows),
        f"Score: weighted mean of the site's pair scores (0-100). Nearest: by {measure} "
        "distance. Area: projected, in the study's metric CRS.",
    )


def _pair_table(result: Result) -> _Table:
    last = result.parameters.rings_m[-1] if result.parameters.rings_m else 0.0
    rows = [
        (
            _text(row["a"]),
            _text(row["b"]),
            _metres(row["edge_m"]),
            _metres(row["centroid_m"]),
            _metres(row["geodesic_m"]),
            f"beyond {last:,.0f}" if is_missing(row["ring_m"]) else _metres(row["ring_m"]),
            _score(row["score"]),
        )
        for row in _records(_sorted_pairs(result))
    ]
    measure = _MEASURE_SHORT[result.parameters.measure]
    return _Table(
        "pairs",
        "Pairs",
        ("A", "B", "Edge (m)", "Centroid (m)", "Geodesic (m)", "Ring (m)", "Score"),
        (False, False, True, True, True, True, True),
        tuple(rows),
        f"Ring and score follow the {measure} distance. Ring: the smallest ring that "
        "reaches the other site. Geodesic: the ellipsoidal length of the shortest "
        "edge-to-edge segment (a check on the projected edge distance).",
    )


def _breakdown_table(result: Result) -> _Table:
    order = {sid: k for k, sid in enumerate(result.sites["id"])}
    table = result.breakdown.assign(_order=result.breakdown["site_id"].map(order))
    table = table.sort_values(
        ["_order", "contribution", "other_id"], ascending=[True, False, True], kind="stable"
    )
    rows = tuple(
        (
            _text(row["site_id"]),
            _text(row["other_id"]),
            _metres(row["distance_m"]),
            _score(row["pair_score"]),
            _number(row["weight"]),
            _score(row["contribution"]),
        )
        for row in _records(table)
    )
    return _Table(
        "breakdown",
        "Score breakdown",
        ("Site", "Neighbour", "Distance (m)", "Pair score", "Weight", "Contribution"),
        (False, False, True, True, True, True),
        rows,
        "Contribution = neighbour weight × pair score / sum of the site's neighbour "  # noqa: RUF001
        "weights; a site's contributions add up to its score.",
    )


def _overlap_table(result: Result) -> _Table:
    rings = result.parameters.rings_m
    overlaps = _overlap_lookup(result)
    rows = tuple(
        (
            _text(a),
            _text(b),
            *(_metres(overlaps.get((str(a), str(b), r))) for r in rings),
        )
        for a, b in zip(*(_sorted_pairs(result)[c] for c in ("a", "b")), strict=True)
    )
    return _Table(
        "overlaps",
        "Buffer overlap (m²)",
        ("A", "B", *(f"{r:,.0f} m" for r in rings)),
        (False, False, *(True for _ in rings)),
        rows,
        "Area where the two sites' buffers (footprint plus ring radius) overlap.",
    )


def _details_table(result: Result) -> _Table:
    sites = result.sites
    columns = [c for c in ("placement", "accuracy_m", "source", "notes") if _has(sites, c)]
    titles = {
        "placement": "Placement",
        "accuracy_m": "Accuracy (±m)",
        "source": "Source",
        "notes": "Notes",
    }
    rows = tuple(
        (
            _text(row["id"]),
            _metres(row["geodesic_area_m2"]),
            *(_metres_or_text(row[c]) if c == "accuracy_m" else _text(row[c]) for c in columns),
        )
        for row in _records(sites)
    )
    return _Table(
        "details",
        "Site provenance",
        ("Id", "Geodesic area (m²)", *(titles[c] for c in columns)),
        (False, True, *(c == "accuracy_m" for c in columns)),
        rows,
        "Geodesic area: on the WGS84 ellipsoid, a check on the projected area.",
    )


def _parameter_table(result: Result) -> _Table:
    params = result.parameters
    decay = params.decay
    rows = [
        ("CRS", f"{result.crs_name} ({result.crs.name})"),
        ("Measure", _MEASURE_TEXT[params.measure]),
        ("Rings (m)", ", ".join(f"{r:,.0f}" if r == int(r) else f"{r:,g}" for r in params.rings_m)),
        ("Decay", f"{decay.kind}: {_DECAY_FORMULAS.get(decay.kind, decay.kind)}"),
    ]
    rows += [
        (name, _number(value))
        for name, value in decay.params.items()
        if name != "rings_m" and not isinstance(value, list)
    ]
    rows += [
        ("Site score", "weighted mean of its pair scores, weighted by the other sites' weights"),
        ("Cluster score", "mean of the pair scores"),
    ]
    if result.study.focus:
        rows.append(("Focus site", result.study.focus))
    return _Table(
        "parameters",
        "Parameters",
        ("Parameter", "Value"),
        (False, False),
        tuple(rows),
    )


def _tables(result: Result) -> list[_Table]:
    return [
        _ranking_table(result),
        _pair_table(result),
        _breakdown_table(result),
        _overlap_table(result),
        _details_table(result),
        _parameter_table(result),
    ]


@dataclass(frozen=True)
class _Headline:
    cluster: str
    pairs: int
    best: tuple[str, str, str] | None
    worst: tuple[str, str, str] | None
    tied: bool


def _headline(result: Result) -> _Headline:
    sites = result.sites

    def pick(k: int) -> tuple[str, str, str]:
        row = sites.iloc[k]
        return _text(row["id"]), _text(row["name"]), _score(row["score"])

    best = pick(0) if len(sites) else None
    worst = pick(len(sites) - 1) if len(sites) > 1 else None
    tied = len(sites) > 1 and bool(np.isclose(sites["score"].max(), sites["score"].min()))
    return _Headline(_score(result.cluster_score), len(result.pairs), best, worst, tied)


def _headline_parts(result: Result) -> list[tuple[str, bool]]:
    """Return the headline as (text, is_emphasised) fragments of user-independent wording."""
    h = _headline(result)
    parts: list[tuple[str, bool]] = [(f"Cluster score {h.cluster} / 100", True)]
    if h.pairs == 0:
        parts.append((" (no pairs: the study has fewer than two sites).", False))
        return parts
    parts.append((f" (mean of {h.pairs} pair score{'s' if h.pairs != 1 else ''}). ", False))
    if h.tied and h.best is not None:
        parts += [(f"Every site scores {h.best[2]}.", False)]
        return parts
    for label, site in (("Best connected: ", h.best), ("Worst connected: ", h.worst)):
        if site is None:
            continue
        parts += [(label, False), (site[0], True)]
        parts.append(((f" ({site[1]}, " if site[1] else " (") + f"score {site[2]}). ", False))
    return parts


def _scope(result: Result) -> str:
    measure = _MEASURE_SHORT[result.parameters.measure]
    return (
        f"Measured in {result.crs_name} ({measure}); decay {result.parameters.decay.kind}; "
        f"{_count(len(result.sites), 'site')}, {_count(len(result.pairs), 'pair')}."
    )


def _caveat_label(result: Result) -> str:
    return "SCHEMATIC DATA" if result.schematic else "Accuracy"


# --------------------------------------------------------------------------- markdown

_MD_SPECIAL: Final = re.compile(r"[\\|`*$\[\]<>&]")
_MD_ENTITIES: Final = {"<": "&lt;", ">": "&gt;", "&": "&amp;"}
_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+")


def escape_markdown(text: str) -> str:
    r"""Escape user text for a markdown table cell or paragraph.

    Line breaks and control characters become one space; ``\ | ` * $ [ ]`` are
    backslash-escaped; ``< > &`` become HTML entities, because markdown
    renderers pass HTML through.

    Examples
    --------
    >>> escape_markdown("a|b <img src=x>\nc")
    'a\\|b &lt;img src=x&gt; c'
    """
    text = _CONTROL.sub(" ", text)
    return _MD_SPECIAL.sub(lambda m: _MD_ENTITIES.get(m.group(), "\\" + m.group()), text)


def _markdown_table(table: _Table) -> list[str]:
    lines = [f"## {table.title}", ""]
    if table.note:
        lines += [escape_markdown(table.note), ""]
    if not table.rows:
        return [*lines, "(none)", ""]
    lines.append("| " + " | ".join(escape_markdown(h) for h in table.headers) + " |")
    lines.append("|" + "|".join("---:" if n else "---" for n in table.numeric) + "|")
    lines += ["| " + " | ".join(escape_markdown(c) for c in row) + " |" for row in table.rows]
    return [*lines, ""]


def _render_markdown(result: Result) -> str:
    lines = [f"# Proximity report: {escape_markdown(result.name)}", ""]
    lines += [f"> **{_caveat_label(result)}.** {escape_markdown(result.caveat)}", ""]
    headline = "".join(
        f"**{escape_markdown(text)}**" if strong else escape_markdown(text)
        for text, strong in _headline_parts(result)
    )
    lines += [headline.strip(), ""]
    lines += [escape_markdown(_scope(result)), ""]
    for table in _tables(result):
        lines += _markdown_table(table)
    lines += ["## Warnings", ""]
    lines += [f"- {escape_markdown(w)}" for w in result.warnings] or ["None."]
    return "\n".join(lines).rstrip("\n") + "\n"


# --------------------------------------------------------------------------- html

_CSS: Final = """
body{font-family:system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;
color:#1b1b1b;background:#fff;margin:0 auto;max-width:72rem;padding:1rem 1.5rem 3rem;
line-height:1.45}
h1{font-size:1.6rem;margin:.5rem 0 1rem}h2{font-size:1.2rem;margin:2rem 0 .5rem}
.caveat{border:2px solid #b45309;background:#fff7ed;border-radius:6px;padding:.75rem 1rem;
margin:1rem 0}
.caveat strong{color:#9a3412}
.headline{font-size:1.1rem}
.note{color:#4b5563;font-size:.9rem;margin:.25rem 0 .5rem}
table{border-collapse:collapse;margin:.25rem 0 1rem;font-size:.9rem}
th,td{border:1px solid #d1d5db;padding:.25rem .55rem;text-align:left;vertical-align:top}
thead th{background:#f3f4f6}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
figure{margin:1rem 0}figure img{max-width:100%;height:auto;border:1px solid #e5e7eb}
figcaption{color:#4b5563;font-size:.9rem}
footer{color:#6b7280;font-size:.8rem;margin-top:2rem}
@media print{body{max-width:none}figure,table{break-inside:avoid}}
""".strip()

# Belt and braces for a page that may be emailed: no script, no external resource.
_CSP: Final = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _html_table(table: _Table) -> list[str]:
    out = [f'<section id="{_esc(table.key)}">', f"<h2>{_esc(table.title)}</h2>"]
    if table.note:
        out.append(f'<p class="note">{_esc(table.note)}</p>')
    if not table.rows:
        return [*out, "<p>(none)</p>", "</section>"]

    def cell(tag: str, text: str, numeric: bool) -> str:
        cls = ' class="num"' if numeric else ""
        return f"<{tag}{cls}>{_esc(text)}</{tag}>"

    out.append("<table>")
    heads = "".join(
        cell("th", h, n).replace("<th", '<th scope="col"', 1)
        for h, n in zip(table.headers, table.numeric, strict=True)
    )
    out.append(f"<thead><tr>{heads}</tr></thead>")
    out.append("<tbody>")
    out += [
        "<tr>"
        + "".join(cell("td", c, n) for c, n in zip(row, table.numeric, strict=True))
        + "</tr>"
        for row in table.rows
    ]
    out += ["</tbody>", "</table>", "</section>"]
    return out


def _img(data: bytes, alt: str) -> str:
    import base64

    encoded = base64.b64encode(data).decode("ascii")
    return f'<img alt="{_esc(alt)}" src="data:image/png;base64,{encoded}">'


def _render_html(result: Result) -> str:
    from siteplan import __version__
    from siteplan.render._static_map import heatmap_png, site_map_png

    measure = _MEASURE_SHORT[result.parameters.measure]
    title = f"Proximity report: {result.name}"
    headline = "".join(
        f"<strong>{_esc(text)}</strong>" if strong else _esc(text)
        for text, strong in _headline_parts(result)
    ).strip()
    focus = result.study.focus if result.study.focus in set(result.sites["id"]) else None
    ring_owner = f"around {focus}" if focus else "around every site"
    tables = {t.key: t for t in _tables(result)}
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_esc(title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<main>",
        f"<h1>{_esc(title)}</h1>",
        f'<div class="caveat" role="note"><strong>{_esc(_caveat_label(result))}.</strong> '
        f"{_esc(result.caveat)}</div>",
        f'<p class="headline">{headline}</p>',
        f"<p>{_esc(_scope(result))}</p>",
        '<section id="map">',
        "<h2>Map</h2>",
        "<figure>",
        _img(
            site_map_png(result),
            f"Map of the sites coloured by score, with rings {ring_owner} and pair lines",
        ),
        f"<figcaption>Sites coloured by score (0-100) and labelled by id; ring outlines "
        f"{_esc(ring_owner)}; pair lines are the shortest edge-to-edge segments. Drawn in "
        f"{_esc(result.crs_name)}; no basemap.</figcaption>",
        "</figure>",
        "</section>",
        *_html_table(tables["ranking"]),
        *_html_table(tables["pairs"]),
        '<section id="matrix">',
        "<h2>Distance matrix</h2>",
        "<figure>",
        _img(heatmap_png(result), f"Matrix of {measure} distances between every pair of sites"),
        f"<figcaption>{_esc(measure.capitalize())} distance in metres between every pair "
        "of sites, in rank order.</figcaption>",
        "</figure>",
        "</section>",
        *_html_table(tables["breakdown"]),
        *_html_table(tables["overlaps"]),
        *_html_table(tables["details"]),
        *_html_table(tables["parameters"]),
        '<section id="warnings">',
        "<h2>Warnings</h2>",
    ]
    if result.warnings:
        out += ["<ul>", *(f"<li>{_esc(w)}</li>" for w in result.warnings), "</ul>"]
    else:
        out.append("<p>None.</p>")
    out += [
        "</section>",
        "</main>",
        f"<footer>Made with siteplan {_esc(__version__)}.</footer>",
        "</body>",
        "</html>",
    ]
    return "\n".join(out) + "\n"
