"""Output-size guards (issue 14): estimates before writing, refusals in one line, via the CLI."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

import siteplan.candidates.api

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import scale_inputs


def estimate(line: str) -> float:
    """Return the bytes a refusal's "would write about N MB" names."""
    number, unit = line.split("would write about ")[1].split(",", maxsplit=1)[0].split()[:2]
    return float(number.replace(",", "")) * {"kB": 1e3, "MB": 1e6, "GB": 1e9}[unit]


def one_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_a_1_m_geojson_surface_is_refused_before_scoring(
    run_cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("the surface was computed before the size check")

    monkeypatch.setattr(siteplan.candidates.api, "score_candidates", never)
    out = tmp_path / "c.geojson"
    code, _, err = run_cli("candidates", "--cell", "1", "-f", "geojson", "-o", out)
    assert code == 1
    line = one_line(err)
    assert line.startswith("siteplan: -f geojson --cell 1 (")
    assert " cells) would write about " in line
    assert " GB, past the 1,000 MB limit: give a larger --cell (about " in line
    assert "or write -f gpkg (about " in line
    assert line.endswith("or raise the limit with --max-output-mb")
    assert not out.exists()


@pytest.mark.parametrize("fmt", ["geojson", "gpkg"])
def test_the_surface_estimate_is_close_to_the_file_written(
    run_cli: Any, tmp_path: Path, fmt: str
) -> None:
    out = tmp_path / f"c.{fmt}"
    code, _, err = run_cli("candidates", "--cell", "100", "-f", fmt, "-o", out, "-q")
    assert code == 0, err
    # the same surface refused at a limit just under its estimate names the estimate
    code, _, err = run_cli(
        "candidates",
        "--cell",
        "100",
        "-f",
        fmt,
        "-o",
        tmp_path / f"d.{fmt}",
        "--max-output-mb",
        "0.01",
    )
    assert code == 1
    assert 0.75 < estimate(one_line(err)) / out.stat().st_size < 1.3


def test_raising_the_limit_lets_the_surface_through(run_cli: Any, tmp_path: Path) -> None:
    out = tmp_path / "c.geojson"
    args = ("candidates", "--cell", "100", "-f", "geojson", "-o", out, "-q")
    code, _, err = run_cli(*args, "--max-output-mb", "0.05")
    assert code == 1
    assert "--max-output-mb" in err
    code, _, err = run_cli(*args, "--max-output-mb", "50")
    assert code == 0, err
    assert out.exists()


def test_the_limit_must_be_positive(run_cli: Any) -> None:
    code, _, err = run_cli("candidates", "--max-output-mb", "0")
    assert code == 2
    assert "--max-output-mb" in err


@pytest.fixture(scope="module")
def sixty(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return scale_inputs.points_study(tmp_path_factory.mktemp("sixty"), 60)


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_the_report_estimate_is_close_to_the_report_written(
    run_cli: Any, tmp_path: Path, sixty: Path, fmt: str
) -> None:
    out = tmp_path / f"r.{fmt}"
    code, _, err = run_cli("report", sixty, "-f", fmt, "-o", out)
    assert code == 0, err
    code, _, err = run_cli(
        "report", sixty, "-f", fmt, "-o", tmp_path / f"s.{fmt}", "--max-output-mb", "0.01"
    )
    assert code == 1
    line = one_line(err)
    assert line.startswith(f"siteplan: -f {fmt} (1,770 pairs) would write about ")
    assert "give --pairs within (only the pairs within reach)" in line
    assert 0.75 < estimate(line) / out.stat().st_size < 1.4


def test_a_report_of_pairs_within_reach_is_estimated_on_those_pairs(
    run_cli: Any, tmp_path: Path
) -> None:
    # the bundled pairs are all within the last ring (5,000 m); at 1,000 m, 3 of 6 are
    args = ("report", "-f", "json", "--rings", "500,1000", "--max-output-mb", "0.000001")
    code, _, err = run_cli(*args, "--pairs", "within", "-o", tmp_path / "r.json")
    assert code == 1
    line = one_line(err)
    assert "(3 pairs)" in line or "pairs) would write" in line
    assert "split the study into areas" in line


def test_human_formats_are_not_size_checked(run_cli: Any) -> None:
    code, out, _ = run_cli("report", "-f", "markdown", "--max-output-mb", "0.000001")
    assert code == 0
    assert out


@pytest.mark.parametrize("command", ["candidates", "report"])
@pytest.mark.parametrize("value", ["nan", "-1", "0", "abc"])
def test_a_bad_limit_is_one_line(run_cli: Any, command: str, value: str) -> None:
    code, _, err = run_cli(command, "--max-output-mb", value)
    assert code == 2
    assert err.count("\n") == 1
    assert "--max-output-mb" in err
    assert "Traceback" not in err
