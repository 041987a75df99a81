"""Exports under the network measures: fields named by unit, network pair fields, isochrones.

Reference values come from the straight-line geometry and the documented formulas
(walking at 4.8 km/h, the rings, detour = network_m / edge_m), not from the export code.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyogrio
import pytest
import shapely
from shapely.geometry import shape

from siteplan.analysis import Result, analyze

RunCLI = Callable[..., tuple[int, str, str]]

WALK_M_PER_MIN = 4.8 * 1000 / 60
NETWORK_PAIR_FIELDS = [
    "network_m_ab",
    "network_m_ba",
    "network_m",
    "time_min_ab",
    "time_min_ba",
    "time_min",
    "detour",
    "reachable",
    "connector_m",
]


@pytest.fixture(scope="module")
def time_result() -> Result:
    return analyze(measure="time", mode="walk")


@pytest.fixture(scope="module")
def time_gpkg(time_result: Result, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from siteplan import export_result

    return export_result(time_result, tmp_path_factory.mktemp("time") / "simz.gpkg")


def _fields(path: Path, layer: str) -> list[str]:
    return list(pyogrio.read_info(path, layer=layer)["fields"])


def _parameters(path: Path) -> dict[str, str]:
    table = pyogrio.read_dataframe(path, layer="parameters")
    return dict(zip(table["key"], table["value"], strict=True))


def test_time_export_names_the_measure_fields_in_minutes(time_gpkg: Path) -> None:
    sites, rings, pairs = (_fields(time_gpkg, n) for n in ("sites", "rings", "pairs"))
    assert sites[-2:] == ["nearest_min", "connector_m"]
    assert rings == ["site_id", "inner_min", "ring_min", "area_m2", "reaches"]
    assert pairs[:10] == [
        "a",
        "b",
        "name_a",
        "name_b",
        "edge_m",
        "centroid_m",
        "geodesic_m",
        "distance_min",
        "ring_min",
        "score",
    ]
    assert pairs[10:] == NETWORK_PAIR_FIELDS
    for layer in (sites, rings, pairs):
        assert not {"nearest_m", "ring_m", "inner_m", "distance_m"} & set(layer)


def test_time_export_parameters_record_measure_unit_mode_and_speeds(time_gpkg: Path) -> None:
    settings = _parameters(time_gpkg)
    assert (settings["measure"], settings["unit"], settings["mode"]) == ("time", "min", "walk")
    assert json.loads(settings["rings_min"]) == [5.0, 10.0, 15.0, 30.0]
    assert "rings_m" not in settings
    assert float(settings["walk_kmh"]) == 4.8
    assert {"bike_kmh", "drive_kmh"} <= set(settings)


def test_time_export_pair_values_follow_the_documented_formulas(time_gpkg: Path) -> None:
    pairs = pyogrio.read_dataframe(time_gpkg, layer="pairs")
    assert len(pairs) == 6
    rings = [5.0, 10.0, 15.0, 30.0]
    for row in pairs.itertuples():
        assert bool(row.reachable)
        # Walking: one speed everywhere, so minutes are metres at 4.8 km/h (connectors too).
        for suffix in ("_ab", "_ba", ""):
            metres = getattr(row, f"network_m{suffix}")
            minutes = getattr(row, f"time_min{suffix}")
            assert math.isclose(minutes, metres / WALK_M_PER_MIN, rel_tol=1e-9)
        assert row.network_m >= row.edge_m
        assert math.isclose(row.network_m, (row.network_m_ab + row.network_m_ba) / 2)
        assert math.isclose(row.detour, row.network_m / row.edge_m, rel_tol=1e-9)
        assert row.distance_min == row.time_min
        reached = [r for r in rings if row.time_min <= r]
        if reached:
            assert row.ring_min == reached[0]
        else:
            assert row.ring_min is None or math.isnan(row.ring_min)


def test_time_export_sites_nearest_is_the_smallest_pair_time(time_gpkg: Path) -> None:
    sites = pyogrio.read_dataframe(time_gpkg, layer="sites")
    pairs = pyogrio.read_dataframe(time_gpkg, layer="pairs")
    for site in sites.itertuples():
        mine = pairs.loc[(pairs["a"] == site.id) | (pairs["b"] == site.id)]
        assert math.isclose(site.nearest_min, float(mine["time_min"].min()), rel_tol=1e-12)
        assert 0 <= site.connector_m <= 300.0  # snap_max_m


def test_time_export_rings_are_reached_network_bands(time_gpkg: Path, time_result: Result) -> None:
    rings = pyogrio.read_dataframe(time_gpkg, layer="rings")
    pairs = pyogrio.read_dataframe(time_gpkg, layer="pairs")
    sites = pyogrio.read_dataframe(time_gpkg, layer="sites").set_index("id")
    assert len(rings) == 16
    assert rings.is_valid.all()  # no zero-width slivers left in WGS84
    for site_id, bands in rings.groupby("site_id"):
        assert bands["inner_min"].tolist() == [0.0, 5.0, 10.0, 15.0]
        assert bands["ring_min"].tolist() == [5.0, 10.0, 15.0, 30.0]
        mine = pairs.loc[(pairs["a"] == site_id) | (pairs["b"] == site_id)]
        for band in bands.itertuples():
            within = mine.loc[mine["time_min"] <= band.ring_min]
            expected = sorted((set(within["a"]) | set(within["b"])) - {site_id})
            got = sorted(x for x in (band.reaches or "").split(",") if x)
            assert got == expected, (site_id, band.ring_min)
        # Bands along the streets: far less area than the straight-line disc of the same
        # walk (a 30-minute walk is 2.4 km), which a buffer ring would fill.
        outer = bands.iloc[-1]
        disc = math.pi * (30 * WALK_M_PER_MIN) ** 2
        assert 0 < outer.area_m2 < 0.5 * disc
        assert not shapely.contains(outer.geometry, sites.loc[site_id].geometry)


def test_time_geojson_carries_the_same_fields(
    time_result: Result, tmp_path: Path, time_gpkg: Path
) -> None:
    from siteplan import export_result

    path = export_result(time_result, tmp_path / "simz.geojson")
    document = json.loads(path.read_text(encoding="utf-8"))
    by_type: dict[str, set[str]] = {}
    for feature in document["features"]:
        props = feature["properties"]
        by_type.setdefault(props["feature_type"], set()).update(
            k for k, v in props.items() if v is not None
        )
        assert shape(feature["geometry"]).is_valid
    assert {"nearest_min", "connector_m"} <= by_type["site"]
    assert {"inner_min", "ring_min"} <= by_type["ring"]
    assert {"distance_min", "ring_min", *NETWORK_PAIR_FIELDS} <= by_type["pair"]
    assert not {"nearest_m", "ring_m", "inner_m", "distance_m"} & set().union(*by_type.values())
    summary: dict[str, Any] = document.get("siteplan", {})
    if summary:  # GDAL >= 3.9 writes the foreign member
        params = summary["parameters"]
        assert (params["measure"], params["unit"], params["mode"]) == ("time", "min", "walk")
    gpkg_pairs = pyogrio.read_dataframe(time_gpkg, layer="pairs").set_index(["a", "b"])
    for feature in document["features"]:
        props = feature["properties"]
        if props["feature_type"] == "pair":
            row = gpkg_pairs.loc[(props["a"], props["b"])]
            assert props["time_min"] == row["time_min"]  # full precision in both


def test_network_export_keeps_metres_and_adds_the_network_fields(
    run_cli: RunCLI, tmp_path: Path
) -> None:
    output = tmp_path / "net.gpkg"
    code, _out, err = run_cli("export", "--measure", "network", "-o", output)
    assert code == 0, err
    assert _fields(output, "rings") == ["site_id", "inner_m", "ring_m", "area_m2", "reaches"]
    assert _fields(output, "pairs")[10:] == NETWORK_PAIR_FIELDS
    assert _fields(output, "sites")[-2:] == ["nearest_m", "connector_m"]
    pairs = pyogrio.read_dataframe(output, layer="pairs")
    np.testing.assert_array_equal(pairs["distance_m"], pairs["network_m"])
    settings = _parameters(output)
    assert (settings["measure"], settings["unit"]) == ("network", "m")
    assert json.loads(settings["rings_m"]) == [500.0, 1000.0, 2000.0, 5000.0]


def test_time_export_decay_parameters_are_in_minutes(run_cli: RunCLI, tmp_path: Path) -> None:
    output = tmp_path / "exp.gpkg"
    code, _out, err = run_cli(
        "export", "--measure", "time", "--decay", "exponential", "--half-min", "7", "-o", output
    )
    assert code == 0, err
    settings = _parameters(output)
    assert float(settings["half_min"]) == 7.0
    assert "half_m" not in settings
    pairs = pyogrio.read_dataframe(output, layer="pairs")
    for row in pairs.itertuples():
        assert math.isclose(row.score, 100 * 2 ** (-row.time_min / 7.0), rel_tol=1e-9)


def test_straight_line_exports_have_no_network_fields(tmp_path: Path) -> None:
    from siteplan import export_result

    output = export_result(analyze(), tmp_path / "plain.gpkg")
    assert "connector_m" not in _fields(output, "sites")
    assert not set(NETWORK_PAIR_FIELDS) & set(_fields(output, "pairs"))


@pytest.mark.parametrize("measure", ["network", "time"])
def test_report_columns_are_named_by_unit(run_cli: RunCLI, measure: str) -> None:
    unit, other = ("min", "m") if measure == "time" else ("m", "min")
    rings = ("5", "10", "15", "30") if measure == "time" else ("500", "1000", "2000", "5000")
    code, out, err = run_cli("report", "--measure", measure, "-f", "csv")
    assert code == 0, err
    header = out.splitlines()[0].split(",")
    assert {f"distance_{unit}", f"ring_{unit}", *NETWORK_PAIR_FIELDS} <= set(header)
    assert not {f"distance_{other}", f"ring_{other}"} & set(header)
    overlaps = [c for c in header if c.startswith("overlap_m2_")]
    assert overlaps == [f"overlap_m2_{r}{'min' if unit == 'min' else ''}" for r in rings]
    code, out, err = run_cli("report", "--measure", measure, "-f", "csv", "--table", "sites")
    assert code == 0, err
    header = out.splitlines()[0].split(",")
    assert {f"nearest_{unit}", "connector_m"} <= set(header)
    assert f"nearest_{other}" not in header
    for fmt in ("markdown", "html"):
        code, out, err = run_cli("report", "--measure", measure, "-f", fmt)
        assert code == 0, err
        assert f"Ring ({unit})" in out
        assert f"Nearest ({unit})" in out
        assert f"Ring ({other})" not in out
