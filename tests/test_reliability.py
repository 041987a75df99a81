"""Regression tests for issue 15 (reliability), through the library.

Outputs that never destroy (items 1-4), inputs that never hang (5, 6), bounds on
distances (7), one-line errors instead of tracebacks (8) and the smaller findings.
CLI-level tests that need CLI wiring live in ``test_reliability_cli.py``.
"""

from __future__ import annotations

import json
import math
import os
import signal
import socket
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pyogrio
import pytest
from geometries import SQUARE, feature, feature_collection, multipolygon, point, polygon

import siteplan._io as io
from siteplan._values import MAX_JSON_DEPTH, json_value
from siteplan.analysis import analyze
from siteplan.errors import CRSError, LayerError, OutputError, ParameterError, StudyError
from siteplan.load.layers import (
    MAX_DISTANCE_M,
    MAX_LAYER_ENV,
    LayerSpec,
    max_layer_bytes,
    read_layer,
)
from siteplan.load.study import MAX_STUDY_BYTES, load_study, read_study
from siteplan.load.validate import validate_paths
from siteplan.measure.pairs import check_radii, nearest_order
from siteplan.render.report import render_report

# --------------------------------------------------------------------------- item 1: inputs


def _spellings(tmp_path: Path, source: Path) -> dict[str, Path]:
    link = tmp_path / "link.geojson"
    link.symlink_to(source)
    hard = tmp_path / "hard.geojson"
    os.link(source, hard)
    chain = tmp_path / "chain.geojson"
    chain.symlink_to(link)
    folder_link = tmp_path / "folder_link"
    folder_link.symlink_to(source.parent, target_is_directory=True)
    return {
        "same": source,
        "dotted": source.parent / ".." / source.parent.name / "." / source.name,
        "symlink": link,
        "symlink-chain": chain,
        "hardlink": hard,
        "folder-symlink": folder_link / source.name,
        "relative": Path(os.path.relpath(source)),
    }


@pytest.mark.parametrize(
    "spelling",
    ["same", "dotted", "symlink", "symlink-chain", "hardlink", "folder-symlink", "relative"],
)
def test_every_spelling_of_an_input_is_refused(tmp_path: Path, spelling: str) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    source = folder / "parcels.geojson"
    source.write_bytes(b"parcels")
    output = _spellings(tmp_path, source)[spelling]
    inputs = io.input_paths([tmp_path / "study.toml"], [None, source])
    with pytest.raises(OutputError, match="the output is one of the inputs"):
        io.write_text(output, "new", inputs)
    assert source.read_bytes() == b"parcels"


def test_input_paths_flattens_and_deduplicates() -> None:
    got = io.input_paths(("a.toml", "b.geojson"), None, [None], [Path("a.toml"), "c.gpkg"])
    assert got == (Path("a.toml"), Path("b.geojson"), Path("c.gpkg"))


# --------------------------------------------------------------------------- item 2: targets


def test_a_fifo_output_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(OutputError, match=r"FIFO \(named pipe\), not a regular file"):
        io.write_text(fifo, "text")
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]


@pytest.mark.parametrize("device", ["/dev/null", "/dev/full", "/dev/zero"])
def test_a_device_output_is_refused(device: str) -> None:
    if not Path(device).exists():
        pytest.skip(f"{device} is missing")
    before = Path(device).stat()
    with pytest.raises(OutputError, match="character device, not a regular file"):
        io.check_output_path(device)
    with pytest.raises(OutputError, match="character device"):
        io.write_text(device, "text")
    assert stat.S_ISCHR(Path(device).stat().st_mode)
    assert Path(device).stat().st_ino == before.st_ino


def test_a_symlink_to_a_device_is_refused(tmp_path: Path) -> None:
    link = tmp_path / "out.txt"
    link.symlink_to("/dev/null")
    with pytest.raises(OutputError, match="character device"):
        io.write_text(link, "text")
    assert link.is_symlink()


def test_a_socket_output_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "sock"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(path))
        with pytest.raises(OutputError, match="a socket, not a regular file"):
            io.write_text(path, "text")
    assert stat.S_ISSOCK(path.stat().st_mode)


def test_a_folder_output_is_refused(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="the output is a folder; give a file name"):
        io.write_text(tmp_path, "text")


@pytest.mark.parametrize("name", ["-", "/dev/stdout", "/proc/self/fd/1", "/dev/fd/1", "link"])
def test_standard_output_is_recognised(tmp_path: Path, name: str) -> None:
    if name == "link":
        link = tmp_path / "link"
        link.symlink_to("/dev/stdout")
        name = str(link)
    elif not Path(name).parent.exists():
        pytest.skip(f"{name} does not exist here")
    assert io.is_stdout(name)
    assert io.is_stdout(Path(name))


