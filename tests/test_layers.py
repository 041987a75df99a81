"""Tests for siteplan.load.layers: every refusal, the repairs and the happy paths."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pytest
import shapely
from geometries import (
    BEYOND_LAT,
    BEYOND_LON,
    BOWTIE,
    EMPTY_POINT,
    EMPTY_POLYGON,
    LINESTRING,
    METRES,
    MULTIPOLYGON,
    POINT,
    SQUARE,
    SWAPPED,
    UNCLOSED,
    WITH_HOLE,
    box,
    feature,
    feature_collection,
    layer,
    point,
    polygon,
)
from pyproj import Geod
from shapely.geometry import shape

from siteplan.errors import LayerError, SiteplanError
from siteplan.load._datum import wgs84_to_bd09, wgs84_to_gcj02
from siteplan.load.layers import LayerSpec, read_layer
from siteplan.load.study import read_study

GEOD = Geod(ellps="WGS84")


def geod_m(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Return the geodesic distances in metres between two (n, 2) lon/lat arrays."""
    _, _, dist = GEOD.inv(a[:, 0], a[:, 1], b[:, 0], b[:, 1])
    return np.asarray(dist)


def metric_area(frame: gpd.GeoDataFrame) -> np.ndarray:
    return np.asarray(frame.to_crs(32651).area)


def with_token(geometry: dict[str, Any], token: str) -> str:
    """Return a one-feature layer as text with its vertex 121.612 replaced by ``token``.

    ``json`` cannot write ``1e999``, and NaN/Infinity are written as raw text here
    so that the test does not depend on how a serialiser spells them.
    """
    text = json.dumps(feature_collection(feature(geometry, id="v1")))
    assert "121.612" in text
    return text.replace("121.612", token, 1)


# --- refusals ------------------------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    """One bad input: the file content, what the message must say and the feature named."""

    content: Any
    says: tuple[str, ...]
    feature: str | None = None
    spec: dict[str, Any] = field(default_factory=dict)


def _gbk_layer() -> bytes:
    doc = feature_collection(feature(POINT, id="zj", name="张江基因岛"))
    return json.dumps(doc, ensure_ascii=False).encode("gbk")


