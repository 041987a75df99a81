"""Checks shared by the access and location-allocation functions.

A cost matrix has one row per demand point and one column per site, holds costs >= 0 in the
measure's unit and ``inf`` where a site cannot be reached; NaN and negative costs are refused.
Demand and supply are finite numbers >= 0, one per row or column.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeAlias

import numpy as np
import numpy.typing as npt

from siteplan.errors import ParameterError

__all__ = ["FloatArray", "IntArray", "check_cost", "check_rings", "check_values"]

FloatArray: TypeAlias = npt.NDArray[np.float64]
IntArray: TypeAlias = npt.NDArray[np.intp]


def check_cost(cost: npt.ArrayLike, name: str = "cost") -> FloatArray:
    """Return ``cost`` as a 2-D float64 array, refusing NaN and negative entries.

    Raises
    ------
    ParameterError
        When ``cost`` is not 2-D, holds NaN or a negative number.
    """
    array = np.asarray(cost, dtype=np.float64)
    if array.ndim != 2:
        raise ParameterError(
            f"{name} must be a 2-D matrix (demand points x sites), got {array.ndim} dimensions"
        )
    if array.size:
        lowest = float(np.min(array))  # one pass: NaN propagates through min
        if np.isnan(lowest):
            raise ParameterError(f"{name} holds NaN; use inf for a site that cannot be reached")
        if lowest < 0:
            raise ParameterError(f"{name} holds a negative cost; costs are distances or times >= 0")
    return array


def check_values(values: npt.ArrayLike, length: int, name: str) -> FloatArray:
    """Return ``values`` as a 1-D float64 array of ``length`` finite numbers >= 0.

    Raises
    ------
    ParameterError
        When the length differs or a value is NaN, infinite or negative.
    """
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1 or len(array) != length:
        raise ParameterError(
            f"{name} must hold one number per {'row' if name == 'demand' else 'column'} "
            f"of the cost matrix ({length}), got shape {array.shape}"
        )
    if not np.isfinite(array).all() or (array < 0).any():
        raise ParameterError(f"{name} must hold finite numbers >= 0")
    return array


def check_rings(rings: Sequence[float], name: str = "rings") -> FloatArray:
    """Return ring radii as a float64 array: at least one, finite, > 0 and increasing.

    Raises
    ------
    ParameterError
        When the radii are empty, not finite, not > 0 or not increasing.
    """
    array = np.asarray(list(rings), dtype=np.float64)
    if (
        array.ndim != 1
        or not len(array)
        or not np.isfinite(array).all()
        or (array <= 0).any()
        or (np.diff(array) <= 0).any()
    ):
        raise ParameterError(
            f"{name} must be ring radii > 0 in increasing order, e.g. 500,1000,2000,5000; "
            f"got {list(rings)!r}"
        )
    return array
