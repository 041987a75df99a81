"""Tests for siteplan.load.study: study files, folders, single layers and the bundled study."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pytest
from geometries import MULTIPOLYGON, POINT, SQUARE, feature, feature_collection, layer, point
from shapely.geometry import shape

from siteplan.errors import LayerError, StudyError
from siteplan.load.layers import LayerSpec
from siteplan.load.study import Study, bundled_study_path, load_study, read_study

FULL_STUDY = """
name = "Zhangjiang test"
crs = "EPSG:32651"
focus = "gene_island"

[scoring]
measure = "centroid"
rings_m = [250, 750]
decay = "gaussian"
sigma_m = 800.0

[[layers]]
path = "sites.geojson"
role = "site"
datum = "gcj02"
weight = 2.5
id_field = "code"
name_field = "label"

[[layers]]
path = "{absolute}"
role = "boundary"

[[layers]]
path = "layers/metro.geojson"
role = "context"
datum = "bd09"

[[layers]]
path = "nogo.geojson"
role = "exclusion"

[[constraints]]
kind = "exclusion"
layer = "nogo"
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def sites_layer(tmp_path: Path, name: str = "sites.geojson") -> Path:
    doc = feature_collection(feature(SQUARE, id="gene_island"), feature(POINT, id="proton"))
    return write(tmp_path / name, json.dumps(doc))


def minimal_study(tmp_path: Path, extra: str = "", layers: str | None = None) -> Path:
    sites_layer(tmp_path)
    body = layers if layers is not None else '[[layers]]\npath = "sites.geojson"\n'
    return write(tmp_path / "study.toml", extra + "\n" + body)


# --- parsing ------------------------------------------------------------------------


def test_every_key_is_parsed(tmp_path: Path) -> None:
    boundary = tmp_path / "elsewhere" / "boundary.geojson"
    text = FULL_STUDY.replace("{absolute}", boundary.as_posix())
    study_path = write(tmp_path / "study" / "study.toml", text)
    study = load_study(study_path)
    folder = study_path.parent
    assert study.name == "Zhangjiang test"
    assert study.crs == "EPSG:32651"
    assert study.focus == "gene_island"
    assert study.path == study_path
    assert dict(study.scoring) == {
        "measure": "centroid",
        "rings_m": [250, 750],
        "decay": "gaussian",
        "sigma_m": 800.0,
    }
    assert study.constraints == ({"kind": "exclusion", "layer": "nogo"},)
    assert study.layers == (
        LayerSpec(folder / "sites.geojson", "site", "gcj02", 2.5, "code", "label"),
        LayerSpec(boundary, "boundary", "wgs84", 1.0, "id", "name"),
        LayerSpec(folder / "layers" / "metro.geojson", "context", "bd09", 1.0, "id", "name"),
        LayerSpec(folder / "nogo.geojson", "exclusion", "wgs84", 1.0, "id", "name"),
    )


def test_defaults(tmp_path: Path) -> None:
    study_path = write(tmp_path / "my_area.toml", '[[layers]]\npath = "a.geojson"\n')
    study = load_study(study_path)
    assert study.name == "my_area"
    assert study.crs == "auto"
    assert study.focus is None
    assert dict(study.scoring) == {}
    assert study.constraints == ()
    (spec,) = study.layers
    assert spec == LayerSpec(tmp_path / "a.geojson")
    assert (spec.role, spec.datum, spec.weight, spec.id_field, spec.name_field) == (
        "site",
        "wgs84",
        1.0,
        "id",
        "name",
    )


def test_relative_paths_are_relative_to_the_study_file_not_the_cwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    study_path = minimal_study(tmp_path / "project")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    data = read_study(study_path)
    assert data.study.layers[0].path == tmp_path / "project" / "sites.geojson"
    assert sorted(data.sites["id"]) == ["gene_island", "proton"]


def test_absolute_layer_path_is_kept(tmp_path: Path) -> None:
    layer_path = sites_layer(tmp_path / "data")
    study_path = write(
        tmp_path / "studies" / "s.toml", f'[[layers]]\npath = "{layer_path.as_posix()}"\n'
    )
    data = read_study(study_path)
    assert data.study.layers[0].path == layer_path
    assert len(data.sites) == 2


@pytest.mark.parametrize(("value", "expected"), [("32651", "EPSG:32651"), ('"auto"', "auto")])
def test_crs_int_becomes_epsg_code(tmp_path: Path, value: str, expected: str) -> None:
    study = load_study(minimal_study(tmp_path, f"crs = {value}"))
    assert study.crs == expected


@pytest.mark.parametrize("value", ['""', "3.5", "true", "[32651]"])
def test_bad_crs_is_refused(tmp_path: Path, value: str) -> None:
    with pytest.raises(StudyError, match=r'crs is .*; use "auto" or an EPSG code'):
        load_study(minimal_study(tmp_path, f"crs = {value}"))


