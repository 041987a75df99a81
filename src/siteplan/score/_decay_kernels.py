"""The decay formulas as array functions: distance in metres -> score in [0, 100].

:mod:`siteplan.score.decay` wraps each in a validated :class:`DecayFunction`.

Examples
--------
>>> import numpy as np
>>> score_linear(np.array([0.0, 500.0, 2000.0]), max_m=1000.0).tolist()
[100.0, 50.0, 0.0]
"""

from __future__ import annotations

from typing import TypeAlias

import numpy as np
import numpy.typing as npt

__all__ = ["score_exponential", "score_gaussian", "score_linear", "score_logistic", "score_rings"]

FloatArray: TypeAlias = npt.NDArray[np.float64]


def score_rings(d: FloatArray, *, rings_m: tuple[float, ...]) -> FloatArray:
    """Score 100 * (n - k) / n for the first ring k with d <= rings_m[k], 0 beyond all."""
    radii = np.asarray(rings_m, dtype=np.float64)
    count = radii.size
    levels = 100.0 * (count - np.arange(count + 1, dtype=np.float64)) / count
    # side="left" gives the first k with d <= radii[k]: a ring reaches its own radius.
    return levels[np.searchsorted(radii, d, side="left")]


def score_linear(d: FloatArray, *, max_m: float) -> FloatArray:
    """Score 100 * max(0, 1 - d / max_m)."""
    return 100.0 * np.maximum(0.0, 1.0 - d / max_m)


def score_exponential(d: FloatArray, *, half_m: float) -> FloatArray:
    """Score 100 * 2**(-d / half_m)."""
    return 100.0 * np.exp2(-d / half_m)


def score_gaussian(d: FloatArray, *, sigma_m: float) -> FloatArray:
    """Score 100 * exp(-(d / sigma_m)**2 / 2)."""
    z = d / sigma_m
    return 100.0 * np.exp(-0.5 * z * z)


def score_logistic(d: FloatArray, *, inflection_m: float, steepness_m: float) -> FloatArray:
    """Score 100 / (1 + exp(x)), x = (d - inflection_m) / steepness_m, without overflow.

    exp(-|x|) is at most 1, so it cannot overflow: for x >= 0 the score is written as
    100 * t / (1 + t) with t = exp(-x), for x < 0 as 100 / (1 + t) with t = exp(x).
    """
    x = (d - inflection_m) / steepness_m
    t = np.exp(-np.abs(x))
    return np.where(x >= 0.0, 100.0 * t / (1.0 + t), 100.0 / (1.0 + t))
