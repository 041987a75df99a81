"""The report's tables for people: headers, alignment and rounded cells.

Markdown and HTML render the same :class:`Table` objects, so the two formats
always show the same numbers with the same rounding. The headline and scope
sentences live here too, as wording independent of the output format.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd

from siteplan._values import is_missing
from siteplan.analysis import LARGE_STUDY
from siteplan.render._lookups import map_values, nearest_pairs
from siteplan.render._stream import ordered_pairs, overlap_matrix
from siteplan.render.text import (
    count,
    fmt_number,
    format_numbers,
    metres,
    number,
    score,
    text,
    texts,
)
from siteplan.score.units import unit_name

if TYPE_CHECKING:
    from siteplan.analysis import Result

__all__ = [
    "MEASURE_SHORT",
    "Table",
    "caveat_label",
    "has",
    "headline_parts",
    "is_large",
    "overlap_lookup",
    "records",
    "scope",
    "sorted_pairs",
    "tables",
]

_MEASURE_TEXT: Final = {
    "edge": "edge-to-edge (0 when footprints touch or overlap)",
    "centroid": "centroid-to-centroid",
    "network": "along the road network (shortest path, metres)",
    "time": "travel time along the road network (fastest path, minutes)",
}
MEASURE_SHORT: Final = {
    "edge": "edge-to-edge",
    "centroid": "centroid-to-centroid",
    "network": "network",
    "time": "travel time",
}
# Formulas for people, with typographic multiplication and minus signs.
_DECAY_FORMULAS: Final = {
    "rings": "100 × (n − k) / n for the first ring k (0-based) of n that reaches; 0 beyond",  # noqa: RUF001
    "linear": "100 × max(0, 1 − d / max_m)",  # noqa: RUF001
    "exponential": "100 × 2^(−d / half_m)",  # noqa: RUF001
    "gaussian": "100 × exp(−d² / (2 sigma_m²))",  # noqa: RUF001
    "logistic": "100 / (1 + exp((d − inflection_m) / steepness_m))",  # noqa: RUF001
}
# Site-table columns written first, in this order; the layers' other properties follow.

# --------------------------------------------------------------------------- rows


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Return a frame's rows as dicts, without the geometry column."""
    geometry = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    columns = [c for c in frame.columns if c != geometry]
    return [dict(zip(columns, row, strict=True)) for row in frame[columns].itertuples(False, None)]


def sorted_pairs(result: Result) -> pd.DataFrame:
    """Return the pairs in ``(a, b)`` order."""
    return ordered_pairs(result)[0]


def is_large(result: Result) -> bool:
    """Return whether the study has more than :data:`LARGE_STUDY` sites (tables shorten)."""
    return len(result.sites) > LARGE_STUDY


def _listed(
    result: Result,
    pairs: pd.DataFrame,
    near: npt.NDArray[np.bool_],
    within_first: bool = True,
) -> npt.NDArray[np.bool_]:
    """Return, per pair, whether a shortened table lists it.

    Listed: each site's pair with its nearest neighbour (``near``, from
    :func:`nearest_pairs`), and (``within_first``) the pairs within the first ring.
    """
    first = result.parameters.rings_m[0] if result.parameters.rings_m else 0.0
    keep = pairs["distance_m"].to_numpy(dtype=float) <= first
    if not within_first:
        keep[:] = False
    return np.asarray(keep | near, dtype=bool)


def _left_out_note(
    result: Result, listed: int, total: int, what: str, within_first: bool = True
) -> str:
    first = result.parameters.rings_m[0] if result.parameters.rings_m else 0.0
    which = (
        f"those within the first ring ({metres(first)} m) and each site's nearest neighbour"
        if within_first
        else "each site's nearest neighbour"
    )
    return (
        f" Shortened for {count(len(result.sites), 'site')} (more than {LARGE_STUDY}): "
        f"{listed:,} of {total:,} {what} listed, {which}; the other "
        f"{total - listed:,} are not listed here: see the json or csv report "
        "(siteplan report -f json, -f csv) or the GeoPackage (siteplan export)."
    )


