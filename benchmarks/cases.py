"""The benchmark cases: inputs, workloads and what each case compares.

Inputs are built here, seeded, so every run measures the same work:

- the SIMZ grid: the bundled study's four site footprints in UTM 51N,
  segmentized to about 20 vertices each, and a 600 x 600 grid of 10 m cells
  (360,000 cell centres) centred on them;
- random layouts: M star-shaped 20-vertex polygons (radius 50-250 m) and N
  candidate points, uniform over a 40 km x 40 km square.

A workload is a function of JSON-able parameters that builds its inputs and
returns a callable that does the work once; the memory meter runs workloads in
child processes by name (:data:`WORKLOADS`).
"""

from __future__ import annotations

import math
import os
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from harness import Row, fmt_time, med, median_times, memory_growth_mb, process_times
from network_candidates import WORKLOADS as NETWORK_WORKLOADS
from network_candidates import case_network

EXTENT_M = 40_000.0
SEED = 20240607


@dataclass(frozen=True)
class Config:
    """Sizes and repetitions of one run of the suite."""

    smoke: bool
    runs: int
    out: Path

    def size(self, full: Any, smoke: Any) -> Any:
        """Pick the full or the smoke size."""
        return smoke if self.smoke else full


# --------------------------------------------------------------------------------------
# inputs


def simz_sites(vertices: int = 20) -> np.ndarray:
    """The bundled study's site footprints (metric CRS), segmentized to ~``vertices``."""
    from siteplan.analysis import analyze

    result = analyze()
    polys = np.asarray(result.sites_m.geometry.array, dtype=object)
    return np.asarray(
        [shapely.segmentize(p, p.length / (vertices - 0.5)) for p in polys], dtype=object
    )


def simz_grid(polys: np.ndarray, side: int = 600, cell: float = 10.0) -> tuple[np.ndarray, ...]:
    """Cell centres of a ``side`` x ``side`` grid of ``cell`` metres centred on the sites."""
    minx, miny, maxx, maxy = shapely.total_bounds(polys)
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    half = side * cell / 2
    xs = cx - half + cell / 2 + cell * np.arange(side)
    ys = cy - half + cell / 2 + cell * np.arange(side)
    gx, gy = np.meshgrid(xs, ys)
    return gx.ravel(), gy.ravel()


def random_sites(m: int, seed: int = SEED, vertices: int = 20) -> np.ndarray:
    """``m`` star-shaped polygons of ``vertices`` vertices over the 40 km square."""
    rng = np.random.default_rng(seed)
    centres = rng.uniform(0, EXTENT_M, size=(m, 2))
    radius = rng.uniform(50, 250, size=(m, 1))
    angles = np.sort(rng.uniform(0, 2 * math.pi, size=(m, vertices)), axis=1)
    r = radius * rng.uniform(0.6, 1.0, size=(m, vertices))
    xs = centres[:, :1] + r * np.cos(angles)
    ys = centres[:, 1:] + r * np.sin(angles)
    rings = np.stack([xs, ys], axis=2)
    return np.asarray(shapely.polygons(rings), dtype=object)


def random_points(n: int, seed: int = SEED + 1) -> tuple[np.ndarray, np.ndarray]:
    """``n`` uniform points over the 40 km square."""
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, EXTENT_M, size=(n, 2))
    return np.ascontiguousarray(xy[:, 0]), np.ascontiguousarray(xy[:, 1])


def decay_for(cutoff: float | None) -> Any:
    """A linear decay reaching 0 at ``cutoff``, or an exponential one (no cutoff)."""
    from siteplan.score.decay import make_decay

    if cutoff is None:
        return make_decay("exponential", half_m=1000.0)
    return make_decay("linear", max_m=float(cutoff))


def count_pairs(targets: Any, x: np.ndarray, y: np.ndarray, cutoff: float | None) -> int:
    """Count the (candidate, site) pairs within ``cutoff`` (all pairs without one)."""
    from siteplan.measure._kernel import reach_pairs

    if cutoff is None:
        return len(x) * len(targets)
    total = 0
    order = np.argsort(y, kind="stable")
    for start in range(0, len(x), 100_000):
        sel = order[start : start + 100_000]
        for _j, idx, _d in reach_pairs(targets, x[sel], y[sel], cutoff):
            total += len(idx)
    return total


