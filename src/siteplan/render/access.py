"""Render and write the access report (``siteplan access``): who is served.

Formats: ``json`` (DESIGN.md's access contract, full precision, plus names), ``csv`` (one
row per demand point), ``markdown`` and ``html`` (for people: the caveat, the formulas,
coverage, sites, the least-served demand, and in html a coverage curve), ``gpkg`` (layers
``demand`` (points with their index), ``demand_features`` (as read, e.g. polygons),
``catchments`` (ring bands per site with their demand) and ``sites``).

Every user string is escaped for its context; outputs are written atomically and never
over an input (the study's files, its demand layers, or a cost table being written).
"""

from __future__ import annotations

import base64
import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import numpy.typing as npt
import pyogrio

from siteplan import _formats
from siteplan._io import atomic_path, write_text
from siteplan.errors import ParameterError
from siteplan.render._coverage_curve import coverage_curve, coverage_curve_png
from siteplan.render.text import (
    csv_cell,
    escape_html,
    escape_markdown,
    fmt_number,
    json_text,
    metres,
    percent,
)

if TYPE_CHECKING:
    import geopandas as gpd

    from siteplan.access.result import AccessResult
    from siteplan.access.study import AccessPlaces

__all__ = ["ACCESS_FORMATS", "PicksCurve", "access_dict", "render_access", "write_access"]

ACCESS_FORMATS: Final = ("markdown", "csv", "json", "html", "gpkg")
#: Demand rows shown in markdown and html (the least served first); all are in csv/json.
HUMAN_ROWS: Final = 50
_CSP: Final = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
_GPKG_DATE: Final = "2000-01-01T00:00:00Z"
_FORMULAS: Final = {
    "gravity": (
        "Gravity: A_i = Σ_j S_j · f(d_ij) / 100, with f the study's decay (0-100) and S_j "
        "the site's supply (its capacity, else 1)."
    ),
    "2sfca": (
        "2SFCA: R_j = S_j / Σ_{k: d_kj ≤ d0} P_k (0 when no demand is within d0), then "
        "A_i = Σ_{j: d_ij ≤ d0} R_j; d0 is the threshold, P_k the demand, S_j the supply."
    ),
    "e2sfca": (
        "E2SFCA: w(d) = f(r)/100 for the first ring r with d ≤ r (0 beyond the last ring); "
        "R_j = S_j / Σ_k P_k · w(d_kj), then A_i = Σ_j w(d_ij) · R_j."
    ),
}


@dataclass(frozen=True)
class PicksCurve:
    """New facilities to add to the coverage curve.

    ``nearest``: each demand point's cost to its nearest open facility with the existing
    sites and the picks open; ``label``: e.g. ``existing + 3 mclp picks``.
    """

    label: str
    nearest: npt.NDArray[np.float64]


def _places(ares: AccessResult) -> AccessPlaces:
    if ares.places is None:
        raise ParameterError(
            "ares must come from siteplan.analyze_access (a study), not from a bare cost matrix"
        )
    return ares.places


def access_dict(ares: AccessResult) -> dict[str, Any]:
    """Return the JSON report: :meth:`AccessResult.to_dict` plus names and layers."""
    out = ares.to_dict()
    places = ares.places
    if places is None:
        return out
    names = dict(zip(places.result.sites["id"], places.result.sites["name"], strict=True))
    for site in out["sites"]:
        site["name"] = str(names.get(site["id"], site["id"]))
    for record, name, layer, source in zip(
        out["demand"],
        places.points["name"],
        places.points["layer"],
        places.points["source_id"],
        strict=True,
    ):
        record.update(name=str(name), layer=str(layer), source_id=str(source))
    return out


def _demand_rows(ares: AccessResult) -> list[dict[str, Any]]:
    return list(access_dict(ares)["demand"])


def _csv_text(ares: AccessResult) -> str:
    unit = ares.unit
    columns = ["id", "name", "layer", "source_id", "demand", "nearest_id", f"nearest_{unit}"]
    columns.append("index")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in _demand_rows(ares):
        writer.writerow([csv_cell(row.get(c)) for c in columns])
    return buffer.getvalue()


def _cost_text(value: Any, unit: str) -> str:
    return metres(value) if unit == "m" else fmt_number(value, ".1f")


