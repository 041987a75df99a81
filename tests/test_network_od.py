"""od_costs with a cutoff and in both search directions, against networkx on Helsinki.

The reference is test_network_engine's networkx Dijkstra over the plain graph (every vertex a
node, partial segments worked out independently); the cutoff applies to the whole trip,
connectors included, so a pair is kept exactly when the reference cost is within it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import shapely
from test_network_engine import helsinki_pbf, nx_costs

from siteplan.load.network import NetworkParams, NetworkSpec, read_network
from siteplan.load.projection import utm_crs_for
from siteplan.measure.network.graph import build_network
from siteplan.measure.network.paths import od_costs
from siteplan.measure.network.snap import snap_places


@pytest.fixture(scope="module")
def helsinki() -> tuple[Any, Any]:
    frame = read_network(NetworkSpec(helsinki_pbf())).frame
    lon, lat = (float(v) for v in frame.geometry.union_all().centroid.coords[0])
    crs = utm_crs_for(lon, lat)
    return frame, crs


@pytest.mark.parametrize(
    ("mode", "cost", "cutoff"),
    [("walk", "length", 1500.0), ("walk", "time", 15.0), ("drive", "time", 3.0)],
)
@pytest.mark.parametrize("shape", [(30, 8), (8, 30)], ids=["from-destinations", "from-origins"])
def test_cutoff_keeps_exactly_the_pairs_within_it(
    helsinki: tuple[Any, Any], mode: str, cost: str, cutoff: float, shape: tuple[int, int]
) -> None:
    frame, crs = helsinki
    net = build_network(frame, crs, NetworkParams(mode=mode))
    rng = np.random.default_rng(11)
    minx, miny, maxx, maxy = frame.to_crs(crs).total_bounds
    n_o, n_d = shape
    pts = shapely.points(rng.uniform(minx, maxx, n_o + n_d), rng.uniform(miny, maxy, n_o + n_d))
    origins, destinations = snap_places(net, pts[:n_o]), snap_places(net, pts[n_o:])
    od = od_costs(net, origins, destinations, cost=cost, cutoff=cutoff)  # type: ignore[arg-type]
    full = od_costs(net, origins, destinations, cost=cost)  # type: ignore[arg-type]
    ours = od.metres if cost == "length" else od.minutes
    ref = nx_costs(net, origins, destinations, cost)
    within = ref <= cutoff
    assert 0 < within.sum() < np.isfinite(ref).sum()  # the cutoff bites, and keeps some
    assert np.array_equal(np.isfinite(ours), within)
    assert np.allclose(ours[within], ref[within], rtol=1e-9, atol=1e-6)
    # The other unit is read along the same paths: as without the cutoff, inf beyond it.
    for unit in ("metres", "minutes"):
        cut, whole = getattr(od, unit), getattr(full, unit)
        assert np.array_equal(np.isfinite(cut), within)
        assert np.allclose(cut[within], whole[within], rtol=1e-12, atol=1e-9)
    assert od.metres.flags.c_contiguous
    assert od.minutes.flags.c_contiguous
    if mode == "walk":  # one speed: minutes are metres at 4.8 km/h, connectors included
        fin = np.isfinite(od.metres)
        assert np.allclose(od.minutes[fin], od.metres[fin] / 80.0, rtol=1e-12)
