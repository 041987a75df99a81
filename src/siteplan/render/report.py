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

Every format is deterministic: the same result gives the same bytes. The
tables for people are built in :mod:`siteplan.render._tables`, the markdown
and HTML pages in :mod:`siteplan.render._report_pages`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import pandas as pd

from siteplan import _formats
from siteplan._io import write_text
from siteplan._values import is_missing, json_value
from siteplan.analysis import PAIR_COLUMNS
from siteplan.errors import ParameterError
from siteplan.render._report_pages import render_html, render_markdown
from siteplan.render._tables import overlap_lookup, records, sorted_pairs
from siteplan.render.text import csv_cell, json_text

if TYPE_CHECKING:
    from siteplan.analysis import Result

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
    _formats.check_choice("format", fmt, FORMATS)
    _formats.check_choice("table", table, TABLES)
    if table != "pairs" and fmt != "csv":
        raise ParameterError(
            f"table {table!r} applies to the csv format only; "
            f"{fmt} reports carry both the pairs and the sites tables"
        )
    if fmt == "json":
        return json_text(report_dict(result))
    if fmt == "csv":
        return _render_csv(result, table)
    if fmt == "markdown":
        return render_markdown(result)
    return render_html(result)


def write_report(
    result: Result,
    path: str | Path,
    fmt: str | None = None,
    table: str = "pairs",
    *,
    force: bool = False,
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
    force
        Replace an existing read-only output.

    Raises
    ------
    ParameterError
        For an unknown format or table.
    OutputError
        When the path is one of the study's inputs, a folder, or cannot be written.
    """
    path = Path(path)
    text = render_report(result, format_for_path(path) if fmt is None else fmt, table)
    return write_text(path, text, inputs=result.inputs, force=force)


def format_for_path(path: str | Path) -> str:
    """Return the report format a file name implies: by suffix, else ``markdown``.

    Examples
    --------
    >>> format_for_path("out/report.HTML"), format_for_path("report.txt")
    ('html', 'markdown')
    """
    return _formats.format_for_path(path, FORMATS, default="markdown")


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
    overlaps = overlap_lookup(result)
    rings = result.parameters.rings_m
    return {
        "study": result.name,
        "crs": result.crs_name,
        "focus": result.study.focus,
        "schematic": bool(result.schematic),
        "caveat": result.caveat,
        "parameters": json_value(parameters),
        "sites": [_site_record(row, breakdowns) for row in records(result.sites)],
        "pairs": [_pair_record(row, overlaps, rings) for row in records(sorted_pairs(result))],
        "cluster_score": float(result.cluster_score),
        "warnings": list(result.warnings),
    }


# --------------------------------------------------------------------------- helpers


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


def _ring_label(ring: float) -> str:
    return f"{ring:.0f}" if float(ring).is_integer() else repr(float(ring))


def _render_csv(result: Result, table: str) -> str:
    if table == "sites":
        frame = pd.DataFrame(result.sites.drop(columns=result.sites.geometry.name))
        first = [c for c in _SITE_COLUMNS if c in frame.columns]
        columns = first + [c for c in frame.columns if c not in first]
    else:
        frame = pd.DataFrame(sorted_pairs(result).drop(columns=result.pairs.geometry.name))
        overlaps = overlap_lookup(result)
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
        writer.writerow([csv_cell(v) for v in row])
    return buffer.getvalue()