@pytest.mark.parametrize(
    ("extra", "layers", "names"),
    [
        ("title = 'x'\nowner = 'me'", None, "unknown key(s) owner, title"),
        ("", '[[layers]]\npath = "sites.geojson"\nrol = "site"\n', "unknown key(s) rol"),
        ("[scoring]\ndecay = 'rings'\nradius = 5", None, "[scoring] has unknown key(s) radius"),
    ],
    ids=["top_level", "layer", "scoring"],
)
def test_unknown_keys_are_refused_by_name(
    tmp_path: Path, extra: str, layers: str | None, names: str
) -> None:
    study_path = minimal_study(tmp_path, extra, layers)
    with pytest.raises(StudyError) as info:
        load_study(study_path)
    message = str(info.value)
    assert isinstance(info.value, ValueError)
    assert message.startswith(f"{study_path}: ")
    assert names in message
    assert "allowed: " in message
    assert "\n" not in message


@pytest.mark.parametrize(
    "layers", ["", "layers = []", 'name = "only a name"'], ids=["absent", "empty", "name_only"]
)
def test_study_without_layers_is_refused(tmp_path: Path, layers: str) -> None:
    study_path = write(tmp_path / "study.toml", layers)
    with pytest.raises(StudyError, match=r"the study has no \[\[layers\]\]; add at least one"):
        load_study(study_path)


def test_layer_without_path_is_refused(tmp_path: Path) -> None:
    study_path = write(tmp_path / "study.toml", '[[layers]]\nrole = "site"\n')
    with pytest.raises(StudyError, match=r"\[\[layers\]\] #1 has no 'path'"):
        load_study(study_path)


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ('role = "parcel"', "role 'parcel' is not one of site, boundary, context, exclusion"),
        ("role = 3", "role is 3; use one of site, boundary"),
        ('datum = "wgs72"', "datum 'wgs72' is not one of wgs84, gcj02, bd09"),
        ("datum = 4326", "datum is 4326; use wgs84, gcj02 or bd09"),
        ("weight = -1", "weight -1.0 is not a number >= 0"),
        ('weight = "heavy"', "weight is 'heavy'; give a number >= 0"),
        ("weight = true", "weight is True; give a number >= 0"),
        ("weight = nan", "weight nan is not a number >= 0"),
        ("weight = inf", "weight inf is not a number >= 0"),
        ("path = 7", "path is 7; give a file path"),
        ("id_field = 1", "id_field is 1; give a name"),
        ("name_field = false", "name_field is False; give a name"),
    ],
)
def test_bad_layer_values_are_refused(tmp_path: Path, line: str, says: str) -> None:
    key = line.split(" ", 1)[0]
    path_line = "" if key == "path" else 'path = "sites.geojson"\n'
    study_path = minimal_study(tmp_path, layers=f"[[layers]]\n{path_line}{line}\n")
    with pytest.raises(StudyError) as info:
        load_study(study_path)
    message = str(info.value)
    assert message.startswith(f"{study_path}: [[layers]] #1")
    assert says in message
    assert "\n" not in message


def test_second_layer_is_named_in_its_error(tmp_path: Path) -> None:
    study_path = minimal_study(
        tmp_path,
        layers='[[layers]]\npath = "sites.geojson"\n\n[[layers]]\npath = "b.geojson"\n'
        'role = "nope"\n',
    )
    with pytest.raises(StudyError, match=r"\[\[layers\]\] #2: role 'nope'"):
        load_study(study_path)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('name = "unterminated\n', "not valid TOML"),
        ("[[layers]\npath = 'a.geojson'\n", "not valid TOML"),
        ("name = 'x'\nname = 'y'\n", "not valid TOML"),
        ("layers = 'sites.geojson'\n", "no [[layers]]"),
        ("focus = 3\n[[layers]]\npath = 'a.geojson'\n", "focus is 3; give a site id"),
        ("name = 5\n[[layers]]\npath = 'a.geojson'\n", "name is 5; give a title"),
        ("scoring = 1\n[[layers]]\npath = 'a.geojson'\n", "[scoring] is not a table"),
        ("constraints = [1]\n[[layers]]\npath = 'a.geojson'\n", "[[constraints]] tables"),
        ("layers = [1]\n", "[[layers]] #1 is not a table"),
    ],
    ids=[
        "unterminated_string",
        "bad_table_header",
        "duplicate_key",
        "layers_not_tables",
        "focus_not_text",
        "name_not_text",
        "scoring_not_table",
        "constraints_not_tables",
        "layer_not_table",
    ],
)
def test_bad_study_file_is_refused(tmp_path: Path, text: str, says: str) -> None:
    study_path = write(tmp_path / "study.toml", text)
    with pytest.raises(StudyError) as info:
        load_study(study_path)
    message = str(info.value)
    assert message.startswith(f"{study_path}: ")
    assert says in message
    assert "\n" not in message


