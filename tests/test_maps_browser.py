"""Offline maps in a real browser: headless Chromium driven by Playwright.

Every request that is not a ``file:`` or ``data:`` URL is aborted, so these
tests also prove the offline map needs no network. They skip, saying why, when
Playwright or Chromium is missing, unless ``SITEPLAN_REQUIRE_BROWSER=1`` (set by
``.ci/run``), in which case they fail.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pytest
import shapely
from browser import SCAN_JS, open_page
from hostile import PAYLOADS, SENTINEL, by_key, filename_safe, write_hostile_study
from pyproj import Transformer

import siteplan
from siteplan.analysis import LARGE_STUDY
from siteplan.maps.escape import clean_text
from siteplan.maps.make import write_map

pytestmark = pytest.mark.browser

TILE_HOST = "https://tiles.example.org/"
TILE_URL = TILE_HOST + "{z}/{x}/{y}.png"


COUNT_JS = """
() => ({
  sites: document.querySelectorAll("path.siteplan-site").length,
  rings: document.querySelectorAll("path.siteplan-ring").length,
  pairs: document.querySelectorAll("path.siteplan-pair").length,
  labels: document.querySelectorAll(".siteplan-pair-label").length,
  context: document.querySelectorAll("path.siteplan-context").length,
  boundary: document.querySelectorAll("path.siteplan-boundary").length,
})
"""

TOGGLE_JS = """
(text) => {
  const labels = [...document.querySelectorAll(".leaflet-control-layers-overlays label")];
  const label = labels.find((l) => l.textContent.includes(text));
  label.querySelector("input").click();
  return label.querySelector("input").checked;
}
"""

ENABLE_ALL_JS = """
() => {
  const inputs = [...document.querySelectorAll(".leaflet-control-layers-overlays input")];
  inputs.filter((i) => !i.checked).forEach((i) => i.click());
  return inputs.every((i) => i.checked);
}
"""

POKE_ALL_JS = """
() => {
  const map = window[Object.keys(window).find((k) => /^map_sp/.test(k))];
  const seen = {popups: 0, tooltips: 0, names: [], withTooltip: 0, withPopup: 0, scores: 0};
  map.on("popupopen", (e) => {
    // a click on a feature without a popup of its own scores the point instead
    if (e.popup.options.className.includes("siteplan-score-popup")) { seen.scores += 1; return; }
    seen.popups += 1;
    const name = e.popup.getElement().querySelector(".siteplan-name");
    if (name) { seen.names.push(name.textContent); }
  });
  map.on("tooltipopen", () => { seen.tooltips += 1; });
  const targets = [...document.querySelectorAll("path.leaflet-interactive")];
  for (const el of targets) {
    const box = el.getBoundingClientRect();
    const at = {bubbles: true, cancelable: true, view: window,
                clientX: box.left + box.width / 2, clientY: box.top + box.height / 2};
    const before = {tooltips: seen.tooltips, popups: seen.popups};
    for (const type of ["mouseover", "mousemove", "mousedown", "mouseup", "click", "mouseout"]) {
      el.dispatchEvent(new MouseEvent(type, at));
    }
    seen.withTooltip += seen.tooltips > before.tooltips ? 1 : 0;
    seen.withPopup += seen.popups > before.popups ? 1 : 0;
  }
  map.closePopup();
  seen.targets = targets.length;
  return seen;
}
"""


def test_offline_map_renders_with_no_network(browser: Any, tmp_path: Path) -> None:
    path = write_map(siteplan.analyze(), tmp_path / "map.html", offline=True)
    opened = open_page(browser, path)
    page = opened.page
    assert page.evaluate("() => L.version") == "1.9.3"
    assert page.evaluate(COUNT_JS) == {
        "sites": 4,
        "rings": 4,  # only the focus site's rings at first
        "pairs": 6,
        "labels": 6,
        "context": 6,  # 5 metro stations and the river
        "boundary": 1,
    }
    corner = ".leaflet-control-container"
    assert page.locator(f"{corner} .siteplan-legend").is_visible()
    assert "viridis" in page.locator(".siteplan-legend").inner_text()
    assert "SCHEMATIC" in page.locator(f"{corner} .siteplan-note").inner_text()
    assert page.locator(".leaflet-control-scale").count() == 1
    # sites, pairs, 4 ring groups, boundary, stations, river
    assert page.locator(".leaflet-control-layers-overlays label").count() == 9

    assert page.evaluate(TOGGLE_JS, "Rings: Shanghai Proton") is True
    assert page.evaluate(COUNT_JS)["rings"] == 8
    assert page.evaluate(TOGGLE_JS, "Rings: Zhangjiang Gene Island") is False
    assert page.evaluate(COUNT_JS)["rings"] == 4

    seen = page.evaluate(POKE_ALL_JS)
    assert seen["withPopup"] == seen["popups"] == 4 + 5 + 1 + 1  # sites, stations, river, boundary
    assert seen["scores"] == 4 + 6  # rings and pair lines: click to score
    assert seen["withTooltip"] == seen["targets"] == 4 + 4 + 6 + 5 + 1 + 1  # + the river
    assert "Zhangjiang Gene Island (CGT park)" in seen["names"]

    assert opened.page_errors == []
    assert opened.console_errors == []
    assert opened.external_requests() == []
    page.close()


@pytest.fixture(scope="module")
def hostile_map(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    result = siteplan.analyze(write_hostile_study(folder / "study"))
    return write_map(
        result,
        folder / "map.html",
        offline=True,
        tiles=TILE_URL,
        attribution=by_key("img_onerror"),
        # clicking ~1000 features would open ~1000 score popups (slow); click-to-score on
        # hostile names is tested in test_candidate_map_browser.py
        click_score=False,
    )


@pytest.mark.slow
def test_hostile_names_run_nothing_when_hovered_and_clicked(
    browser: Any, hostile_map: Path
) -> None:
    opened = open_page(browser, hostile_map)
    page = opened.page
    title = page.title()
    assert title == by_key("title_close")
    assert page.evaluate(ENABLE_ALL_JS) is True
    counts = page.evaluate(COUNT_JS)
    n = len(PAYLOADS)
    assert counts["sites"] == n
    assert counts["rings"] == 4 * n
    assert counts["pairs"] == n * (n - 1) // 2 if n <= LARGE_STUDY else counts["pairs"] > 0
    assert counts["context"] == len(filename_safe())

    seen = page.evaluate(POKE_ALL_JS)
    assert seen["targets"] == sum(counts.values()) - counts["labels"]
    assert seen["withTooltip"] == seen["targets"]
    assert seen["withPopup"] == seen["popups"] == n + len(filename_safe()) + 1
    # every site name is shown literally (HTML parsing turns CR LF into LF)
    expected = {clean_text(p.text).replace("\r\n", "\n") for p in PAYLOADS}
    assert expected <= set(seen["names"])

    assert opened.dialogs == []
    assert page.evaluate(f"() => typeof window.{SENTINEL}") == "undefined"
    assert page.title() == title
    assert page.evaluate(SCAN_JS) == []
    attribution = page.locator(".leaflet-control-attribution").inner_text()
    assert by_key("img_onerror") in attribution
    labels = page.locator(".leaflet-control-layers-overlays label").all_inner_texts()
    assert any(by_key("svg_onload") in label for label in labels)

    assert opened.page_errors == []
    tile_errors = [e for e in opened.console_errors if e[1].startswith(TILE_HOST)]
    assert opened.console_errors == tile_errors  # only the aborted tile requests
    assert all(u.startswith(TILE_HOST) for u in opened.external_requests())
    page.close()


# -- network measures: isochrone bands and click-to-score along the roads -------------

BANDS_JS = """
() => {
  const map = window[Object.keys(window).find((k) => /^map_sp/.test(k))];
  const tips = [];
  map.eachLayer((layer) => {
    const el = layer.getElement && layer.getElement();
    if (el && el.classList && el.classList.contains("siteplan-ring") && layer.getTooltip()) {
      const content = layer.getTooltip().getContent();
      tips.push(typeof content === "string" ? content : content.textContent);
    }
  });
  return tips;
}
"""

CLICKS_JS = """
(points) => {
  const map = window[Object.keys(window).find((k) => /^map_sp/.test(k))];
  const out = [];
  let box = null;
  map.on("popupopen", (e) => { box = e.popup.getElement().querySelector(".siteplan-score"); });
  for (const [lon, lat] of points) {
    box = null;
    map.fire("click", {latlng: L.latLng(lat, lon)});
    out.push({score: Number(box.getAttribute("data-score")),
      rows: [...box.querySelectorAll("tr.siteplan-score-site")].map(
        (tr) => Number(tr.getAttribute("data-distance"))),
      text: box.textContent});
    map.closePopup();
  }
  return out;
}
"""


def _networkx_minutes(result: Any, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Minutes from each point to each site (id order) with networkx on the same segments.

    Independent of siteplan's searches: points and site footprints join the nearest
    point of the nearest segment (shapely), their segments are split there, and one
    networkx Dijkstra per site runs on the reversed graph; connectors are walked.
    """
    net = result.network.network
    segs = shapely.linestrings(np.stack([net.node_xy[net.seg_u], net.node_xy[net.seg_v]], axis=1))
    walk = net.params.walk_kmh * 1000 / 60
    minutes = net.seg_length / (net.seg_kmh * 1000 / 60)
    sites = result.sites_m.sort_values("id", kind="stable")
    places = list(shapely.points(x, y)) + list(sites.geometry)
    joins: dict[int, list[tuple[float, str]]] = {}
    connector = []
    for k, place in enumerate(places):
        d = shapely.distance(place, segs)
        s = int(np.argmin(d))
        if d[s] > net.params.snap_max_m:
            connector.append(np.inf)
            continue
        line = shapely.shortest_line(place, segs[s])
        on = shapely.get_coordinates(line)[1]
        a, b = net.node_xy[net.seg_u[s]], net.node_xy[net.seg_v[s]]
        t = float(np.clip(np.dot(on - a, b - a) / np.dot(b - a, b - a), 0, 1))
        joins.setdefault(s, []).append((t, f"p{k}"))
        connector.append(float(shapely.length(line)))
    graph = nx.DiGraph()
    for s in range(net.n_segments):
        chain = [(0.0, int(net.seg_u[s])), *sorted(joins.get(s, [])), (1.0, int(net.seg_v[s]))]
        for (t0, n0), (t1, n1) in itertools.pairwise(chain):
            w = (t1 - t0) * minutes[s]
            for tail, head, ok in ((n0, n1, net.seg_forward[s]), (n1, n0, net.seg_backward[s])):
                if ok and (not graph.has_edge(tail, head) or graph[tail][head]["w"] > w):
                    graph.add_edge(tail, head, w=w)
    reverse = graph.reverse(copy=True)
    out = np.full((len(x), len(sites)), np.inf)
    for j in range(len(sites)):
        k = len(x) + j
        if not np.isfinite(connector[k]):
            continue
        lengths = nx.single_source_dijkstra_path_length(reverse, f"p{k}", weight="w")
        for i in range(len(x)):
            if f"p{i}" in lengths and np.isfinite(connector[i]):
                out[i, j] = lengths[f"p{i}"] + (connector[i] + connector[k]) / walk
    return out