def test_paths_that_are_not_standard_output(tmp_path: Path) -> None:
    assert not io.is_stdout(tmp_path / "-")
    assert not io.is_stdout("./-x")
    assert not io.is_stdout(tmp_path / "report.md")
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    assert not io.is_stdout(loop)


@pytest.mark.parametrize("name", ["-", "/dev/stdout"])
def test_text_goes_to_standard_output(
    capfdbinary: pytest.CaptureFixture[bytes], tmp_path: Path, name: str
) -> None:
    io.write_text(name, "héllo\n")
    assert capfdbinary.readouterr().out == "héllo\n".encode()
    assert list(tmp_path.iterdir()) == []
    assert not Path("-").exists()


def test_atomic_path_copies_a_text_file_to_standard_output(
    capfdbinary: pytest.CaptureFixture[bytes],
) -> None:
    with io.atomic_path("-", stdout=True) as tmp:
        tmp.write_bytes(b'{"type": "FeatureCollection"}')
        folder = tmp.parent
    assert capfdbinary.readouterr().out == b'{"type": "FeatureCollection"}'
    assert not folder.exists()


def test_binary_formats_refuse_standard_output(capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    with pytest.raises(OutputError, match="binary and cannot go to standard output"):
        io.check_output_path("-")
    with (
        pytest.raises(OutputError, match="binary and cannot go to standard output"),
        io.atomic_path("/dev/stdout"),
    ):
        pass
    assert capfdbinary.readouterr().out == b""


# --------------------------------------------------------------------------- item 3: modes


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o755, 0o604])
def test_a_replaced_output_keeps_its_mode(tmp_path: Path, mode: int) -> None:
    output = tmp_path / "report.md"
    output.write_text("old", encoding="utf-8")
    output.chmod(mode)
    io.write_text(output, "new")
    assert output.read_text(encoding="utf-8") == "new"
    assert stat.S_IMODE(output.stat().st_mode) == mode


def test_a_read_only_output_is_refused_even_for_root(tmp_path: Path) -> None:
    output = tmp_path / "report.md"
    output.write_text("old", encoding="utf-8")
    output.chmod(0o444)
    with pytest.raises(OutputError, match=r"read-only \(mode 0444\).*--force \(force=True\)"):
        io.write_text(output, "new")
    with pytest.raises(OutputError, match="read-only"):
        io.check_output_path(output)
    assert output.read_text(encoding="utf-8") == "old"
    io.write_text(output, "new", force=True)
    assert output.read_text(encoding="utf-8") == "new"
    assert stat.S_IMODE(output.stat().st_mode) == 0o444
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.md"]


# --------------------------------------------------------------------------- item 4: signals

_WRITER = textwrap.dedent(
    """
    import sys
    import geopandas as gpd, numpy as np, pyogrio, shapely
    from siteplan._io import atomic_path

    n = 50_000
    rng = np.random.default_rng(0)
    frame = gpd.GeoDataFrame(
        {"value": np.arange(n), "label": [f"feature {i}" for i in range(n)]},
        geometry=shapely.buffer(shapely.points(rng.random(n), rng.random(n)), 0.001),
        crs=4326,
    )
    with atomic_path(sys.argv[1]) as tmp:
        for k in range(10_000):
            pyogrio.write_dataframe(frame, tmp, layer=f"layer{k}", driver="GPKG")
    """
)


