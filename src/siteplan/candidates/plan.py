"""Optimal picks among scored candidates: location-allocation against the study's demand.

:func:`plan_facilities` takes the greedy result of :func:`siteplan.score_candidates` and
replaces its picks with the optimal ones of ``mclp``, ``pmedian`` or ``pcenter``
(:func:`siteplan.candidates.allocate.allocate`):

- the demand is the study's demand layers, placed as points
  (:func:`siteplan.access.study.study_demand_points`);
- costs are measured with the study's measure from each demand point to each existing site
  and to each candidate (:mod:`siteplan.access.costs`; along the roads for a network
  measure, one search per thinned candidate: :func:`siteplan.candidates._network.demand_costs`);
  the existing sites stay open;
- **thinning rule**: the model chooses among the ``keep`` eligible candidates with the
  highest suitability score, ties to the smaller id: 2,000 for ``mclp`` (one column per
  candidate), 500 for ``pmedian`` and ``pcenter`` (one column per point-candidate pair)
  (:func:`~siteplan.candidates.allocate.thin_candidates`); the greedy picks are measured too,
  for the comparison;
- N = ``--top`` new facilities (fewer when fewer candidates are eligible);
- the service radius R (MCLP's coverage radius, and the coverage every method reports)
  defaults to the first ring.

The returned :class:`CandidateResult` has the optimal picks, ranked by suitability score
(ties by id), with the usual per-site scores and distances; its ``plan`` says how they
compare with the greedy picks.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

import numpy as np

from siteplan.access.costs import access_costs, location_costs
from siteplan.access.study import study_demand_points
from siteplan.candidates.allocate import (
    DEFAULT_KEEP,
    METHODS,
    AllocationResult,
    PickComparison,
    allocate,
    compare_picks,
    thin_candidates,
)
from siteplan.candidates.sites import site_targets
from siteplan.errors import ParameterError
from siteplan.measure._kernel import distance_matrix

if TYPE_CHECKING:
    from siteplan.access._arrays import FloatArray
    from siteplan.candidates.result import CandidateResult

__all__ = ["MCLP_KEEP", "PLAN_METHODS", "Plan", "plan_facilities"]

#: How many candidates the MCLP model keeps (one column each; solves in about a second).
MCLP_KEEP: Final = 2000
#: ``--method`` values: the greedy top-N, or one of the location-allocation models.
PLAN_METHODS: Final = ("greedy", *METHODS)


@dataclass(frozen=True)
class Plan:
    """How the optimal picks were chosen and how they compare with the greedy ones.

    Attributes
    ----------
    allocation : AllocationResult
        The solver's account (picks as columns of the thinned candidates).
    comparison : PickComparison
        Optimal against greedy: coverage gained, mean and worst cost saved.
    keep : int
        The thinning rule's K; ``thinned`` how many candidates the model saw.
    greedy_ids : tuple of str
        The greedy picks' ids.
    nearest_open : numpy.ndarray
        Each demand point's cost to its nearest open facility, existing sites plus the
        optimal picks (for the coverage curve).
    demand : numpy.ndarray
        Each demand point's demand.
    """

    allocation: AllocationResult
    comparison: PickComparison
    keep: int
    thinned: int
    greedy_ids: tuple[str, ...]
    nearest_open: FloatArray
    demand: FloatArray

    def to_dict(self) -> dict[str, Any]:
        """Return the plan's fields for the json output (beside ``method`` and ``status``)."""
        alloc = self.allocation
        cmp = self.comparison
        return {
            "service": alloc.service,
            "objective": alloc.objective,
            "gap": alloc.gap,
            "coverage_share": alloc.metrics.coverage_share,
            "mean_cost": alloc.metrics.mean_cost,
            "worst_cost": alloc.metrics.worst_cost,
            "thinning": {"rule": "top K eligible by score, ties by id", "keep": self.keep},
            "candidates_in_model": self.thinned,
            "model": {
                "variables": alloc.variables,
                "constraints": alloc.constraints,
                "groups": alloc.groups,
            },
            "greedy": {
                "picks": list(self.greedy_ids),
                "coverage_share": cmp.greedy.coverage_share,
                "mean_cost": cmp.greedy.mean_cost,
                "worst_cost": cmp.greedy.worst_cost,
            },
            "coverage_gained": cmp.coverage_gained,
            "covered_demand_gained": cmp.covered_demand_gained,
            "mean_cost_saved": cmp.mean_cost_saved,
            "worst_cost_saved": cmp.worst_cost_saved,
        }


