"""Dead-end trees skipped by the searches: costs unchanged, against networkx.

Random networks are built to be mostly trees hanging off a small core (and a
component with no core at all), with one-way chains in drive mode, and places
anywhere, also deep inside the trees. The reference is test_network_engine's
networkx Dijkstra over the plain graph, which knows nothing of chains or trees.
"""

from __future__ import annotations

import itertools

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_network_engine import nx_costs

from siteplan.load.network import NetworkParams
from siteplan.measure.network.chains import chains_of
from siteplan.measure.network.graph import build_network
from siteplan.measure.network.paths import od_costs
from siteplan.measure.network.places import nearest_beyond, place_costs, site_costs
from siteplan.measure.network.snap import snap_places
from siteplan.measure.network.trees import pruned_for, trees_of

UTM = "EPSG:32651"


def roads(edges: list[tuple[tuple[float, float], tuple[float, float], int]]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "id": [str(k) for k in range(len(edges))],
            "highway": [None] * len(edges),
            "oneway": np.array([w for _, _, w in edges], dtype=np.int8),
            "maxspeed_kmh": np.array([30.0 + 10 * (k % 3) for k in range(len(edges))]),
        },
        geometry=[shapely.LineString([a, b]) for a, b, _ in edges],
        crs=UTM,
    )


def tree_network(seed: int, n_tree: int, n_extra: int, one_way: float) -> gpd.GeoDataFrame:
    """A 4-node core ring, trees grown off it, a few extra links and a coreless tree."""
    rng = np.random.default_rng(seed)
    xy = [(0.0, 0.0), (400.0, 0.0), (400.0, 400.0), (0.0, 400.0)]
    edges: list[tuple[tuple[float, float], tuple[float, float], int]] = []

    def way() -> int:
        return int(rng.choice([1, -1])) if rng.random() < one_way else 0

    edges += [(xy[k], xy[(k + 1) % 4], way()) for k in range(4)]
    for _ in range(n_tree):  # a new node joined to one existing node: a tree grows
        parent = xy[int(rng.integers(len(xy)))]
        child = (parent[0] + rng.uniform(-150, 150), parent[1] + rng.uniform(-150, 150))
        xy.append(child)
        edges.append((parent, child, way()))
    for _ in range(n_extra):  # links that turn some tree paths into core
        a, b = rng.choice(len(xy), 2, replace=False)
        edges.append((xy[int(a)], xy[int(b)], way()))
    base = (2000.0, 2000.0)  # a component that is only a tree (a star with a tail)
    leaves = [(base[0] + 100 * np.cos(t), base[1] + 100 * np.sin(t)) for t in (0.3, 2.0, 4.0)]
    edges += [(base, leaf, way()) for leaf in leaves]
    edges.append((leaves[0], (leaves[0][0] + 80, leaves[0][1] + 10), way()))
    edges.append(((3000.0, 0.0), (3050.0, 0.0), 0))  # two dead ends joined to each other
    return roads(edges)


