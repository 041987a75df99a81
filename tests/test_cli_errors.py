"""Library errors name Python arguments; the command line shows its flags instead."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path

import click
import pytest

import siteplan
import siteplan.analysis
from siteplan.cli import main
from siteplan.cli._errors import ARGUMENT_FLAGS, cli_message, flag_message
from siteplan.cli.options import SCORING_KEYS
from siteplan.errors import LayerError, ParameterError

RunCLI = Callable[..., tuple[int, str, str]]

# every library function a command calls with its options as keyword arguments (by their
# public names, wherever the modules that define them live)
LIBRARY_CALLS = (
    "analyze",
    "validate_paths",
    "render_report",
    "score_candidates",
    "write_candidates",
    "write_map",
    "analyze_sensitivity",
    "render_sensitivity",
    "compare_studies",
    "render_comparison",
)


@pytest.mark.parametrize(
    ("message", "argument", "shown"),
    [
        (
            "cell_m=0.5 gives 99,000,000 cells over the boundary's bounds; give a larger cell_m",
            "cell_m",
            "--cell 0.5 gives 99,000,000 cells over the boundary's bounds; give a larger --cell",
        ),
        (
            "tiles 'foo' is not a known tile provider; use a name such as OpenStreetMap",
            "tiles",
            "--tiles 'foo' is not a known tile provider; use a name such as OpenStreetMap",
        ),
        # a plain word is an argument only where it begins the message
        (
            "attribution applies to a tiles URL template only",
            "attribution",
            "--attribution applies to a tiles URL template only",
        ),
        ("the map has no tiles", "tiles", "the map has no tiles"),
        ("rings_m must increase", "rings_m", "--rings must increase"),
        ("min_separation_m=-1 is < 0", "min_separation_m", "--min-separation -1 is < 0"),
        ("approx_step_m needs approx", "approx_step_m", "--approx-step needs approx"),
        ("tiles_datum 'x' is unknown", "tiles_datum", "--tiles-datum 'x' is unknown"),
        # a longer name that contains the argument is left alone
        ("min_cell_m and cell_m", "cell_m", "min_cell_m and --cell"),
        # no argument, or one without a flag: unchanged
        ("cell_m=0.5 is too small", None, "cell_m=0.5 is too small"),
        ("chunk_size=0 must be positive", "chunk_size", "chunk_size=0 must be positive"),
    ],
)  # fmt: skip
def test_flag_message(message: str, argument: str | None, shown: str) -> None:
    assert flag_message(message, argument) == shown


def test_cli_message_keeps_the_path_and_feature() -> None:
    error = LayerError("measure 'x' is unknown", path="a.geojson", feature="7", argument="measure")
    assert cli_message(error) == "a.geojson: feature 7: --measure 'x' is unknown"
    assert str(error) == "a.geojson: feature 7: measure 'x' is unknown"  # the library's own


def _flags_by_name() -> dict[str, set[str]]:
    """Return every option of every command: parameter name -> its flags."""
    flags: dict[str, set[str]] = {}
    for command in main.commands.values():
        for param in command.params:
            if isinstance(param, click.Option) and param.name is not None:
                flags.setdefault(param.name, set()).update(param.opts)
    return flags


def test_every_flag_in_the_table_sets_that_argument() -> None:
    flags = _flags_by_name()
    for argument, flag in ARGUMENT_FLAGS.items():
        assert flag in flags.get(argument, set()), (argument, flag)


def test_every_option_passed_to_the_library_is_in_the_table() -> None:
    keywords = set(SCORING_KEYS)  # analyze takes the decay parameters as **decay_params
    for name in LIBRARY_CALLS:
        keywords |= set(inspect.signature(getattr(siteplan, name)).parameters)
    passed = keywords & set(_flags_by_name())
    assert passed, "no option reaches the library?"
    assert passed <= set(ARGUMENT_FLAGS), passed - set(ARGUMENT_FLAGS)


def _raise(error: Exception) -> Callable[..., None]:
    """Return a stand-in for a library function that raises ``error``."""

    def fake(*_args: object, **_kwargs: object) -> None:
        raise error

    return fake


def test_a_library_error_about_cell_m_names_cell(
    run_cli: RunCLI, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    error = ParameterError(
        "cell_m=0.5 gives 99,000,000 cells over the boundary's bounds, more than 5,000,000; "
        "give a larger cell_m",
        argument="cell_m",
    )
    # any library call will do: every command runs analyze first
    monkeypatch.setattr(siteplan.analysis, "analyze", _raise(error))
    code, out, err = run_cli("candidates", "--cell", "0.5", "-o", tmp_path / "c.json")
    assert code == 1
    assert out == ""
    assert err == (
        "siteplan: --cell 0.5 gives 99,000,000 cells over the boundary's bounds, more than "
        "5,000,000; give a larger --cell\n"
    )


def test_a_library_error_about_tiles_names_tiles(
    run_cli: RunCLI, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    error = ParameterError(
        "tiles 'foo' is not a known tile provider; use a name such as OpenStreetMap",
        argument="tiles",
    )
    monkeypatch.setattr(siteplan.analysis, "analyze", _raise(error))
    code, _out, err = run_cli("map", "-o", tmp_path / "m.html")
    assert code == 1
    assert err == (
        "siteplan: --tiles 'foo' is not a known tile provider; use a name such as OpenStreetMap\n"
    )
    assert not (tmp_path / "m.html").exists()


def test_verbose_raises_the_library_error_unchanged(
    run_cli: RunCLI, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    error = ParameterError("tiles 'foo' is not a known tile provider", argument="tiles")
    monkeypatch.setattr(siteplan.analysis, "analyze", _raise(error))
    args = ["--verbose", "map", "-o", str(tmp_path / "m.html")]
    with pytest.raises(ParameterError, match=r"^tiles 'foo'"):
        main(args, standalone_mode=False)
