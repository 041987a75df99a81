"""Candidate outputs: the picks as json, csv or markdown text; the surface as GeoJSON or GeoPackage.

:func:`render_candidates` returns text, :func:`write_candidates` writes any of
the five formats atomically. With a sensitivity sweep of the candidates, each
pick also carries its ``stability``.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyogrio
import shapely

from siteplan._io import atomic_path, write_text
from siteplan._values import json_value
from siteplan.errors import OutputError, ParameterError
from siteplan.render.sensitivity import markdown_section, sensitivity_dict
from siteplan.render.styles import candidate_styles, write_layer_styles
from siteplan.render.text import escape_markdown
from siteplan.score.constraints import COUNTING_RULE
from siteplan.score.units import unit_name

if TYPE_CHECKING:
    from siteplan.candidates.result import CandidateResult
    from siteplan.scenarios.sensitivity import SensitivityResult

__all__ = [
    "CANDIDATE_FORMATS",
    "TEXT_FORMATS",
    "by_unit",
    "candidates_dict",
    "render_candidates",
    "write_candidates",
]

FloatArray: TypeAlias = npt.NDArray[np.float64]

#: Text formats (standard output without -o) and file formats (need -o).
CANDIDATE_FORMATS: Final = ("json", "csv", "markdown", "geojson", "gpkg")
TEXT_FORMATS: Final = ("json", "csv", "markdown")
_GPKG_DATE: Final = "2000-01-01T00:00:00.000Z"


def _stability(sres: SensitivityResult | None) -> FloatArray | None:
    return None if sres is None else sres.pick_stability


def _finite(value: Any) -> float | None:
    """Return a number, or None for NaN and inf (nothing reached)."""
    number = float(value)
    return number if np.isfinite(number) else None


def _pick_records(
    cres: CandidateResult, stability: FloatArray | None = None
) -> list[dict[str, Any]]:
    """Return the picks as json records; fields that carry the measure are named by unit."""
    unit = cres.unit
    nearest_key, distances_key = unit_name("nearest_m", unit), _unit_key("distances_m", unit)
    records = []
    picks = cres.picks
    for i in range(len(picks)):
        row = picks.iloc[i]
        record: dict[str, Any] = {
            "rank": int(row["rank"]),
            "lon": float(row["lon"]),
            "lat": float(row["lat"]),
            "score": float(row["score"]),
            "breakdown": {
                sid: float(cres.pick_breakdown[i, j]) for j, sid in enumerate(cres.site_ids)
            },
            "nearest_id": str(row["nearest_id"]) if isinstance(row["nearest_id"], str) else None,
            nearest_key: _finite(row["nearest_m"]),
            "id": str(row["id"]),
            "x": float(row["x"]),
            "y": float(row["y"]),
            distances_key: {
                sid: _finite(cres.pick_distances[i, j]) for j, sid in enumerate(cres.site_ids)
            },
        }
        if cres.connector_m is not None:
            record["connector_m"] = _finite(row["connector_m"])
        if stability is not None:
            record["stability"] = float(stability[i])
        records.append(record)
    return records


def _unit_key(name: str, unit: str) -> str:
    """Return ``name`` (ending in ``_m``) in the measure's unit: ``distances_min`` with time."""
    return name[: -len("_m")] + "_min" if unit == "min" else name


def by_unit(frame: pd.DataFrame, unit: str) -> pd.DataFrame:
    """Return a candidates or picks table with its measure columns named by unit."""
    if unit != "min":
        return frame
    names = {c: "nearest_min" for c in frame.columns if c == "nearest_m"}
    names |= {
        c: "distance_min_" + c[len("distance_m_") :]
        for c in frame.columns
        if str(c).startswith("distance_m_")
    }
    return frame.rename(columns=names)


def _counting_text(cres: CandidateResult) -> str:
    return COUNTING_RULE + (
        "; outside_boundary counts the cells of the boundary's bounding grid whose "
        "centre is outside the boundary (they are not candidates)"
        if cres.grid is not None
        else ""
    )


