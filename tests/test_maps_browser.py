"""Offline maps in a real browser: headless Chromium driven by Playwright.

Every request that is not a ``file:`` or ``data:`` URL is aborted, so these
tests also prove the offline map needs no network. They skip, saying why, when
Playwright or Chromium is missing, unless ``SITEPLAN_REQUIRE_BROWSER=1`` (set by
``.ci/run``), in which case they fail.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from browser import SCAN_JS, open_page
from hostile import PAYLOADS, SENTINEL, by_key, filename_safe, write_hostile_study

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
