"""Run siteplan's benchmark suite and write its table and plots.

Usage (from the repository root)::

    make bench                                  # the full suite, ~15 minutes
    .venv/bin/python benchmarks/run.py          # the same without reinstalling
    .venv/bin/python benchmarks/run.py --smoke  # tiny sizes, a minute (CI)
    .venv/bin/python benchmarks/run.py --only kernel --only latency

Every case is timed as the median of at least five runs after a warm-up and is
reported as a ratio against a baseline measured in the same run (the two are
run alternately). Peak memory is measured in fresh child processes. The full
run writes ``results.md``, ``results.json`` and the plots ``scaling_n.png``,
``scaling_m.png`` and ``cutoff.png`` to ``benchmarks/results/``; ``--smoke``
writes to a temporary folder unless ``--out`` is given. See
``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import Row, child, machine, meter, plot_series, table, write_json

RESULTS = Path(__file__).resolve().parent / "results"


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run the chosen cases, write the results."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes (for CI)")
    parser.add_argument(
        "--only",
        action="append",
        metavar="NAME",
        help="run only this case (repeatable): latency, kernel, nearest, big, cutoff, "
        "scaling, approx, dask, access, network, scale, scale_geometry, growth",
    )
    parser.add_argument("--runs", type=int, default=5, help="timed runs per case (>= 5)")
    parser.add_argument("--out", type=Path, help="results folder")
    parser.add_argument("--meter", help=argparse.SUPPRESS)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.meter:
        meter(args.meter)
        return 0
    from cases import CASES as BASE_CASES
    from cases import WORKLOADS, Config
    from scale_cases import SCALE_CASES

    cases = {**BASE_CASES, **SCALE_CASES}

    if args.child:
        child(args.child, WORKLOADS)
        return 0
    if args.runs < 5:
        parser.error("--runs must be at least 5")
    names = args.only or list(cases)
    unknown = sorted(set(names) - set(cases))
    if unknown:
        parser.error(f"unknown case {', '.join(unknown)}; choose from {', '.join(cases)}")
    out = args.out or (
        Path(tempfile.mkdtemp(prefix="siteplan-bench-smoke-")) if args.smoke else RESULTS
    )
    out.mkdir(parents=True, exist_ok=True)
    cfg = Config(smoke=args.smoke, runs=args.runs, out=out)

    rows: list[Row] = []
    plots: dict[str, Any] = {}
    started = time.perf_counter()
    meta = {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "smoke": args.smoke,
        "runs": args.runs,
        "cases": names,
        **machine(),
    }
    # A benchmark must not stop on a library's deprecation notice; show them once.
    warnings.simplefilter("default")
    for name in names:
        t0 = time.perf_counter()
        print(f"[bench] {name} ...", file=sys.stderr, flush=True)
        got = cases[name](cfg)
        if isinstance(got, tuple):
            got, extra = got
            plots.update(extra)
        rows += got
        print(f"[bench] {name} done in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    if args.smoke:  # targets are for the full sizes
        for row in rows:
            row.met = None
    meta["total_s"] = round(time.perf_counter() - started, 1)
    meta["load_average_at_end"] = [round(v, 2) for v in os.getloadavg()]
    if args.only and (out / "results.json").exists():
        # a partial run replaces its cases' rows in the results of an earlier run
        rows, plots, meta = _merge(out / "results.json", rows, plots, meta, list(cases))
    meta["plots"] = plots

    text = _markdown(rows, meta)
    (out / "results.md").write_text(text, encoding="utf-8")
    write_json(rows, out / "results.json", meta)
    _plots(plots, out)
    print(table(rows))
    missed = [r for r in rows if r.met is False]
    print(
        f"{len(rows)} rows, {sum(r.met is True for r in rows)} targets met, "
        f"{len(missed)} missed; written to {out}"
    )
    return 0


def _merge(
    path: Path,
    rows: list[Row],
    plots: dict[str, Any],
    meta: dict[str, Any],
    order: list[str],
) -> tuple[list[Row], dict[str, Any], dict[str, Any]]:
    """Merge a partial run's rows and plots into an earlier run's results."""
    old = json.loads(path.read_text(encoding="utf-8"))
    fresh = set(meta["cases"])
    kept = [Row(**_nan(r)) for r in old["rows"] if r["case"] not in fresh]
    merged = sorted(kept + rows, key=lambda r: order.index(r.case))
    old_plots = old["meta"].get("plots", {})
    new_plots = {**old_plots, **plots}
    runs = dict(old["meta"].get("runs_by_case", {}))
    for name in old["meta"]["cases"]:
        runs.setdefault(name, old["meta"]["date"])
    for name in fresh:
        runs[name] = meta["date"]
    merged_meta = {**old["meta"], **meta, "cases": sorted(runs, key=order.index)}
    merged_meta["runs_by_case"] = runs
    merged_meta["total_s"] = old["meta"].get("total_s", 0) if not fresh else meta["total_s"]
    return merged, new_plots, merged_meta


def _nan(row: dict[str, Any]) -> dict[str, Any]:
    """Turn a JSON row's nulls back into NaN for the float fields."""
    floats = ("time_s", "baseline_s", "ratio", "memory_mb", "baseline_memory_mb")
    return {k: (float("nan") if k in floats and v is None else v) for k, v in row.items()}


