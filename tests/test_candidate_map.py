"""Candidate maps and click-to-score: the rendered HTML, sizes, determinism, CLI, escaping."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely
from hostile import ENV_SENTINEL, PAYLOADS, is_markup, toml_string, write_hostile_study
from pyproj import Transformer

import siteplan
from siteplan.analysis import Result
from siteplan.candidates import CandidateResult, score_candidates
from siteplan.candidates.locations import score_locations
from siteplan.errors import ParameterError
from siteplan.load._datum import wgs84_to_gcj02
from siteplan.maps.clickscore import (
    EXACT_TOLERANCE_M,
    aeqd_fit_forward,
    click_data,
    projection_for,
    tmerc_forward,
)
from siteplan.maps.escape import clean_text, inert_js, js_json
from siteplan.maps.make import MAX_SURFACE_CELLS, make_map, render_map, write_map
from siteplan.score.constraints import make_constraint

OFFLINE_LIMIT = 1_500_000
FRAGMENT_TAGS = {"div", "b", "br", "table", "tr", "th", "td", "span"}
RAW_DANGER = set("<>\"'`\u2028\u2029")


# -- helpers --------------------------------------------------------------------------


def call_args(markup: str, function: str) -> list[Any]:
    """Return the first JSON argument of every ``siteplan.<function>(`` call."""
    decoder = json.JSONDecoder()
    found = []
    for match in re.finditer(rf"siteplan\.{function}\(\s*", markup):
        start = match.end()
        if function == "clickScore":  # clickScore(map, data, decay, surface)
            start = markup.index(",", start) + 1
            while markup[start].isspace():
                start += 1
        value, _ = decoder.raw_decode(markup, start)
        found.append(value)
    return found


def lattice(surface: dict[str, Any]) -> tuple[list[float], list[float]]:
    """Decode the surface's lattice of cell corners (millionths of a degree)."""
    grid = surface["grid"]
    lon = [(grid["lon0"] + v) / 1e6 for v in grid["dlon"]]
    lat = [(grid["lat0"] + v) / 1e6 for v in grid["dlat"]]
    return lon, lat


def layer_features(markup: str, prefix: str) -> list[dict[str, Any]]:
    return [
        f
        for blob in call_args(markup, "layer")
        for f in blob["features"]
        if f["properties"]["style"]["className"].startswith(prefix)
    ]


def overlays(markup: str) -> list[str]:
    block = re.search(r"overlays :\s*\{(.*?)\n\s*\},", markup, re.DOTALL)
    assert block is not None
    names = []
    for line in block.group(1).splitlines():
        m = re.fullmatch(r'\s*(".*")\s*:\s*(\w+),', line)
        if m:
            names.append(json.loads(m.group(1)))
    return names


def fragment_text(fragment: str) -> str:
    """Parse a popup/tooltip fragment: only siteplan's tags; return its text."""
    from html.parser import HTMLParser

    texts: list[str] = []

    class Parser(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            assert tag in FRAGMENT_TAGS, (tag, fragment[:200])
            assert all(name in {"class", "lang"} for name, _ in attrs), (attrs, fragment[:200])

        def handle_data(self, data: str) -> None:
            texts.append(data)

    parser = Parser(convert_charrefs=True)
    parser.feed(fragment)
    parser.close()
    return "".join(texts)


@pytest.fixture(autouse=True)
def _no_template_injection() -> Iterator[None]:
    yield
    assert ENV_SENTINEL not in os.environ, "user text was evaluated as a Jinja template"


@pytest.fixture(scope="module")
def result() -> Result:
    return siteplan.analyze()


@pytest.fixture(scope="module")
def cres(result: Result) -> CandidateResult:
    return score_candidates(result)


@pytest.fixture(scope="module")
def markup(result: Result, cres: CandidateResult) -> str:
    return render_map(make_map(result, candidates=cres, offline=True))


# -- layers, legend, notes ----------------------------------------------------------


def test_surface_layer_holds_every_candidate(markup: str, cres: CandidateResult) -> None:
    (surface,) = call_args(markup, "surface")
    assert cres.grid is not None
    grid = surface["grid"]
    lon, lat = lattice(surface)
    assert grid["stride"] == cres.grid.cols + 1
    assert len(lon) == len(lat) == (cres.grid.rows + 1) * (cres.grid.cols + 1)
    assert len(surface["score"]) == len(surface["code"]) == len(surface["cells"]) == len(cres)
    assert surface["score"] == pytest.approx(np.round(cres.score, 4).tolist(), abs=1e-12)
    assert surface["code"] == cres.excluded_code.tolist()
    assert surface["picks"] == cres.pick_index.tolist()
    assert surface["constraints"] == ["outside_boundary", "inside_site"]
    assert surface["block"] == 1
    assert len(surface["palette"]) == 64
    eligible = cres.score[cres.eligible]
    assert (surface["lo"], surface["hi"]) == (eligible.min(), eligible.max())
    # each candidate's cell: its lattice corners are the cell's WGS84 corners
    cells = cres.cells_wgs84()
    for i in (0, 1234, len(cres) - 1):
        k, s = surface["cells"][i], grid["stride"]
        corners = [(lon[c], lat[c]) for c in (k, k + 1, k + s + 1, k + s)]
        expected = shapely.get_coordinates(cells.iloc[i])[:4]
        assert np.allclose(corners, expected, atol=1.5e-6)
        assert f"r{k // s:02d}c{k % s:02d}" == cres.ids([i])[0]


def test_picks_are_numbered_markers_with_their_breakdown(
    markup: str, cres: CandidateResult, result: Result
) -> None:
    picks = layer_features(markup, "siteplan-pick")
    assert [p["properties"]["icon"] for p in picks] == [f"<span>{i}</span>" for i in range(1, 11)]
    names = dict(zip(result.sites["id"], result.sites["name"], strict=True))
    for i, pick in enumerate(picks):
        lon, lat = pick["geometry"]["coordinates"]
        assert lon == pytest.approx(cres.picks["lon"].iloc[i], abs=1e-6)
        assert lat == pytest.approx(cres.picks["lat"].iloc[i], abs=1e-6)
        text = fragment_text(pick["properties"]["popup"])
        assert text.startswith(f"Pick {i + 1}: score {cres.picks['score'].iloc[i]:.1f}")
        assert cres.picks["id"].iloc[i] in text
        for j, sid in enumerate(cres.site_ids):
            name = names[sid] if len(names[sid]) <= 80 else names[sid][:79] + "…"
            row = f"{name}{cres.pick_distances[i, j]:,.0f} m{cres.pick_breakdown[i, j]:.1f}1"
            assert row in text
        assert fragment_text(pick["properties"]["tooltip"]).startswith(f"Pick {i + 1}: score")


def test_excluded_areas_are_hatched_layers_with_their_notes(markup: str) -> None:
    areas = layer_features(markup, "siteplan-excluded")
    assert [a["properties"]["style"]["className"] for a in areas] == [
        "siteplan-excluded siteplan-excluded-outside_boundary",
        "siteplan-excluded siteplan-excluded-inside_site",
    ]
    assert [a["properties"]["style"]["fillColor"] for a in areas] == [
        "url(#siteplan-hatch-outside_boundary)",
        "url(#siteplan-hatch-inside_site)",
    ]
    tip = fragment_text(areas[1]["properties"]["tooltip"])
    assert "Excluded: inside_site" in tip
    assert "centre on or inside a site footprint" in tip
    assert "Note: a candidate on or inside an existing site's footprint is taken" in tip
    assert "97 candidates excluded" in tip
    names = overlays(markup)
    assert "Excluded: outside_boundary (339)" in names
    assert "Excluded: inside_site (97)" in names
    assert names[:4] == [
        "Sites (coloured by score)",
        "Site pairs (distance · score)",
        "Candidate picks (numbered)",
        "Candidate scores (surface)",
    ]


def test_legend_title_and_notes(markup: str) -> None:
    assert "<b>Candidate score</b> (50 m cells, colour scale: YlOrRd_09)" in markup
    assert "top picks (10), at least 200 m apart" in markup
    assert "excluded by a constraint (one layer each)" in markup
    assert "Top 10 picks of 4,388 eligible candidates" in markup
    assert "Click the map to score any point." in markup
    assert (
        "<b>Candidates.</b> Candidates are 50 m grid cells measured from their centres." in markup
    )
    assert "Schematic positions." in markup


def test_decay_and_sites_are_embedded_for_click_to_score(markup: str, result: Result) -> None:
    assert result.parameters.decay.to_js() in markup
    (data,) = call_args(markup, "clickScore")
    assert data["crs"] == "EPSG:32651"
    assert data["measure"] == "edge"
    assert data["datum"] == "wgs84"
    assert data["decay"] == {
        "kind": "rings",
        "params": {"rings_m": [500.0, 1000.0, 2000.0, 5000.0]},
    }
    assert data["projection"]["kind"] == "tmerc"
    assert data["projection"]["lon0"] == pytest.approx(123.0)
    assert [s["id"] for s in data["sites"]] == sorted(result.sites["id"])
    assert all(s["polygonal"] and s["weight"] == 1.0 for s in data["sites"])
    # the footprints in the page are the metric footprints (to the millimetre)
    metric = result.sites_m.set_index("id").geometry
    for site in data["sites"]:
        ring = np.asarray(site["rings"][0]).reshape(-1, 2) + data["origin"]
        expected = shapely.get_coordinates(metric[site["id"]].exterior)
        assert np.abs(ring - expected).max() <= 0.0005
    assert re.search(r"siteplan\.clickScore\(map_sp\d+,", markup)
    assert re.search(r"function \(d\) \{[^\n]*\},\s*siteplan_surface_sp\d+\);", markup)


def test_plain_map_scores_clicks_by_default_and_can_be_turned_off(result: Result) -> None:
    plain = render_map(make_map(result, offline=True))
    assert len(call_args(plain, "clickScore")) == 1
    assert "null);" in plain  # no surface
    assert "siteplan.surface(" not in plain
    assert "Click the map to score any point." in plain
    off = render_map(make_map(result, offline=True, click_score=False))
    assert call_args(off, "clickScore") == []
    assert "Click the map to score any point." not in off


def test_offline_candidate_map_is_small_fast_and_byte_identical(
    result: Result, cres: CandidateResult, tmp_path: Path
) -> None:
    start = time.perf_counter()
    first = write_map(result, tmp_path / "a.html", candidates=cres, offline=True)
    elapsed = time.perf_counter() - start
    data = first.read_bytes()
    assert len(data) < OFFLINE_LIMIT
    assert elapsed < 2.0
    again = siteplan.analyze()
    second = write_map(again, tmp_path / "b.html", candidates=score_candidates(again), offline=True)
    assert second.read_bytes() == data
    assert not re.search(rb"[0-9a-f]{32}", data)  # no random branca ids left
    assert b"cdn.jsdelivr" not in data


def test_gcj02_tiles_shift_the_surface_and_picks(result: Result, cres: CandidateResult) -> None:
    plain = render_map(make_map(result, candidates=cres, tiles="none"))
    shifted = render_map(make_map(result, candidates=cres, tiles="amap"))
    (a,), (b,) = call_args(plain, "surface"), call_args(shifted, "surface")
    lon, lat = wgs84_to_gcj02(*(np.array(v) for v in lattice(a)))
    assert np.allclose(lattice(b)[0], lon, atol=2e-6)
    assert np.allclose(lattice(b)[1], lat, atol=2e-6)
    pick_a = layer_features(plain, "siteplan-pick")[0]["geometry"]["coordinates"]
    pick_b = layer_features(shifted, "siteplan-pick")[0]["geometry"]["coordinates"]
    assert np.allclose(pick_b, wgs84_to_gcj02(*pick_a), atol=2e-6)
    (click,) = call_args(shifted, "clickScore")
    assert click["datum"] == "gcj02"


def test_large_grids_are_drawn_in_blocks(result: Result) -> None:
    big = score_candidates(result, cell_m=15)
    assert len(big) > MAX_SURFACE_CELLS
    markup = render_map(make_map(result, candidates=big, offline=True))
    (surface,) = call_args(markup, "surface")
    k = surface["block"]
    assert k == 2
    assert len(surface["score"]) <= MAX_SURFACE_CELLS
    assert surface["picks"] == []
    assert "Surface drawn in blocks." in markup
    # a block's score is the best eligible score among its cells
    assert max(surface["score"]) == pytest.approx(big.score[big.eligible].max(), abs=1e-4)
    assert len(layer_features(markup, "siteplan-pick")) == 10


def test_parcels_are_drawn_as_their_shapes(result: Result) -> None:
    import geopandas as gpd

    geoms = [shapely.box(121.60, 31.085, 121.603, 31.088), shapely.Point(121.62, 31.10)]
    parcels = gpd.GeoDataFrame({"id": ["a", "b"]}, geometry=geoms, crs="EPSG:4326")
    pres = score_candidates(result, parcels=parcels, top=2, min_separation_m=0)
    markup = render_map(make_map(result, candidates=pres, offline=True))
    (surface,) = call_args(markup, "surface")
    assert surface["ids"] == ["a", "b"]
    assert "grid" not in surface
    assert len(surface["shapes"][0][0][0]) == 10  # one closed ring of 5 points
    assert surface["shapes"][1] == [[[121.62, 31.1]]]
    assert "<b>Candidate score</b> (parcels" in markup


def test_candidates_of_another_result_are_refused(result: Result, cres: CandidateResult) -> None:
    with pytest.raises(ParameterError, match="another analysis"):
        make_map(siteplan.analyze(), candidates=cres)


# -- click to score: the page's maths, in Python ------------------------------------


def test_score_locations_matches_candidate_scoring(result: Result, cres: CandidateResult) -> None:
    lon, lat = cres.lonlat
    sample = np.arange(0, len(cres), 97)
    ours = score_locations(result, lon[sample], lat[sample])
    theirs = cres.score_locations(lon[sample], lat[sample])
    assert ours.columns.tolist() == theirs.columns.tolist()
    np.testing.assert_allclose(ours["score"], cres.score[sample], rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(ours["score"], theirs["score"], rtol=0, atol=0)
    assert (ours["nearest_id"] == theirs["nearest_id"]).all()


@pytest.mark.parametrize(
    ("crs", "bounds"),
    [
        ("EPSG:32651", (121.58, 31.07, 121.65, 31.13)),
        ("EPSG:32733", (14.0, -30.0, 16.5, -28.0)),  # south: false northing 10,000 km
        ("EPSG:32633", (9.0, 40.0, 21.0, 70.0)),  # a whole zone, far from the equator
        ("EPSG:4528", (119.0, 30.5, 121.5, 31.5)),  # CGCS2000 Gauss-Krueger zone 40
    ],
)
def test_the_pages_transverse_mercator_agrees_with_pyproj(
    crs: str, bounds: tuple[float, float, float, float]
) -> None:
    params = projection_for(crs, bounds)
    assert params["kind"] == "tmerc"
    rng = np.random.default_rng(0)
    lon = rng.uniform(bounds[0], bounds[2], 500)
    lat = rng.uniform(bounds[1], bounds[3], 500)
    x, y = tmerc_forward(params, lon, lat)
    tx, ty = Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(lon, lat)
    assert np.hypot(x - tx, y - ty).max() < EXACT_TOLERANCE_M / 10


@pytest.mark.parametrize(
    "crs",
    ["ESRI:102025", "EPSG:2154", "EPSG:27700", "EPSG:32661"],  # Albers, LCC, OSGB36, UPS
)
def test_other_crs_get_a_fitted_approximation_with_its_error(crs: str) -> None:
    bounds = {
        "ESRI:102025": (121.55, 31.05, 121.70, 31.15),
        "EPSG:2154": (2.2, 48.7, 2.5, 48.95),
        "EPSG:27700": (-0.25, 51.4, 0.05, 51.6),
        "EPSG:32661": (10.0, 85.0, 20.0, 85.3),
    }[crs]
    params = projection_for(crs, bounds)
    assert params["kind"] == "aeqd"
    assert params["error_m"] < 0.01
    rng = np.random.default_rng(1)
    lon = rng.uniform(bounds[0], bounds[2], 300)
    lat = rng.uniform(bounds[1], bounds[3], 300)
    x, y = aeqd_fit_forward(params, lon, lat)
    tx, ty = Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(lon, lat)
    assert np.hypot(x - tx, y - ty).max() <= params["error_m"] * 1.5 + 1e-6


def test_click_data_uses_centroids_for_the_centroid_measure() -> None:
    result = siteplan.analyze(measure="centroid")
    data = click_data(result)
    metric = result.sites_m.set_index("id").geometry
    for site in data["sites"]:
        assert site["polygonal"] is False
        assert len(site["rings"]) == 1
        assert len(site["rings"][0]) == 2
        centre = np.asarray(site["rings"][0]) + data["origin"]
        expected = shapely.get_coordinates(metric[site["id"]].centroid)[0]
        assert np.abs(centre - expected).max() <= 0.0005


def test_inert_js_refuses_what_could_break_out() -> None:
    assert inert_js("function (d) { return d; }") == "function (d) { return d; }"
    for bad in ("{{ x }}", "{% if %}", "{# c #}", "</script>", "<!--", "`x`"):
        with pytest.raises(ValueError, match="not safe"):
            inert_js(bad)


@pytest.mark.parametrize("text", [p.text for p in PAYLOADS], ids=[p.key for p in PAYLOADS])
def test_js_json_quotes_mode_round_trips_without_raw_quotes(text: str) -> None:
    encoded = js_json({"name": text, "list": [text, 1.5]}, quotes=True)
    assert json.loads(encoded) == {"name": text, "list": [text, 1.5]}
    body = encoded.replace('"name"', "").replace('"list"', "")
    for forbidden in ("<", ">", "&", "'", "`", "\u2028", "\u2029", "{{", "{%", "{#"):
        assert forbidden not in encoded
    assert body.count('"') == 4  # only the delimiters of the two copies


# -- hostile text -----------------------------------------------------------------------


def _hostile_study(folder: Path) -> Path:
    study = write_hostile_study(folder)
    tables = [
        f'[[constraints]]\nkind = "setback"\ndistance_m = {30 + i}\n'
        f"name = {toml_string(p.text)}\n"
        f"note = {toml_string(PAYLOADS[(i + 1) % len(PAYLOADS)].text)}\n"
        f"source = {toml_string(PAYLOADS[(i + 2) % len(PAYLOADS)].text)}\n"
        for i, p in enumerate(PAYLOADS)
    ]
    with study.open("a", encoding="utf-8") as handle:
        handle.write("\n" + "\n".join(tables))
    return study


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Result, CandidateResult, str]:
    result = siteplan.analyze(_hostile_study(tmp_path_factory.mktemp("hostile")))
    extra = [
        make_constraint(
            "within", site=PAYLOADS[1].text, distance_m=1500, note=PAYLOADS[2].text, source="\x00"
        )
    ]
    cres = score_candidates(result, cell_m=100, top=5, constraints=extra)
    return result, cres, render_map(make_map(result, candidates=cres, offline=True))


def test_hostile_constraints_and_names_appear_only_escaped(
    hostile: tuple[Result, CandidateResult, str],
) -> None:
    _, cres, markup = hostile
    assert len(cres.constraints) == 2 + len(PAYLOADS) + 1
    for payload in PAYLOADS:
        raw = is_markup(payload.text) and len(payload.text) > 1
        if raw and any(ch in RAW_DANGER for ch in payload.text):
            assert payload.text not in markup, payload.key
    assert "`" not in markup
    assert "{{" not in markup
    assert "{%" not in markup
    opened = len(re.findall(r"<script", markup, re.IGNORECASE))
    assert opened == len(re.findall(r"</script", markup, re.IGNORECASE)) == 4


def test_hostile_constraint_text_shows_literally(
    hostile: tuple[Result, CandidateResult, str],
) -> None:
    _, cres, markup = hostile
    areas = layer_features(markup, "siteplan-excluded")
    enabled = [c for c in cres.constraints if c.enabled]
    assert len(areas) == len(enabled)
    tips = [fragment_text(a["properties"]["tooltip"]) for a in areas]
    for constraint, tip in zip(enabled, tips, strict=True):
        name = clean_text(constraint.name)
        shown = name if len(name) <= 80 else name[:79] + "…"
        assert tip.startswith(f"Excluded: {shown}")
        for text in (constraint.note, constraint.source):
            if text and clean_text(text).strip():
                assert clean_text(text) in tip
    names = overlays(markup)
    for constraint in enabled:
        name = clean_text(constraint.name)
        shown = name if len(name) <= 80 else name[:79] + "…"
        count = cres.excluded[constraint.name]
        assert f"Excluded: {shown} ({count:,})" in {fragment_text(n) for n in names}


def test_hostile_site_names_reach_the_page_as_json_text(
    hostile: tuple[Result, CandidateResult, str],
) -> None:
    result, cres, markup = hostile
    (data,) = call_args(markup, "clickScore")
    names = {clean_text(n) for n in result.sites["name"]}
    for site in data["sites"]:
        assert site["name"] in {n if len(n) <= 80 else n[:79] + "…" for n in names}
    (surface,) = call_args(markup, "surface")
    assert surface["constraints"] == [c.name for c in cres.constraints]
    for pick in layer_features(markup, "siteplan-pick"):
        fragment_text(pick["properties"]["popup"])  # only siteplan's markup


def test_hostile_study_name_in_candidate_map(result: Result, cres: CandidateResult) -> None:
    text = PAYLOADS[0].text
    renamed = dataclasses.replace(result, study=dataclasses.replace(result.study, name=text))
    moved = dataclasses.replace(cres, result=renamed)
    markup = render_map(make_map(renamed, candidates=moved, tiles="none"))
    assert text not in markup


# -- command line ---------------------------------------------------------------------


def test_cli_map_with_candidates(run_cli: Any, tmp_path: Path) -> None:
    out = tmp_path / "map.html"
    code, stdout, stderr = run_cli(
        "map", "--candidates", "-o", out, "--offline", "--top", "5", "--setback", "100",
        "--cell", "100",
    )  # fmt: skip
    assert code == 0, stderr
    assert "5 candidate picks" in stdout
    markup = out.read_text(encoding="utf-8")
    assert len(layer_features(markup, "siteplan-pick")) == 5
    assert "Excluded: setback_100m (" in " ".join(overlays(markup))
    assert out.stat().st_size < OFFLINE_LIMIT


def test_cli_map_refuses_candidate_options_without_candidates(run_cli: Any, tmp_path: Path) -> None:
    out = tmp_path / "map.html"
    code, _, stderr = run_cli("map", "-o", out, "--top", "5", "--within", "cgt_park:800")
    assert code == 1
    assert stderr.startswith("siteplan: --top, --within: candidate options need --candidates")
    assert stderr.count("\n") == 1
    assert not out.exists()


def test_cli_map_without_click_score(run_cli: Any, tmp_path: Path) -> None:
    out = tmp_path / "map.html"
    code, _, stderr = run_cli("map", "-o", out, "--offline", "--no-click-score")
    assert code == 0, stderr
    assert "siteplan.clickScore(" not in out.read_text(encoding="utf-8").split("</script>", 2)[2]


def test_cli_candidates_writes_a_map_too(run_cli: Any, tmp_path: Path) -> None:
    out = tmp_path / "picks.json"
    html = tmp_path / "maps" / "picks.html"
    code, stdout, stderr = run_cli(
        "candidates", "--top", "3", "-o", out, "--map", html, "--offline", "--tiles", "none"
    )
    assert code == 0, stderr
    assert f"wrote {html}: map of 3 picks" in stderr
    assert stdout.startswith(f"wrote {out}")
    picks = json.loads(out.read_text(encoding="utf-8"))["candidates"]
    markup = html.read_text(encoding="utf-8")
    markers = layer_features(markup, "siteplan-pick")
    assert len(markers) == len(picks) == 3
    for pick, marker in zip(picks, markers, strict=True):
        assert marker["geometry"]["coordinates"] == pytest.approx(
            [pick["lon"], pick["lat"]], abs=1e-6
        )


def test_cli_candidates_map_to_stdout_and_refusals(run_cli: Any, tmp_path: Path) -> None:
    html = tmp_path / "c.html"
    code, stdout, stderr = run_cli("candidates", "--top", "2", "-f", "json", "--map", html, "-q")
    assert code == 0, stderr
    assert json.loads(stdout)["summary"]["picked"] == 2
    assert html.exists()
    code, _, stderr = run_cli("candidates", "--offline")
    assert code == 1
    assert stderr.startswith("siteplan: --offline: map options need --map PATH.html")
    same = tmp_path / "same.json"
    code, _, stderr = run_cli("candidates", "-o", same, "--map", same)
    assert code == 1
    assert "also the -o output" in stderr
    code, _, stderr = run_cli("candidates", "--map", html, "--tiles", "baidu")
    assert code == 1
    assert "Baidu tiles cannot be used" in stderr
