"""Big-input benchmark: memory of loading huge layers, time of a 500-site report.

Run from the checkout (nothing needs the network)::

    .venv/bin/python benchmarks/big_input.py            # full sizes, writes the results file
    .venv/bin/python benchmarks/big_input.py --quick    # small sizes, prints only

What it measures:

1. ``siteplan validate`` of a site layer of 100,000 point features, and of a
   ~50 MB GeoJSON layer of polygon footprints, each in a fresh subprocess: wall
   time and peak resident memory (``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss``),
   next to the peak of a subprocess that only imports siteplan.
2. ``siteplan.analyze`` + ``render_report(result, "json")`` of a study with 500
   sites (124,750 pairs), with a cProfile breakdown of where the time goes.

The results are printed and, without ``--quick``, written to
``benchmarks/results/big_input.md``.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import math
import platform
import pstats
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "big_input.md"

# Around the Shanghai International Medical Zone (about 121.61 E, 31.10 N).
LON0, LAT0 = 121.61, 31.10
M_PER_DEG_LAT = 110_900.0
M_PER_DEG_LON = 111_320.0 * math.cos(math.radians(LAT0))

KINDS = ("hospital", "lab", "park", "office", "clinic")


def _props(i: int, rng: random.Random) -> dict[str, Any]:
    return {
        "id": f"s{i:06d}",
        "name": f"Site {i}",
        "name_zh": f"地块{i}",
        "kind": rng.choice(KINDS),
        "accuracy_m": 50,
        "placement": "surveyed",
        "source": "synthetic benchmark feature",
    }


def point_layer(n: int, seed: int = 1, spread_m: float = 20_000.0) -> dict[str, Any]:
    """Return a FeatureCollection of ``n`` points scattered over ``spread_m`` metres."""
    rng = random.Random(seed)
    features = []
    for i in range(n):
        lon = LON0 + rng.uniform(-0.5, 0.5) * spread_m / M_PER_DEG_LON
        lat = LAT0 + rng.uniform(-0.5, 0.5) * spread_m / M_PER_DEG_LAT
        features.append(
            {
                "type": "Feature",
                "properties": _props(i, rng),
                "geometry": {"type": "Point", "coordinates": [round(lon, 7), round(lat, 7)]},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _square(lon: float, lat: float, half_m: float, vertices: int) -> list[list[float]]:
    """Return a closed ring of ``vertices`` points on a circle (a regular polygon)."""
    ring = []
    for k in range(vertices):
        a = 2 * math.pi * k / vertices
        ring.append(
            [
                round(lon + half_m * math.cos(a) / M_PER_DEG_LON, 7),
                round(lat + half_m * math.sin(a) / M_PER_DEG_LAT, 7),
            ]
        )
    ring.append(ring[0])
    return ring


def polygon_layer(
    n: int, seed: int = 2, spread_m: float = 20_000.0, vertices: int = 16, half_m: float = 40.0
) -> dict[str, Any]:
    """Return a FeatureCollection of ``n`` small non-overlapping-ish polygon footprints."""
    rng = random.Random(seed)
    features = []
    for i in range(n):
        lon = LON0 + rng.uniform(-0.5, 0.5) * spread_m / M_PER_DEG_LON
        lat = LAT0 + rng.uniform(-0.5, 0.5) * spread_m / M_PER_DEG_LAT
        features.append(
            {
                "type": "Feature",
                "properties": _props(i, rng),
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [_square(lon, lat, half_m, vertices)],
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def write_json(doc: dict[str, Any], path: Path) -> Path:
    """Write ``doc`` as compact UTF-8 JSON and return the path."""
    path.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return path


def polygon_layer_of_size(path: Path, target_mb: float) -> int:
    """Write a polygon layer of about ``target_mb`` MB to ``path``; return its feature count."""
    probe = json.dumps(polygon_layer(200), ensure_ascii=False, separators=(",", ":"))
    n = max(1, int(target_mb * 1e6 / (len(probe.encode()) / 200)))
    write_json(polygon_layer(n), path)
    return n


_CHILD = """
import resource, sys, time
from pathlib import Path
t0 = time.perf_counter()
from siteplan.load.validate import validate_paths  # imports geopandas, pyogrio, pyproj
t1 = time.perf_counter()
if len(sys.argv) > 1:
    v = validate_paths([Path(sys.argv[1])])
    n = sum(len(layer.frame) for data in v.studies for layer in data.layers)
else:
    n = 0
