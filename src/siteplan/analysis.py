"""Run the proximity analysis of a study and hold its result.

:func:`analyze` is the library's main entry point: it reads the study, projects
it to one metric CRS, measures every pair of sites, buffers the rings, scores
pairs and sites, and returns one immutable :class:`Result`. Every renderer
(report, map, export) reads that result; nothing re-computes while rendering.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
from pyproj import CRS

from siteplan.errors import ParameterError
from siteplan.load.layers import WGS84
from siteplan.load.projection import choose_crs
from siteplan.load.study import Study, StudyData, read_study
from siteplan.measure.network.columns import NETWORK_PAIR_COLUMNS
from siteplan.measure.overlaps import overlap_table
from siteplan.measure.pairs import (
    disagreement_warnings,
    geodesic_areas,
    pair_index,
    reach_table,
    ring_bands,
    ring_reached,
)
from siteplan.measure.reach import (
    PAIR_CHUNK,
    PairLabels,
    lines_to_wgs84,
    measure_pairs,
    ordered_reach,
)
from siteplan.score.breakdown import score_breakdown, site_breakdown
from siteplan.score.scoring import (
    ScoringParameters,
    cluster_score,
    network_parameters,
    resolve_parameters,
)

if TYPE_CHECKING:
    from siteplan.measure.network.graph import Cost
    from siteplan.measure.network.sites import SiteNetwork

__all__ = ["LARGE_STUDY", "PAIR_COLUMNS", "SCHEMATIC_CAVEAT", "Result", "analyze", "reach_m"]

#: Above this many sites a study is "large": pair lines are kept within the first ring, buffer
#: overlaps are computed at the first ring for the pairs within it, and the human formats
#: (markdown, HTML, the map) shorten their pair tables (DESIGN.md, Scale).
LARGE_STUDY: Final = 50

#: The attribute columns of ``Result.pairs``, in order (geometry follows).
PAIR_COLUMNS: Final = (
    "a",
    "b",
    "name_a",
    "name_b",
    "edge_m",
    "centroid_m",
    "geodesic_m",
    "distance_m",
    "ring_m",
    "score",
)

SCHEMATIC_CAVEAT: Final = (
    "Site positions in this study are SCHEMATIC, not surveyed: they were placed from "
    "published addresses, bounding roads and areas, with an uncertainty of about "
    "{accuracy}. Distances and scores illustrate the method; replace the layers with "
    "surveyed ones before relying on them."
)
ROADS_CAVEAT: Final = (
    " The road network is SCHEMATIC too (placement = schematic): travel along it "
    "illustrates the method; replace it with surveyed roads before relying on times."
)
SURVEYED_CAVEAT: Final = (
    "Distances are measured between the footprints as given; their accuracy is that of the "
    "input layers{accuracy}."
)


@dataclass(frozen=True)
class Result:
    """The outcome of one analysis; every renderer reads it and nothing else.

    Attributes
    ----------
    study, data
        The study's configuration and its validated layers (WGS84).
    crs
        The metric CRS everything was measured in.
    parameters
        The resolved scoring parameters.
    sites
        One row per site, ordered by rank: ``id``, ``name``, ``layer``,
        ``weight``, ``placement``, ``area_m2`` (projected), ``geodesic_area_m2``,
        ``score``, ``rank``, ``nearest_id``, ``nearest_m``, the layers' other
        properties, and the WGS84 footprint.
    sites_m
        The same sites in the metric CRS.
    pairs
        One row per unordered pair ``(a, b)``, ``a < b``: ``edge_m``,
        ``centroid_m``, ``geodesic_m``, ``distance_m`` (the chosen measure),
        ``ring_m`` (NaN beyond the last ring), ``score``; geometry: the shortest
        edge-to-edge segment (WGS84). In a large study (more than
        :data:`LARGE_STUDY` sites) only pairs within the first ring keep
        their segment; the others have no geometry.
    rings
        Ring bands (the area between consecutive rings) per site: ``site_id``,
        ``inner_m``, ``ring_m``, ``area_m2``, ``reaches`` (ids within the ring).
    reach
        Long table of which other sites each ring reaches.
    overlaps
        Buffer overlap area per pair and ring (``overlap_m2``), in ``(a, b,
        ring_m)`` order. In a large study pairs of two point sites get the exact
        overlap of their discs; for the other pairs only the first ring's overlaps of
        the pairs within it are computed, and other overlaps that could be non-zero
        are NaN.
    breakdown
        Per site, what each neighbour contributed to its score.
    cluster_score
        The mean pair score.
    warnings
        Repairs, geodesic disagreements and other notes, in a stable order.
    network
        With a network measure: the graph and where each site joins it; None otherwise.

    Under a network measure ``pairs`` also has the columns of
    :data:`~siteplan.measure.network.sites.NETWORK_PAIR_COLUMNS`, ``sites`` a
    ``connector_m``, and ``rings`` are reached-network bands. Columns that carry
    the measure keep their ``_m`` names here and hold values in
    ``parameters.unit`` (minutes for ``time``); the outputs name them by unit.
    """

    study: Study
    data: StudyData
    crs: CRS
    parameters: ScoringParameters
    sites: gpd.GeoDataFrame
    sites_m: gpd.GeoDataFrame
    pairs: gpd.GeoDataFrame
    rings: gpd.GeoDataFrame
    reach: pd.DataFrame
    overlaps: pd.DataFrame
    breakdown: pd.DataFrame
    cluster_score: float
    warnings: tuple[str, ...]
    network: SiteNetwork | None = None

    @property
    def crs_name(self) -> str:
        """The metric CRS as ``AUTHORITY:CODE`` (e.g. ``EPSG:32651``)."""
        return str(self.crs.to_string())

    @property
    def name(self) -> str:
        """The study's title."""
        return self.study.name

    @property
    def schematic(self) -> bool:
        """Whether any layer is placed schematically."""
        return self.data.schematic

    @property
    def caveat(self) -> str:
        """The accuracy statement every output carries."""
        column = self.sites.get("accuracy_m")
        acc = None if column is None else pd.to_numeric(column, errors="coerce")
        acc_max = float(acc.max()) if acc is not None and acc.notna().any() else None
        roads = ""
        if self.network is not None and self.data.network is not None:
            roads = ROADS_CAVEAT if self.data.network.schematic else ""
        if self.schematic:
            text = f"±{acc_max:,.0f} m" if acc_max else "1 km"
            return SCHEMATIC_CAVEAT.format(accuracy=text) + roads
        accuracy = f" (up to ±{acc_max:,.0f} m)" if acc_max else ""
        return SURVEYED_CAVEAT.format(accuracy=accuracy) + roads

    @property
    def inputs(self) -> tuple[Path, ...]:
        """Every file the study read (for refusing to overwrite inputs)."""
        paths = [spec.path for spec in self.study.layers]
        if self.study.path is not None:
            paths.insert(0, self.study.path)
        # a network given on its own (network=, --network) replaces the study's
        paths += [p for p in self.data.network_paths if p not in paths]
        return tuple(paths)


