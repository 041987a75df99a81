"""``siteplan report``: formats, scoring options, output files and errors."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from siteplan.cli import main
from siteplan.load.study import bundled_study_path

FORMATS = ("markdown", "csv", "json", "html")


def run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args], prog_name="siteplan")
    return result.exit_code, result.stdout, result.stderr


def report_json(*args: str) -> dict[str, Any]:
    code, out, err = run("report", "-f", "json", *args)
    assert code == 0, err
    data: dict[str, Any] = json.loads(out)
    return data


@pytest.fixture
def study_copy(tmp_path: Path) -> Path:
    """A copy of the bundled study, so that refusing to overwrite it risks nothing."""
    folder = tmp_path / "simz"
    shutil.copytree(bundled_study_path().parent, folder, ignore=shutil.ignore_patterns("*.py"))
    return folder / "study.toml"


def _digest(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


# --------------------------------------------------------------------------- formats on stdout


def test_default_is_markdown_on_stdout() -> None:
    code, out, _ = run("report")
    assert code == 0
    assert out.startswith("# Proximity report: Shanghai International Medical Zone")
    assert "SCHEMATIC" in out.split("\n## ", 1)[0]


def test_json_has_four_sites_and_six_pairs() -> None:
    data = report_json()
    assert data["crs"] == "EPSG:32651"
    assert len(data["sites"]) == 4
    assert len(data["pairs"]) == 6
    assert [s["rank"] for s in data["sites"]] == [1, 2, 3, 4]
    assert all(0.0 <= s["score"] <= 100.0 for s in data["sites"])


def test_csv_tables() -> None:
    code, out, _ = run("report", "-f", "csv")
    assert code == 0
    assert len(list(csv.DictReader(io.StringIO(out)))) == 6
    code, out, _ = run("report", "-f", "csv", "--table", "sites")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 4
    assert rows[0]["rank"] == "1"


@pytest.mark.slow
def test_html_on_stdout() -> None:
    code, out, _ = run("report", "-f", "html")
    assert code == 0
    assert out.startswith("<!DOCTYPE html>")
    assert out.rstrip().endswith("</html>")
    assert out.count('src="data:image/png;base64,') == 2


@pytest.mark.slow
@pytest.mark.parametrize("fmt", FORMATS)
def test_output_is_byte_identical_across_runs(fmt: str) -> None:
    first = run("report", "-f", fmt)
    second = run("report", "-f", fmt)
    assert first[0] == 0
    assert first[1] == second[1]


@pytest.mark.slow
def test_html_is_byte_identical_across_processes(tmp_path: Path) -> None:
    """Separate interpreters (different hash seeds, fresh matplotlib) write the same page."""
    outputs = []
    for seed in ("1", "2"):
        target = tmp_path / f"report{seed}.html"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run(
            [sys.executable, "-m", "siteplan", "report", "-o", str(target)],
            check=True,
            env=env,
            capture_output=True,
        )
        outputs.append(target.read_bytes())
    assert outputs[0] == outputs[1]
    assert outputs[0].startswith(b"<!DOCTYPE html>")


# --------------------------------------------------------------------------- scoring options


def test_rings_option_changes_rings_and_scores() -> None:
    data = report_json("--rings", "100,200")
    assert data["parameters"]["rings_m"] == [100.0, 200.0]
    rings = {(p["a"], p["b"]): p["ring_m"] for p in data["pairs"]}
    assert rings.pop(("cancer_center", "proton_center")) == 100.0
    assert set(rings.values()) == {None}
    assert sorted(p["score"] for p in data["pairs"]) == [0.0] * 5 + [100.0]
    assert "null" in run("report", "-f", "json", "--rings", "100,200")[1]


def test_decay_option_changes_scores() -> None:
    data = report_json("--decay", "linear", "--max-m", "2000")
    assert data["parameters"] == {
        "crs": "EPSG:32651",
        "measure": "edge",
        "unit": "m",
        "rings_m": [500.0, 1000.0, 2000.0, 5000.0],
        "decay": "linear",
        "max_m": 2000.0,
    }
    for pair in data["pairs"]:
        assert pair["score"] == pytest.approx(100.0 * max(0.0, 1.0 - pair["edge_m"] / 2000.0))
    scores = [p["score"] for p in data["pairs"]]
    assert data["cluster_score"] == pytest.approx(sum(scores) / len(scores))


def test_gaussian_decay_parameter_is_reported() -> None:
    data = report_json("--decay", "gaussian", "--sigma-m", "750")
    assert data["parameters"]["decay"] == "gaussian"
    assert data["parameters"]["sigma_m"] == 750.0


def test_measure_option_follows_centroids() -> None:
    data = report_json("--measure", "centroid")
    assert data["parameters"]["measure"] == "centroid"
    for pair in data["pairs"]:
        assert pair["distance_m"] == pair["centroid_m"]
    nearest = {s["id"]: s["nearest_m"] for s in data["sites"]}
    assert nearest["cancer_center"] == min(
        p["centroid_m"] for p in data["pairs"] if "cancer_center" in (p["a"], p["b"])
    )
    # cgt_park - childrens_center is 1217 m edge to edge but 1558 m centre to centre.
    ring = {(p["a"], p["b"]): p["ring_m"] for p in data["pairs"]}
    assert ring[("cgt_park", "childrens_center")] == 2000.0
    assert ring[("cancer_center", "proton_center")] == 500.0
    assert ring[("cancer_center", "cgt_park")] == 1000.0  # 343 m edge, 738 m centroid


def test_crs_option() -> None:
    data = report_json("--crs", "EPSG:32651")
    assert data["crs"] == "EPSG:32651"
    code, _, err = run("report", "--crs", "EPSG:4326")
    assert code == 1
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--decay", "linear", "--max-m", "-5"), ("--max-m", "-5")),
        (("--decay", "linear", "--half-m", "500"), ("half_m", "linear")),
        (("--decay", "logistic", "--steepness-m", "0"), ("--steepness-m",)),
        (("--rings", "500,200"), ("--rings", "increasing")),
    ],
)
def test_bad_scoring_parameter_is_one_line(args: tuple[str, ...], words: tuple[str, ...]) -> None:
    code, out, err = run("report", "-f", "json", *args)
    assert code == 1
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("siteplan: ")
    assert "Traceback" not in err
    for word in words:
        assert word in lines[0]


def test_table_with_another_format_is_refused() -> None:
    code, _, err = run("report", "-f", "markdown", "--table", "sites")
    assert code == 1
    assert "csv" in err
    assert len(err.strip().splitlines()) == 1


def test_unknown_format_is_a_usage_error() -> None:
    code, _, err = run("report", "-f", "pdf")
    assert code == 2
    assert "markdown" in err
    assert "html" in err


# --------------------------------------------------------------------------- output files


def test_output_is_written_atomically_with_parents(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "report.html"
    code, out, _ = run("report", "-o", target)
    assert code == 0
    assert out == ""
    assert [p.name for p in target.parent.iterdir()] == ["report.html"]  # no temp file left
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


@pytest.mark.parametrize(
    ("name", "check"),
    [
        ("r.json", lambda text: json.loads(text)["crs"] == "EPSG:32651"),
        ("r.csv", lambda text: text.startswith("a,b,name_a")),
        ("r.md", lambda text: text.startswith("# Proximity report")),
        ("r.txt", lambda text: text.startswith("# Proximity report")),
    ],
)
def test_format_follows_the_suffix(tmp_path: Path, name: str, check: Any) -> None:
    code, _, err = run("report", "-o", tmp_path / name)
    assert code == 0, err
    assert check((tmp_path / name).read_text(encoding="utf-8"))


def test_format_option_wins_over_the_suffix(tmp_path: Path) -> None:
    target = tmp_path / "r.html"
    assert run("report", "-f", "json", "-o", target)[0] == 0
    assert json.loads(target.read_text(encoding="utf-8"))["crs"] == "EPSG:32651"


def test_output_equal_to_an_input_is_refused(study_copy: Path) -> None:
    before = _digest(study_copy.parent)
    for target in (study_copy, study_copy.parent / "cgt_park.geojson"):
        code, out, err = run("report", study_copy, "-f", "json", "-o", target)
        assert code == 1
        assert out == ""
        assert len(err.strip().splitlines()) == 1
        assert "one of the inputs" in err
    assert _digest(study_copy.parent) == before  # unchanged, and no stray file


def test_output_under_a_regular_file_is_refused(tmp_path: Path) -> None:
    blocker = tmp_path / "file.txt"
    blocker.write_text("x", encoding="utf-8")
    code, _, err = run("report", "-o", blocker / "report.md")
    assert code == 1
    assert "not a folder" in err
    assert len(err.strip().splitlines()) == 1
    assert blocker.read_text(encoding="utf-8") == "x"


def test_study_argument_is_used(study_copy: Path) -> None:
    text = study_copy.read_text(encoding="utf-8").replace(
        'name = "Shanghai', 'name = "Copied study: Shanghai', 1
    )
    study_copy.write_text(text, encoding="utf-8")
    assert report_json(str(study_copy))["study"].startswith("Copied study: ")