t2 = time.perf_counter()
print(n, t1 - t0, t2 - t1)
"""


def measure_validate(path: Path | None) -> dict[str, float]:
    """Validate ``path`` (or only import siteplan) in a fresh subprocess.

    Returns the feature count, the import and validate wall times (s) and the
    subprocess's peak resident memory (MB) from ``RUSAGE_CHILDREN``, which only
    counts children that have ended (each measurement runs in its own wrapper
    process so that earlier children do not mask later ones).
    """
    wrapper = (
        "import resource, subprocess, sys\n"
        "out = subprocess.run(sys.argv[1:], capture_output=True, text=True, check=True)\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "print(out.stdout.strip(), peak)\n"
    )
    args = [sys.executable, "-c", _CHILD] + ([str(path)] if path is not None else [])
    out = subprocess.run(
        [sys.executable, "-c", wrapper, *args], capture_output=True, text=True, check=True
    )
    n, t_import, t_validate, peak_kb = out.stdout.split()
    return {
        "features": int(n),
        "import_s": float(t_import),
        "validate_s": float(t_validate),
        "peak_mb": int(peak_kb) / 1024.0,  # ru_maxrss is in KiB on Linux
    }


def site_study(folder: Path, n: int, seed: int = 3) -> Path:
    """Write a study of ``n`` sites (half polygons, half points) and return its TOML."""
    rng = random.Random(seed)
    polys = polygon_layer(n // 2, seed=seed, spread_m=15_000.0, vertices=8, half_m=60.0)
    points = point_layer(n - n // 2, seed=seed + 1, spread_m=15_000.0)
    for k, feature in enumerate(points["features"]):
        feature["properties"]["id"] = f"p{k:05d}"
        feature["properties"]["weight"] = rng.choice([1, 1, 2])
    write_json(polys, folder / "footprints.geojson")
    write_json(points, folder / "points.geojson")
    study = folder / "study.toml"
    study.write_text(
        'name = "benchmark"\n\n'
        '[[layers]]\npath = "footprints.geojson"\n\n'
        '[[layers]]\npath = "points.geojson"\n',
        encoding="utf-8",
    )
    return study


def time_report(study: Path, repeat: int = 1) -> dict[str, Any]:
    """Time ``analyze`` and the JSON report of ``study``; profile each once."""
    from siteplan import analyze
    from siteplan.render.report import render_report

    best_analyze = best_render = math.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = analyze(study)
        t1 = time.perf_counter()
        text = render_report(result, "json")
        t2 = time.perf_counter()
        best_analyze = min(best_analyze, t1 - t0)
        best_render = min(best_render, t2 - t1)
    return {
        "sites": len(result.sites),
        "pairs": len(result.pairs),
        "analyze_s": best_analyze,
        "render_s": best_render,
        "report_mb": len(text.encode()) / 1e6,
        "analyze_profile": _profile(analyze, study),
        "render_profile": _profile(render_report, result, "json"),
    }


def _profile(func: Any, *args: Any) -> str:
    """Return the top of a cProfile of ``func(*args)``, by cumulative time."""
    profiler = cProfile.Profile()
    profiler.enable()
    func(*args)
    profiler.disable()
    buffer = io.StringIO()
    pstats.Stats(profiler, stream=buffer).sort_stats("cumulative").print_stats(18)
    return _trim_profile(buffer.getvalue())


def _trim_profile(text: str) -> str:
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
    kept = "\n".join(line.rstrip() for line in lines[start:] if line.strip())
    # Shorten file paths: the checkout's and the interpreter's prefixes.
    for prefix in sorted(
        {str(HERE.parent) + "/", *(p + "/" for p in sys.path if p)}, key=len, reverse=True
    ):
        kept = kept.replace(prefix, "")
    return kept


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes; do not write results")
    args = parser.parse_args(argv)
    n_points, target_mb, n_sites = (5_000, 2.0, 60) if args.quick else (100_000, 50.0, 500)

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        baseline = measure_validate(None)
        rows.append(("import siteplan.load.validate only", "-", 0, baseline))
        points = write_json(point_layer(n_points), folder / "points.geojson")
        rows.append(
            (
                f"{n_points:,} point sites",
                f"{points.stat().st_size / 1e6:.1f} MB",
                n_points,
                measure_validate(points),
            )
        )
        polys = folder / "footprints.geojson"
        n_polys = polygon_layer_of_size(polys, target_mb)
        rows.append(
            (
                f"{n_polys:,} polygon sites (16 vertices)",
                f"{polys.stat().st_size / 1e6:.1f} MB",
                n_polys,
                measure_validate(polys),
            )
        )
        study_dir = folder / "study"
        study_dir.mkdir()
        report = time_report(site_study(study_dir, n_sites))

    lines = [
        "# Big input benchmark",
        "",
        f"Produced by `python benchmarks/big_input.py` on {platform.platform()}, "
        f"Python {platform.python_version()}, {_cpu()}.",
        "",
        "## Loading and validating big layers (`siteplan validate LAYER`)",
        "",
        "Each row runs in a fresh subprocess; peak RSS is "
        "`resource.getrusage(RUSAGE_CHILDREN).ru_maxrss` of that subprocess.",
        "",
        "| input | file size | features | validate (s) | peak RSS (MB) | above import (MB) |",
        "|---|---|---|---|---|---|",
    ]
    for label, size, _n, m in rows:
        lines.append(
            f"| {label} | {size} | {m['features']:,} | {m['validate_s']:.2f} | "
            f"{m['peak_mb']:.0f} | {m['peak_mb'] - baseline['peak_mb']:.0f} |"
        )
    lines += [
        "",
        f"## A study of {report['sites']} sites: `analyze` + JSON report",
        "",
        f"- sites: {report['sites']}, pairs: {report['pairs']:,}",
        f"- `siteplan.analyze`: {report['analyze_s']:.1f} s",
        f"- `render_report(result, 'json')`: {report['render_s']:.1f} s "
        f"({report['report_mb']:.1f} MB of JSON)",
        "",
        "Where the time goes (cProfile, cumulative; profiling slows each run down):",
        "",
        "`analyze`:",
        "",
        "```",
        report["analyze_profile"],
        "```",
        "",
        "`render_report(result, 'json')`:",
        "",
        "```",
        report["render_profile"],
        "```",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if not args.quick:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(text, encoding="utf-8")
        print(f"written to {RESULTS}", file=sys.stderr)
    return 0


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


if __name__ == "__main__":
    raise SystemExit(main())
