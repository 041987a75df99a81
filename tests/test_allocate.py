"""Location-allocation: MCLP, p-median and p-center against brute force and spopt."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest

from siteplan.candidates.allocate import (
    allocate,
    compare_picks,
    evaluate_picks,
    thin_candidates,
)
from siteplan.errors import ParameterError

INF = np.inf


def _instance(
    seed: int, n_points: int = 40, n_existing: int = 2, n_cand: int = 9, unreachable: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    pts = rng.uniform(0, 10_000, size=(n_points, 2))
    ex = rng.uniform(0, 10_000, size=(n_existing, 2))
    cand = rng.uniform(0, 10_000, size=(n_cand, 2))
    existing = np.linalg.norm(pts[:, None] - ex[None], axis=2)
    candidates = np.linalg.norm(pts[:, None] - cand[None], axis=2)
    if unreachable:
        existing[rng.random(existing.shape) < 0.3] = INF
        candidates[rng.random(candidates.shape) < 0.2] = INF
    demand = rng.integers(0, 1000, size=n_points).astype(float)
    demand[:3] = 0.0  # zero demand is dropped
    return existing, candidates, demand, pts


def _brute(
    method: str,
    existing: np.ndarray,
    candidates: np.ndarray,
    demand: np.ndarray,
    n: int,
    service: float,
) -> float:
    keep = demand > 0
    ex_best = existing.min(axis=1) if existing.shape[1] else np.full(len(demand), INF)
    reach = np.isfinite(ex_best) | np.isfinite(candidates).any(axis=1)
    keep &= reach
    values = []
    for combo in itertools.combinations(range(candidates.shape[1]), n):
        best = np.minimum(ex_best, candidates[:, list(combo)].min(axis=1))[keep]
        w = demand[keep]
        if method == "mclp":
            values.append(float(w[best <= service].sum()))
        elif method == "pmedian":
            values.append(float(w @ best))
        else:
            values.append(float(best.max()))
    return max(values) if method == "mclp" else min(values)


@pytest.mark.parametrize("method", ["mclp", "pmedian", "pcenter"])
@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("n", [1, 2, 3])
def test_objective_equals_brute_force(method: str, seed: int, n: int) -> None:
    existing, candidates, demand, _ = _instance(seed)
    res = allocate(method, existing, candidates, demand, n, service=2500.0)
    assert res.status == "optimal"
    assert res.gap == pytest.approx(0.0, abs=1e-9)
    assert len(res.picks) == n
    expected = _brute(method, existing, candidates, demand, n, 2500.0)
    assert res.objective == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("method", ["mclp", "pmedian", "pcenter"])
@pytest.mark.parametrize("seed", range(3))
def test_without_existing_sites_and_with_unreachable_pairs(method: str, seed: int) -> None:
    for existing_cols in (0, 2):
        existing, candidates, demand, _ = _instance(
            seed + 10, n_existing=existing_cols, unreachable=True
        )
        res = allocate(method, existing, candidates, demand, 3, service=3000.0)
        if res.status == "infeasible":  # p-median/p-center: a point only some picks reach
            continue
        assert res.status == "optimal"
        expected = _brute(method, existing, candidates, demand, 3, 3000.0)
        assert res.objective == pytest.approx(expected, rel=1e-9)


def test_infeasible_when_picks_cannot_reach_everyone() -> None:
    # two points, each reached by one candidate only; one pick cannot serve both
    candidates = np.array([[10.0, INF], [INF, 10.0]])
    res = allocate("pmedian", None, candidates, [1, 1], 1, service=100)
    assert res.status == "infeasible"
    assert np.isnan(res.objective)
    # MCLP has no such constraint
    assert allocate("mclp", None, candidates, [1, 1], 1, service=100).objective == 1.0


def test_edge_cases_give_documented_values() -> None:
    existing = np.array([[100.0], [INF], [50.0]])
    candidates = np.array([[INF, 900.0], [INF, INF], [20.0, 10.0]])
    # n = 0: the existing sites alone
    res = allocate("mclp", existing, candidates, [5, 7, 0], 0, service=200)
    assert res.picks.tolist() == []
    assert res.metrics.coverage_share == pytest.approx(5 / 12)
    assert res.metrics.unreachable_demand == 7.0
    assert res.dropped_zero == 1
    # all demand zero: shares 0, no NaN
    res = allocate("pmedian", existing, candidates, [0, 0, 0], 1, service=200)
    assert res.metrics.coverage_share == 0.0
    assert res.objective == 0.0
    assert res.metrics.mean_cost is None
    # a demand point beyond everything is reported, not a crash
    res = allocate("pcenter", existing, candidates, [1, 1, 1], 1, service=200)
    assert res.status == "optimal"
    assert res.metrics.unreachable_demand == 1.0
    assert res.objective == 100.0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"method": "lscp"}, "method"),
        ({"n": 5}, "n must"),
        ({"n": -1}, "n must"),
        ({"service": -1.0}, "service"),
        ({"demand": [1.0, -2.0]}, "demand"),
        ({"existing_cost": np.zeros((3, 1))}, "same rows"),
    ],
)
def test_bad_arguments(kwargs: dict[str, object], match: str) -> None:
    args: dict[str, object] = {
        "method": "mclp",
        "existing_cost": None,
        "candidate_cost": np.ones((2, 2)),
        "demand": [1.0, 1.0],
        "n": 1,
        "service": 1.0,
    }
    args.update(kwargs)
    with pytest.raises(ParameterError, match=match):
        allocate(
            str(args["method"]),
            args["existing_cost"],  # type: ignore[arg-type]
            args["candidate_cost"],  # type: ignore[arg-type]
            args["demand"],  # type: ignore[arg-type]
            args["n"],  # type: ignore[arg-type]
            service=args["service"],  # type: ignore[arg-type]
        )


def test_mclp_merges_demand_points_that_share_a_coverage_set() -> None:
    existing, candidates, demand, _ = _instance(5, n_points=300, n_cand=6)
    res = allocate("mclp", existing, candidates, demand, 2, service=2500.0)
    assert res.groups < 300
    assert res.objective == pytest.approx(_brute("mclp", existing, candidates, demand, 2, 2500.0))


def test_compare_with_greedy_picks() -> None:
    existing, candidates, demand, _ = _instance(2)
    opt = allocate("mclp", existing, candidates, demand, 2, service=2500.0)
    worst_pair = min(
        itertools.combinations(range(candidates.shape[1]), 2),
        key=lambda c: (
            evaluate_picks(existing, candidates, demand, c, service=2500.0).covered_demand
        ),
    )
    cmp = compare_picks(existing, candidates, demand, opt.picks, worst_pair, service=2500.0)
    assert cmp.coverage_gained >= 0
    assert cmp.covered_demand_gained == pytest.approx(
        cmp.optimal.covered_demand - cmp.greedy.covered_demand
    )
    assert cmp.optimal.covered_demand == pytest.approx(opt.objective)
    same = compare_picks(existing, candidates, demand, opt.picks, opt.picks, service=2500.0)
    assert same.coverage_gained == 0.0
    assert same.mean_cost_saved == 0.0


def test_thinning_rule_keeps_the_top_scores_ties_by_id() -> None:
    kept = thin_candidates([5.0, 9.0, 5.0, np.nan, 7.0], ["e", "d", "a", "b", "c"], keep=3)
    assert kept.tolist() == [1, 4, 2]
    assert thin_candidates([1.0], ["x"], keep=10).tolist() == [0]
    with pytest.raises(ParameterError, match="keep"):
        thin_candidates([1.0], ["x"], keep=0)


def test_to_dict_is_json_ready() -> None:
    existing, candidates, demand, _ = _instance(1)
    res = allocate("pmedian", existing, candidates, demand, 2, service=2500.0)
    doc = res.to_dict([f"c{j}" for j in range(candidates.shape[1])])
    assert doc["method"] == "pmedian"
    assert all(p.startswith("c") for p in doc["picks"])
    assert doc["status"] == "optimal"
    assert 0 <= doc["coverage_share"] <= 1


# --------------------------------------------------------------------------- spopt


def _spopt() -> object:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # spopt's dependencies warn on import
        return pytest.importorskip("spopt.locate")


@pytest.mark.parametrize("method", ["mclp", "pmedian", "pcenter"])
def test_same_optimum_as_spopt(method: str) -> None:
    locate = _spopt()
    pulp = pytest.importorskip("pulp")
    existing, candidates, demand, _ = _instance(3, n_points=30, n_existing=2, n_cand=8)
    keep = demand > 0
    existing, candidates, demand = existing[keep], candidates[keep], demand[keep]
    n = 2
    full = np.hstack([existing, candidates])
    predefined = np.array([True] * existing.shape[1] + [False] * candidates.shape[1])
    p = n + existing.shape[1]  # spopt counts predefined facilities inside p
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PuLP 3 deprecates its bundled CBC's class name
        solver = pulp.PULP_CBC_CMD(msg=False)
        if method == "mclp":
            model = locate.MCLP.from_cost_matrix(
                full,
                demand,
                service_radius=2500.0,
                p_facilities=p,
                predefined_facilities_arr=predefined,
            ).solve(solver)
            theirs = float(pulp.value(model.problem.objective))
        elif method == "pmedian":
            model = locate.PMedian.from_cost_matrix(
                full, demand, p_facilities=p, predefined_facilities_arr=predefined
            ).solve(solver)
            theirs = float(pulp.value(model.problem.objective))
        else:
            model = locate.PCenter.from_cost_matrix(  # unweighted
                full, p_facilities=p, predefined_facilities_arr=predefined
            ).solve(solver)
            theirs = float(pulp.value(model.problem.objective))
    ours = allocate(method, existing, candidates, demand, n, service=2500.0)
    assert ours.objective == pytest.approx(theirs, rel=1e-9)