def reach_m(parameters: ScoringParameters) -> float:
    """Return the distance "within reach": ``max_m`` for the linear decay, else the last ring.

    Examples
    --------
    >>> from siteplan.score.scoring import resolve_parameters
    >>> reach_m(resolve_parameters({}, {})), reach_m(resolve_parameters({}, {"decay": "linear"}))
    (5000.0, 5000.0)
    """
    decay = parameters.decay
    if decay.kind == "linear":
        return float(decay.params["max_m"])  # type: ignore[arg-type]
    return float(parameters.rings_m[-1]) if parameters.rings_m else 0.0


def _all_features(data: StudyData) -> gpd.GeoDataFrame:
    frames = [data.sites] + [f for f in (data.boundary, data.exclusions) if f is not None]
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs=WGS84)


def analyze(
    study: Study | StudyData | str | Path | None = None,
    *,
    crs: str | None = None,
    measure: str | None = None,
    rings_m: Sequence[float] | None = None,
    decay: str | None = None,
    strict: bool = False,
    chunk: int = PAIR_CHUNK,
    mode: str | None = None,
    network: str | Path | None = None,
    **decay_params: float | None,
) -> Result:
    """Measure and score every pair of sites of a study.

    Parameters
    ----------
    study
        A study file or folder path, a :class:`Study`, already-read
        :class:`StudyData`, or None for the bundled SIMZ study.
    crs
        ``"auto"`` or a metric CRS; overrides the study file's ``crs``.
    measure
        ``edge`` (default), ``centroid``, ``network`` (along the roads, metres)
        or ``time`` (along the roads, minutes: rings and decay parameters in
        minutes too, as ``rings_min``, ``half_min``, ...).
    rings_m
        Ring radii in metres, increasing (default 500, 1000, 2000, 5000).
    decay
        ``rings`` (default), ``linear``, ``exponential``, ``gaussian`` or ``logistic``.
    strict
        Refuse invalid polygons instead of repairing them.
    chunk
        Pairs measured per vectorised chunk (bounds memory); results do not depend on it.
    mode
        Network measures: ``walk``, ``bike`` or ``drive`` (default: the study's
        ``[network]`` mode, else walk).
    network
        Network measures: a road layer that replaces the study's network.
    **decay_params
        The decay's parameters by name: ``max_m``, ``half_m``, ``sigma_m``,
        ``inflection_m``, ``steepness_m`` (``max_min``, ... with time).

    Returns
    -------
    Result
        Sites with scores and ranks, pairs, rings, overlaps and warnings.

    Examples
    --------
    >>> result = analyze()
    >>> result.crs_name, len(result.sites), len(result.pairs)
    ('EPSG:32651', 4, 6)
    >>> analyze(decay="linear", max_m=2000).parameters.as_dict()["max_m"]
    2000.0
    """
    data = study if isinstance(study, StudyData) else read_study(study, strict=strict)
    spec = data.study
    params = resolve_parameters(
        spec.scoring, {"measure": measure, "rings_m": rings_m, "decay": decay, **decay_params}
    )
    metric = choose_crs(_all_features(data), crs if crs is not None else spec.crs)

    sites = data.sites.sort_values("id", kind="stable", ignore_index=True)
    sites_m = sites.to_crs(metric)
    ids = sites["id"].tolist()
    warnings: list[str] = list(data.warnings)

    sites["area_m2"] = sites_m.geometry.area.to_numpy()
    sites["geodesic_area_m2"] = geodesic_areas(sites.geometry)
    warnings += disagreement_warnings(
        sites["area_m2"],
        sites["geodesic_area_m2"],
        [f"site {i}" for i in ids],
        "area (m²)",
        str(metric.to_string()),
    )

    large = len(ids) > LARGE_STUDY
    pairs, lines = measure_pairs(
        sites_m.geometry,
        ids,
        metric,
        select=params.distance_column,
        reach_m=(params.rings_m[0] if params.rings_m else 0.0) if large else None,
        chunk=chunk,
    )
    warnings += disagreement_warnings(
        pairs["edge_m"],
        pairs["geodesic_m"],
        PairLabels(pairs),
        "edge distance (m)",
        str(metric.to_string()),
    )
    measured = None
    if params.measure in NETWORK_MEASURES:
        data, params, measured = _join_network(
            data, params, sites_m, metric, mode=mode, network=network
        )
        pairs, notes = _join_network_pairs(measured, pairs, ids)
        warnings += notes
        sites["connector_m"] = np.where(
            np.isfinite(measured.connector_m), measured.connector_m, np.nan
        )
    elif mode is not None or network is not None:
        which = "mode" if mode is not None else "network"
        raise ParameterError(
            f"{which} applies to the network measures only; give measure='network' or "
            "measure='time'",
            argument=which,
        )
    pairs["distance_m"] = pairs[params.distance_column]
    pairs["ring_m"] = ring_reached(pairs["distance_m"], params.rings_m)
    pairs["score"] = params.decay(pairs["distance_m"].to_numpy())
    names = sites["name"].to_numpy(dtype=object)
    i_pos, j_pos = pair_index(len(ids))  # the pairs are in pair_index order
    pairs.insert(2, "name_a", pd.Series(names[i_pos], dtype=object, copy=False))
    pairs.insert(3, "name_b", pd.Series(names[j_pos], dtype=object, copy=False))
    pair_frame = gpd.GeoDataFrame(
        pairs[[*PAIR_COLUMNS, *(c for c in NETWORK_PAIR_COLUMNS if c in pairs.columns)]],
        geometry=lines_to_wgs84(lines, metric).array,
        crs=WGS84,
        copy=False,  # the selection is a new frame already; a copy costs millions of increfs
    )
    del lines

    breakdown = site_breakdown(
        ids, pairs["distance_m"], pairs["score"], sites["weight"].to_numpy(dtype=float)
    )
    scored = score_breakdown(ids, breakdown)
    for column in ("score", "rank", "nearest_id", "nearest_m"):
        sites[column] = scored[column].to_numpy()
    if len(sites) < 2:
        warnings.append("the study has only one site: there are no pairs to score")
    elif (sites["weight"] == 0).all():
        warnings.append("every site weighs 0: site scores are 0")

    if measured is None:
        reach, reaches = ordered_reach(
            breakdown["site_id"].to_numpy(dtype=object),
            breakdown["other_id"].to_numpy(dtype=object),
            breakdown["distance_m"].to_numpy(dtype=float),
            len(ids),
            params.rings_m,
        )
        # detailed footprints are simplified and filled per ring inside (measure._footprint)
        band_table, band_geoms, buffers = ring_bands(sites_m.geometry, ids, params.rings_m)
        band_table["reaches"] = reaches
        rings = gpd.GeoDataFrame(
            band_table,
            geometry=gpd.GeoSeries(band_geoms, crs=metric).to_crs(WGS84).array,
            crs=WGS84,
        )
        if large and params.rings_m:
            first = params.rings_m[0]
            overlaps = overlap_table(
                buffers,
                pairs,
                params.rings_m,
                only=pairs["edge_m"].to_numpy() <= first,
                rings_computed=1,
                discs=(sites_m.geometry.geom_type == "Point").to_numpy(),
                chunk=chunk,
            )
            warnings.append(
                f"{len(ids)} sites (more than {LARGE_STUDY}): pair lines are kept within the first "
                f"ring ({first:g} m); buffer overlaps of two point sites are exact disc overlaps, "
                "others are computed at the first ring for the pairs within it, and the other "
                "overlaps that could be non-zero are left empty (null)"
            )
        else:
            overlaps = overlap_table(buffers, pairs, params.rings_m, chunk=chunk)
    else:
        reach = reach_table(pairs, "distance_m", params.rings_m)
        band_table, band_geoms, overlaps = _network_rings(measured, params, pairs, ids, spec.focus)
        reached = reach.groupby(["site_id", "ring_m"])["other_id"].agg(",".join)
        band_table["reaches"] = [
            reached.get((sid, r), "")
            for sid, r in zip(band_table["site_id"], band_table["ring_m"], strict=True)
        ]
        rings = gpd.GeoDataFrame(band_table, geometry=band_geoms, crs=WGS84)

    # rank order: scores within 1e-9 tie and go by id (siteplan.score.rank)
    order = sites.sort_values("rank", kind="stable").index
    sites = sites.loc[order].reset_index(drop=True)
    sites_m = sites_m.loc[order].reset_index(drop=True)
    sites_m[["score", "rank"]] = sites[["score", "rank"]].to_numpy()

    return Result(
        study=spec,
        data=data,
        crs=metric,
        parameters=params,
        sites=sites,
        sites_m=sites_m,
        pairs=pair_frame,
        rings=rings,
        reach=reach,
        overlaps=overlaps,
        breakdown=breakdown,
        cluster_score=cluster_score(pairs),
        warnings=tuple(warnings),
        network=measured,
    )


