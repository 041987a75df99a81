"""The one weighted-mean point scorer: a place's score from its per-site scores.

A place (a candidate, a clicked point, a site against the others) scores

    score = Σ_j w_j · decay(d_j) / Σ_j w_j,   0 when the weights sum to 0 (or less),

the mean of its per-site scores ``decay(d_j)`` weighted by the sites' weights.
Every scorer in siteplan uses these functions, so that the sum runs in the
same order (site by site, in site order) and gives the same floating-point
result everywhere: :func:`weighted_mean` for a whole ``(N, M)`` matrix, and the
two pieces it is made of, :func:`add_weighted` (one site's term, possibly for
a subset of the places) and :func:`finish_weighted` (divide by the weights'
sum), for engines that see one site or one chunk at a time.
"""

from __future__ import annotations

from typing import TypeAlias

import numpy as np
import numpy.typing as npt

__all__ = ["add_weighted", "finish_weighted", "weight_total", "weighted_mean"]

FloatArray: TypeAlias = npt.NDArray[np.float64]


def add_weighted(
    acc: FloatArray,
    weight: float | FloatArray,
    scores: npt.ArrayLike,
    index: npt.NDArray[np.intp] | None = None,
) -> None:
    """Add one site's weighted scores to an accumulator, in place.

    Parameters
    ----------
    acc
        The running sums, one per place (modified).
    weight
        The site's weight: a number, or one weight per place (aligned to ``acc``,
        or to ``index`` when given).
    scores
        The places' scores against the site (aligned to ``acc``, or to ``index``).
    index
        The places the scores belong to (positions in ``acc``, no repeats);
        None: all of them.

    Examples
    --------
    >>> import numpy as np
    >>> acc = np.zeros(3)
    >>> add_weighted(acc, 2.0, np.array([10.0, 20.0]), np.array([0, 2]))
    >>> acc.tolist()
    [20.0, 0.0, 40.0]
    """
    if index is None:
        acc += weight * np.asarray(scores, dtype=np.float64)
    else:
        acc[index] += weight * np.asarray(scores, dtype=np.float64)


def weight_total(weights: npt.ArrayLike) -> FloatArray:
    """Return the weights' sum over the sites (the last axis): the score's denominator.

    Examples
    --------
    >>> float(weight_total([1.0, 2.0, 0.5]))
    3.5
    """
    return np.asarray(np.sum(np.asarray(weights, dtype=np.float64), axis=-1), dtype=np.float64)


def finish_weighted(acc: FloatArray, total: float | npt.ArrayLike) -> FloatArray:
    """Divide accumulated sums by the weights' sum: 0 where that sum is 0 or less.

    Parameters
    ----------
    acc
        The sums from :func:`add_weighted`.
    total
        The weights' sum (:func:`weight_total`): one number, or one per place.

    Returns
    -------
    numpy.ndarray
        The scores, a new array.

    Examples
    --------
    >>> import numpy as np
    >>> finish_weighted(np.array([150.0, 30.0]), 2.0).tolist()
    [75.0, 15.0]
    >>> finish_weighted(np.array([0.0, 0.0]), 0.0).tolist()
    [0.0, 0.0]
    """
    total_arr = np.asarray(total, dtype=np.float64)
    out = np.zeros(np.shape(acc), dtype=np.float64)
    np.divide(acc, total_arr, out=out, where=np.broadcast_to(total_arr > 0, out.shape))
    return out


def weighted_mean(scores: npt.ArrayLike, weights: npt.ArrayLike) -> FloatArray:
    """Return each place's weighted mean of its per-site scores (0 when weights sum to 0).

    Parameters
    ----------
    scores
        ``(N, M)``: row ``i`` holds place ``i``'s score against each of ``M`` sites.
    weights
        The sites' weights: ``(M,)``, or ``(N, M)`` when they differ by place
        (e.g. 0 for a site against itself).

    Returns
    -------
    numpy.ndarray
        ``(N,)`` scores; an empty array for no places.

    Examples
    --------
    >>> import numpy as np
    >>> weighted_mean(np.array([[100.0, 50.0], [0.0, 25.0]]), np.array([1.0, 3.0])).tolist()
    [62.5, 18.75]
    >>> weighted_mean(np.array([[100.0, 50.0]]), np.zeros(2)).tolist()
    [0.0]
    """
    s = np.asarray(scores, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64)
    acc = np.zeros(s.shape[0], dtype=np.float64)
    for j in range(s.shape[1]):
        add_weighted(acc, w[..., j], s[:, j])
    return finish_weighted(acc, weight_total(w))
