"""Score any WGS84 location the way candidates are scored (and a map's click is).

The per-site scores are ``decay(d_j)``, with ``d_j`` following the study's
measure; the score is their weighted mean (:func:`siteplan.score.points.weighted_mean`);
the nearest site's ties go to the smaller id.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from siteplan.candidates.sites import site_targets
from siteplan.load.projection import from_wgs84
from siteplan.measure._kernel import Targets, distance_matrix, nearest_in_rows
from siteplan.score.points import weighted_mean
from siteplan.score.units import unit_name

if TYPE_CHECKING:
    from siteplan.analysis import Result
    from siteplan.measure.network.places import SiteCosts
    from siteplan.score.decay import DecayFunction

__all__ = ["score_locations", "score_lonlat", "score_network_lonlat", "site_names"]

_WGS84: Final = "EPSG:4326"


def score_lonlat(
    lon: npt.ArrayLike,
    lat: npt.ArrayLike,
    *,
    crs: Any,
    site_ids: Sequence[str],
    targets: Targets,
    weights: npt.NDArray[np.float64],
    decay: DecayFunction,
) -> pd.DataFrame:
    """Score WGS84 locations against prepared sites (the table of :func:`score_locations`).

    Parameters
    ----------
    lon, lat
        WGS84 longitudes and latitudes (scalars or arrays of one shape).
    crs
        The metric CRS the sites are in.
    site_ids, targets, weights
        The sites in id order, prepared for the kernel, and their weights.
    decay
        The decay function.

    Returns
    -------
    pandas.DataFrame
        As :func:`score_locations`.
    """
    lon_arr = np.atleast_1d(np.asarray(lon, dtype=float)).ravel()
    lat_arr = np.atleast_1d(np.asarray(lat, dtype=float)).ravel()
    to_metric = from_wgs84(crs)
    x, y = (np.asarray(v, dtype=float) for v in to_metric.transform(lon_arr, lat_arr))
    d = distance_matrix(targets, x, y)
    s = decay(d)
    nearest, nearest_m = nearest_in_rows(d)
    columns: dict[str, Any] = {
        "lon": lon_arr,
        "lat": lat_arr,
        "score": weighted_mean(s, weights),
        "nearest_id": np.asarray(site_ids, dtype=object)[nearest],
        "nearest_m": nearest_m,
    }
    for j, sid in enumerate(site_ids):  # all at once: column by column fragments the frame
        columns[f"score_{sid}"] = s[:, j]
        columns[f"distance_m_{sid}"] = d[:, j]
    return pd.DataFrame(columns)


def site_names(site_ids: Sequence[str], index: npt.NDArray[np.intp]) -> npt.NDArray[np.object_]:
    """Return the ids at ``index`` (positions in ``site_ids``), None where it is -1."""
    names = np.asarray([*site_ids, None], dtype=object)
    return np.asarray(names[np.where(index >= 0, index, len(site_ids))], dtype=object)


def score_network_lonlat(
    lon: npt.ArrayLike,
    lat: npt.ArrayLike,
    *,
    result: Result,
    sites: SiteCosts,
    site_ids: Sequence[str],
    weights: npt.NDArray[np.float64],
    decay: DecayFunction,
) -> pd.DataFrame:
    """Score WGS84 locations along the road network (the table of :func:`score_locations`).

    The costs are those the candidates get (location -> site, connector walked),
    with the pairs beyond the decay's reach measured too; a location beyond
    ``snap_max_m`` scores 0 with null distances.
    """
    # lazy: the road network needs scipy, which straight-line studies never load
    from siteplan.candidates._network import location_costs

    lon_arr = np.atleast_1d(np.asarray(lon, dtype=float)).ravel()
    lat_arr = np.atleast_1d(np.asarray(lat, dtype=float)).ravel()
    x, y = (np.asarray(v, dtype=float) for v in from_wgs84(result.crs).transform(lon_arr, lat_arr))
    d, connector = location_costs(sites, x, y)
    s = decay(d)
    nearest, nearest_d = nearest_in_rows(d)
    found = np.isfinite(nearest_d)
    unit = result.parameters.unit
    columns: dict[str, Any] = {
        "lon": lon_arr,
        "lat": lat_arr,
        "score": weighted_mean(s, weights),
        "nearest_id": site_names(site_ids, np.where(found, nearest, -1)),
        unit_name("nearest_m", unit): np.where(found, nearest_d, np.nan),
        "connector_m": connector,
    }
    name = unit_name("distance_m", unit)
    for j, sid in enumerate(site_ids):
        columns[f"score_{sid}"] = s[:, j]
        columns[f"{name}_{sid}"] = np.where(np.isfinite(d[:, j]), d[:, j], np.nan)
    return pd.DataFrame(columns)


def score_locations(result: Result, lon: npt.ArrayLike, lat: npt.ArrayLike) -> pd.DataFrame:
    """Score WGS84 locations against a study's sites, as candidates and map clicks are.

    Parameters
    ----------
    result
        The study's analysis: sites, weights, measure, decay and metric CRS.
    lon, lat
        WGS84 longitudes and latitudes (scalars or arrays of one shape).

    Returns
    -------
    pandas.DataFrame
        ``lon``, ``lat``, ``score``, ``nearest_id``, ``nearest_m`` and, for every
        site in id order, ``score_<site>`` and ``distance_m_<site>``. With a
        network measure the costs run along the roads from the location to each
        site, the fields that carry the measure are named by its unit
        (``nearest_min``, ``distance_min_<site>`` with time), ``connector_m`` is
        the walk to the network, and what cannot be reached is null (NaN).

    Examples
    --------
    >>> from siteplan import analyze
    >>> row = score_locations(analyze(), 121.615, 31.1).iloc[0]
    >>> str(row["nearest_id"]), float(row["nearest_m"]), float(row["score"])
    ('cancer_center', 0.0, 93.75)
    """
    sites = site_targets(result)
    if result.network is not None:
        # lazy: the road network needs scipy, which straight-line studies never load
        from siteplan.candidates._network import network_sites

        joined = network_sites(result, limit=result.parameters.decay.cutoff_m)
        return score_network_lonlat(
            lon,
            lat,
            result=result,
            sites=joined,
            site_ids=sites.ids,
            weights=sites.weights,
            decay=result.parameters.decay,
        )
    return score_lonlat(
        lon,
        lat,
        crs=result.crs,
        site_ids=sites.ids,
        targets=sites.scoring,
        weights=sites.weights,
        decay=result.parameters.decay,
    )