def candidates_dict(cres: CandidateResult, sres: SensitivityResult | None = None) -> dict[str, Any]:
    """Return the json output as a dict (see :func:`render_candidates`)."""
    constraints = []
    for c in cres.constraints:
        entry = c.as_dict()
        entry["excluded"] = cres.excluded.get(c.name, 0) if c.enabled else None
        constraints.append(entry)
    summary: dict[str, Any] = {
        "candidates": len(cres),
        "eligible": int(cres.eligible.sum()),
        "picked": len(cres.picks),
    }
    if cres.grid is not None:
        summary["grid_cells"] = cres.grid.cells
        summary["grid_rows"] = cres.grid.rows
        summary["grid_cols"] = cres.grid.cols
        summary["grid_origin"] = [cres.grid.x0, cres.grid.y0]
    out: dict[str, Any] = {
        "study": cres.result.name,
        "crs": cres.crs_name,
        "candidates": _pick_records(cres, _stability(sres)),
        "excluded": dict(cres.excluded),
        "parameters": dict(cres.parameters),
        "constraints": constraints,
        "counting": _counting_text(cres),
        "summary": summary,
        "caveat": cres.caveat,
        "warnings": list(cres.warnings),
    }
    if sres is not None:
        out["sensitivity"] = sensitivity_dict(sres)
    return _with_plan(cres, out)


def _with_plan(cres: CandidateResult, out: dict[str, Any]) -> dict[str, Any]:
    """Add ``method``, ``coverage_share`` and the solver's account (``--method``)."""
    method = cres.parameters.get("method")
    if method is None:
        return out
    out["method"] = method
    if cres.plan is not None:
        out["coverage_share"] = cres.plan.allocation.metrics.coverage_share
        out["status"] = cres.plan.allocation.status
        out["allocation"] = json_value(cres.plan.to_dict())
    return out


def _plan_markdown(cres: CandidateResult) -> list[str]:
    """Return the markdown section comparing the optimal picks with the greedy ones."""
    plan = cres.plan
    if plan is None:
        return []
    alloc, cmp = plan.allocation, plan.comparison

    def cost(value: float | None) -> str:
        return "—" if value is None else f"{value:,.0f} m"

    def saved(value: float | None) -> str:
        return "—" if value is None else f"{value:+,.0f} m"

    return [
        f"## {alloc.method} against greedy",
        "",
        f"Optimal picks ({alloc.method}, solver status {alloc.status}, gap {alloc.gap:g}) "
        f"among {plan.thinned:,} eligible candidates (thinning rule: the {plan.keep:,} best "
        "by score, ties by id), the existing sites open; coverage within "
        f"{alloc.service:g} m.",
        "",
        "| picks | coverage | mean distance | worst distance |",
        "|---|---:|---:|---:|",
        f"| {alloc.method} | {100 * cmp.optimal.coverage_share:.1f} % | "
        f"{cost(cmp.optimal.mean_cost)} | {cost(cmp.optimal.worst_cost)} |",
        f"| greedy | {100 * cmp.greedy.coverage_share:.1f} % | {cost(cmp.greedy.mean_cost)} | "
        f"{cost(cmp.greedy.worst_cost)} |",
        "",
        f"Coverage gained: {100 * cmp.coverage_gained:+.1f} points "
        f"({cmp.covered_demand_gained:+,.0f} demand); mean distance saved: "
        f"{saved(cmp.mean_cost_saved)}; worst distance saved: {saved(cmp.worst_cost_saved)}.",
        "",
    ]