def test_study_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    study_path = tmp_path / "study.toml"
    study_path.write_bytes('name = "张江"\n[[layers]]\npath = "a.geojson"\n'.encode("gbk"))
    with pytest.raises(StudyError, match="not UTF-8 text; save it as UTF-8"):
        load_study(study_path)


def test_missing_layer_file_is_named_by_read_study(tmp_path: Path) -> None:
    study_path = minimal_study(
        tmp_path, layers='[[layers]]\npath = "sites.geojson"\n\n[[layers]]\npath = "gone.geojson"\n'
    )
    with pytest.raises(LayerError) as info:
        read_study(study_path)
    assert str(info.value).startswith(f"{tmp_path / 'gone.geojson'}: no such file")
    assert "relative to the study file" in str(info.value)


# --- folders, single layers and other study arguments ------------------------------------


def test_folder_study_makes_every_layer_file_a_site_layer(tmp_path: Path) -> None:
    folder = tmp_path / "zhangjiang"
    write(folder / "b_hospitals.geojson", json.dumps(layer(POINT, prefix="h")))
    write(folder / "a_parks.json", json.dumps(layer(SQUARE, MULTIPOLYGON, prefix="p")))
    write(folder / "notes.txt", "not a layer")
    write(folder / "study.toml.bak", "not a layer either")
    (folder / "sub.geojson").mkdir()
    study = load_study(folder)
    assert study.name == "zhangjiang"
    assert study.path == folder
    assert [s.path.name for s in study.layers] == ["a_parks.json", "b_hospitals.geojson"]
    assert {s.role for s in study.layers} == {"site"}
    data = read_study(folder)
    assert data.sites["id"].tolist() == ["p1", "p2", "h1"]
    assert data.sites["layer"].tolist() == ["a_parks", "a_parks", "b_hospitals"]
    assert data.boundary is None
    assert data.context is None
    assert data.exclusions is None


def test_folder_given_as_dot_is_named_after_the_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "pudong"
    write(folder / "sites.geojson", json.dumps(layer(POINT, prefix="h")))
    monkeypatch.chdir(folder)
    assert load_study(".").name == "pudong"


def test_folder_with_a_geopackage_is_a_study(tmp_path: Path) -> None:
    folder = tmp_path / "gpkg_study"
    folder.mkdir()
    frame = gpd.GeoDataFrame({"id": ["g1"]}, geometry=[shape(SQUARE)], crs=4326)
    frame.to_crs(32651).to_file(folder / "sites.gpkg", driver="GPKG")
    data = read_study(folder)
    assert data.sites["id"].tolist() == ["g1"]
    assert data.sites.crs.to_epsg() == 4326


def test_empty_folder_is_refused(tmp_path: Path) -> None:
    write(tmp_path / "readme.txt", "no layers here")
    with pytest.raises(StudyError, match="the folder holds no layer files") as info:
        load_study(tmp_path)
    assert str(info.value).startswith(f"{tmp_path}: ")


def test_single_layer_file_is_a_study(tmp_path: Path) -> None:
    layer_path = sites_layer(tmp_path, "zhangjiang_sites.geojson")
    study = load_study(layer_path)
    assert study.name == "zhangjiang_sites"
    assert study.layers == (LayerSpec(layer_path),)
    assert sorted(read_study(layer_path).sites["id"]) == ["gene_island", "proton"]


def test_missing_study_path_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StudyError, match="no such study file or folder") as info:
        load_study(tmp_path / "nothing.toml")
    assert "bundled SIMZ study" in str(info.value)


def test_file_that_is_no_study_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "sites.csv", "id,lon,lat\n")
    with pytest.raises(StudyError, match=r"not a study: give a \.toml study file"):
        load_study(path)


def test_study_without_site_layer_is_refused(tmp_path: Path) -> None:
    write(tmp_path / "area.geojson", json.dumps(layer(SQUARE)))
    study_path = write(
        tmp_path / "study.toml", '[[layers]]\npath = "area.geojson"\nrole = "boundary"\n'
    )
    with pytest.raises(
        StudyError, match='no site layer; give at least one layer with role = "site"'
    ):
        read_study(study_path)


def test_focus_must_be_a_site_id(tmp_path: Path) -> None:
    study_path = minimal_study(tmp_path, 'focus = "children"')
    with pytest.raises(StudyError) as info:
        read_study(study_path)
    message = str(info.value)
    assert message.startswith(f"{study_path}: focus 'children' is not a site id")
    assert "gene_island" in message
    assert "proton" in message