# --------------------------------------------------------------------------------------
# workloads (also run by name in child processes for memory)


def w_surface(
    n: int, m: int, cutoff: float | None, chunk: int, layout: str = "random"
) -> Callable[[], object]:
    """The in-memory engine: score N candidates against M sites, no breakdown kept."""
    from siteplan.candidates.engines import score_surface
    from siteplan.measure._kernel import prepare_targets

    if layout == "simz":
        polys = simz_sites()
        x, y = simz_grid(polys)
    else:
        polys = random_sites(m)
        x, y = random_points(n)
    targets = prepare_targets(polys)
    weights = np.ones(len(polys))
    decay = decay_for(cutoff)

    def run() -> object:
        return score_surface(x, y, targets, weights, decay, chunk_size=chunk, keep_breakdown=False)

    return run


def w_kernel_simz() -> Callable[[], object]:
    """Exact (N, 4) distances on the SIMZ grid with siteplan's kernel."""
    from siteplan.measure._kernel import distance_matrix, prepare_targets

    polys = simz_sites()
    x, y = simz_grid(polys)

    def run() -> object:
        return distance_matrix(prepare_targets(polys), x, y)

    return run


def w_shapely_simz() -> Callable[[], object]:
    """Exact (N, 4) distances on the SIMZ grid with shapely 2 broadcasting."""
    polys = simz_sites()
    x, y = simz_grid(polys)
    points = shapely.points(x, y)

    def run() -> object:
        return shapely.distance(points[:, None], polys[None, :])

    return run


def w_dwithin(n: int, m: int, cutoff: float) -> Callable[[], object]:
    """The obvious shapely 2 way for a cutoff: STRtree dwithin, then distances of the pairs."""
    polys = random_sites(m)
    x, y = random_points(n)
    points = shapely.points(x, y)

    def run() -> object:
        tree = shapely.STRtree(polys)
        p, s = tree.query(points, predicate="dwithin", distance=cutoff)
        return shapely.distance(points[p], polys[s])

    return run


WORKLOADS: dict[str, Callable[..., Callable[[], object]]] = {
    "surface": w_surface,
    "kernel_simz": w_kernel_simz,
    "shapely_simz": w_shapely_simz,
    "dwithin": w_dwithin,
    **NETWORK_WORKLOADS,
}


# --------------------------------------------------------------------------------------
# cases


def _cli() -> list[str]:
    script = Path(sys.executable).with_name("siteplan")
    return [str(script)] if script.exists() else [sys.executable, "-m", "siteplan"]


def case_latency(cfg: Config) -> list[Row]:
    """Whole-process wall time of the main jobs against ``python -c "import geopandas"``."""
    floor = [sys.executable, "-c", "import geopandas"]
    tmp = Path(tempfile.mkdtemp(prefix="siteplan-bench-"))
    cli = _cli()
    jobs: list[tuple[str, list[str], float | None]] = [
        ("siteplan report -f json", [*cli, "report", "-f", "json"], 1.3),
        ("siteplan report (markdown)", [*cli, "report", "-f", "markdown"], 1.3),
        (
            "siteplan map --offline -o map.html",
            [*cli, "map", "--offline", "-o", str(tmp / "map.html")],
            1.5,
        ),
        (
            "siteplan candidates --cell 10",
            [*cli, "candidates", "--cell", "10", "-o", str(tmp / "c.json")],
            2.0,
        ),
        ("python -c 'import siteplan.cli'", [sys.executable, "-c", "import siteplan.cli"], None),
    ]
    if cfg.smoke:
        jobs = jobs[:1]
    runs = max(cfg.runs, 9) if not cfg.smoke else cfg.runs
    # As installed, Python caches bytecode; a machine with PYTHONDONTWRITEBYTECODE set
    # would compile siteplan's modules at every start (the floor's are precompiled by
    # pip). Every timed process caches bytecode in a private folder instead.
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
    commands = [floor] + [cmd for _, cmd, _ in jobs]
    times = process_times(commands, runs, env=env)
    base = med(times[0])
    rows = []
    for (label, _cmd, target), t in zip(jobs, times[1:], strict=True):
        ratio = med(t) / base
        rows.append(
            Row(
                case="latency",
                what=label,
                time_s=med(t),
                baseline="python -c 'import geopandas'",
                baseline_s=base,
                ratio=ratio,
                target=f"<= {target}x" if target else "(information)",
                met=None if target is None else ratio <= target,
                notes=f"whole process, {runs} runs alternating with the floor; bytecode cached",
            )
        )
    return rows


