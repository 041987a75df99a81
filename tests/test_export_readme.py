"""The documented GeoPackage table (docs/commands/export.md) against a real export."""

from __future__ import annotations

import re
from pathlib import Path

import pyogrio
import pytest
from conftest import RunCLI

ROOT = Path(__file__).resolve().parents[1]
DECAY_PARAMETERS = ("max_m", "half_m", "sigma_m", "inflection_m", "steepness_m")


def readme_table(path: Path) -> dict[str, str]:
    """Return the GeoPackage table of a markdown file: layer name -> its fields cell."""
    text = path.read_text(encoding="utf-8")
    start = text.index("| layer | geometry | fields |")
    rows: dict[str, str] = {}
    for line in text[start:].splitlines()[2:]:
        if not line.startswith("|"):
            break
        layer, _geometry, fields = (cell.strip() for cell in line.strip("|").split("|"))
        for name in re.findall(r"`(\w+)`", layer):
            rows[name] = fields
    return rows


def plain_fields(cell: str) -> list[str]:
    """Return the field names of a cell such as ``a, b (a note), c``."""
    return [part.split("(")[0].strip() for part in re.sub(r"\([^)]*\)", "", cell).split(",")]


@pytest.fixture(scope="module")
def table() -> dict[str, str]:
    return readme_table(ROOT / "docs" / "commands" / "export.md")


def test_the_table_lists_every_layer(table: dict[str, str]) -> None:
    assert {"sites", "rings", "pairs", "boundary", "context", "parameters"} <= set(table)


@pytest.mark.parametrize(
    "options",
    [(), ("--decay", "logistic"), ("--decay", "linear", "--max-m", "3000")],
    ids=["rings", "logistic", "linear"],
)
def test_a_real_export_matches_the_readme(
    run_cli: RunCLI, table: dict[str, str], tmp_path: Path, options: tuple[str, ...]
) -> None:
    output = tmp_path / "simz.gpkg"
    code, _out, err = run_cli("export", "-o", output, *options)
    assert code == 0, err
    layers = [name for name, _ in pyogrio.list_layers(output) if name != "layer_styles"]
    assert sorted(layers) == sorted(table)
    for name in ("sites", "rings", "pairs"):
        assert list(pyogrio.read_info(output, layer=name)["fields"]) == plain_fields(table[name])
    for name in ("boundary", "context"):
        fields = list(pyogrio.read_info(output, layer=name)["fields"])
        assert fields[:4] == ["id", "name", "weight", "placement"]
        assert fields[-1] == "layer"
    documented = re.findall(r"`(\w+)`", table["parameters"])
    keys = pyogrio.read_dataframe(output, layer="parameters")["key"].tolist()
    required = [k for k in documented if k not in DECAY_PARAMETERS]
    assert [k for k in keys if k not in DECAY_PARAMETERS] == required
    assert set(keys) - set(required) <= set(DECAY_PARAMETERS)


def test_an_empty_field_takes_its_type_from_the_other_layer(
    run_cli: RunCLI, tmp_path: Path
) -> None:
    output = tmp_path / "simz.gpkg"
    code, _out, err = run_cli("export", "-o", output)
    assert code == 0, err
    types = {
        name: dict(
            zip(
                pyogrio.read_info(output, layer=name)["fields"],
                pyogrio.read_info(output, layer=name)["dtypes"],
                strict=True,
            )
        )
        for name in ("boundary", "context")
    }
    shared = set(types["boundary"]) & set(types["context"])
    assert "area_m2_published" in shared  # an integer in boundary, empty in context
    assert {k: types["boundary"][k] for k in shared} == {k: types["context"][k] for k in shared}


def test_a_pair_field_empty_in_every_pair_stays_as_it_was(run_cli: RunCLI, tmp_path: Path) -> None:
    # rings of 1 and 2 m: no pair within a ring, ring_m NULL in every pair
    output = tmp_path / "small.gpkg"
    code, _out, err = run_cli("export", "-o", output, "--rings", "1,2")
    assert code == 0, err
    pairs = pyogrio.read_dataframe(output, layer="pairs")
    assert pairs["ring_m"].isna().all()


def network_table(path: Path) -> dict[str, tuple[str, str]]:
    """Return the network table of a markdown file: layer -> (network cell, time cell)."""
    text = path.read_text(encoding="utf-8")
    start = text.index("| layer | network fields")
    rows: dict[str, tuple[str, str]] = {}
    for line in text[start:].splitlines()[2:]:
        if not line.startswith("|"):
            break
        layer, network, time = (cell.strip() for cell in line.strip("|").split("|"))
        rows[layer.strip("`")] = (network, time)
    return rows


@pytest.mark.parametrize(
    ("measure", "column", "options"),
    [
        ("network", 0, ()),
        ("time", 1, ()),
        ("time", 1, ("--decay", "logistic")),
    ],
    ids=["network", "time", "time-logistic"],
)
def test_a_network_export_matches_the_readme(
    run_cli: RunCLI, tmp_path: Path, measure: str, column: int, options: tuple[str, ...]
) -> None:
    table = network_table(ROOT / "docs" / "commands" / "export.md")
    output = tmp_path / f"{measure}.gpkg"
    code, _out, err = run_cli("export", "--measure", measure, "-o", output, *options)
    assert code == 0, err
    for name in ("sites", "rings", "pairs"):
        fields = list(pyogrio.read_info(output, layer=name)["fields"])
        assert fields == plain_fields(table[name][column]), name
    documented = set(re.findall(r"`(\w+)`", table["parameters"][column])) - {"m", "min"}
    settings = pyogrio.read_dataframe(output, layer="parameters")
    keys = dict(zip(settings["key"], settings["value"], strict=True))
    unit = "min" if measure == "time" else "m"
    assert keys["unit"] == unit
    decay = {f"{stem}_{unit}" for stem in ("max", "half", "sigma", "inflection", "steepness")}
    assert documented - decay <= set(keys)  # every documented key is written
    assert set(keys) & decay <= documented  # decay parameters only in the measure's unit
    other = "m" if unit == "min" else "min"
    assert not {k for k in keys if k.endswith(f"_{other}") and k != "snap_max_m"}