# --------------------------------------------------------------------------- network measures

#: The measures that travel along the road network.
NETWORK_MEASURES: Final = ("network", "time")
#: With more sites than this, only the focus site's isochrones are drawn.
MAX_ISOCHRONE_SITES: Final = 50


def _join_network(
    data: StudyData,
    params: ScoringParameters,
    sites_m: gpd.GeoDataFrame,
    metric: CRS,
    *,
    mode: str | None,
    network: str | Path | None,
) -> tuple[StudyData, ScoringParameters, SiteNetwork]:
    """Build (or load) the study's graph and join the sites to it."""
    # lazy: the road network needs scipy, which straight-line studies never load
    from siteplan.measure.network.sites import measure_site_pairs, network_for_study

    data, graph, _ = network_for_study(data, metric, mode=mode, path=network)
    fastest = max(float(graph.seg_kmh.max(initial=0.0)), graph.params.walk_kmh)  # connectors walk
    params = network_parameters(params, graph.params.as_dict(), fastest)  # refuses absurd minutes
    site_field = next((s.site_field for s in data.study.layers if s.role == "entrance"), "site_id")
    entrances = None if data.entrances is None else data.entrances.to_crs(metric)
    measured = measure_site_pairs(
        graph,
        sites_m.geometry,
        sites_m["id"].tolist(),
        cost="time" if params.measure == "time" else "length",
        entrances_m=entrances,
        site_field=site_field,
    )
    return data, params, measured