def case_kernel(cfg: Config) -> list[Row]:
    """360k SIMZ grid cells x 4 sites: siteplan's kernel vs shapely broadcasting vs naive loop."""
    import geopandas as gpd

    from siteplan.measure._kernel import distance_matrix, prepare_targets

    polys = simz_sites()
    side = cfg.size(600, 60)
    x, y = simz_grid(polys, side=side)
    n = len(x)
    points = shapely.points(x, y)

    def engine() -> object:
        return distance_matrix(prepare_targets(polys), x, y)

    def broadcast() -> object:
        return shapely.distance(points[:, None], polys[None, :])

    # correctness: every distance within 1 mm of shapely.distance
    ours = np.asarray(engine())
    ref = np.asarray(broadcast())
    err = float(np.abs(ours - ref).max())
    assert err <= 1e-3, f"kernel differs from shapely.distance by {err} m"
    sites = gpd.GeoSeries(polys)
    k = cfg.size(2000, 200)
    sample = np.random.default_rng(SEED).choice(n, size=k, replace=False)
    sx, sy = x[sample], y[sample]

    def naive() -> object:
        out = np.empty((k, len(polys)))
        for i in range(k):
            out[i] = sites.distance(shapely.Point(sx[i], sy[i])).to_numpy()
        return out

    naive_d = np.asarray(naive())
    naive_err = float(np.abs(naive_d - ours[sample]).max())
    assert naive_err <= 1e-3, f"kernel differs from GeoSeries.distance by {naive_err} m"
    # all three alternate, so that the ratios compare the same moments of a noisy machine
    t_engine, t_broad, t_naive = median_times([engine, broadcast, naive], cfg.runs)
    naive_full = med(t_naive) * n / k

    mem_engine = mem_broad = math.nan
    if not cfg.smoke:
        mem_engine, _ = memory_growth_mb("kernel_simz", {})
        mem_broad, _ = memory_growth_mb("shapely_simz", {})
    what = f"exact distances, {n:,} cells x 4 sites (~20 vertices)"
    return [
        Row(
            case="kernel",
            what=what,
            time_s=med(t_engine),
            baseline="shapely.distance(points[:, None], polys[None, :])",
            baseline_s=med(t_broad),
            ratio=med(t_broad) / med(t_engine),
            target=">= 4x faster",
            met=med(t_broad) / med(t_engine) >= 4,
            memory_mb=mem_engine,
            baseline_memory_mb=mem_broad,
            notes=f"max difference from shapely.distance {err:.1e} m (asserted <= 1 mm)",
            n=n,
            m=4,
            extra={"max_error_m": err},
        ),
        Row(
            case="kernel",
            what=what,
            time_s=med(t_engine),
            baseline="naive loop: GeoSeries.distance(Point) per candidate",
            baseline_s=naive_full,
            ratio=naive_full / med(t_engine),
            target=">= 100x faster",
            met=naive_full / med(t_engine) >= 100,
            notes=f"naive loop timed on {k:,} random cells and extrapolated linearly "
            f"(x{n / k:.0f}); max difference {naive_err:.1e} m",
            n=n,
            m=4,
        ),
    ]


def case_nearest(cfg: Config) -> list[Row]:
    """Nearest site: STRtree.query_nearest vs brute force (all distances, argmin)."""
    from siteplan.measure._kernel import nearest_targets, prepare_targets

    n, m = cfg.size((100_000, 1000), (5_000, 100))
    polys = random_sites(m)
    x, y = random_points(n)
    targets = prepare_targets(polys)

    def engine() -> object:
        return nearest_targets(targets, x, y)

    k = cfg.size(5_000, 500)
    points = shapely.points(x[:k], y[:k])

    def brute() -> object:
        out = np.empty(k, dtype=np.intp)
        dist = np.empty(k)
        for s in range(0, k, 500):
            d = shapely.distance(points[s : s + 500, None], polys[None, :])
            out[s : s + 500] = d.argmin(axis=1)
            dist[s : s + 500] = d.min(axis=1)
        return out, dist

    j, d = engine()  # type: ignore[misc]
    bj, bd = brute()  # type: ignore[misc]
    assert np.array_equal(np.asarray(j)[:k], bj), "nearest sites differ from brute force"
    assert np.abs(np.asarray(d)[:k] - bd).max() <= 1e-3
    t_engine, t_brute = median_times([engine, brute], cfg.runs)
    brute_full = med(t_brute) * n / k
    ratio = brute_full / med(t_engine)
    return [
        Row(
            case="nearest",
            what=f"nearest site, {n:,} candidates x {m:,} polygons",
            time_s=med(t_engine),
            baseline="brute force: shapely.distance to every site, argmin",
            baseline_s=brute_full,
            ratio=ratio,
            target=">= 30x faster",
            met=ratio >= 30,
            notes=f"brute force timed on {k:,} candidates and extrapolated linearly "
            f"(x{n / k:.0f}); same nearest site for all of them",
            n=n,
            m=m,
        )
    ]