def overlap_lookup(result: Result) -> dict[tuple[str, str, float], float]:
    """Return ``(a, b, ring_m) -> buffer overlap area``."""
    ov = result.overlaps
    return {
        (str(a), str(b), float(r)): float(v)
        for a, b, r, v in zip(ov["a"], ov["b"], ov["ring_m"], ov["overlap_m2"], strict=True)
    }


# --------------------------------------------------------------------------- tables


@dataclass(frozen=True)
class Table:
    """A table for people: headers, numeric-column flags, rows of display strings."""

    key: str
    title: str
    headers: tuple[str, ...]
    numeric: tuple[bool, ...]
    rows: tuple[tuple[str, ...], ...]
    note: str = ""


def _metres_or_text(value: Any) -> str:
    """Return metres rounded for people, or the value as written when it is not a number."""
    try:
        return metres(value)
    except (TypeError, ValueError):
        return text(value)


def _unit(result: Result) -> str:
    """Return the unit of the measure (``m`` or ``min``)."""
    return result.parameters.unit


def _dist(result: Result, value: Any) -> str:
    """Return a value of the measure rounded for people: whole metres, minutes to 0.1."""
    return metres(value) if _unit(result) == "m" else fmt_number(value, ",.1f")


def _dist_cells(result: Result, values: Any) -> list[str]:
    """Return :func:`_dist` of each value."""
    return format_numbers(values, ",.0f" if _unit(result) == "m" else ",.1f")


def _missing(values: npt.NDArray[Any]) -> npt.NDArray[np.bool_]:
    """Return :func:`siteplan._values.is_missing` of each value."""
    if values.dtype.kind == "f":
        return np.asarray(np.isnan(values), dtype=bool)
    return np.array([is_missing(v) for v in values.tolist()], dtype=bool)


def has(frame: pd.DataFrame, column: str) -> bool:
    """Return whether a column exists and holds at least one value."""
    return column in frame.columns and bool(frame[column].map(lambda v: not is_missing(v)).any())


def _ranking_table(result: Result) -> Table:
    sites = result.sites
    zh = has(sites, "name_zh")
    headers = ["Rank", "Id", "Name", *(["Name (zh)"] if zh else [])]
    headers += ["Score", "Nearest", f"Nearest ({_unit(result)})", "Area (m²)"]
    rows = []
    for row in records(sites):
        cells = [str(row["rank"]), text(row["id"]), text(row["name"])]
        cells += [text(row.get("name_zh"))] if zh else []
        cells += [
            score(row["score"]),
            text(row["nearest_id"]),
            _dist(result, row["nearest_m"]),
            metres(row["area_m2"]),
        ]
        rows.append(tuple(cells))
    numeric = (True, False, False, *([False] if zh else []), True, False, True, True)
    measure = MEASURE_SHORT[result.parameters.measure]
    return Table(
        "ranking",
        "Site ranking",
        tuple(headers),
        numeric,
        tuple(rows),
        f"Score: weighted mean of the site's pair scores (0-100). Nearest: by {measure} "
        "distance. Area: projected, in the study's metric CRS.",
    )


#: The pairs table's columns of metres, in order.
_PAIR_METRES: Final = ("edge_m", "centroid_m", "geodesic_m")


