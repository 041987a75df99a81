"""Costs from many places to the sites (measure/network/places.py).

Hand-worked values on the river network of ``test_network_hand`` (residential roads
drive at 500 m/min, walking is 80 m/min) and a cross-check against networkx's
Dijkstra on a graph built independently from the same lines.
"""

from __future__ import annotations

import itertools
import math

import networkx as nx
import numpy as np
import pytest
import shapely

from siteplan.load.network import NetworkParams
from siteplan.measure.network.graph import build_network
from siteplan.measure.network.places import (
    exact_costs,
    nearest_beyond,
    place_costs,
    point_costs,
    site_costs,
)
from siteplan.measure.network.snap import snap_places
from tests.test_network_hand import CRS, NAN, river_roads, roads

A, B = (100.0, 130.0), (100.0, -130.0)
FAR = (500.0, 600.0)


def _sites(net, xy, *, cost="length", limit=None):  # type: ignore[no-untyped-def]
    places = snap_places(net, [shapely.Point(p) for p in xy])
    return site_costs(net, places, np.arange(len(xy)), len(xy), cost=cost, limit=limit)


def _at(net, xy):  # type: ignore[no-untyped-def]
    return snap_places(net, [shapely.Point(p) for p in xy])


def test_river_one_way_bridge_drive_by_hand() -> None:
    # bridge1 (x = 800) is one-way from north to south; bridge2 (x = 1000) two-way.
    net = build_network(river_roads(1), CRS, NetworkParams(mode="drive"))
    sites = _sites(net, [A, B], cost="time")
    got = place_costs(sites, _at(net, [B, A, FAR]))
    # A -> site at B over the one-way bridge: 1600 m driven + 60 m walked.
    assert got[1, 1] == pytest.approx(1600 / 500 + 60 / 80)
    # B -> site at A: round by bridge2, 900 + 200 + 900 m.
    assert got[0, 0] == pytest.approx(2000 / 500 + 60 / 80)
    # A place to its own site walks the connector twice.
    assert got[1, 0] == pytest.approx(60 / 80)
    # Farther than snap_max_m from every road: unreachable.
    assert np.isinf(got[2]).all()


def test_walk_ignores_one_way_and_metres() -> None:
    net = build_network(river_roads(1), CRS, NetworkParams(mode="walk"))
    got = place_costs(_sites(net, [A, B]), _at(net, [B, A]))
    assert got[0, 0] == pytest.approx(1660.0)
    assert got[1, 1] == pytest.approx(1660.0)


def test_limit_cuts_and_exact_and_nearest_recover() -> None:
    net = build_network(river_roads(), CRS, NetworkParams(mode="walk"))
    full = _sites(net, [A, B])
    cut = _sites(net, [A, B], limit=1000.0)
    places = _at(net, [B, (150.0, 120.0)])
    got = place_costs(cut, places)
    assert np.isinf(got[0, 0])  # 1660 m > 1000 m
    assert got[0, 1] == pytest.approx(60.0)
    # Within the limit, the values are those of the unlimited search, bit for bit.
    assert got[1, 0] == place_costs(full, places)[1, 0]
    assert np.array_equal(exact_costs(cut, places), place_costs(full, places))
    only_far = _sites(net, [A], limit=100.0)
    site, cost = nearest_beyond(only_far, _at(net, [B, FAR]))
    assert site.tolist() == [0, -1]
    assert cost[0] == pytest.approx(1660.0)
    assert np.isinf(cost[1])


def test_disconnected_site_and_same_chain() -> None:
    frame = roads(
        ("main", [(0, 0), (1000, 0)], "residential", 0, NAN),
        ("island", [(5000, 0), (6000, 0)], "residential", 0, NAN),
    )
    net = build_network(frame, CRS, NetworkParams(mode="walk"))
    sites = _sites(net, [(300.0, 10.0), (5500.0, 10.0)])
    got = place_costs(sites, _at(net, [(700.0, -20.0)]))
    # Along the shared line: 20 + 400 + 10.
    assert got[0, 0] == pytest.approx(430.0)
    assert np.isinf(got[0, 1])


