"""Fixtures shared by the whole test suite.

- ``write_geojson``: write a dict (as JSON), a str (as UTF-8) or bytes (as they
  are) to a file under ``tmp_path`` and return its path.
- ``bundled``: the bundled SIMZ study file.
- ``bundled_result`` / ``bundled_candidates``: ``siteplan.analyze()`` and
  ``siteplan.score_candidates(result)`` of the bundled study, computed once per
  session. They are shared: read them, never modify them (copy a frame first).
- ``run_cli``: run ``siteplan`` in-process with click's CliRunner and return
  ``(exit_code, stdout, stderr)``.
- ``browser``: one headless Chromium per test module (see ``tests/browser.py``).

Test geometries and GeoJSON builders live in ``tests/geometries.py``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from browser import launch_chromium
from click.testing import CliRunner

import siteplan
from siteplan.cli import main
from siteplan.load.study import bundled_study_path

# Scripts that run under QGIS's own Python (tests/test_qgis.py starts them in a
# subprocess); pytest's --doctest-modules must not import them here.
collect_ignore = ["qgis"]

if TYPE_CHECKING:
    from siteplan.analysis import Result
    from siteplan.candidates.result import CandidateResult

WriteGeoJSON = Callable[..., Path]
RunCLI = Callable[..., tuple[int, str, str]]


@pytest.fixture(autouse=True, scope="session")
def _private_graph_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Keep network graphs the tests build out of the user's cache folder."""
    import os

    previous = os.environ.get("SITEPLAN_CACHE_DIR")
    os.environ["SITEPLAN_CACHE_DIR"] = str(tmp_path_factory.mktemp("graph-cache"))
    yield
    if previous is None:
        os.environ.pop("SITEPLAN_CACHE_DIR", None)
    else:
        os.environ["SITEPLAN_CACHE_DIR"] = previous


@pytest.fixture
def write_geojson(tmp_path: Path) -> WriteGeoJSON:
    """Return ``write(content, name="layer.geojson") -> Path`` writing under tmp_path.

    A dict or list is written as JSON, a str as UTF-8 text, bytes unchanged.
    ``name`` may contain folders; they are created.
    """

    def write(content: Any, name: str = "layer.geojson") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        elif isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
        return path

    return write


@pytest.fixture
def bundled() -> Path:
    """Return the bundled SIMZ study file."""
    return bundled_study_path()


@pytest.fixture(scope="session")
def bundled_result() -> Result:
    """Return the bundled study analysed with its own parameters (shared: do not modify)."""
    return siteplan.analyze()


@pytest.fixture(scope="session")
def bundled_candidates(bundled_result: Result) -> CandidateResult:
    """Return the bundled study's candidates with the defaults (shared: do not modify)."""
    return siteplan.score_candidates(bundled_result)


@pytest.fixture
def run_cli() -> RunCLI:
    """Return ``run(*args, input=None) -> (exit_code, stdout, stderr)`` for ``siteplan``."""
    runner = CliRunner()

    def run(*args: str | Path, input: str | None = None) -> tuple[int, str, str]:
        result = runner.invoke(main, [str(a) for a in args], input=input, prog_name="siteplan")
        return result.exit_code, result.stdout, result.stderr

    return run


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One headless Chromium (fresh profile) for the whole module.

    Skips, saying why, when Playwright or Chromium is missing, unless
    ``SITEPLAN_REQUIRE_BROWSER=1``, in which case it fails.
    """
    with launch_chromium(tmp_path_factory) as context:
        yield context