REFUSALS: dict[str, Refusal] = {
    "not_json": Refusal("id,name\ncgt_park,Gene Island\n", ("not valid json", "export")),
    "truncated_json": Refusal(
        json.dumps(layer(SQUARE))[:70], ("truncated", "export the layer again")
    ),
    "empty_file": Refusal("", ("empty", "export the layer again")),
    "whitespace_file": Refusal("  \n\t\n", ("empty", "export the layer again")),
    "json_object_not_geojson": Refusal(
        {"name": "sites", "rows": [1, 2]}, ("not geojson", "export the layer as geojson")
    ),
    "json_array_not_geojson": Refusal([121.61, 31.1], ("not geojson", "export")),
    "json_unknown_type": Refusal(
        {"type": "Topology", "objects": {}}, ("not geojson", "featurecollection")
    ),
    "bare_geometry": Refusal(SQUARE, ("bare polygon", "wrap it in a feature")),
    "empty_feature_collection": Refusal(
        feature_collection(), ("no features", "add at least one feature")
    ),
    "null_geometry": Refusal(
        feature_collection(feature(SQUARE, id="ok"), feature(None, id="nothing")),
        ("null", "draw the feature or remove it"),
        feature="'nothing'",
    ),
    "empty_polygon": Refusal(
        layer(EMPTY_POLYGON), ("empty", "draw the feature or remove it"), feature="'f1'"
    ),
    "empty_point": Refusal(
        layer(EMPTY_POINT), ("empty", "draw the feature or remove it"), feature="'f1'"
    ),
    "nan_coordinate": Refusal(
        with_token(SQUARE, "NaN"), ("not finite", "fix or remove"), feature="'v1'"
    ),
    "infinite_coordinate": Refusal(
        with_token(SQUARE, "Infinity"), ("not finite", "fix or remove"), feature="'v1'"
    ),
    "negative_infinite_coordinate": Refusal(
        with_token(SQUARE, "-Infinity"), ("not finite", "fix or remove"), feature="'v1'"
    ),
    "overflowing_coordinate_1e999": Refusal(
        with_token(SQUARE, "1e999"), ("not finite", "fix or remove"), feature="'v1'"
    ),
    "lon_beyond_180": Refusal(
        layer(BEYOND_LON), ("beyond lon ±180 / lat ±90", "fix the coordinates"), feature="'f1'"
    ),
    "lat_beyond_90": Refusal(
        layer(BEYOND_LAT), ("beyond lon ±180 / lat ±90", "fix the coordinates"), feature="'f1'"
    ),
    "lat_lon_swapped": Refusal(
        layer(SWAPPED), ("swapped", "[lon, lat]", "swap the two numbers"), feature="'f1'"
    ),
    "metres_without_crs": Refusal(
        layer(METRES), ("metres", "declares no crs", "reproject the layer"), feature="'f1'"
    ),
    "unclosed_ring": Refusal(
        layer(UNCLOSED), ("not closed", "repeat the first position"), feature="'f1'"
    ),
    "unclosed_hole": Refusal(
        layer(
            polygon(box(121.61, 31.10, 121.614, 31.104), box(121.611, 31.101, 121.613, 31.103)[:-1])
        ),
        ("not closed", "repeat the first position"),
        feature="'f1'",
    ),
    "ring_too_short": Refusal(
        layer(polygon([[121.61, 31.1], [121.62, 31.1], [121.61, 31.1]])),
        ("fewer than the 4", "fix the footprint"),
        feature="'f1'",
    ),
    "coordinate_not_a_number": Refusal(
        layer(point("121.6", 31.1)),  # type: ignore[arg-type]
        ("not a number", "plain json numbers"),
        feature="'f1'",
    ),
    "duplicate_ids": Refusal(
        feature_collection(
            feature(SQUARE, id="gene_island"),
            feature(POINT, id="proton"),
            feature(point(121.62, 31.1), id="gene_island"),
        ),
        ("'gene_island'", "#1 and #3", "give every feature a unique id"),
        feature="'gene_island'",
    ),
    "empty_id": Refusal(
        feature_collection(feature(SQUARE, id="a"), feature(POINT, id="")),
        ("'id' property is missing or empty", "unique id"),
        feature="#2",
    ),
    "not_utf8_gbk": Refusal(_gbk_layer(), ("not utf-8", "save the file as utf-8")),
    "linestring_as_site": Refusal(
        layer(LINESTRING),
        ("linestring does not fit a site layer", "give the layer another role"),
        feature="'f1'",
    ),
    "point_as_boundary": Refusal(
        layer(POINT),
        ("point does not fit a boundary layer", "polygon"),
        feature="'f1'",
        spec={"role": "boundary"},
    ),
    "point_as_exclusion": Refusal(
        layer(POINT),
        ("point does not fit an", "exclusion layer", "give the layer another role"),
        feature="'f1'",
        spec={"role": "exclusion"},
    ),
    "geometry_collection_as_site": Refusal(
        layer({"type": "GeometryCollection", "geometries": [SQUARE, POINT]}),
        ("geometrycollection does not fit a site layer",),
        feature="'f1'",
    ),
    "bad_feature_weight": Refusal(
        feature_collection(feature(SQUARE, id="a", weight=-2)),
        ("weight -2", "fix the feature's 'weight' property"),
        feature="'a'",
    ),
    "degenerate_polygon_repairs_to_nothing": Refusal(
        layer(polygon([[121.61, 31.1], [121.62, 31.1], [121.63, 31.1], [121.61, 31.1]])),
        ("no area once repaired", "redraw the footprint"),
        feature="'f1'",
    ),
}


def refusal_error(
    case: Refusal, name: str, write_geojson: Callable[..., Path]
) -> tuple[Path, LayerError]:
    path = write_geojson(case.content, f"{name}.geojson")
    with pytest.raises(LayerError) as info:
        read_layer(LayerSpec(path, **case.spec))
    return path, info.value


@pytest.mark.parametrize("name", list(REFUSALS))
def test_refusal_names_file_feature_and_remedy(name: str, write_geojson: Any) -> None:
    case = REFUSALS[name]
    path, error = refusal_error(case, name, write_geojson)
    message = str(error)
    assert isinstance(error, ValueError)
    assert isinstance(error, SiteplanError)
    assert error.path == str(path)
    assert message.startswith(f"{path}: ")
    assert error.feature == case.feature
    if case.feature is not None:
        assert f"feature {case.feature}: " in message
    for fragment in case.says:
        assert fragment in message.lower(), f"{fragment!r} not in {message!r}"
    # What to do comes after what is wrong, separated by a semicolon.
    assert ";" in error.message