def _csv_text(cres: CandidateResult, sres: SensitivityResult | None = None) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    unit = cres.unit
    nearest = unit_name("nearest_m", unit)
    header = ["rank", "id", "lon", "lat", "x", "y", "score", "nearest_id", nearest]
    head = len(header)
    has_stability = _stability(sres) is not None
    network = cres.connector_m is not None
    header += ["connector_m"] if network else []
    header += [f"score_{sid}" for sid in cres.site_ids]
    header += [f"{unit_name('distance_m', unit)}_{sid}" for sid in cres.site_ids]
    if has_stability:
        header.append("stability")
    writer.writerow(header)
    for record in _pick_records(cres, _stability(sres)):
        row = [record[k] for k in header[:head]]
        row += [record["connector_m"]] if network else []
        row += [repr(record["breakdown"][sid]) for sid in cres.site_ids]
        distances = record[_unit_key("distances_m", unit)]
        row += [_csv_number(distances[sid]) for sid in cres.site_ids]
        if has_stability:
            row.append(repr(record["stability"]))
        writer.writerow([repr(v) if isinstance(v, float) else "" if v is None else v for v in row])
    return buffer.getvalue()


def _csv_number(value: float | None) -> str:
    """Return a number at full precision, or an empty cell for nothing reached."""
    return "" if value is None else repr(value)


def _md(text: Any) -> str:
    """Make user text safe inside a markdown table cell (one line, markup escaped)."""
    if text is None:
        return ""
    return escape_markdown(" ".join(str(text).split()))


def _markdown_cost(value: float | None, unit: str) -> str:
    """Round a distance or a time for people; a dash when nothing is reached."""
    if value is None:
        return "—"
    return f"{value:,.1f} min" if unit == "min" else f"{value:,.0f} m"


def _markdown_text(cres: CandidateResult, sres: SensitivityResult | None = None) -> str:
    p = cres.parameters
    unit = cres.unit
    lines = [f"# Candidate sites: {_md(cres.result.name)}", "", f"> {_md(cres.caveat)}", ""]
    what = (
        f"{p['cell_m']:g} m grid cells"
        if cres.grid is not None
        else f"parcels{' from ' + _md(p['parcels']) if p['parcels'] else ''}"
    )
    decay_params = ", ".join(
        f"{unit_name(k, unit)} {v:g}" for k, v in cres.decay.params.items() if isinstance(v, float)
    )
    lines.append(
        f"Top {len(cres.picks)} of {int(cres.eligible.sum()):,} eligible candidates "
        f"({len(cres):,} {what}), picks at least {p['min_separation_m']:g} m apart. "
        f"Scored with the {cres.decay.kind} decay"
        + (f" ({decay_params})" if decay_params else "")
        + f", rings {', '.join(f'{r:g}' for r in p[unit_name('rings_m', unit)])} {unit}, "
        + (f"{p['measure']} distances, " if unit == "m" else f"{p['measure']} measure, ")
        + (f"mode {p['mode']}, " if "mode" in p else "")
        + f"in {cres.crs_name}; a candidate's score is the weighted mean of its per-site scores."
    )
    lines.append("")
    head = ["rank", "id", "lon", "lat", "score", "nearest site", *cres.site_ids]
    stability = _stability(sres)
    if stability is not None:
        head.append("stability")
    lines.append("| " + " | ".join(_md(h) for h in head) + " |")
    lines.append("|" + "|".join(["---:", "---", "---:", "---:", "---:", "---"]) + "|")
    lines[-1] += "".join("---:|" for _ in range(len(head) - 6))
    for record in _pick_records(cres, stability):
        cells = [
            str(record["rank"]),
            _md(record["id"]),
            f"{record['lon']:.6f}",
            f"{record['lat']:.6f}",
            f"{record['score']:.1f}",
            f"{_md(record['nearest_id'])} "
            f"({_markdown_cost(record[unit_name('nearest_m', unit)], unit)})"
            if record["nearest_id"] is not None
            else "none reached",
            *(f"{record['breakdown'][sid]:.1f}" for sid in cres.site_ids),
        ]
        if "stability" in record:
            cells.append(f"{100 * record['stability']:.0f} %")
        lines.append("| " + " | ".join(cells) + " |")
    if not len(cres.picks):
        lines.append("")
        lines.append("No candidate passes every constraint.")
    lines += ["", "## Constraints", ""]
    lines.append("| constraint | excludes | excluded | note | source |")
    lines.append("|---|---|---:|---|---|")
    for c in cres.constraints:
        count = f"{cres.excluded.get(c.name, 0):,}" if c.enabled else "off"
        lines.append(
            f"| {_md(c.name)} | {_md(c.rule)} | {count} | {_md(c.note)} | {_md(c.source)} |"
        )
    lines += ["", _md(_counting_text(cres)).capitalize() + ".", ""]
    if cres.warnings:
        lines += ["## Warnings", ""]
        lines += [f"- {_md(w)}" for w in cres.warnings]
        lines.append("")
    lines += _plan_markdown(cres)
    if sres is not None:
        lines.append(markdown_section(sres))
    return "\n".join(lines)


