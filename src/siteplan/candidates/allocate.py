"""Location-allocation: choose N new facilities from candidates, optimally.

Three methods, all on cost matrices in the measure's unit (``inf`` where unreachable), so they
work with every measure:

- ``mclp`` (maximal covering): maximise the demand within ``service`` of an open facility;
- ``pmedian``: minimise the demand-weighted mean cost to the nearest open facility;
- ``pcenter``: minimise the worst cost from a demand point to its nearest open facility.

Rules (DESIGN.md, "Access and location-allocation"):

- ``n`` is the number of NEW facilities; the existing sites are always open. (spopt counts
  predefined facilities inside p: the same problem there is p = n + existing.)
- Demand points with zero demand are dropped; so are points that reach neither an existing site
  nor any candidate (their demand is reported as ``unreachable_demand``).
- The MILP is solved by HiGHS (``scipy.optimize.milp``) with a relative MIP gap of 0: an
  ``optimal`` status means proven optimal. The models are built directly as sparse matrices;
  MCLP merges demand points that share a coverage set (see ``_allocate_models``).
- The reported ``objective`` is recomputed exactly from the picks: the covered demand (mclp),
  the demand-weighted total cost (pmedian) or the worst cost (pcenter), over the kept points.
- p-median and p-center a point that no existing site reaches must be reached by a pick; when
  ``n`` picks cannot reach every such point, the status is ``infeasible``.

Size. MCLP's model has one column per candidate and one row per distinct coverage set, and
solves 2,000 candidates x 10,000 demand points in about a second (benchmarks/). p-median and
p-center have one column per (point, candidate) pair cheaper than the point's nearest existing
site; keep that below about 10**6 by thinning. The thinning rule (:func:`thin_candidates`):
keep the ``keep`` candidates with the highest suitability score (ties to the smaller id), 500
by default, which the planner states with the result.

The greedy picks (``siteplan candidates``' top-N with separation) stay the default method;
:func:`compare_picks` compares optimal picks with them.

Examples
--------
>>> import numpy as np
>>> existing = np.array([[0.0], [900.0], [3000.0], [3200.0]])
>>> candidates = np.array([[500.0, 2900.0], [300.0, 2500.0], [2500.0, 100.0], [2600.0, 400.0]])
>>> res = allocate("mclp", existing, candidates, [10, 20, 30, 40], n=1, service=500)
>>> res.picks.tolist(), res.objective, res.metrics.coverage_share, res.status
([1], 80.0, 0.8, 'optimal')
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from siteplan._values import json_value
from siteplan.access._arrays import FloatArray, IntArray, check_cost, check_values
from siteplan.candidates._allocate_models import (
    Solution,
    solve_mclp,
    solve_pcenter,
    solve_pmedian,
)
from siteplan.errors import ParameterError

__all__ = [
    "DEFAULT_KEEP",
    "METHODS",
    "AllocationResult",
    "PickComparison",
    "PickMetrics",
    "allocate",
    "compare_picks",
    "evaluate_picks",
    "thin_candidates",
]

METHODS: Final = ("mclp", "pmedian", "pcenter")
#: How many candidates :func:`thin_candidates` keeps by default.
DEFAULT_KEEP: Final = 500


@dataclass(frozen=True)
class PickMetrics:
    """How well one set of open facilities (existing sites plus picks) serves the demand.

    Attributes
    ----------
    coverage_share : float
        Demand within ``service`` of an open facility / the total positive demand, in [0, 1]
        (0 when there is no demand).
    covered_demand : float
        The demand within ``service``.
    mean_cost : float or None
        Demand-weighted mean cost to the nearest open facility, over the demand that reaches one.
    worst_cost : float or None
        The largest such cost among points with demand > 0 that reach one.
    unreachable_demand : float
        Demand that reaches no open facility.
    """

    coverage_share: float
    covered_demand: float
    mean_cost: float | None
    worst_cost: float | None
    unreachable_demand: float


@dataclass(frozen=True)
class AllocationResult:
    """The optimal picks of one method, with the solver's account.

    Attributes
    ----------
    method : str
        ``mclp``, ``pmedian`` or ``pcenter``.
    n : int
        The number of new facilities asked for.
    service : float
        The service radius in the measure's unit (the coverage ring).
    picks : numpy.ndarray
        The chosen candidate columns, increasing.
    objective : float
        Recomputed from the picks: covered demand (mclp), demand-weighted total cost (pmedian),
        worst cost (pcenter).
    metrics : PickMetrics
        Coverage, mean and worst cost with the existing sites and the picks open.
    status : str
        ``optimal`` (proven, gap 0), ``time limit reached``, ``infeasible``, ...
    gap : float
        The solver's relative MIP gap (NaN when it found no solution).
    variables, constraints, groups : int
        The model's size; ``groups`` is MCLP's number of distinct coverage sets (the demand
        points left after merging), else the number of demand points in the model.
    dropped_zero : int
        Demand points dropped for zero demand.
    """

    method: str
    n: int
    service: float
    picks: IntArray
    objective: float
    metrics: PickMetrics
    status: str
    gap: float
    variables: int
    constraints: int
    groups: int
    dropped_zero: int

    def to_dict(self, candidate_ids: Sequence[str] | None = None) -> dict[str, Any]:
        """Return the result as JSON-ready values (picks as ids when ``candidate_ids``)."""
        picks: list[Any] = (
            [str(candidate_ids[j]) for j in self.picks]
            if candidate_ids is not None
            else self.picks.tolist()
        )
        out: dict[str, Any] = json_value(
            {
                "method": self.method,
                "n": self.n,
                "service": self.service,
                "picks": picks,
                "objective": self.objective,
                "coverage_share": self.metrics.coverage_share,
                "covered_demand": self.metrics.covered_demand,
                "mean_cost": self.metrics.mean_cost,
                "worst_cost": self.metrics.worst_cost,
                "unreachable_demand": self.metrics.unreachable_demand,
                "status": self.status,
                "gap": self.gap,
                "variables": self.variables,
                "constraints": self.constraints,
                "groups": self.groups,
            }
        )
        return out


@dataclass(frozen=True)
class PickComparison:
    """Optimal picks against greedy ones, with the same existing sites and demand.

    ``coverage_gained`` is the optimal coverage share minus the greedy one; ``mean_cost_saved``
    and ``worst_cost_saved`` are greedy minus optimal (positive: the optimal picks do better);
    None where either is undefined.
    """

    optimal: PickMetrics
    greedy: PickMetrics
    coverage_gained: float
    covered_demand_gained: float
    mean_cost_saved: float | None
    worst_cost_saved: float | None


def _check_inputs(
    existing_cost: npt.ArrayLike | None,
    candidate_cost: npt.ArrayLike,
    demand: npt.ArrayLike,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    candidates = check_cost(candidate_cost, "candidate_cost")
    n_points = candidates.shape[0]
    existing = (
        np.zeros((n_points, 0))
        if existing_cost is None
        else check_cost(existing_cost, "existing_cost")
    )
    if existing.shape[0] != n_points:
        raise ParameterError(
            f"existing_cost and candidate_cost must have the same rows (demand points), "
            f"got {existing.shape[0]} and {n_points}"
        )
    return existing, candidates, check_values(demand, n_points, "demand")


def _nearest_existing(existing: FloatArray) -> FloatArray:
    if existing.shape[1] == 0:
        return np.full(existing.shape[0], np.inf)
    return np.asarray(existing.min(axis=1), dtype=np.float64)


def _metrics(best: FloatArray, weights: FloatArray, service: float) -> PickMetrics:
    positive = weights > 0
    best, weights = best[positive], weights[positive]
    total = float(weights.sum())
    reach = np.isfinite(best)
    covered = float(weights[best <= service].sum())
    reached_weight = float(weights[reach].sum())
    return PickMetrics(
        coverage_share=min(1.0, covered / total) if total > 0 else 0.0,
        covered_demand=covered,
        mean_cost=float(weights[reach] @ best[reach]) / reached_weight
        if reached_weight > 0
        else None,
        worst_cost=float(best[reach].max()) if reach.any() else None,
        unreachable_demand=float(weights[~reach].sum()),
    )


def _open_best(existing: FloatArray, candidates: FloatArray, picks: IntArray) -> FloatArray:
    best = _nearest_existing(existing)
    if len(picks):
        best = np.minimum(best, candidates[:, picks].min(axis=1))
    return best


def evaluate_picks(
    existing_cost: npt.ArrayLike | None,
    candidate_cost: npt.ArrayLike,
    demand: npt.ArrayLike,
    picks: Sequence[int] | npt.ArrayLike,
    *,
    service: float,
) -> PickMetrics:
    """Measure how the existing sites plus ``picks`` serve the demand.

    Parameters
    ----------
    existing_cost
        Demand points x existing sites (None for none); inf where unreachable.
    candidate_cost
        Demand points x candidates.
    demand
        One value per demand point (>= 0); zero demand is left out of every figure.
    picks
        Candidate columns.
    service
        The coverage radius in the measure's unit.

    Returns
    -------
    PickMetrics
        Coverage share, covered demand, mean and worst cost, unreachable demand.
    """
    existing, candidates, weights = _check_inputs(existing_cost, candidate_cost, demand)
    chosen = _check_picks(picks, candidates.shape[1])
    return _metrics(_open_best(existing, candidates, chosen), weights, _check_service(service))


def compare_picks(
    existing_cost: npt.ArrayLike | None,
    candidate_cost: npt.ArrayLike,
    demand: npt.ArrayLike,
    optimal: Sequence[int] | npt.ArrayLike,
    greedy: Sequence[int] | npt.ArrayLike,
    *,
    service: float,
) -> PickComparison:
    """Compare optimal picks with greedy ones: coverage gained, mean and worst cost saved.

    Parameters
    ----------
    existing_cost, candidate_cost, demand, service
        As for :func:`evaluate_picks`.
    optimal, greedy
        Candidate columns of the two sets of picks.

    Returns
    -------
    PickComparison
        Both sets' metrics and their differences.
    """
    opt = evaluate_picks(existing_cost, candidate_cost, demand, optimal, service=service)
    greedy_m = evaluate_picks(existing_cost, candidate_cost, demand, greedy, service=service)

    def saved(a: float | None, b: float | None) -> float | None:
        return None if a is None or b is None else a - b

    return PickComparison(
        optimal=opt,
        greedy=greedy_m,
        coverage_gained=opt.coverage_share - greedy_m.coverage_share,
        covered_demand_gained=opt.covered_demand - greedy_m.covered_demand,
        mean_cost_saved=saved(greedy_m.mean_cost, opt.mean_cost),
        worst_cost_saved=saved(greedy_m.worst_cost, opt.worst_cost),
    )


def thin_candidates(
    scores: npt.ArrayLike, ids: Sequence[str], keep: int = DEFAULT_KEEP
) -> IntArray:
    """Return the columns of the ``keep`` best candidates: highest score first, ties by id.

    This is the stated thinning rule for large grids: location-allocation runs on the top
    ``keep`` cells by suitability score.

    Parameters
    ----------
    scores
        One suitability score per candidate.
    ids
        One id per candidate (ties go to the smaller id in code-point order).
    keep
        How many to keep (all when there are fewer).

    Returns
    -------
    numpy.ndarray
        The kept candidate columns, best first.
    """
    values = np.asarray(scores, dtype=np.float64)
    if values.ndim != 1 or len(values) != len(ids):
        raise ParameterError(
            f"scores and ids must have one entry per candidate, got {values.shape} and {len(ids)}"
        )
    if isinstance(keep, bool) or not isinstance(keep, int | np.integer) or keep < 1:
        raise ParameterError(f"keep must be an integer >= 1, got {keep!r}")
    id_rank = np.empty(len(ids), dtype=np.intp)
    id_rank[sorted(range(len(ids)), key=lambda j: str(ids[j]))] = np.arange(len(ids))
    order = np.lexsort((id_rank, -np.nan_to_num(values, nan=-np.inf)))
    return order[: int(keep)].astype(np.intp)


def allocate(
    method: str,
    existing_cost: npt.ArrayLike | None,
    candidate_cost: npt.ArrayLike,
    demand: npt.ArrayLike,
    n: int,
    *,
    service: float,
    time_limit: float | None = None,
) -> AllocationResult:
    """Choose ``n`` new facilities from the candidates, optimally, existing sites open.

    Parameters
    ----------
    method
        ``mclp``, ``pmedian`` or ``pcenter``.
    existing_cost
        Demand points x existing sites, in the measure's unit (None when there are none);
        inf where unreachable.
    candidate_cost
        Demand points x candidates, same unit.
    demand
        One value per demand point (>= 0).
    n
        How many new facilities (0 <= n <= candidates).
    service
        The coverage radius (mclp's R; the coverage reported for every method), e.g. the
        first ring.
    time_limit
        Seconds for the solver; None for no limit (the status says when it was reached).

    Returns
    -------
    AllocationResult
        The picks, the exact objective, coverage, mean and worst cost, status and gap.

    Raises
    ------
    ParameterError
        For an unknown method, a bad n, service, cost matrix or demand.
    """
    if method not in METHODS:
        raise ParameterError(f"method {method!r} is not one of {', '.join(METHODS)}")
    existing, candidates, weights = _check_inputs(existing_cost, candidate_cost, demand)
    radius = _check_service(service)
    n_cand = candidates.shape[1]
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or not 0 <= n <= n_cand:
        raise ParameterError(f"n must be an integer from 0 to {n_cand} (the candidates), got {n!r}")
    nearest = _nearest_existing(existing)
    reach = np.isfinite(nearest) | np.isfinite(candidates).any(axis=1)
    keep = (weights > 0) & reach
    solution = _solve(
        method,
        weights[keep],
        nearest[keep],
        candidates[keep],
        int(n),
        service=radius,
        time_limit=time_limit,
    )
    best = _open_best(existing, candidates, solution.picks)
    metrics = _metrics(best, weights, radius)
    return AllocationResult(
        method=method,
        n=int(n),
        service=radius,
        picks=solution.picks,
        objective=_objective(method, best[keep], weights[keep], radius)
        if not np.isnan(solution.gap)
        else float("nan"),
        metrics=metrics,
        status=solution.status,
        gap=solution.gap,
        variables=solution.variables,
        constraints=solution.constraints,
        groups=solution.groups,
        dropped_zero=int((weights == 0).sum()),
    )


def _solve(
    method: str,
    weights: FloatArray,
    nearest: FloatArray,
    candidates: FloatArray,
    n: int,
    *,
    service: float,
    time_limit: float | None,
) -> Solution:
    if method == "mclp":
        return solve_mclp(weights, nearest, candidates, n, service=service, time_limit=time_limit)
    if method == "pmedian":
        return solve_pmedian(weights, nearest, candidates, n, time_limit)
    return solve_pcenter(weights, nearest, candidates, n, time_limit)


def _objective(method: str, best: FloatArray, weights: FloatArray, service: float) -> float:
    if method == "mclp":
        return float(weights[best <= service].sum())
    if not len(best):
        return 0.0
    if method == "pmedian":
        return float(weights @ best)
    return float(best.max())


def _check_service(service: float) -> float:
    value = float(service)
    if not np.isfinite(value) or value < 0:
        raise ParameterError(f"service must be a finite number >= 0, got {service!r}")
    return value


def _check_picks(picks: Sequence[int] | npt.ArrayLike, n_candidates: int) -> IntArray:
    chosen = np.asarray(picks, dtype=np.intp).ravel()
    if ((chosen < 0) | (chosen >= n_candidates)).any():
        raise ParameterError(f"picks must be candidate columns from 0 to {n_candidates - 1}")
    return chosen
