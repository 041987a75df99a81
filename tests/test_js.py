"""Run the page's JavaScript unit tests (tests/js/*.test.js) under ``node --test``.

The node tests load ``src/siteplan/maps/static/*.js`` with node's ``vm`` module and
check the page's maths (transverse Mercator, the fitted approximation, the GCJ-02
inverse, the decays, distances and the weighted score) against ``reference.json``:
values computed here in Python, from pyproj and from the reference points and decay
boundaries that tests/test_datum.py and tests/test_decay.py use.

Regenerate the fixture after changing the reference values or the page's data::

    PYTHONPATH=src python tests/test_js.py

Without ``node`` the tests skip, unless ``SITEPLAN_REQUIRE_NODE=1`` (CI), where a
missing ``node`` fails.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pyproj import Transformer

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # the shared reference values of test_datum and test_decay

from test_datum import OUTSIDE_CHINA, REFERENCE  # noqa: E402
from test_decay import ALL_DECAYS, boundary_distances  # noqa: E402

import siteplan  # noqa: E402
from siteplan.candidates.locations import score_locations  # noqa: E402
from siteplan.load._datum import gcj02_to_wgs84, wgs84_to_gcj02  # noqa: E402
from siteplan.maps.assets import STATIC_FILES  # noqa: E402
from siteplan.maps.clickscore import EXACT_TOLERANCE_M, click_data, projection_for  # noqa: E402

JS_DIR = HERE / "js"
REFERENCE_JSON = JS_DIR / "reference.json"
STATIC_DIR = HERE.parent / "src" / "siteplan" / "maps" / "static"
NODE_TESTS = (
    "projection.test.js",
    "gcj02.test.js",
    "decay.test.js",
    "clickscore.test.js",
    "helpers.test.js",
    "scenario.test.js",
    "network.test.js",
)
TMERC_CASES = {  # as tests/test_candidate_map.py
    "EPSG:32651": (121.58, 31.07, 121.65, 31.13),
    "EPSG:32733": (14.0, -30.0, 16.5, -28.0),
    "EPSG:32633": (9.0, 40.0, 21.0, 70.0),
    "EPSG:4528": (119.0, 30.5, 121.5, 31.5),
}
AEQD_CASES = {
    "ESRI:102025": (121.55, 31.05, 121.70, 31.15),
    "EPSG:2154": (2.2, 48.7, 2.5, 48.95),
    "EPSG:27700": (-0.25, 51.4, 0.05, 51.6),
    "EPSG:32661": (10.0, 85.0, 20.0, 85.3),
}
CLICKS = [  # WGS84 points over the bundled study: inside a site, between, beyond
    (121.615, 31.1),
    (121.6024, 31.1117),
    (121.59, 31.08),
    (121.63, 31.12),
    (121.66, 31.14),
    (121.5, 31.0),
]


def _projection_cases(cases: dict[str, tuple[float, ...]], seed: int) -> list[dict[str, Any]]:
    out = []
    rng = np.random.default_rng(seed)
    for crs, bounds in cases.items():
        lon = rng.uniform(bounds[0], bounds[2], 20)
        lat = rng.uniform(bounds[1], bounds[3], 20)
        x, y = Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(lon, lat)
        params = projection_for(crs, bounds)
        tolerance = (
            EXACT_TOLERANCE_M / 10 if params["kind"] == "tmerc" else params["error_m"] * 1.5 + 1e-6
        )
        out.append(
            {
                "crs": crs,
                "params": params,
                "tolerance_m": tolerance,
                "points": np.column_stack([lon, lat, x, y]).tolist(),
            }
        )
    return out


def _gcj02_cases() -> dict[str, Any]:
    inside = []
    for place, ((lon, lat), gcj, _, _) in REFERENCE.items():
        shifted = wgs84_to_gcj02(lon, lat)
        back = gcj02_to_wgs84(*gcj)
        inside.append(
            {
                "place": place,
                "wgs84": [lon, lat],
                "gcj02": list(gcj),  # the published table, 6 decimals
                "gcj02_full": [float(shifted[0]), float(shifted[1])],  # Python's forward
                "wgs84_from_table": [float(back[0]), float(back[1])],  # Python's inverse
            }
        )
    return {"inside": inside, "outside": [list(p) for p in OUTSIDE_CHINA.values()]}


def _decay_cases() -> list[dict[str, Any]]:
    out = []
    for decay in ALL_DECAYS:
        distances = [d for d in boundary_distances(decay) if d < 1e300]  # JSON-safe
        out.append(
            {
                "kind": decay.kind,
                "params": dict(decay.params),
                "js": decay.to_js(),
                "exact": decay.kind in {"rings", "linear"},
                "distances": distances,
                "scores": decay(distances).tolist(),
            }
        )
    return out


def _click_cases() -> list[dict[str, Any]]:
    out = []
    lon = np.array([p[0] for p in CLICKS])
    lat = np.array([p[1] for p in CLICKS])
    for measure in ("edge", "centroid"):
        result = siteplan.analyze(measure=measure)
        scored = score_locations(result, lon, lat)
        ids = sorted(str(i) for i in result.sites["id"])
        x, y = Transformer.from_crs("EPSG:4326", result.crs, always_xy=True).transform(lon, lat)
        gcj_lon, gcj_lat = wgs84_to_gcj02(lon, lat)
        out.append(
            {
                "measure": measure,
                "data": click_data(result),
                "data_gcj02": click_data(result, datum="gcj02"),
                "decay": result.parameters.decay.to_js(),
                "clicks": [
                    {
                        "lon": float(lon[i]),
                        "lat": float(lat[i]),
                        "gcj02": [float(gcj_lon[i]), float(gcj_lat[i])],
                        "x": float(x[i]),
                        "y": float(y[i]),
                        "score": float(scored["score"].iloc[i]),
                        "nearest": ids.index(str(scored["nearest_id"].iloc[i])),
                        "distances": [float(scored[f"distance_m_{s}"].iloc[i]) for s in ids],
                        "scores": [float(scored[f"score_{s}"].iloc[i]) for s in ids],
                    }
                    for i in range(len(lon))
                ],
            }
        )
    return out


def build_reference() -> dict[str, Any]:
    """Return the reference values the node tests compare the page's JavaScript with."""
    return {
        "about": "Generated by tests/test_js.py (PYTHONPATH=src python tests/test_js.py).",
        "tmerc": _projection_cases(TMERC_CASES, 0),
        "aeqd": _projection_cases(AEQD_CASES, 1),
        "gcj02": _gcj02_cases(),
        "decays": _decay_cases(),
        "clicks": _click_cases(),
    }