def _tables(ares: AccessResult) -> list[tuple[str, list[str], list[list[str]], str]]:
    """Return (title, headers, rows, note) for the tables people read; cells are plain text."""
    doc = access_dict(ares)
    unit = ares.unit
    rings = [f"{r['ring']:g} {unit}" for r in doc["coverage"]]
    coverage = [
        [ring, fmt_number(r["demand"], ",.0f"), percent(r["share"])]
        for ring, r in zip(rings, doc["coverage"], strict=True)
    ]
    sites = [
        [
            s["id"],
            s["name"],
            *(fmt_number(v, ",.0f") for v in s["catchment"].values()),
            fmt_number(s["nearest_demand"], ",.0f"),
            fmt_number(s["supply"], "g"),
            fmt_number(s["ratio"], ".4g"),
        ]
        for s in doc["sites"]
    ]
    demand = sorted(doc["demand"], key=lambda d: (d["index"], d["id"]))
    rows = [
        [
            d["id"],
            d["name"],
            fmt_number(d["demand"], ",.0f"),
            d["nearest_id"] or "—",
            _cost_text(d[f"nearest_{unit}"], unit),
            fmt_number(d["index"], ".4g"),
        ]
        for d in demand[:HUMAN_ROWS]
    ]
    more = len(demand) - HUMAN_ROWS
    return [
        (
            "Coverage",
            ["within", "demand", "share"],
            coverage,
            "Demand within each ring of at least one site (cumulative).",
        ),
        (
            "Sites",
            ["id", "name", *(f"within {r}" for r in rings), "nearest for", "supply", "R_j"],
            sites,
            "Catchment demand per ring; 'nearest for': the demand for which it is the nearest.",
        ),
        (
            "Demand, least served first",
            ["id", "name", "demand", "nearest site", f"nearest ({unit})", "index"],
            rows,
            f"{more} more rows in -f csv or json." if more > 0 else "",
        ),
    ]


def _headline(ares: AccessResult) -> str:
    cov = ares.coverage
    if not len(cov.rings):
        return ""
    return (
        f"{percent(cov.share[0])} of {fmt_number(cov.total, ',.0f')} demand is within "
        f"{cov.rings[0]:g} {ares.unit} of a site, {percent(cov.share[-1])} within "
        f"{cov.rings[-1]:g} {ares.unit}."
    )


def _markdown_text(ares: AccessResult) -> str:
    lines = [f"# Who is served: {escape_markdown(ares.study)}", ""]
    lines += [f"> **Caveat.** {escape_markdown(ares.caveat)}", ""]
    lines += [escape_markdown(_headline(ares)), ""]
    index = str(ares.parameters["index"])
    lines += ["## Index", "", escape_markdown(_FORMULAS[index]), ""]
    for title, headers, rows, note in _tables(ares):
        lines += [f"## {title}", ""]
        if note:
            lines += [escape_markdown(note), ""]
        lines.append("| " + " | ".join(escape_markdown(h) for h in headers) + " |")
        lines.append("|" + "---|" * len(headers))
        lines += ["| " + " | ".join(escape_markdown(c) for c in row) + " |" for row in rows]
        lines.append("")
    lines += ["## Warnings", ""]
    lines += [f"- {escape_markdown(w)}" for w in ares.warnings] or ["None."]
    return "\n".join(lines).rstrip("\n") + "\n"


def _curves(ares: AccessResult, picks: PicksCurve | None) -> bytes:
    cov = ares.coverage
    nearest = np.where(cov.nearest >= 0, cov.nearest_cost, np.nan)
    curves = [("existing sites", *coverage_curve(nearest, ares.demand))]
    if picks is not None:
        curves.append((picks.label, *coverage_curve(picks.nearest, ares.demand)))
    return coverage_curve_png(curves, unit=ares.unit, rings=cov.rings.tolist())


def _html_text(ares: AccessResult, picks: PicksCurve | None) -> str:
    title = f"Who is served: {ares.study}"
    png = base64.b64encode(_curves(ares, picks)).decode("ascii")
    index = str(ares.parameters["index"])
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        f"<title>{escape_html(title)}</title>",
        "<style>body{font-family:sans-serif;max-width:60em;margin:auto;padding:1em}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px}"
        ".caveat{background:#fff4e5;padding:.5em;border-left:4px solid #f0a030}</style>",
        "</head>",
        "<body>",
        "<main>",
        f"<h1>{escape_html(title)}</h1>",
        f'<div class="caveat" role="note"><strong>Caveat.</strong> {escape_html(ares.caveat)}'
        "</div>",
        f'<p class="headline">{escape_html(_headline(ares))}</p>',
        '<section id="coverage-curve"><h2>Coverage curve</h2><figure>',
        f'<img alt="Share of demand covered against distance" src="data:image/png;base64,{png}">',
        "<figcaption>Share of the demand whose nearest site is within each distance"
        + (" (dashed: with the picks)" if picks is not None else "")
        + "; grey lines mark the rings.</figcaption></figure></section>",
        f'<section id="index"><h2>Index</h2><p>{escape_html(_FORMULAS[index])}</p></section>',
    ]
    for title_, headers, rows, note in _tables(ares):
        out.append(f"<section><h2>{escape_html(title_)}</h2>")
        if note:
            out.append(f"<p>{escape_html(note)}</p>")
        out.append("<table><thead><tr>")
        out.append("".join(f'<th scope="col">{escape_html(h)}</th>' for h in headers))
        out.append("</tr></thead><tbody>")
        out += [
            "<tr>" + "".join(f"<td>{escape_html(c)}</td>" for c in row) + "</tr>" for row in rows
        ]
        out.append("</tbody></table></section>")
    out.append('<section id="warnings"><h2>Warnings</h2>')
    if ares.warnings:
        out += ["<ul>", *(f"<li>{escape_html(w)}</li>" for w in ares.warnings), "</ul>"]
    else:
        out.append("<p>None.</p>")
    out += ["</section>", "</main>", "</body>", "</html>"]
    return "\n".join(out) + "\n"