def test_focus_on_a_context_feature_is_refused(tmp_path: Path) -> None:
    write(tmp_path / "metro.geojson", json.dumps(layer(point(121.6024, 31.1117), prefix="m")))
    study_path = minimal_study(
        tmp_path,
        'focus = "m1"',
        '[[layers]]\npath = "sites.geojson"\n\n[[layers]]\npath = "metro.geojson"\n'
        'role = "context"\n',
    )
    with pytest.raises(StudyError, match="focus 'm1' is not a site id"):
        read_study(study_path)


def test_valid_focus_is_kept(tmp_path: Path) -> None:
    data = read_study(minimal_study(tmp_path, 'focus = "proton"'))
    assert data.study.focus == "proton"


def test_study_layers_combine_by_role_and_carry_layer_weight(tmp_path: Path) -> None:
    write(tmp_path / "more.geojson", json.dumps(layer(point(121.63, 31.09), prefix="x")))
    write(tmp_path / "area.geojson", json.dumps(layer(MULTIPOLYGON, prefix="b")))
    study_path = minimal_study(
        tmp_path,
        layers='[[layers]]\npath = "sites.geojson"\n\n'
        '[[layers]]\npath = "more.geojson"\nweight = 3\n\n'
        '[[layers]]\npath = "area.geojson"\nrole = "exclusion"\n',
    )
    data = read_study(study_path)
    assert data.sites["id"].tolist() == ["gene_island", "proton", "x1"]
    assert data.sites["weight"].tolist() == [1.0, 1.0, 3.0]
    assert data.exclusions is not None
    assert data.exclusions["id"].tolist() == ["b1"]
    assert data.exclusions["layer"].tolist() == ["area"]


def test_study_built_in_code_reads_like_a_file(tmp_path: Path) -> None:
    layer_path = sites_layer(tmp_path)
    study = Study(name="in code", layers=(LayerSpec(layer_path, weight=2),))
    data = read_study(study)
    assert data.study is study
    assert data.sites["weight"].tolist() == [2.0, 2.0]


# --- the bundled study ----------------------------------------------------------------


def test_bundled_study_path_is_the_simz_study_file(bundled: Path) -> None:
    assert bundled == bundled_study_path()
    assert bundled.name == "study.toml"
    assert bundled.parent.name == "simz"
    assert bundled.is_file()


def test_bundled_study_loads_four_sites_a_boundary_and_context(bundled: Path) -> None:
    for data in (read_study(), read_study(bundled)):
        assert data.study.path == bundled
        assert data.study.is_bundled
        assert data.study.focus == "cgt_park"
        assert sorted(data.sites["id"]) == [
            "cancer_center",
            "cgt_park",
            "childrens_center",
            "proton_center",
        ]
        assert data.boundary is not None
        assert data.boundary["id"].tolist() == ["simz"]
        assert data.context is not None
        assert len(data.context) == 6  # five metro stations and the Wuzaogang
        assert set(data.context.geom_type) == {"Point", "LineString"}
        assert data.network is not None
        assert "road_medical_access" in set(data.network.frame["id"])
        assert data.exclusions is None
        assert data.schematic
        assert data.warnings == ()
        assert data.sites.crs.to_epsg() == 4326
        # Every site lies inside the SIMZ boundary.
        area = data.boundary.geometry.iloc[0]
        assert data.sites.geometry.within(area).all()


def test_bundled_study_matches_the_published_facts() -> None:
    """Areas from GEODATA_FACTS.md; every feature records its provenance."""
    data = read_study()
    areas = dict(zip(data.sites["id"], data.sites.to_crs(32651).area, strict=True))
    assert areas["cgt_park"] == pytest.approx(80_000, rel=0.05)  # about 8 ha
    assert areas["childrens_center"] == pytest.approx(40_000, rel=0.05)  # 60 mu
    assert data.boundary is not None
    assert float(data.boundary.to_crs(32651).area.iloc[0]) == pytest.approx(11.8e6, rel=0.1)
    assert data.context is not None
    for frame in (data.sites, data.boundary, data.context):
        for column in ("id", "name", "name_zh", "kind", "source", "accuracy_m", "placement"):
            assert frame[column].notna().all(), column
        assert set(frame["placement"]) <= {"schematic", "surveyed"}
    assert set(data.sites["placement"]) == {"schematic"}


def test_bundled_study_file_and_default_are_the_same_configuration(bundled: Path) -> None:
    assert load_study() == load_study(bundled)


def test_a_study_path_that_is_not_bundled_is_not_bundled(tmp_path: Path) -> None:
    assert not load_study(minimal_study(tmp_path)).is_bundled
