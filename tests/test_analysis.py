"""Tests for siteplan.analysis and siteplan.score.scoring: scores, ranks, weights, the Result.

Expected scores are computed here from the pair table with the formulas in
DESIGN.md (weighted mean with the other site's weight; rank by score then id;
cluster score the mean pair score), not by calling the scoring module.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Geod
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

from siteplan.analysis import Result, analyze
from siteplan.errors import ParameterError
from siteplan.load._datum import wgs84_to_gcj02
from siteplan.load.study import bundled_study_path, read_study
from siteplan.measure.pairs import ring_reached
from siteplan.score.scoring import breakdown_table, resolve_parameters, score_sites

GEOD = Geod(ellps="WGS84")
SIMZ = (121.61, 31.10)


# --- building studies ------------------------------------------------------------------


def offset(lon: float, lat: float, azimuth: float, metres: float) -> tuple[float, float]:
    lon2, lat2, _ = GEOD.fwd(lon, lat, azimuth, metres)
    return float(lon2), float(lat2)


def rect(lon0: float, lat0: float, size_m: float = 200.0) -> BaseGeometry:
    lon1, _ = offset(lon0, lat0, 90.0, size_m)
    _, lat1 = offset(lon0, lat0, 0.0, size_m)
    return shapely.box(lon0, lat0, lon1, lat1)


def north_of(geom: BaseGeometry, gap_m: float) -> BaseGeometry:
    """A 200 m high rectangle over the same longitudes, exactly gap_m north (0: shares the edge)."""
    minx, _, maxx, maxy = geom.bounds
    south = maxy if gap_m == 0.0 else offset(minx, maxy, 0.0, gap_m)[1]
    return shapely.box(minx, south, maxx, offset(minx, south, 0.0, 200.0)[1])


def south_of(geom: BaseGeometry, gap_m: float) -> BaseGeometry:
    minx, miny, maxx, _ = geom.bounds
    north = miny if gap_m == 0.0 else offset(minx, miny, 180.0, gap_m)[1]
    return shapely.box(minx, offset(minx, north, 180.0, 200.0)[1], maxx, north)


def write_layer(path: Path, sites: dict[str, BaseGeometry], **extra: dict[str, Any]) -> Path:
    features = [
        {
            "type": "Feature",
            "properties": {"id": sid, "name": sid.upper(), **extra.get(sid, {})},
            "geometry": mapping(geom),
        }
        for sid, geom in sites.items()
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8"
    )
    return path


def write_study(folder: Path, layers: list[tuple[str, float]], extra: str = "") -> Path:
    """Write a study TOML naming site layers ``(file, weight)`` in ``folder``."""
    text = f'name = "test study"\n{extra}\n'
    for name, weight in layers:
        text += f'[[layers]]\npath = "{name}"\nweight = {weight}\n'
    study = folder / "study.toml"
    study.write_text(text, encoding="utf-8")
    return study


def analyze_sites(tmp_path: Path, sites: dict[str, BaseGeometry], **kwargs: Any) -> Result:
    write_layer(tmp_path / "sites" / "sites.geojson", sites)
    return analyze(tmp_path / "sites", **kwargs)


def pair_row(result: Result, a: str, b: str) -> pd.Series:
    a, b = sorted((a, b))
    rows = result.pairs[(result.pairs["a"] == a) & (result.pairs["b"] == b)]
    assert len(rows) == 1
    return rows.iloc[0]


@pytest.fixture(scope="module")
def bundled(bundled_result: Result) -> Result:
    return bundled_result


# --- the bundled study -----------------------------------------------------------------


def test_bundled_study_has_4_sites_6_pairs_16_ring_bands(bundled: Result) -> None:
    assert len(bundled.sites) == 4
    assert len(bundled.pairs) == 6
    assert len(bundled.rings) == 16
    assert len(bundled.overlaps) == 6 * 4
    assert len(bundled.breakdown) == 12
    assert bundled.crs_name == "EPSG:32651"
    assert bundled.schematic
    assert "SCHEMATIC" in bundled.caveat
    assert bundled.inputs[0] == bundled_study_path()
    assert len(bundled.inputs) == 1 + 8  # the study file, 7 layers and the road network


def test_pairs_are_unordered_with_a_before_b(bundled: Result) -> None:
    assert (bundled.pairs["a"] < bundled.pairs["b"]).all()
    pairs = set(zip(bundled.pairs["a"], bundled.pairs["b"], strict=True))
    ids = sorted(bundled.sites["id"])
    assert pairs == {(a, b) for k, a in enumerate(ids) for b in ids[k + 1 :]}
    assert bundled.pairs.crs.to_epsg() == 4326


def test_bundled_edge_distances_match_independent_geodesics(bundled: Result) -> None:
    footprints = dict(zip(bundled.sites["id"], bundled.sites.geometry, strict=True))
    # boundaries densified to about 4 m: a vertex grid misses the true gap by < 0.1 m here
    for _, pair in bundled.pairs.iterrows():
        g1, g2 = footprints[pair["a"]], footprints[pair["b"]]
        p1 = shapely.get_coordinates(shapely.segmentize(g1.boundary, 4e-5))
        p2 = shapely.get_coordinates(shapely.segmentize(g2.boundary, 4e-5))
        _, _, d = GEOD.inv(
            np.repeat(p1[:, 0], len(p2)),
            np.repeat(p1[:, 1], len(p2)),
            np.tile(p2[:, 0], len(p1)),
            np.tile(p2[:, 1], len(p1)),
        )
        truth = float(d.min())
        for column in ("edge_m", "geodesic_m"):
            assert abs(pair[column] - truth) <= max(0.5, 1e-3 * truth), (column, pair["a"])


def test_site_areas_match_geodesic_areas(bundled: Result) -> None:
    for _, site in bundled.sites.iterrows():
        lon, lat = np.asarray(site.geometry.exterior.coords).T
        truth = abs(GEOD.polygon_area_perimeter(lon, lat)[0])
        assert site["geodesic_area_m2"] == pytest.approx(truth, rel=1e-9)
        assert site["area_m2"] == pytest.approx(truth, rel=1e-3)


def test_default_scores_are_the_ring_steps(bundled: Result) -> None:
    assert set(bundled.pairs["score"]) <= {100.0, 75.0, 50.0, 25.0, 0.0}
    expected = 100.0 * (4 - np.searchsorted([500, 1000, 2000, 5000], bundled.pairs["edge_m"])) / 4
    np.testing.assert_array_equal(bundled.pairs["score"], expected)
    assert (bundled.pairs["distance_m"] == bundled.pairs["edge_m"]).all()


def test_ring_bands_list_the_sites_they_reach(bundled: Result) -> None:
    distances = {}
    for _, pair in bundled.pairs.iterrows():
        distances[(pair["a"], pair["b"])] = distances[(pair["b"], pair["a"])] = pair["edge_m"]
    for _, band in bundled.rings.iterrows():
        reached = band["reaches"].split(",") if band["reaches"] else []
        expected = sorted(
            other
            for (site, other), d in distances.items()
            if site == band["site_id"] and d <= band["ring_m"]
        )
        assert reached == expected


# --- default ring scores on built fixtures ---------------------------------------------


def test_ring_scores_are_100_75_50_25_0(tmp_path: Path) -> None:
    x = rect(*SIMZ)
    sites = {"x": x}
    gaps = {"g300": 300.0, "g800": 800.0, "g1500": 1500.0, "g3000": 3000.0, "g8000": 8000.0}
    for azimuth, (sid, gap) in zip((0, 90, 180, 270, 45), gaps.items(), strict=True):
        corner = x.centroid.coords[0]
        sites[sid] = rect(*offset(*corner, azimuth, gap + 300.0))
    result = analyze_sites(tmp_path, sites)
    scores = {sid: pair_row(result, "x", sid)["score"] for sid in gaps}
    rings = {sid: pair_row(result, "x", sid)["ring_m"] for sid in gaps}
    assert scores == {"g300": 100.0, "g800": 75.0, "g1500": 50.0, "g3000": 25.0, "g8000": 0.0}
    assert rings["g300"] == 500.0
    assert rings["g3000"] == 5000.0
    assert np.isnan(rings["g8000"])


def test_ring_m_and_scores_follow_the_measure(tmp_path: Path) -> None:
    a = rect(*SIMZ)
    b = north_of(a, 450.0)  # edge 450 m: ring 500; centres 650 m apart: ring 1000
    centroid = analyze_sites(tmp_path, {"a": a, "b": b}, measure="centroid")
    edge = analyze(tmp_path / "sites")
    assert edge.pairs["ring_m"].iloc[0] == 500.0
    assert edge.pairs["score"].iloc[0] == 100.0
    assert centroid.pairs["ring_m"].iloc[0] == 1000.0
    assert centroid.pairs["score"].iloc[0] == 75.0
    assert (centroid.pairs["distance_m"] == centroid.pairs["centroid_m"]).all()
    assert centroid.sites["nearest_m"].tolist() == [centroid.pairs["centroid_m"].iloc[0]] * 2
    assert edge.sites["nearest_m"].tolist() == [edge.pairs["edge_m"].iloc[0]] * 2
    first = centroid.rings[centroid.rings["ring_m"] == 500.0]
    assert first["reaches"].tolist() == ["", ""]
    assert edge.rings[edge.rings["ring_m"] == 500.0]["reaches"].tolist() == ["b", "a"]


def test_ring_m_follows_the_measure_on_the_bundled_study() -> None:
    result = analyze(measure="centroid")
    np.testing.assert_array_equal(
        result.pairs["ring_m"], ring_reached(result.pairs["centroid_m"], result.parameters.rings_m)
    )
    assert result.parameters.as_dict()["measure"] == "centroid"


def test_other_decays_score_the_chosen_distance(tmp_path: Path) -> None:
    a = rect(*SIMZ)
    b = north_of(a, 600.0)
    linear = analyze_sites(tmp_path, {"a": a, "b": b}, decay="linear", max_m=2000)
    d = linear.pairs["edge_m"].iloc[0]
    assert linear.pairs["score"].iloc[0] == pytest.approx(100.0 * (1.0 - d / 2000.0))
    gaussian = analyze(tmp_path / "sites", decay="gaussian", sigma_m=500)
    assert gaussian.pairs["score"].iloc[0] == pytest.approx(
        100.0 * np.exp(-(d**2) / (2.0 * 500.0**2))
    )
    assert gaussian.parameters.as_dict() == {
        "measure": "edge",
        "unit": "m",
        "rings_m": [500.0, 1000.0, 2000.0, 5000.0],
        "decay": "gaussian",
        "sigma_m": 500.0,
    }


def test_a_decay_parameter_of_another_decay_is_refused() -> None:
    with pytest.raises(ParameterError, match="sigma_m is not a parameter of the linear decay"):
        analyze(decay="linear", sigma_m=100)


def test_study_file_scoring_is_used_and_overridden(tmp_path: Path) -> None:
    a = rect(*SIMZ)
    write_layer(tmp_path / "sites.geojson", {"a": a, "b": north_of(a, 600.0)})
    study = write_study(
        tmp_path,
        [("sites.geojson", 1.0)],
        '[scoring]\nmeasure = "centroid"\nrings_m = [250, 900]\ndecay = "linear"\nmax_m = 3000',
    )
    result = analyze(study)
    assert result.parameters.as_dict() == {
        "measure": "centroid",
        "unit": "m",
        "rings_m": [250.0, 900.0],
        "decay": "linear",
        "max_m": 3000.0,
    }
    assert len(result.rings) == 4
    override = analyze(study, measure="edge", decay="rings")
    assert override.parameters.as_dict() == {
        "measure": "edge",
        "unit": "m",
        "rings_m": [250.0, 900.0],
        "decay": "rings",
    }
    assert override.pairs["score"].iloc[0] == 50.0  # 600 m: second of two rings
    # switching to another decay drops the study file's max_m; a foreign override is refused
    other = analyze(study, decay="exponential", half_m=400)
    assert other.parameters.as_dict()["half_m"] == 400.0
    assert "max_m" not in other.parameters.as_dict()
    same = analyze(study, decay="linear")
    assert same.parameters.as_dict()["max_m"] == 3000.0
    with pytest.raises(ParameterError, match="max_m is not a parameter of the gaussian decay"):
        analyze(study, decay="gaussian", max_m=100)


# --- weights, ranks and ties -----------------------------------------------------------


def test_site_score_is_the_mean_weighted_by_the_other_sites_weight(tmp_path: Path) -> None:
    x = rect(*SIMZ)
    centre = x.centroid.coords[0]
    write_layer(
        tmp_path / "main.geojson",
        {"x": x, "p": north_of(x, 300.0)},
        p={"weight": 0.5},  # a feature's weight overrides its layer's
    )
    write_layer(
        tmp_path / "others.geojson",
        {"q": rect(*offset(*centre, 90.0, 1600.0)), "r": rect(*offset(*centre, 180.0, 3500.0))},
    )
    result = analyze(write_study(tmp_path, [("main.geojson", 2.0), ("others.geojson", 3.0)]))
    weights = dict(zip(result.sites["id"], result.sites["weight"], strict=True))
    assert weights == {"x": 2.0, "p": 0.5, "q": 3.0, "r": 3.0}
    scores = dict(zip(result.sites["id"], result.sites["score"], strict=True))
    pair_scores: dict[tuple[str, str], float] = {}
    for _, pair in result.pairs.iterrows():
        pair_scores[(pair["a"], pair["b"])] = pair_scores[(pair["b"], pair["a"])] = pair["score"]
    assert len(set(pair_scores.values())) > 2  # the weights matter
    for site in weights:
        others = [o for o in weights if o != site]
        expected = sum(weights[o] * pair_scores[(site, o)] for o in others) / sum(
            weights[o] for o in others
        )
        assert scores[site] == pytest.approx(expected, rel=1e-12)
    contributions = result.breakdown.groupby("site_id")["contribution"].sum()
    for site, score in scores.items():
        assert contributions[site] == pytest.approx(score, rel=1e-12)
    x_rows = result.breakdown[result.breakdown["site_id"] == "x"]
    assert dict(zip(x_rows["other_id"], x_rows["weight"], strict=True)) == {
        "p": 0.5,
        "q": 3.0,
        "r": 3.0,
    }
    assert result.cluster_score == pytest.approx(result.pairs["score"].mean())


def test_ranks_follow_scores_and_ties_go_to_the_smaller_id(tmp_path: Path) -> None:
    a = rect(*SIMZ)
    result = analyze_sites(tmp_path, {"b_site": a, "a_site": north_of(a, 700.0)})
    assert result.sites["score"].tolist() == [75.0, 75.0]
    assert result.sites["id"].tolist() == ["a_site", "b_site"]
    assert result.sites["rank"].tolist() == [1, 2]
    assert result.sites_m["id"].tolist() == ["a_site", "b_site"]


def test_sites_are_ordered_by_score_descending_then_id(bundled: Result) -> None:
    scores = bundled.sites["score"].tolist()
    assert scores == sorted(scores, reverse=True)
    assert bundled.sites["rank"].tolist() == [1, 2, 3, 4]
    keyed = sorted(
        zip(bundled.sites["score"], bundled.sites["id"], strict=True), key=lambda t: (-t[0], t[1])
    )
    assert [sid for _, sid in keyed] == bundled.sites["id"].tolist()


def test_a_tie_for_nearest_goes_to_the_smaller_id(tmp_path: Path) -> None:
    m = rect(*SIMZ)
    sites = {"z": north_of(m, 0.0), "y": south_of(m, 0.0), "m": m}
    result = analyze_sites(tmp_path, sites)
    nearest = dict(zip(result.sites["id"], result.sites["nearest_id"], strict=True))
    assert nearest["m"] == "y"
    assert result.sites.set_index("id").loc["m", "nearest_m"] == 0.0
    assert pair_row(result, "m", "z")["edge_m"] == 0.0
    assert pair_row(result, "m", "y")["edge_m"] == 0.0


def test_scoring_ties_with_handmade_pairs() -> None:
    pairs = pd.DataFrame(
        {
            "a": ["a", "a", "b"],
            "b": ["b", "c", "c"],
            "distance_m": [100.0, 100.0, 100.0],
            "score": [50.0, 50.0, 50.0],
        }
    )
    breakdown = breakdown_table(pairs, {"a": 1.0, "b": 1.0, "c": 1.0})
    out = score_sites(pd.Series(["c", "b", "a"]), breakdown)
    assert out["id"].tolist() == ["c", "b", "a"]  # aligned to the input
    assert out["rank"].tolist() == [3, 2, 1]
    assert out["nearest_id"].tolist() == ["a", "a", "b"]


def test_zero_weights(tmp_path: Path) -> None:
    x = rect(*SIMZ)
    write_layer(tmp_path / "main.geojson", {"x": x, "p": north_of(x, 300.0)}, p={"weight": 0})
    write_layer(tmp_path / "more.geojson", {"q": north_of(north_of(x, 300.0), 300.0)})
    result = analyze(write_study(tmp_path, [("main.geojson", 1.0), ("more.geojson", 0.0)]))
    scores = dict(zip(result.sites["id"], result.sites["score"], strict=True))
    # x's neighbours p and q both weigh 0: x scores 0; p and q count x (weight 1) only
    assert scores["x"] == 0.0
    assert scores["p"] == pair_row(result, "p", "x")["score"]
    assert scores["q"] == pair_row(result, "q", "x")["score"]
    assert not any("weighs 0" in w for w in result.warnings)
    everyone = analyze(write_study(tmp_path, [("main.geojson", 0.0), ("more.geojson", 0.0)]))
    assert any("every site weighs 0" in w for w in everyone.warnings)
    assert everyone.sites["score"].tolist() == [0.0, 0.0, 0.0]
    assert everyone.cluster_score > 0.0  # pair scores do not depend on weights


def test_a_single_site_study_warns_and_scores_0(tmp_path: Path) -> None:
    result = analyze_sites(tmp_path, {"only": rect(*SIMZ)})
    assert result.warnings == ("the study has only one site: there are no pairs to score",)
    assert result.sites["score"].tolist() == [0.0]
    assert result.sites["rank"].tolist() == [1]
    assert result.sites["nearest_id"].isna().all()
    assert result.sites["nearest_m"].isna().all()
    assert len(result.pairs) == 0
    assert len(result.breakdown) == 0
    assert len(result.rings) == 4
    assert (result.rings["reaches"] == "").all()
    assert result.cluster_score == 0.0
    assert "accuracy is that of the input layers" in result.caveat  # no accuracy_m: no crash


def test_resolve_parameters_orders_overrides_over_the_study_over_defaults() -> None:
    params = resolve_parameters({"decay": "linear", "max_m": 900}, {"max_m": 1200, "decay": None})
    assert params.decay.kind == "linear"
    assert params.as_dict()["max_m"] == 1200.0
    assert params.rings_m == (500.0, 1000.0, 2000.0, 5000.0)
    assert params.distance_column == "edge_m"
    with pytest.raises(ParameterError, match="measure 'crow' is not one of edge, centroid"):
        resolve_parameters({}, {"measure": "crow"})


# --- datums ----------------------------------------------------------------------------


def to_gcj02(geometry: dict[str, Any]) -> dict[str, Any]:
    geom = shape(geometry)

    def convert(xy: np.ndarray) -> np.ndarray:
        lon, lat = wgs84_to_gcj02(xy[:, 0], xy[:, 1])
        return np.column_stack([lon, lat])

    return dict(mapping(shapely.transform(geom, convert)))


def test_a_gcj02_copy_gives_the_same_distances_within_1_m(tmp_path: Path) -> None:
    folder = tmp_path / "gcj"
    shutil.copytree(bundled_study_path().parent, folder)
    study = folder / "study.toml"
    text = study.read_text(encoding="utf-8")
    site_files = re.findall(r'path = "(\w+\.geojson)"\nrole = "site"', text)
    assert len(site_files) == 4
    for name in site_files:
        doc = json.loads((folder / name).read_text(encoding="utf-8"))
        for feature in doc["features"]:
            feature["geometry"] = to_gcj02(feature["geometry"])
        (folder / name).write_text(json.dumps(doc), encoding="utf-8")
    study.write_text(text.replace('datum = "wgs84"', 'datum = "gcj02"'), encoding="utf-8")
    assert read_study(study).layers[0].spec.datum == "gcj02"

    original, copy = analyze(), analyze(study)
    moved = shape(json.loads((folder / site_files[0]).read_text())["features"][0]["geometry"])
    shift = moved.centroid.distance(original.data.sites.geometry.iloc[0].centroid)
    assert shift > 0.004  # degrees: about 470 m away
    assert copy.crs_name == original.crs_name
    assert copy.pairs[["a", "b"]].equals(original.pairs[["a", "b"]])
    for column in ("edge_m", "centroid_m", "geodesic_m"):
        np.testing.assert_allclose(copy.pairs[column], original.pairs[column], atol=1.0)
    np.testing.assert_allclose(copy.sites["area_m2"], original.sites["area_m2"], rtol=1e-3)
    assert copy.pairs["score"].tolist() == original.pairs["score"].tolist()


# --- the Result object -----------------------------------------------------------------


def test_result_is_frozen(bundled: Result) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        bundled.cluster_score = 0.0  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        bundled.sites = bundled.sites.iloc[:1]  # type: ignore[misc]


def test_analysis_is_deterministic(bundled: Result) -> None:
    again = analyze()
    for name in ("sites", "sites_m", "pairs", "rings"):
        first, second = getattr(bundled, name), getattr(again, name)
        pd.testing.assert_frame_equal(
            pd.DataFrame(first.drop(columns="geometry")),
            pd.DataFrame(second.drop(columns="geometry")),
        )
        assert shapely.equals_exact(first.geometry.array, second.geometry.array, 0.0).all()
    for name in ("reach", "overlaps", "breakdown"):
        pd.testing.assert_frame_equal(getattr(bundled, name), getattr(again, name))
    assert again.cluster_score == bundled.cluster_score
    assert again.warnings == bundled.warnings
    assert again.crs == bundled.crs


def test_sites_m_is_the_same_sites_in_the_metric_crs(bundled: Result) -> None:
    assert bundled.sites_m.crs == bundled.crs
    assert bundled.sites_m["id"].tolist() == bundled.sites["id"].tolist()
    assert bundled.sites_m["rank"].tolist() == bundled.sites["rank"].tolist()
    back = gpd.GeoSeries(bundled.sites_m.geometry, crs=bundled.crs).to_crs(4326)
    assert shapely.equals_exact(back.array, bundled.sites.geometry.array, 1e-9).all()
    np.testing.assert_allclose(bundled.sites_m.area, bundled.sites["area_m2"], rtol=1e-12)
