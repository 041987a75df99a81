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
import itertools
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import pandas as pd

from siteplan import _formats
from siteplan._io import write_pieces
from siteplan._values import is_missing, json_value
from siteplan.analysis import PAIR_COLUMNS, reach_m
from siteplan.errors import ParameterError
from siteplan.measure.network.columns import NETWORK_PAIR_COLUMNS
from siteplan.render._report_pages import render_html, render_markdown
from siteplan.render._stream import (
    PAIR_SELECTIONS,
    breakdown_table,
    csv_pair_pieces,
    json_pieces,
    pair_selection,
)
from siteplan.render._tables import overlap_lookup, records, sorted_pairs
from siteplan.render.text import csv_cell, json_text
from siteplan.score.units import unit_name

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


def render_report(
    result: Result, fmt: str = "markdown", table: str = "pairs", pairs: str = "all"
) -> str:
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
    pairs
        For ``json`` and ``csv``: ``all`` (default, every pair) or ``within``
        (only the pairs within reach: ``max_m`` for the linear decay, else the
        last ring; json site breakdowns then list only those neighbours). The
        site scores and ``cluster_score`` always use every pair.

    Returns
    -------
    str
        The report, ending with a newline.

    Raises
    ------
    ParameterError
        For an unknown format, table or pair selection, a table other than
        ``pairs`` with a format other than ``csv``, or ``pairs="within"`` with
        markdown or html (which shorten by themselves above 50 sites).

    Examples
    --------
    >>> import json
    >>> from siteplan import analyze
    >>> report = json.loads(render_report(analyze(), "json"))
    >>> report["crs"], len(report["sites"]), len(report["pairs"])
    ('EPSG:32651', 4, 6)
    """
    return "".join(_pieces(result, fmt, table, pairs))


def _pieces(result: Result, fmt: str, table: str, pairs: str) -> Iterator[str]:
    """Check the arguments, then yield the report in pieces."""
    _formats.check_choice("format", fmt, FORMATS)
    _formats.check_choice("table", table, TABLES)
    _formats.check_choice("pairs", pairs, PAIR_SELECTIONS)
    if table != "pairs" and fmt != "csv":
        raise ParameterError(
            f"table {table!r} applies to the csv format only; "
            f"{fmt} reports carry both the pairs and the sites tables"
        )
    if pairs != "all" and fmt not in ("json", "csv"):
        raise ParameterError(
            f"pairs {pairs!r} applies to the json and csv formats only; {fmt} reports "
            "list the pairs within the first ring by themselves above 50 sites"
        )
    if fmt == "json":
        return _json_report(result, pairs)
    if fmt == "csv":
        return _render_csv(result, table, pairs)
    if fmt == "markdown":
        return iter([render_markdown(result)])
    return iter([render_html(result)])


def write_report(
    result: Result,
    path: str | Path,
    fmt: str | None = None,
    table: str = "pairs",
    pairs: str = "all",
    *,
    force: bool = False,
) -> Path:
    """Write the report to ``path`` atomically and return the path (``-``: standard output).

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
    pairs
        For ``json`` and ``csv``: ``all`` or ``within`` (see :func:`render_report`).
        Both formats are streamed to the file piece by piece.
    force
        Replace an existing output even when it is read-only.

    Raises
    ------
    ParameterError
        For an unknown format or table.
    OutputError
        When the path is one of the study's inputs, a folder, or cannot be written.
    """
    path = Path(path)
    pieces = _pieces(result, format_for_path(path) if fmt is None else fmt, table, pairs)
    first = next(pieces, "")  # argument errors surface before any file is created
    write_pieces(path, itertools.chain([first], pieces), result.inputs, force=force)
    return path


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

    With ``measure`` network or time, sites also carry ``connector_m`` and
    pairs the network fields (``network_m_ab``, ..., ``detour``,
    ``reachable``, ``connector_m``); with time, the fields that carry the
    measure end in ``_min`` (``nearest_min``, ``ring_min``, ``distance_min``,
    ``parameters.rings_min``).
    """
    breakdowns = _breakdowns(result)
    overlaps = overlap_lookup(result)
    rings = result.parameters.rings_m
    document = _report_head(result, breakdowns)
    document["pairs"] = [
        _by_unit(_pair_record(row, overlaps, rings), result)
        for row in records(sorted_pairs(result))
    ]
    return {k: document[k] for k in _KEYS}


_KEYS: Final = (
    "study",
    "crs",
    "focus",
    "schematic",
    "caveat",
    "parameters",
    "sites",
    "pairs",
    "cluster_score",
    "warnings",
)