def case_big(cfg: Config) -> list[Row]:
    """1e6 candidates x 1000 sites, 5 km cutoff: time, pairs/s, memory with chunking."""
    n, m = cfg.size((1_000_000, 1000), (20_000, 100))
    cutoff = 5000.0
    chunk = cfg.size(100_000, 5_000)
    engine = w_surface(n, m, cutoff, chunk)
    from siteplan.measure._kernel import prepare_targets

    x, y = random_points(n)
    pairs = count_pairs(prepare_targets(random_sites(m)), x, y, cutoff)
    k = cfg.size(100_000, 2_000)
    baseline = w_dwithin(k, m, cutoff)
    runs = cfg.runs
    t_engine, t_base = median_times([engine, baseline], runs)
    base_full = med(t_base) * n / k
    mem, _ = memory_growth_mb("surface", {"n": n, "m": m, "cutoff": cutoff, "chunk": chunk})
    mem_unchunked, _ = memory_growth_mb("surface", {"n": n, "m": m, "cutoff": cutoff, "chunk": n})
    limit = 500.0
    te = med(t_engine)
    return [
        Row(
            case="big",
            what=f"{n:,} candidates x {m:,} polygons, 5 km cutoff, chunks of {chunk:,}",
            time_s=te,
            baseline="STRtree.query(dwithin 5 km) + shapely.distance on the pairs",
            baseline_s=base_full,
            ratio=base_full / te,
            target="peak memory growth < 500 MB",
            met=mem < limit if not cfg.smoke else None,
            memory_mb=mem,
            notes=f"{pairs:,} pairs within reach, {pairs / te:,.0f} pairs/s; unchunked "
            f"(one chunk) memory growth {mem_unchunked:,.0f} MB; baseline timed on "
            f"{k:,} candidates, extrapolated x{n / k:.0f}",
            n=n,
            m=m,
            extra={"pairs": pairs, "pairs_per_s": pairs / te, "unchunked_mb": mem_unchunked},
        )
    ]


def case_cutoff(cfg: Config) -> tuple[list[Row], dict[str, Any]]:
    """Cost follows the pairs within reach: time against the cutoff."""
    from siteplan.measure._kernel import prepare_targets, reach_pairs

    n, m = cfg.size((20_000, 1000), (2_000, 100))
    cutoffs: list[float | None] = [250.0, 500.0, 1000.0, 2000.0, 5000.0, 10000.0, None]
    x, y = random_points(n)
    targets = prepare_targets(random_sites(m))
    order = np.argsort(y, kind="stable")
    xs, ys = x[order], y[order]

    def distance_pass(cutoff: float | None) -> Callable[[], object]:
        def run() -> object:
            for _ in reach_pairs(targets, xs, ys, cutoff):
                pass
            return None

        return run

    engines = [w_surface(n, m, c, 100_000) for c in cutoffs]
    passes = [distance_pass(c) for c in cutoffs]
    times = median_times([f for pair in zip(engines, passes, strict=True) for f in pair], cfg.runs)
    t_engine = [med(t) for t in times[0::2]]
    t_pass = [med(t) for t in times[1::2]]
    rows = []
    points: list[tuple[float, float, float, float]] = []
    for c, te, tp in zip(cutoffs, t_engine, t_pass, strict=True):
        pairs = count_pairs(targets, x, y, c)
        points.append((c or math.inf, pairs, te, tp))
        rows.append(
            Row(
                case="cutoff",
                what=f"{n:,} x {m:,}, cutoff {'none' if c is None else f'{c:g} m'}",
                time_s=te,
                baseline="no cutoff (every pair)",
                baseline_s=t_engine[-1],
                ratio=te / t_engine[-1],
                notes=f"{pairs:,} pairs within reach ({pairs / (n * m):.2%} of all); the pruned "
                f"distance pass alone {fmt_time(tp)} ({tp / max(pairs, 1) * 1e9:.0f} ns per "
                "pair); the rest is the nearest site (STRtree.query_nearest) of candidates "
                "with no site within reach, and the decay",
                n=n,
                m=m,
                extra={"cutoff": c, "pairs": pairs, "distance_pass_s": tp},
            )
        )
    return rows, {"cutoff": points}


