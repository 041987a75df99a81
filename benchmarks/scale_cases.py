"""The scale cases of issue 14: 1,200 sites and big geometries through the CLI.

Every case is a whole ``siteplan`` process on a study from :mod:`scale_inputs`,
timed as the median of ``--runs`` runs alternating with the import floor
(``python -c "import geopandas"``) in the same run, so the ratio holds on a
noisy machine. Peak memory is the peak resident size of a fresh process
running the command once (``RUSAGE_CHILDREN`` of a one-child meter).

- ``scale``: the table rows of the issue (targets in :data:`TARGETS`);
- ``growth``: time and peak memory from 100 to 5,000 point sites spread at a
  constant density, against the pairs within reach (``growth.png``), with the
  fitted exponent; one run per size.

The 5,000-part MultiPolygon and 5,000-vertex star cases are built and timed by
``scale_geometry.py``; :func:`case_scale_geometry` runs them as the case ``scale_geometry``.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import scale_inputs
from harness import Row, med, process_times

PYTHON = sys.executable
FLOOR = [PYTHON, "-c", "import geopandas"]
#: Growth sizes (sites) and the density they are spread at (sites per km²).
GROWTH_SIZES = (100, 300, 1_000, 2_000, 5_000)
GROWTH_DENSITY = 2.0
REACH_M = 5_000.0  # the last default ring

_METER = (
    "import resource, subprocess, sys\n"
    "done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, done.returncode)\n"
)


def _cli() -> list[str]:
    script = Path(PYTHON).with_name("siteplan")
    return [str(script)] if script.exists() else [PYTHON, "-m", "siteplan"]


def _env(tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
    return env


def peak_mb(cmd: list[str], env: dict[str, str] | None = None) -> float:
    """Run ``cmd`` once in a fresh process; return its peak resident size in MB."""
    done = subprocess.run(
        [PYTHON, "-c", _METER, *cmd], capture_output=True, text=True, env=env, check=False
    )
    kb, code = done.stdout.split()
    if int(code) != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({code})")
    return float(kb) / 1024.0


def _jobs(tmp: Path, smoke: bool) -> list[tuple[str, list[str], float | None, float | None]]:
    """Return (label, command, time target as a ratio, peak target in MB) per row."""
    cli = _cli()
    n = 120 if smoke else 1_200
    points = scale_inputs.points_study(tmp / "points", n)
    polygons = scale_inputs.polygons_study(tmp / "polygons", n)
    context = scale_inputs.context_study(tmp / "context", 2_000 if smoke else 20_000)
    out = tmp / "out"
    out.mkdir(exist_ok=True)
    within = out / "within.json"
    return [
        (
            f"{n:,} point sites over SIMZ, report -f json (every pair)",
            [*cli, "report", str(points), "-f", "json", "-o", str(out / "all.json")],
            20.0,
            1024.0,
        ),
        (
            "same, report -f json --pairs within",
            [*cli, "report", str(points), "-f", "json", "--pairs", "within", "-o", str(within)],
            10.0,
            None,
        ),
        (
            "same, report -f html",
            [*cli, "report", str(points), "-f", "html", "-o", str(out / "r.html")],
            10.0,
            None,
        ),
        (
            "same, map --offline",
            [*cli, "map", str(points), "--offline", "-o", str(out / "map.html")],
            10.0,
            None,
        ),
        (
            f"{n:,} polygon sites (20-vertex), report (markdown)",
            [*cli, "report", str(polygons), "-o", str(out / "polygons.md")],
            15.0,
            None,
        ),
        (
            "bundled study + 20,000-point context layer, report -o r.html",
            [*cli, "report", str(context), "-o", str(out / "context.html")],
            5.0,
            None,
        ),
    ]


def case_scale(cfg: Any) -> list[Row]:
    """The issue's scale rows: CLI wall time against the import floor, peak memory."""
    tmp = Path(tempfile.mkdtemp(prefix="siteplan-bench-scale-"))
    env = _env(tmp)
    jobs = _jobs(tmp, cfg.smoke)
    times = process_times([FLOOR] + [cmd for _, cmd, _, _ in jobs], cfg.runs, env=env)
    base = med(times[0])
    rows = []
    for (label, cmd, target, memory_target), t in zip(jobs, times[1:], strict=True):
        peak = peak_mb(cmd, env)
        ratio = med(t) / base
        met = ratio <= target if target is not None else None
        notes = f"whole process, {cfg.runs} runs alternating with the floor"
        if memory_target is not None:
            met = bool(met) and peak < memory_target
            notes += f"; peak RSS target < {memory_target / 1024:.0f} GB"
        output = Path(cmd[cmd.index("-o") + 1])
        notes += f"; output {output.stat().st_size / 1e6:.1f} MB"
        rows.append(
            Row(
                case="scale",
                what=label,
                time_s=med(t),
                baseline="python -c 'import geopandas'",
                baseline_s=base,
                ratio=ratio,
                target=f"<= {target:g}x" if target is not None else "(information)",
                met=met,
                memory_mb=peak,
                notes=notes + " (memory: peak resident size of the whole process)",
            )
        )
    return rows


