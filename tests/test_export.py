"""Tests for siteplan.render.export and ``siteplan export``: GeoPackage and RFC 7946 GeoJSON."""

from __future__ import annotations

import doctest
import hashlib
import json
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from shapely.geometry import shape

import siteplan
from siteplan.analysis import Result, analyze
from siteplan.errors import OutputError, ParameterError
from siteplan.load.study import bundled_study_path
from siteplan.render import export as export_module
from siteplan.render.export import SITE_COLUMNS, export_driver, export_result

RunCLI = Callable[..., tuple[int, str, str]]

SPATIAL_LAYERS = ["sites", "rings", "pairs", "boundary", "context"]


@pytest.fixture(scope="module")
def result() -> Result:
    """The bundled SIMZ study with rings so small that some pairs lie beyond the last."""
    return analyze(rings_m=[100, 500])


@pytest.fixture(scope="module")
def default_result(bundled_result: Result) -> Result:
    return bundled_result


@pytest.fixture(scope="module")
def gpkg(result: Result, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return export_result(result, tmp_path_factory.mktemp("gpkg") / "simz.gpkg")


@pytest.fixture(scope="module")
def geojson(result: Result, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return export_result(result, tmp_path_factory.mktemp("geojson") / "simz.geojson")


@pytest.fixture
def study_copy(tmp_path: Path) -> Path:
    """A copy of the bundled study folder; returns its study file."""
    folder = tmp_path / "simz"
    shutil.copytree(bundled_study_path().parent, folder)
    return folder / "study.toml"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sql(path: Path, query: str) -> list[tuple[Any, ...]]:
    con = sqlite3.connect(path)
    try:
        return con.execute(query).fetchall()
    finally:
        con.close()


def field_types(path: Path, layer: str | None = None) -> dict[str, str]:
    info = pyogrio.read_info(path, layer=layer)
    return dict(zip(info["fields"], info["ogr_types"], strict=True))


# --- GeoPackage ----------------------------------------------------------------------


def test_gpkg_has_the_layers_with_one_feature_per_row(gpkg: Path, result: Result) -> None:
    layers = {str(name): gtype for name, gtype in pyogrio.list_layers(gpkg)}
    assert list(layers) == [*SPATIAL_LAYERS, "parameters", "layer_styles"]
    assert layers["parameters"] is None  # an attribute-only table
    assert layers["layer_styles"] is None  # QGIS styles (siteplan.render.styles)
    assert layers["pairs"] == "LineString"
    assert layers["rings"] == "MultiPolygon"
    counts = {name: pyogrio.read_info(gpkg, layer=name)["features"] for name in layers}
    assert counts["sites"] == 4
    assert counts["rings"] == 4 * 2
    assert counts["pairs"] == 6
    assert counts["boundary"] == 1
    assert counts["context"] == 6  # 5 metro stations and the Wuzaogang river


def test_bundled_default_export_has_4_sites_16_ring_bands_6_pairs(
    default_result: Result, tmp_path: Path
) -> None:
    out = export_result(default_result, tmp_path / "simz.gpkg")
    counts = {
        name: pyogrio.read_info(out, layer=name)["features"] for name in ("sites", "rings", "pairs")
    }
    assert counts == {"sites": 4, "rings": 16, "pairs": 6}


def test_gpkg_spatial_layers_are_wgs84(gpkg: Path) -> None:
    for name in SPATIAL_LAYERS:
        assert pyogrio.read_info(gpkg, layer=name)["crs"] == "EPSG:4326"
    minx, miny, maxx, maxy = pyogrio.read_info(gpkg, layer="sites")["total_bounds"]
    assert 121.5 < minx < maxx < 121.7
    assert 31.0 < miny < maxy < 31.2


def test_gpkg_field_types_are_sensible_for_qgis(gpkg: Path) -> None:
    sites = field_types(gpkg, "sites")
    assert list(sites) == list(SITE_COLUMNS)
    for name in ("id", "name", "name_zh", "layer", "placement", "source", "nearest_id"):
        assert sites[name] == "OFTString", name
    for name in ("weight", "area_m2", "geodesic_area_m2", "score", "nearest_m"):
        assert sites[name] == "OFTReal", name
    assert sites["rank"] in ("OFTInteger", "OFTInteger64")
    assert sites["accuracy_m"] in ("OFTInteger", "OFTInteger64")
    assert field_types(gpkg, "rings") == {
        "site_id": "OFTString",
        "inner_m": "OFTReal",
        "ring_m": "OFTReal",
        "area_m2": "OFTReal",
        "reaches": "OFTString",
    }
    pairs = field_types(gpkg, "pairs")
    assert list(pairs) == [
        "a",
        "b",
        "name_a",
        "name_b",
        "edge_m",
        "centroid_m",
        "geodesic_m",
        "distance_m",
        "ring_m",
        "score",
    ]
    assert {pairs[c] for c in ("a", "b", "name_a", "name_b")} == {"OFTString"}
    assert {pairs[c] for c in list(pairs)[4:]} == {"OFTReal"}
    # object columns of the context layer (all None in the bundled data) are strings
    assert set(field_types(gpkg, "context").values()) <= {"OFTString", "OFTReal", "OFTInteger"}


def test_gpkg_values_read_back_at_full_precision(gpkg: Path, result: Result) -> None:
    pairs = pyogrio.read_dataframe(gpkg, layer="pairs")
    for column in ("edge_m", "centroid_m", "geodesic_m", "distance_m", "score", "ring_m"):
        np.testing.assert_array_equal(pairs[column].to_numpy(), result.pairs[column].to_numpy())
    assert pairs["a"].tolist() == result.pairs["a"].tolist()
    sites = pyogrio.read_dataframe(gpkg, layer="sites")
    assert sites["id"].tolist() == result.sites["id"].tolist()  # ordered by rank
    assert sites["rank"].tolist() == [1, 2, 3, 4]
    np.testing.assert_array_equal(sites["score"].to_numpy(), result.sites["score"].to_numpy())
    assert sites["name_zh"].notna().all()
    rings = pyogrio.read_dataframe(gpkg, layer="rings")
    assert rings["site_id"].tolist() == result.rings["site_id"].tolist()
    np.testing.assert_array_equal(rings["area_m2"].to_numpy(), result.rings["area_m2"].to_numpy())


def test_gpkg_geometries_match_the_result(gpkg: Path, result: Result) -> None:
    sites = pyogrio.read_dataframe(gpkg, layer="sites")
    assert shapely.equals_exact(sites.geometry.array, result.sites.geometry.array, 1e-12).all()
    pairs = pyogrio.read_dataframe(gpkg, layer="pairs")
    assert shapely.equals_exact(pairs.geometry.array, result.pairs.geometry.array, 1e-12).all()


def test_ring_m_beyond_the_last_ring_is_null_not_nan(gpkg: Path, result: Result) -> None:
    beyond = int(result.pairs["ring_m"].isna().sum())
    assert beyond > 0  # the fixture makes sure of it
    [(nulls,)] = sql(gpkg, "SELECT count(*) FROM pairs WHERE ring_m IS NULL")
    assert nulls == beyond
    [(reals,)] = sql(gpkg, "SELECT count(*) FROM pairs WHERE typeof(ring_m) = 'real'")
    assert reals == len(result.pairs) - beyond


def test_gpkg_parameters_table_records_the_metric_crs_and_caveat(
    gpkg: Path, result: Result
) -> None:
    table = pyogrio.read_dataframe(gpkg, layer="parameters")
    assert list(table.columns) == ["key", "value"]
    values = dict(zip(table["key"], table["value"], strict=True))
    assert values["metric_crs"] == "EPSG:32651"
    assert values["layer_crs"] == "EPSG:4326"
    assert values["measure"] == "edge"
    assert json.loads(values["rings_m"]) == [100.0, 500.0]
    assert values["decay"] == "rings"
    assert float(values["cluster_score"]) == result.cluster_score
    assert values["caveat"] == result.caveat
    assert "SCHEMATIC" in values["caveat"]
    assert values["schematic"] == "true"
    assert values["study"] == result.name
    assert values["siteplan_version"] == siteplan.__version__


def test_gpkg_layer_descriptions_name_the_metric_crs(gpkg: Path) -> None:
    rows = dict(sql(gpkg, "SELECT table_name, description FROM gpkg_contents"))
    for name in ("sites", "rings", "pairs"):
        assert "EPSG:32651" in rows[name]
    assert "SCHEMATIC" in rows["sites"]


def test_gpkg_decay_parameters_are_recorded(tmp_path: Path) -> None:
    out = export_result(
        analyze(decay="gaussian", sigma_m=750, measure="centroid"), tmp_path / "g.gpkg"
    )
    table = pyogrio.read_dataframe(out, layer="parameters")
    values = dict(zip(table["key"], table["value"], strict=True))
    assert values["decay"] == "gaussian"
    assert float(values["sigma_m"]) == 750.0
    assert values["measure"] == "centroid"


def test_gpkg_timestamps_are_fixed_and_the_gdal_setting_restored(gpkg: Path) -> None:
    stamps = {row[0] for row in sql(gpkg, "SELECT last_change FROM gpkg_contents")}
    assert stamps == {"2000-01-01T00:00:00.000Z"}
    assert pyogrio.get_gdal_config_option("OGR_CURRENT_DATE") is None


def test_gdal_date_setting_of_the_caller_is_restored(result: Result, tmp_path: Path) -> None:
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": "2011-11-11T11:11:11.000Z"})
    try:
        export_result(result, tmp_path / "a.gpkg")
        assert pyogrio.get_gdal_config_option("OGR_CURRENT_DATE") == "2011-11-11T11:11:11.000Z"
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": None})


def test_gpkg_is_byte_identical_across_runs(result: Result, gpkg: Path, tmp_path: Path) -> None:
    again = export_result(analyze(rings_m=[100, 500]), tmp_path / "other" / "simz.gpkg")
    assert sha256(again) == sha256(gpkg)


# --- GeoJSON ---------------------------------------------------------------------------


def load(path: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return doc


def iter_positions(coords: Any) -> Iterator[tuple[float, float]]:
    if isinstance(coords[0], int | float):
        yield float(coords[0]), float(coords[1])
        return
    for part in coords:
        yield from iter_positions(part)


def test_geojson_is_one_rfc7946_feature_collection(geojson: Path, result: Result) -> None:
    doc = load(geojson)
    assert doc["type"] == "FeatureCollection"
    assert "crs" not in doc
    kinds = [f["properties"]["feature_type"] for f in doc["features"]]
    assert kinds.count("site") == 4
    assert kinds.count("ring") == 8
    assert kinds.count("pair") == 6
    assert len(kinds) == 18
    for feature in doc["features"]:
        assert feature["type"] == "Feature"
        for lon, lat in iter_positions(feature["geometry"]["coordinates"]):
            assert -180.0 <= lon <= 180.0
            assert -90.0 <= lat <= 90.0
            assert 121.5 < lon < 121.7  # lon first, near SIMZ
            assert 31.0 < lat < 31.2


def test_geojson_polygons_follow_the_right_hand_rule(geojson: Path) -> None:
    doc = load(geojson)
    polygons = [
        shape(f["geometry"])
        for f in doc["features"]
        if f["geometry"]["type"] in ("Polygon", "MultiPolygon")
    ]
    assert polygons
    for geom in polygons:
        parts = geom.geoms if geom.geom_type == "MultiPolygon" else [geom]
        for part in parts:
            assert part.exterior.is_ccw
            assert all(not ring.is_ccw for ring in part.interiors)


def test_geojson_numbers_keep_full_precision(geojson: Path, result: Result) -> None:
    doc = load(geojson)
    pairs = [f["properties"] for f in doc["features"] if f["properties"]["feature_type"] == "pair"]
    assert [(p["a"], p["b"]) for p in pairs] == list(
        zip(result.pairs["a"], result.pairs["b"], strict=True)
    )
    for column in ("edge_m", "centroid_m", "geodesic_m", "distance_m", "score"):
        assert [p[column] for p in pairs] == result.pairs[column].tolist()
    rings = [None if np.isnan(r) else r for r in result.pairs["ring_m"]]
    assert [p["ring_m"] for p in pairs] == rings
    assert None in rings
    sites = [f["properties"] for f in doc["features"] if f["properties"]["feature_type"] == "site"]
    assert [s["id"] for s in sites] == result.sites["id"].tolist()
    assert [s["rank"] for s in sites] == [1, 2, 3, 4]
    assert [s["area_m2"] for s in sites] == result.sites["area_m2"].tolist()


def test_geojson_features_carry_their_own_properties(geojson: Path) -> None:
    doc = load(geojson)
    by_kind: dict[str, dict[str, Any]] = {}
    for feature in doc["features"]:
        by_kind.setdefault(feature["properties"]["feature_type"], feature)
    site, ring, pair = by_kind["site"], by_kind["ring"], by_kind["pair"]
    assert site["geometry"]["type"] == "Polygon"
    assert site["properties"]["name_zh"]
    assert site["properties"]["a"] is None  # one schema for the whole collection
    assert ring["properties"]["site_id"]
    assert ring["properties"]["inner_m"] == 0.0
    assert pair["geometry"]["type"] == "LineString"
    assert pair["properties"]["name_a"]


def test_geojson_records_how_the_numbers_were_made(geojson: Path, result: Result) -> None:
    if pyogrio.__gdal_version__ < (3, 9, 0):
        pytest.skip("GDAL < 3.9 cannot write foreign members")
    member = load(geojson)["siteplan"]
    assert member["metric_crs"] == "EPSG:32651"
    assert member["parameters"] == result.parameters.as_dict()
    assert member["cluster_score"] == result.cluster_score
    assert member["caveat"] == result.caveat
    assert member["warnings"] == list(result.warnings)


def test_geojson_is_byte_identical_across_runs(
    result: Result, geojson: Path, tmp_path: Path
) -> None:
    again = export_result(analyze(rings_m=[100, 500]), tmp_path / "simz.geojson")
    assert again.read_bytes() == geojson.read_bytes()


def test_geojson_reads_back_through_pyogrio(geojson: Path) -> None:
    frame = pyogrio.read_dataframe(geojson)
    assert len(frame) == 18
    assert frame.crs.to_epsg() == 4326
    assert sorted(set(frame["feature_type"])) == ["pair", "ring", "site"]


# --- paths, suffixes and failures ------------------------------------------------------


@pytest.mark.parametrize("name", ["out.shp", "out.json", "out.gpkg.zip", "out"])
def test_other_suffixes_are_refused(result: Result, tmp_path: Path, name: str) -> None:
    with pytest.raises(ParameterError) as info:
        export_result(result, tmp_path / name)
    message = str(info.value)
    assert ".gpkg" in message
    assert ".geojson" in message
    assert name in message
    assert list(tmp_path.iterdir()) == []


def test_suffix_case_does_not_matter(result: Result, tmp_path: Path) -> None:
    assert export_driver("x.GeoJSON") == "GeoJSON"
    out = export_result(result, tmp_path / "upper.GPKG")
    assert [str(n) for n, _ in pyogrio.list_layers(out)][:3] == ["sites", "rings", "pairs"]


def test_output_equal_to_an_input_is_refused(study_copy: Path) -> None:
    copied = analyze(study_copy)
    target = study_copy.parent / "cgt_park.geojson"
    before = target.read_bytes()
    with pytest.raises(OutputError, match="one of the inputs"):
        export_result(copied, target)
    assert target.read_bytes() == before
    assert sorted(p.name for p in study_copy.parent.iterdir() if p.name.startswith(".")) == []


def test_output_under_a_regular_file_is_refused(result: Result, tmp_path: Path) -> None:
    blocker = tmp_path / "file.txt"
    blocker.write_text("not a folder", encoding="utf-8")
    with pytest.raises(OutputError, match="not a folder"):
        export_result(result, blocker / "out.gpkg")


def test_missing_parent_folders_are_created(result: Result, tmp_path: Path) -> None:
    out = export_result(result, tmp_path / "a" / "b" / "out.geojson")
    assert out.is_file()


@pytest.mark.parametrize("name", ["out.gpkg", "out.geojson"])
@pytest.mark.parametrize(
    "error",
    [pyogrio.errors.DataSourceError("disk full"), RuntimeError("interrupted")],
    ids=["gdal", "other"],
)
def test_a_failing_write_leaves_no_file(
    result: Result,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    error: Exception,
) -> None:
    real = pyogrio.write_dataframe
    calls: list[str] = []

    def write_then_fail(df: Any, path: Any, **kwargs: Any) -> None:
        calls.append(str(path))
        if len(calls) == 1 and name.endswith(".gpkg"):
            real(df, path, **kwargs)  # the first layer reaches the disk, then it fails
            return
        raise error

    monkeypatch.setattr(export_module.pyogrio, "write_dataframe", write_then_fail)
    expected = OutputError if isinstance(error, pyogrio.errors.DataSourceError) else RuntimeError
    with pytest.raises(expected):
        export_result(result, tmp_path / "out" / name)
    assert calls
    assert not Path(calls[0]).exists()
    assert list((tmp_path / "out").iterdir()) == []
    assert pyogrio.get_gdal_config_option("OGR_CURRENT_DATE") is None


def test_gdal_failure_is_one_clear_output_error(
    result: Result, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*_args: Any, **_kwargs: Any) -> None:
        raise pyogrio.errors.DataSourceError("sqlite3_open(...) failed: disk I/O error")

    monkeypatch.setattr(export_module.pyogrio, "write_dataframe", fail)
    with pytest.raises(OutputError) as info:
        export_result(result, tmp_path / "x.gpkg")
    assert info.value.path == str(tmp_path / "x.gpkg")
    assert "GDAL cannot write the GPKG file" in info.value.message
    assert "disk I/O error" in info.value.message


def test_an_existing_export_is_replaced(result: Result, tmp_path: Path) -> None:
    out = tmp_path / "out.gpkg"
    export_result(analyze(), out)
    assert pyogrio.read_info(out, layer="rings")["features"] == 16
    export_result(result, out)
    assert pyogrio.read_info(out, layer="rings")["features"] == 8
    assert [p.name for p in tmp_path.iterdir()] == ["out.gpkg"]


# --- other studies ---------------------------------------------------------------------


def write_layer(path: Path, features: list[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = {"type": "FeatureCollection", "features": features}
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def square(lon: float, lat: float, half: float = 0.001) -> dict[str, Any]:
    ring = [
        [lon - half, lat - half],
        [lon + half, lat - half],
        [lon + half, lat + half],
        [lon - half, lat + half],
        [lon - half, lat - half],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


def test_a_single_site_study_exports_empty_pairs(tmp_path: Path) -> None:
    write_layer(
        tmp_path / "study" / "one.geojson",
        [
            {
                "type": "Feature",
                "properties": {"id": "only", "name": "Only"},
                "geometry": {"type": "Point", "coordinates": [121.61, 31.1]},
            }
        ],
    )
    solo = analyze(tmp_path / "study")
    gpkg = export_result(solo, tmp_path / "one.gpkg")
    layers = {str(n): g for n, g in pyogrio.list_layers(gpkg)}
    # no boundary, no context
    assert list(layers) == ["sites", "rings", "pairs", "parameters", "layer_styles"]
    assert pyogrio.read_info(gpkg, layer="pairs")["features"] == 0
    assert layers["pairs"] == "LineString"
    sites = pyogrio.read_dataframe(gpkg, layer="sites")
    assert sites["name_zh"].isna().all()  # absent from the layer: NULL, still a String field
    assert field_types(gpkg, "sites")["name_zh"] == "OFTString"
    assert field_types(gpkg, "sites")["accuracy_m"] == "OFTReal"
    assert sites["nearest_id"].isna().all()
    values = dict(sql(gpkg, "SELECT key, value FROM parameters"))
    assert "only one site" in json.loads(values["warnings"])[0]
    doc = load(export_result(solo, tmp_path / "one.geojson"))
    assert [f["properties"]["feature_type"] for f in doc["features"]] == ["site"] + ["ring"] * 4


def test_context_properties_of_mixed_kinds_become_strings(tmp_path: Path) -> None:
    folder = tmp_path / "study"
    write_layer(
        folder / "sites.geojson",
        [
            {"type": "Feature", "properties": {"id": "a"}, "geometry": square(121.61, 31.10)},
            {"type": "Feature", "properties": {"id": "b"}, "geometry": square(121.62, 31.10)},
        ],
    )
    write_layer(
        folder / "poi.geojson",
        [
            {
                "type": "Feature",
                "properties": {"id": "p1", "tags": {"k": 1}, "opened": None, "lines": 2},
                "geometry": {"type": "Point", "coordinates": [121.615, 31.101]},
            },
            {
                "type": "Feature",
                "properties": {"id": "p2", "tags": None, "opened": "2015", "lines": None},
                "geometry": {"type": "LineString", "coordinates": [[121.6, 31.1], [121.61, 31.1]]},
            },
        ],
    )
    study = folder / "study.toml"
    study.write_text(
        'name = "mixed"\n[[layers]]\npath = "sites.geojson"\n'
        '[[layers]]\npath = "poi.geojson"\nrole = "context"\n',
        encoding="utf-8",
    )
    out = export_result(analyze(study), tmp_path / "mixed.gpkg")
    types = field_types(out, "context")
    assert types["opened"] == "OFTString"
    # pyogrio reads an integer property with a null as float64: it stays numeric
    assert types["lines"] in ("OFTInteger", "OFTInteger64", "OFTReal")
    context = pyogrio.read_dataframe(out, layer="context")
    assert context["opened"].tolist()[1] == "2015"
    assert context["lines"].tolist()[0] == 2
    assert pd.isna(context["lines"].tolist()[1])
    assert sorted(context.geom_type) == ["LineString", "Point"]


# --- the command line ------------------------------------------------------------------


def test_cli_export_gpkg(run_cli: RunCLI, tmp_path: Path) -> None:
    out = tmp_path / "results.gpkg"
    code, stdout, stderr = run_cli("export", "-o", out)
    assert code == 0, stderr
    assert "4 sites, 16 ring bands, 6 pairs" in stdout
    assert "EPSG:32651" in stdout
    assert pyogrio.read_info(out, layer="sites")["features"] == 4


def test_cli_export_geojson_with_scoring_options(run_cli: RunCLI, tmp_path: Path) -> None:
    out = tmp_path / "results.geojson"
    code, _, stderr = run_cli(
        "export", bundled_study_path(), "-o", out, "--rings", "250,750", "--measure", "centroid"
    )
    assert code == 0, stderr
    doc = load(out)
    assert [f["properties"]["feature_type"] for f in doc["features"]].count("ring") == 8
    pairs = [f["properties"] for f in doc["features"] if f["properties"]["feature_type"] == "pair"]
    assert all(p["distance_m"] == p["centroid_m"] for p in pairs)


def test_cli_export_needs_an_output(run_cli: RunCLI) -> None:
    code, _, stderr = run_cli("export")
    assert code == 2
    assert "Missing option '-o'" in stderr


def test_cli_export_refuses_an_unknown_suffix_in_one_line(run_cli: RunCLI, tmp_path: Path) -> None:
    code, stdout, stderr = run_cli("export", "-o", tmp_path / "out.shp")
    assert code == 1
    assert stdout == ""
    lines = stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("siteplan: ")
    assert ".gpkg" in lines[0]
    assert ".geojson" in lines[0]
    assert list(tmp_path.iterdir()) == []


def test_cli_export_prints_warnings(run_cli: RunCLI, tmp_path: Path) -> None:
    code, _, stderr = run_cli("export", "--crs", "EPSG:32633", "-o", tmp_path / "far.gpkg")
    assert code == 0
    assert "warning: " in stderr
    assert "EPSG:32633" in stderr


# --- API -------------------------------------------------------------------------------


def test_export_result_is_public() -> None:
    assert siteplan.export_result is export_result
    assert "export_result" in siteplan.__all__


def test_doctests_pass() -> None:
    outcome = doctest.testmod(export_module)
    assert outcome.attempted > 0
    assert outcome.failed == 0


@pytest.mark.parametrize(
    ("values", "dtype"),
    [
        ([True, None, False], "boolean"),
        ([1, None, np.int64(3)], "Int64"),
        ([1, 2.5, None], "float64"),
        ([1, "x", None], "str"),
        ([{"b": 2, "a": 1}, [1, 2], None], "str"),
        ([None, None], "str"),
    ],
)
def test_object_columns_get_one_type(values: list[Any], dtype: str) -> None:
    cleaned = export_module._clean(pd.Series(values, dtype=object))
    assert cleaned.dtype == dtype
    assert cleaned.isna().tolist() == [v is None for v in values]
    if values[0] == {"b": 2, "a": 1}:
        assert cleaned.tolist()[:2] == ['{"a": 1, "b": 2}', "[1, 2]"]
