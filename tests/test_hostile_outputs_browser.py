"""Hostile strings in a real browser: every HTML output, every feature hovered and clicked.

The hostile studies of :mod:`test_hostile_outputs` (every payload of :mod:`hostile`
in every field) are written as the offline site map, the candidate map on a
grid and on parcels, and the HTML report, and opened in headless Chromium with
every request that is not a ``file:`` or ``data:`` URL aborted. On the maps,
every path and marker (sites, rings, pair lines, context, boundary, exclusion
areas, excluded areas, picks) is hovered and clicked, and the map is clicked on
every candidate cell or parcel (click-to-score, which also reports the cell and
the constraint that excludes it). Then: no dialog opened, ``window.__pwned``
(:data:`hostile.SENTINEL`) is unset, ``document.title`` is unchanged, no element
carries an ``on*`` attribute or a ``javascript:`` URL, no script was added, no
page error occurred, and every site, ring, pair line and pick is still drawn
with its hostile name shown as text. The study name and tile attribution take
every payload in turn (``slow``).

They skip, saying why, when Playwright or Chromium is missing, unless
``SITEPLAN_REQUIRE_BROWSER=1`` (set by ``.ci/run``), in which case they fail.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from browser import Opened, load, new_tab, open_page
from hostile import ENV_SENTINEL, PAYLOADS, SENTINEL, Payload
from test_hostile_outputs import CHUNKS, TILE_URL, Study, build_chunk, stub_pictures

import siteplan
from siteplan.analysis import LARGE_STUDY, Result
from siteplan.candidates import CandidateResult
from siteplan.maps.escape import clean_text, truncate
from siteplan.maps.make import make_map, render_map
from siteplan.render.report import render_report

pytestmark = pytest.mark.browser

TILE_HOST = "https://tiles.example.org/"
MAPS = ("map_offline", "candidate_map", "parcel_map")
CONTROL = re.compile("[\x00-\x1f\x7f]")


@pytest.fixture(autouse=True)
def _no_template_injection() -> Iterator[None]:
    yield
    assert ENV_SENTINEL not in os.environ, "user text was evaluated as a Jinja template"


def assert_nothing_ran(opened: Opened, title: str, scripts: int, settle_ms: int = 0) -> None:
    """No dialog, no sentinel, the same title and scripts, no code in attributes, no error.

    ``settle_ms`` gives handlers of elements added after loading (``onerror`` of an image
    in a popup, ``ontoggle``) time to fire; the load event waits for what the page holds.
    """
    page = opened.page
    if settle_ms:
        page.wait_for_timeout(settle_ms)
    assert opened.dialogs == []
    assert page.evaluate(f"() => typeof window.{SENTINEL}") == "undefined"
    assert page.title() == title
    assert page.evaluate("() => document.scripts.length") == scripts
    assert page.evaluate(SCAN_JS) == []
    assert opened.page_errors == []
    tile_errors = [e for e in opened.console_errors if e[1].startswith(TILE_HOST)]
    assert opened.console_errors == tile_errors  # only the aborted tile requests
    assert all(u.startswith(TILE_HOST) for u in opened.external_requests())


def _collapse(text: str) -> str:
    """Return ``text`` as ``document.title`` gives it: ASCII whitespace collapsed, stripped."""
    out: list[str] = []
    space = False
    for ch in text:
        if ch in " \t\n\f\r":
            space = True
            continue
        if space and out:
            out.append(" ")
        space = False
        out.append(ch)
    return "".join(out)


def as_parsed(text: str) -> str:
    """Return ``text`` as an HTML parser puts it in the DOM (CR LF and CR become LF)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


EVERY_FEATURE = "path.leaflet-interactive, .leaflet-marker-icon.leaflet-interactive"
CANDIDATE_FEATURES = "path.siteplan-excluded, .siteplan-pick.leaflet-interactive"
MAP_JS = "window[Object.keys(window).find((k) => /^map_sp/.test(k))]"