def _scaling(
    cfg: Config, sizes: list[tuple[int, int]], cutoff: float | None, label: str
) -> tuple[list[Row], list[float], list[float]]:
    funcs = [w_surface(n, m, cutoff, 100_000) for n, m in sizes]
    times = [med(t) for t in median_times(funcs, cfg.runs)]
    rows = []
    for (n, m), t in zip(sizes, times, strict=True):
        rows.append(
            Row(
                case="scaling",
                what=f"{label}: N={n:,}, M={m:,}",
                time_s=t,
                baseline=f"N={sizes[0][0]:,}, M={sizes[0][1]:,}",
                baseline_s=times[0],
                ratio=t / times[0],
                notes=f"size x{(n * m) / (sizes[0][0] * sizes[0][1]):g}",
                n=n,
                m=m,
            )
        )
    return rows, [float(n * m) for n, m in sizes], times


def case_scaling(cfg: Config) -> tuple[list[Row], dict[str, Any]]:
    """Time against N (candidates) and against M (sites), with and without a cutoff."""
    ns = cfg.size([10_000, 30_000, 100_000, 300_000, 1_000_000], [1_000, 3_000, 10_000])
    ns_all = cfg.size([10_000, 30_000, 100_000, 300_000], [1_000, 3_000, 10_000])
    ms = cfg.size([10, 30, 100, 300, 1000], [10, 30, 100])
    ms_all = cfg.size([10, 30, 100, 300], [10, 30, 100])
    m_fixed = cfg.size(100, 30)
    n_fixed = cfg.size(100_000, 5_000)
    rows: list[Row] = []
    plots: dict[str, Any] = {"n": {}, "m": {}}
    for label, sizes, cutoff, key in (
        ("vs N, 5 km cutoff", [(n, m_fixed) for n in ns], 5000.0, "n"),
        ("vs N, no cutoff", [(n, m_fixed) for n in ns_all], None, "n"),
        ("vs M, 5 km cutoff", [(n_fixed, m) for m in ms], 5000.0, "m"),
        ("vs M, no cutoff", [(n_fixed, m) for m in ms_all], None, "m"),
    ):
        r, _, times = _scaling(cfg, sizes, cutoff, label)
        rows += r
        xs = [float(s[0] if key == "n" else s[1]) for s in sizes]
        plots[key][label] = (xs, times)
    return rows, plots


