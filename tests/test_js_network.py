"""Reference values for the page's road network code (tests/js/network.test.js).

Two graphs built by siteplan (a hand-drawn river with a one-way bridge, and a
jittered grid with random one-way roads, speeds and an unjoined crossing), driven,
searched by length and by time. For random points and small squares:

- where they join (segment, position, connector), from shapely's nearest points;
- the travel from each joined place to every other, from **networkx** on the same
  segments (split at the join points), connectors walked: metres and minutes
  along the path cheapest in the searched unit, null when it cannot be travelled;
- click costs to the squares from the node costs Python embeds
  (:func:`siteplan.measure.network.places.node_costs`, cut off at a limit), again
  from networkx.

tests/test_js.py runs the node tests. Regenerate the fixture with::

    PYTHONPATH=src python tests/test_js_network.py
"""

from __future__ import annotations

import itertools
import json
import math
import sys
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import shapely

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from test_js import _close  # noqa: E402

from siteplan.load.network import NetworkParams  # noqa: E402
from siteplan.maps.network_data import encode_costs, encode_graph  # noqa: E402
from siteplan.measure.network.graph import Network, build_network  # noqa: E402
from siteplan.measure.network.isochrones import _reached_pieces, node_costs_to  # noqa: E402
from siteplan.measure.network.places import node_costs, site_costs  # noqa: E402
from siteplan.measure.network.snap import snap_places  # noqa: E402

FIXTURE = HERE / "js" / "network_reference.json"
CRS = "EPSG:32651"
ORIGIN = np.array([1000.0, 500.0])


def _roads(lines: list[tuple[list[tuple[float, float]], int, float]]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "id": [f"r{k}" for k in range(len(lines))],
            "highway": ["residential"] * len(lines),
            "oneway": np.asarray([o for _, o, _ in lines], dtype=np.int8),
            "maxspeed_kmh": [s for _, _, s in lines],
        },
        geometry=[shapely.LineString(c) for c, _, _ in lines],
        crs=CRS,
    )


def river() -> Network:
    nan = math.nan
    return build_network(
        _roads(
            [
                ([(0, 100), (400, 100), (800, 100), (1010, 100)], 0, nan),
                ([(0, -100), (800, -100), (1000, -100)], 0, 50.0),
                ([(800, 100), (800, -100)], 1, nan),  # one way, north to south
                # one way against its drawing, slanted (no equal-length detours: no ties)
                ([(1010, 100), (1000, -100)], -1, 20.0),
                ([(400, 100), (400, 300)], 0, nan),
            ]
        ),
        CRS,
        NetworkParams(mode="drive"),
    )


def grid(seed: int = 3) -> Network:
    rng = np.random.default_rng(seed)
    n, step = 7, 150.0
    xy = np.stack(np.meshgrid(np.arange(n) * step, np.arange(n) * step), axis=-1)
    xy = xy + rng.uniform(-30, 30, xy.shape)
    lines = []
    for i in range(n):
        for j in range(n):
            for di, dj in ((0, 1), (1, 0)):
                if i + di < n and j + dj < n and rng.random() > 0.1:
                    a, b = xy[i, j], xy[i + di, j + dj]
                    oneway = int(rng.choice([0, 0, 0, 1, -1]))
                    lines.append(([tuple(a), tuple(b)], oneway, float(rng.uniform(15, 70))))
    # a flyover that crosses the grid without joining it, and a far island
    lines.append(([(-50.0, 480.0), (960.0, 520.0)], 0, 80.0))
    lines.append(([(2000.0, 2000.0), (2100.0, 2000.0)], 0, 30.0))
    return build_network(_roads(lines), CRS, NetworkParams(mode="drive"))


def _places(net: Network, seed: int) -> list[shapely.Geometry]:
    rng = np.random.default_rng(seed)
    x0, y0 = net.node_xy.min(axis=0) - 350
    x1, y1 = net.node_xy.max(axis=0) + 350
    points = list(shapely.points(rng.uniform(x0, x1, 18), rng.uniform(y0, y1, 18)))
    squares = [
        shapely.box(x - h, y - h, x + h, y + h)
        for x, y, h in zip(
            rng.uniform(x0 + 300, x1 - 300, 6),
            rng.uniform(y0 + 300, y1 - 300, 6),
            rng.uniform(10, 60, 6),
            strict=True,
        )
    ]
    return points + squares