ENABLE_ALL_JS = """
() => {
  const inputs = [...document.querySelectorAll(".leaflet-control-layers-overlays input")];
  inputs.filter((i) => !i.checked).forEach((i) => i.click());
  return inputs.every((i) => i.checked);
}
"""

COUNT_JS = """
() => {
  const count = (selector) => document.querySelectorAll(selector).length;
  return {
    sites: count("path.siteplan-site"),
    rings: count("path.siteplan-ring"),
    pairs: count("path.siteplan-pair"),
    labels: count(".siteplan-pair-label"),
    context: count("path.siteplan-context"),
    boundary: count("path.siteplan-boundary"),
    exclusion: count("path.siteplan-exclusion"),
    excluded: count("path.siteplan-excluded"),
    picks: count(".siteplan-pick.leaflet-marker-icon"),
    canvas: count("canvas"),
  };
}
"""

POKE_JS = f"""
(args) => {{
  const [selector, cells] = args;
  const map = {MAP_JS};
  L.Popup.prototype.options.autoPan = false;  // panning would redraw every layer per click
  const seen = {{popups: 0, tooltips: 0, withTooltip: 0, withPopup: 0, scores: 0,
                names: [], candidates: [], rows: []}};
  let onCells = false;
  map.on("popupopen", (e) => {{
    const el = e.popup.getElement();
    if (e.popup.options.className.includes("siteplan-score-popup")) {{
      seen.scores += 1;
      const cell = el.querySelector(".siteplan-score-candidate");
      if (cell && onCells) {{ seen.candidates.push(cell.textContent); }}
      if (seen.rows.length === 0) {{
        el.querySelectorAll(".siteplan-score-site td:first-child")
          .forEach((td) => seen.rows.push(td.textContent));
      }}
      return;
    }}
    seen.popups += 1;
    const name = el.querySelector(".siteplan-name");
    if (name) {{ seen.names.push(name.textContent); }}
  }});
  map.on("tooltipopen", () => {{ seen.tooltips += 1; }});
  const targets = [...document.querySelectorAll(selector)];
  for (const el of targets) {{
    const box = el.getBoundingClientRect();
    const at = {{bubbles: true, cancelable: true, view: window,
                clientX: box.left + box.width / 2, clientY: box.top + box.height / 2}};
    const before = {{tooltips: seen.tooltips, popups: seen.popups}};
    for (const type of ["mouseover", "mousemove", "mousedown", "mouseup", "click", "mouseout"]) {{
      el.dispatchEvent(new MouseEvent(type, at));
    }}
    seen.withTooltip += seen.tooltips > before.tooltips ? 1 : 0;
    seen.withPopup += seen.popups > before.popups ? 1 : 0;
  }}
  // click-to-score on every candidate cell or parcel (the surface's canvas is not
  // interactive: a click on it is the map's)
  onCells = true;
  for (const [lon, lat] of cells) {{
    map.fire("click", {{latlng: L.latLng(lat, lon)}});
  }}
  map.closePopup();
  seen.targets = targets.length;
  return seen;
}}
"""

SCAN_JS = """
() => {
  const bad = [];
  for (const el of document.querySelectorAll("*")) {
    for (const attr of el.attributes) {
      // data-* attributes are never loaded or run (the edit panel keys its rows by site id)
      const url =
        !/^data-/i.test(attr.name) && /^\\s*(javascript|vbscript|data):/i.test(attr.value);
      if (/^on/i.test(attr.name) || url) {
        if (!(el.tagName === "IMG" && /^data:image\\/png;base64,/.test(attr.value))) {
          bad.push(el.tagName + " " + attr.name);
        }
      }
    }
  }
  const unexpected = ["img:not(.leaflet-tile):not(figure img)", "iframe", "object", "embed",
    "noscript", "details", "meta[http-equiv=refresh]", "base",
    "form:not(.siteplan-scenario-add)", "template", "textarea"];  // the edit panel's own form
  document.querySelectorAll(unexpected.join(", ")).forEach((el) => bad.push(el.tagName));
  return bad;
}
"""

