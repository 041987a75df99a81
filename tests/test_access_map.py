"""The access map: demand by index, catchment bands, the chosen facilities; hostile names.

Expected catchments come from geodesic distances (pyproj.Geod), not from siteplan; every
point of the fixture lies well away from a ring's edge. Hostile demand names and ids (every
payload of :mod:`hostile`) are checked against a benign twin with the HTML checks of
:mod:`test_hostile_outputs`.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from access_study import DEMAND, SITES, write_access_study
from hostile import PAYLOADS, is_markup
from pyproj import Geod
from test_hostile_outputs import check_page, layer_features, parse, stand_ins

import siteplan
from siteplan.access.study import analyze_access
from siteplan.candidates.plan import plan_facilities
from siteplan.errors import ParameterError
from siteplan.maps.escape import clean_text
from siteplan.maps.make import make_map, render_map
from siteplan.render.access import HUMAN_ROWS, render_access

RINGS = (500.0, 1000.0, 2000.0, 5000.0)
AREA = ("d_area", 121.630, 31.110, 300)  # the polygon demand feature of the fixture


def _features(html: str) -> list[dict[str, Any]]:
    scripts = [s for s in parse(html).scripts if "siteplan.layer(" in s]
    return [f for s in scripts for f in layer_features(s)]


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_access_study(tmp_path_factory.mktemp("amap"), polygon_demand=True)


def test_demand_and_catchment_layers(study: Path) -> None:
    ares = analyze_access(study)
    html = render_map(make_map(ares.places.result, access=ares, offline=True))  # type: ignore[union-attr]
    features = _features(html)
    counts = Counter(f["properties"]["style"]["className"] for f in features)
    assert counts["siteplan-demand"] == len(DEMAND) + 1
    assert counts["siteplan-catchment"] == len(SITES) * len(RINGS)
    kinds = {
        f["geometry"]["type"]
        for f in features
        if f["properties"]["style"]["className"] == "siteplan-demand"
    }
    assert kinds == {"Point", "Polygon"}  # graduated circles and a choropleth
    geod = Geod(ellps="WGS84")
    for site, lon, lat, _ in SITES:
        tips = [
            f["properties"]["tooltip"]
            for f in features
            if f["properties"]["style"]["className"] == "siteplan-catchment"
            and f">{site.title()}<" in f["properties"]["tooltip"]
        ]
        assert len(tips) == len(RINGS)
        for ring, tip in zip(RINGS, tips, strict=True):
            within = 0
            for _, x, y, pop in (*DEMAND, AREA):
                distance = geod.inv(lon, lat, x, y)[2]
                assert abs(distance - ring) > 20  # UTM and geodesic differ by < 1 m here
                within += pop if distance <= ring else 0
            assert f"within {ring:,.0f} m {within:,.0f}" in tip
    # the demand's tooltip gives its index and its nearest site
    north = next(
        f["properties"]["tooltip"]
        for f in features
        if f["properties"]["style"]["className"] == "siteplan-demand"
        and "D_NORTH" in f["properties"]["tooltip"]
    )
    assert "demand 2,000" in north
    assert "nearest: Mid" in north
    assert "2sfca index" in html
    assert "siteplan-demand" in html


def test_access_map_refuses_a_foreign_result(study: Path) -> None:
    ares = analyze_access(study)
    with pytest.raises(ParameterError, match="another analysis"):
        make_map(siteplan.analyze(study), access=ares)


def test_plan_map_shows_the_picks_coverage(study: Path) -> None:
    result = siteplan.analyze(study)
    cres = siteplan.score_candidates(result, cell_m=250, top=1, progress=False)
    planned = plan_facilities(cres, "mclp", service=500)
    features = _features(render_map(make_map(result, candidates=planned, offline=True)))
    (circle,) = [
        f for f in features if f["properties"]["style"]["className"] == "siteplan-pick-coverage"
    ]
    assert "demand within 500 m: 2,000" in circle["properties"]["tooltip"]
    covered = [
        f["properties"]["style"]["fillColor"]
        for f in features
        if f["properties"]["style"]["className"] == "siteplan-demand"
    ]
    # d_west (by the west site) and d_north (by the pick) are covered within 500 m
    assert covered.count("#1a9850") == 2
    assert len(covered) == len(DEMAND) + 1


def test_access_cli_map(study: Path, run_cli: Any, tmp_path: Path) -> None:
    out = tmp_path / "m.html"
    code, _, err = run_cli("access", study, "--map", out, "--offline", "-f", "json")
    assert code == 0, err
    assert "siteplan-catchment" in out.read_text(encoding="utf-8")
    code, _, err = run_cli("access", study, "--offline")
    assert code == 1
    assert "--map" in err
    code, _, err = run_cli("access", study, "--map", out, "--cost-table", out)
    assert code == 1
    assert "two different files" in err


# -- hostile demand names --------------------------------------------------------------------

TEXTS = [p.text for p in PAYLOADS]


def _hostile_demand_study(folder: Path, texts: list[str]) -> Path:
    """The access fixture with one demand point per text (its name and id)."""
    toml = write_access_study(folder)
    features = []
    for k, text in enumerate(texts):
        lon = 121.600 + 0.004 * (k % 10)
        lat = 31.102 + 0.004 * (k // 10)
        features.append(
            {
                "type": "Feature",
                "properties": {"id": text, "name": text, "people": 10 * (k + 1)},
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
            }
        )
    (folder / "demand.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False),
        encoding="utf-8",
    )
    return toml


def _pages(folder: Path, texts: list[str]) -> dict[str, str]:
    toml = _hostile_demand_study(folder, texts)
    ares = analyze_access(toml)
    result = ares.places.result  # type: ignore[union-attr]
    cres = siteplan.score_candidates(result, cell_m=500, top=2, progress=False)
    planned = plan_facilities(cres, "mclp", service=500)
    return {
        "access_map": render_map(make_map(result, access=ares, offline=True)),
        "plan_map": render_map(make_map(result, candidates=planned, offline=True)),
        "access_report": render_access(ares, "html"),
    }


@pytest.fixture(scope="module")
def hostile_pages(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], ...]:
    hostile = _pages(tmp_path_factory.mktemp("hostile"), TEXTS)
    twin = _pages(tmp_path_factory.mktemp("twin"), stand_ins(TEXTS, "demand"))
    return hostile, twin


@pytest.mark.parametrize("page", ["access_map", "plan_map", "access_report"])
def test_hostile_demand_names_hold_no_markup(
    hostile_pages: tuple[dict[str, str], dict[str, str]], page: str
) -> None:
    hostile, twin = hostile_pages
    checked = check_page(hostile[page], twin[page])
    visible = checked.visible()
    for text in TEXTS:  # in a page's scripts and attributes; the report has no script
        if page != "access_report" and is_markup(text) and len(text) > 3:
            assert text not in hostile[page]  # (a lone quote is in Leaflet's own CSS)
    if page == "access_report":  # human formats list HUMAN_ROWS demand rows at most
        assert checked.page.scripts == []
        shown = sum(text in visible for text in TEXTS)
        assert shown >= min(HUMAN_ROWS, len(TEXTS)), shown
        return
    for text in TEXTS:
        assert clean_text(text)[:40] in visible, f"{text[:60]!r} is not shown"
    demand = [
        f
        for f in _features(hostile[page])
        if f["properties"]["style"]["className"] == "siteplan-demand"
    ]
    assert len(demand) == len(TEXTS)