def render_candidates(
    cres: CandidateResult, fmt: str = "markdown", *, sensitivity: SensitivityResult | None = None
) -> str:
    """Render the picks as ``json``, ``csv`` or ``markdown`` text.

    - json: ``{"study", "crs", "candidates": [{"rank", "lon", "lat", "score",
      "breakdown": {site_id: score}, "nearest_id", "nearest_m", "id", "x", "y",
      "distances_m": {site_id: m}}], "excluded": {constraint: count},
      "parameters", "constraints", "counting", "summary", "caveat", "warnings"}``,
      picks sorted by rank, numbers at full precision;
    - csv: one row per pick, breakdown as ``score_<site>`` and ``distance_m_<site>``;
    - markdown: the picks table, the constraints with notes and sources, the caveat.

    With ``sensitivity`` (:func:`siteplan.scenarios.sensitivity.analyze_sensitivity` run on these
    candidates), each pick gets its ``stability`` (the share of scenarios it
    survives) and json a ``sensitivity`` member, markdown a section.

    Raises
    ------
    ParameterError
        For another format (geojson and gpkg are files: :func:`write_candidates`).
    """
    if fmt == "json":
        text = json.dumps(
            candidates_dict(cres, sensitivity), ensure_ascii=False, indent=2, allow_nan=False
        )
        return text + "\n"
    if fmt == "csv":
        return _csv_text(cres, sensitivity)
    if fmt == "markdown":
        return _markdown_text(cres, sensitivity)
    if fmt in ("geojson", "gpkg"):
        raise ParameterError(
            f"fmt {fmt!r} is a file format: write it with write_candidates(cres, 'PATH.{fmt}')",
            argument="fmt",
        )
    raise ParameterError(
        f"fmt {fmt!r} is not one of {', '.join(CANDIDATE_FORMATS)}", argument="fmt"
    )


def _feature(props: dict[str, Any], geometry: str) -> str:
    text = json.dumps(props, ensure_ascii=False, allow_nan=False)
    return f'{{"type": "Feature", "properties": {text}, "geometry": {geometry}}}'


def _geojson_text(cres: CandidateResult, sres: SensitivityResult | None) -> str:
    surface = by_unit(cres.surface(), cres.unit)
    picks = by_unit(cres.picks_wgs84(), cres.unit)
    stability = _stability(sres)
    if stability is not None:
        picks["stability"] = stability
    parts = []
    for frame, kind in ((surface, "cell"), (picks, "pick")):
        columns = [c for c in frame.columns if c != "geometry"]
        values = {c: frame[c].tolist() for c in columns}
        geoms = shapely.to_geojson(np.asarray(frame.geometry.array, dtype=object))
        for i in range(len(frame)):
            props: dict[str, Any] = {"feature_type": kind}
            props.update({c: json_value(values[c][i]) for c in columns})
            parts.append(_feature(props, str(geoms[i])))
    meta = {k: v for k, v in candidates_dict(cres, sres).items() if k != "candidates"}
    head = json.dumps(
        {"type": "FeatureCollection", "name": cres.result.name, "siteplan": meta},
        ensure_ascii=False,
        allow_nan=False,
    )
    return head[:-1] + ', "features": [\n' + ",\n".join(parts) + "\n]}\n"


