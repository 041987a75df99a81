"""Candidate maps and click-to-score in a real browser (headless Chromium, Playwright).

Every request that is not a ``file:`` or ``data:`` URL is aborted. Clicks are
real mouse clicks at the pixel of a chosen longitude/latitude (from the page's
``map.latLngToContainerPoint``); the popup's machine-readable ``data-*``
attributes are compared with :func:`siteplan.maps.make.score_locations` at the
position the page scored. They skip, saying why, when Playwright or Chromium is
missing, unless ``SITEPLAN_REQUIRE_BROWSER=1`` (set by ``.ci/run``), in which
case they fail.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely
from browser import SCAN_JS, Opened, open_page
from hostile import PAYLOADS, SENTINEL, by_key, toml_string, write_hostile_study
from pyproj import Transformer

import siteplan
from siteplan.analysis import Result
from siteplan.candidates import CandidateResult, score_candidates
from siteplan.candidates.locations import score_locations
from siteplan.load._datum import gcj02_to_wgs84
from siteplan.maps.make import write_map

pytestmark = pytest.mark.browser

AMAP_URL = "https://webrd01.is.autonavi.com/appmaptile?x={x}&y={y}&z={z}&style=8"
# Layers whose features have popups of their own; switched off so that every click scores.
POPUP_LAYERS = ("Sites (coloured", "Candidate picks", "Context:")


MAP_JS = "window[Object.keys(window).find((k) => /^map_sp/.test(k))]"

HIDE_JS = """
(prefixes) => {
  const labels = [...document.querySelectorAll(".leaflet-control-layers-overlays label")];
  for (const label of labels) {
    const input = label.querySelector("input");
    if (prefixes.some((p) => label.textContent.trim().startsWith(p)) && input.checked) {
      input.click();
    }
  }
}
"""

# Page positions of WGS84 points, keeping those where a click reaches the map itself
# (not a control panel, a marker or the boundary's outline, which has a popup).
PIXELS_JS = f"""
(points) => {{
  const map = {MAP_JS};
  const box = map.getContainer().getBoundingClientRect();
  const out = [];
  for (const [lon, lat] of points) {{
    const p = map.latLngToContainerPoint([lat, lon]);
    const x = box.left + p.x, y = box.top + p.y;
    if (x < 5 || y < 5 || x > box.right - 5 || y > box.bottom - 5) {{ continue; }}
    const el = document.elementFromPoint(x, y);
    if (!el || el.closest(".leaflet-control-container, .leaflet-marker-pane, div.siteplan-pick") ||
        el.matches("path.siteplan-boundary, path.siteplan-site, path.siteplan-context")) {{
      continue;
    }}
    out.push([lon, lat, x, y]);
  }}
  return out;
}}
"""

POPUP_JS = """
() => {
  const box = document.querySelector(".leaflet-popup .siteplan-score");
  if (!box) { return null; }
  const rows = [...box.querySelectorAll("tr.siteplan-score-site")].map((r) => ({
    index: Number(r.dataset.siteIndex), distance: Number(r.dataset.distance),
    score: Number(r.dataset.score)}));
  const cell = box.querySelector(".siteplan-score-candidate");
  return {
    lon: Number(box.dataset.lon), lat: Number(box.dataset.lat), score: Number(box.dataset.score),
    mode: box.dataset.mode, nearest: Number(box.dataset.nearestIndex), rows: rows,
    candidate: cell ? {index: cell.dataset.candidateIndex === undefined ? null :
      Number(cell.dataset.candidateIndex), score: Number(cell.dataset.candidateScore)} : null,
    text: box.textContent};
}
"""


def click_points(opened: Opened, points: list[tuple[float, float]], n: int) -> list[dict[str, Any]]:
    """Click up to ``n`` of ``points`` (lon, lat) with the mouse; return each score popup."""
    page = opened.page
    page.evaluate(HIDE_JS, list(POPUP_LAYERS))
    # as with the hidden site layers: the edit mode's footprints and handles let the clicks
    # reach the map below them
    page.add_style_tag(
        content=".siteplan-scenario-handle, .siteplan-scenario-footprint "
        "{ pointer-events: none !important; }"
    )
    found: list[dict[str, Any]] = []
    for point in points:
        if len(found) == n:
            break
        page.evaluate(f"() => {{ {MAP_JS}.closePopup(); }}")
        page.wait_for_function("() => !document.querySelector('.leaflet-popup')")  # faded out
        # a popup may have panned the map: find the pixel just before clicking
        target = page.evaluate(PIXELS_JS, [list(point)])
        if not target:
            continue
        lon, lat, x, y = target[0]
        page.mouse.click(x, y)
        page.wait_for_selector(".leaflet-popup .siteplan-score")
        popup = page.evaluate(POPUP_JS)
        popup["asked"] = (lon, lat)
        found.append(popup)
    return found


@dataclass
class Disagreement:
    """The largest differences between the page and Python over some clicks."""

    score_rel: float = 0.0
    distance_m: float = 0.0
    distance_rel: float = 0.0


def compare(result: Result, popups: list[dict[str, Any]]) -> Disagreement:
    """Check every popup against score_locations at the position the page scored."""
    worst = Disagreement()
    ids = sorted(str(i) for i in result.sites["id"])
    for popup in popups:
        expected = score_locations(result, popup["lon"], popup["lat"]).iloc[0]
        assert popup["score"] == pytest.approx(float(expected["score"]), rel=0.01, abs=1e-9)
        worst.score_rel = max(
            worst.score_rel,
            abs(popup["score"] - expected["score"]) / max(abs(expected["score"]), 1e-12),
        )
        assert ids[popup["nearest"]] == expected["nearest_id"]
        assert [row["index"] for row in popup["rows"]] == list(range(len(ids)))
        for row in popup["rows"]:
            sid = ids[row["index"]]
            d = float(expected[f"distance_m_{sid}"])
            assert abs(row["distance"] - d) <= max(0.01 * d, 1.0), (sid, row, d)
            assert row["score"] == pytest.approx(
                float(expected[f"score_{sid}"]), rel=1e-3, abs=1e-6
            )
            worst.distance_m = max(worst.distance_m, abs(row["distance"] - d))
            if d > 0:
                worst.distance_rel = max(worst.distance_rel, abs(row["distance"] - d) / d)
    return worst


def sample_points(
    result: Result, cres: CandidateResult | None, seed: int
) -> list[tuple[float, float]]:
    """Points to click: inside each site, at picks, and spread over the study (fixed seed)."""
    points = [
        (float(p.x), float(p.y))
        for p in shapely.centroid(np.asarray(result.sites.geometry.array, dtype=object))
    ]
    if cres is not None:
        points += list(zip(cres.picks["lon"][:2], cres.picks["lat"][:2], strict=True))
    assert result.data.boundary is not None
    west, south, east, north = result.data.boundary.total_bounds
    rng = np.random.default_rng(seed)
    lon = rng.uniform(west - 0.003, east + 0.003, 60)
    lat = rng.uniform(south - 0.003, north + 0.003, 60)
    points += list(zip(lon.tolist(), lat.tolist(), strict=True))
    return points


# -- the bundled study ----------------------------------------------------------------


@pytest.fixture(scope="module")
def bundled() -> tuple[Result, CandidateResult]:
    result = siteplan.analyze()
    return result, score_candidates(result)


@pytest.fixture(scope="module")
def candidate_map(bundled: tuple[Result, CandidateResult], tmp_path_factory: Any) -> Path:
    result, cres = bundled
    return write_map(
        result, tmp_path_factory.mktemp("map") / "candidates.html", candidates=cres, offline=True
    )


COUNT_JS = f"""
() => {{
  const map = {MAP_JS};
  const surface = Object.keys(window).filter((k) => /^siteplan_surface_sp/.test(k));
  return {{
    leaflet: L.version,
    picks: [...document.querySelectorAll("div.siteplan-pick")]
      .map((el) => el.textContent),
    excluded: [...document.querySelectorAll("path.siteplan-excluded")]
      .map((el) => el.getAttribute("fill")),
    hatches: [...document.querySelectorAll("#siteplan-hatches pattern")].map((p) => p.id),
    surfaces: surface.length,
    cells: surface.length ? window[surface[0]].getLayers().length : 0,
    canvases: document.querySelectorAll(".leaflet-siteplan-surface-pane canvas").length,
    legend: document.querySelector(".leaflet-control-container .siteplan-legend").innerText,
  }};
}}
"""


def test_candidate_map_draws_surface_picks_and_excluded_areas(
    browser: Any, candidate_map: Path, bundled: tuple[Result, CandidateResult]
) -> None:
    _, cres = bundled
    opened = open_page(browser, candidate_map)
    counts = opened.page.evaluate(COUNT_JS)
    assert counts["leaflet"] == "1.9.3"
    assert counts["picks"] == [str(i) for i in range(1, 11)]
    assert counts["surfaces"] == 1
    assert counts["cells"] == int(cres.eligible.sum()) == 4388
    assert counts["canvases"] == 1
    assert counts["excluded"] == [
        "url(#siteplan-hatch-outside_boundary)",
        "url(#siteplan-hatch-inside_site)",
    ]
    assert "siteplan-hatch-inside_site" in counts["hatches"]
    assert "Candidate score" in counts["legend"]
    assert "top picks (10)" in counts["legend"]

    page = opened.page
    marker = page.locator("div.siteplan-pick", has_text="3").first
    marker.click()
    popup = page.locator(".leaflet-popup .siteplan-info").first
    assert popup.inner_text().startswith("Pick 3: score")
    assert "Zhangjiang Gene Island (CGT park)" in popup.inner_text()
    assert page.locator(".leaflet-popup .siteplan-score").count() == 0  # no click-to-score

    assert opened.page_errors == []
    assert opened.console_errors == []
    assert opened.external_requests() == []
    page.close()


def test_clicks_score_like_python_on_the_candidate_map(
    browser: Any, candidate_map: Path, bundled: tuple[Result, CandidateResult]
) -> None:
    result, cres = bundled
    opened = open_page(browser, candidate_map)
    popups = click_points(opened, sample_points(result, cres, seed=1), 12)
    assert len(popups) >= 10
    worst = compare(result, popups)
    # the page projects with the Krueger series: far tighter than the 1 % asked for
    assert worst.distance_m < 0.01
    assert worst.score_rel < 1e-6
    assert {p["mode"] for p in popups} == {"tmerc"}
    assert any(min(r["distance"] for r in p["rows"]) == 0 for p in popups)  # inside a site
    assert any(p["score"] > 0 for p in popups)

    to_metric = Transformer.from_crs("EPSG:4326", result.crs, always_xy=True)
    cells = cres.cells_wgs84().to_crs(result.crs)
    looked_up = [p for p in popups if p["candidate"] is not None]
    assert len(looked_up) >= 5
    for popup in looked_up:
        index = popup["candidate"]["index"]
        x, y = to_metric.transform(popup["lon"], popup["lat"])
        assert cells.iloc[index].distance(shapely.Point(x, y)) < 0.5  # the cell under the click
        assert popup["candidate"]["score"] == pytest.approx(round(cres.score[index], 4))
    assert opened.page_errors == []
    assert opened.dialogs == []
    opened.page.close()


def test_clicks_score_like_python_on_the_plain_map(browser: Any, tmp_path: Path) -> None:
    result = siteplan.analyze(decay="gaussian", sigma_m=800, measure="centroid")
    path = write_map(result, tmp_path / "plain.html", offline=True)
    opened = open_page(browser, path)
    popups = click_points(opened, sample_points(result, None, seed=2), 10)
    assert len(popups) == 10
    worst = compare(result, popups)
    assert worst.distance_m < 0.01
    assert all("gaussian decay" in p["text"] for p in popups)
    assert all(p["candidate"] is None for p in popups)
    assert opened.page_errors == []
    opened.page.close()


def test_clicks_on_amap_tiles_are_shifted_back_to_wgs84(
    browser: Any, bundled: tuple[Result, CandidateResult], tmp_path: Path
) -> None:
    result, cres = bundled
    path = write_map(result, tmp_path / "amap.html", candidates=cres, offline=True, tiles=AMAP_URL)
    opened = open_page(browser, path)
    # the overlays are drawn in GCJ-02, so click where the points are drawn
    from siteplan.load._datum import wgs84_to_gcj02

    points = sample_points(result, cres, seed=3)
    lon, lat = wgs84_to_gcj02([p[0] for p in points], [p[1] for p in points])
    popups = click_points(opened, list(zip(lon.tolist(), lat.tolist(), strict=True)), 4)
    assert len(popups) == 4
    for popup in popups:
        back_lon, back_lat = gcj02_to_wgs84(*popup["asked"])
        assert popup["lon"] == pytest.approx(
            float(back_lon), abs=1e-4
        )  # a pixel (the shift is ~0.004)
        assert popup["lat"] == pytest.approx(float(back_lat), abs=1e-4)
    worst = compare(result, popups)
    assert worst.distance_m < 0.01
    assert opened.page_errors == []
    opened.page.close()


def test_a_crs_that_is_not_transverse_mercator_is_approximated_and_says_so(
    browser: Any, tmp_path: Path
) -> None:
    result = siteplan.analyze(crs="ESRI:102025")  # Asia North Albers equal-area conic
    path = write_map(result, tmp_path / "albers.html", offline=True)
    opened = open_page(browser, path)
    popups = click_points(opened, sample_points(result, None, seed=4), 6)
    assert len(popups) == 6
    worst = compare(result, popups)  # within 1 % (and 1 m)
    assert worst.distance_m < 0.05
    assert {p["mode"] for p in popups} == {"aeqd"}
    assert all("Approximate: ESRI:102025 is not a transverse Mercator" in p["text"] for p in popups)
    assert opened.page_errors == []
    opened.page.close()


def test_clicks_find_the_parcel_under_them(
    browser: Any, bundled: tuple[Result, CandidateResult], tmp_path: Path
) -> None:
    result, _ = bundled
    import geopandas as gpd

    boxes = [
        shapely.box(121.600 + 0.004 * i, 31.085, 121.603 + 0.004 * i, 31.088) for i in range(5)
    ]
    parcels = gpd.GeoDataFrame({"id": [f"p{i}" for i in range(5)]}, geometry=boxes, crs="EPSG:4326")
    cres = score_candidates(result, parcels=parcels, top=2, min_separation_m=0)
    path = write_map(result, tmp_path / "parcels.html", candidates=cres, offline=True)
    opened = open_page(browser, path)
    centres = [(float(b.centroid.x), float(b.centroid.y)) for b in boxes]
    popups = click_points(opened, centres, 5)
    assert len(popups) == 5
    compare(result, popups)
    for popup in popups:
        index = popup["candidate"]["index"]
        assert boxes[index].contains(shapely.Point(popup["lon"], popup["lat"]))
        assert popup["candidate"]["score"] == pytest.approx(round(cres.score[index], 4))
    assert opened.page_errors == []
    opened.page.close()


# -- hostile text -----------------------------------------------------------------------


def hostile_candidate_study(folder: Path) -> Path:
    """The hostile study with constraints whose names, notes and sources are hostile."""
    study = write_hostile_study(folder)
    tables = [
        f'[[constraints]]\nkind = "setback"\ndistance_m = 50\nname = {toml_string(p.text)}\n'
        f"note = {toml_string(PAYLOADS[(i + 1) % len(PAYLOADS)].text)}\n"
        f"source = {toml_string(PAYLOADS[(i + 2) % len(PAYLOADS)].text)}\n"
        for i, p in enumerate(PAYLOADS[:6])
    ]
    tables.append(
        f'[[constraints]]\nkind = "within"\nsite = {toml_string(PAYLOADS[0].text)}\n'
        f"distance_m = 1500\nnote = {toml_string(by_key('script_close'))}\n"
        f"source = {toml_string(by_key('template_literal'))}\n"
    )
    with study.open("a", encoding="utf-8") as handle:
        handle.write("\n" + "\n".join(tables))
    return study


POKE_JS = f"""
() => {{
  const map = {MAP_JS};
  let popups = 0, scores = 0;
  map.on("popupopen", (e) => {{
    if (e.popup.options.className.includes("siteplan-score-popup")) {{ scores += 1; }}
    else {{ popups += 1; }}
  }});
  const targets = [...document.querySelectorAll(
    "path.siteplan-excluded, div.siteplan-pick")];
  for (const el of targets) {{
    const box = el.getBoundingClientRect();
    const at = {{bubbles: true, cancelable: true, view: window,
                clientX: box.left + box.width / 2, clientY: box.top + box.height / 2}};
    for (const type of ["mouseover", "mousemove", "mousedown", "mouseup", "click", "mouseout"]) {{
      el.dispatchEvent(new MouseEvent(type, at));
    }}
  }}
  map.closePopup();
  return {{targets: targets.length, popups: popups, scores: scores}};
}}
"""


def test_hostile_candidate_map_runs_nothing(browser: Any, tmp_path: Path) -> None:
    result = siteplan.analyze(hostile_candidate_study(tmp_path / "study"))
    cres = score_candidates(result, cell_m=100, top=5)
    assert len(cres.constraints) == 2 + 7
    path = write_map(result, tmp_path / "hostile.html", candidates=cres, offline=True)
    opened = open_page(browser, path)
    page = opened.page
    title = page.title()
    seen = page.evaluate(POKE_JS)
    assert seen["targets"] == 9 + 5  # every excluded area and every pick
    assert seen["popups"] == 5  # the picks' own popups
    assert seen["scores"] == 9  # excluded areas pass the click on: it scores the point
    popups = click_points(opened, sample_points(result, cres, seed=5), 8)
    assert len(popups) == 8
    compare(result, popups)
    names = {p.text.replace("\r\n", "\n")[:79] for p in PAYLOADS}
    shown = "".join(p["text"] for p in popups)
    assert sum(name in shown for name in names) > 10  # hostile site names shown as text
    assert opened.dialogs == []
    assert page.evaluate(f"() => typeof window.{SENTINEL}") == "undefined"
    assert page.title() == title
    assert page.evaluate(SCAN_JS) == []
    assert opened.page_errors == []
    assert opened.external_requests() == []
    page.close()


def test_popup_data_is_machine_readable(browser: Any, candidate_map: Path) -> None:
    opened = open_page(browser, candidate_map)
    page = opened.page
    page.evaluate(HIDE_JS, list(POPUP_LAYERS))
    size = page.viewport_size
    page.mouse.click(size["width"] * 0.45, size["height"] * 0.5)
    page.wait_for_selector(".leaflet-popup .siteplan-score")
    popup = page.evaluate(POPUP_JS)
    assert json.loads(json.dumps(popup)) == popup  # plain numbers and text
    assert popup["text"].startswith("This point scores")
    assert len(popup["rows"]) == 4
    page.close()
