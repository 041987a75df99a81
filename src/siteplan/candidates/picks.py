"""Pick the best candidates: by rank, each far enough from the better picks."""

from __future__ import annotations

from typing import TypeAlias

import numpy as np
import numpy.typing as npt

from siteplan.score.rank import rank_order

__all__ = ["select_picks"]

FloatArray: TypeAlias = npt.NDArray[np.float64]
IntArray: TypeAlias = npt.NDArray[np.intp]


def select_picks(
    x: FloatArray,
    y: FloatArray,
    score: FloatArray,
    eligible: npt.NDArray[np.bool_],
    *,
    top: int,
    min_separation_m: float,
    block: int = 1024,
) -> IntArray:
    """Pick the best candidates greedily, each at least ``min_separation_m`` from the others.

    Candidates are taken in rank order (:func:`siteplan.score.rank.rank_order`:
    score descending, scores within 1e-9 tied and ordered by position, which is
    id order for grid cells and parcels); one closer than ``min_separation_m``
    (centre to centre) to an earlier pick is skipped. The cost follows the
    candidates scanned, not all of them.

    Returns
    -------
    numpy.ndarray
        The picks' positions, in rank order (at most ``top``).

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([0.0, 10.0, 300.0]); y = np.zeros(3)
    >>> select_picks(
    ...     x, y, np.array([90.0, 95.0, 50.0]), np.ones(3, bool), top=3, min_separation_m=200.0
    ... ).tolist()
    [1, 2]
    """
    pool = np.flatnonzero(eligible & np.isfinite(score))
    ranked = pool[rank_order(score[pool], pool)]
    limit2 = float(min_separation_m) ** 2
    picked: list[int] = []
    start = 0
    while len(picked) < top and start < len(ranked):
        chunk = ranked[start : start + block]
        if picked and limit2 > 0:
            px = x[picked]
            py = y[picked]
            d2 = (x[chunk, None] - px[None, :]) ** 2 + (y[chunk, None] - py[None, :]) ** 2
            ok = (d2 >= limit2).all(axis=1)
        else:
            ok = np.ones(len(chunk), dtype=bool)
        if not ok.any():
            start += len(chunk)
            continue
        first = int(np.argmax(ok))
        picked.append(int(chunk[first]))
        start += first + 1
    return np.asarray(picked, dtype=np.intp)
