"""Regression tests for issue 15 (reliability), through the CLI as a user runs it.

The library side is :mod:`siteplan._io`; the commands check every output
against every input (the study, its layers, ``--parcels``, the second study of
``compare``), take ``--force`` and ``-o -``.
"""

from __future__ import annotations

import json
import os
import signal
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyogrio
import pytest
import shapely
from conftest import RunCLI
from geometries import SQUARE, box, feature, feature_collection, point, polygon

OLD = b"an earlier output that must survive\n"


@dataclass
class Study:
    toml: Path
    sites: Path
    parcels: Path
    out: Path


@pytest.fixture
def study(tmp_path: Path) -> Study:
    folder = tmp_path / "study"
    folder.mkdir()
    sites = folder / "sites.geojson"
    sites.write_text(
        json.dumps(
            feature_collection(
                feature(SQUARE, id="gene", name="Gene Island"),
                feature(point(121.616, 31.097), id="proton", name="Proton"),
                feature(polygon(box(121.622, 31.094, 121.624, 31.096)), id="kids", name="Kids"),
            )
        ),
        encoding="utf-8",
    )
    parcels = folder / "parcels.geojson"
    parcels.write_text(
        json.dumps(
            feature_collection(
                feature(point(121.612, 31.099), id="p1"),
                feature(point(121.619, 31.093), id="p2"),
                feature(point(121.626, 31.101), id="p3"),
            )
        ),
        encoding="utf-8",
    )
    toml = folder / "study.toml"
    toml.write_text(
        'name = "reliability"\n\n[[layers]]\npath = "sites.geojson"\n', encoding="utf-8"
    )
    out = tmp_path / "out"
    out.mkdir()
    return Study(toml=toml, sites=sites, parcels=parcels, out=out)


def one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if not line.startswith("warning: ")]
    assert len(lines) == 1, err
    return lines[0]


# --------------------------------------------------------------------------- item 1


PARCEL_COMMANDS: list[tuple[str, ...]] = [
    ("candidates", "STUDY", "--parcels", "PARCELS", "-f", "geojson", "-o", "PARCELS"),
    ("candidates", "STUDY", "--parcels", "PARCELS", "-q", "--map", "PARCELS"),
    ("map", "STUDY", "--candidates", "--parcels", "PARCELS", "-o", "PARCELS"),
    ("sensitivity", "STUDY", "--parcels", "PARCELS", "-f", "json", "-o", "PARCELS"),
]


@pytest.mark.parametrize("command", PARCEL_COMMANDS, ids=lambda c: "-".join(c[:2]))
def test_parcels_are_an_input(run_cli: RunCLI, study: Study, command: tuple[str, ...]) -> None:
    before = study.parcels.read_bytes()
    args = [{"STUDY": str(study.toml), "PARCELS": str(study.parcels)}.get(a, a) for a in command]
    code, _out, err = run_cli(*args)
    assert code == 1
    assert one_line(err).endswith("the output is one of the inputs; choose another output path")
    assert study.parcels.read_bytes() == before


def test_the_second_study_of_compare_is_an_input(run_cli: RunCLI, study: Study) -> None:
    other = study.toml.with_name("b.toml")
    other.write_bytes(study.toml.read_bytes())
    before = other.read_bytes()
    code, _out, err = run_cli(
        "compare", study.toml, other, "--no-candidates", "-f", "json", "-o", other
    )
    assert code == 1
    assert (
        one_line(err)
        == f"siteplan: {other}: the output is one of the inputs; choose another output path"
    )
    assert other.read_bytes() == before


# --------------------------------------------------------------------------- item 2


@pytest.mark.parametrize("device", ["/dev/null", "/dev/full"])
@pytest.mark.parametrize(
    "command",
    [("validate", "STUDY"), ("report", "STUDY", "-f", "json"), ("export", "STUDY")],
    ids=["validate", "report", "export"],
)
def test_a_device_output_is_refused(
    run_cli: RunCLI, study: Study, command: tuple[str, ...], device: str
) -> None:
    args = [str(study.toml) if a == "STUDY" else a for a in command]
    if command[0] == "export":
        link = study.out / "out.geojson"
        link.symlink_to(device)
        device = str(link)
    code, _out, err = run_cli(*args, "-o", device)
    assert code == 1
    assert "character device, not a regular file" in one_line(err)
    assert stat.S_ISCHR(Path(device).stat().st_mode)