def _networkx(net: Network, places: list[shapely.Geometry], cost: str) -> dict[str, Any]:
    """Place-to-place travel with networkx, independent of siteplan's searches."""
    segs = net.segments
    minutes = net.seg_length / (net.seg_kmh * 1000 / 60)
    metres = net.seg_length
    primary, secondary = (metres, minutes) if cost == "length" else (minutes, metres)
    walk = net.params.walk_kmh * 1000 / 60
    joins: dict[int, list[tuple[float, str]]] = {}
    connector = []
    for k, place in enumerate(places):
        d = shapely.distance(place, segs)
        s = int(np.argmin(d))  # the lowest segment of the nearest
        if d[s] > net.params.snap_max_m:
            connector.append(math.inf)
            continue
        on = shapely.get_coordinates(shapely.shortest_line(place, segs[s]))[1]
        a, b = net.node_xy[net.seg_u[s]], net.node_xy[net.seg_v[s]]
        t = float(np.clip(np.dot(on - a, b - a) / np.dot(b - a, b - a), 0, 1))
        joins.setdefault(s, []).append((t, f"p{k}"))
        connector.append(float(d[s]))
    graph = nx.DiGraph()
    for s in range(net.n_segments):
        chain = [(0.0, int(net.seg_u[s])), *sorted(joins.get(s, [])), (1.0, int(net.seg_v[s]))]
        for (t0, n0), (t1, n1) in itertools.pairwise(chain):
            w, w2 = (t1 - t0) * primary[s], (t1 - t0) * secondary[s]
            for tail, head, ok in ((n0, n1, net.seg_forward[s]), (n1, n0, net.seg_backward[s])):
                if ok and (not graph.has_edge(tail, head) or graph[tail][head]["w"] > w):
                    graph.add_edge(tail, head, w=w, w2=w2)
    trips: list[list[Any]] = []
    for p in range(len(places)):
        row: list[Any] = []
        dist, paths = (
            nx.single_source_dijkstra(graph, f"p{p}", weight="w")
            if math.isfinite(connector[p])
            else ({}, {})
        )
        for q in range(len(places)):
            key = f"p{q}"
            if p == q or key not in dist or not math.isfinite(connector[q]):
                row.append(None)
                continue
            path = paths[key]
            other = sum(graph[u][v]["w2"] for u, v in itertools.pairwise(path))
            conn = connector[p] + connector[q]
            metres, mins = (
                (dist[key] + conn, other + conn / walk)
                if cost == "length"
                else (other + conn, dist[key] + conn / walk)
            )
            row.append({"metres": metres, "minutes": mins})
        trips.append(row)
    return {"trips": trips, "connector": connector, "graph": graph, "walk": walk}


def _clicks(net: Network, places: list[shapely.Geometry], cost: str, ref: dict[str, Any]) -> Any:
    """Click costs from the points to the squares: node costs as embedded, and networkx."""
    squares = [k for k, p in enumerate(places) if p.geom_type == "Polygon"]
    points = [k for k, p in enumerate(places) if p.geom_type == "Point"]
    joined = snap_places(net, [places[k] for k in squares])
    unit_cost = "time" if cost == "time" else "length"
    per_node = node_costs(
        site_costs(net, joined, np.arange(len(squares)), len(squares), cost=unit_cost)
    )
    finite = per_node[np.isfinite(per_node)]
    limit = float(np.median(finite)) if finite.size else None
    limited = site_costs(
        net, joined, np.arange(len(squares)), len(squares), cost=unit_cost, limit=limit
    )
    unit = "minutes" if cost == "time" else "metres"
    want = []
    for p in points:
        row = []
        for s in squares:
            trip = ref["trips"][p][s]
            value = None if trip is None else trip[unit]
            row.append(None if value is None or (limit is not None and value > limit) else value)
        want.append(row)
    return {
        "costs": encode_costs(limited),
        "points": [list(shapely.get_coordinates(places[p])[0] - ORIGIN) for p in points],
        "expected": want,
    }


#: Rings of the reached-pieces reference, by cost (drive: 15 to 80 km/h).
REACH_RINGS = {"length": [60.0, 400.0, 900.0], "time": [0.05, 0.5, 1.2]}


