"""Usage errors (bad option values, missing options) end as one line, like library errors."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable

import click
import pytest
from click.testing import CliRunner

from siteplan.cli import main, options


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


def _module_program(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "siteplan", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_python_m_siteplan_help_and_version() -> None:
    done = _module_program("--help")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Usage: siteplan [OPTIONS] COMMAND [ARGS]...")
    for command in ("candidates", "compare", "export", "map", "report", "sensitivity", "validate"):
        assert f"  {command} " in done.stdout
    version = _module_program("--version")
    assert version.returncode == 0
    assert version.stdout.startswith("siteplan, version ")


def test_importing_siteplan_main_module_runs_nothing() -> None:
    # the __main__ guard: --doctest-modules and tools import the module without running the CLI
    done = subprocess.run(
        [sys.executable, "-c", "import siteplan.__main__; print('imported')"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "imported\n"


def _params_added_by(decorator: Callable[[Callable[..., None]], Callable[..., None]]) -> list[str]:
    """Return the names of the parameters a shared option group adds, in --help order."""
    command = click.command()(decorator(lambda **_: None))
    return [str(param.name) for param in command.params]


@pytest.mark.parametrize(
    ("decorator", "keys"),
    [
        (options.scoring_options, options.SCORING_KEYS),
        (options.map_options, options.MAP_KEYS),
        (options.candidate_options, options.CANDIDATE_KEYS),
    ],
)
def test_option_groups_add_the_parameters_their_keys_name(
    decorator: Callable[[Callable[..., None]], Callable[..., None]], keys: tuple[str, ...]
) -> None:
    assert tuple(_params_added_by(decorator)) == keys


def test_every_command_is_registered_once() -> None:
    assert sorted(main.commands) == [
        "candidates", "compare", "export", "map", "report", "sensitivity", "validate"
    ]  # fmt: skip