@pytest.mark.parametrize("name", list(REFUSALS))
def test_refusal_message_is_one_line(name: str, write_geojson: Any) -> None:
    _, error = refusal_error(REFUSALS[name], name, write_geojson)
    assert "\n" not in str(error)
    assert "\r" not in str(error)
    assert str(error) == error.format()


def test_missing_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "nowhere" / "sites.geojson"
    with pytest.raises(LayerError, match=r"no such file; check the path") as info:
        read_layer(LayerSpec(path))
    assert str(info.value).startswith(f"{path}: ")
    assert "\n" not in str(info.value)


def test_folder_as_layer_is_refused(tmp_path: Path) -> None:
    with pytest.raises(LayerError, match="not a file; give a GeoJSON or GeoPackage"):
        read_layer(LayerSpec(tmp_path))


def test_feature_without_id_is_named_by_position(write_geojson: Any) -> None:
    doc = feature_collection(feature(SQUARE, name="a"), feature(None, name="b"))
    path = write_geojson(doc)
    with pytest.raises(LayerError, match="feature #2: the geometry is null"):
        read_layer(LayerSpec(path))


def test_duplicate_ids_across_two_layers_name_both_files(tmp_path: Path) -> None:
    first = tmp_path / "parks.geojson"
    second = tmp_path / "hospitals.geojson"
    first.write_text(json.dumps(feature_collection(feature(SQUARE, id="shared"))))
    second.write_text(json.dumps(feature_collection(feature(POINT, id="shared"))))
    study = tmp_path / "study.toml"
    study.write_text(
        '[[layers]]\npath = "parks.geojson"\n\n[[layers]]\npath = "hospitals.geojson"\n'
    )
    with pytest.raises(LayerError) as info:
        read_study(study)
    message = str(info.value)
    assert isinstance(info.value, ValueError)
    assert message.startswith(f"{second}: feature 'shared': ")
    assert str(first) in message
    assert "unique across the whole study" in message
    assert "rename one of them" in message
    assert "\n" not in message


def test_duplicate_ids_across_roles_are_refused(tmp_path: Path) -> None:
    (tmp_path / "sites.geojson").write_text(json.dumps(layer(SQUARE, prefix="x")))
    (tmp_path / "area.geojson").write_text(json.dumps(layer(MULTIPOLYGON, prefix="x")))
    study = tmp_path / "study.toml"
    study.write_text(
        '[[layers]]\npath = "sites.geojson"\n\n'
        '[[layers]]\npath = "area.geojson"\nrole = "boundary"\n'
    )
    with pytest.raises(LayerError, match="'x1' is also used in"):
        read_study(study)


# --- GeoPackage refusals (GDAL path, not the GeoJSON text checks) ----------------------


def _write_gpkg(path: Path, geometries: list[Any], crs: Any, **columns: list[Any]) -> Path:
    frame = gpd.GeoDataFrame(
        {"id": [f"g{i + 1}" for i in range(len(geometries))], **columns},
        geometry=geometries,
        crs=crs,
    )
    # pyogrio warns when it writes a layer without a CRS, which is the point here.
    with pytest.warns(UserWarning, match="crs") if crs is None else nullcontext():
        frame.to_file(path, driver="GPKG")
    return path


GPKG_REFUSALS = {
    "null_geometry": ([shape(SQUARE), None], 4326, "null", "'g2'"),
    "empty_geometry": ([shapely.Polygon()], 4326, "empty", "'g1'"),
    "nan_coordinate": ([shapely.Point(float("nan"), 31.1)], 4326, "nan or infinite", "'g1'"),
    "lat_lon_swapped": ([shapely.Point(31.1, 121.6)], 4326, "swapped", "'g1'"),
    "metres_without_crs": ([shape(METRES)], None, "metres", "'g1'"),
    "linestring_as_site": ([shape(LINESTRING)], 4326, "does not fit a site layer", "'g1'"),
}


@pytest.mark.parametrize("name", list(GPKG_REFUSALS))
def test_geopackage_refusal(name: str, tmp_path: Path) -> None:
    geometries, crs, says, label = GPKG_REFUSALS[name]
    path = _write_gpkg(tmp_path / f"{name}.gpkg", geometries, crs)
    with pytest.raises(LayerError) as info:
        read_layer(LayerSpec(path))
    message = str(info.value)
    assert message.startswith(f"{path}: feature {label}: ")
    assert says in message.lower()
    assert "\n" not in message


