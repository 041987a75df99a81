"""Benchmark candidate scoring along the road network (issue 12).

Two cases, run by ``benchmarks/run.py --only network`` (results of one run kept in
``results/network_candidates.md`` and ``.json``):

- ``siteplan candidates --measure time --mode walk`` on the bundled study's 50 m grid
  (the schematic SIMZ roads), whole process, against the import floor
  ``python -c "import geopandas"``; target <= 3x.
- 1e6 candidates x 100 sites on a synthetic street grid (streets every 250 m over
  50 km x 50 km, 40,401 junctions; candidates on a 50 m lattice; 100 random point
  sites), walking time, the rings decay's cutoff at 30 minutes (``limit=`` of the
  searches): peak resident-memory growth of a fresh child process running the sites'
  searches and the scoring once, in chunks of 100,000 candidates; target < 1 GB.
"""

from __future__ import annotations

import math
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from harness import Row, med, memory_growth_mb, process_times

SEED = 20240607


def grid_roads(side_m: float, spacing_m: float) -> Any:
    """Return a street grid as a roads frame: lines share their crossing vertices."""
    import geopandas as gpd

    ticks = np.arange(0.0, side_m + spacing_m / 2, spacing_m)
    lines = [shapely.LineString(np.column_stack([ticks, np.full_like(ticks, v)])) for v in ticks]
    lines += [shapely.LineString(np.column_stack([np.full_like(ticks, v), ticks])) for v in ticks]
    n = len(lines)
    return gpd.GeoDataFrame(
        {
            "id": [f"r{i}" for i in range(n)],
            "highway": ["residential"] * n,
            "oneway": np.zeros(n, dtype=np.int8),
            "maxspeed_kmh": np.full(n, np.nan),
        },
        geometry=lines,
        crs="EPSG:32651",
    )


def w_network_big(n: int, m: int, chunk: int = 100_000) -> Callable[[], object]:
    """Set up the synthetic street grid and candidates; return the scoring run."""
    from siteplan.candidates._network import score_network_surface
    from siteplan.load.network import NetworkParams
    from siteplan.measure.network.graph import build_network
    from siteplan.measure.network.places import site_costs
    from siteplan.measure.network.snap import snap_places
    from siteplan.score.decay import make_decay

    side = math.isqrt(n)
    extent = side * 50.0
    network = build_network(grid_roads(extent, 250.0), "EPSG:32651", NetworkParams())
    ticks = (np.arange(side) + 0.5) * 50.0
    gx, gy = np.meshgrid(ticks, ticks)
    x, y = gx.ravel(), gy.ravel()
    rng = np.random.default_rng(SEED)
    sites_xy = rng.uniform(0, extent, (m, 2))
    decay = make_decay("rings", rings_m=[5.0, 10.0, 15.0, 30.0])  # minutes

    def run() -> object:
        places = snap_places(network, shapely.points(sites_xy))
        sites = site_costs(network, places, np.arange(m), m, cost="time", limit=decay.cutoff_m)
        return score_network_surface(
            x, y, sites, np.ones(m), decay, chunk_size=chunk, keep_breakdown=False
        )

    return run


WORKLOADS: dict[str, Callable[..., Callable[[], object]]] = {"network_big": w_network_big}


def _cli() -> list[str]:
    script = Path(sys.executable).with_name("siteplan")
    return [str(script)] if script.exists() else [sys.executable, "-m", "siteplan"]


def case_network(cfg: Any) -> list[Row]:
    """Network-time candidates: the bundled grid against the import floor; 1e6 x 100 memory."""
    tmp = Path(tempfile.mkdtemp(prefix="siteplan-bench-net-"))
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
    env["SITEPLAN_CACHE_DIR"] = str(tmp / "cache")
    floor = [sys.executable, "-c", "import geopandas"]
    job = [*_cli(), "candidates", "--measure", "time", "--mode", "walk", "-o", str(tmp / "c.json")]
    runs = max(cfg.runs, 9) if not cfg.smoke else cfg.runs
    times = process_times([floor, job], runs, env=env)
    base, took = med(times[0]), med(times[1])
    rows = [
        Row(
            case="network",
            what="siteplan candidates --measure time --mode walk (bundled 50 m grid)",
            time_s=took,
            baseline="python -c 'import geopandas'",
            baseline_s=base,
            ratio=took / base,
            target="<= 3x",
            met=took / base <= 3.0,
            notes=f"whole process, {runs} runs alternating with the floor; graph cache warm "
            "after the warm-up run; bytecode cached",
        )
    ]
    n, m = cfg.size((1_000_000, 100), (10_000, 10))
    started = time.perf_counter()
    w_network_big(n, m)()
    once = time.perf_counter() - started
    mem, _ = memory_growth_mb("network_big", {"n": n, "m": m})
    rows.append(
        Row(
            case="network",
            what=f"{n:,} candidates x {m} sites, synthetic street grid, walking time, "
            "30 min cutoff, chunks of 100,000",
            time_s=once,
            target="peak memory growth < 1 GB",
            met=mem < 1024.0 if not cfg.smoke else None,
            memory_mb=mem,
            notes="one run (set-up of the grid network included in the time, not in the "
            "memory); memory in a fresh child process: the sites' searches and the scoring",
            n=n,
            m=m,
        )
    )
    return rows
