"""Score WGS84 locations against a study's sites in Python, as a map's click-to-score does.

The page's side is :mod:`siteplan.maps.clickscore`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from pyproj import Transformer

from siteplan.maps.clickscore import _WGS84, _sites_by_id, _target_geometries
from siteplan.measure._kernel import distance_matrix, prepare_targets

if TYPE_CHECKING:
    from siteplan.analysis import Result

__all__ = ["score_locations"]


def score_locations(result: Result, lon: npt.ArrayLike, lat: npt.ArrayLike) -> pd.DataFrame:
    """Score WGS84 locations against a study's sites, as a map's click-to-score does.

    The same computation as :meth:`siteplan.candidates.core.CandidateResult.score_locations`
    (and as candidate scoring), without scoring any candidates first.

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
    lon_arr = np.atleast_1d(np.asarray(lon, dtype=float)).ravel()
    lat_arr = np.atleast_1d(np.asarray(lat, dtype=float)).ravel()
    sites = _sites_by_id(result)
    ids = [str(v) for v in sites["id"]]
    weights = sites["weight"].to_numpy(dtype=float)
    targets = prepare_targets(_target_geometries(result))
    to_metric = Transformer.from_crs(_WGS84, result.crs, always_xy=True)
    x, y = (np.asarray(v, dtype=float) for v in to_metric.transform(lon_arr, lat_arr))
    d = distance_matrix(targets, x, y)
    s = result.parameters.decay(d)
    total = float(weights.sum())
    score = (s @ weights) / total if total > 0 else np.zeros(len(x))
    nearest = np.argmin(d, axis=1)
    columns: dict[str, Any] = {
        "lon": lon_arr,
        "lat": lat_arr,
        "score": score,
        "nearest_id": np.asarray(ids, dtype=object)[nearest],
        "nearest_m": d[np.arange(len(x)), nearest],
    }
    for j, sid in enumerate(ids):  # all at once: column by column fragments the frame
        columns[f"score_{sid}"] = s[:, j]
        columns[f"distance_m_{sid}"] = d[:, j]
    return pd.DataFrame(columns)