def test_a_fifo_output_is_refused(run_cli: RunCLI, study: Study) -> None:
    fifo = study.out / "pipe.md"
    os.mkfifo(fifo)
    code, _out, err = run_cli("report", study.toml, "-f", "markdown", "-o", fifo)
    assert code == 1
    assert "FIFO (named pipe), not a regular file" in one_line(err)
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_report_to_standard_output_with_a_dash(run_cli: RunCLI, study: Study) -> None:
    code, out, _err = run_cli("report", study.toml, "-f", "json", "-o", "-")
    assert code == 0
    assert json.loads(out)["study"] == "reliability"
    assert not Path("-").exists()


@pytest.mark.parametrize(
    "command",
    [
        ("validate", "STUDY"),
        ("candidates", "STUDY", "--parcels", "PARCELS", "-q", "-f", "json"),
        ("sensitivity", "STUDY", "--no-candidates", "-f", "json"),
        ("export", "STUDY"),
    ],
    ids=["validate", "candidates", "sensitivity", "export"],
)
def test_dash_writes_text_to_standard_output(
    run_cli: RunCLI, study: Study, command: tuple[str, ...], tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.chdir(tmp_path)
    args = [{"STUDY": str(study.toml), "PARCELS": str(study.parcels)}.get(a, a) for a in command]
    code, out, _err = run_cli(*args, "-o", "-")
    assert code == 0
    assert not (tmp_path / "-").exists()
    if command[0] != "validate":
        json.loads(out)  # nothing but the document on standard output


def test_a_geopackage_to_standard_output_is_refused(run_cli: RunCLI, study: Study) -> None:
    link = study.out / "out.gpkg"
    link.symlink_to("/dev/stdout")
    code, out, err = run_cli("export", study.toml, "-o", link)
    assert code == 1
    assert "binary and cannot go to standard output" in one_line(err)
    assert out == ""


def test_candidates_gpkg_to_standard_output_is_refused(run_cli: RunCLI, study: Study) -> None:
    code, out, err = run_cli(
        "candidates", study.toml, "--parcels", study.parcels, "-f", "gpkg", "-o", "-"
    )
    assert code == 1
    assert "standard output" in one_line(err)
    assert out == ""


# --------------------------------------------------------------------------- item 3


def test_a_replaced_output_keeps_its_mode(run_cli: RunCLI, study: Study) -> None:
    for name, command in (("r.json", ("report", "-f", "json")), ("e.gpkg", ("export",))):
        output = study.out / name
        output.write_bytes(OLD)
        output.chmod(0o600)
        code, _out, err = run_cli(command[0], study.toml, *command[1:], "-o", output)
        assert code == 0, err
        assert output.read_bytes() != OLD
        assert stat.S_IMODE(output.stat().st_mode) == 0o600


def test_a_read_only_output_is_refused(run_cli: RunCLI, study: Study) -> None:
    output = study.out / "report.json"
    output.write_bytes(OLD)
    output.chmod(0o444)
    code, _out, err = run_cli("report", study.toml, "-f", "json", "-o", output)
    assert code == 1
    assert "read-only (mode 0444)" in one_line(err)
    assert output.read_bytes() == OLD


@pytest.mark.parametrize(
    "command",
    [
        ("report", "-f", "json"),
        ("export",),
        ("validate",),
        ("candidates", "-q", "-f", "json", "--parcels", "PARCELS"),
    ],
    ids=["report", "export", "validate", "candidates"],
)
def test_force_replaces_a_read_only_output(
    run_cli: RunCLI, study: Study, command: tuple[str, ...]
) -> None:
    output = study.out / ("out.gpkg" if command[0] == "export" else "out.json")
    output.write_bytes(OLD)
    output.chmod(0o444)
    args = [str(study.parcels) if a == "PARCELS" else a for a in command[1:]]
    code, _out, err = run_cli(command[0], study.toml, *args, "--force", "-o", output)
    assert code == 0, err
    assert output.read_bytes() != OLD


# --------------------------------------------------------------------------- item 4


def _signal_on_second_layer(monkeypatch: pytest.MonkeyPatch, signum: int) -> list[str]:
    import siteplan.render.export as export

    real = export.pyogrio.write_dataframe
    calls: list[str] = []

    def write_dataframe(*args: Any, **kwargs: Any) -> None:
        calls.append(kwargs.get("layer", ""))
        real(*args, **kwargs)
        if len(calls) == 2:
            os.kill(os.getpid(), signum)

    monkeypatch.setattr(export.pyogrio, "write_dataframe", write_dataframe)
    return calls


@pytest.mark.parametrize(("signum", "status"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_a_signal_during_export_leaves_nothing(
    run_cli: RunCLI, study: Study, monkeypatch: pytest.MonkeyPatch, signum: int, status: int
) -> None:
    output = study.out / "result.gpkg"
    output.write_bytes(OLD)
    calls = _signal_on_second_layer(monkeypatch, signum)
    code, _out, _err = run_cli("export", study.toml, "-o", output)
    assert code == status
    assert len(calls) == 2
    assert output.read_bytes() == OLD
    assert sorted(p.name for p in study.out.iterdir()) == ["result.gpkg"]


def test_a_signal_says_so_in_one_line(
    run_cli: RunCLI, study: Study, monkeypatch: pytest.MonkeyPatch
) -> None:
    _signal_on_second_layer(monkeypatch, signal.SIGTERM)
    code, _out, err = run_cli("export", study.toml, "-o", study.out / "result.gpkg")
    assert code == 143
    assert one_line(err) == "siteplan: terminated (SIGTERM); no output was written"


# --------------------------------------------------------------------------- item 8


def test_a_file_name_too_long_is_one_line(run_cli: RunCLI, study: Study) -> None:
    output = study.out / "deeper" / ("x" * 300 + ".json")
    code, _out, err = run_cli("report", study.toml, "-f", "json", "-o", output)
    assert code == 1
    assert "file name is too long" in one_line(err)


# --------------------------------------------------------------------------- items 7, 8, 15


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (("report", "STUDY", "--rings", "500,1e9"), "--rings 1e+09 is beyond 2,000,000 m"),
        (("map", "STUDY", "-o", "OUT.html", "--rings", "500,1e9"), "--rings 1e+09 is beyond"),
        (("export", "STUDY", "-o", "OUT.gpkg", "--rings", "1e7"), "--rings 1e+07 is beyond"),
        (
            ("candidates", "STUDY", "--parcels", "PARCELS", "--min-separation", "1e308"),
            "--min-separation 1e+308 is beyond 2,000,000 m",
        ),
        (("candidates", "STUDY", "--cell", "1e308"), "--cell 1e+308 is beyond 2,000,000 m"),
        (
            ("candidates", "STUDY", "--parcels", "PARCELS", "--approx", "raster"),
            None,
        ),
        (
            ("report", "STUDY", "--decay", "exponential", "--half-m", "1e308"),
            "--half-m: 1e+308 is beyond 2,000,000 m",
        ),
        (
            ("report", "STUDY", "--decay", "logistic", "--steepness-m", "1e308"),
            "--steepness-m: 1e+308 is beyond 2,000,000 m",
        ),
    ],
    ids=["report-rings", "map-rings", "export-rings", "min-sep", "cell", "approx", "half", "steep"],
)
def test_distances_are_capped_in_one_line(
    run_cli: RunCLI, study: Study, command: tuple[str, ...], expected: str | None
) -> None:
    names = {"STUDY": str(study.toml), "PARCELS": str(study.parcels)}
    args = [names.get(a, a.replace("OUT", str(study.out / "out"))) for a in command]
    if expected is None:  # the same through --approx-step
        args += ["--approx-step", "1e308"]
        expected = "--approx-step 1e+308 is beyond 2,000,000 m"
    code, _out, err = run_cli(*args)
    assert code == 1
    assert expected in one_line(err)
    assert list(study.out.iterdir()) == []


def test_compare_names_the_option_and_value(run_cli: RunCLI, study: Study) -> None:
    code, _out, err = run_cli("compare", study.toml, study.toml, "--min-separation", "-1")
    assert code == 1
    assert one_line(err).startswith("siteplan: --min-separation -1.0 is not a finite number >= 0")


@pytest.mark.parametrize("command", ["map", "candidates"])
def test_parcels_at_the_poles_are_one_line(run_cli: RunCLI, study: Study, command: str) -> None:
    polar = study.out.parent / "polar.geojson"
    polar.write_text(
        json.dumps(
            feature_collection(
                feature(point(0.0, 90.0), id="north"),
                feature(polygon(box(-10.0, -89.9, 10.0, -89.8)), id="south"),
            )
        ),
        encoding="utf-8",
    )
    extra = ("--candidates",) if command == "map" else ("-f", "json")
    code, _out, err = run_cli(
        command, study.toml, *extra, "--parcels", polar, "-o", study.out / "out.html"
    )
    assert code == 1
    assert "2 of the parcels lie more than 2,000 km from the study's centre" in one_line(err)
    assert list(study.out.iterdir()) == []


# --------------------------------------------------------------------------- item 13


#: A place equidistant from z and a in EPSG:32651 (UTM 51N) up to reprojection noise:
#: z measures 3.7e-10 m nearer than a.
TIED = (121.60825640157981, 31.10766321611223)


def _tied_study(folder: Path, *, middle: bool) -> Path:
    """Sites z and a equidistant from TIED; with ``middle``, a site m at TIED; a parcel p there."""
    folder.mkdir()
    sites = [feature(point(121.60, 31.10), id="z"), feature(point(121.62, 31.105), id="a")]
    if middle:
        sites.append(feature(point(*TIED), id="m"))
    (folder / "sites.geojson").write_text(json.dumps(feature_collection(*sites)), encoding="utf-8")
    (folder / "parcels.geojson").write_text(
        json.dumps(feature_collection(feature(point(*TIED), id="p"))), encoding="utf-8"
    )
    toml = folder / "study.toml"
    toml.write_text('name = "ties"\n\n[[layers]]\npath = "sites.geojson"\n', encoding="utf-8")
    return toml


def test_ties_within_a_micrometre_go_to_the_smaller_id(run_cli: RunCLI, tmp_path: Path) -> None:
    toml = _tied_study(tmp_path / "ties", middle=True)
    code, out, err = run_cli("report", toml, "-f", "json")
    assert code == 0, err
    sites = {s["id"]: s for s in json.loads(out)["sites"]}
    assert sites["m"]["nearest_id"] == "a"
    toml = _tied_study(tmp_path / "pair", middle=False)
    parcels = tmp_path / "pair" / "parcels.geojson"
    code, out, err = run_cli("candidates", toml, "--parcels", parcels, "-q", "-f", "csv")
    assert code == 0, err
    assert ",a," in out.splitlines()[1]


# --------------------------------------------------------------------------- item 14


@pytest.mark.parametrize("command", ["report", "validate", "export", "candidates"])
@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ('kind = "setback"\ndistance_m = nan', "distance_m nan is not a finite number >= 0"),
        ('kind = "setback"\ndistance_m = -5', "distance_m -5 is not a finite number >= 0"),
        ('kind = "setback"\ndistance_m = "far"', "distance_m 'far' is not a number"),
        ('kind = "near"\nsite = "gene"', "kind 'near' is not one of outside_boundary"),
        ('kind = "within"\ndistance_m = 5', "a within constraint needs site"),
    ],
    ids=["nan", "negative", "text", "kind", "missing"],
)
def test_constraints_are_refused_on_load(
    run_cli: RunCLI, study: Study, command: str, table: str, expected: str
) -> None:
    study.toml.write_text(
        study.toml.read_text(encoding="utf-8") + f"\n[[constraints]]\n{table}\n", encoding="utf-8"
    )
    output = study.out / ("out.gpkg" if command == "export" else "out.json")
    args = ("--parcels", study.parcels) if command == "candidates" else ()
    code, _out, err = run_cli(command, study.toml, *args, "-o", output)
    assert code == 1
    line = one_line(err)
    assert line.startswith(f"siteplan: {study.toml}: [[constraints]] #1")
    assert expected in line
    assert not output.exists()


