"""Tests for ``siteplan validate`` and the CLI's error handling, through click's CliRunner."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pytest
from click.testing import CliRunner
from geometries import (
    BOWTIE,
    LINESTRING,
    MULTIPOLYGON,
    POINT,
    SQUARE,
    feature,
    feature_collection,
    layer,
    point,
    polygon,
)
from shapely.geometry import shape
from test_layers import REFUSALS

import siteplan
from siteplan.cli import main
from siteplan.load._datum import wgs84_to_gcj02

BOUNDS = re.compile(r"bounds lon ([\d.-]+)\.\.([\d.-]+) lat ([\d.-]+)\.\.([\d.-]+)")


def bounds_of(line: str) -> tuple[float, ...]:
    match = BOUNDS.search(line)
    assert match, line
    return tuple(float(v) for v in match.groups())


def assert_one_line_error(stderr: str, path: Path | str, *says: str) -> str:
    """Check the CLI's error: one line, ``siteplan: PATH: ...``, no traceback."""
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    (line,) = lines
    assert line.startswith(f"siteplan: {path}: "), line
    assert "Traceback" not in stderr
    for fragment in says:
        assert fragment in line, f"{fragment!r} not in {line!r}"
    return line


# --- summaries ----------------------------------------------------------------------


def test_validate_without_path_summarises_the_bundled_study(run_cli: Any, bundled: Path) -> None:
    code, out, err = run_cli("validate")
    assert code == 0
    assert err == ""
    lines = out.splitlines()
    assert lines[0].endswith(f"({bundled})")
    assert lines[0].startswith("Shanghai International Medical Zone")
    ok = next(k for k, line in enumerate(lines) if line.startswith("ok: "))
    layer_lines = {line.split(":")[0].strip(): line for line in lines[1:ok]}
    assert sorted(layer_lines) == [
        "cancer_center.geojson",
        "cgt_park.geojson",
        "childrens_center.geojson",
        "metro_stations.geojson",
        "proton_center.geojson",
        "simz_boundary.geojson",
        "water.geojson",
    ]
    # the road network is summarised by its quality report, after the layers
    assert lines[ok + 1].startswith("  network (walk): ")
    assert "1 connected component" in lines[ok + 1]
    assert "site layer, 1 feature (Polygon), datum wgs84" in layer_lines["cgt_park.geojson"]
    assert "boundary layer, 1 feature (Polygon)" in layer_lines["simz_boundary.geojson"]
    metro = layer_lines["metro_stations.geojson"]
    assert "context layer, 5 features (Point), datum wgs84" in metro
    assert "placement: surveyed 5" in metro
    assert "placement: schematic 1" in layer_lines["cgt_park.geojson"]
    # The SIMZ boundary from GEODATA_FACTS.md.
    assert bounds_of(layer_lines["simz_boundary.geojson"]) == (121.6024, 121.6375, 31.0798, 31.1117)
    assert lines[ok] == (
        "ok: 7 layers, 4 sites; site positions are SCHEMATIC (placement = schematic): "
        "not survey data"
    )


def test_validate_bare_layer(run_cli: Any, write_geojson: Any) -> None:
    doc = feature_collection(
        feature(SQUARE, id="a", placement="surveyed"), feature(POINT, id="b", placement="surveyed")
    )
    path = write_geojson(doc, "sites.geojson")
    code, out, err = run_cli("validate", path)
    assert code == 0
    assert err == ""
    assert out == (
        "sites\n"
        "  sites.geojson: site layer, 2 features (Point, Polygon), datum wgs84, "
        "bounds lon 121.61000..121.61250 lat 31.10000..31.10500, placement: surveyed 2\n"
        "ok: 1 layers, 2 sites\n"
    )


