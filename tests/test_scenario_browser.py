"""Edit mode in a real browser (issue 17): the page's numbers are siteplan.analyze's.

Headless Chromium through Playwright, offline (every non-file request aborted). The
page's ``window.siteplan.scenario`` is driven like a planner would (and once with the
mouse); every number of ``result()`` and of the panel is compared with
:func:`siteplan.analyze` on the equivalent study (``scenario_cases``); the download
round-trips through ``siteplan compare``. With ``SITEPLAN_BENCH_RECORD=1`` the
recompute times are written to ``benchmarks/results/scenario_page.json``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pytest
import shapely
from browser import open_page
from hostile import PAYLOADS, SENTINEL
from scenario_cases import MOVES, NEW_POINT, assert_same, expected, numbers

import siteplan
from siteplan.load.study import bundled_study_path
from siteplan.maps.make import write_map

pytestmark = pytest.mark.browser

RESULTS = Path(__file__).resolve().parents[1] / "benchmarks" / "results"
MAX_BYTES = 1_500_000
PANEL_JS = """
() => ({
  cluster: Number(document.querySelector(".siteplan-scenario-summary")
    .getAttribute("data-cluster-score")),
  rows: [...document.querySelectorAll("tr.siteplan-scenario-site")].map((tr) => ({
    id: tr.getAttribute("data-site-id"), score: Number(tr.getAttribute("data-score")),
    rank: Number(tr.getAttribute("data-rank")), status: tr.getAttribute("data-status"),
    name: tr.querySelector(".siteplan-scenario-name").firstChild.textContent,
  })),
})
"""


@pytest.fixture(scope="module")
def bundled_map(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("scenario") / "map.html"
    write_map(siteplan.analyze(), path, offline=True)
    return path


def _open(browser: Any, path: Path) -> Any:
    opened = open_page(browser, path)
    opened.page.wait_for_function("() => window.siteplan && window.siteplan.scenario")
    return opened


def _check_panel(page: Any, want: dict[str, Any]) -> None:
    panel = page.evaluate(PANEL_JS)
    assert [r["id"] for r in panel["rows"]] == [s["id"] for s in want["sites"]]
    for row, site in zip(panel["rows"], want["sites"], strict=True):
        assert row["rank"] == site["rank"]
        assert abs(row["score"] - site["score"]) < 1e-6
    assert abs(panel["cluster"] - want["cluster_score"]) < 1e-6


def test_the_offline_edit_map_stays_small(bundled_map: Path) -> None:
    assert bundled_map.stat().st_size < MAX_BYTES


def test_moves_adds_and_removals_score_as_analyze(
    browser: Any, bundled_map: Path, tmp_path: Path
) -> None:
    opened = _open(browser, bundled_map)
    page, result = opened.page, siteplan.analyze()
    ops: list[list[Any]] = []
    for site_id, (dx, dy) in MOVES.items():
        got = page.evaluate("([i, x, y]) => siteplan.scenario.moveSite(i, x, y)", [site_id, dx, dy])
        ops.append(["move", site_id, dx, dy])
        want = expected(result, ops, tmp_path / f"moved_{site_id}")
        assert_same(got, want, site_id)
        _check_panel(page, want)
    page.evaluate("(s) => siteplan.scenario.addSite(s)", NEW_POINT)
    got = page.evaluate("() => siteplan.scenario.removeSite('childrens_center')")
    ops += [["add", NEW_POINT], ["remove", "childrens_center"]]
    want = expected(result, ops, tmp_path / "added_removed")
    assert_same(got, want, "added and removed")
    _check_panel(page, want)
    statuses = {r["id"]: r["status"] for r in page.evaluate(PANEL_JS)["rows"]}
    assert statuses == {k: "edited" for k in MOVES if k != "childrens_center"} | {"new_1": "new"}
    assert "Removed:" in page.inner_text(".siteplan-scenario-removed")
    assert page.is_visible(".siteplan-note")  # the schematic-data note
    assert page.is_visible(".siteplan-scenario-schematic")
    assert not opened.page_errors
    assert not opened.external_requests()
    opened.close()


def test_download_round_trips_through_compare(
    browser: Any, bundled_map: Path, tmp_path: Path
) -> None:
    opened = _open(browser, bundled_map)
    page = opened.page
    page.evaluate("() => siteplan.scenario.moveSite('cgt_park', 300, -500)")
    page.evaluate("(s) => siteplan.scenario.addSite(s)", NEW_POINT)
    got = page.evaluate("() => siteplan.scenario.removeSite('childrens_center')")
    saved = {}
    downloads: list[Any] = []
    page.on("download", lambda d: downloads.append(d))  # noqa: PLW0108 - bound methods fail
    page.click(".siteplan-scenario-download")
    for _ in range(100):
        if len(downloads) >= 2:
            break
        page.wait_for_timeout(50)
    for download in downloads:
        target = tmp_path / download.suggested_filename
        download.save_as(target)
        saved[download.suggested_filename] = target
    assert sorted(saved) == ["scenario.geojson", "scenario.toml"]
    doc = json.loads(saved["scenario.geojson"].read_text(encoding="utf-8"))
    assert doc["type"] == "FeatureCollection"
    assert "crs" not in doc
    edited = {f["properties"]["id"]: f["properties"]["edited"] for f in doc["features"]}
    assert edited == {
        "cancer_center": False,
        "cgt_park": True,
        "new_1": True,
        "proton_center": False,
    }
    for feature in doc["features"]:
        geom = shapely.geometry.shape(feature["geometry"])
        assert geom.is_valid
        if geom.geom_type == "Polygon":
            assert geom.exterior.is_ccw  # RFC 7946: exterior rings counter-clockwise
    toml = tomllib.loads(saved["scenario.toml"].read_text(encoding="utf-8"))
    assert toml["base"] == "bundled:simz"
    assert toml["layers"] == [
        {
            "path": "scenario.geojson",
            "role": "site",
            "datum": "wgs84",
            "id_field": "id",
            "name_field": "name",
        }
    ]
    back = siteplan.analyze(saved["scenario.toml"])
    assert back.data.boundary is not None
    assert back.schematic  # the original sites keep their placement
    assert_same(got, numbers(back), "downloaded study")
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "siteplan",
            "compare",
            str(bundled_study_path()),
            str(saved["scenario.toml"]),
            "-f",
            "json",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(Path(siteplan.__file__).parents[1])},
    )
    assert completed.returncode == 0, completed.stderr
    report = json.loads(completed.stdout)
    text = json.dumps(report)
    assert "new_1" in text
    assert "childrens_center" in text
    opened.close()


def test_hostile_names_typed_in_stay_inert(browser: Any, bundled_map: Path, tmp_path: Path) -> None:
    opened = _open(browser, bundled_map)
    page = opened.page
    payloads = [p for p in PAYLOADS if SENTINEL in p.text][:12]
    assert payloads
    for k, payload in enumerate(payloads):
        page.fill(".siteplan-scenario-add input[name=name]", payload.text)
        page.fill(".siteplan-scenario-add input[name=weight]", "1.5")
        page.select_option(".siteplan-scenario-add select", "point")
        page.click(".siteplan-scenario-add button[type=submit]")
        page.mouse.click(1000 - 12 * k, 300 + 9 * k)
        rows = page.evaluate(PANEL_JS)["rows"]
        assert payload.text.strip() in [r["name"] for r in rows], payload.key
    files = page.evaluate("() => siteplan.scenario.files()")
    tomllib.loads(files["scenario.toml"])
    names = [f["properties"]["name"] for f in json.loads(files["scenario.geojson"])["features"]]
    assert all(p.text.strip() in names for p in payloads)
    assert page.evaluate(f"() => window.{SENTINEL}") is None
    assert not opened.dialogs
    assert not opened.page_errors
    opened.close()


def test_a_real_mouse_drag_changes_the_panel(browser: Any, bundled_map: Path) -> None:
    opened = _open(browser, bundled_map)
    page = opened.page
    before = page.evaluate(PANEL_JS)
    box = page.locator(".siteplan-scenario-handle[data-site-id=cgt_park]").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 60, y + 80, steps=8)
    page.mouse.up()
    after = page.evaluate(PANEL_JS)
    assert after != before
    assert {r["id"]: r["status"] for r in after["rows"]}["cgt_park"] == "edited"
    got = page.evaluate("() => siteplan.scenario.result()")
    assert abs(after["cluster"] - got["cluster_score"]) < 1e-12
    assert not opened.page_errors
    opened.close()


def _many_sites(folder: Path, n: int) -> Path:
    rng = np.random.default_rng(17)
    lon = 121.55 + rng.uniform(0, 0.12, n)
    lat = 31.05 + rng.uniform(0, 0.10, n)
    side = 0.0004
    geoms = [shapely.box(x, y, x + side, y + side) for x, y in zip(lon, lat, strict=True)]
    frame = gpd.GeoDataFrame(
        {"id": [f"s{i:03d}" for i in range(n)], "name": [f"Site {i}" for i in range(n)]},
        geometry=geoms,
        crs="EPSG:4326",
    )
    (folder / "sites.geojson").write_text(frame.to_json(drop_id=True), encoding="utf-8")
    (folder / "study.toml").write_text(
        'name = "200 sites"\ncrs = "EPSG:32651"\n[[layers]]\npath = "sites.geojson"\n',
        encoding="utf-8",
    )
    return folder / "study.toml"


TIME_JS = """
([id, runs]) => {
  const times = [];
  let redraw = [];
  for (let k = 0; k < runs; k += 1) {
    siteplan.scenario.moveSite(id, k % 2 ? -25 : 25, 10);
    const t = siteplan.scenario.timing();
    times.push(t.recompute_ms);
    redraw.push(t.redraw_ms);
  }
  times.sort((a, b) => a - b);
  redraw.sort((a, b) => a - b);
  return {recompute_ms_median: times[Math.floor(runs / 2)], recompute_ms_max: times[runs - 1],
    redraw_ms_median: redraw[Math.floor(runs / 2)]};
}
"""


def test_recompute_is_fast(browser: Any, bundled_map: Path, tmp_path: Path) -> None:
    opened = _open(browser, bundled_map)
    bundled = opened.page.evaluate(TIME_JS, ["cgt_park", 9])
    opened.close()
    study = _many_sites(tmp_path, 200)
    result = siteplan.analyze(study)
    path = tmp_path / "map200.html"
    write_map(result, path, offline=True)
    opened = _open(browser, path)
    many = opened.page.evaluate(TIME_JS, ["s000", 5])
    got = opened.page.evaluate("() => siteplan.scenario.result()")
    opened.close()
    ops = [["move", "s000", 25.0 if k % 2 == 0 else -25.0, 10.0] for k in range(5)]
    assert_same(got, expected(result, ops, tmp_path / "eq"), "200 sites")
    assert bundled["recompute_ms_max"] < 50, bundled
    assert many["recompute_ms_max"] < 1000, many
    if os.environ.get("SITEPLAN_BENCH_RECORD") == "1":
        record = {
            "about": "tests/test_scenario_browser.py::test_recompute_is_fast (headless Chromium)",
            "bundled_4_sites": bundled,
            "random_200_sites": many,
            "offline_map_bytes": bundled_map.stat().st_size,
        }
        (RESULTS / "scenario_page.json").write_text(
            json.dumps(record, indent=1, sort_keys=True) + "\n", encoding="utf-8"
        )