def render_access(
    ares: AccessResult, fmt: str = "markdown", *, picks: PicksCurve | None = None
) -> str:
    """Return the access report as text.

    Parameters
    ----------
    ares
        The result of :func:`siteplan.analyze_access`.
    fmt
        ``markdown``, ``csv``, ``json`` or ``html``.
    picks
        New facilities to draw a second coverage curve for (html).

    Raises
    ------
    ParameterError
        For another format (``gpkg`` is written with :func:`write_access`).
    """
    _formats.check_choice("fmt", fmt, ACCESS_FORMATS[:4])
    if fmt == "json":
        return json_text(access_dict(ares))
    if fmt == "csv":
        return _csv_text(ares)
    if fmt == "html":
        return _html_text(ares, picks)
    return _markdown_text(ares)


def catchment_bands(ares: AccessResult) -> gpd.GeoDataFrame:
    """Return each site's ring bands (WGS84) with the demand within the ring and in the band."""
    places = _places(ares)
    bands = places.result.rings.copy()
    cov = ares.coverage
    column = {sid: j for j, sid in enumerate(ares.site_ids)}
    ring_k = {float(r): k for k, r in enumerate(cov.rings)}
    within, band = [], []
    for sid, ring in zip(bands["site_id"], bands["ring_m"], strict=True):
        j, k = column[str(sid)], ring_k.get(float(ring))
        value = float(cov.catchment[j, k]) if k is not None else float("nan")
        inner = float(cov.catchment[j, k - 1]) if k else 0.0
        within.append(value)
        band.append(value - inner)
    bands["demand_within"] = within
    bands["band_demand"] = band
    return bands


def _write_gpkg(ares: AccessResult, tmp: Path) -> None:
    places = _places(ares)
    previous = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": _GPKG_DATE})
    try:
        options: dict[str, Any] = {"driver": "GPKG"}
        layers = {
            "demand": places.points,
            "demand_features": places.features,
            "catchments": catchment_bands(ares).drop(columns=["reaches"], errors="ignore"),
            "sites": places.result.sites[["id", "name", "layer", "geometry"]],
        }
        for k, (name, frame) in enumerate(layers.items()):
            extra = {"dataset_options": {"VERSION": "1.3"}} if k == 0 else {}
            pyogrio.write_dataframe(frame, tmp, layer=name, **options, **extra)
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": previous})


def write_access(
    ares: AccessResult,
    path: str | Path,
    fmt: str | None = None,
    *,
    picks: PicksCurve | None = None,
    inputs: Sequence[str | Path] = (),
    force: bool = False,
) -> Path:
    """Write the access report to ``path`` atomically and return the path.

    Parameters
    ----------
    ares
        The result of :func:`siteplan.analyze_access`.
    path
        The output file; its parents are created; it may not be an input.
    fmt
        A format of :data:`ACCESS_FORMATS`; None guesses from the suffix (else markdown).
    picks
        New facilities for the html coverage curve.
    inputs
        More files the output must not replace (the study's own are always checked).
    force
        Replace a read-only output.

    Raises
    ------
    OutputError
        When the path is an input, a folder, or cannot be written.
    """
    path = Path(path)
    fmt = _formats.format_for_path(path, ACCESS_FORMATS, default="markdown") if fmt is None else fmt
    _formats.check_choice("fmt", fmt, ACCESS_FORMATS)
    all_inputs = [*(_places(ares).result.inputs if ares.places else ()), *inputs]
    if fmt == "gpkg":
        with atomic_path(path, all_inputs, force=force) as tmp:
            _write_gpkg(ares, tmp)
        return path
    return write_text(path, render_access(ares, fmt, picks=picks), all_inputs, force=force)
