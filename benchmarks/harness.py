"""Timing, memory metering, tables and plots for siteplan's benchmark suite.

Times are medians of at least five runs after a warm-up run. A case and its
baseline are run alternately (case, baseline, case, baseline, ...) so that both
see the same load on a shared, noisy machine; what the suite reports is their
ratio. Peak memory is measured in a fresh child process: a small "meter"
process runs the child, which imports and sets up its inputs, resets its
resident high-water mark (Linux ``/proc/self/clear_refs``), prints its resident
size (its baseline) and runs the workload once; the meter then reads
``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss``, the child's peak. The
growth is the peak minus the baseline.
"""

from __future__ import annotations

import gc
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

RUN_PY = Path(__file__).with_name("run.py")
PYTHON = sys.executable


@dataclass
class Row:
    """One line of the results table."""

    case: str
    what: str
    time_s: float
    baseline: str = ""
    baseline_s: float = math.nan
    ratio: float = math.nan
    target: str = ""
    met: bool | None = None
    memory_mb: float = math.nan
    baseline_memory_mb: float = math.nan
    notes: str = ""
    n: int | None = None
    m: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def median_times(
    funcs: Sequence[Callable[[], object]], runs: int, *, warmup: int = 1
) -> list[list[float]]:
    """Time several callables alternately; return each one's list of run times.

    Every callable is called ``warmup`` times first (not timed). Then the
    callables are called in turn, ``runs`` rounds, so that slow phases of a
    shared machine hit all of them alike.
    """
    for func in funcs:
        for _ in range(warmup):
            func()
    times: list[list[float]] = [[] for _ in funcs]
    for _ in range(runs):
        for k, func in enumerate(funcs):
            t0 = time.perf_counter()
            func()
            times[k].append(time.perf_counter() - t0)
    return times


def med(values: Sequence[float]) -> float:
    """Return the median."""
    return float(statistics.median(values))


def process_times(
    commands: Sequence[Sequence[str]],
    runs: int,
    *,
    warmup: int = 1,
    env: dict[str, str] | None = None,
) -> list[list[float]]:
    """Time whole processes (wall clock, start to exit) alternately.

    Each command must exit 0; its output is discarded.
    """

    def runner(cmd: Sequence[str]) -> Callable[[], object]:
        def run() -> None:
            done = subprocess.run(
                list(cmd), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False
            )
            if done.returncode != 0:
                raise RuntimeError(
                    f"{' '.join(cmd)} failed ({done.returncode}): {done.stderr.decode()[-2000:]}"
                )

        return run

    return median_times([runner(c) for c in commands], runs, warmup=warmup)


# --------------------------------------------------------------------------------------
# memory


def memory_growth_mb(workload: str, params: dict[str, Any]) -> tuple[float, float]:
    """Run a workload in a fresh child; return (peak growth, baseline) in MB.

    The child is started by a meter process so that ``RUSAGE_CHILDREN`` holds
    this one child only.
    """
    spec = json.dumps({"workload": workload, "params": params})
    done = subprocess.run(
        [PYTHON, str(RUN_PY), "--meter", spec],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"memory run of {workload} failed: {done.stderr[-3000:]}")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    base_kb = float(report["baseline_kb"])
    peak_kb = float(report["peak_kb"])
    return (peak_kb - base_kb) / 1024.0, base_kb / 1024.0


def meter(spec: str) -> None:
    """Run the child for ``spec``; print its baseline and peak resident size (kB)."""
    done = subprocess.run(
        [PYTHON, str(RUN_PY), "--child", spec], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(done.returncode)
    baseline = json.loads(done.stdout.strip().splitlines()[-1])["baseline_kb"]
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps({"baseline_kb": baseline, "peak_kb": peak}))