def _join_network_pairs(
    measured: SiteNetwork, pairs: pd.DataFrame, ids: list[str]
) -> tuple[pd.DataFrame, list[str]]:
    """Return the pairs with their network fields, and the warnings about unreachable pairs."""
    # lazy: the road network needs scipy, which straight-line studies never load
    from siteplan.measure.network.sites import pair_fields, pair_warnings

    joined = pairs.join(pair_fields(measured, pairs, ids).set_axis(pairs.index))
    return joined, list(pair_warnings(measured, joined, ids))


def _network_rings(
    measured: SiteNetwork,
    params: ScoringParameters,
    pairs: pd.DataFrame,
    ids: list[str],
    focus: str | None,
) -> tuple[pd.DataFrame, npt.NDArray[np.object_], pd.DataFrame]:
    """Return the rings as reached-network bands (WGS84, valid), and the reached overlaps."""
    # lazy: the road network needs scipy, which straight-line studies never load
    from siteplan.measure.network.isochrones import wgs84_bands
    from siteplan.measure.network.sites import area_overlaps, ring_areas

    only = None
    if len(ids) > MAX_ISOCHRONE_SITES:
        only = [ids.index(focus)] if focus in ids else []
    cost: Cost = "time" if params.measure == "time" else "length"
    table, geoms, areas = ring_areas(measured, ids, params.rings_m, cost=cost, only=only)
    wgs = wgs84_bands(geoms, measured.network.crs)
    return table, wgs, area_overlaps(areas, pairs, ids, params.rings_m)