def _report_head(result: Result, breakdowns: Mapping[str, Mapping[str, float]]) -> dict[str, Any]:
    """Return the report's keys in order, ``pairs`` still empty."""
    parameters = {"crs": result.crs_name, **result.parameters.as_dict()}
    return {
        "study": result.name,
        "crs": result.crs_name,
        "focus": result.study.focus,
        "schematic": bool(result.schematic),
        "caveat": result.caveat,
        "parameters": json_value(parameters),
        "sites": [_by_unit(_site_record(row, breakdowns), result) for row in records(result.sites)],
        "pairs": [],
        "cluster_score": float(result.cluster_score),
        "warnings": list(result.warnings),
    }


def _json_report(result: Result, pairs: str) -> Iterator[str]:
    """Yield the JSON report in pieces; the site records carry empty breakdowns.

    Straight-line reports are streamed; network and time reports (whose pairs
    carry the network fields and whose names follow the unit) are built whole.
    """
    keep = pair_selection(result, pairs)
    if result.network is not None:
        document = report_dict(result)
        if pairs != "all":
            wanted = set(zip(result.pairs["a"].loc[keep], result.pairs["b"].loc[keep], strict=True))
            document["pairs"] = [p for p in document["pairs"] if (p["a"], p["b"]) in wanted]
        return iter([json_text(document)])
    limit = reach_m(result.parameters) if pairs == "within" else None
    head = _report_head(result, {})
    return json_pieces(head, breakdown_table(result, limit), result, keep)


# --------------------------------------------------------------------------- helpers


def _by_unit(record: dict[str, Any], result: Result) -> dict[str, Any]:
    """Return a record with the network fields moved in and the measure's names by unit."""
    props = record.get("properties")
    if result.network is not None and isinstance(props, dict) and "connector_m" in props:
        record["connector_m"] = props.pop("connector_m")
    unit = result.parameters.unit
    return {unit_name(key, unit): value for key, value in record.items()}


def _breakdowns(result: Result) -> dict[str, dict[str, float]]:
    """Return site id -> neighbour id -> contribution."""
    out: dict[str, dict[str, float]] = {}
    table = breakdown_table(result)
    for site, other, value in zip(
        table["site_id"].tolist(),
        table["other_id"].tolist(),
        table["contribution"].tolist(),
        strict=True,
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
    record.update({k: row[k] for k in NETWORK_PAIR_COLUMNS if k in row})
    plain: dict[str, Any] = json_value(record)
    return plain


# --------------------------------------------------------------------------- csv


def _ring_label(ring: float) -> str:
    return f"{ring:.0f}" if float(ring).is_integer() else repr(float(ring))


def _render_csv(result: Result, table: str, pairs: str = "all") -> Iterator[str]:
    if table == "pairs" and _plain_pair_columns(result):
        header = [*PAIR_COLUMNS] + [
            f"overlap_m2_{_ring_label(r)}" for r in result.parameters.rings_m
        ]
        return csv_pair_pieces(result, header, pair_selection(result, pairs))
    return iter([_csv_text(result, table, pair_selection(result, pairs))])


def _plain_pair_columns(result: Result) -> bool:
    """Return whether the pairs carry exactly the standard columns (the streamed path)."""
    geometry = result.pairs.geometry.name
    return [c for c in result.pairs.columns if c != geometry] == list(PAIR_COLUMNS)


def _csv_text(result: Result, table: str, keep: Any) -> str:
    if table == "sites":
        frame = pd.DataFrame(result.sites.drop(columns=result.sites.geometry.name))
        first = [c for c in _SITE_COLUMNS if c in frame.columns]
        columns = first + [c for c in frame.columns if c not in first]
    else:
        frame = pd.DataFrame(
            result.pairs.loc[keep]
            .sort_values(["a", "b"], kind="stable", ignore_index=True)
            .drop(columns=result.pairs.geometry.name)
        )
        overlaps = overlap_lookup(result)
        # With time the rings are minutes: overlap_m2_5min (metres keep overlap_m2_500).
        suffix = "min" if result.parameters.unit == "min" else ""
        for ring in result.parameters.rings_m:
            frame[f"overlap_m2_{_ring_label(ring)}{suffix}"] = [
                overlaps.get((str(a), str(b), ring))
                for a, b in zip(frame["a"], frame["b"], strict=True)
            ]
        first = [c for c in PAIR_COLUMNS if c in frame.columns]
        columns = first + [c for c in frame.columns if c not in first]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([unit_name(c, result.parameters.unit) for c in columns])
    for row in frame[columns].itertuples(index=False, name=None):
        writer.writerow([csv_cell(v) for v in row])
    return buffer.getvalue()