def _pair_table(result: Result, pairs: pd.DataFrame, near: npt.NDArray[np.bool_]) -> Table:
    last = result.parameters.rings_m[-1] if result.parameters.rings_m else 0.0
    note = ""
    if is_large(result):
        keep = _listed(result, pairs, near)
        note = _left_out_note(result, int(keep.sum()), len(pairs), "pairs")
        pairs = pairs.loc[keep]
    network = result.network is not None
    ring = pairs["ring_m"].to_numpy()
    ring_cells = _dist_cells(result, ring)
    beyond = f"beyond {_dist(result, last)}"
    for k in np.flatnonzero(_missing(ring)).tolist():
        ring_cells[k] = beyond
    columns = [
        texts(pairs["a"]),
        texts(pairs["b"]),
        *(format_numbers(pairs[c].to_numpy(), ",.0f") for c in _PAIR_METRES),
        *(_network_columns(pairs) if network else ()),
        ring_cells,
        format_numbers(pairs["score"].to_numpy(), ".1f"),
    ]
    rows = list(zip(*columns, strict=True))
    measure = MEASURE_SHORT[result.parameters.measure]
    extra = ("Network (m)", "Time (min)", "Detour") if network else ()
    ring_header = f"Ring ({_unit(result)})"
    return Table(
        "pairs",
        "Pairs",
        ("A", "B", "Edge (m)", "Centroid (m)", "Geodesic (m)", *extra, ring_header, "Score"),
        (False, False, True, True, True, *(True for _ in extra), True, True),
        tuple(rows),
        f"Ring and score follow the {measure} distance. Ring: the smallest ring that "
        "reaches the other site. Geodesic: the ellipsoidal length of the shortest "
        "edge-to-edge segment (a check on the projected edge distance)." + note,
    )


def _network_columns(pairs: pd.DataFrame) -> list[list[str]]:
    """Return the network distance, time and detour columns of the pairs table."""
    cells = [_network_cells(row) for row in records(pairs)]
    return [[row[k] for row in cells] for k in range(3)]


def _network_cells(row: dict[str, Any]) -> tuple[str, str, str]:
    """Return a pair's network distance, time and detour (``unreachable`` when it is)."""
    if not row.get("reachable", False):
        return ("unreachable", "unreachable", "")
    return (
        metres(row["network_m"]),
        fmt_number(row["time_min"], ",.1f"),
        fmt_number(row["detour"], ".2f"),
    )


def _breakdown_table(result: Result) -> Table:
    order = {sid: k for k, sid in enumerate(result.sites["id"])}
    table = result.breakdown
    note = ""
    if is_large(result):
        nearest = dict(zip(result.sites["id"], result.sites["nearest_id"], strict=True))
        wanted = map_values(table["site_id"], nearest)
        mask = wanted == table["other_id"].to_numpy(dtype=object)
        note = _left_out_note(result, int(mask.sum()), len(table), "contributions", False)
        table = table.loc[mask]
    table = table.assign(_order=table["site_id"].map(order))
    table = table.sort_values(
        ["_order", "contribution", "other_id"], ascending=[True, False, True], kind="stable"
    )
    rows = tuple(
        zip(
            texts(table["site_id"]),
            texts(table["other_id"]),
            _dist_cells(result, table["distance_m"].to_numpy()),
            format_numbers(table["pair_score"].to_numpy(), ".1f"),
            format_numbers(table["weight"].to_numpy(), "g"),
            format_numbers(table["contribution"].to_numpy(), ".1f"),
            strict=True,
        )
    )
    return Table(
        "breakdown",
        "Score breakdown",
        (
            "Site",
            "Neighbour",
            f"Distance ({_unit(result)})",
            "Pair score",
            "Weight",
            "Contribution",
        ),
        (False, False, True, True, True, True),
        rows,
        "Contribution = neighbour weight × pair score / sum of the site's neighbour "  # noqa: RUF001
        "weights; a site's contributions add up to its score." + note,
    )


def _overlap_table(result: Result, pairs: pd.DataFrame, near: npt.NDArray[np.bool_]) -> Table:
    rings = result.parameters.rings_m
    note = ""
    if is_large(result):
        keep = _listed(result, pairs, near, within_first=False)
        note = _left_out_note(result, int(keep.sum()), len(pairs), "pairs", False)
        matrix = overlap_matrix(result, pairs)[keep]
        pairs = pairs.loc[keep]
        cells = [format_numbers(matrix[:, c], ",.0f") for c in range(len(rings))]
    else:
        overlaps = overlap_lookup(result)
        keys = [(str(a), str(b)) for a, b in zip(pairs["a"], pairs["b"], strict=True)]
        cells = [
            format_numbers(np.array([overlaps.get((*k, r)) for k in keys], dtype=object), ",.0f")
            for r in rings
        ]
    rows = tuple(zip(texts(pairs["a"]), texts(pairs["b"]), *cells, strict=True))
    return Table(
        "overlaps",
        "Buffer overlap (m²)",
        ("A", "B", *(f"{_dist(result, r)} {_unit(result)}" for r in rings)),
        (False, False, *(True for _ in rings)),
        rows,
        "Area where the two sites' buffers (footprint plus ring radius) overlap." + note,
    )


