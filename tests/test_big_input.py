"""Big input: a size limit checked before reading, bounded memory, many sites.

The full-size measurements (100,000 features, a 50 MB file, 500 sites) are in
``benchmarks/big_input.py``; these tests run smaller versions of the same work.

Peak memory is measured in a fresh subprocess with
``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss``. On Linux a child starts with
the peak of the process it was forked from, so the measured process is started
by a tiny wrapper interpreter, not by pytest (which holds hundreds of MB).
"""

from __future__ import annotations

import json
import math
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from siteplan.analysis import analyze
from siteplan.errors import LayerError, ParameterError
from siteplan.load.layers import MAX_LAYER_MB, LayerSpec, max_layer_bytes, read_layer
from siteplan.render import report

LON0, LAT0 = 121.61, 31.10
M_PER_DEG_LAT = 110_900.0
M_PER_DEG_LON = 111_320.0 * math.cos(math.radians(LAT0))


def point_layer(n: int, seed: int = 1, spread_m: float = 20_000.0) -> dict[str, Any]:
    rng = random.Random(seed)
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"id": f"s{i:06d}", "name": f"Site {i}", "kind": "lab"},
                "geometry": {
                    "type": "Point",
                    "coordinates": [
                        round(LON0 + rng.uniform(-0.5, 0.5) * spread_m / M_PER_DEG_LON, 7),
                        round(LAT0 + rng.uniform(-0.5, 0.5) * spread_m / M_PER_DEG_LAT, 7),
                    ],
                },
            }
            for i in range(n)
        ],
    }


def write(doc: dict[str, Any], path: Path) -> Path:
    path.write_text(json.dumps(doc, separators=(",", ":")), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- size limit


@pytest.fixture
def tiny_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Limit layer files to 1,000 bytes."""
    monkeypatch.setenv("SITEPLAN_MAX_LAYER_MB", "0.001")


def test_default_limit_is_documented(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SITEPLAN_MAX_LAYER_MB", raising=False)
    assert max_layer_bytes() == int(MAX_LAYER_MB * 1e6) == 256_000_000


def test_a_file_past_the_limit_is_refused_before_reading(
    tmp_path: Path, tiny_limit: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(point_layer(30), tmp_path / "big.geojson")
    assert path.stat().st_size > 1000

    def no_reading(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the file was read")

    monkeypatch.setattr(Path, "read_bytes", no_reading)
    monkeypatch.setattr("pyogrio.read_dataframe", no_reading)
    with pytest.raises(LayerError) as info:
        read_layer(LayerSpec(path))
    message = info.value.format()
    assert message.startswith(f"{path}: the file is 0.0 MB, more than the 0.001 MB limit")
    assert "SITEPLAN_MAX_LAYER_MB" in message


def test_a_file_at_the_limit_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(point_layer(3), tmp_path / "small.geojson")
    monkeypatch.setenv("SITEPLAN_MAX_LAYER_MB", str(path.stat().st_size / 1e6))
    assert len(read_layer(LayerSpec(path)).frame) == 3
    monkeypatch.setenv("SITEPLAN_MAX_LAYER_MB", str((path.stat().st_size - 1) / 1e6))
    with pytest.raises(LayerError, match="limit for a layer"):
        read_layer(LayerSpec(path))


def test_the_limit_applies_to_geopackages(tmp_path: Path, tiny_limit: None) -> None:
    path = tmp_path / "big.gpkg"
    path.write_bytes(b"\0" * 2000)  # never opened: refused on its size
    with pytest.raises(LayerError, match=r"more than the 0\.001 MB limit"):
        read_layer(LayerSpec(path))


@pytest.mark.parametrize("value", ["abc", "0", "-5", "nan", "inf"])
def test_a_bad_limit_is_a_parameter_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("SITEPLAN_MAX_LAYER_MB", value)
    path = write(point_layer(2), tmp_path / "a.geojson")
    with pytest.raises(ParameterError, match=r"SITEPLAN_MAX_LAYER_MB=.* is not a size in MB > 0"):
        read_layer(LayerSpec(path))


def test_cli_refuses_a_big_file_in_one_line(tmp_path: Path, tiny_limit: None, run_cli: Any) -> None:
    path = write(point_layer(30), tmp_path / "big.geojson")
    code, out, err = run_cli("validate", path)
    assert code == 1
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith(f"siteplan: {path}: the file is ")


# --------------------------------------------------------------------------- memory

_CHILD = """
import sys
from pathlib import Path
from siteplan.load.validate import validate_paths  # the heavy imports, in the baseline too
if len(sys.argv) > 1:
    v = validate_paths([Path(sys.argv[1])])
    print(sum(len(layer.frame) for data in v.studies for layer in data.layers))
else:
    print(0)
"""
_WRAPPER = """
import resource, subprocess, sys
out = subprocess.run(sys.argv[1:], capture_output=True, text=True, check=True)
print(out.stdout.strip(), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def peak_rss_mb(path: Path | None) -> tuple[int, float]:
    """Validate ``path`` (or only import siteplan) in a fresh process; return its peak RSS."""
    args = [sys.executable, "-c", _CHILD] + ([str(path)] if path is not None else [])
    run = subprocess.run(
        [sys.executable, "-c", _WRAPPER, *args],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    count, peak_kib = run.stdout.split()
    return int(count), int(peak_kib) / 1024


@pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss is in KiB on Linux only")
def test_20k_features_load_with_bounded_memory(tmp_path: Path) -> None:
    path = write(point_layer(20_000), tmp_path / "sites.geojson")
    size_mb = path.stat().st_size / 1e6
    _, baseline = peak_rss_mb(None)
    count, peak = peak_rss_mb(path)
    assert count == 20_000
    # Measured: about 8 x the file size above the import (4.6 MB file: ~40 MB).
    # The bound is generous so that allocator differences do not fail the test.
    assert peak - baseline < 25 * size_mb + 50, (size_mb, baseline, peak)


# --------------------------------------------------------------------------- many sites


def test_a_60_site_study_produces_its_report(tmp_path: Path) -> None:
    write(point_layer(60, seed=7, spread_m=15_000.0), tmp_path / "sites.geojson")
    start = time.perf_counter()
    result = analyze(tmp_path)
    text = report.render_report(result, "json")
    elapsed = time.perf_counter() - start
    doc = json.loads(text)
    assert len(doc["sites"]) == 60
    assert len(doc["pairs"]) == 60 * 59 // 2
    assert sorted(s["rank"] for s in doc["sites"]) == list(range(1, 61))
    assert np.isfinite([p["edge_m"] for p in doc["pairs"]]).all()
    assert elapsed < 30, elapsed  # about 0.3 s; 500 sites: see benchmarks/big_input.py
