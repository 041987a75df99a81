"""Look-ups of site ids over many rows, done once per distinct id (issue 14).

The report tables, the report's pictures and the map ask, for 719,400 pairs of
1,200 sites, which pairs join nearest neighbours and where each id sits; pandas'
per-row ``map`` and ``str`` cost seconds there. Here the rows' ids are
factorised first and each distinct id is looked up once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from siteplan._values import is_missing

if TYPE_CHECKING:
    from siteplan.analysis import Result

__all__ = ["map_values", "nearest_pair_mask", "nearest_pairs"]


def nearest_pairs(result: Result, pairs: pd.DataFrame) -> npt.NDArray[np.bool_]:
    """Return, per pair, whether one of its sites is the other's nearest neighbour.

    Ids are compared as ``str``, through integer codes (no Python work per pair).
    """
    ids = pd.Index([str(v) for v in result.sites["id"].tolist()], dtype=object)
    wanted = [None if is_missing(v) else str(v) for v in result.sites["nearest_id"].tolist()]
    nearest = np.where(
        [v is None for v in wanted], -1, ids.get_indexer(pd.Index(wanted, dtype=object))
    )
    a = _positions(ids, pairs["a"].to_numpy(dtype=object))
    b = _positions(ids, pairs["b"].to_numpy(dtype=object))
    known = (a >= 0) & (b >= 0)
    near_a = np.where(a >= 0, nearest[np.maximum(a, 0)], -2)
    near_b = np.where(b >= 0, nearest[np.maximum(b, 0)], -2)
    return np.asarray(known & ((near_a == b) | (near_b == a)), dtype=bool)


def _positions(ids: pd.Index, values: npt.NDArray[np.object_]) -> npt.NDArray[np.intp]:
    """Return the position in ``ids`` of ``str`` of each value (-1: none).

    Ids that are all ``str`` are looked up once per distinct id; others (which
    ``factorize`` could merge, such as ``1`` and ``1.0``) one by one.
    """
    codes, uniques = pd.factorize(values)
    if len(codes) and codes.min() >= 0 and all(type(u) is str for u in uniques.tolist()):
        found = ids.get_indexer(pd.Index(uniques, dtype=object))
        return np.asarray(found[codes], dtype=np.intp)
    return np.asarray(ids.get_indexer(pd.Index(values).astype(str)), dtype=np.intp)


def map_values(values: pd.Series, mapping: dict[Any, Any]) -> npt.NDArray[np.object_]:
    """Return ``values.map(mapping)`` as objects, mapping each distinct value once."""
    codes, uniques = pd.factorize(values.to_numpy(dtype=object))
    if len(codes) and codes.min() < 0:  # missing values: map them all
        return np.asarray(values.map(mapping).to_numpy(dtype=object), dtype=object)
    mapped = pd.Series(uniques, dtype=object).map(mapping).to_numpy(dtype=object)
    return np.asarray(mapped[codes], dtype=object)


def nearest_pair_mask(result: Result, a: pd.Series, b: pd.Series) -> npt.NDArray[np.bool_]:
    """Return, per pair, whether ``b`` is ``a``'s nearest neighbour or ``a`` is ``b``'s.

    The same as ``(a.map(nearest) == b) | (b.map(nearest) == a)`` (values, not
    their ``str``), each distinct id mapped once.
    """
    nearest = dict(zip(result.sites["id"], result.sites["nearest_id"], strict=True))
    a_values = a.to_numpy(dtype=object)
    b_values = b.to_numpy(dtype=object)
    wanted_a = map_values(a, nearest)
    wanted_b = map_values(b, nearest)
    return np.asarray((wanted_a == b_values) | (wanted_b == a_values), dtype=bool)