def test_validate_folder(run_cli: Any, write_geojson: Any, tmp_path: Path) -> None:
    write_geojson(layer(SQUARE, prefix="a"), "area/a.geojson")
    write_geojson(layer(POINT, MULTIPOLYGON, prefix="b"), "area/b.geojson")
    code, out, err = run_cli("validate", tmp_path / "area")
    assert code == 0, err
    assert out.splitlines()[0] == f"area ({tmp_path / 'area'})"
    assert "a.geojson: site layer, 1 feature (Polygon)" in out
    assert "b.geojson: site layer, 2 features (MultiPolygon, Point)" in out
    assert out.splitlines()[-1] == "ok: 2 layers, 3 sites"


def test_validate_study_file(run_cli: Any, write_geojson: Any, tmp_path: Path) -> None:
    write_geojson(layer(SQUARE, prefix="s"), "s/sites.geojson")
    write_geojson(layer(MULTIPOLYGON, prefix="b"), "s/area.geojson")
    write_geojson(layer(LINESTRING, POINT, prefix="c"), "s/roads.geojson")
    study = tmp_path / "s" / "study.toml"
    study.write_text(
        'name = "Test area"\n'
        '[[layers]]\npath = "sites.geojson"\n'
        '[[layers]]\npath = "area.geojson"\nrole = "boundary"\n'
        '[[layers]]\npath = "roads.geojson"\nrole = "context"\n'
    )
    code, out, err = run_cli("validate", study)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == f"Test area ({study})"
    assert "sites.geojson: site layer" in lines[1]
    assert "area.geojson: boundary layer, 1 feature (MultiPolygon)" in lines[2]
    assert "roads.geojson: context layer, 2 features (LineString, Point)" in lines[3]
    assert lines[4] == "ok: 3 layers, 1 sites"


def test_validate_several_paths(run_cli: Any, write_geojson: Any, bundled: Path) -> None:
    one = write_geojson(layer(SQUARE, prefix="x"), "one.geojson")
    two = write_geojson(layer(POINT, prefix="y"), "two.geojson")
    code, out, err = run_cli("validate", one, two, bundled)
    assert code == 0, err
    assert "ok: 7 layers, 4 sites" in out
    assert "2 layer files\n" in out
    assert "ok: 2 layers, 2 sites" in out


def test_role_option_applies_to_bare_layers(run_cli: Any, write_geojson: Any) -> None:
    area = write_geojson(layer(MULTIPOLYGON), "area.geojson")
    code, out, _ = run_cli("validate", "--role", "boundary", area)
    assert code == 0
    assert "area.geojson: boundary layer, 1 feature (MultiPolygon)" in out
    assert "ok: 1 layers, 0 sites" in out
    stations = write_geojson(layer(POINT), "stations.geojson")
    code, _, err = run_cli("validate", "--role", "boundary", stations)
    assert code == 1
    assert_one_line_error(err, stations, "feature 'f1'", "does not fit a boundary layer")
    code, out, _ = run_cli("validate", "--role", "context", write_geojson(layer(LINESTRING)))
    assert code == 0
    assert "context layer, 1 feature (LineString)" in out


def test_bad_role_option_is_a_usage_error(run_cli: Any, write_geojson: Any) -> None:
    code, _, err = run_cli("validate", "--role", "parcel", write_geojson(layer(SQUARE)))
    assert code == 2
    assert "Invalid value for '--role'" in err


def test_datum_option_converts_bare_layers(run_cli: Any, write_geojson: Any) -> None:
    ring = np.asarray(SQUARE["coordinates"][0])
    lon, lat = wgs84_to_gcj02(ring[:, 0], ring[:, 1])
    shifted = write_geojson(layer(polygon(np.column_stack([lon, lat]).tolist())), "amap.geojson")
    code, out, err = run_cli("validate", "--datum", "gcj02", shifted)
    assert code == 0, err
    assert "datum gcj02" in out
    # Back on the WGS84 square (0.5 m is 5e-6 degree; the summary prints 5 decimals).
    assert bounds_of(out) == pytest.approx((121.610, 121.612, 31.100, 31.102), abs=1.1e-5)
    code, raw, _ = run_cli("validate", shifted)
    assert code == 0
    assert "datum wgs84" in raw
    assert bounds_of(raw)[0] == pytest.approx(121.610 + 0.0042, abs=2e-4)