def case_scale_geometry(cfg: Any) -> list[Row]:
    """The 5,000-part and star cases (``benchmarks/scale_geometry.py``), with their own floor."""
    import scale_geometry  # lazy: its inputs are built only when this case runs

    rows: list[Row] = scale_geometry.run(cfg)
    return rows


# --------------------------------------------------------------------------- growth


def _within_reach(study: Path) -> int:
    """Count the pairs within :data:`REACH_M` from the input coordinates (local metres)."""
    doc = json.loads((study.parent / "sites.geojson").read_text(encoding="utf-8"))
    lon, lat = np.array([f["geometry"]["coordinates"] for f in doc["features"]]).T
    x = lon * scale_inputs.M_PER_DEG_LON
    y = lat * scale_inputs.M_PER_DEG_LAT
    total = 0
    for start in range(0, len(x), 500):
        dx = x[start : start + 500, None] - x[None, :]
        dy = y[start : start + 500, None] - y[None, :]
        near = np.hypot(dx, dy) <= REACH_M
        total += int(near.sum()) - int(min(500, len(x) - start))
    return total // 2


def case_growth(cfg: Any) -> tuple[list[Row], dict[str, Any]]:
    """Time and peak memory of ``report -f json --pairs within`` from 100 to 5,000 sites."""
    tmp = Path(tempfile.mkdtemp(prefix="siteplan-bench-growth-"))
    env = _env(tmp)
    sizes = (50, 100, 200) if cfg.smoke else GROWTH_SIZES
    points = []
    subprocess.run(  # warm the bytecode cache, so the first size is not charged for it
        [*_cli(), "report", "-f", "json", "-o", str(tmp / "warm.json")],
        env=env,
        capture_output=True,
        check=True,
    )
    for n in sizes:
        study = scale_inputs.spread_points_study(tmp / f"n{n}", n, GROWTH_DENSITY)
        cmd = [*_cli(), "report", str(study), "-f", "json", "--pairs", "within"]
        cmd += ["-o", str(tmp / f"n{n}.json")]
        (t,) = process_times([cmd], 1, warmup=0, env=env)
        points.append((n, _within_reach(study), t[0], peak_mb(cmd, env)))
        print(f"[bench] growth {n} sites: {t[0]:.1f} s", file=sys.stderr, flush=True)
    pairs = np.array([p[1] for p in points], dtype=float)
    seconds = np.array([p[2] for p in points])
    memory = np.array([p[3] for p in points])
    big = pairs >= pairs.max() / 30  # fit where the fixed start-up cost no longer dominates
    exponent = float(np.polyfit(np.log(pairs[big]), np.log(seconds[big]), 1)[0])
    exponent_mem = float(np.polyfit(np.log(pairs[big]), np.log(memory[big]), 1)[0])
    rows = [
        Row(
            case="growth",
            what=f"{n:,} sites ({GROWTH_DENSITY:g}/km²), report -f json --pairs within",
            time_s=t,
            memory_mb=mb,
            notes=f"{within:,} pairs within {REACH_M:,.0f} m of {n * (n - 1) // 2:,}; one run",
            n=n,
            extra={"pairs_within": within},
        )
        for n, within, t, mb in points
    ]
    rows.append(
        Row(
            case="growth",
            what="fitted exponent: time ~ (pairs within reach)^k",
            time_s=math.nan,
            target="close to 1 (linear)",
            notes=f"k = {exponent:.2f} for time, {exponent_mem:.2f} for peak memory "
            f"(log-log fit over the sizes with >= 1/30 of the largest pair count)",
            extra={"exponent_time": exponent, "exponent_memory": exponent_mem},
        )
    )
    return rows, {"growth": points}


def plot_growth(points: list[Any], path: Path) -> None:
    """Draw time and peak memory against the pairs within reach (log-log)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    pairs = [p[1] for p in points]
    fig = Figure(figsize=(9.6, 4.2), dpi=100)
    for k, (column, label) in enumerate(((2, "time (s)"), (3, "peak RSS (MB)"))):
        ax = fig.add_subplot(1, 2, k + 1)
        ys = [p[column] for p in points]
        ax.plot(pairs, ys, marker="o")
        for n, x, y in zip([p[0] for p in points], pairs, ys, strict=True):
            ax.annotate(
                f"{n:,} sites", (x, y), fontsize=7, xytext=(4, -10), textcoords="offset points"
            )
        ax.plot([pairs[0], pairs[-1]], [ys[-1] * pairs[0] / pairs[-1], ys[-1]], ":", color="grey")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("pairs within reach (5,000 m)")
        ax.set_ylabel(label)
        ax.grid(True, which="both", alpha=0.3)
    fig.suptitle(
        "siteplan report -f json --pairs within: growth with the pairs within reach "
        "(dotted: linear)",
        fontsize=10,
    )
    fig.tight_layout()
    fig.savefig(path, format="png", metadata={"Software": None})


SCALE_CASES = {"scale": case_scale, "scale_geometry": case_scale_geometry, "growth": case_growth}