def _details_table(result: Result) -> Table:
    sites = result.sites
    columns = [c for c in ("placement", "accuracy_m", "source", "notes") if has(sites, c)]
    titles = {
        "placement": "Placement",
        "accuracy_m": "Accuracy (±m)",
        "source": "Source",
        "notes": "Notes",
    }
    rows = tuple(
        (
            text(row["id"]),
            metres(row["geodesic_area_m2"]),
            *(_metres_or_text(row[c]) if c == "accuracy_m" else text(row[c]) for c in columns),
        )
        for row in records(sites)
    )
    return Table(
        "details",
        "Site provenance",
        ("Id", "Geodesic area (m²)", *(titles[c] for c in columns)),
        (False, True, *(c == "accuracy_m" for c in columns)),
        rows,
        "Geodesic area: on the WGS84 ellipsoid, a check on the projected area.",
    )


def _parameter_table(result: Result) -> Table:
    params = result.parameters
    decay = params.decay
    rows = [
        ("CRS", f"{result.crs_name} ({result.crs.name})"),
        ("Measure", _MEASURE_TEXT[params.measure]),
        (
            f"Rings ({_unit(result)})",
            ", ".join(metres(r) if r == int(r) else f"{r:,g}" for r in params.rings_m),
        ),
        ("Decay", f"{decay.kind}: {_DECAY_FORMULAS.get(decay.kind, decay.kind)}"),
    ]
    rows += [
        (unit_name(name, params.unit), number(value))
        for name, value in decay.params.items()
        if name != "rings_m" and not isinstance(value, list)
    ]
    if params.network is not None:
        net = params.network
        rows.append(
            (
                "Network",
                f"mode {net['mode']}; walk {number(net['walk_kmh'])} km/h, bike "
                f"{number(net['bike_kmh'])} km/h, drive {number(net['drive_kmh'])} km/h "
                "where a road has no speed or known class; connectors walked",
            )
        )
    rows += [
        ("Site score", "weighted mean of its pair scores, weighted by the other sites' weights"),
        ("Cluster score", "mean of the pair scores"),
    ]
    if result.study.focus:
        rows.append(("Focus site", result.study.focus))
    return Table(
        "parameters",
        "Parameters",
        ("Parameter", "Value"),
        (False, False),
        tuple(rows),
    )


def tables(result: Result) -> list[Table]:
    """Return the report's tables, in page order."""
    pairs = sorted_pairs(result)
    near = nearest_pairs(result, pairs) if is_large(result) else np.zeros(len(pairs), dtype=bool)
    return [
        _ranking_table(result),
        _pair_table(result, pairs, near),
        _breakdown_table(result),
        _overlap_table(result, pairs, near),
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
        return text(row["id"]), text(row["name"]), score(row["score"])

    best = pick(0) if len(sites) else None
    worst = pick(len(sites) - 1) if len(sites) > 1 else None
    tied = len(sites) > 1 and bool(np.isclose(sites["score"].max(), sites["score"].min()))
    return _Headline(score(result.cluster_score), len(result.pairs), best, worst, tied)


def headline_parts(result: Result) -> list[tuple[str, bool]]:
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


def scope(result: Result) -> str:
    """Return the sentence that says what was measured, and how."""
    measure = MEASURE_SHORT[result.parameters.measure]
    return (
        f"Measured in {result.crs_name} ({measure}); decay {result.parameters.decay.kind}; "
        f"{count(len(result.sites), 'site')}, {count(len(result.pairs), 'pair')}."
    )


def caveat_label(result: Result) -> str:
    """Return the caveat's label (loud for schematic data)."""
    return "SCHEMATIC DATA" if result.schematic else "Accuracy"
