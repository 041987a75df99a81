"""The fast isochrone bands cover the same ground as the slow reference method.

The reference below is the method the bands were first drawn with (kept here, slow,
on purpose): every segment is cut into its piece reached through each end (two
overlapping pieces when a segment is reached from both ends), each piece is buffered
on its own, and each ring's area is the union of all of them. Its reach is worked
out from networkx's Dijkstra over the same arcs, not from siteplan's search.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

import siteplan
from siteplan.load.network import NetworkParams
from siteplan.measure.network.graph import Network, build_network
from siteplan.measure.network.isochrones import isochrone_bands, wgs84_bands
from siteplan.measure.network.snap import Snapped, snap_places
from tests.test_network_engine import grid_roads

UTM = "EPSG:32651"
RINGS = [5.0, 10.0, 15.0, 30.0]


def _costs_to_site(network: Network, site: Snapped) -> np.ndarray:
    """Each node's walking time to the site, by networkx (reversed arcs)."""
    nx = pytest.importorskip("networkx")
    graph = nx.DiGraph()
    tail, head, weight, _ = network.arcs("time")
    for a, b, w in zip(tail.tolist(), head.tolist(), weight.tolist(), strict=True):
        if not graph.has_edge(b, a) or graph[b][a]["w"] > w:
            graph.add_edge(b, a, w=w)
    s, t = int(site.segment[0]), float(site.fraction[0])
    w = float(network.seg_cost("time")[s])
    if network.seg_forward[s]:
        graph.add_edge("site", int(network.seg_u[s]), w=t * w)
    if network.seg_backward[s]:
        graph.add_edge("site", int(network.seg_v[s]), w=(1.0 - t) * w)
    found = nx.single_source_dijkstra_path_length(graph, "site", weight="w")
    return np.asarray([found.get(n, np.inf) for n in range(network.n_nodes)])


def reference_areas(network: Network, site: Snapped, rings: list[float]) -> list[float]:
    """Return each ring's reached area (m²) by the slow reference method."""
    dist = _costs_to_site(network, site)
    w = network.seg_cost("time")
    connector = float(site.connector_m[0]) / network.walk_m_per_min
    s, t = int(site.segment[0]), float(site.fraction[0])
    out = []
    for ring in rings:
        budget = ring - connector
        pieces = []
        for k in range(network.n_segments):
            a, b = network.node_xy[network.seg_u[k]], network.node_xy[network.seg_v[k]]
            spans = []
            if network.seg_backward[k]:  # left through u: [0, reach]
                spans.append((0.0, (budget - dist[network.seg_u[k]]) / w[k]))
            if network.seg_forward[k]:  # left through v: [1 - reach, 1]
                spans.append((1.0 - (budget - dist[network.seg_v[k]]) / w[k], 1.0))
            if k == s:
                span = budget / w[k]
                spans += [(t - span, t)] if network.seg_forward[k] else []
                spans += [(t, t + span)] if network.seg_backward[k] else []
            for first, last in spans:
                lo, hi = max(first, 0.0), min(last, 1.0)
                if hi > lo:
                    pieces.append(shapely.LineString([a + lo * (b - a), a + hi * (b - a)]))
        buffered = [p.buffer(50.0, quad_segs=4) for p in pieces]
        out.append(shapely.union_all(buffered).area if buffered else 0.0)
    return out


def _check(network: Network, places: Snapped) -> None:
    for k in range(len(places)):
        site = places.take([k])
        bands = isochrone_bands(network, site, RINGS)
        got = np.cumsum(shapely.area(np.asarray(bands.geometry.array)))
        want = np.asarray(reference_areas(network, site, RINGS))
        assert want[-1] > 0
        assert got == pytest.approx(want, rel=1e-3)
        fixed = wgs84_bands(list(bands.geometry.array), network.crs)
        assert shapely.is_valid(fixed).all()
        assert set(shapely.get_type_id(fixed[~shapely.is_empty(fixed)])) <= {3, 6}


def test_bands_match_the_reference_on_the_bundled_study() -> None:
    result = siteplan.analyze(measure="time")
    assert result.network is not None
    _check(result.network.network, result.network.places)


def test_bands_match_the_reference_on_a_street_grid() -> None:
    # 20 x 20 junctions every 100 m (760 segments), a few streets missing.
    network = build_network(grid_roads(20, 100.0, [5, 40, 41, 300]), UTM, NetworkParams())
    rng = np.random.default_rng(7)
    places = snap_places(network, shapely.points(rng.uniform(0, 1900, (3, 2))))
    _check(network, places)


def test_bands_match_the_reference_with_one_way_streets(tmp_path: Path) -> None:
    # drive mode: the one-way tags count, so segments are reached from one end only
    roads = grid_roads(12, 100.0, [])
    roads["oneway"] = np.where(np.arange(len(roads)) % 3 == 0, 1, 0).astype(np.int8)
    network = build_network(gpd.GeoDataFrame(roads), UTM, NetworkParams(mode="drive"))
    places = snap_places(network, shapely.points([[550.0, 520.0], [130.0, 980.0]]))
    for k in range(len(places)):
        site = places.take([k])
        bands = isochrone_bands(network, site, [0.5, 1.0, 2.0])
        got = np.cumsum(shapely.area(np.asarray(bands.geometry.array)))
        want = np.asarray(reference_areas(network, site, [0.5, 1.0, 2.0]))
        assert got == pytest.approx(want, rel=1e-3)
