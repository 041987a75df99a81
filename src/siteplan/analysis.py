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
from typing import Final

import geopandas as gpd
import pandas as pd
from pyproj import CRS

from siteplan.load.layers import WGS84
from siteplan.load.projection import choose_crs
from siteplan.load.study import Study, StudyData, read_study
from siteplan.measure.pairs import (
    disagreement_warnings,
    geodesic_areas,
    pair_distances,
    reach_table,
    ring_bands,
    ring_overlaps,
    ring_reached,
)
from siteplan.score.scoring import (
    ScoringParameters,
    breakdown_table,
    cluster_score,
    resolve_parameters,
    score_sites,
)

__all__ = ["PAIR_COLUMNS", "SCHEMATIC_CAVEAT", "Result", "analyze"]

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
        edge-to-edge segment (WGS84).
    rings
        Ring bands (the area between consecutive rings) per site: ``site_id``,
        ``inner_m``, ``ring_m``, ``area_m2``, ``reaches`` (ids within the ring).
    reach
        Long table of which other sites each ring reaches.
    overlaps
        Buffer overlap area per pair and ring (``overlap_m2``).
    breakdown
        Per site, what each neighbour contributed to its score.
    cluster_score
        The mean pair score.
    warnings
        Repairs, geodesic disagreements and other notes, in a stable order.
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
        if self.schematic:
            text = f"±{acc_max:,.0f} m" if acc_max else "1 km"
            return SCHEMATIC_CAVEAT.format(accuracy=text)
        return SURVEYED_CAVEAT.format(accuracy=f" (up to ±{acc_max:,.0f} m)" if acc_max else "")

    @property
    def inputs(self) -> tuple[Path, ...]:
        """Every file the study read (for refusing to overwrite inputs)."""
        paths = [spec.path for spec in self.study.layers]
        if self.study.path is not None:
            paths.insert(0, self.study.path)
        return tuple(paths)


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
        ``edge`` (default) or ``centroid``.
    rings_m
        Ring radii in metres, increasing (default 500, 1000, 2000, 5000).
    decay
        ``rings`` (default), ``linear``, ``exponential``, ``gaussian`` or ``logistic``.
    strict
        Refuse invalid polygons instead of repairing them.
    **decay_params
        The decay's parameters by name: ``max_m``, ``half_m``, ``sigma_m``,
        ``inflection_m``, ``steepness_m``.

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

    pairs, lines = pair_distances(sites_m.geometry, ids, metric)
    warnings += disagreement_warnings(
        pairs["edge_m"],
        pairs["geodesic_m"],
        [f"pair {a}-{b}" for a, b in zip(pairs["a"], pairs["b"], strict=True)],
        "edge distance (m)",
        str(metric.to_string()),
    )
    pairs["distance_m"] = pairs[params.distance_column]
    pairs["ring_m"] = ring_reached(pairs["distance_m"], params.rings_m)
    pairs["score"] = params.decay(pairs["distance_m"].to_numpy())
    names = dict(zip(sites["id"], sites["name"], strict=True))
    pairs.insert(2, "name_a", pairs["a"].map(names))
    pairs.insert(3, "name_b", pairs["b"].map(names))
    pair_frame = gpd.GeoDataFrame(
        pairs[list(PAIR_COLUMNS)],
        geometry=gpd.GeoSeries(lines, crs=metric).to_crs(WGS84).array,
        crs=WGS84,
    )

    weights = dict(zip(sites["id"], sites["weight"].astype(float), strict=True))
    breakdown = breakdown_table(pairs, weights)
    scored = score_sites(sites["id"], breakdown)
    for column in ("score", "rank", "nearest_id", "nearest_m"):
        sites[column] = scored[column].to_numpy()
    if len(sites) < 2:
        warnings.append("the study has only one site: there are no pairs to score")
    elif (sites["weight"] == 0).all():
        warnings.append("every site weighs 0: site scores are 0")

    reach = reach_table(pairs, "distance_m", params.rings_m)
    band_table, band_geoms, buffers = ring_bands(sites_m.geometry, ids, params.rings_m)
    reached = reach.groupby(["site_id", "ring_m"])["other_id"].agg(",".join)
    band_table["reaches"] = [
        reached.get((sid, r), "")
        for sid, r in zip(band_table["site_id"], band_table["ring_m"], strict=True)
    ]
    rings = gpd.GeoDataFrame(
        band_table, geometry=gpd.GeoSeries(band_geoms, crs=metric).to_crs(WGS84).array, crs=WGS84
    )
    overlaps = ring_overlaps(buffers, pairs, params.rings_m)

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
    )