@pytest.mark.parametrize("content", [b"", b"not a database"], ids=["empty", "garbage"])
def test_unreadable_geopackage_is_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "broken.gpkg"
    path.write_bytes(content)
    with pytest.raises(LayerError, match="GDAL cannot read this file") as info:
        read_layer(LayerSpec(path))
    assert str(info.value).startswith(f"{path}: ")
    assert "give a GeoJSON or GeoPackage layer" in str(info.value)
    assert "\n" not in str(info.value)


def test_chinese_datum_on_projected_geopackage_is_refused(tmp_path: Path) -> None:
    path = _write_gpkg(tmp_path / "utm.gpkg", [shape(SQUARE)], 4326)
    gpd.read_file(path).to_crs(32651).to_file(path, driver="GPKG")
    with pytest.raises(LayerError, match="datum gcj02 applies to lon/lat") as info:
        read_layer(LayerSpec(path, datum="gcj02"))
    assert "UTM zone 51N" in str(info.value)


# --- repairs ------------------------------------------------------------------------------


def test_bowtie_is_repaired_with_a_warning_naming_the_feature(write_geojson: Any) -> None:
    path = write_geojson(feature_collection(feature(BOWTIE, id="bow"), feature(SQUARE, id="sq")))
    result = read_layer(LayerSpec(path))
    assert len(result.warnings) == 1
    warning = result.warnings[0]
    assert warning.startswith(f"{path}: feature 'bow': ")
    assert "self-intersection" in warning.lower()
    assert "make_valid" in warning
    assert "--strict" in warning
    geoms = result.frame.geometry
    assert geoms.is_valid.all()
    assert result.frame.geom_type.tolist() == ["MultiPolygon", "Polygon"]
    bow_area, square_area = metric_area(result.frame)
    # Two triangles, each a quarter of the square: never measured as 0 m².
    assert bow_area > 0
    assert bow_area == pytest.approx(square_area / 2, rel=1e-3)


def test_bowtie_is_refused_when_strict(write_geojson: Any) -> None:
    path = write_geojson(feature_collection(feature(BOWTIE, id="bow")))
    with pytest.raises(LayerError) as info:
        read_layer(LayerSpec(path), strict=True)
    message = str(info.value)
    assert message.startswith(f"{path}: feature 'bow': the geometry is invalid")
    assert "Self-intersection" in message
    assert "without --strict" in message
    assert "\n" not in message


def test_valid_layer_has_no_warnings_and_strict_accepts_it(write_geojson: Any) -> None:
    path = write_geojson(layer(SQUARE, WITH_HOLE, MULTIPOLYGON, POINT))
    loose = read_layer(LayerSpec(path))
    strict = read_layer(LayerSpec(path), strict=True)
    assert loose.warnings == strict.warnings == ()
    assert loose.frame.geometry.geom_equals(strict.frame.geometry).all()


# --- happy paths -----------------------------------------------------------------------


def test_geojson_layer_reads_into_wgs84_with_ids_names_and_properties(
    write_geojson: Any,
) -> None:
    doc = feature_collection(
        feature(SQUARE, id="gene_island", name="Gene Island", placement="schematic", floors=5),
        feature(POINT, id="proton", name="Proton Center", placement="surveyed", floors=3),
    )
    path = write_geojson(doc, "sites.geojson")
    result = read_layer(LayerSpec(path))
    frame = result.frame
    assert frame.crs.to_epsg() == 4326
    assert frame["id"].tolist() == ["gene_island", "proton"]
    assert frame["name"].tolist() == ["Gene Island", "Proton Center"]
    assert frame["weight"].tolist() == [1.0, 1.0]
    assert frame["placement"].tolist() == ["schematic", "surveyed"]
    assert frame["floors"].tolist() == [5, 3]
    assert frame.geometry.iloc[0].equals(shape(SQUARE))
    assert frame.geometry.iloc[1].equals(shape(POINT))
    assert result.schematic
    assert result.warnings == ()
    assert result.spec.name == "sites"
    summary = result.summary()
    assert summary["features"] == 2
    assert summary["geometry_types"] == ["Point", "Polygon"]
    assert summary["bounds"] == pytest.approx([121.610, 31.100, 121.6125, 31.105])
    assert summary["datum"] == "wgs84"
    assert summary["placement"] == {"schematic": 1, "surveyed": 1}