def test_network_map_draws_isochrones_and_scores_clicks_along_the_roads(
    browser: Any, tmp_path: Path
) -> None:
    result = siteplan.analyze(measure="time")
    path = write_map(result, tmp_path / "map.html", offline=True)
    opened = open_page(browser, path)
    page = opened.page
    # the focus site's four bands, drawn from its reached roads and labelled in minutes
    focus = result.rings[result.rings["site_id"] == result.study.focus]
    drawn = int((~focus.geometry.is_empty).sum())
    assert drawn >= 3
    assert page.evaluate(COUNT_JS)["rings"] == drawn
    tips = page.evaluate(BANDS_JS)
    assert len(tips) == drawn
    assert all("min to" in t and "along the roads" in t for t in tips)
    assert any(t.startswith("0 min to 5 min") for t in tips)
    legend = page.inner_text(".siteplan-legend")
    assert "isochrone bands (reached roads): 5 / 10 / 15 / 30 min" in legend
    assert "travel time along the roads (walk)" in legend

    # clicks score along the roads, as networkx on the same graph and score_locations do
    rng = np.random.default_rng(12)
    x0, y0, x1, y1 = shapely.total_bounds(result.sites_m.geometry)
    x = np.concatenate([rng.uniform(x0 - 800, x1 + 800, 40), [x1 + 5000]])
    y = np.concatenate([rng.uniform(y0 - 800, y1 + 800, 40), [y1 + 5000]])
    lon, lat = Transformer.from_crs(result.crs, "EPSG:4326", always_xy=True).transform(x, y)
    got = page.evaluate(CLICKS_JS, np.stack([lon, lat], axis=1).tolist())
    want = _networkx_minutes(result, x, y)
    table = siteplan.score_locations(result, lon, lat)
    ids = sorted(str(i) for i in result.sites["id"])
    python = table[[f"distance_min_{i}" for i in ids]].to_numpy(dtype=float)
    reach = result.parameters.decay.cutoff_m
    assert reach is not None
    shown = 0
    for i, row in enumerate(got):
        page_min = np.asarray(row["rows"], dtype=float)
        for j in range(len(ids)):
            if np.isfinite(page_min[j]):
                shown += 1
                for ref in (want[i, j], python[i, j]):
                    assert abs(page_min[j] - ref) <= max(0.02 * ref, 0.5), (i, j, page_min, ref)
            else:  # beyond the decay's reach, or not reachable at all
                assert not want[i, j] <= reach - 1e-6, (i, j, want[i, j])
                assert not python[i, j] <= reach - 1e-6, (i, j, python[i, j])
        if not np.any(np.abs(want[i][np.isfinite(want[i])] - 5 * np.arange(1, 7)[:, None]) < 1e-3):
            assert abs(row["score"] - float(table["score"].iloc[i])) < 1e-6, (i, row)
    assert shown > 40
    assert "along the roads" in got[0]["text"]
    assert not np.isfinite(got[-1]["rows"]).any()  # 5 km out: beyond snap_max_m
    assert got[-1]["score"] == 0
    assert "Nearest" not in got[-1]["text"]  # no site is reached
    assert not opened.page_errors
    assert not opened.external_requests()
    opened.close()