def test_bowtie_is_repaired_with_a_warning(run_cli: Any, write_geojson: Any) -> None:
    path = write_geojson(feature_collection(feature(BOWTIE, id="bow")), "bowtie.geojson")
    code, out, err = run_cli("validate", path)
    assert code == 0
    (warning,) = err.splitlines()
    assert warning.startswith(f"warning: {path}: feature 'bow': invalid geometry")
    assert "repaired with make_valid" in warning
    assert "1 feature (MultiPolygon)" in out


def test_strict_refuses_a_bowtie(run_cli: Any, write_geojson: Any) -> None:
    path = write_geojson(feature_collection(feature(BOWTIE, id="bow")), "bowtie.geojson")
    code, out, err = run_cli("validate", "--strict", path)
    assert code == 1
    assert out == ""
    assert_one_line_error(err, path, "feature 'bow'", "invalid", "Self-intersection")


def test_strict_accepts_valid_layers(run_cli: Any) -> None:
    code, out, err = run_cli("validate", "--strict")
    assert code == 0
    assert err == ""
    assert "ok: 7 layers, 4 sites" in out


# --- every refusal through the CLI ----------------------------------------------------------


@pytest.mark.parametrize("name", list(REFUSALS))
def test_bad_layer_exits_1_with_one_line(name: str, run_cli: Any, write_geojson: Any) -> None:
    case = REFUSALS[name]
    path = write_geojson(case.content, f"{name}.geojson")
    args = ["validate", path]
    if "role" in case.spec:
        args[1:1] = ["--role", case.spec["role"]]
    code, out, err = run_cli(*args)
    assert code == 1
    assert out == ""
    line = assert_one_line_error(err, path)
    if case.feature is not None:
        assert f": feature {case.feature}: " in line
    for fragment in case.says:
        assert fragment in line.lower()


