"""Accessibility indices: a hand-worked example, edge values, and PySAL access."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from siteplan.access.indices import (
    accessibility,
    enhanced_two_step_fca,
    gravity_index,
    two_step_fca,
)
from siteplan.errors import ParameterError
from siteplan.score.decay import make_decay

INF = np.inf

# Three demand points, two sites (metres). Worked by hand below.
COST = np.array(
    [
        [200.0, 1500.0],
        [800.0, 400.0],
        [3000.0, INF],
    ]
)
DEMAND = np.array([100.0, 300.0, 50.0])
SUPPLY = np.array([10.0, 4.0])


def test_2sfca_hand_worked() -> None:
    # d0 = 1000: site a serves d1 and d2 (400 people) -> R_a = 10 / 400 = 0.025;
    # site b serves d2 (300) -> R_b = 4 / 300. d3 reaches nothing within 1000: 0.
    got = two_step_fca(COST, DEMAND, SUPPLY, threshold=1000)
    assert got.tolist() == pytest.approx([0.025, 0.025 + 4 / 300, 0.0], rel=1e-15)


def test_2sfca_threshold_is_inclusive() -> None:
    got = two_step_fca(COST, DEMAND, SUPPLY, threshold=800)
    assert got[1] == pytest.approx(10 / 400 + 4 / 300)


def test_e2sfca_hand_worked() -> None:
    # rings 500 / 1000 / 2000 with decay "rings": weights 1, 2/3, 1/3 (0 beyond 2000).
    decay = make_decay("rings", rings_m=[500, 1000, 2000])
    w_a = np.array([1.0, 2 / 3, 0.0])  # 200 m, 800 m, 3000 m
    w_b = np.array([1 / 3, 1.0, 0.0])  # 1500 m, 400 m, inf
    r_a = 10 / (DEMAND @ w_a)
    r_b = 4 / (DEMAND @ w_b)
    expected = w_a * r_a + w_b * r_b
    got = enhanced_two_step_fca(COST, DEMAND, SUPPLY, [500, 1000, 2000], decay)
    assert got.tolist() == pytest.approx(expected.tolist(), rel=1e-14)
    assert got[2] == 0.0


def test_gravity_hand_worked() -> None:
    decay = make_decay("linear", max_m=2000)
    # weights: a: 0.9, 0.6, 0; b: 0.25, 0.8, 0
    got = gravity_index(COST, SUPPLY, decay)
    assert got.tolist() == pytest.approx([10 * 0.9 + 4 * 0.25, 10 * 0.6 + 4 * 0.8, 0.0])


def test_zero_demand_zero_capacity_and_unreachable_give_zeros_not_nan() -> None:
    cost = np.array([[100.0, INF], [INF, INF], [200.0, 300.0]])
    decay = make_decay("exponential", half_m=1000)
    for kind in ("gravity", "2sfca", "e2sfca"):
        # zero demand everywhere: every ratio 0 (no catchment holds demand), index 0
        res = accessibility(kind, cost, [0, 0, 0], [1, 1], decay=decay, rings=[500])
        assert np.isfinite(res.values).all()
        if res.ratios is not None:
            assert res.ratios.tolist() == [0.0, 0.0]
            assert res.values.tolist() == [0.0, 0.0, 0.0]
        # zero capacity: that site adds nothing
        res = accessibility(kind, cost, [5, 5, 5], [0, 0], decay=decay, rings=[500])
        assert res.values.tolist() == [0.0, 0.0, 0.0]
        # the point beyond every site gets 0
        res = accessibility(kind, cost, [5, 5, 5], [1, 1], decay=decay, rings=[500])
        assert res.values[1] == 0.0
        assert np.isfinite(res.values).all()


def test_demand_point_beyond_every_ring() -> None:
    cost = np.array([[100.0], [9000.0]])
    got = two_step_fca(cost, [10, 10], [1], threshold=500)
    assert got.tolist() == [0.1, 0.0]


def test_no_sites_and_no_demand_points() -> None:
    decay = make_decay("rings")
    assert two_step_fca(np.zeros((3, 0)), [1, 2, 3], [], 500).tolist() == [0.0] * 3
    assert gravity_index(np.zeros((0, 2)), [1, 1], decay).shape == (0,)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"kind": "3sfca"}, "kind"),
        ({"cost": np.array([[np.nan]])}, "NaN"),
        ({"cost": np.array([[-1.0]])}, "negative"),
        ({"demand": [-1.0]}, "demand"),
        ({"supply": [np.nan]}, "supply"),
        ({"demand": [1.0, 2.0]}, "demand"),
        ({"rings": [1000, 500]}, "rings"),
        ({"kind": "gravity", "decay": None}, "decay"),
        ({"threshold": -5}, "threshold"),
    ],
)
def test_bad_arguments_are_refused(kwargs: dict[str, object], match: str) -> None:
    args: dict[str, object] = {
        "kind": "2sfca",
        "cost": np.array([[1.0]]),
        "demand": [1.0],
        "supply": [1.0],
        "decay": make_decay("rings"),
        "rings": [500],
        "threshold": None,
    }
    args.update(kwargs)
    with pytest.raises(ParameterError, match=match):
        accessibility(
            str(args["kind"]),
            args["cost"],  # type: ignore[arg-type]
            args["demand"],  # type: ignore[arg-type]
            args["supply"],  # type: ignore[arg-type]
            decay=args["decay"],  # type: ignore[arg-type]
            rings=args["rings"],  # type: ignore[arg-type]
            threshold=args["threshold"],  # type: ignore[arg-type]
        )


# --------------------------------------------------------------------------- PySAL access


def _random_instance(
    seed: int, n: int = 60, m: int = 8
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    cost = rng.uniform(0, 6000, size=(n, m))
    cost[rng.random((n, m)) < 0.1] = INF  # some pairs cannot be reached
    cost[0, :] = INF  # one demand point reaches nothing
    demand = rng.integers(1, 5000, size=n).astype(float)
    supply = rng.integers(1, 50, size=m).astype(float)
    return cost, demand, supply


def _access_model(cost: np.ndarray, demand: np.ndarray, supply: np.ndarray) -> object:
    access_mod = pytest.importorskip("access")
    n, m = cost.shape
    rows, cols = np.nonzero(np.isfinite(cost))
    cost_df = pd.DataFrame({"origin": rows, "dest": cols, "cost": cost[rows, cols]})
    demand_df = pd.DataFrame({"pop": demand}, index=pd.Index(range(n), name="geoid"))
    supply_df = pd.DataFrame({"cap": supply}, index=pd.Index(range(m), name="geoid"))
    return access_mod.Access(
        demand_df=demand_df,
        demand_index=True,
        demand_value="pop",
        supply_df=supply_df,
        supply_index=True,
        supply_value="cap",
        cost_df=cost_df,
        cost_origin="origin",
        cost_dest="dest",
        cost_name="cost",
    )


def _column(frame: pd.DataFrame, n: int) -> np.ndarray:
    # access leaves out (NaN) the demand points it cannot connect; siteplan documents 0
    return frame.iloc[:, 0].reindex(range(n)).fillna(0.0).to_numpy(dtype=float)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_2sfca_equals_pysal_access(seed: int) -> None:
    cost, demand, supply = _random_instance(seed)
    model = _access_model(cost, demand, supply)
    theirs = _column(model.two_stage_fca(name="t", max_cost=2500.0), len(demand))  # type: ignore[attr-defined]
    ours = two_step_fca(cost, demand, supply, threshold=2500.0)
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=0)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_e2sfca_equals_pysal_access(seed: int) -> None:
    weights = pytest.importorskip("access.weights")
    cost, demand, supply = _random_instance(seed)
    rings = [1000.0, 2000.0, 3000.0, 5000.0]
    decay = make_decay("exponential", half_m=1500)
    steps = {r: float(decay(r)) / 100 for r in rings}
    model = _access_model(cost, demand, supply)
    theirs = _column(
        model.enhanced_two_stage_fca(name="e", weight_fn=weights.step_fn(steps)),  # type: ignore[attr-defined]
        len(demand),
    )
    ours = enhanced_two_step_fca(cost, demand, supply, rings, decay)
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=0)


@pytest.mark.parametrize(
    ("kind", "params"),
    [("gaussian", {"sigma_m": 1500}), ("linear", {"max_m": 4000}), ("rings", {})],
)
def test_gravity_equals_pysal_access(kind: str, params: dict[str, float]) -> None:
    cost, demand, supply = _random_instance(7)
    decay = make_decay(kind, **params)
    model = _access_model(cost, demand, supply)
    theirs = _column(
        model.weighted_catchment(name="g", weight_fn=lambda d: float(decay(d)) / 100),  # type: ignore[attr-defined]
        len(demand),
    )
    ours = gravity_index(cost, supply, decay)
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=0)