def _reset_peak() -> int:
    """Reset the resident high-water mark (Linux); return the baseline to subtract, in kB.

    Writing 5 to ``/proc/self/clear_refs`` sets the peak to the current resident
    size, so that memory used while building the inputs (and since freed) does
    not hide the workload's own peak. Elsewhere the baseline is the peak so far.
    """
    try:
        Path("/proc/self/clear_refs").write_text("5")
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def child(spec: str, workloads: dict[str, Callable[..., Callable[[], object]]]) -> None:
    """Set up a workload, print the resident high-water mark, run it once."""
    parsed = json.loads(spec)
    run = workloads[parsed["workload"]](**parsed["params"])
    gc.collect()
    baseline = _reset_peak()
    sys.stdout.write(json.dumps({"baseline_kb": baseline}) + "\n")
    sys.stdout.flush()
    run()


# --------------------------------------------------------------------------------------
# output


def fmt_time(seconds: float) -> str:
    """Format a duration for people."""
    if math.isnan(seconds):
        return ""
    if seconds >= 10:
        return f"{seconds:.1f} s"
    if seconds >= 1:
        return f"{seconds:.2f} s"
    return f"{seconds * 1000:.1f} ms" if seconds >= 0.001 else f"{seconds * 1e6:.0f} µs"


def fmt_num(value: float, digits: int = 2) -> str:
    """Format a number, blank for NaN."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return f"{value:.{digits}f}"


def table(rows: Sequence[Row]) -> str:
    """Render the results as a markdown table."""
    head = (
        "| case | what | time (median) | baseline | baseline time | ratio | target | met "
        "| peak memory growth | notes |\n"
        "|---|---|---:|---|---:|---:|---|---|---:|---|\n"
    )
    lines = []
    for r in rows:
        met = "" if r.met is None else ("yes" if r.met else "**no**")
        mem = ""
        if not math.isnan(r.memory_mb):
            mem = f"{r.memory_mb:.0f} MB"
            if not math.isnan(r.baseline_memory_mb):
                mem += f" (baseline method: {r.baseline_memory_mb:.0f} MB)"
        lines.append(
            f"| {r.case} | {r.what} | {fmt_time(r.time_s)} | {r.baseline} "
            f"| {fmt_time(r.baseline_s)} | {fmt_num(r.ratio)} | {r.target} | {met} | {mem} "
            f"| {r.notes} |"
        )
    return head + "\n".join(lines) + "\n"


def write_json(rows: Sequence[Row], path: Path, meta: dict[str, Any]) -> None:
    """Write every row (with the run's metadata) as JSON."""

    def clean(value: Any) -> Any:
        if isinstance(value, float) and math.isnan(value):
            return None
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [clean(v) for v in value]
        return value

    payload = {"meta": meta, "rows": [clean(asdict(r)) for r in rows]}
    path.write_text(json.dumps(payload, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def machine() -> dict[str, Any]:
    """Describe the machine the suite ran on."""
    import platform

    import numpy
    import shapely

    load = os.getloadavg() if hasattr(os, "getloadavg") else (math.nan,) * 3
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "numpy": numpy.__version__,
        "shapely": shapely.__version__,
        "geos": shapely.geos_version_string,
        "load_average_at_start": [round(v, 2) for v in load],
    }


def plot_series(
    path: Path,
    series: dict[str, tuple[Sequence[float], Sequence[float]]],
    *,
    xlabel: str,
    title: str,
    ylabel: str = "time (median, s)",
    anchor: str = "first",
) -> None:
    """Draw time against size on log-log axes, with a dotted linear guide per series.

    The guide goes through the series' first point (``anchor="first"``) or its last.
    """
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.4, 4.4), dpi=100)
    ax = fig.add_subplot()
    for label, (xs, ys) in series.items():
        if not xs:
            continue
        (line,) = ax.plot(xs, ys, marker="o", label=label)
        k = 0 if anchor == "first" else -1
        x0, y0 = xs[k], ys[k]
        ax.plot(
            [xs[0], xs[-1]],
            [y0 * xs[0] / x0, y0 * xs[-1] / x0],
            linestyle=":",
            color=line.get_color(),
            linewidth=1,
        )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8, title="dotted: linear growth", title_fontsize=8)
    fig.tight_layout()
    fig.savefig(path, format="png", metadata={"Software": None})