def _markdown(rows: list[Row], meta: dict[str, Any]) -> str:
    lines = [
        "# siteplan benchmark results",
        "",
        f"Run {meta['date']} on {meta['cpus']} CPUs ({meta['platform']}), Python "
        f"{meta['python']}, numpy {meta['numpy']}, shapely {meta['shapely']} (GEOS "
        f"{meta['geos']}); load average {meta['load_average_at_start']} at start, "
        f"{meta['load_average_at_end']} at end; {meta['runs']} timed runs per case after a "
        f"warm-up, medians; {meta['total_s']:.0f} s in all."
        + (" SMOKE SIZES: not the targets' sizes." if meta["smoke"] else "")
        + (
            " Cases re-run separately: "
            + ", ".join(f"{k} ({v})" for k, v in meta["runs_by_case"].items())
            + "."
            if len(set(meta.get("runs_by_case", {}).values())) > 1
            else ""
        ),
        "",
        "Ratios: for `latency`, case time / baseline time (lower is better); for "
        "`kernel`, `nearest`, `big`, `approx` and `dask`, baseline time / case time (the "
        "speed-up); for `cutoff` and `scaling`, case time / baseline time (the growth); for "
        "`scale`, whole-process time / the import floor `python -c 'import geopandas'` timed "
        "alternately in the same run (memory there: the process's peak resident size); "
        "`growth`: one run per size, its exponent fitted against the pairs within reach.",
        "Memory: peak resident-size growth of a fresh child process running the case once, "
        "over its size after imports and inputs.",
        "",
        table(rows),
    ]
    return "\n".join(lines)


def _plots(plots: dict[str, Any], out: Path) -> None:
    if "growth" in plots:
        from scale_cases import plot_growth

        plot_growth(plots["growth"], out / "growth.png")
    if "n" in plots:
        plot_series(
            out / "scaling_n.png",
            plots["n"],
            xlabel="N, candidates",
            title="siteplan exact engine: time against N (M = 100 sites)",
        )
    if "m" in plots:
        plot_series(
            out / "scaling_m.png",
            plots["m"],
            xlabel="M, sites",
            title="siteplan exact engine: time against M (N = 100,000 candidates)",
        )
    if "cutoff" in plots:
        pts = plots["cutoff"]
        pairs = [p[1] for p in pts]
        plot_series(
            out / "cutoff.png",
            {
                "pruned distance pass (cutoffs 250 m ... none)": (pairs, [p[3] for p in pts]),
                "whole engine (+ nearest site beyond reach, decay)": (
                    pairs,
                    [p[2] for p in pts],
                ),
            },
            xlabel="pairs within reach of the cutoff (N = 20,000, M = 1,000 fixed)",
            title="cost follows the pairs within reach, not N x M",
            anchor="last",
        )


if __name__ == "__main__":
    raise SystemExit(main())
