"""The one rank rule: by score, descending; near-equal scores are ties, broken by id.

Scores equal within :data:`SCORE_TIE` (1e-9 score points) are ties. Ties are
transitive here: sorted by score, neighbours at most :data:`SCORE_TIE` apart
fall into one group (so a group's span may exceed the tolerance only through a
chain of such neighbours). Groups are ordered by score, descending; within a
group, places are ordered by id in code-point order (Python's ``str`` order).
The rank is the position in that order, 1..N.

Comparing exact scores would let floating-point noise (1e-14) order two sites
a planner sees as equal; rounding scores first (``round(s, 9)``) would split
two scores 1e-13 apart that straddle a rounding boundary. The grouping above
does neither.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, TypeAlias

import numpy as np
import numpy.typing as npt

from siteplan.errors import ParameterError

__all__ = ["SCORE_TIE", "rank_by_score", "rank_order"]

IntArray: TypeAlias = npt.NDArray[np.intp]

#: Scores within this many points of each other are ties.
SCORE_TIE: Final = 1e-9


def _id_keys(ids: Sequence[str] | npt.ArrayLike | None, n: int) -> IntArray:
    """Return integer keys that sort like the ids (positions when None or numeric)."""
    if ids is None:
        return np.arange(n, dtype=np.intp)
    arr = np.asarray(ids)
    if arr.shape != (n,):
        raise ParameterError(
            f"ids has {arr.shape[0] if arr.ndim else 0} entries for {n} scores; give one id "
            "per score",
            argument="ids",
        )
    if arr.dtype.kind in "iu":
        return arr.astype(np.intp)
    texts = [str(v) for v in arr.tolist()]
    keys = np.empty(n, dtype=np.intp)
    keys[sorted(range(n), key=texts.__getitem__)] = np.arange(n, dtype=np.intp)
    return keys


def rank_order(scores: npt.ArrayLike, ids: Sequence[str] | npt.ArrayLike | None = None) -> IntArray:
    """Return the positions of ``scores`` in rank order (best first).

    Parameters
    ----------
    scores
        Finite scores, one per place.
    ids
        The places' ids (strings, compared in code-point order, or integers);
        None: their positions, so that ties go to the earlier place.

    Returns
    -------
    numpy.ndarray
        A permutation of ``range(len(scores))``.

    Examples
    --------
    >>> rank_order([50.0, 75.0, 50.0 + 1e-12], ["b", "c", "a"]).tolist()
    [1, 2, 0]
    """
    s = np.asarray(scores, dtype=np.float64).ravel()
    n = len(s)
    keys = _id_keys(ids, n)
    first = np.lexsort((keys, -s)).astype(np.intp)
    if n < 2:
        return first
    ordered = s[first]
    group = np.concatenate([[0], np.cumsum(ordered[:-1] - ordered[1:] > SCORE_TIE)])
    return first[np.lexsort((keys[first], group))].astype(np.intp)


def rank_by_score(
    scores: npt.ArrayLike, ids: Sequence[str] | npt.ArrayLike | None = None
) -> npt.NDArray[np.int64]:
    """Return each place's rank, 1 the best (see the module's rule), aligned to ``scores``.

    Examples
    --------
    >>> rank_by_score([50.0, 75.0, 50.0 + 1e-12], ["b", "c", "a"]).tolist()
    [3, 1, 2]
    >>> rank_by_score([]).tolist()
    []
    """
    order = rank_order(scores, ids)
    ranks = np.empty(len(order), dtype=np.int64)
    ranks[order] = np.arange(1, len(order) + 1, dtype=np.int64)
    return ranks