@pytest.mark.parametrize(("signum", "status"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_a_signal_during_a_geopackage_write_leaves_nothing(
    tmp_path: Path, signum: int, status: int
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    with subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(out / "big.gpkg")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as proc:
        deadline = time.monotonic() + 120
        while not list(out.glob(".big.gpkg.*")) and proc.poll() is None:
            assert time.monotonic() < deadline, "the writer never started"
            time.sleep(0.05)
        time.sleep(1.0)  # well into the write: several layers and their side files
        proc.send_signal(signum)
        _stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == status, stderr.decode()
    assert b"Traceback" not in stderr
    assert list(out.iterdir()) == []


def test_sigterm_in_process_is_cleaned_up(tmp_path: Path) -> None:
    """SIGTERM raises SignalExit inside the write; the temporary file goes."""
    output = tmp_path / "out.txt"
    with pytest.raises(io.SignalExit) as caught, io.atomic_path(output) as tmp:  # noqa: PT012
        tmp.write_bytes(b"half")
        (tmp.parent / f"{tmp.name}-journal").write_bytes(b"journal")
        (tmp.parent / f".tmp_rtree_{tmp.stem}.db").write_bytes(b"rtree")
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)  # the handler raises before this ends
    assert caught.value.code == 143
    assert caught.value.signal_name == "SIGTERM"
    assert list(tmp_path.iterdir()) == []
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


def test_signal_handlers_are_restored(tmp_path: Path) -> None:
    def mine(_signum: int, _frame: Any) -> None:
        pass

    previous = signal.signal(signal.SIGHUP, mine)
    try:
        io.write_text(tmp_path / "a.txt", "x")
        assert signal.getsignal(signal.SIGHUP) is mine
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        io.write_text(tmp_path / "b.txt", "x")
        assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGHUP, previous)


# --------------------------------------------------------------------------- item 8: names


def test_a_file_name_too_long_is_one_line(tmp_path: Path) -> None:
    output = tmp_path / "out" / ("x" * 300 + ".md")
    with pytest.raises(OutputError, match="file name is too long") as caught:
        io.write_text(output, "text")
    assert "\n" not in str(caught.value)
    near = tmp_path / ("y" * 250 + ".md")  # fits, but not with the temporary file's suffix
    with pytest.raises(OutputError, match="file name is too long"):
        io.write_text(near, "text")
    assert sorted(p.name for p in tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- item 5: study files


def _sites(folder: Path) -> Path:
    path = folder / "sites.geojson"
    path.write_text(
        json.dumps(
            feature_collection(
                feature(SQUARE, id="gene"), feature(point(121.616, 31.097), id="proton")
            )
        ),
        encoding="utf-8",
    )
    return path


def test_a_fifo_study_file_is_refused_without_hanging(tmp_path: Path) -> None:
    fifo = tmp_path / "study.toml"
    os.mkfifo(fifo)
    with pytest.raises(StudyError, match="not a regular file") as caught:
        load_study(fifo)
    assert "\n" not in str(caught.value)


def test_a_study_file_linked_to_dev_zero_is_refused(tmp_path: Path) -> None:
    link = tmp_path / "study.toml"
    link.symlink_to("/dev/zero")
    with pytest.raises(StudyError, match="not a regular file"):
        load_study(link)


def test_a_huge_study_file_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "study.toml"
    big.write_bytes(b"# " + b"x" * MAX_STUDY_BYTES + b"\n")
    with pytest.raises(StudyError, match="larger than 1 MB"):
        load_study(big)


def test_a_deeply_nested_study_toml_is_one_line(tmp_path: Path) -> None:
    study = tmp_path / "study.toml"
    study.write_text("name = " + "[" * 600 + "]" * 600 + "\n", encoding="utf-8")
    with pytest.raises(StudyError, match="nests arrays or tables too deeply"):
        load_study(study)


def test_a_huge_layer_size_limit_is_no_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MAX_LAYER_ENV, "1e308")
    assert max_layer_bytes() == 2**63 - 1


# --------------------------------------------------------------------------- item 6: GeoPackages


def _two_layer_gpkg(tmp_path: Path) -> Path:
    sites = read_layer(LayerSpec(_sites(tmp_path))).frame[["id", "name", "geometry"]]
    path = tmp_path / "two.gpkg"
    pyogrio.write_dataframe(sites, path, layer="sites", driver="GPKG")
    pyogrio.write_dataframe(sites.iloc[:1], path, layer="old_sites", driver="GPKG")
    return path


def test_a_geopackage_with_several_layers_is_refused(tmp_path: Path) -> None:
    path = _two_layer_gpkg(tmp_path)
    with pytest.raises(LayerError, match=r"2 layers \('sites', 'old_sites'\).*layer = \"NAME\""):
        read_layer(LayerSpec(path))


def test_a_geopackage_layer_can_be_chosen(tmp_path: Path) -> None:
    path = _two_layer_gpkg(tmp_path)
    assert read_layer(LayerSpec(path, layer="old_sites")).frame["id"].tolist() == ["gene"]
    study = tmp_path / "study.toml"
    study.write_text('[[layers]]\npath = "two.gpkg"\nlayer = "sites"\n', encoding="utf-8")
    data = read_study(study)
    assert sorted(data.sites["id"]) == ["gene", "proton"]
    assert set(data.sites["layer"]) == {"sites"}
    with pytest.raises(LayerError, match="has no layer 'nope'; its layers are"):
        read_layer(LayerSpec(path, layer="nope"))


def test_a_layer_key_on_geojson_is_refused(tmp_path: Path) -> None:
    with pytest.raises(LayerError, match="applies to GeoPackages"):
        read_layer(LayerSpec(_sites(tmp_path), layer="sites"))


# --------------------------------------------------------------------------- item 14: constraints


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e308", "2000000.5"])
def test_constraints_are_checked_on_load(tmp_path: Path, value: str) -> None:
    _sites(tmp_path)
    study = tmp_path / "study.toml"
    study.write_text(
        '[[layers]]\npath = "sites.geojson"\n\n[[constraints]]\nkind = "setback"\n'
        f"distance_m = {value}\n",
        encoding="utf-8",
    )
    with pytest.raises(StudyError, match=r"\[\[constraints\]\] #1: distance_m .* is not a"):
        read_study(study)
    with pytest.raises(StudyError, match=r"distance_m .* is not a"):
        validate_paths([study])


# --------------------------------------------------------------------------- item 15: findings


@pytest.mark.parametrize("field", ["geometry", "GEOMETRY", "geom"])
def test_id_field_geometry_is_refused(tmp_path: Path, field: str) -> None:
    with pytest.raises(LayerError, match="names the geometry, not a property"):
        LayerSpec(tmp_path / "x.geojson", id_field=field)
    _sites(tmp_path)
    study = tmp_path / "study.toml"
    study.write_text(f'[[layers]]\npath = "sites.geojson"\nid_field = "{field}"\n', "utf-8")
    with pytest.raises(StudyError, match="names the geometry"):
        load_study(study)


def test_a_lone_surrogate_in_an_id_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "sites.geojson"
    path.write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", '
        '"properties": {"id": "a\\ud800b"}, "geometry": {"type": "Point", '
        '"coordinates": [121.6, 31.1]}}]}',
        encoding="utf-8",
    )
    with pytest.raises(LayerError, match="lone UTF-16 surrogate"):
        read_layer(LayerSpec(path))