REPORT_JS = """
() => {
  let n = 0;
  for (const el of document.body.querySelectorAll("*")) {
    for (const type of ["mouseover", "mousedown", "mouseup", "click", "mouseout"]) {
      el.dispatchEvent(new MouseEvent(type, {bubbles: true, cancelable: true, view: window}));
    }
    n += 1;
  }
  const ranking = document.querySelector("#ranking table");
  return {elements: n, rows: ranking.querySelectorAll("tbody tr").length,
          cells: [...ranking.querySelectorAll("tbody tr td:nth-child(2)")]
            .map((td) => td.textContent),
          images: document.images.length};
}
"""


# -- the hostile outputs ------------------------------------------------------------------


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[int, tuple[Study, dict[str, Path]]]:
    """Each chunk's hostile study and its HTML outputs written to files."""
    out = {}
    for chunk in range(CHUNKS):
        folder = tmp_path_factory.mktemp(f"browser{chunk}")
        # the report's pictures are PNGs (nothing in them can run): drawn by the HTML tests
        study, _ = build_chunk(folder, chunk, twin=False, pictures=False)
        files = {}
        for name in (*MAPS, "report"):
            files[name] = folder / f"{name}.html"
            files[name].write_text(study.pages[name], encoding="utf-8")
        out[chunk] = (study, files)
    return out


def chosen_cells(cres: CandidateResult, parcels: bool) -> list[int]:
    """Return the candidates to click: every parcel; on the grid, the picks, two cells
    excluded by each constraint and every 20th cell."""
    if parcels:
        return list(range(len(cres)))
    chosen = set(cres.pick_index.tolist()) | set(range(0, len(cres), 20))
    for code in np.unique(cres.excluded_code[cres.excluded_code >= 0]):
        chosen |= set(np.flatnonzero(cres.excluded_code == code)[:2].tolist())
    return sorted(chosen)


