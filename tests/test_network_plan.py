"""Location-allocation along the road network, against brute force on networkx costs.

The hand roads and sites of :mod:`test_access_network` (a river crossed by a one-way bridge at
x = 800 and a two-way bridge at x = 1000, metres in EPSG:32651), two existing sites, a few
demand points and candidate parcels. The reference costs come from networkx on a graph built
independently from the road lines (every place joins at the nearest point of the nearest
line, the connectors walked); the optimum of every choice of N candidates is enumerated.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
import shapely
from test_access_network import SITES, networkx_costs
from test_network_analyze import _write, make_study

from siteplan import analyze
from siteplan.candidates.api import score_candidates
from siteplan.candidates.plan import plan_facilities

DEMAND = {
    "d1": ((400.0, 90.0), 300.0),
    "d2": ((600.0, -120.0), 500.0),
    "d3": ((950.0, 10.0), 200.0),
    "d4": ((900.0, -140.0), 400.0),
    "d5": ((300.0, 120.0), 100.0),
}
CANDIDATES = {
    "c1": (700.0, 130.0),
    "c2": (700.0, -130.0),
    "c3": (1000.0, 50.0),
    "c4": (400.0, -90.0),
    "c5": (880.0, 110.0),
}


def _study(tmp_path: Path, mode: str) -> Path:
    toml = make_study(tmp_path, SITES, bridge_oneway="yes", second_bridge=True, mode=mode)
    _write(
        tmp_path / "demand.geojson",
        [{"id": k, "name": k, "population": pop} for k, (_, pop) in DEMAND.items()],
        [shapely.Point(xy) for xy, _ in DEMAND.values()],
    )
    _write(
        tmp_path / "parcels.geojson",
        [{"id": k} for k in CANDIDATES],
        [shapely.Point(xy) for xy in CANDIDATES.values()],
    )
    toml.write_text(
        toml.read_text(encoding="utf-8").replace(
            "[network]", '[[layers]]\npath = "demand.geojson"\nrole = "demand"\n\n[network]'
        ),
        encoding="utf-8",
    )
    return toml


def _costs(mode: str, unit: str, targets: dict[str, tuple[float, float]]) -> np.ndarray:
    """Demand -> target costs from networkx on the road lines (place -> site)."""
    places = {k: xy for k, (xy, _) in DEMAND.items()}
    costs = networkx_costs(mode, unit, places, targets)
    return np.array([[costs[p, t] for t in targets] for p in places])


def _brute(method: str, existing: np.ndarray, cand: np.ndarray, pop: np.ndarray, n: int, r: float):
    best = None
    for choice in itertools.combinations(range(cand.shape[1]), n):
        nearest = np.concatenate([existing, cand[:, list(choice)]], axis=1).min(axis=1)
        if method == "mclp":
            value = -float(pop[nearest <= r].sum())
        elif method == "pmedian":
            value = float((pop * nearest).sum())
        else:
            value = float(nearest.max())
        best = value if best is None else min(best, value)
    assert best is not None
    return best


@pytest.mark.parametrize("method", ["mclp", "pmedian", "pcenter"])
@pytest.mark.parametrize(
    ("mode", "measure", "unit"), [("walk", "time", "min"), ("drive", "network", "m")]
)
def test_optimal_picks_along_the_roads_equal_brute_force(
    tmp_path: Path, method: str, mode: str, measure: str, unit: str
) -> None:
    toml = _study(tmp_path, mode)
    result = analyze(toml, measure=measure)
    cres = score_candidates(result, parcels=tmp_path / "parcels.geojson", top=2, min_separation_m=0)
    service = 6.0 if unit == "min" else 450.0
    planned = plan_facilities(cres, method, service=service)
    plan = planned.plan
    assert plan is not None
    assert plan.allocation.status == "optimal"
    existing = _costs(mode, unit, SITES)
    order = [str(i) for i in cres.ids(np.arange(len(cres.x)))]
    cand = _costs(mode, unit, {k: CANDIDATES[k] for k in order})
    pop = np.array([p for _, p in DEMAND.values()])
    want = _brute(method, existing, cand, pop, 2, service)
    picked = [order.index(i) for i in planned.ids(np.asarray(planned.pick_index))]
    nearest = np.concatenate([existing, cand[:, picked]], axis=1).min(axis=1)
    got = {
        "mclp": -float(pop[nearest <= service].sum()),
        "pmedian": float((pop * nearest).sum()),
        "pcenter": float(nearest.max()),
    }[method]
    # the picks are optimal on the independent costs, and the plan reports those costs
    assert got == pytest.approx(want, rel=1e-9)
    assert plan.nearest_open == pytest.approx(nearest, rel=1e-9)
    if method == "mclp":
        assert plan.allocation.metrics.coverage_share == pytest.approx(-want / pop.sum())
