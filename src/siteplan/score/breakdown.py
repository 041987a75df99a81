"""Build the per-site score breakdown and the site scores with array operations.

:func:`site_breakdown` is the vectorised counterpart of
:func:`siteplan.score.scoring.breakdown_table` for a pair table in
``pair_index`` order over sites sorted by id (what :func:`siteplan.analyze`
builds): the rows come out already in ``(site_id, other_id)`` order, so no sort
of n² string keys is needed, and the numbers are the same. :func:`score_breakdown`
then gives each site's score, rank and nearest neighbour.

Nearest neighbours: distances within :data:`DISTANCE_TIE` metres of the
smallest are ties, broken by id in code-point order (DESIGN.md, Scale).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from siteplan.score.rank import rank_by_score

__all__ = ["DISTANCE_TIE", "score_breakdown", "site_breakdown"]

#: Distances within this many metres (or minutes) of the nearest are ties for nearest.
DISTANCE_TIE: Final = 1e-6


def _rows(n: int) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Return (site, other, pair position) for every ordered pair of ``n`` sites, in order."""
    site = np.repeat(np.arange(n, dtype=np.intp), max(n - 1, 0))
    o = np.tile(np.arange(max(n - 1, 0), dtype=np.intp), n)
    other = o + (o >= site)
    lo = np.minimum(site, other)
    hi = np.maximum(site, other)
    position = lo * (2 * n - lo - 1) // 2 + (hi - lo - 1)
    return site, other, position.astype(np.intp)


def site_breakdown(
    ids: Sequence[str], distance: npt.ArrayLike, score: npt.ArrayLike, weights: npt.ArrayLike
) -> pd.DataFrame:
    """Return each site's contributions: one row per (site, other site), in id order.

    Parameters
    ----------
    ids
        The site ids, sorted in code-point order.
    distance, score
        The pairs' distances and scores in ``pair_index`` order over ``ids``.
    weights
        Each site's weight, aligned to ``ids``.

    Returns
    -------
    pandas.DataFrame
        Columns ``site_id``, ``other_id``, ``distance_m``, ``pair_score``,
        ``weight`` (the other site's) and ``contribution`` (weight x pair score /
        sum of the site's neighbour weights), sorted by site, then other site.

    Examples
    --------
    >>> site_breakdown(["a", "b", "c"], [1.0, 2.0, 3.0], [90.0, 60.0, 30.0], [1, 1, 2])[
    ...     "contribution"
    ... ].tolist()
    [30.0, 40.0, 30.0, 20.0, 30.0, 15.0]
    """
    n = len(ids)
    site, other, position = _rows(n)
    id_arr = np.asarray(ids, dtype=object)
    d = np.asarray(distance, dtype=float)[position]
    s = np.asarray(score, dtype=float)[position]
    w = np.asarray(weights, dtype=float)[other]
    total = pd.Series(w).groupby(site).transform("sum").to_numpy()
    share = np.where(total > 0, w / np.where(total > 0, total, 1.0), 0.0)
    return pd.DataFrame(
        {
            "site_id": pd.Series(id_arr[site], dtype=object, copy=False),
            "other_id": pd.Series(id_arr[other], dtype=object, copy=False),
            "distance_m": d,
            "pair_score": s,
            "weight": w,
            "contribution": share * s,
        },
        copy=False,  # no consolidation into 2-D blocks (a copy of millions of objects)
    )


def score_breakdown(ids: Sequence[str], breakdown: pd.DataFrame) -> pd.DataFrame:
    """Return per-site ``id``, ``score``, ``nearest_id``, ``nearest_m`` and ``rank``.

    ``breakdown`` is :func:`site_breakdown`'s table for the same ``ids``. A site
    with no neighbours, or whose neighbours all weigh 0, scores 0; its nearest
    is missing when it has no neighbour.
    """
    n = len(ids)
    per = max(n - 1, 0)
    site = np.repeat(np.arange(n, dtype=np.intp), per)
    scores = np.zeros(n)
    nearest_id = np.full(n, None, dtype=object)
    nearest_m = np.full(n, np.nan)
    if per:
        summed = pd.Series(breakdown["contribution"].to_numpy()).groupby(site).sum()
        scores[summed.index.to_numpy()] = summed.to_numpy()
        d = breakdown["distance_m"].to_numpy(dtype=float).reshape(n, per)
        best = np.nanmin(np.where(np.isnan(d), np.inf, d), axis=1, keepdims=True)
        tied = d <= best + DISTANCE_TIE
        first = np.argmax(tied, axis=1)
        found = tied.any(axis=1)
        others = breakdown["other_id"].to_numpy(dtype=object).reshape(n, per)
        rows = np.arange(n)
        nearest_id[found] = others[rows, first][found]
        nearest_m[found] = d[rows, first][found]
    out = pd.DataFrame({"id": np.asarray(ids, dtype=object), "score": scores})
    out["nearest_id"] = nearest_id
    out["nearest_m"] = nearest_m
    out["rank"] = rank_by_score(scores, [str(v) for v in ids]).astype(int)
    return out