def _write_gpkg(cres: CandidateResult, tmp: Path, sres: SensitivityResult | None) -> None:
    previous = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": _GPKG_DATE})
    try:
        surface = by_unit(cres.surface(), cres.unit)
        surface["rank"] = surface["rank"].astype("float64")
        pyogrio.write_dataframe(
            surface, tmp, layer="surface", driver="GPKG", dataset_options={"VERSION": "1.3"}
        )
        picks = by_unit(cres.picks_wgs84(), cres.unit)
        picks["rank"] = picks["rank"].astype("int64")
        stability = _stability(sres)
        if stability is not None:
            picks["stability"] = stability
        pyogrio.write_dataframe(picks, tmp, layer="picks", driver="GPKG")
        areas = cres.constraint_areas()
        areas["excluded"] = areas["excluded"].astype("int64")
        pyogrio.write_dataframe(areas, tmp, layer="excluded_areas", driver="GPKG")
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": previous})
    write_layer_styles(tmp, candidate_styles(cres))


def write_candidates(
    cres: CandidateResult,
    path: str | Path,
    fmt: str | None = None,
    *,
    sensitivity: SensitivityResult | None = None,
    force: bool = False,
) -> Path:
    """Write the candidates to ``path`` atomically and return it.

    Parameters
    ----------
    cres
        The scored candidates.
    path
        The output file; its parents are created; it may not be an input.
    fmt
        ``json``, ``csv``, ``markdown`` (the picks), ``geojson`` (the scored
        surface: every candidate as a cell or parcel polygon with
        ``feature_type`` ``cell``, and the picks as points with ``feature_type``
        ``pick``) or ``gpkg`` (layers ``surface``, ``picks`` and
        ``excluded_areas``). None guesses from the suffix (``.md`` is markdown).
    sensitivity
        A sensitivity sweep of these candidates: adds each pick's ``stability``.
    force
        Replace an existing read-only output.

    Raises
    ------
    OutputError
        When the path cannot be written or is an input.
    ParameterError
        For an unknown format.
    """
    path = Path(path)
    if fmt is None:
        suffix = path.suffix.lower().lstrip(".")
        fmt = {"md": "markdown", "json": "json", "csv": "csv", "geojson": "geojson"}.get(
            suffix, "gpkg" if suffix == "gpkg" else ""
        )
        if not fmt:
            raise OutputError(
                "cannot tell the format from the suffix; give one of "
                f"{', '.join(CANDIDATE_FORMATS)}",
                path=path,
            )
    inputs = cres.inputs
    if fmt in TEXT_FORMATS:
        text = render_candidates(cres, fmt, sensitivity=sensitivity)
        return write_text(path, text, inputs, force=force)
    if fmt == "geojson":
        return write_text(path, _geojson_text(cres, sensitivity), inputs, force=force)
    if fmt == "gpkg":
        # GDAL errors become OutputError outside atomic_path (which has removed the
        # temporary file by then), as in siteplan.render.export
        try:
            with atomic_path(path, inputs, force=force) as tmp:
                _write_gpkg(cres, tmp, sensitivity)
        except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
            detail = " ".join(str(exc).split())[:200]
            hint = (
                "its field names ignore case, so site ids that differ only in case collide "
                "(score_<site> columns): rename one, or write .geojson or .csv"
                if isinstance(exc, pyogrio.errors.FieldError)
                else "check the folder and free space"
            )
            raise OutputError(
                f"GDAL cannot write the GeoPackage ({detail}); {hint}", path=path
            ) from None
        return path
    raise ParameterError(
        f"fmt {fmt!r} is not one of {', '.join(CANDIDATE_FORMATS)}", argument="fmt"
    )
