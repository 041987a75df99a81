"""Coverage, catchments, nearest sites, the access result and the OD cost table."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from siteplan.access.cost_table import cost_table_frame, write_cost_table
from siteplan.access.coverage import coverage, cumulative_coverage, nearest_sites
from siteplan.access.result import analyze_access
from siteplan.errors import OutputError, ParameterError
from siteplan.score.decay import make_decay

INF = np.inf
RINGS = [500.0, 1000.0, 2000.0]


def _random(seed: int, n: int = 200, m: int = 6) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    cost = rng.uniform(0, 3000, size=(n, m))
    cost[rng.random((n, m)) < 0.2] = INF
    return cost, rng.uniform(0, 1000, size=n)


@pytest.mark.parametrize("seed", range(5))
def test_shares_add_up_and_never_fall(seed: int) -> None:
    cost, demand = _random(seed)
    cov = coverage(cost, demand, [f"s{j}" for j in range(cost.shape[1])], RINGS)
    assert (np.diff(cov.covered) >= 0).all()
    assert (np.diff(cov.share) >= 0).all()
    assert ((cov.share >= 0) & (cov.share <= 1)).all()
    assert cov.share == pytest.approx(cov.covered / demand.sum())
    # covered plus uncovered is the total, ring by ring
    best = cost.min(axis=1)
    for k, ring in enumerate(RINGS):
        assert cov.covered[k] + demand[best > ring].sum() == pytest.approx(demand.sum())
    # every reachable point has exactly one nearest site: the nearest demand adds up
    reachable = np.isfinite(best)
    assert cov.nearest_demand.sum() == pytest.approx(demand[reachable].sum())
    # catchments are cumulative over rings and each is at least the covered demand's part
    assert (np.diff(cov.catchment, axis=1) >= 0).all()
    assert (cov.catchment.sum(axis=0) >= cov.covered - 1e-9).all()


def test_nearest_ties_go_to_the_smaller_id() -> None:
    cost = np.array([[100.0, 100.0 + 5e-7, 300.0], [INF, INF, INF], [50.0, 10.0, 10.0]])
    nearest, dist = nearest_sites(cost, ["b", "a", "c"])
    assert nearest.tolist() == [1, -1, 1]  # "a" wins the tie on row 0
    assert dist[0] == pytest.approx(100.0 + 5e-7)
    assert np.isnan(dist[1])
    assert dist[2] == 10.0


def test_zero_total_demand_gives_zero_shares() -> None:
    covered, share = cumulative_coverage(np.array([[1.0], [2.0]]), [0, 0], RINGS)
    assert covered.tolist() == [0.0] * 3
    assert share.tolist() == [0.0] * 3


def test_access_result_json_contract() -> None:
    cost = np.array([[100.0, 900.0], [400.0, INF], [INF, INF]])
    res = analyze_access(
        cost,
        demand_ids=["d1", "d2", "far"],
        demand=[10, 30, 60],
        site_ids=["a", "b"],
        supply=[2, 0],
        decay=make_decay("rings", rings_m=RINGS),
        rings=RINGS,
        study="toy",
        crs="EPSG:32651",
        extra_parameters={"measure": "edge"},
    )
    doc = json.loads(json.dumps(res.to_dict(), allow_nan=False))
    assert list(doc) == [
        "study",
        "crs",
        "parameters",
        "coverage",
        "sites",
        "demand",
        "warnings",
        "caveat",
    ]
    assert doc["parameters"]["unit"] == "m"
    assert doc["parameters"]["threshold_m"] == 500.0
    assert doc["parameters"]["measure"] == "edge"
    assert doc["coverage"][0] == {"ring": 500.0, "demand": 40.0, "share": 0.4}
    assert doc["sites"][0]["catchment"] == {"500": 40.0, "1000": 40.0, "2000": 40.0}
    assert doc["sites"][1]["catchment"] == {"500": 0.0, "1000": 10.0, "2000": 10.0}
    assert doc["sites"][1]["ratio"] == 0.0  # zero capacity
    assert doc["demand"][2] == {
        "id": "far",
        "nearest_id": None,
        "nearest_m": None,
        "index": 0.0,
        "demand": 60.0,
    }
    assert any("reach no site" in w for w in doc["warnings"])
    assert "not known" in doc["caveat"]


def test_access_result_in_minutes_names_fields_by_unit() -> None:
    res = analyze_access(
        np.array([[4.0]]),
        demand_ids=["d"],
        demand=[1],
        site_ids=["s"],
        index="e2sfca",
        decay=make_decay("linear", max_m=30),
        rings=[5, 10, 15, 30],
        unit="min",
    )
    doc = res.to_dict()
    assert doc["demand"][0]["nearest_min"] == 4.0
    assert doc["parameters"]["rings_min"] == [5.0, 10.0, 15.0, 30.0]
    assert "threshold_min" not in doc["parameters"]
    with pytest.raises(ParameterError, match="unit"):
        analyze_access(
            np.array([[4.0]]),
            demand_ids=["d"],
            demand=[1],
            site_ids=["s"],
            decay=make_decay("rings"),
            rings=[5],
            unit="km",
        )


def test_cost_table_round_trips_through_csv(tmp_path: Path) -> None:
    cost, _ = _random(3, n=20, m=4)
    cost[2, 1] = 1 / 3  # full precision
    ids = [f'd,"{i}"' for i in range(20)]  # quoting
    sites = ["a", "b", "c", "d"]
    path = write_cost_table(tmp_path / "out" / "od.csv", cost, ids, sites)
    back = pd.read_csv(path, dtype={"origin": str, "dest": str})
    assert list(back.columns) == ["origin", "dest", "cost"]
    assert len(back) == int(np.isfinite(cost).sum())
    expected = cost_table_frame(cost, ids, sites)
    pd.testing.assert_frame_equal(back, expected, check_dtype=False, check_exact=True)


def test_cost_table_refuses_mismatched_ids_and_inputs(tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match="origin_ids"):
        cost_table_frame(np.zeros((2, 2)), ["a"], ["x", "y"])
    src = tmp_path / "in.csv"
    src.write_text("x")
    with pytest.raises(OutputError):
        write_cost_table(src, np.zeros((1, 1)), ["a"], ["x"], inputs=[src])