@pytest.mark.parametrize("page", MAPS)
@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_hostile_maps_run_nothing_when_every_feature_is_hovered_and_clicked(
    browser: Any,
    written: dict[int, tuple[Study, dict[str, Path]]],
    chunk: int,
    page: str,
) -> None:
    study, files = written[chunk]
    opened = open_page(browser, files[page])
    tab = opened.page
    title = tab.title()
    assert title == _collapse(clean_text(study.name))
    scripts = tab.evaluate("() => document.scripts.length")
    assert tab.evaluate(ENABLE_ALL_JS) is True
    counts = tab.evaluate(COUNT_JS)
    n = len(study.texts)
    cres = {"candidate_map": study.grid, "parcel_map": study.parcels}.get(page)
    assert counts["sites"] == n
    assert counts["rings"] == 4 * n
    # above 50 sites only the pairs within the first ring keep a line (DESIGN.md, Scale)
    drawn = int((~study.result.pairs.geometry.is_empty & study.result.pairs.geometry.notna()).sum())
    assert counts["pairs"] == counts["labels"] == drawn
    if n <= LARGE_STUDY:
        assert drawn == n * (n - 1) // 2
    assert counts["context"] == n + len(study.file_names)
    assert counts["boundary"] == counts["exclusion"] == n
    chosen = [] if cres is None else chosen_cells(cres, page == "parcel_map")
    cells = [] if cres is None else [[cres.lonlat[0][i], cres.lonlat[1][i]] for i in chosen]
    if cres is not None:
        assert counts["picks"] == len(cres.picks) == 5
        assert counts["excluded"] == int((~cres.constraint_areas().geometry.is_empty).sum())
        assert counts["canvas"] >= 1

    if cres is None:  # every feature of the site map
        seen = tab.evaluate(POKE_JS, [EVERY_FEATURE, cells])
        base = ("sites", "rings", "pairs", "context", "boundary", "exclusion")
        # every feature, plus each site's edit handle (a marker)
        assert seen["targets"] == sum(counts[k] for k in base) + n
        # sites, context points, the boundary and the exclusion areas have popups
        assert seen["withPopup"] == seen["popups"] == n + counts["context"] + 2 * n
        names = {as_parsed(clean_text(t)) for t in study.texts}
        assert names <= set(seen["names"])  # every site name shown as text
        assert seen["scores"] == counts["rings"] + counts["pairs"]  # they score the click
    else:  # the same features are poked on the site map: here the candidates' own
        seen = tab.evaluate(POKE_JS, [CANDIDATE_FEATURES, cells])
        assert seen["targets"] == counts["excluded"] + counts["picks"]
        assert seen["withPopup"] == seen["popups"] == counts["picks"]
        assert seen["scores"] == counts["excluded"] + len(cells)
    assert seen["withTooltip"] == seen["targets"]
    # the click-to-score popup lists every site by name, as text
    assert set(seen["rows"]) == {truncate(clean_text(t), 80) for t in study.texts}
    if cres is not None:
        assert len(seen["candidates"]) == len(cells)  # each click found its candidate
        names = [cres.constraints[cres.excluded_code[i]].name for i in chosen]
        expected = [names[k] for k, i in enumerate(chosen) if cres.excluded_code[i] >= 0]
        shown = [
            t.split("; excluded by ", 1)[1] for t in seen["candidates"] if "; excluded by " in t
        ]
        assert shown == expected  # constraint names shown as text
        assert len(expected) > 2 or page == "parcel_map"
    assert_nothing_ran(opened, title, scripts, settle_ms=150)
    opened.close()


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_hostile_reports_run_nothing(
    browser: Any, written: dict[int, tuple[Study, dict[str, Path]]], chunk: int
) -> None:
    study, files = written[chunk]
    opened = open_page(browser, files["report"], leaflet=False)
    tab = opened.page
    title = tab.title()
    if not CONTROL.search(study.name):  # Chromium's title also folds control characters
        assert title == _collapse(f"Proximity report: {study.name}")
    seen = tab.evaluate(REPORT_JS)
    assert seen["rows"] == len(study.texts)
    assert sorted(seen["cells"]) == sorted(as_parsed(t) for t in study.texts)
    assert seen["images"] == 2
    assert_nothing_ran(opened, title, 0)
    opened.close()


# -- the study name and the tile attribution, every payload ------------------------------


@pytest.mark.slow
def test_every_payload_as_study_name_and_attribution(browser: Any, tmp_path: Path) -> None:
    result = siteplan.analyze()
    tab = new_tab(browser)
    for payload in PAYLOADS:
        check_named(tab, result, payload, tmp_path)
    tab.close()


def check_named(tab: Opened, result: Result, payload: Payload, folder: Path) -> None:
    text = payload.text
    renamed = dataclasses.replace(result, study=dataclasses.replace(result.study, name=text))
    path = folder / f"{payload.key}.html"
    path.write_text(
        render_map(make_map(renamed, offline=True, tiles=TILE_URL, attribution=text)),
        encoding="utf-8",
    )
    page = load(tab, path).page
    title = page.title()
    assert title == _collapse(clean_text(text)), payload.key
    scripts = page.evaluate("() => document.scripts.length")
    shown = as_parsed(clean_text(text))
    attribution = page.locator(".leaflet-control-attribution").text_content()
    assert shown in attribution, payload.key  # the credit is shown, as text
    assert page.locator(".siteplan-title h1").text_content() == shown, payload.key
    assert page.evaluate(COUNT_JS)["sites"] == 4
    assert_nothing_ran(tab, title, scripts)
    with stub_pictures():
        path.write_text(render_report(renamed, "html"), encoding="utf-8")
    page = load(tab, path, leaflet=False).page
    if not CONTROL.search(text):  # Chromium's title also folds control characters
        assert page.title() == _collapse(f"Proximity report: {text}"), payload.key
    assert page.locator("h1").text_content() == as_parsed(f"Proximity report: {text}")
    assert_nothing_ran(tab, page.title(), 0)
