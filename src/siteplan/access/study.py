"""Who is served, for a whole study: demand layers, costs, coverage and an index.

:func:`analyze_access` is the public entry point (``siteplan.analyze_access``): it runs (or
takes) the study's analysis, places the demand layers' demand as points in the metric CRS,
measures the cost from every point to every site with the study's measure
(:func:`siteplan.access.costs.access_costs`), and computes coverage, catchments, nearest
sites and the accessibility index (:func:`siteplan.access.result.analyze_access`). The
result carries, in ``places``, what the renderers draw: the analysis, the demand points and
features (WGS84) with their index, and the cost matrix (for ``--cost-table``).

A demand feature spread over a grid is several points; its index on maps is the
demand-weighted mean of its points' indices (their plain mean when it has no demand).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from siteplan.access.costs import CostMatrix, access_costs
from siteplan.access.result import DEFAULT_INDEX, AccessResult
from siteplan.access.result import analyze_access as access_from_costs
from siteplan.analysis import Result, analyze
from siteplan.errors import StudyError
from siteplan.load.demand import demand_points
from siteplan.load.layers import WGS84

if TYPE_CHECKING:
    from siteplan.load.study import Study, StudyData

__all__ = ["AccessPlaces", "analyze_access", "demand_frame", "study_demand_points"]


@dataclass(frozen=True)
class AccessPlaces:
    """What an access result is drawn from: the analysis, demand geometry and costs.

    Attributes
    ----------
    result : Result
        The study's analysis (sites, rings, metric CRS, caveat).
    points : geopandas.GeoDataFrame
        One row per demand point (the rows of the cost matrix), WGS84: ``id``,
        ``source_id``, ``name``, ``layer``, ``population``, ``index``, ``nearest_id``,
        ``nearest_<unit>``.
    features : geopandas.GeoDataFrame
        One row per demand feature, WGS84, as read (polygons stay polygons): ``id``,
        ``name``, ``layer``, ``population``, ``placement``, ``index``.
    costs : CostMatrix
        Demand points x sites.
    """

    result: Result
    points: gpd.GeoDataFrame
    features: gpd.GeoDataFrame
    costs: CostMatrix


def demand_frame(data: StudyData) -> gpd.GeoDataFrame:
    """Return the study's demand features combined (WGS84), with a ``layer`` column.

    Raises
    ------
    StudyError
        When the study has no demand layer.
    """
    if not data.demand:
        raise StudyError(
            'the study has no demand layer; add a [[layers]] table with role = "demand" '
            "and a population field (see docs/commands/access.md)",
            path=data.study.path,
        )
    frames = [layer.frame.assign(layer=layer.spec.path.stem) for layer in data.demand]
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs=WGS84)


def study_demand_points(result: Result) -> gpd.GeoDataFrame:
    """Return every demand layer's points in the metric CRS (spread where the layer asks).

    Columns: ``id``, ``source_id``, ``name``, ``population``, ``layer``, Point geometry.
    """
    frames = [
        demand_points(layer, result.crs).assign(layer=layer.spec.path.stem)
        for layer in result.data.demand
    ]
    if not frames:
        demand_frame(result.data)  # raises the one-line error
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry")


def _supply(
    result: Result, site_ids: tuple[str, ...]
) -> tuple[np.ndarray[Any, Any] | None, list[str]]:
    capacity = result.data.capacity
    if not capacity:
        return None, []
    missing = [sid for sid in site_ids if sid not in capacity]
    notes = []
    if missing:
        notes.append(
            f"site(s) {', '.join(missing)} have no capacity (their layer names no "
            "capacity_field): supply 1 each"
        )
    return np.array([capacity.get(sid, 1.0) for sid in site_ids], dtype=np.float64), notes


def _caveat(result: Result, features: gpd.GeoDataFrame, unit: str) -> str:
    if result.parameters.measure in ("network", "time"):
        what = "travel times in minutes" if unit == "min" else "distances in metres"
        what += " along the road network (walked to and from the nearest road)"
    else:
        what = "straight-line distances in metres"
    parts = [
        f"Costs are {what} from each demand point to each site; a demand feature counts at "
        "its centroid (or over a grid where spread_cell_m is set)."
    ]
    if (features["placement"] == "schematic").any():
        parts.append(
            "Demand is placed SCHEMATICALLY: each area's demand sits at one point, and its "
            "distribution inside the area is not known, so coverage and indices are estimates "
            "at that resolution."
        )
    if "source" in features.columns:
        sources = sorted({str(v) for v in features["source"].dropna()})
        if sources:
            parts.append(f"Demand figures: {'; '.join(sources)}.")
    parts.append(result.caveat)
    return " ".join(parts)


def _feature_index(points: gpd.GeoDataFrame, features: gpd.GeoDataFrame) -> np.ndarray[Any, Any]:
    """Return each feature's index: its points' demand-weighted mean (plain mean at 0 demand)."""
    grouped = points.assign(weighted=points["index"] * points["population"]).groupby(
        "source_id", sort=False
    )
    total = grouped["population"].sum()
    weighted = grouped["weighted"].sum()
    plain = grouped["index"].mean()
    value = (weighted / total.where(total > 0)).fillna(plain)
    keys = features["id"].astype(str)
    out: np.ndarray[Any, Any] = keys.map(value).to_numpy(dtype=np.float64)
    return out


def analyze_access(
    study: Result | StudyData | Study | str | Path | None = None,
    *,
    index: str = DEFAULT_INDEX,
    threshold: float | None = None,
    **analyze_kwargs: Any,
) -> AccessResult:
    """Report who is served: coverage, catchments, nearest sites and an accessibility index.

    Parameters
    ----------
    study
        A :class:`~siteplan.analysis.Result`, or anything :func:`siteplan.analyze` takes
        (a study path, a :class:`Study`, read :class:`StudyData`, or None for the bundled
        study). The study needs at least one ``role = "demand"`` layer.
    index
        ``gravity``, ``2sfca`` (default) or ``e2sfca``.
    threshold
        2SFCA's catchment d0 in the measure's unit; None for the first ring.
    **analyze_kwargs
        Scoring options for :func:`siteplan.analyze` (``measure``, ``rings_m``, ``decay``,
        ...) when ``study`` is not a result.

    Returns
    -------
    AccessResult
        ``to_dict()`` is the JSON report; ``places`` holds the geometry and costs.

    Raises
    ------
    StudyError
        When the study has no demand layer.
    ParameterError
        For a bad index, threshold or measure.

    Examples
    --------
    The bundled study has no demand layer yet (no cited 2020 census figures are
    bundled), so it says what to add:

    >>> analyze_access(index="gravity")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    siteplan.errors.StudyError: ...: the study has no demand layer; add a [[layers]] table ...
    """
    result = study if isinstance(study, Result) else analyze(study, **analyze_kwargs)
    features = demand_frame(result.data)
    points = study_demand_points(result)
    costs = access_costs(result, points)
    supply, notes = _supply(result, costs.site_ids)
    params = result.parameters
    spread = sorted(
        {float(s.spread_cell_m) for s in (d.spec for d in result.data.demand) if s.spread_cell_m}
    )
    core = access_from_costs(
        costs.values,
        demand_ids=points["id"].astype(str).tolist(),
        demand=points["population"].to_numpy(dtype=np.float64),
        site_ids=list(costs.site_ids),
        supply=supply,
        index=index,
        decay=params.decay,
        rings=list(params.rings_m),
        threshold=threshold,
        unit=costs.unit,
        study=result.name,
        crs=result.crs_name,
        extra_parameters={
            "measure": costs.measure,
            "demand_layers": [d.spec.path.stem for d in result.data.demand],
            "demand_points": len(points),
            "spread_cell_m": spread[0] if len(spread) == 1 else (spread or None),
            "supply": "capacity" if supply is not None else "1 per site",
        },
        caveat=_caveat(result, features, costs.unit),
    )
    cov = core.coverage
    points_wgs = points.to_crs(WGS84)
    points_wgs["index"] = np.asarray(core.index.values)
    points_wgs["nearest_id"] = [costs.site_ids[j] if j >= 0 else None for j in cov.nearest.tolist()]
    points_wgs[f"nearest_{costs.unit}"] = np.where(cov.nearest >= 0, cov.nearest_cost, np.nan)
    features = features.copy()
    features["index"] = _feature_index(points_wgs, features)
    places = AccessPlaces(result=result, points=points_wgs, features=features, costs=costs)
    return dataclasses.replace(core, places=places, warnings=(*core.warnings, *notes))