# --------------------------------------------------------------------------- item 9


def test_geopackage_splits_at_the_antimeridian(run_cli: RunCLI, tmp_path: Path) -> None:
    folder = tmp_path / "am"
    folder.mkdir()
    (folder / "sites.geojson").write_text(
        json.dumps(
            feature_collection(
                feature(point(179.99, 0.0), id="east"), feature(point(-179.99, 0.0), id="west")
            )
        ),
        encoding="utf-8",
    )
    toml = folder / "study.toml"
    toml.write_text('name = "am"\n\n[[layers]]\npath = "sites.geojson"\n', encoding="utf-8")
    output = tmp_path / "am.gpkg"
    code, _out, err = run_cli("export", toml, "-o", output)
    assert code == 0, err
    for layer in ("sites", "rings", "pairs"):
        frame = pyogrio.read_dataframe(output, layer=layer)
        geoms = frame.geometry.to_numpy()
        assert shapely.is_valid(geoms).all(), layer
        bounds = shapely.bounds(shapely.get_parts(geoms))
        assert (bounds[:, 2] - bounds[:, 0] < 1.0).all(), layer  # no part goes round the world
        assert bounds[:, 0].min() >= -180.0
        assert bounds[:, 2].max() <= 180.0
    pairs = pyogrio.read_dataframe(output, layer="pairs")
    assert list(pairs.geom_type) == ["MultiLineString"]
    assert len(shapely.get_parts(pairs.geometry.iloc[0])) == 2


