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

if TYPE_CHECKING:
    from siteplan.analysis import Result
    from siteplan.score.decay import DecayFunction

__all__ = ["score_locations", "score_lonlat"]

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
        site in id order, ``score_<site>`` and ``distance_m_<site>``.

    Examples
    --------
    >>> from siteplan import analyze
    >>> row = score_locations(analyze(), 121.615, 31.1).iloc[0]
    >>> str(row["nearest_id"]), float(row["nearest_m"]), float(row["score"])
    ('cancer_center', 0.0, 93.75)
    """
    sites = site_targets(result)
    return score_lonlat(
        lon,
        lat,
        crs=result.crs,
        site_ids=sites.ids,
        targets=sites.scoring,
        weights=sites.weights,
        decay=result.parameters.decay,
    )
