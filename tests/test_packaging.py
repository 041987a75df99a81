"""The wheel ships the bundled SIMZ study and py.typed, and works outside the checkout."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = "siteplan/_bundled/simz"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the wheel once for this module and return its path."""
    out = tmp_path_factory.mktemp("wheel")
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out)]
    # Use the venv's hatchling when it is there (no network); else an isolated build.
    if importlib.util.find_spec("hatchling") is not None:
        command.append("--no-build-isolation")
    result = subprocess.run(
        [*command, str(ROOT)], capture_output=True, text=True, check=False, timeout=300
    )
    assert result.returncode == 0, result.stderr
    (built,) = out.glob("siteplan-*.whl")
    return built


@pytest.fixture(scope="module")
def unzipped(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("site-packages")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(target)
    return target


def test_wheel_holds_the_study_and_every_layer_it_names(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        study = tomllib.loads(archive.read(f"{BUNDLED}/study.toml").decode("utf-8"))
    layers = [table["path"] for table in study["layers"]]
    assert len(layers) == 8  # 4 sites, boundary, metro stations, roads, river
    for layer in layers:
        assert f"{BUNDLED}/{layer}" in names
    assert {
        f"{BUNDLED}/{name}.geojson"
        for name in ("cgt_park", "proton_center", "cancer_center", "childrens_center")
    } <= names


def test_wheel_ships_py_typed_and_the_entry_point(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        entry_points = next(
            archive.read(n).decode() for n in names if n.endswith(".dist-info/entry_points.txt")
        )
    assert "siteplan/py.typed" in names
    assert "siteplan/__init__.py" in names
    assert "siteplan = siteplan.cli:main" in entry_points
    # Nothing from the checkout besides the package and its bundled study.
    assert all(n.startswith(("siteplan/", "siteplan-")) for n in names)


def test_unzipped_wheel_finds_its_own_bundled_study(unzipped: Path, tmp_path: Path) -> None:
    code = (
        "import siteplan\n"
        "print(siteplan.__file__)\n"
        "print(siteplan.bundled_study_path())\n"
        "print(len(siteplan.read_study().sites))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(unzipped)}
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    module_file, study_path, sites = result.stdout.splitlines()
    assert Path(module_file).is_relative_to(unzipped)
    assert Path(study_path) == unzipped / BUNDLED / "study.toml"
    assert not Path(study_path).is_relative_to(ROOT)
    assert sites == "4"


STATIC = (
    "siteplan/maps/static/helpers.js",
    "siteplan/maps/static/clickscore.js",
    "siteplan/maps/static/style.css",
    "siteplan/render/static/report.css",
)


def test_wheel_ships_the_page_scripts_and_styles_and_no_tests(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    assert set(STATIC) <= names
    assert not [n for n in names if "/tests/" in n or n.startswith(("tests/", "benchmarks/"))]
    assert not [n for n in names if n.endswith((".ipynb", "conftest.py"))]


@pytest.fixture(scope="module")
def sdist(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """Build the source distribution once; return its member names below the top folder."""
    import tarfile

    out = tmp_path_factory.mktemp("sdist")
    result = subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "sdist", "-d", str(out)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    (built,) = out.glob("siteplan-*.tar.gz")
    with tarfile.open(built) as archive:
        return [name.split("/", 1)[1] for name in archive.getnames() if "/" in name]


def test_sdist_holds_the_sources_study_tests_and_changelog(sdist: list[str]) -> None:
    names = set(sdist)
    assert {"pyproject.toml", "README.md", "CHANGELOG.md", "geodata/simz/study.toml"} <= names
    assert {"src/siteplan/py.typed", "src/siteplan/__init__.py"} <= names
    assert {f"src/{name}" for name in STATIC} <= names
    assert "tests/conftest.py" in names
    # benchmarks, notebooks and the QGIS plugin are developer material, not the package
    assert not [n for n in names if n.startswith(("benchmarks/", "notebooks/", "qgis_plugin/"))]
