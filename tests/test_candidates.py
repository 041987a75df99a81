"""Candidate scoring: grid rule, exact scores, picks, outputs and the CLI.

``metric_study`` (used by the other candidate test files too) writes a small
study whose layers are drawn in UTM 51N metres, so that cells and distances are
known by hand.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from shapely.geometry.base import BaseGeometry

from siteplan.analysis import Result, analyze
from siteplan.candidates import CandidateResult, EngineOptions, score_candidates, select_picks
from siteplan.errors import LayerError, OutputError, ParameterError, StudyError
from siteplan.render.candidates import render_candidates, write_candidates

X0, Y0 = 367_000.0, 3_440_000.0
UTM = "EPSG:32651"


def metric_study(
    folder: Path,
    sites: dict[str, BaseGeometry],
    *,
    boundary: BaseGeometry | None = None,
    exclusions: dict[str, list[BaseGeometry]] | None = None,
    weights: dict[str, float] | None = None,
    constraints: str = "",
    scoring: str = "",
) -> Path:
    """Write a study of metric (EPSG:32651) GeoPackage layers; return its study.toml."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = ['name = "metric test study"', f'crs = "{UTM}"', ""]
    if scoring:
        lines += ["[scoring]", scoring, ""]

    def write(name: str, frame: dict[str, Any], geoms: list[BaseGeometry], role: str) -> None:
        gdf = gpd.GeoDataFrame(frame, geometry=geoms, crs=UTM)
        gdf.to_file(folder / f"{name}.gpkg", driver="GPKG")
        lines.extend(["[[layers]]", f'path = "{name}.gpkg"', f'role = "{role}"', ""])

    for sid, geom in sites.items():
        weight = (weights or {}).get(sid, 1.0)
        write(sid, {"id": [sid], "name": [sid.upper()], "weight": [weight]}, [geom], "site")
    if boundary is not None:
        write("area", {"id": ["area"]}, [boundary], "boundary")
    for name, geoms in (exclusions or {}).items():
        write(name, {"id": [f"{name}_{i}" for i in range(len(geoms))]}, geoms, "exclusion")
    path = folder / "study.toml"
    path.write_text("\n".join(lines) + "\n" + constraints, encoding="utf-8")
    return path


def rect(x0: float, y0: float, x1: float, y1: float) -> BaseGeometry:
    """A rectangle given in metres from (X0, Y0)."""
    return shapely.box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


SITES = {
    "alpha": rect(300, 300, 500, 400),
    "beta": rect(650, 50, 720, 180),
    "gamma": shapely.Point(X0 + 150, Y0 + 650),
}
AREA = rect(0, 0, 1000, 800)


@pytest.fixture
def small(tmp_path: Path) -> Result:
    return analyze(
        metric_study(tmp_path / "small", SITES, boundary=AREA, weights={"gamma": 2.0}),
    )