def test_missing_layer_file_exits_1(run_cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "typo.geojson"
    code, _, err = run_cli("validate", path)
    assert code == 1
    assert_one_line_error(err, path, "no such file")


def test_missing_study_exits_1(run_cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "no_such_folder"
    code, _, err = run_cli("validate", path)
    assert code == 1
    assert_one_line_error(err, path, "no such study file or folder")


def test_duplicate_ids_across_files_exit_1_naming_both(run_cli: Any, write_geojson: Any) -> None:
    first = write_geojson(feature_collection(feature(SQUARE, id="same")), "first.geojson")
    second = write_geojson(feature_collection(feature(POINT, id="same")), "second.geojson")
    code, _, err = run_cli("validate", first, second)
    assert code == 1
    assert_one_line_error(err, second, "feature 'same'", f"also used in {first}")


def test_bad_geopackage_exits_1(run_cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "sites.gpkg"
    gpd.GeoDataFrame({"id": ["a"]}, geometry=[shape(LINESTRING)], crs=4326).to_file(path)
    code, _, err = run_cli("validate", path)
    assert code == 1
    assert_one_line_error(err, path, "feature 'a'", "does not fit a site layer")


def test_bad_study_file_exits_1(run_cli: Any, tmp_path: Path) -> None:
    study = tmp_path / "study.toml"
    study.write_text('colour = "red"\n[[layers]]\npath = "a.geojson"\n')
    code, _, err = run_cli("validate", study)
    assert code == 1
    assert_one_line_error(err, study, "unknown key(s) colour")


# --- --verbose, -o, --version --------------------------------------------------------------


def test_verbose_raises_instead_of_one_line(write_geojson: Any) -> None:
    path = write_geojson(layer(point(200.0, 31.1)))
    result = CliRunner().invoke(main, ["--verbose", "validate", str(path)])
    assert result.exit_code == 1
    assert isinstance(result.exception, siteplan.LayerError)
    assert "siteplan: " not in result.stderr


def test_verbose_prints_a_traceback(write_geojson: Any, tmp_path: Path) -> None:
    path = write_geojson(layer(point(200.0, 31.1)))
    quiet = subprocess.run(
        [sys.executable, "-m", "siteplan", "validate", str(path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    loud = subprocess.run(
        [sys.executable, "-m", "siteplan", "--verbose", "validate", str(path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert quiet.returncode == 1
    assert_one_line_error(quiet.stderr, path, "beyond lon ±180 / lat ±90")
    assert loud.returncode == 1
    assert "Traceback (most recent call last)" in loud.stderr
    assert "siteplan.errors.LayerError" in loud.stderr
    assert "beyond lon ±180 / lat ±90" in loud.stderr


def test_output_writes_the_summary(run_cli: Any, tmp_path: Path) -> None:
    target = tmp_path / "out" / "nested" / "summary.txt"
    code, out, err = run_cli("validate", "-o", target)
    assert code == 0, err
    assert target.read_text(encoding="utf-8") == out
    assert "ok: 7 layers, 4 sites" in out
    assert [p.name for p in target.parent.iterdir()] == ["summary.txt"]


@pytest.mark.parametrize("which", ["layer", "study"])
def test_output_over_an_input_is_refused(
    run_cli: Any, write_geojson: Any, tmp_path: Path, which: str
) -> None:
    layer_path = write_geojson(layer(SQUARE), "sites.geojson")
    study = tmp_path / "study.toml"
    study.write_text('[[layers]]\npath = "sites.geojson"\n')
    target = layer_path if which == "layer" else study
    before = target.read_bytes()
    code, _, err = run_cli("validate", study, "-o", target)
    assert code == 1
    assert_one_line_error(err, target, "the output is one of the inputs")
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sites.geojson", "study.toml"]


def test_output_over_an_input_given_by_another_spelling_is_refused(
    run_cli: Any, write_geojson: Any, tmp_path: Path
) -> None:
    layer_path = write_geojson(layer(SQUARE), "sites.geojson")
    before = layer_path.read_bytes()
    other = tmp_path / "sub" / ".." / "sites.geojson"
    (tmp_path / "sub").mkdir()
    code, _, err = run_cli("validate", layer_path, "-o", other)
    assert code == 1
    assert "the output is one of the inputs" in err
    assert layer_path.read_bytes() == before


def test_output_under_a_regular_file_is_refused(run_cli: Any, tmp_path: Path) -> None:
    blocker = tmp_path / "report"
    blocker.write_text("a file")
    code, _, err = run_cli("validate", "-o", blocker / "summary.txt")
    assert code == 1
    assert_one_line_error(err, blocker / "summary.txt", "is a file, not a folder")
    assert blocker.read_text() == "a file"


def test_version(run_cli: Any) -> None:
    code, out, _ = run_cli("--version")
    assert code == 0
    import pyogrio
    import pyproj
    import shapely

    assert out == (
        f"siteplan {siteplan.__version__} (GEOS {shapely.geos_version_string}, "
        f"PROJ {pyproj.proj_version_str}, GDAL {pyogrio.__gdal_version_string__})\n"
    )
    assert siteplan.__version__ == "0.1.0"


def test_help_lists_validate(run_cli: Any) -> None:
    code, out, _ = run_cli("--help")
    assert code == 0
    assert "validate" in out
    code, out, _ = run_cli("validate", "--help")
    assert code == 0
    for option in ("--role", "--datum", "--strict", "--output"):
        assert option in out


def test_validate_json_text_is_not_a_layer(run_cli: Any, write_geojson: Any) -> None:
    """A .json file is read as a layer too; valid JSON that is not GeoJSON is refused."""
    path = write_geojson(json.dumps({"sites": []}), "config.json")
    code, _, err = run_cli("validate", path)
    assert code == 1
    assert_one_line_error(err, path, "not GeoJSON")


# --- large studies: warnings with the figures ---------------------------------------


def _points(n: int) -> dict[str, Any]:
    """``n`` surveyed point sites 10 m apart along a parallel near SIMZ."""
    return feature_collection(
        *(
            feature(point(121.60 + 1e-4 * k, 31.10), id=f"p{k:04d}", placement="surveyed")
            for k in range(n)
        )
    )


def _star(vertices: int) -> dict[str, Any]:
    t = 2 * np.pi * np.arange(vertices) / vertices
    r = np.where(np.arange(vertices) % 2 == 0, 0.004, 0.0015)
    ring = np.column_stack([121.63 + r * np.cos(t), 31.09 + r * np.sin(t)]).tolist()
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def _campus(parts: int) -> dict[str, Any]:
    squares = []
    for k in range(parts):
        x, y = 121.60 + 3e-4 * (k % 20), 31.08 + 3e-4 * (k // 20)
        ring = [[x, y], [x + 1e-4, y], [x + 1e-4, y + 1e-4], [x, y + 1e-4], [x, y]]
        squares.append([ring])
    return {"type": "MultiPolygon", "coordinates": squares}


def scale_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if "(more than" in line or "more sites" in line]


def test_the_site_threshold_is_the_human_formats_one() -> None:
    from siteplan.analysis import LARGE_STUDY
    from siteplan.load.validate import MANY_SITES

    assert MANY_SITES == LARGE_STUDY


def test_a_small_study_gets_no_scale_warning(run_cli: Any, write_geojson: Any) -> None:
    code, _, err = run_cli("validate", write_geojson(_points(50), "sites.geojson"))
    assert code == 0
    assert scale_lines(err) == []


def test_more_than_50_sites_warns_that_human_formats_shorten(
    run_cli: Any, write_geojson: Any
) -> None:
    code, out, err = run_cli("validate", write_geojson(_points(51), "sites.geojson"))
    assert code == 0
    assert "ok: 1 layers, 51 sites" in out
    (line,) = scale_lines(err)
    assert line.startswith("warning: sites: 51 sites (more than 50): ")
    assert "-f json or csv" in line


def test_more_than_300_sites_warns_with_the_number_of_pairs(
    run_cli: Any, write_geojson: Any
) -> None:
    code, _, err = run_cli("validate", write_geojson(_points(400), "sites.geojson"))
    assert code == 0
    (line,) = scale_lines(err)
    assert "400 sites make 79,800 pairs (more than 300 sites is slow" in line
    assert "--pairs within" in line


def test_a_detailed_site_is_named_with_its_vertices(run_cli: Any, write_geojson: Any) -> None:
    doc = feature_collection(
        feature(_star(2000), id="star", placement="surveyed"),
        feature(_star(1000), id="fine", placement="surveyed"),  # 1,001 with the closing vertex
        feature(_star(998), id="ok", placement="surveyed"),
    )
    code, _, err = run_cli("validate", write_geojson(doc, "detailed.geojson"))
    assert code == 0
    lines = scale_lines(err)
    assert len(lines) == 2, err
    assert lines[0].startswith(
        "warning: detailed.geojson: site 'star' has 2,001 vertices in 1 part"
    )
    assert lines[1].startswith("warning: detailed.geojson: site 'fine' has 1,001 vertices")
    assert all("simplify the footprint" in line for line in lines)


def test_a_site_of_many_parts_is_named_with_its_parts(run_cli: Any, write_geojson: Any) -> None:
    doc = feature_collection(feature(_campus(101), id="campus", placement="surveyed"))
    code, _, err = run_cli("validate", write_geojson(doc, "campus.geojson"))
    assert code == 0
    (line,) = scale_lines(err)
    assert "site 'campus' has 505 vertices in 101 parts" in line
    assert "dissolve its parts" in line


def test_many_detailed_sites_are_named_five_then_counted(run_cli: Any, write_geojson: Any) -> None:
    doc = feature_collection(
        *(feature(_campus(120), id=f"c{k}", placement="surveyed") for k in range(8))
    )
    code, _, err = run_cli("validate", write_geojson(doc, "many.geojson"))
    assert code == 0
    lines = scale_lines(err)
    assert len(lines) == 6, err
    assert [line.split("'")[1] for line in lines[:5]] == ["c0", "c1", "c2", "c3", "c4"]
    assert lines[5].startswith("warning: many.geojson: 3 more sites have more than 1,000 vertices")