def test_the_same_file_listed_twice_says_so(tmp_path: Path) -> None:
    _sites(tmp_path)
    (tmp_path / "link.geojson").symlink_to(tmp_path / "sites.geojson")
    for second in ("sites.geojson", "./sites.geojson", "link.geojson"):
        study = tmp_path / "study.toml"
        study.write_text(
            f'[[layers]]\npath = "sites.geojson"\n\n[[layers]]\npath = "{second}"\n', "utf-8"
        )
        with pytest.raises(LayerError, match="the file is listed twice in the study"):
            read_study(study)


def test_a_geopackage_named_geojson_is_recognised(tmp_path: Path) -> None:
    gpkg = _two_layer_gpkg(tmp_path)
    wrong = tmp_path / "sites_copy.geojson"
    wrong.write_bytes(gpkg.read_bytes())
    with pytest.raises(
        LayerError, match=r"this is a GeoPackage .* not GeoJSON; rename it to \.gpkg"
    ):
        read_layer(LayerSpec(wrong))


# ---------------------------------------------------------------- items 8, 11, 12: layers


def _write(tmp_path: Path, doc: dict[str, Any], name: str = "layer.geojson") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


ANTIMERIDIAN = [[179.99, 0], [-179.99, 0], [-179.99, 0.01], [179.99, 0.01], [179.99, 0]]
POLAR_CAP = [[-180, 89], [180, 89], [180, 90], [-180, 90], [-180, 89]]


@pytest.mark.parametrize("ring", [ANTIMERIDIAN, POLAR_CAP], ids=["antimeridian", "polar-cap"])
def test_a_polygon_spanning_more_than_180_degrees_is_refused(
    tmp_path: Path, ring: list[list[float]]
) -> None:
    path = _write(tmp_path, feature_collection(feature(polygon(ring), id="wide")))
    with pytest.raises(LayerError, match=r"spans 3\d\d\.\d° of longitude .* \(RFC 7946") as caught:
        read_layer(LayerSpec(path))
    assert "feature 'wide'" in str(caught.value)


def test_a_polygon_split_at_the_antimeridian_is_read(tmp_path: Path) -> None:
    east = polygon([[179.99, 0], [180, 0], [180, 0.01], [179.99, 0.01], [179.99, 0]])
    west = polygon([[-180, 0], [-179.99, 0], [-179.99, 0.01], [-180, 0.01], [-180, 0]])
    path = _write(tmp_path, feature_collection(feature(multipolygon(east, west), id="split")))
    assert read_layer(LayerSpec(path)).frame["id"].tolist() == ["split"]


