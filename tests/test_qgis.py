"""Real QGIS: siteplan's GeoPackages open styled, and the Processing plugin matches the CLI.

PyQGIS runs only under Debian's ``/usr/bin/python3``. ``make qgis-venv`` (run by
``make test``) builds a ``--system-site-packages`` virtual environment from it,
``.venv-qgis``, with siteplan's dependencies and ``numpy<2`` (Debian's GDAL and
scipy break on numpy 2); the PyQGIS scripts in ``tests/qgis/`` run in it, in
subprocesses, with this checkout's ``src`` first on the path and
``QT_QPA_PLATFORM=offscreen``. The tests themselves need no network.

Without QGIS these tests skip, saying why, unless ``SITEPLAN_REQUIRE_QGIS=1``
(as in CI), in which case they fail.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pyogrio
import pytest
from matplotlib import image

from siteplan import analyze, export_result
from siteplan.load.study import bundled_study_path
from siteplan.render.styles import scale_colour
from siteplan.score.units import unit_name

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = Path(__file__).resolve().parent / "qgis"
SYSTEM_PYTHON = "/usr/bin/python3"


def _unavailable(reason: str) -> None:
    if os.environ.get("SITEPLAN_REQUIRE_QGIS") == "1":
        pytest.fail(f"SITEPLAN_REQUIRE_QGIS=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def qgis_python() -> Path:
    """Return the Python of the QGIS venv (``make qgis-venv``), where ``qgis`` imports.

    The venv holds siteplan's dependencies; the scripts run this checkout's
    ``src`` (on ``PYTHONPATH``), so a change to siteplan needs no reinstall and
    the tests need no network.
    """
    if not Path(SYSTEM_PYTHON).exists():
        _unavailable(f"{SYSTEM_PYTHON} (Debian's Python, which PyQGIS needs) is missing")
    probe = subprocess.run(
        [SYSTEM_PYTHON, "-c", "import qgis.core"], check=False, capture_output=True, timeout=120
    )
    if probe.returncode != 0:
        _unavailable(
            f"{SYSTEM_PYTHON} cannot import qgis (apt-get install qgis python3-qgis to run "
            "the QGIS tests)"
        )
    venv = Path(os.environ.get("SITEPLAN_QGIS_VENV", ROOT / ".venv-qgis"))
    python = venv / "bin" / "python"
    if not python.exists():
        _unavailable(f"{venv} is missing: run `make qgis-venv` (make test does) first")
    return python


def _run_script(python: Path, script: str, *args: str | Path) -> dict[str, Any]:
    out = Path(tempfile.mkdtemp(prefix="siteplan-qgis-")) / "out.json"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONWARNINGS": "ignore"}
    env["PYTHONPATH"] = str(ROOT / "src")  # this checkout's siteplan, over the venv's copy
    done = subprocess.run(
        [str(python), str(SCRIPTS / script), *map(str, args), str(out)],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
        cwd=SCRIPTS,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return result


def _class_colour(score: float) -> str:
    """The colour of the sites style's class (0-10, (10-20], ...) holding ``score``."""
    k = max(0, math.ceil(score / 10) - 1)
    return scale_colour("viridis", k * 10 + 5)


def test_exported_geopackage_opens_styled_and_renders_the_score_colours(
    qgis_python: Path, tmp_path: Path
) -> None:
    result = analyze()
    gpkg = export_result(result, tmp_path / "simz.gpkg")
    png = tmp_path / "simz.png"
    report = _run_script(qgis_python, "check_export.py", gpkg, png)

    assert all(layer["valid"] for layer in report.values())
    assert (report["sites"]["renderer"], report["sites"]["attribute"]) == (
        "graduatedSymbol",
        "score",
    )
    assert (report["rings"]["renderer"], report["rings"]["attribute"]) == (
        "graduatedSymbol",
        "ring_m",
    )
    assert [r[1] for r in report["rings"]["ranges"]] == list(result.parameters.rings_m)
    assert all(r[3] < 255 for r in report["rings"]["ranges"])  # translucent
    assert report["pairs"]["labels"] is True
    site_ranges = report["sites"]["ranges"]
    assert (site_ranges[0][0], site_ranges[-1][1]) == (0.0, 100.0)
    assert [r[2] for r in site_ranges] == [scale_colour("viridis", k * 10 + 5) for k in range(10)]

    pixels = (image.imread(png)[:, :, :3] * 255).round().astype(np.uint8)
    found = {f"#{r:02x}{g:02x}{b:02x}" for r, g, b in pixels.reshape(-1, 3)[::1]}
    counts: dict[str, int] = {}
    flat = pixels.reshape(-1, 3)
    for score in result.sites["score"]:
        colour = _class_colour(float(score))
        rgb = np.array([int(colour[k : k + 2], 16) for k in (1, 3, 5)], dtype=np.uint8)
        counts[colour] = int((flat == rgb).all(axis=1).sum())
    assert set(counts) <= found
    assert all(n > 500 for n in counts.values()), counts  # each site's class colour, filled