def direct_scores(result: Result, x: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    """Score points the slow, obvious way: a shapely.distance loop over every site."""
    sites = result.sites_m.sort_values("id", ignore_index=True)
    ids = sites["id"].tolist()
    geoms = list(sites.geometry)
    if result.parameters.measure == "centroid":
        geoms = [g.centroid for g in geoms]
    w = sites["weight"].to_numpy(dtype=float)
    dist = np.array(
        [[shapely.Point(px, py).distance(g) for g in geoms] for px, py in zip(x, y, strict=True)]
    )
    per_site = result.parameters.decay(dist)
    score = per_site @ w / w.sum() if w.sum() > 0 else np.zeros(len(x))
    # the tie rule: distances within 1e-6 m of the smallest tie, the smaller id wins
    nearest = [ids[int(np.flatnonzero(row <= row.min() + 1e-6)[0])] for row in dist]
    return {"ids": ids, "dist": dist, "per_site": per_site, "score": score, "nearest": nearest}


# --------------------------------------------------------------------------------------
# the grid


def test_grid_is_aligned_to_the_boundarys_lower_left_corner(small: Result) -> None:
    cres = score_candidates(small, cell_m=100)
    g = cres.grid
    assert g is not None
    assert (g.rows, g.cols, g.cell_m) == (8, 10, 100.0)
    assert g.x0 == pytest.approx(X0, abs=1e-6)
    assert g.y0 == pytest.approx(Y0, abs=1e-6)
    assert cres.row is not None
    assert cres.col is not None
    np.testing.assert_allclose(cres.x, g.x0 + (cres.col + 0.5) * 100, rtol=0, atol=1e-9)
    np.testing.assert_allclose(cres.y, g.y0 + (cres.row + 0.5) * 100, rtol=0, atol=1e-9)
    assert cres.ids([0, 1, 10]) == ["r0c0", "r0c1", "r1c0"]
    assert len(cres) == 80  # the boundary is a rectangle: every cell's centre is inside


def test_only_cells_whose_centre_is_inside_the_boundary_are_candidates(tmp_path: Path) -> None:
    # no cell centre lies on the hypotenuse (100 j + 95 i = 852.5 has no whole solution)
    triangle = shapely.Polygon([(X0, Y0), (X0 + 1000, Y0), (X0, Y0 + 950)])
    result = analyze(metric_study(tmp_path, {"a": rect(100, 100, 150, 150)}, boundary=triangle))
    cres = score_candidates(result, cell_m=100)
    cols, rows = np.meshgrid(np.arange(10), np.arange(10))
    cx = X0 + (cols.ravel() + 0.5) * 100
    cy = Y0 + (rows.ravel() + 0.5) * 100
    inside = shapely.intersects_xy(triangle, cx, cy)
    assert len(cres) == int(inside.sum())
    assert cres.excluded["outside_boundary"] == int((~inside).sum())
    assert set(zip(cres.x.round(3), cres.y.round(3), strict=True)) == set(
        zip(cx[inside].round(3), cy[inside].round(3), strict=True)
    )


def test_grid_ids_sort_like_the_candidates(small: Result) -> None:
    cres = score_candidates(small, cell_m=50)
    ids = cres.ids()
    assert ids == sorted(ids)
    assert ids[0] == "r00c00"


def test_no_boundary_needs_parcels(tmp_path: Path) -> None:
    result = analyze(metric_study(tmp_path, SITES))
    with pytest.raises(StudyError, match=r'boundary layer \(role = "boundary"\).*parcels=\.\.\.'):
        score_candidates(result)


@pytest.mark.parametrize("bad", [0, -50, float("nan"), float("inf"), "50", True])
def test_bad_cell_sizes_are_refused(small: Result, bad: Any) -> None:
    with pytest.raises(ParameterError, match="cell_m"):
        score_candidates(small, cell_m=bad)


def test_too_many_cells_are_refused_with_a_size_that_fits(small: Result) -> None:
    with pytest.raises(
        ParameterError, match=r"^cell_m=0.1 gives .*larger cell \(at least \d+ m\)"
    ) as e:
        score_candidates(small, cell_m=0.1)
    assert e.value.argument == "cell_m"


def test_bad_run_parameters_are_refused(small: Result) -> None:
    with pytest.raises(ParameterError, match="top"):
        score_candidates(small, top=0)
    with pytest.raises(ParameterError, match="min_separation_m"):
        score_candidates(small, min_separation_m=-1)
    with pytest.raises(ParameterError, match="engine 'spark' is not one of memory"):
        score_candidates(small, engine="spark")
    with pytest.raises(ParameterError, match="index") as caught:
        score_candidates(small, engine=EngineOptions(index="kdtree"))
    assert caught.value.argument == "index"


# --------------------------------------------------------------------------------------
# scores


@pytest.mark.parametrize(
    ("scoring", "index"),
    [
        ("", "box"),
        ("", "strtree"),
        ('decay = "rings"\nrings_m = [100, 250, 400]', "auto"),
        ('decay = "rings"\nrings_m = [100, 250, 400]', "strtree"),
        ('decay = "linear"\nmax_m = 300', "auto"),
        ('decay = "exponential"\nhalf_m = 200', "auto"),
        ('measure = "centroid"\ndecay = "gaussian"\nsigma_m = 300', "auto"),
        ('measure = "centroid"\ndecay = "rings"\nrings_m = [200, 300]', "strtree"),
    ],
)
def test_scores_match_a_direct_computation(tmp_path: Path, scoring: str, index: str) -> None:
    result = analyze(
        metric_study(tmp_path, SITES, boundary=AREA, weights={"gamma": 2.0}, scoring=scoring)
    )
    cres = score_candidates(result, cell_m=40, engine=EngineOptions(index=index, chunk_size=97))
    want = direct_scores(result, cres.x, cres.y)
    assert list(cres.site_ids) == want["ids"]
    np.testing.assert_allclose(cres.score, want["score"], rtol=0, atol=1e-9)
    assert cres.breakdown is not None
    np.testing.assert_allclose(cres.breakdown, want["per_site"], rtol=0, atol=1e-9)
    np.testing.assert_allclose(cres.nearest_m, want["dist"].min(axis=1), rtol=0, atol=1e-6)
    assert [cres.site_ids[j] for j in cres.nearest] == want["nearest"]
    picks = cres.pick_index
    np.testing.assert_allclose(cres.pick_distances, want["dist"][picks], rtol=0, atol=1e-6)
    np.testing.assert_allclose(cres.pick_breakdown, want["per_site"][picks], rtol=0, atol=1e-9)


def test_chunking_and_index_do_not_change_anything(small: Result) -> None:
    a = score_candidates(small, cell_m=25)
    b = score_candidates(small, cell_m=25, engine=EngineOptions(chunk_size=13, index="strtree"))
    for field in ("score", "nearest", "nearest_m", "excluded_code", "pick_index"):
        assert np.array_equal(getattr(a, field), getattr(b, field)), field
    assert a.breakdown is not None
    assert b.breakdown is not None
    assert np.array_equal(a.breakdown, b.breakdown)


def test_all_zero_weights_score_zero(tmp_path: Path) -> None:
    result = analyze(
        metric_study(tmp_path, SITES, boundary=AREA, weights=dict.fromkeys(SITES, 0.0))
    )
    cres = score_candidates(result, cell_m=100)
    assert np.all(cres.score == 0.0)
    assert cres.pick_breakdown.max() > 0  # the breakdown still shows each site's score


def test_breakdown_is_dropped_for_huge_runs_but_picks_keep_theirs(
    small: Result, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("siteplan.candidates.api.BREAKDOWN_LIMIT", 10)
    cres = score_candidates(small, cell_m=50)
    assert cres.breakdown is None
    assert cres.pick_breakdown.shape == (10, 3)
    assert any("breakdown is kept for the picks only" in w for w in cres.warnings)
    assert "score_alpha" not in cres.surface().columns
    want = direct_scores(small, cres.x[cres.pick_index], cres.y[cres.pick_index])
    np.testing.assert_allclose(cres.pick_breakdown, want["per_site"], atol=1e-9)


def test_score_locations_agree_with_candidate_scores(small: Result) -> None:
    cres = score_candidates(small, cell_m=100)
    lon, lat = cres.lonlat
    again = cres.score_locations(lon[:20], lat[:20])
    np.testing.assert_allclose(again["score"], cres.score[:20], atol=1e-6)
    np.testing.assert_allclose(again["nearest_m"], cres.nearest_m[:20], atol=1e-6)
    assert again["nearest_id"].tolist() == [cres.site_ids[j] for j in cres.nearest[:20]]
    assert {"score_alpha", "distance_m_gamma"} <= set(again.columns)


# --------------------------------------------------------------------------------------
# picks


def test_select_picks_greedy_with_separation_and_ties() -> None:
    x = np.array([0.0, 100.0, 150.0, 500.0, 520.0, 900.0])
    y = np.zeros(6)
    score = np.array([80.0, 90.0, 90.0, 70.0, 75.0, 75.0])
    ok = np.ones(6, dtype=bool)
    # 1 (90, first of the tie) -> 2 is 50 m away: skipped; 0 is 100 m away: skipped;
    # 4 (75, before 5 by position) -> 3 is 20 m from 4: skipped; 5 is 380 m from 4: kept.
    assert select_picks(x, y, score, ok, top=10, min_separation_m=200).tolist() == [1, 4, 5]
    assert select_picks(x, y, score, ok, top=2, min_separation_m=0).tolist() == [1, 2]
    ok[1] = False
    assert select_picks(x, y, score, ok, top=1, min_separation_m=200).tolist() == [2]
    # exactly the separation apart is allowed
    assert select_picks(
        np.array([0.0, 200.0]), np.zeros(2), np.array([2.0, 1.0]), np.ones(2, bool),
        top=2, min_separation_m=200.0,
    ).tolist() == [0, 1]  # fmt: skip


def test_select_picks_scans_past_a_whole_blocked_block() -> None:
    n = 5000
    x = np.concatenate([np.linspace(0, 10, n - 1), [10_000.0]])
    score = np.concatenate([np.full(n - 1, 50.0), [1.0]])
    picks = select_picks(x, np.zeros(n), score, np.ones(n, bool), top=2, min_separation_m=100)
    assert picks.tolist() == [0, n - 1]


def test_picks_keep_the_separation_and_are_greedy(small: Result) -> None:
    cres = score_candidates(small, cell_m=20, top=12, min_separation_m=150)
    px, py = cres.x[cres.pick_index], cres.y[cres.pick_index]
    d = np.hypot(px[:, None] - px[None, :], py[:, None] - py[None, :])
    assert d[~np.eye(len(px), dtype=bool)].min() >= 150
    assert len(cres.pick_index) == 12
    assert np.all(np.diff(cres.score[cres.pick_index]) <= 0)
    # every eligible candidate ranked before the last pick is a pick or too close to one
    order = np.lexsort((np.arange(len(cres)), -cres.score))
    order = order[cres.eligible[order]]
    last = int(np.flatnonzero(order == cres.pick_index[-1])[0])
    picked: list[int] = []
    for k in order[: last + 1]:
        near = [np.hypot(cres.x[k] - cres.x[p], cres.y[k] - cres.y[p]) < 150 for p in picked]
        if not any(near):
            picked.append(int(k))
    assert picked == cres.pick_index.tolist()


def test_picks_are_deterministic(small: Result) -> None:
    a = score_candidates(small, cell_m=20)
    b = score_candidates(small, cell_m=20)
    assert render_candidates(a, "json") == render_candidates(b, "json")


def test_fewer_picks_than_asked_are_explained(small: Result) -> None:
    cres = score_candidates(small, cell_m=100, top=50, min_separation_m=300)
    assert 0 < len(cres.pick_index) < 50
    assert any("picks asked for fit" in w for w in cres.warnings)


# --------------------------------------------------------------------------------------
# parcels


def _parcels(tmp_path: Path) -> Path:
    geoms = [
        rect(0, 0, 100, 100),  # centroid (50, 50)
        shapely.Point(X0 + 900, Y0 + 700),
        rect(350, 320, 400, 380),  # inside alpha's footprint
        rect(2000, 2000, 2100, 2100),  # outside the boundary
    ]
    frame = gpd.GeoDataFrame({"id": ["p4", "p1", "p3", "p2"]}, geometry=geoms, crs=UTM)
    path = tmp_path / "parcels.gpkg"
    frame.to_file(path, driver="GPKG")
    return path


def test_parcels_are_measured_from_centroids_and_constrained(small: Result, tmp_path: Path) -> None:
    cres = score_candidates(small, parcels=_parcels(tmp_path), top=4, min_separation_m=0)
    assert cres.grid is None
    assert cres.ids() == ["p1", "p2", "p3", "p4"]  # sorted by id
    np.testing.assert_allclose(cres.x, X0 + np.array([900, 2050, 375, 50]), atol=1e-6)
    np.testing.assert_allclose(cres.y, Y0 + np.array([700, 2050, 350, 50]), atol=1e-6)
    surface = cres.surface()
    by = dict(zip(surface["id"], surface["excluded_by"], strict=True))
    assert by == {"p1": None, "p2": "outside_boundary", "p3": "inside_site", "p4": None}
    assert cres.candidates["excluded_by"].isna().tolist() == [True, False, False, True]
    want = direct_scores(small, cres.x, cres.y)
    np.testing.assert_allclose(cres.score, want["score"], atol=1e-9)
    assert sorted(cres.picks["id"]) == ["p1", "p4"]
    assert cres.parameters["candidates"] == "parcels"
    assert cres.cells_wgs84().geom_type.tolist() == ["Point", "Polygon", "Polygon", "Polygon"]


def test_parcels_from_a_geodataframe(small: Result) -> None:
    frame = gpd.GeoDataFrame(geometry=[shapely.Point(X0 + 10, Y0 + 10)], crs=UTM)
    cres = score_candidates(small, parcels=frame)
    assert cres.ids() == ["parcel_1"]
    with pytest.raises(ParameterError, match="no CRS"):
        score_candidates(small, parcels=gpd.GeoDataFrame(geometry=[shapely.Point(0, 0)]))


def test_line_parcels_are_refused(small: Result, tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame(
        {"id": ["l"]}, geometry=[shapely.LineString([(X0, Y0), (X0 + 5, Y0)])], crs=UTM
    )
    frame.to_file(tmp_path / "lines.gpkg", driver="GPKG")
    with pytest.raises(LayerError, match="LineString; give polygons or points"):
        score_candidates(small, parcels=tmp_path / "lines.gpkg")


# --------------------------------------------------------------------------------------
# outputs


def test_json_has_the_documented_shape(small: Result) -> None:
    cres = score_candidates(small, cell_m=50, top=3)
    doc = json.loads(render_candidates(cres, "json"))
    assert list(doc)[:5] == ["study", "crs", "candidates", "excluded", "parameters"]
    assert doc["crs"] == UTM
    assert [c["rank"] for c in doc["candidates"]] == [1, 2, 3]
    first = doc["candidates"][0]
    assert list(first)[:7] == [
        "rank",
        "lon",
        "lat",
        "score",
        "breakdown",
        "nearest_id",
        "nearest_m",
    ]
    assert set(first["breakdown"]) == {"alpha", "beta", "gamma"}
    p = cres.pick_index[0]
    lon, lat = cres.lonlat
    assert first["lon"] == lon[p]  # full precision
    assert first["lat"] == lat[p]
    assert first["score"] == cres.score[p]
    assert first["nearest_id"] == cres.site_ids[cres.nearest[p]]
    assert first["nearest_m"] == cres.nearest_m[p]
    assert first["breakdown"]["alpha"] == cres.pick_breakdown[0, 0]
    assert first["id"] == cres.ids([p])[0]
    assert doc["excluded"] == {"outside_boundary": 0, "inside_site": cres.excluded["inside_site"]}
    assert doc["excluded"]["inside_site"] > 0
    params = doc["parameters"]
    assert params["cell_m"] == 50.0
    assert params["min_separation_m"] == 200.0
    assert params["top"] == 3
    assert params["decay"] == "rings"
    assert params["rings_m"] == [500.0, 1000.0, 2000.0, 5000.0]
    assert params["crs"] == UTM
    kinds = [c["kind"] for c in doc["constraints"]]
    assert kinds == ["outside_boundary", "inside_site"]
    assert {"name", "kind", "rule", "note", "source", "excluded"} <= set(doc["constraints"][0])
    assert "first constraint" in doc["counting"]
    assert doc["summary"]["candidates"] == len(cres)
    assert doc["summary"]["eligible"] == int(cres.eligible.sum())
    assert "caveat" in doc
    assert isinstance(doc["warnings"], list)


def test_csv_has_one_row_per_pick_at_full_precision(small: Result) -> None:
    cres = score_candidates(small, cell_m=50, top=4)
    rows = list(csv.DictReader(io.StringIO(render_candidates(cres, "csv"))))
    assert [int(r["rank"]) for r in rows] == [1, 2, 3, 4]
    assert float(rows[0]["score"]) == cres.score[cres.pick_index[0]]
    assert float(rows[0]["lon"]) == cres.picks["lon"].iloc[0]
    assert float(rows[1]["distance_m_beta"]) == cres.pick_distances[1, 1]
    assert float(rows[1]["score_gamma"]) == cres.pick_breakdown[1, 2]


def test_markdown_shows_picks_constraints_notes_and_the_caveat(tmp_path: Path) -> None:
    toml = (
        '[[constraints]]\nkind = "setback"\ndistance_m = 30\n'
        'note = "fire | safety"\nsource = "Code §4.2"\n'
    )
    result = analyze(metric_study(tmp_path, SITES, boundary=AREA, constraints=toml))
    text = render_candidates(score_candidates(result, cell_m=50), "markdown")
    assert "| rank | id | lon | lat | score | nearest site | alpha | beta | gamma |" in text
    assert "fire \\| safety" in text
    assert "Code §4.2" in text
    assert "setback_30m" in text
    assert "first constraint that excludes it" in text
    assert result.caveat in text


def test_surface_and_picks_for_maps(small: Result) -> None:
    cres = score_candidates(small, cell_m=100)
    surface = cres.surface()
    assert len(surface) == len(cres)
    assert surface.crs.to_epsg() == 4326
    assert {"score", "excluded_by", "score_alpha", "score_beta", "score_gamma"} <= set(
        surface.columns
    )
    # the cells are the 100 m squares around the centres
    metric = surface.to_crs(UTM)
    np.testing.assert_allclose(metric.area, 10_000, rtol=1e-6)
    np.testing.assert_allclose(metric.centroid.x, cres.x, atol=1e-3)
    picks = cres.picks_wgs84()
    assert picks["rank"].tolist() == list(range(1, len(picks) + 1))
    assert cres.sites_wgs84["id"].tolist() == ["alpha", "beta", "gamma"]
    assert cres.decay.to_js().startswith("function (d)")
    areas = cres.constraint_areas()
    assert areas["name"].tolist() == ["outside_boundary", "inside_site"]
    inside = areas.set_index("name").geometry["inside_site"]
    assert inside.area > 0


def test_geojson_and_gpkg_surfaces(small: Result, tmp_path: Path) -> None:
    cres = score_candidates(small, cell_m=100, top=3)
    gj = write_candidates(cres, tmp_path / "out" / "surface.geojson")
    doc = json.loads(gj.read_text(encoding="utf-8"))
    kinds = pd.Series([f["properties"]["feature_type"] for f in doc["features"]])
    assert kinds.value_counts().to_dict() == {"cell": len(cres), "pick": 3}
    assert doc["siteplan"]["excluded"] == cres.excluded
    first = doc["features"][0]
    assert first["geometry"]["type"] == "Polygon"
    assert first["properties"]["id"] == "r0c0"
    gpkg = write_candidates(cres, tmp_path / "surface.gpkg")
    layers = dict(pyogrio.list_layers(gpkg).tolist())
    assert layers == {
        "surface": "Polygon",
        "picks": "Point",
        "excluded_areas": "MultiPolygon",
        "layer_styles": None,
    }
    picks = gpd.read_file(gpkg, layer="picks")
    assert picks["rank"].tolist() == [1, 2, 3]
    # byte-identical across runs
    again = write_candidates(cres, tmp_path / "again.gpkg")
    assert again.read_bytes() == gpkg.read_bytes()
    assert write_candidates(cres, tmp_path / "again.geojson").read_bytes() == gj.read_bytes()


def test_writing_refuses_inputs_and_unknown_suffixes(small: Result, tmp_path: Path) -> None:
    cres = score_candidates(small, cell_m=200)
    assert small.study.path is not None
    with pytest.raises(OutputError, match="one of the inputs"):
        write_candidates(cres, small.study.path, "json")
    with pytest.raises(OutputError, match="cannot tell the format"):
        write_candidates(cres, tmp_path / "x.txt")
    with pytest.raises(ParameterError, match="is a file"):
        render_candidates(cres, "gpkg")


# --------------------------------------------------------------------------------------
# the bundled study


@pytest.fixture(scope="module")
def bundled_candidates() -> CandidateResult:
    return score_candidates(analyze())


def test_bundled_study_picks_satisfy_every_constraint(bundled_candidates: CandidateResult) -> None:
    cres = bundled_candidates
    result = cres.result
    assert len(cres.pick_index) == 10
    px, py = cres.x[cres.pick_index], cres.y[cres.pick_index]
    assert result.data.boundary is not None
    boundary = shapely.union_all(result.data.boundary.to_crs(result.crs).geometry)
    assert shapely.intersects_xy(boundary, px, py).all()
    footprints = np.asarray(result.sites_m.geometry)
    points = shapely.points(px, py)
    assert not shapely.intersects(points[:, None], footprints[None, :]).any()
    d = np.hypot(px[:, None] - px[None, :], py[:, None] - py[None, :])
    assert d[~np.eye(10, dtype=bool)].min() >= 200
    assert cres.excluded["inside_site"] > 0
    assert cres.parameters["cell_m"] == 50.0


def test_bundled_scores_match_a_direct_computation(bundled_candidates: CandidateResult) -> None:
    cres = bundled_candidates
    sample = np.arange(0, len(cres), 37)
    want = direct_scores(cres.result, cres.x[sample], cres.y[sample])
    np.testing.assert_allclose(cres.score[sample], want["score"], atol=1e-9)
    np.testing.assert_allclose(cres.nearest_m[sample], want["dist"].min(axis=1), atol=1e-6)


# --------------------------------------------------------------------------------------
# the command line


def test_cli_candidates_json(run_cli: Any) -> None:
    code, out, err = run_cli("candidates", "-f", "json", "--top", "3", "--cell", "100")
    assert code == 0, err
    doc = json.loads(out)
    assert [c["rank"] for c in doc["candidates"]] == [1, 2, 3]
    assert doc["parameters"]["cell_m"] == 100.0
    assert err == ""  # no progress bar outside a terminal


def test_cli_candidates_constraints_and_markdown(run_cli: Any) -> None:
    code, out, err = run_cli(
        "candidates",
        "--within",
        "proton_center:800",
        "--beyond",
        "childrens_center:300",
        "--setback",
        "cgt_park:100",
        "--setback",
        "40",
        "--measure",
        "centroid",
    )
    assert code == 0, err
    for name in (
        "within_800m_of_proton_center",
        "beyond_300m_from_childrens_center",
        "setback_100m_cgt_park",
        "setback_40m",
    ):
        assert name in out
    assert "centroid distances" in out


def test_cli_candidates_writes_files(run_cli: Any, tmp_path: Path) -> None:
    code, out, err = run_cli("candidates", "--cell", "200", "-o", tmp_path / "c.gpkg")
    assert code == 0, err
    assert out.startswith(f"wrote {tmp_path / 'c.gpkg'}:")
    assert pyogrio.list_layers(tmp_path / "c.gpkg")[0][0] == "surface"
    code, out, err = run_cli("candidates", "--cell", "200", "-q", "-o", tmp_path / "c.csv")
    assert code == 0, err
    assert out == ""
    assert (tmp_path / "c.csv").read_text(encoding="utf-8").startswith("rank,id,lon,lat")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-f", "geojson"], "give -o PATH.geojson"),
        (["--cell", "50", "--parcels", "p.gpkg"], "--cell and --parcels exclude each other"),
        (["--within", "nowhere:100"], "site 'nowhere' is not a site id"),
        (["--beyond", "proton_center:-3"], "not a finite number >= 0"),
        (["--within", "proton_center"], "give SITE:METRES"),
        (["--exclusions"], "no exclusion layer"),
        (["-o", "out.txt"], "cannot tell the format"),
    ],
)
def test_cli_candidates_errors_are_one_line(run_cli: Any, args: list[str], message: str) -> None:
    code, out, err = run_cli("candidates", *args)
    assert code == 1
    assert out == ""
    assert message in err
    assert err.startswith("siteplan: ")
    assert err.count("\n") == 1


def test_cli_candidates_refuses_to_overwrite_an_input(run_cli: Any, bundled: Path) -> None:
    code, _, err = run_cli("candidates", "-o", bundled.parent / "cgt_park.geojson")
    assert code == 1
    assert "one of the inputs" in err


@pytest.mark.parametrize(
    "name",
    [
        "candidates.api",
        "candidates.engines",
        "candidates.grid",
        "candidates.locations",
        "candidates.picks",
        "candidates.result",
        "score.points",
        "score.rank",
        "score.constraints",
        "scenarios.compare",
        "scenarios.sensitivity",
    ],
)
def test_doctests_pass(name: str) -> None:
    import doctest
    import importlib

    module = importlib.import_module(f"siteplan.{name}")
    outcome = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert outcome.failed == 0
    assert outcome.attempted > 0


def test_progress_bar_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    from siteplan.candidates import engines as module

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stderr", io.StringIO())
    assert isinstance(module.progress_bar(10, True), module._NoBar)
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    assert isinstance(module.progress_bar(10, False), module._NoBar)  # --quiet
    bar = module.progress_bar(10, True)
    assert type(bar).__name__ == "tqdm"
    assert bar.delay == 2.0  # shown only once a run has taken 2 s
    bar.update(10)
    bar.close()
    assert terminal.getvalue() == ""  # a quick run shows nothing


def test_cli_candidates_with_parcels(run_cli: Any, tmp_path: Path) -> None:
    study = metric_study(tmp_path / "study", SITES, boundary=AREA)
    parcels = _parcels(tmp_path)
    code, out, err = run_cli("candidates", study, "--parcels", parcels, "-f", "csv")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert sorted(r["id"] for r in rows) == ["p1", "p4"]
