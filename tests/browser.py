"""Headless Chromium for the browser tests (Playwright), shared by the ``*_browser`` tests.

- :func:`launch_chromium`: one headless Chromium with a fresh profile; behind the
  module-scoped ``browser`` fixture of ``conftest.py``. When Playwright or Chromium
  is missing or Chromium does not start, the test skips, saying why, unless
  ``SITEPLAN_REQUIRE_BROWSER=1`` (set by ``.ci/run``), in which case it fails.
- :func:`new_tab`, :func:`load`, :func:`open_page`: tabs that record page errors,
  console errors, requests and dialogs (dismissed), and abort every request that is
  not a ``file:`` or ``data:`` URL, so the pages are also shown to need no network.
- :data:`SCAN_JS`: lists the elements of a page that carry code or embed content.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import pytest

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOCAL = ("file:", "data:")
# Elements that carry code (``on*`` attributes, ``javascript:`` URLs) or embed content.
SCAN_JS = """
() => {
  const bad = [];
  for (const el of document.querySelectorAll("*")) {
    for (const attr of el.attributes) {
      // data-* attributes are never loaded or run (the edit panel keys its rows by site id)
      const url = !/^data-/i.test(attr.name) && /^\\s*javascript:/i.test(attr.value);
      if (/^on/i.test(attr.name) || url) {
        bad.push(el.tagName + " " + attr.name);
      }
    }
  }
  document.querySelectorAll("img:not(.leaflet-tile), iframe, object, embed, noscript")
    .forEach((el) => bad.push(el.tagName));
  return bad;
}
"""


def _unavailable(reason: str) -> NoReturn:
    if os.environ.get("SITEPLAN_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason}, but SITEPLAN_REQUIRE_BROWSER=1 requires the browser tests")
    pytest.skip(reason)


@contextmanager
def launch_chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Yield a persistent browser context of headless Chromium with a fresh profile."""
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        _unavailable("the playwright Python package is not installed")
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        _unavailable("Chromium is not installed (Debian: apt-get install chromium)")
    with sync_playwright() as playwright:
        try:
            context = playwright.chromium.launch_persistent_context(
                str(tmp_path_factory.mktemp("chromium-profile")),
                executable_path=executable,
                headless=True,
                args=CHROMIUM_ARGS,
                viewport={"width": 1280, "height": 800},
            )
        except Error as exc:
            _unavailable(f"Chromium does not start: {str(exc).splitlines()[0]}")
        yield context
        context.close()


@dataclass
class Opened:
    """A page with everything it reported; console errors are ``(text, script URL)``."""

    page: Any
    page_errors: list[str] = field(default_factory=list)
    console_errors: list[tuple[str, str]] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def external_requests(self) -> list[str]:
        return [u for u in self.requests if not u.startswith(LOCAL)]

    def close(self) -> None:
        self.page.close()


def new_tab(context: Any) -> Opened:
    """Open a tab that records errors, requests and dialogs and aborts non-file requests."""
    page = context.new_page()
    opened = Opened(page)
    page.on("pageerror", lambda exc: opened.page_errors.append(str(exc)))
    page.on(
        "console",
        lambda msg: (
            opened.console_errors.append((msg.text, msg.location.get("url", "")))
            if msg.type == "error"
            else None
        ),
    )
    page.on("request", lambda request: opened.requests.append(request.url))

    def dialog(d: Any) -> None:
        opened.dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", dialog)
    page.route(
        "**/*",
        lambda route: route.continue_() if route.request.url.startswith(LOCAL) else route.abort(),
    )
    return opened


def load(opened: Opened, path: Path, *, leaflet: bool = True) -> Opened:
    """Load ``path`` in the tab (forgetting what earlier pages reported).

    With ``leaflet`` (default), wait until Leaflet and the layer control are there.
    """
    for record in (opened.page_errors, opened.console_errors, opened.requests, opened.dialogs):
        record.clear()
    opened.page.goto(path.as_uri())
    if leaflet:
        opened.page.wait_for_function(
            "() => window.L && document.querySelector('.leaflet-control-layers')"
        )
    return opened


def open_page(context: Any, path: Path, *, leaflet: bool = True) -> Opened:
    """Open ``path`` in a new recording tab (see :func:`new_tab` and :func:`load`)."""
    return load(new_tab(context), path, leaflet=leaflet)