@pytest.mark.parametrize(
    ("measure", "ring", "distance", "unit"),
    [("time", "ring_min", "distance_min", "min"), ("network", "ring_m", "distance_m", "m")],
)
def test_a_network_export_opens_styled_on_the_fields_named_by_unit(
    qgis_python: Path, tmp_path: Path, measure: str, ring: str, distance: str, unit: str
) -> None:
    result = analyze(measure=measure)
    gpkg = export_result(result, tmp_path / f"{measure}.gpkg")
    report = _run_script(qgis_python, "check_export.py", gpkg, tmp_path / f"{measure}.png")

    assert all(layer["valid"] for layer in report.values())
    rings, pairs, sites = report["rings"], report["pairs"], report["sites"]
    assert (rings["renderer"], rings["attribute"]) == ("graduatedSymbol", ring)
    assert [r[1] for r in rings["ranges"]] == list(result.parameters.rings_m)
    # QGIS reads the band's value from the field the style names: every band falls in a class.
    assert sorted(set(rings["class_values"])) == sorted(result.parameters.rings_m)
    assert {ring, unit_name("inner_m", unit)} <= set(rings["fields"])
    assert {"nearest_min" if unit == "min" else "nearest_m", "connector_m"} <= set(sites["fields"])
    network = {"network_m", "time_min", "detour", "reachable", distance}
    assert network <= set(pairs["fields"])
    assert f'"{distance}"' in pairs["label_expression"]
    # QGIS evaluates each pair's label from the unit-named field: no NULL labels.
    expected = [
        f"{d:,.{1 if unit == 'min' else 0}f} {unit} · score {s:,.1f}"
        for d, s in zip(
            pyogrio.read_dataframe(gpkg, layer="pairs")[distance],
            pyogrio.read_dataframe(gpkg, layer="pairs")["score"],
            strict=True,
        )
    ]
    assert pairs["label_texts"] == expected
    assert (sites["renderer"], sites["attribute"]) == ("graduatedSymbol", "score")