# --------------------------------------------------------------------------- items 8, 10-12, 15


def _layer(folder: Path, name: str, doc: dict[str, Any]) -> Path:
    path = folder / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def _legacy(name: str, *coords: tuple[float, float]) -> dict[str, Any]:
    doc = feature_collection(*(feature(point(*xy), id=f"s{k}") for k, xy in enumerate(coords)))
    doc["crs"] = {"type": "name", "properties": {"name": name}}
    return doc


def _nested(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = {"a": value}
    return value


HOSTILE_LAYERS: list[tuple[str, dict[str, Any], str]] = [
    (
        "antimeridian",
        feature_collection(
            feature(
                polygon([(179.99, 0), (-179.99, 0), (-179.99, 0.01), (179.99, 0.01), (179.99, 0)]),
                id="x",
            )
        ),
        "spans 360.0° of longitude (more than 180°)",
    ),
    (
        "polar-cap",
        feature_collection(
            feature(polygon([(-180, 89), (180, 89), (180, 90), (-180, 90), (-180, 89)]), id="c")
        ),
        "spans 360.0° of longitude (more than 180°)",
    ),
    (
        "legacy-1e300",
        _legacy("urn:ogc:def:crs:EPSG::3857", (1e300, 1e300)),
        "lies outside where WGS 84 / Pseudo-Mercator is defined",
    ),
    (
        "legacy-unknown",
        _legacy("urn:ogc:def:crs:EPSG::999999", (121.6, 31.1)),
        "'urn:ogc:def:crs:EPSG::999999', which is not a CRS pyproj knows",
    ),
    (
        "weight-1e308",
        feature_collection(
            feature(point(121.6, 31.1), id="a", weight=1e308),
            feature(point(121.61, 31.1), id="b", weight=1e308),
        ),
        "weight 1e+308 is not a number >= 0 and <= 1e+06",
    ),
]


@pytest.mark.parametrize(
    ("doc", "expected"), [h[1:] for h in HOSTILE_LAYERS], ids=[h[0] for h in HOSTILE_LAYERS]
)
@pytest.mark.parametrize("command", ["validate", "report"])
def test_hostile_layers_are_one_line(
    run_cli: RunCLI, tmp_path: Path, command: str, doc: dict[str, Any], expected: str
) -> None:
    path = _layer(tmp_path, "layer.geojson", doc)
    code, out, err = run_cli(command, path)
    assert code == 1
    assert expected in one_line(err)
    assert "Traceback" not in err + out


@pytest.mark.parametrize(
    ("crs", "expected"),
    [
        ("+proj=ortho +lat_0=-31 +lon_0=-58 +units=m", "cannot project the study"),
        ("+proj=tmerc +lon_0=121.6 +k=1e-9 +units=m", "cannot project the study"),
    ],
    ids=["ortho", "tmerc"],
)
def test_unusable_crs_is_one_line(run_cli: RunCLI, study: Study, crs: str, expected: str) -> None:
    code, _out, err = run_cli("report", study.toml, "--crs", crs)
    assert code == 1
    assert expected in one_line(err)


def test_a_prime_meridian_is_honoured(run_cli: RunCLI, tmp_path: Path) -> None:
    doc = _legacy("+proj=longlat +datum=WGS84 +pm=180", (-58.4, 31.1), (-58.39, 31.1))
    code, out, err = run_cli("report", _layer(tmp_path, "pm.geojson", doc), "-f", "json")
    assert code == 0, err
    assert json.loads(out)["crs"] == "EPSG:32651"  # Shanghai (121.6°E), not South America


def test_deep_inputs_do_not_recurse(run_cli: RunCLI, tmp_path: Path) -> None:
    doc = feature_collection(
        feature(point(121.6, 31.1), id="a", deep=_nested(500)), feature(point(121.61, 31.1), id="b")
    )
    code, out, err = run_cli("report", _layer(tmp_path, "deep.geojson", doc), "-f", "json")
    assert code == 0, err
    json.loads(out)
    toml = tmp_path / "deep.toml"
    toml.write_text('name = "x"\nfoo = ' + "[" * 600 + "]" * 600 + "\n", encoding="utf-8")
    code, _out, err = run_cli("report", toml)
    assert code == 1
    assert "nests arrays or tables too deeply" in one_line(err)


def test_no_layer_size_limit_is_not_an_overflow(
    run_cli: RunCLI, study: Study, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SITEPLAN_MAX_LAYER_MB", "1e308")
    code, _out, err = run_cli("validate", study.toml)
    assert code == 0, err


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ('[[layers]]\npath = "sites.geojson"\nid_field = "geometry"\n', "names the geometry"),
        (
            '[[layers]]\npath = "sites.geojson"\n[[layers]]\npath = "sites.geojson"\n',
            "the file is listed twice in the study",
        ),
    ],
    ids=["id-geometry", "listed-twice"],
)
def test_smaller_findings_are_named(
    run_cli: RunCLI, study: Study, toml: str, expected: str
) -> None:
    study.toml.write_text(toml, encoding="utf-8")
    code, _out, err = run_cli("report", study.toml)
    assert code == 1
    assert expected in one_line(err)


