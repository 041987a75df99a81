"""Geometry guards benchmark (issue 14): a 5,000-part site and a 5,000-vertex star site.

Each study is the bundled four sites and boundary plus one detailed site, built by
:func:`scale_inputs.multipart_study` and :func:`scale_inputs.star_study`. The case
is the whole ``siteplan report STUDY -o report.md`` process (wall clock, median of
the runs, alternating with the import floor ``python -c "import geopandas"``), and
its peak resident size (``ru_maxrss`` of the process, read by a small meter
process). Targets: at most 5x the floor, peak RSS under 1 GB. Before the footprint
preparation of :mod:`siteplan.measure._footprint` the star's first ring alone took
265 s and the multipart site was killed at 300 s.

Run by hand::

    .venv/bin/python benchmarks/scale_geometry.py            # writes results/scale_geometry.*
    .venv/bin/python benchmarks/scale_geometry.py --smoke    # small inputs, prints only

:func:`run` returns the rows (``harness.Row``) for ``benchmarks/run.py``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import scale_inputs  # noqa: E402
from harness import Row, machine, med, process_times, table, write_json  # noqa: E402

RESULTS = HERE / "results"
#: Targets of the issue: whole report within 5x the import floor, peak RSS under 1 GB.
TARGET_RATIO = 5.0
TARGET_RSS_MB = 1024.0

_METER = (
    "import resource, subprocess, sys\n"
    "done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)\n"
    "assert done.returncode == 0, done.stderr.decode()[-2000:]\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


def _cli() -> list[str]:
    script = Path(sys.executable).with_name("siteplan")
    return [str(script)] if script.exists() else [sys.executable, "-m", "siteplan"]


def peak_rss_mb(command: list[str], env: dict[str, str] | None = None) -> float:
    """Return the peak resident size (MB) of one run of ``command``."""
    done = subprocess.run(
        [sys.executable, "-c", _METER, *command],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return float(done.stdout.strip().splitlines()[-1]) / 1024.0


def run(cfg: Any = None) -> list[Row]:
    """Time both cases against the import floor; return one row per case.

    ``cfg`` may carry ``smoke`` (500 parts / vertices instead of 5,000) and ``runs``
    (timed runs, at least 5 unless smoke), like ``cases.Config``.
    """
    smoke = bool(getattr(cfg, "smoke", False))
    runs = int(getattr(cfg, "runs", 5))
    runs = runs if smoke else max(runs, 5)
    size = 500 if smoke else 5000
    tmp = Path(tempfile.mkdtemp(prefix="siteplan-bench-geometry-"))
    studies = {
        f"one MultiPolygon site of {size:,} parts + the bundled sites": (
            scale_inputs.multipart_study(tmp / "multipart", parts=size)
        ),
        f"one {size:,}-vertex star site + the bundled sites": (
            scale_inputs.star_study(tmp / "star", vertices=size)
        ),
    }
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
    floor = [sys.executable, "-c", "import geopandas"]
    jobs = [
        [*_cli(), "report", str(study), "-o", str(tmp / "report.md")] for study in studies.values()
    ]
    times = process_times([floor, *jobs], runs, env=env)
    base = med(times[0])
    floor_rss = peak_rss_mb(floor, env)
    rows = []
    for (label, _), cmd, t in zip(studies.items(), jobs, times[1:], strict=True):
        ratio = med(t) / base
        rss = peak_rss_mb(cmd, env)
        rows.append(
            Row(
                case="scale_geometry",
                what=f"siteplan report: {label}",
                time_s=med(t),
                baseline="python -c 'import geopandas'",
                baseline_s=base,
                ratio=ratio,
                target=f"<= {TARGET_RATIO:g}x, peak RSS < {TARGET_RSS_MB:,.0f} MB",
                met=ratio <= TARGET_RATIO and rss < TARGET_RSS_MB,
                memory_mb=rss,
                baseline_memory_mb=floor_rss,
                notes=f"whole process, {runs} runs alternating with the floor; memory is the "
                "process's peak RSS (not growth)",
                n=size,
            )
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    """Run the cases, print the table and (unless --smoke) write the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="500 parts/vertices, print only")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    rows = run(args)
    text = table(rows)
    print(text)
    if not args.smoke:
        meta = {
            "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "machine": machine(),
            "loadavg": Path("/proc/loadavg").read_text().split()[:3]
            if Path("/proc/loadavg").exists()
            else None,
        }
        RESULTS.mkdir(exist_ok=True)
        write_json(rows, RESULTS / "scale_geometry.json", meta)
        (RESULTS / "scale_geometry.md").write_text(
            "# Geometry guards (issue 14)\n\n"
            f"Run {meta['date']}, load average {' '.join(meta['loadavg'] or [])}.\n\n"
            + text
            + "\n",
            encoding="utf-8",
        )
        print(json.dumps({"written": str(RESULTS / "scale_geometry.md")}))
    return 0 if all(r.met for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