def test_single_feature_file_is_a_layer(write_geojson: Any) -> None:
    path = write_geojson(feature(SQUARE, id="solo"))
    assert read_layer(LayerSpec(path)).frame["id"].tolist() == ["solo"]


def test_legacy_crs_member_in_metres_is_reprojected(write_geojson: Any) -> None:
    """A GeoJSON that declares its CRS (pre-RFC 7946) is not 'metres with no CRS'."""
    urn = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32651"}}
    path = write_geojson(feature_collection(feature(METRES, id="utm"), crs=urn))
    result = read_layer(LayerSpec(path))
    assert result.source_crs == "EPSG:32651"
    expected = gpd.GeoSeries([shape(METRES)], crs=32651).to_crs(4326)
    got = shapely.get_coordinates(result.frame.geometry.array)
    want = shapely.get_coordinates(expected.array)
    assert geod_m(got, want).max() < 0.01


def test_geopackage_in_utm_comes_back_in_wgs84_at_the_right_place(tmp_path: Path) -> None:
    original = gpd.GeoDataFrame(
        {"id": ["gene_island", "proton"], "name": ["Gene Island", "Proton"]},
        geometry=[shape(SQUARE), shape(POINT)],
        crs=4326,
    )
    path = tmp_path / "sites.gpkg"
    original.to_crs(32651).to_file(path, driver="GPKG")
    result = read_layer(LayerSpec(path))
    assert result.source_crs == "EPSG:32651"
    assert result.frame.crs.to_epsg() == 4326
    assert result.frame["id"].tolist() == ["gene_island", "proton"]
    got = shapely.get_coordinates(result.frame.geometry.array)
    want = shapely.get_coordinates(original.geometry.array)
    assert got.shape == want.shape
    assert geod_m(got, want).max() < 0.01
    assert metric_area(result.frame)[0] == pytest.approx(metric_area(original)[0], rel=1e-6)


def test_feature_weight_overrides_layer_weight(write_geojson: Any) -> None:
    doc = feature_collection(
        feature(SQUARE, id="heavy", weight=2.5),
        feature(POINT, id="default", weight=None),
        feature(point(121.62, 31.1), id="unset"),
        feature(point(121.63, 31.1), id="zero", weight=0),
    )
    path = write_geojson(doc)
    frame = read_layer(LayerSpec(path, weight=3.0)).frame
    assert dict(zip(frame["id"], frame["weight"], strict=True)) == {
        "heavy": 2.5,
        "default": 3.0,
        "unset": 3.0,
        "zero": 0.0,
    }


def test_layer_weight_applies_without_weight_property(write_geojson: Any) -> None:
    path = write_geojson(layer(SQUARE, POINT))
    assert read_layer(LayerSpec(path, weight=4)).frame["weight"].tolist() == [4.0, 4.0]


@pytest.mark.parametrize("weight", [-1.0, float("nan"), float("inf"), True, "2"])
def test_bad_layer_weight_is_refused(tmp_path: Path, weight: Any) -> None:
    with pytest.raises(LayerError, match="is not a number >= 0"):
        LayerSpec(tmp_path / "x.geojson", weight=weight)


@pytest.mark.parametrize(
    ("field_name", "value"), [("role", "parcel"), ("datum", "wgs72")], ids=["role", "datum"]
)
def test_bad_role_or_datum_is_refused(tmp_path: Path, field_name: str, value: str) -> None:
    with pytest.raises(LayerError, match=f"{field_name} '{value}' is not one of"):
        LayerSpec(tmp_path / "x.geojson", **{field_name: value})


def test_id_from_file_stem_when_there_is_no_id(write_geojson: Any) -> None:
    one = write_geojson(feature_collection(feature(SQUARE, name="Gene Island")), "gene.geojson")
    two = write_geojson(feature_collection(feature(SQUARE), feature(POINT)), "metro.geojson")
    single = read_layer(LayerSpec(one))
    double = read_layer(LayerSpec(two))
    assert single.frame["id"].tolist() == ["gene"]
    assert single.frame["name"].tolist() == ["Gene Island"]
    assert double.frame["id"].tolist() == ["metro_1", "metro_2"]
    assert len(single.warnings) == 1
    assert single.warnings[0].startswith(f"{one}: no 'id' property")


