"""Access along the road network: demand -> site costs against networkx on a hand network.

The roads of :mod:`test_network_analyze` (metres in EPSG:32651): north and south roads joined
by a one-way bridge at x = 800 (north to south only, when driving) and a two-way bridge at
x = 1000. The reference is built independently: every demand point and site joins at the
nearest point of the nearest road line (shapely), that point splits the road in a networkx
graph of the lines' vertices, and the cost is the walked connector of the place, the
networkx shortest path (one-way honoured when driving) and the walked connector of the site.
Direction is place -> site.
"""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pytest
import shapely
from test_network_analyze import _write, make_study

from siteplan.access.study import analyze_access

WALK = 80.0  # m/min
DRIVE = 500.0  # m/min, residential
SITES = {"A": (100.0, 130.0), "B": (100.0, -130.0)}
DEMAND = {
    "p_north": (400.0, 90.0),  # on the north road, with A
    "p_south": (600.0, -120.0),  # south of the river: driving north needs bridge2
    "p_bridge": (950.0, 10.0),  # joins bridge2
    "p_far": (500.0, 1000.0),  # 900 m from every road: unreachable
}
ROADS = (
    ((0.0, 100.0), (800.0, 100.0), (1000.0, 100.0)),
    ((0.0, -100.0), (800.0, -100.0), (1000.0, -100.0)),
    ((800.0, 100.0), (800.0, -100.0)),  # bridge1, one-way north -> south when driving
    ((1000.0, 100.0), (1000.0, -100.0)),
)


@pytest.fixture(autouse=True)
def _cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SITEPLAN_CACHE_DIR", str(tmp_path / "cache"))


def _study(tmp_path: Path, mode: str) -> Path:
    toml = make_study(tmp_path, SITES, bridge_oneway="yes", second_bridge=True, mode=mode)
    _write(
        tmp_path / "demand.geojson",
        [{"id": k, "name": k, "population": 100 * (i + 1)} for i, k in enumerate(DEMAND)],
        [shapely.Point(xy) for xy in DEMAND.values()],
    )
    toml.write_text(
        toml.read_text(encoding="utf-8").replace(
            "[network]",
            '[[layers]]\npath = "demand.geojson"\nrole = "demand"\n\n[network]',
        ),
        encoding="utf-8",
    )
    return toml


def networkx_costs(
    mode: str,
    unit: str,
    places: dict[str, tuple[float, float]],
    targets: dict[str, tuple[float, float]],
) -> dict[tuple[str, str], float]:
    """Place -> target costs from networkx on the road lines, every place joined independently.

    A place or target farther than 300 m (``snap_max_m``) from every line costs inf.
    """
    lines = [shapely.LineString(r) for r in ROADS]
    feet: dict[str, tuple[int, shapely.Point, float]] = {}
    for name, xy in {**targets, **places}.items():
        point = shapely.Point(xy)
        k = int(np.argmin([line.distance(point) for line in lines]))
        if lines[k].distance(point) > 300:  # snap_max_m
            continue
        foot = lines[k].interpolate(lines[k].project(point))
        feet[name] = (k, foot, point.distance(foot))
    graph = nx.DiGraph()
    speed = DRIVE if mode == "drive" else WALK
    for k, line in enumerate(lines):
        stops = [shapely.Point(c) for c in line.coords]
        stops += [foot for j, foot, _ in feet.values() if j == k]
        stops.sort(key=line.project)
        for a, b in itertools.pairwise(stops):
            length = a.distance(b)
            cost = length if unit == "m" else length / speed
            graph.add_edge((a.x, a.y), (b.x, b.y), weight=cost)
            if not (mode == "drive" and k == 2):  # bridge1 is one-way when driving
                graph.add_edge((b.x, b.y), (a.x, a.y), weight=cost)
    out = {}
    for place in places:
        for target in targets:
            if place not in feet or target not in feet:
                out[place, target] = math.inf
                continue
            _, pf, pc = feet[place]
            _, tf, tc = feet[target]
            try:
                path = nx.shortest_path_length(graph, (pf.x, pf.y), (tf.x, tf.y), "weight")
            except nx.NetworkXNoPath:
                out[place, target] = math.inf
                continue
            walk = pc + tc if unit == "m" else (pc + tc) / WALK
            out[place, target] = walk + path
    return out


def _reference(mode: str, unit: str) -> dict[tuple[str, str], float]:
    """Place -> site costs from networkx on the same lines, joined independently."""
    return networkx_costs(mode, unit, DEMAND, SITES)


@pytest.mark.parametrize(
    ("mode", "measure", "unit"),
    [("walk", "network", "m"), ("drive", "time", "min"), ("drive", "network", "m")],
)
def test_demand_costs_match_networkx(tmp_path: Path, mode: str, measure: str, unit: str) -> None:
    ares = analyze_access(_study(tmp_path, mode), measure=measure)
    assert ares.places is not None
    costs = ares.places.costs
    assert costs.unit == unit
    expected = _reference(mode, unit)
    for i, place in enumerate(ares.demand_ids):
        for j, site in enumerate(costs.site_ids):
            want = expected[place, site]
            got = float(costs.values[i, j])
            if math.isinf(want):
                assert math.isinf(got), (place, site, got)
            else:
                assert got == pytest.approx(want, rel=1e-9, abs=1e-6), (place, site)
    if mode == "drive":  # the reference honours the one-way bridge: check that it matters
        two_way = _reference("walk", unit) if unit == "m" else None
        if two_way is not None:
            assert expected["p_south", "A"] > two_way["p_south", "A"] + 100


def test_access_report_names_the_unit_and_unreachable_demand(tmp_path: Path) -> None:
    toml = _study(tmp_path, "walk")
    ares = analyze_access(toml, measure="time")
    report = json.loads(json.dumps(ares.to_dict()))
    assert report["parameters"]["unit"] == "min"
    far = next(d for d in report["demand"] if d["id"] == "p_far")
    assert far["nearest_id"] is None
    assert far["nearest_min"] is None
    assert far["index"] == 0
    assert "minutes" in report["caveat"]
    near = next(d for d in report["demand"] if d["id"] == "p_north")
    assert near["nearest_id"] == "A"
    # straight line is a lower bound of every network cost
    straight = analyze_access(toml, measure="edge")
    net = analyze_access(toml, measure="network")
    a: Any = straight.places.costs.values  # type: ignore[union-attr]
    b: Any = net.places.costs.values  # type: ignore[union-attr]
    assert np.all(b[np.isfinite(b)] >= a[np.isfinite(b)] - 1e-6)
