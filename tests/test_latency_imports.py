"""Start-up weight: what importing siteplan and running its light commands loads.

These are not timings (the benchmark suite times the commands against the
import floor, ``python -c "import geopandas"``); they check, in fresh
interpreters, that heavy modules load only in the commands that need them.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import siteplan

# Loaded by the map command and the html report only; never on start-up.
HEAVY = ("folium", "branca", "jinja2", "matplotlib", "requests", "scipy", "tqdm", "dask")


def _modules_after(code: str) -> set[str]:
    """Run ``code`` in a fresh interpreter; return every module it loaded."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    ).stdout
    return set(json.loads(out.strip().splitlines()[-1]))


def _loaded_after(code: str) -> set[str]:
    """Run ``code`` in a fresh interpreter; return the top-level modules it loaded."""
    return {name.split(".")[0] for name in _modules_after(code)}


def test_import_siteplan_is_light() -> None:
    loaded = _loaded_after("import siteplan")
    assert not {"geopandas", "pandas", "shapely", "pyogrio", *HEAVY} & loaded


def test_import_cli_loads_no_heavy_module() -> None:
    loaded = _loaded_after("import siteplan.cli")
    assert not set(HEAVY) & loaded
    assert "geopandas" not in loaded


def test_report_json_loads_no_map_or_plot_module() -> None:
    code = (
        "import contextlib, io\n"
        "from siteplan.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['report', '-f', 'json'], standalone_mode=False)"
    )
    loaded = _loaded_after(code)
    assert not set(HEAVY) & loaded
    assert "siteplan" in loaded


def test_offline_map_loads_no_folium_plugins(tmp_path) -> None:
    # measure, fullscreen and minimap are left out offline: their ~80 ms import too
    out = tmp_path / "map.html"
    code = (
        "import contextlib, io\n"
        "from siteplan.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    main(['map', '--offline', '-o', {str(out)!r}], standalone_mode=False)"
    )
    loaded = _modules_after(code)
    assert out.exists()
    assert "folium" in loaded
    assert "folium.plugins" not in loaded
    assert "matplotlib" not in loaded


def test_every_public_name_resolves() -> None:
    for name in siteplan.__all__:
        assert getattr(siteplan, name) is not None, name
    assert set(siteplan.__all__) <= set(dir(siteplan))


def test_lazy_names_are_public() -> None:
    lazy = siteplan._LAZY  # the lazily imported names must all be exported
    assert set(lazy) <= set(siteplan.__all__)


def test_unknown_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_thing"):
        _ = siteplan.no_such_thing  # type: ignore[attr-defined]


def test_from_import_of_a_lazy_name() -> None:
    from siteplan import analyze, make_decay

    assert callable(analyze)
    assert make_decay("linear").cutoff_m == 5000.0


def _program(*args: str) -> subprocess.CompletedProcess[str]:
    """Run ``python -m siteplan ARGS`` as a program (the fast-exit path)."""
    return subprocess.run(
        [sys.executable, "-m", "siteplan", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_program_flushes_its_whole_output_before_the_fast_exit() -> None:
    done = _program("report", "-f", "json")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)  # complete: the pipe's buffer was flushed
    assert len(doc["sites"]) == 4


@pytest.mark.parametrize(
    ("args", "status", "message"),
    [
        (("report", "/no/such/study"), 1, "siteplan: /no/such/study: no such study"),
        (("report", "--decay", "nope"), 2, "Invalid value for '--decay'"),
        (("--version",), 0, ""),
    ],
)
def test_program_exit_status_and_messages(args: tuple[str, ...], status: int, message: str) -> None:
    done = _program(*args)
    assert done.returncode == status
    assert message in done.stderr
    if args == ("--version",):
        assert done.stdout.startswith("siteplan ")
        assert "GDAL" in done.stdout


def test_library_calls_return_instead_of_exiting() -> None:
    from click.testing import CliRunner

    from siteplan.cli import main

    run = CliRunner().invoke(main, ["--version"])
    assert run.exit_code == 0  # the test process is still here to read it
    assert run.output.startswith("siteplan ")
