"""Hostile demand names on the access maps, in a real browser: nothing runs.

The access map (demand by index, catchment bands) and the plan map (``candidates --method
mclp --map``: demand covered, the picks' coverage) of a study whose demand features take
every payload of :mod:`hostile` as name and id are opened in headless Chromium (offline;
every request that is not a ``file:`` URL aborted). Every layer is switched on and every
demand, catchment and coverage feature is hovered and clicked. Then: no dialog opened,
``window.__pwned`` is unset, the title and the scripts are unchanged, no element carries
an ``on*`` attribute or a ``javascript:`` URL, no page error occurred, and every hostile
name is shown as text in a tooltip.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from browser import open_page
from test_access_map import TEXTS, _pages
from test_hostile_outputs_browser import (
    ENABLE_ALL_JS,
    MAP_JS,
    _collapse,
    as_parsed,
    assert_nothing_ran,
)

from siteplan.maps.escape import clean_text, truncate

pytestmark = pytest.mark.browser

ACCESS_FEATURES = "path.siteplan-demand, path.siteplan-catchment, path.siteplan-pick-coverage"

HOVER_JS = f"""
(selector) => {{
  const map = {MAP_JS};
  L.Popup.prototype.options.autoPan = false;
  const texts = [];
  map.on("tooltipopen", (e) => texts.push(e.tooltip.getElement().textContent));
  const targets = [...document.querySelectorAll(selector)];
  let withTooltip = 0;
  for (const el of targets) {{
    const box = el.getBoundingClientRect();
    const at = {{bubbles: true, cancelable: true, view: window,
                clientX: box.left + box.width / 2, clientY: box.top + box.height / 2}};
    const before = texts.length;
    for (const type of ["mouseover", "mousemove", "mousedown", "mouseup", "click", "mouseout"]) {{
      el.dispatchEvent(new MouseEvent(type, at));
    }}
    withTooltip += texts.length > before ? 1 : 0;
  }}
  map.closePopup();
  return {{targets: targets.length, withTooltip, texts}};
}}
"""


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("access-browser")
    files = {}
    for name, html in _pages(folder / "study", TEXTS).items():
        path = folder / f"{name}.html"
        path.write_text(html, encoding="utf-8")
        files[name] = path
    return files


@pytest.mark.parametrize("page", ["access_map", "plan_map"])
def test_hostile_demand_runs_nothing(browser: Any, written: dict[str, Path], page: str) -> None:
    opened = open_page(browser, written[page])
    tab = opened.page
    title = tab.title()
    assert title == _collapse("Access fixture")
    scripts = tab.evaluate("() => document.scripts.length")
    assert tab.evaluate(ENABLE_ALL_JS) is True
    seen = tab.evaluate(HOVER_JS, ACCESS_FEATURES)
    demand = tab.evaluate("() => document.querySelectorAll('path.siteplan-demand').length")
    assert demand == len(TEXTS)
    if page == "access_map":
        catchments = tab.evaluate(
            "() => document.querySelectorAll('path.siteplan-catchment').length"
        )
        assert catchments == 2 * 4  # two sites, four rings
    else:
        coverage = tab.evaluate(
            "() => document.querySelectorAll('path.siteplan-pick-coverage').length"
        )
        assert coverage == 2  # --top 2
    assert seen["withTooltip"] == seen["targets"] > len(TEXTS)
    shown = "\n".join(seen["texts"])
    for text in TEXTS:
        assert as_parsed(truncate(clean_text(text), 80))[:40] in shown, text[:60]
    assert_nothing_ran(opened, title, scripts, settle_ms=150)
    opened.close()