def test_peeling_finds_the_trees_and_keeps_the_core() -> None:
    # A ring a-b-c-d with a leaf at every corner (one of them a bent tail of two
    # pass-through nodes); a coreless pair x-y; a star s-t,u,v.
    edges = [
        ((0, 0), (-40, -40), 0),
        ((100, 100), (140, 140), 0),
        ((0, 0), (100, 0), 0),
        ((100, 0), (100, 100), 0),
        ((100, 100), (0, 100), 0),
        ((0, 100), (0, 0), 0),
        ((0, 100), (-50, 150), 0),
        ((-50, 150), (-120, 150), 0),
        ((-120, 150), (-120, 220), 0),  # a bend is not a junction: e-f is one chain
        ((100, 0), (180, -30), 0),
        ((1000, 0), (1100, 0), 0),
        ((2000, 0), (2100, 0), 0),
        ((2000, 0), (2000, 100), 0),
        ((2000, 0), (1900, 0), 0),
    ]
    net = build_network(roads(edges), UTM, NetworkParams(mode="walk"))
    chains = chains_of(net)
    trees = trees_of(chains)
    assert chains.n_junctions == 4 + 4 + 2 + 4  # ring, its leaves, the pair, the star
    assert int(trees.in_tree.sum()) == chains.n_junctions - 4
    roots = trees.levels[0]
    assert roots.shape[0] == 2  # the pair's lower junction and the star's centre
    assert (trees.parent[roots] == -1).all()
    # Every tree junction but the roots hangs from a junction filled before it.
    seen = np.zeros(chains.n_junctions, dtype=bool)
    seen[~trees.in_tree] = True
    for level in trees.levels:
        up = trees.parent[level]
        assert seen[up[up >= 0]].all()
        seen[level] = True
    assert seen.all()
    # A search starting deep in the tail keeps its path to the ring.
    deepest = trees.levels[-1]
    pruned = pruned_for(trees, deepest[:1])
    path = deepest[0]
    while path >= 0:
        assert not pruned[path]
        path = trees.parent[path]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    n_tree=st.integers(1, 40),
    n_extra=st.integers(0, 4),
    mode=st.sampled_from(["walk", "drive"]),
    cost=st.sampled_from(["length", "time"]),
    shape=st.sampled_from([(12, 5), (5, 12)]),
)
def test_costs_with_trees_match_networkx(
    seed: int, n_tree: int, n_extra: int, mode: str, cost: str, shape: tuple[int, int]
) -> None:
    frame = tree_network(seed, n_tree, n_extra, one_way=0.3 if mode == "drive" else 0.0)
    net = build_network(frame, UTM, NetworkParams(mode=mode, snap_max_m=5000.0))
    assert trees_of(chains_of(net)).in_tree.any()
    rng = np.random.default_rng(seed + 1)
    n_o, n_d = shape
    pts = shapely.points(rng.uniform(-300, 3100, n_o + n_d), rng.uniform(-300, 2200, n_o + n_d))
    origins, destinations = snap_places(net, pts[:n_o]), snap_places(net, pts[n_o:])
    od = od_costs(net, origins, destinations, cost=cost)  # type: ignore[arg-type]
    ours = od.metres if cost == "length" else od.minutes
    ref = nx_costs(net, origins, destinations, cost)
    assert np.array_equal(np.isfinite(ours), np.isfinite(ref))
    fin = np.isfinite(ref)
    assert np.allclose(ours[fin], ref[fin], rtol=1e-9, atol=1e-6)
    # A cutoff halfway between two costs, so that no pair sits on it.
    values = np.unique(ref[fin])
    low = values[: values.shape[0] // 2 + 1]
    cutoff = float(low[-2:].mean()) if low.shape[0] > 1 else float(np.r_[values, 2.0][0]) / 2
    cut = od_costs(net, origins, destinations, cost=cost, cutoff=cutoff)  # type: ignore[arg-type]
    kept = cut.metres if cost == "length" else cut.minutes
    assert np.array_equal(np.isfinite(kept), ref <= cutoff)
    assert np.allclose(kept[ref <= cutoff], ref[ref <= cutoff], rtol=1e-9, atol=1e-6)


@pytest.mark.parametrize("mode", ["walk", "drive"])
def test_a_place_deep_in_a_tree_reaches_and_is_reached(mode: str) -> None:
    # A ring whose corners are junctions (a leaf at each), and a long two-way tail
    # off one corner with a side branch at every other vertex: a tree four chains deep.
    ring = [(0.0, 0.0), (100.0, 0.0), (100.0, 100.0), (0.0, 100.0)]
    edges = [(a, b, 0) for a, b in zip(ring, ring[1:] + ring[:1], strict=True)]
    edges += [(c, (c[0] - 30.0, c[1] - 30.0), 0) for c in ring]
    tail = [(100.0 + 50 * k, 100.0 + 30 * (k % 2)) for k in range(10)]
    edges += [(a, b, 0) for a, b in itertools.pairwise(tail)]
    edges += [(tail[k], (tail[k][0], tail[k][1] + 60.0), 0) for k in (2, 4, 6, 8)]
    net = build_network(roads(edges), UTM, NetworkParams(mode=mode))
    trees = trees_of(chains_of(net))
    assert len(trees.levels) >= 5  # the roots (none here) and four rounds of peeling
    # On the ring; deep in the tail between two tree junctions; on a side branch.
    xy = [(5, 50), (50, 95), (375, 112), (402, 150), (255, 120), (470, 100)]
    places = snap_places(net, shapely.points(xy))
    ring_only = places.take(np.arange(2))
    for o, d in ((places, ring_only), (ring_only, places), (places, places)):
        for cost in ("length", "time"):
            od = od_costs(net, o, d, cost=cost)  # type: ignore[arg-type]
            ours = od.metres if cost == "length" else od.minutes
            ref = nx_costs(net, o, d, cost)
            assert np.isfinite(ref).all()
            assert np.allclose(ours, ref, rtol=1e-9, atol=1e-6)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    n_tree=st.integers(3, 40),
    mode=st.sampled_from(["walk", "drive"]),
    cost=st.sampled_from(["length", "time"]),
)
def test_site_costs_and_nearest_sites_with_trees_match_networkx(
    seed: int, n_tree: int, mode: str, cost: str
) -> None:
    # The place -> site search (candidates, access, the page) skips trees too.
    frame = tree_network(seed, n_tree, 1, one_way=0.3 if mode == "drive" else 0.0)
    net = build_network(frame, UTM, NetworkParams(mode=mode, snap_max_m=5000.0))
    rng = np.random.default_rng(seed + 2)
    pts = shapely.points(rng.uniform(-300, 3100, 15), rng.uniform(-300, 2200, 15))
    sites, places = snap_places(net, pts[:3]), snap_places(net, pts[3:])
    ref = nx_costs(net, places, sites, cost)  # places (rows) -> sites (columns)
    joined = site_costs(net, sites, np.arange(3), 3, cost=cost)  # type: ignore[arg-type]
    got = place_costs(joined, places)
    assert np.array_equal(np.isfinite(got), np.isfinite(ref))
    fin = np.isfinite(ref)
    assert np.allclose(got[fin], ref[fin], rtol=1e-9, atol=1e-6)
    # With a limit nothing reaches, the nearest site comes from the unlimited search.
    tiny = site_costs(net, sites, np.arange(3), 3, cost=cost, limit=0.0)  # type: ignore[arg-type]
    site, best = nearest_beyond(tiny, places)
    expected = np.min(ref, axis=1)
    assert np.array_equal(np.isfinite(best), np.isfinite(expected))
    ok = np.isfinite(expected)
    assert np.allclose(best[ok], expected[ok], rtol=1e-9, atol=1e-6)
    assert (site[~ok] == -1).all()
    # The site named is one whose cost is the minimum (ties may name either).
    picked = ref[np.flatnonzero(ok), site[ok]]
    assert np.allclose(picked, expected[ok], rtol=1e-9, atol=1e-6)
