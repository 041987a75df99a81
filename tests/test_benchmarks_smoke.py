"""The benchmark suite still runs: a few of its cases at smoke size (no timing targets)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

RUN = Path(__file__).resolve().parents[1] / "benchmarks" / "run.py"


def test_benchmark_smoke_run(tmp_path: Path) -> None:
    cases = ["kernel", "nearest", "cutoff", "approx"]
    args = [sys.executable, str(RUN), "--smoke", "--out", str(tmp_path)]
    for name in cases:
        args += ["--only", name]
    done = subprocess.run(args, capture_output=True, text=True, check=False, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    doc = json.loads((tmp_path / "results.json").read_text())
    assert doc["meta"]["smoke"] is True
    assert {row["case"] for row in doc["rows"]} == set(cases)
    assert all(row["met"] is None for row in doc["rows"])  # no verdicts at smoke size
    assert all(row["time_s"] > 0 for row in doc["rows"])
    kernel = [row for row in doc["rows"] if row["case"] == "kernel"]
    assert kernel[0]["extra"]["max_error_m"] <= 1e-3
    assert "| kernel |" in (tmp_path / "results.md").read_text()
    assert (tmp_path / "cutoff.png").stat().st_size > 1000


def test_unknown_case_is_refused() -> None:
    done = subprocess.run(
        [sys.executable, str(RUN), "--only", "nope"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 2
    assert "unknown case nope" in done.stderr