def _close(ours: Any, stored: Any, path: str = "") -> None:
    """Assert two JSON values are equal, floats within 1e-9 (pyproj and numpy builds vary)."""
    if isinstance(ours, float) or isinstance(stored, float):
        assert math.isclose(ours, stored, rel_tol=1e-9, abs_tol=1e-9), path
    elif isinstance(ours, dict):
        assert isinstance(stored, dict), path
        assert sorted(ours) == sorted(stored), path
        for key in ours:
            _close(ours[key], stored[key], f"{path}.{key}")
    elif isinstance(ours, list):
        assert isinstance(stored, list), path
        assert len(ours) == len(stored), path
        for i, (a, b) in enumerate(zip(ours, stored, strict=True)):
            _close(a, b, f"{path}[{i}]")
    else:
        assert ours == stored, path


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        if os.environ.get("SITEPLAN_REQUIRE_NODE") == "1":
            pytest.fail("node is not on PATH but SITEPLAN_REQUIRE_NODE=1")
        pytest.skip("node is not on PATH; cannot run the JavaScript tests")
    return node


def test_reference_fixture_is_current() -> None:
    stored = json.loads(REFERENCE_JSON.read_text(encoding="utf-8"))
    _close(json.loads(json.dumps(build_reference())), stored)


def test_every_node_test_file_is_run() -> None:
    assert sorted(p.name for p in JS_DIR.glob("*.test.js")) == sorted(NODE_TESTS)


@pytest.mark.parametrize("name", [n for n in STATIC_FILES if n.endswith(".js")])
def test_static_scripts_parse(name: str) -> None:
    completed = subprocess.run(
        [_node(), "--check", str(STATIC_DIR / name)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert completed.returncode == 0, completed.stderr


def test_node_unit_tests_pass() -> None:
    completed = subprocess.run(
        [_node(), "--test", *(str(JS_DIR / name) for name in NODE_TESTS)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        cwd=HERE.parent,
    )
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-2000:]


if __name__ == "__main__":
    REFERENCE_JSON.write_text(
        json.dumps(build_reference(), indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
    print(f"wrote {REFERENCE_JSON}")