@pytest.mark.parametrize("ids", [[5, 6], ["a5", "a6"]], ids=["integers", "strings"])
def test_rfc7946_feature_id_members_are_ids(write_geojson: Any, ids: list[Any]) -> None:
    doc = feature_collection(
        {**feature(SQUARE, name="Square"), "id": ids[0]}, {**feature(POINT), "id": ids[1]}
    )
    result = read_layer(LayerSpec(write_geojson(doc, "stations.geojson")))
    assert result.frame["id"].tolist() == [str(i) for i in ids]
    assert result.frame["name"].tolist() == ["Square", str(ids[1])]
    assert result.warnings == ()


def test_duplicate_rfc7946_feature_ids_are_refused(write_geojson: Any) -> None:
    doc = feature_collection({**feature(SQUARE), "id": 1}, {**feature(POINT), "id": 1})
    with pytest.raises(LayerError, match="feature '1': id '1' is used by features #1 and #2"):
        read_layer(LayerSpec(write_geojson(doc)))


def test_id_property_wins_over_feature_id_member(write_geojson: Any) -> None:
    doc = feature_collection({**feature(SQUARE, id="prop"), "id": 9})
    assert read_layer(LayerSpec(write_geojson(doc))).frame["id"].tolist() == ["prop"]


def test_names_default_to_ids(write_geojson: Any) -> None:
    doc = feature_collection(
        feature(SQUARE, id="a", name="Named"),
        feature(POINT, id="b", name=None),
        feature(point(121.62, 31.1), id="c", name="  "),
        feature(point(121.63, 31.1), id="d"),
    )
    frame = read_layer(LayerSpec(write_geojson(doc))).frame
    assert frame["name"].tolist() == ["Named", "b", "c", "d"]


def test_no_name_property_at_all_uses_ids(write_geojson: Any) -> None:
    frame = read_layer(LayerSpec(write_geojson(layer(SQUARE, POINT)))).frame
    assert frame["name"].tolist() == frame["id"].tolist() == ["f1", "f2"]


def test_custom_id_and_name_fields(write_geojson: Any) -> None:
    doc = feature_collection(
        feature(SQUARE, code="S-1", label="Site one"), feature(POINT, code=7, label="Site 7")
    )
    spec = LayerSpec(write_geojson(doc), id_field="code", name_field="label")
    frame = read_layer(spec).frame
    assert frame["id"].tolist() == ["S-1", "7"]
    assert frame["name"].tolist() == ["Site one", "Site 7"]


def test_ids_are_unique_non_empty_strings(bundled: Path) -> None:
    for path in bundled.parent.glob("*.geojson"):
        role = "context" if path.stem in ("metro_stations", "water") else "site"
        role = "boundary" if path.stem == "simz_boundary" else role
        role = "network" if path.stem == "roads" else role
        frame = read_layer(LayerSpec(path, role=role)).frame
        ids = frame["id"].tolist()
        assert all(isinstance(i, str) and i for i in ids)
        assert len(set(ids)) == len(ids)


def test_multipolygon_fits_boundary_and_linestring_fits_context(write_geojson: Any) -> None:
    boundary = read_layer(LayerSpec(write_geojson(layer(MULTIPOLYGON)), role="boundary"))
    context = read_layer(
        LayerSpec(write_geojson(layer(LINESTRING, POINT), "ctx.geojson"), role="context")
    )
    assert boundary.frame.geom_type.tolist() == ["MultiPolygon"]
    assert context.frame.geom_type.tolist() == ["LineString", "Point"]


@pytest.mark.parametrize(("datum", "forward"), [("gcj02", wgs84_to_gcj02), ("bd09", wgs84_to_bd09)])
def test_chinese_datum_layer_lands_on_its_wgs84_original(
    write_geojson: Any, datum: str, forward: Any
) -> None:
    original = np.asarray(SQUARE["coordinates"][0] + [POINT["coordinates"]], dtype=float)
    lon, lat = forward(original[:, 0], original[:, 1])
    shifted = np.column_stack([lon, lat]).tolist()
    doc = feature_collection(
        feature(polygon(shifted[:5]), id="site"), feature(point(*shifted[5]), id="pt")
    )
    path = write_geojson(doc, f"{datum}.geojson")
    converted = read_layer(LayerSpec(path, datum=datum))
    as_if_wgs84 = read_layer(LayerSpec(path))
    got = shapely.get_coordinates(converted.frame.geometry.array)
    assert geod_m(got, original).max() < 0.5
    # Read without the datum, the same file is hundreds of metres off.
    raw = shapely.get_coordinates(as_if_wgs84.frame.geometry.array)
    assert geod_m(raw, original).min() > 400
    assert converted.summary()["datum"] == datum