def _ranked(cres: CandidateResult, columns: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Order candidate indices by score (highest first), ties by id."""
    ids = cres.ids(columns)
    order = sorted(range(len(columns)), key=lambda k: (-float(cres.score[columns[k]]), ids[k]))
    return np.asarray(columns, dtype=np.intp)[order]


def plan_facilities(
    cres: CandidateResult,
    method: str,
    *,
    service: float | None = None,
    keep: int | None = None,
    time_limit: float | None = None,
) -> CandidateResult:
    """Replace the greedy picks with the optimal ones of a location-allocation model.

    Parameters
    ----------
    cres
        Scored candidates (:func:`siteplan.score_candidates`); ``parameters["top"]`` is N.
    method
        ``greedy`` (returns ``cres`` unchanged), ``mclp``, ``pmedian`` or ``pcenter``.
    service
        The coverage radius R in the measure's unit; None for the first ring.
    keep
        The thinning rule's K: the model's candidates are the K best eligible by score;
        None for 2,000 (mclp) or 500 (pmedian, pcenter).
    time_limit
        Seconds for the solver; None for none.

    Returns
    -------
    CandidateResult
        With the optimal picks and ``plan`` set.

    Raises
    ------
    StudyError
        When the study has no demand layer.
    ParameterError
        For an unknown method or a bad service radius.
    """
    if method not in PLAN_METHODS:
        raise ParameterError(f"method {method!r} is not one of {', '.join(PLAN_METHODS)}")
    if method == "greedy":
        return dataclasses.replace(cres, parameters={**cres.parameters, "method": "greedy"})
    keep = (MCLP_KEEP if method == "mclp" else DEFAULT_KEEP) if keep is None else keep
    result = cres.result
    points = study_demand_points(result)
    radius = float(result.parameters.rings_m[0] if service is None else service)
    existing = access_costs(result, points)
    eligible = np.flatnonzero(cres.eligible)
    thinned = eligible[thin_candidates(cres.score[eligible], cres.ids(eligible), keep)]
    greedy = np.asarray(cres.pick_index, dtype=np.intp)
    columns = np.concatenate([thinned, greedy])
    if cres.network is None:
        cand_cost = location_costs(result, points, cres.x[columns], cres.y[columns])
    else:
        # lazy: the road network needs scipy, which straight-line candidates never load
        from siteplan.candidates._network import demand_costs

        cand_cost = demand_costs(cres.network, points, cres.x[columns], cres.y[columns])
    demand = points["population"].to_numpy(dtype=np.float64)
    n = min(int(cres.parameters["top"]), len(thinned))
    alloc = allocate(
        method,
        existing.values,
        cand_cost[:, : len(thinned)],
        demand,
        n,
        service=radius,
        time_limit=time_limit,
    )
    comparison = compare_picks(
        existing.values,
        cand_cost,
        demand,
        alloc.picks,
        np.arange(len(thinned), len(columns)),
        service=radius,
    )
    open_cost = np.concatenate([existing.values, cand_cost[:, alloc.picks]], axis=1)
    nearest = open_cost.min(axis=1) if open_cost.shape[1] else np.full(len(points), np.inf)
    plan = Plan(
        allocation=alloc,
        comparison=comparison,
        keep=int(keep),
        thinned=len(thinned),
        greedy_ids=tuple(cres.ids(greedy)),
        nearest_open=nearest,
        demand=demand,
    )
    picks = _ranked(cres, thinned[alloc.picks])
    pick_d = distance_matrix(site_targets(result).scoring, cres.x[picks], cres.y[picks])
    parameters = {**cres.parameters, "method": method, "service_m": radius}
    return dataclasses.replace(
        cres,
        pick_index=picks,
        pick_breakdown=result.parameters.decay(pick_d),
        pick_distances=pick_d,
        parameters=parameters,
        plan=plan,
    )