def test_coordinates_outside_the_layers_crs_are_refused(tmp_path: Path) -> None:
    doc = feature_collection(
        feature(point(1e300, 1e300), id="far"),
        feature(point(13537000, 3650000), id="near"),
        crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3857"}},
    )
    with pytest.raises(LayerError, match="lies outside where WGS 84 / Pseudo-Mercator is defined"):
        read_layer(LayerSpec(_write(tmp_path, doc)))


def test_an_unknown_legacy_crs_is_refused(tmp_path: Path) -> None:
    doc = feature_collection(
        feature(point(121.6, 31.1), id="a"),
        crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::999999"}},
    )
    with pytest.raises(LayerError, match="EPSG::999999', which is not a CRS pyproj knows"):
        read_layer(LayerSpec(_write(tmp_path, doc)))


def test_a_prime_meridian_is_honoured(tmp_path: Path) -> None:
    doc = feature_collection(
        feature(point(-58.39, 31.1), id="a"),
        crs={"type": "name", "properties": {"name": "+proj=longlat +pm=180 +datum=WGS84"}},
    )
    geom = read_layer(LayerSpec(_write(tmp_path, doc))).frame.geometry.iloc[0]
    assert geom.x == pytest.approx(121.61)
    assert geom.y == pytest.approx(31.1)


def test_a_property_nested_500_deep_reports_as_json(tmp_path: Path) -> None:
    deep: Any = {"x": 1}
    for _ in range(500):
        deep = {"x": deep}
    nested = feature(point(121.61, 31.1), id="a", deep=deep)
    path = _write(tmp_path, feature_collection(nested, feature(point(121.62, 31.1), id="b")))
    text = render_report(analyze(path), "json")
    assert json.loads(text)["sites"][0]["id"] in ("a", "b")
    assert json_value([[[[1]]]]) == [[[[1]]]]
    value: Any = [1]
    for _ in range(MAX_JSON_DEPTH + 5):
        value = [value]
    assert isinstance(json_value(value)[0][0], list)
    assert "[[" in json.dumps(json_value(value))


# ------------------------------------------------------------------ items 7, 8, 13: measuring


@pytest.mark.parametrize("rings", [(500, 1e9), (500, 1e7), (500, 2_000_001)])
def test_ring_radii_are_capped(rings: tuple[float, ...]) -> None:
    with pytest.raises(ParameterError, match=r"^rings_m .* is beyond 2,000,000 m"):
        analyze(rings_m=rings)
    with pytest.raises(ParameterError, match="rings_m"):
        check_radii(rings)
    with pytest.raises(ParameterError, match="rings_m inf"):
        check_radii([float("inf")])
    assert check_radii([500, MAX_DISTANCE_M]) == (500.0, MAX_DISTANCE_M)


@pytest.mark.parametrize(
    ("crs", "message"),
    [
        ("+proj=ortho +lat_0=-31 +lon_0=-58 +units=m", "cannot project the study"),
        ("+proj=tmerc +lon_0=121.6 +k=1e-9 +units=m", "cannot project the study"),
        ("+proj=tmerc +lon_0=121.6 +k=0.01 +units=m", "stretches distances by a factor of 0.01"),
    ],
)
def test_a_crs_that_cannot_measure_the_study_is_one_line(crs: str, message: str) -> None:
    with pytest.raises(CRSError, match=message) as caught:
        analyze(crs=crs)
    assert "\n" not in str(caught.value)


def test_nearest_ties_within_a_micrometre_go_to_the_smaller_id() -> None:
    assert nearest_order([100.0 + 1e-10, 100.0], ["a", "b"]).tolist() == [0, 1]
    assert nearest_order([100.0, 100.0 + 1e-10], ["b", "a"]).tolist() == [1, 0]
    assert nearest_order([100.0, 100.0 + 1e-3], ["b", "a"]).tolist() == [0, 1]


# --------------------------------------------------------------------------- item 10: weights


@pytest.mark.parametrize("weight", [1e308, 1e7, float("inf")])
def test_weights_are_capped(tmp_path: Path, weight: float) -> None:
    with pytest.raises(LayerError, match=r"is not a number >= 0 and <= 1e\+06"):
        LayerSpec(tmp_path / "x.geojson", weight=weight)
    if math.isfinite(weight):
        path = _write(
            tmp_path, feature_collection(feature(point(121.6, 31.1), id="a", weight=weight))
        )
        with pytest.raises(LayerError, match=r"feature 'a': weight .* <= 1e\+06"):
            read_layer(LayerSpec(path))