def _reach(net: Network, places: list[shapely.Geometry], cost: str) -> list[dict[str, Any]]:
    """Each place's reached length per ring, from siteplan's isochrone pieces.

    ``reached_m`` sums the pieces (overlaps twice, as the page's ``reached_m``),
    ``merged_m`` is the length of their union (what the page's bands draw, up to
    that ring).

    The places are the fixture's and, 3 m beside them, the middles of a few one-way
    segments of each direction (where the search must enter the place from one node).
    """
    one_way = [
        s
        for ok in (net.seg_forward & ~net.seg_backward, net.seg_backward & ~net.seg_forward)
        for s in np.flatnonzero(ok)[:3]
    ]
    middles = [
        shapely.Point((net.node_xy[net.seg_u[s]] + net.node_xy[net.seg_v[s]]) / 2 + [0.0, 3.0])
        for s in one_way
    ]
    snapped = snap_places(net, [*places, *middles])
    w = net.seg_cost("time" if cost == "time" else "length")
    rings = REACH_RINGS[cost]
    out = []
    for k, place in enumerate([*places, *middles]):
        site = snapped.take([k])
        if not site.reachable[0]:
            continue
        connector = float(site.connector_m[0])
        if cost == "time":
            connector /= net.walk_m_per_min
        dist = node_costs_to(net, site, cost="time" if cost == "time" else "length")
        reached, merged = [], []
        for ring in rings:
            budget = ring - connector
            pieces = _reached_pieces(net, site, dist, budget, w) if budget >= 0 else []
            reached.append(float(shapely.length(np.asarray(pieces, dtype=object)).sum()))
            # the streets reached, overlaps counted once (GEOS's union of the pieces)
            merged.append(float(shapely.length(shapely.union_all(pieces, grid_size=1e-6))))
        xy = shapely.get_coordinates(place.exterior if place.geom_type == "Polygon" else place)
        out.append(
            {
                "place": {
                    "rings": [np.round(xy - ORIGIN, 9).ravel().tolist()],
                    "polygonal": place.geom_type == "Polygon",
                },
                "one_way": k >= len(places),
                "rings": rings,
                "reached_m": reached,
                "merged_m": merged,
            }
        )
    return out


def build_reference() -> dict[str, Any]:
    """Return the graphs, places and networkx's answers the node tests compare with."""
    out: dict[str, Any] = {"about": "Generated by tests/test_js_network.py.", "cases": []}
    for name, net, seed in (("river", river(), 1), ("grid", grid(), 2)):
        places = _places(net, seed)
        snapped = snap_places(net, places)
        for cost in ("length", "time"):
            ref = _networkx(net, places, cost)
            out["cases"].append(
                {
                    "name": f"{name} by {cost}",
                    "graph": encode_graph(net, ORIGIN, "time" if cost == "time" else "length"),
                    "places": [
                        {
                            "rings": [
                                np.round(
                                    shapely.get_coordinates(
                                        p.exterior if p.geom_type == "Polygon" else p
                                    )
                                    - ORIGIN,
                                    9,
                                )
                                .ravel()
                                .tolist()
                            ],
                            "polygonal": p.geom_type == "Polygon",
                        }
                        for p in places
                    ],
                    "snapped": [
                        {
                            "seg": int(snapped.segment[k]),
                            "t": float(snapped.fraction[k]),
                            "connector": float(snapped.connector_m[k]),
                        }
                        if snapped.reachable[k]
                        else None
                        for k in range(len(places))
                    ],
                    "trips": ref["trips"],
                    "clicks": _clicks(net, places, cost, ref),
                    "reach": _reach(net, places, cost),
                }
            )
    return out


def test_network_fixture_is_current() -> None:
    stored = json.loads(FIXTURE.read_text(encoding="utf-8"))
    _close(json.loads(json.dumps(build_reference())), stored)


def test_the_fixture_exercises_one_way_roads_and_unreachable_places() -> None:
    stored = json.loads(FIXTURE.read_text(encoding="utf-8"))
    for case in stored["cases"]:
        assert any(s is None for s in case["snapped"]), case["name"]  # beyond snap_max_m
        joined = [k for k, s in enumerate(case["snapped"]) if s is not None]
        trips = case["trips"]
        pairs = [(p, q) for p in joined for q in joined if p < q]
        # some trips differ by direction (one-way roads)
        assert any(
            trips[p][q] and trips[q][p] and abs(trips[p][q]["metres"] - trips[q][p]["metres"]) > 1
            for p, q in pairs
        ), case["name"]
        assert any(row is None for c in case["clicks"]["expected"] for row in c)
        # reached pieces: places on one-way segments, rings cut short by the connector
        assert sum(r["one_way"] for r in case["reach"]) >= 2, case["name"]
        assert any(r["reached_m"][0] == 0 < r["reached_m"][1] for r in case["reach"])


if __name__ == "__main__":
    FIXTURE.write_text(json.dumps(build_reference(), indent=1, sort_keys=True) + "\n")
    print(f"wrote {FIXTURE}")
