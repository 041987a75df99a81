"""The coverage curve of the access report: covered share of demand against distance or time.

A curve is a step function: at cost d, the share of the total demand whose nearest open
facility is within d. The report draws one curve for the existing sites and, when picks are
given, one for the existing sites plus the picks. Drawn as in :mod:`._static_map`
(matplotlib's object API, default style, PNG without changing metadata: same input, same
bytes).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from siteplan.render._static_map import _drawing, _figure, _png

__all__ = ["coverage_curve", "coverage_curve_png"]

FloatArray = npt.NDArray[np.float64]


def coverage_curve(nearest: npt.ArrayLike, demand: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Return the steps of a coverage curve: sorted costs and the cumulative share at each.

    Parameters
    ----------
    nearest
        Each demand point's cost to its nearest open facility (NaN or inf: none reached).
    demand
        Each point's demand.

    Returns
    -------
    tuple of numpy.ndarray
        ``costs`` (increasing, reachable points only) and ``share`` (in [0, 1]; all 0 when
        the total demand is 0).

    Examples
    --------
    >>> costs, share = coverage_curve([100.0, float("nan"), 50.0], [1, 2, 1])
    >>> costs.tolist(), share.tolist()
    ([50.0, 100.0], [0.25, 0.5])
    """
    cost = np.asarray(nearest, dtype=np.float64)
    weight = np.asarray(demand, dtype=np.float64)
    total = float(weight.sum())
    ok = np.isfinite(cost)
    order = np.argsort(cost[ok], kind="stable")
    costs = cost[ok][order]
    cumulative = np.cumsum(weight[ok][order])
    share = cumulative / total if total > 0 else np.zeros_like(cumulative)
    return costs, share


def coverage_curve_png(
    curves: Sequence[tuple[str, FloatArray, FloatArray]],
    *,
    unit: str,
    rings: Sequence[float],
) -> bytes:
    """Draw coverage curves (label, costs, share) with the rings marked; return PNG bytes."""
    with _drawing():
        fig = _figure(7.0, 3.6)
        ax: Any = fig.add_subplot()
        top = max([float(r) for r in rings] + [0.0]) * 1.1 or 1.0
        for k, (label, costs, share) in enumerate(curves):
            xs = np.concatenate([[0.0], costs, [max(top, float(costs[-1]) if len(costs) else 0)]])
            ys = np.concatenate([[0.0], share, [share[-1] if len(share) else 0.0]])
            ax.step(xs, ys * 100, where="post", label=label, lw=2, ls="-" if k == 0 else "--")
        for ring in rings:
            ax.axvline(float(ring), color="0.8", lw=0.8, zorder=0)
        ax.set_xlim(0, top)
        ax.set_ylim(0, 100)
        ax.set_xlabel("distance (m)" if unit == "m" else "travel time (min)")
        ax.set_ylabel("demand covered (%)")
        ax.grid(axis="y", color="0.9")
        ax.legend(loc="lower right")
        fig.tight_layout()
        return _png(fig)