def _grid_roads(rng: np.random.Generator, *, oneway: bool):  # type: ignore[no-untyped-def]
    """A jittered 6 x 6 street grid (lines share their crossing vertices) and a flyover."""
    node = np.stack(np.meshgrid(np.arange(6), np.arange(6), indexing="ij"), axis=-1) * 200.0
    node = node + rng.uniform(-40, 40, node.shape)
    lines = []
    for k in range(6):
        lines.append((f"v{k}", [tuple(node[k, j]) for j in range(6)]))
        lines.append((f"h{k}", [tuple(node[i, k]) for i in range(6)]))
    lines.append(("flyover", [(-20.0, 1020.0), (1020.0, -20.0)]))  # joins nothing
    rows = []
    for i, (name, coords) in enumerate(lines):
        way = (1 if i % 3 == 0 else -1 if i % 3 == 1 else 0) if oneway else 0
        rows.append((name, [tuple(map(float, c)) for c in coords], "residential", way, NAN))
    return roads(*rows)


def _nx_graph(frame, *, directed: bool, speed: float):  # type: ignore[no-untyped-def]
    """Build a networkx graph straight from the lines: every vertex a node."""
    g = nx.DiGraph()
    for geom, way in zip(frame.geometry, frame["oneway"], strict=True):
        coords = [tuple(c) for c in np.asarray(geom.coords)]
        for p, q in itertools.pairwise(coords):
            w = math.dist(p, q) / speed
            if not directed or way >= 0:
                g.add_edge(p, q, weight=w)
            if not directed or way <= 0:
                g.add_edge(q, p, weight=w)
    return g


def _join(g: nx.DiGraph, point: tuple[float, float], name: str, speed: float, walk: float) -> None:
    """Split the point's nearest segment at its join point (brute force) and link it."""
    roads_only = [(p, q) for p, q in g.edges if isinstance(p, tuple) and isinstance(q, tuple)]
    best = min(
        (
            (shapely.distance(shapely.LineString([p, q]), shapely.Point(point)), p, q)
            for p, q in roads_only
        ),
        key=lambda t: t[0],
    )
    conn, p, q = best
    seg = shapely.LineString([p, q])
    j = seg.interpolate(seg.project(shapely.Point(point)))
    jt = (j.x, j.y)
    both = g.has_edge(q, p)
    if g.has_edge(p, q):
        g.remove_edge(p, q)
        g.add_edge(p, jt, weight=math.dist(p, jt) / speed)
        g.add_edge(jt, q, weight=math.dist(jt, q) / speed)
    if both:
        g.remove_edge(q, p)
        g.add_edge(q, jt, weight=math.dist(q, jt) / speed)
        g.add_edge(jt, p, weight=math.dist(jt, p) / speed)
    g.add_edge(name, jt, weight=conn / walk)
    g.add_edge(jt, name, weight=conn / walk)


@pytest.mark.parametrize("mode", ["walk", "drive"])
def test_candidate_costs_match_networkx(mode: str) -> None:
    rng = np.random.default_rng(7)
    frame = _grid_roads(rng, oneway=mode == "drive")
    net = build_network(frame, CRS, NetworkParams(mode=mode))
    site_xy = [tuple(v) for v in rng.uniform(0, 1000, (3, 2))]
    cand = rng.uniform(-50, 1050, (25, 2))
    sites = _sites(net, site_xy, cost="time")
    got, connector = point_costs(sites, cand[:, 0], cand[:, 1], chunk=7)
    # Most pairs are reachable (the flyover and some one-way lines aside).
    assert np.isfinite(got).mean() > 0.5
    speed = 4.8 * 1000 / 60 if mode == "walk" else 500.0
    for i, c in enumerate(cand):
        g = _nx_graph(frame, directed=mode == "drive", speed=speed)
        for j, s in enumerate(site_xy):
            _join(g, tuple(s), f"s{j}", speed, 80.0)
        _join(g, (float(c[0]), float(c[1])), "c", speed, 80.0)
        dist = nx.single_source_dijkstra_path_length(g, "c", weight="weight")
        want = [dist.get(f"s{j}", math.inf) for j in range(3)]
        assert got[i] == pytest.approx(want, rel=1e-9, abs=1e-9)
        assert connector[i] > 0