def test_a_geopackage_named_geojson_is_recognised(
    run_cli: RunCLI, study: Study, tmp_path: Path
) -> None:
    gpkg = tmp_path / "real.gpkg"
    assert run_cli("export", study.toml, "-o", gpkg)[0] == 0
    fake = tmp_path / "fake.geojson"
    fake.write_bytes(gpkg.read_bytes())
    code, _out, err = run_cli("validate", fake)
    assert code == 1
    assert "this is a GeoPackage (an SQLite database), not GeoJSON" in one_line(err)


def test_a_lone_surrogate_id_is_refused(run_cli: RunCLI, tmp_path: Path) -> None:
    path = tmp_path / "sur.geojson"
    path.write_text(
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":'
        '{"id":"a\\ud800"},"geometry":{"type":"Point","coordinates":[121.6,31.1]}}]}',
        encoding="utf-8",
    )
    code, _out, err = run_cli("validate", path)
    assert code == 1
    assert "lone UTF-16 surrogate" in one_line(err)


@pytest.mark.parametrize("command", ["report", "map", "export", "candidates"])
def test_a_network_given_on_the_command_line_is_an_input(
    run_cli: RunCLI, bundled: Path, tmp_path: Path, command: str
) -> None:
    roads = tmp_path / "roads.geojson"
    roads.write_bytes((bundled.parent / "roads.geojson").read_bytes())
    before = roads.read_bytes()
    code, _out, err = run_cli(command, "--measure", "time", "--network", roads, "-o", roads)
    assert code == 1
    assert "one of the inputs" in err
    assert roads.read_bytes() == before
