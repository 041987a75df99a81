"""Usage errors (bad option values, missing options) end as one line, like library errors."""

from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner

from siteplan.cli import main


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["report", "--rings", "abc"], "Invalid value for --rings"),
        (["report", "-f", "pdf"], "'pdf' is not one of"),
        (["report", "--bogus"], "No such option '--bogus'"),
        (["map"], "Missing option '-o' / '--output'"),
        (["export"], "Missing option '-o' / '--output'"),
        (["nosuchcommand"], "No such command 'nosuchcommand'"),
    ],
)
def test_usage_errors_are_one_line_with_exit_status_2(args: list[str], expected: str) -> None:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("siteplan: ")
    assert expected in lines[0]
    assert "--help" in lines[0]
    assert "Traceback" not in result.stderr


def test_help_and_version_still_work() -> None:
    runner = CliRunner()
    help_result = runner.invoke(main, ["--help"])
    assert help_result.exit_code == 0
    assert "report" in help_result.stdout
    version = runner.invoke(main, ["--version"])
    assert version.exit_code == 0
    assert version.stdout.startswith("siteplan, version ")


def test_the_program_prints_usage_errors_as_one_line() -> None:
    done = subprocess.run(
        [sys.executable, "-c", "from siteplan.cli import main; main()", "report", "--rings", "x"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith("siteplan: Invalid value for --rings")