@pytest.fixture(scope="module")
def plugin_report(qgis_python: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Run every plugin algorithm once through ``processing.run`` on the bundled study."""
    return _run_script(
        qgis_python,
        "run_plugin.py",
        ROOT / "qgis_plugin",
        bundled_study_path().parent,
        tmp_path_factory.mktemp("plugin"),
    )


def test_processing_algorithms_match_the_cli(plugin_report: dict[str, Any], run_cli: Any) -> None:
    report = plugin_report
    assert report["algorithms"] == [
        "siteplan:export_analysis",
        "siteplan:proximity_report",
        "siteplan:score_candidates",
        "siteplan:travel_time_analysis",
    ]
    code, out, err = run_cli("report", "-f", "json")
    assert code == 0, err
    cli = json.loads(out)
    expected = {s["id"]: s["score"] for s in cli["sites"]}

    for name in ("proximity_report", "export_analysis"):
        run = report[name]
        assert Path(run["results"]["OUTPUT_HTML"]).read_text(encoding="utf-8").startswith("<!")
        layers = run["layers"]
        assert (layers["SITES"]["renderer"], layers["SITES"]["attribute"]) == (
            "graduatedSymbol",
            "score",
        )
        assert layers["RINGS"]["attribute"] == "ring_m"
        path, _, layer = layers["SITES"]["uri"].partition("|layername=")
        sites = pyogrio.read_dataframe(path, layer=layer)
        got = dict(zip(sites["id"], sites["score"], strict=True))
        assert set(got) == set(expected)
        for site, score in expected.items():
            assert abs(got[site] - score) <= 1e-9, site
    assert report["proximity_report"]["results"]["CLUSTER_SCORE"] == pytest.approx(
        cli["cluster_score"], abs=1e-9
    )

    code, out, err = run_cli("candidates", "-f", "json")
    assert code == 0, err
    picks = json.loads(out)["candidates"]  # the picks, in rank order
    run = report["score_candidates"]
    layers = run["layers"]
    assert (layers["SURFACE"]["renderer"], layers["SURFACE"]["attribute"]) == (
        "graduatedSymbol",
        "score",
    )
    assert layers["PICKS"]["labels"] is True
    assert layers["EXCLUDED_AREAS"]["renderer"] == "categorizedSymbol"
    plugin_picks = pyogrio.read_dataframe(run["results"]["OUTPUT"], layer="picks")
    assert plugin_picks["id"].tolist() == [p["id"] for p in picks]
    for got_score, pick in zip(plugin_picks["score"], picks, strict=True):
        assert abs(got_score - pick["score"]) <= 1e-9
    assert Path(run["results"]["OUTPUT_HTML"]).stat().st_size > 0


def test_travel_time_analysis_matches_the_cli(plugin_report: dict[str, Any], run_cli: Any) -> None:
    report = plugin_report
    code, out, err = run_cli("report", "--measure", "time", "--mode", "walk", "-f", "json")
    assert code == 0, err
    cli = json.loads(out)
    run = report["travel_time_analysis"]
    assert Path(run["results"]["OUTPUT_HTML"]).read_text(encoding="utf-8").startswith("<!")
    layers = run["layers"]
    assert (layers["SITES"]["renderer"], layers["SITES"]["attribute"]) == (
        "graduatedSymbol",
        "score",
    )
    assert layers["RINGS"]["attribute"] == "ring_min"  # minutes: the field named by its unit
    assert layers["PAIRS"]["labels"] is True
    gpkg = run["results"]["OUTPUT"]
    parameters = pyogrio.read_dataframe(gpkg, layer="parameters")
    settings = dict(zip(parameters["key"], parameters["value"], strict=True))
    assert (settings["measure"], settings["unit"], settings["mode"]) == ("time", "min", "walk")
    assert json.loads(settings["rings_min"]) == cli["parameters"]["rings_min"]

    sites = pyogrio.read_dataframe(gpkg, layer="sites")
    got = dict(zip(sites["id"], sites["score"], strict=True))
    expected = {s["id"]: s["score"] for s in cli["sites"]}
    assert set(got) == set(expected)
    for site, score in expected.items():
        assert abs(got[site] - score) <= 1e-9, site
    assert abs(run["results"]["CLUSTER_SCORE"] - cli["cluster_score"]) <= 1e-9

    # The pairs layer names the measure by its unit (distance_min, ring_min) and carries the
    # network fields, as the JSON report does.
    pairs = pyogrio.read_dataframe(gpkg, layer="pairs").set_index(["a", "b"])
    assert set(pairs.index) == {(p["a"], p["b"]) for p in cli["pairs"]}
    assert "distance_m" not in pairs.columns
    for pair in cli["pairs"]:
        row = pairs.loc[(pair["a"], pair["b"])]
        assert abs(row["distance_min"] - pair["time_min"]) <= 1e-9, pair
        if pair["ring_min"] is None:  # beyond the last ring: NULL
            assert math.isnan(row["ring_min"]), pair
        else:
            assert row["ring_min"] == pair["ring_min"], pair
        for field in ("network_m", "time_min_ab", "time_min_ba", "detour"):
            assert abs(row[field] - pair[field]) <= 1e-9, (field, pair)
        assert bool(row["reachable"]) is pair["reachable"]
        assert abs(row["score"] - pair["score"]) <= 1e-9, pair
