"""1,200 sites through the CLI (issue 14): every pair streamed, human formats shortened.

The study is :func:`scale_inputs.points_study`: 1,200 seeded point sites over
SIMZ. Reference values come from the input coordinates, projected with pyproj
on their own (not from siteplan): the number of pairs, and the pairs within a
distance.
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from browser import open_page
from click.testing import CliRunner
from pyproj import Transformer

from siteplan.cli import main

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import scale_inputs

pytestmark = pytest.mark.slow

SITES = 1_200
PAIRS = SITES * (SITES - 1) // 2
MAP_LIMIT = 10 * 1024 * 1024


def run(*args: str | Path) -> str:
    result = CliRunner().invoke(main, [str(a) for a in args], prog_name="siteplan")
    assert result.exit_code == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return scale_inputs.points_study(tmp_path_factory.mktemp("scale_cli"), SITES)


def utm_distances(study: Path) -> np.ndarray:
    """Return the planar distances (UTM 51N, the study's auto CRS) of every pair, i < j."""
    doc = json.loads((study.parent / "sites.geojson").read_text(encoding="utf-8"))
    lon, lat = np.array([f["geometry"]["coordinates"] for f in doc["features"]]).T
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:32651", always_xy=True).transform(lon, lat)
    i, j = np.triu_indices(len(x), k=1)
    return np.asarray(np.hypot(x[i] - x[j], y[i] - y[j]))


def test_json_streams_every_pair(study: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    run("report", str(study), "-f", "json", "-o", out)
    pairs = 0
    ids: set[str] = set()
    with out.open(encoding="utf-8") as handle:
        for line in handle:
            if line.startswith('      "a": '):  # one per pair (sites carry "id")
                pairs += 1
            elif line.startswith('      "id": '):
                ids.add(line)
    assert pairs == PAIRS == 719_400
    assert len(ids) == SITES


def test_pairs_within_keeps_only_the_pairs_within_reach(study: Path, tmp_path: Path) -> None:
    out = tmp_path / "w.json"
    run("report", str(study), "-f", "json", "--pairs", "within", "--rings", "150,300", "-o", out)
    doc: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    expected = utm_distances(study)
    assert not np.any(np.abs(expected - 300.0) < 1e-3)  # no pair on the edge of reach
    assert len(doc["pairs"]) == int((expected <= 300.0).sum()) > 0
    assert max(p["distance_m"] for p in doc["pairs"]) <= 300.0
    assert len(doc["sites"]) == SITES
    # the breakdowns list only the neighbours within reach: each pair twice
    assert sum(len(s["breakdown"]) for s in doc["sites"]) == 2 * len(doc["pairs"])


def test_markdown_says_how_many_pairs_are_not_listed(study: Path) -> None:
    text = run("report", str(study), "-f", "markdown")
    notes = re.findall(
        r"([\d,]+) of ([\d,]+) pairs listed.*?the other ([\d,]+) are not listed", text
    )
    assert notes, "the pairs table says what it left out"
    listed, total, other = (int(v.replace(",", "")) for v in notes[0])
    assert total == PAIRS
    assert listed + other == PAIRS
    assert 0 < listed < PAIRS
    assert "siteplan report -f json" in text
    assert len(text.encode("utf-8")) < 10 * 1024 * 1024


def test_map_stays_under_ten_megabytes(study: Path, tmp_path: Path) -> None:
    out = tmp_path / "m.html"
    run("map", str(study), "--offline", "-o", out)
    size = out.stat().st_size
    assert size < MAP_LIMIT, f"{size / 1e6:.1f} MB"
    text = out.read_text(encoding="utf-8")
    assert text.count('"className":"siteplan-site"') == SITES
    assert text.count('"className":"siteplan-ring"') == 4 * SITES
    lines = text.count('"className":"siteplan-pair"')
    assert SITES // 2 <= lines <= 2_000  # each site's nearest neighbour, at least


COUNT_JS = """
() => ({
  sites: document.querySelectorAll("path.siteplan-site").length,
  rings: document.querySelectorAll("path.siteplan-ring").length,
  pairs: document.querySelectorAll("path.siteplan-pair").length,
  labels: document.querySelectorAll(".siteplan-pair-label").length,
})
"""

ALL_RINGS_JS = """
() => {
  const labels = [...document.querySelectorAll(".leaflet-control-layers-overlays label")];
  const label = labels.find((l) => l.textContent.includes("Rings: all"));
  label.querySelector("input").click();
  return label.querySelector("input").checked;
}
"""


@pytest.mark.browser
def test_map_of_1200_sites_opens_and_draws_in_chromium(
    browser: Any, study: Path, tmp_path: Path
) -> None:
    out = tmp_path / "m.html"
    run("map", str(study), "--offline", "-o", out)
    started = time.perf_counter()
    opened = open_page(browser, out)
    counts = opened.page.evaluate(COUNT_JS)
    seconds = time.perf_counter() - started
    assert counts["sites"] == SITES
    assert counts["rings"] == 4  # the best-ranked site's bands
    assert counts["pairs"] == counts["labels"] > 0
    assert opened.page.evaluate(ALL_RINGS_JS) is True
    assert opened.page.evaluate(COUNT_JS)["rings"] == 4 * SITES
    assert not opened.page_errors
    assert seconds < 30, f"{seconds:.1f} s to load and draw"  # a few seconds on a quiet machine