def case_approx(cfg: Config) -> list[Row]:
    """The opt-in approximations on the SIMZ grid: time against exact, and their error."""
    from siteplan.candidates._approx import approx_surface
    from siteplan.candidates.engines import score_surface
    from siteplan.measure._kernel import prepare_targets
    from siteplan.score.decay import make_decay

    side = cfg.size(600, 60)
    rows = []
    for vertices, decay_name, decay in (
        (20, "rings 500-5000", make_decay("rings")),
        (20, "exponential 1 km", decay_for(None)),
        (200, "exponential 1 km", decay_for(None)),
    ):
        polys = simz_sites(vertices)
        x, y = simz_grid(polys, side=side)
        targets = prepare_targets(polys)
        weights = np.ones(len(polys))

        def exact(
            decay: Any = decay, targets: Any = targets, x: Any = x, y: Any = y, w: Any = weights
        ) -> Any:
            return score_surface(x, y, targets, w, decay, keep_breakdown=True)

        ref = exact()
        for method in ("raster", "coarse"):
            step = 10.0 if method == "raster" else 40.0

            def approx(
                decay: Any = decay,
                method: str = method,
                step: float = step,
                targets: Any = targets,
                x: Any = x,
                y: Any = y,
                w: Any = weights,
            ) -> Any:
                return approx_surface(
                    x, y, targets, w, decay, method=method, step_m=step, keep_breakdown=True
                )

            out = approx()
            err = out.error
            t_exact, t_approx = median_times([exact, approx], cfg.runs)
            d_err = np.abs(out.scores.score - ref.score)
            rows.append(
                Row(
                    case="approx",
                    what=f"--approx {method} ({step:g} m), {len(x):,} cells x 4 sites of "
                    f"~{vertices} vertices, {decay_name}",
                    time_s=med(t_approx),
                    baseline="exact engine (same scores, same run)",
                    baseline_s=med(t_exact),
                    ratio=med(t_exact) / med(t_approx),
                    notes=f"score error over every cell: max {d_err.max():.3g}, p99 "
                    f"{np.quantile(d_err, 0.99):.3g} points; distance error (sample of "
                    f"{err['sample']:,}): max {err['max_error_m']:.3g} m, p99 "
                    f"{err['p99_error_m']:.3g} m",
                    n=len(x),
                    m=4,
                    extra={
                        **err,
                        "vertices": vertices,
                        "score_error_max_all": float(d_err.max()),
                        "score_error_p99_all": float(np.quantile(d_err, 0.99)),
                    },
                )
            )
    return rows


def case_dask(cfg: Config) -> list[Row]:
    """The dask engine on a LocalCluster of 1 and 2 worker processes vs the in-memory engine.

    The engine partitions the candidates with dask-geopandas (Hilbert-sorted
    partitions of at most 100,000, scattered to the workers) and scores each
    partition with the in-memory engine there.
    """
    from siteplan.candidates._dask import dask_client, default_partition_size, score_surface_dask
    from siteplan.candidates.engines import score_surface
    from siteplan.measure._kernel import prepare_targets

    n, m = cfg.size((1_000_000, 300), (20_000, 30))
    cutoff = 5000.0
    x, y = random_points(n)
    targets = prepare_targets(random_sites(m))
    weights = np.ones(m)
    decay = decay_for(cutoff)

    def memory() -> Any:
        return score_surface(x, y, targets, weights, decay, keep_breakdown=False)

    ref = memory()
    rows = []
    t_mem_all: list[float] = []
    for workers in (1, 2):
        import time

        t0 = time.perf_counter()
        with dask_client(None, workers=workers) as client:
            startup = time.perf_counter() - t0

            def dask_run(client: Any = client) -> Any:
                return score_surface_dask(
                    x, y, targets, weights, decay, keep_breakdown=False, client=client
                )

            out = dask_run()
            same = (
                np.array_equal(out.score, ref.score)
                and np.array_equal(out.nearest, ref.nearest)
                and np.array_equal(out.nearest_m, ref.nearest_m)
            )
            assert same, "the dask engine's results differ from the in-memory engine's"
            t_mem, t_dask = median_times([memory, dask_run], cfg.runs)
            parts = math.ceil(n / default_partition_size(n, workers))
        t_mem_all += t_mem
        rows.append(
            Row(
                case="dask",
                what=f"--engine dask, LocalCluster {workers} worker process"
                f"{'es' if workers > 1 else ''}, {n:,} x {m:,}, 5 km cutoff",
                time_s=med(t_dask),
                baseline="in-memory engine (one process)",
                baseline_s=med(t_mem),
                ratio=med(t_mem) / med(t_dask),
                notes=f"dask-geopandas, {parts} Hilbert partitions; results identical (scores, "
                f"nearest, distances: array_equal); cluster start {startup:.1f} s not included",
                n=n,
                m=m,
                extra={"workers": workers, "startup_s": startup, "partitions": parts},
            )
        )
    return rows


def case_access(cfg: Config) -> list[Row]:
    """Accessibility indices against PySAL access, MCLP against spopt (access_bench.py)."""
    from access_bench import access_rows

    return access_rows(smoke=cfg.smoke, runs=cfg.runs)


CASES: dict[str, Callable[[Config], Any]] = {
    "latency": case_latency,
    "kernel": case_kernel,
    "nearest": case_nearest,
    "big": case_big,
    "cutoff": case_cutoff,
    "scaling": case_scaling,
    "approx": case_approx,
    "dask": case_dask,
    "access": case_access,
    "network": case_network,
}
