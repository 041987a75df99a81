"""Network measures through :func:`siteplan.analyze` and the CLI, with values worked out by hand.

The hand-built study (metres in EPSG:32651, written as WGS84 GeoJSON)::

    A (100, 130)                      C (500, 1000): 900 m from every road
    north road  y = +100   vertices x = 0, 800, 1000
                 |bridge1 x = 800      |bridge2 x = 1000 (only in some tests)
    south road  y = -100   vertices x = 0, 800, 1000
    B (100, -130)                     island road (3000..3500, 0), D (3200, 20)

Walking is 80 m/min, residential roads drive at 500 m/min, connectors are walked.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pytest
import shapely
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from siteplan import analyze
from siteplan.cli.main import main
from siteplan.errors import ParameterError, StudyError
from siteplan.load.network import NetworkParams
from siteplan.measure.network.graph import build_network
from siteplan.measure.network.sites import measure_site_pairs, pair_fields

CRS = "EPSG:32651"


@pytest.fixture(autouse=True)
def _cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SITEPLAN_CACHE_DIR", str(tmp_path / "cache"))


def _write(path: Path, rows: list[dict[str, Any]], geoms: list[shapely.Geometry]) -> None:
    frame = gpd.GeoDataFrame(rows, geometry=geoms, crs=CRS).to_crs("EPSG:4326")
    path.write_text(frame.to_json(drop_id=True), encoding="utf-8")


def _road(
    rid: str, coords: list[tuple[float, float]], oneway: str = "no"
) -> tuple[dict[str, Any], shapely.LineString]:
    return {"id": rid, "highway": "residential", "oneway": oneway}, shapely.LineString(coords)


def make_study(
    tmp_path: Path,
    sites: dict[str, tuple[float, float]],
    *,
    bridge_oneway: str = "no",
    second_bridge: bool = False,
    island: bool = False,
    mode: str = "walk",
) -> Path:
    roads = [
        _road("north", [(0, 100), (800, 100), (1000, 100)]),
        _road("south", [(0, -100), (800, -100), (1000, -100)]),
        _road("bridge1", [(800, 100), (800, -100)], bridge_oneway),
    ]
    if second_bridge:
        roads.append(_road("bridge2", [(1000, 100), (1000, -100)]))
    if island:
        roads.append(_road("island", [(3000, 0), (3500, 0)]))
    _write(tmp_path / "roads.geojson", [r for r, _ in roads], [g for _, g in roads])
    _write(
        tmp_path / "sites.geojson",
        [{"id": k, "name": k} for k in sites],
        [shapely.Point(xy) for xy in sites.values()],
    )
    study = tmp_path / "study.toml"
    study.write_text(
        f'name = "hand"\ncrs = "{CRS}"\n'
        '[[layers]]\npath = "sites.geojson"\nrole = "site"\n'
        '[[layers]]\npath = "roads.geojson"\nrole = "network"\n'
        f'[network]\nmode = "{mode}"\n',
        encoding="utf-8",
    )
    return study


A, B, C, D = (100.0, 130.0), (100.0, -130.0), (500.0, 1000.0), (3200.0, 20.0)


def pair(result: Any, a: str, b: str) -> dict[str, Any]:
    rows = result.pairs[(result.pairs["a"] == a) & (result.pairs["b"] == b)]
    assert len(rows) == 1
    return dict(rows.iloc[0])


def test_river_with_one_bridge(tmp_path: Path) -> None:
    result = analyze(make_study(tmp_path, {"a": A, "b": B}), measure="network")
    p = pair(result, "a", "b")
    # 30 connector + 700 north + 200 bridge + 700 south + 30 connector
    assert p["network_m_ab"] == pytest.approx(1660.0, abs=1e-3)
    assert p["network_m_ba"] == pytest.approx(1660.0, abs=1e-3)
    assert p["network_m"] == pytest.approx(1660.0, abs=1e-3)
    assert p["time_min"] == pytest.approx(1660.0 / 80.0, abs=1e-4)
    assert p["edge_m"] == pytest.approx(260.0, abs=1e-3)
    assert p["detour"] == pytest.approx(1660.0 / 260.0, rel=1e-6)
    assert p["connector_m"] == pytest.approx(60.0, abs=1e-3)
    assert bool(p["reachable"])
    assert p["distance_m"] == p["network_m"]
    assert p["ring_m"] == 2000.0  # 1660 m: the 2000 m ring
    params = result.parameters.as_dict()
    assert params["unit"] == "m"
    assert params["mode"] == "walk"
    assert params["walk_kmh"] == 4.8


def test_time_measure_is_named_in_minutes(tmp_path: Path) -> None:
    result = analyze(make_study(tmp_path, {"a": A, "b": B}), measure="time", decay="linear")
    p = pair(result, "a", "b")
    assert p["distance_m"] == pytest.approx(20.75, abs=1e-4)  # 1660 m at 80 m/min
    assert p["ring_m"] == 30.0  # the default time rings 5, 10, 15, 30
    assert p["score"] == pytest.approx(100.0 * (1 - 20.75 / 30.0), abs=1e-3)  # max_min 30
    params = result.parameters.as_dict()
    assert params["unit"] == "min"
    assert params["rings_min"] == [5.0, 10.0, 15.0, 30.0]
    assert params["max_min"] == 30.0
    assert "rings_m" not in params
    assert "max_m" not in params
    assert result.sites.set_index("id").loc["a", "nearest_m"] == pytest.approx(20.75, abs=1e-4)


def test_one_way_bridge_drive_differs_per_direction_walk_does_not(tmp_path: Path) -> None:
    study = make_study(
        tmp_path, {"a": A, "b": B}, bridge_oneway="yes", second_bridge=True, mode="drive"
    )
    drive = pair(analyze(study, measure="time"), "a", "b")
    # a -> b: south over bridge1 (drawn north to south): 1600 m at 500 m/min + 60 m walked
    assert drive["network_m_ab"] == pytest.approx(1660.0, abs=1e-3)
    assert drive["time_min_ab"] == pytest.approx(1600 / 500 + 60 / 80, abs=1e-4)
    # b -> a: back over bridge2 at x = 1000: 900 + 200 + 900 m driven
    assert drive["network_m_ba"] == pytest.approx(2060.0, abs=1e-3)
    assert drive["time_min_ba"] == pytest.approx(2000 / 500 + 60 / 80, abs=1e-4)
    assert drive["network_m"] == pytest.approx(1860.0, abs=1e-3)
    walk = pair(analyze(study, measure="network", mode="walk"), "a", "b")
    assert walk["network_m_ab"] == pytest.approx(walk["network_m_ba"]) == pytest.approx(1660.0)


def test_site_too_far_from_any_road_is_unreachable_with_a_warning(tmp_path: Path) -> None:
    result = analyze(make_study(tmp_path, {"a": A, "b": B, "c": C}), measure="time")
    for other in ("a", "b"):
        p = pair(result, other, "c")
        assert not bool(p["reachable"])
        assert np.isnan(p["network_m"])
        assert np.isnan(p["time_min"])
        assert np.isnan(p["detour"])
        assert p["score"] == 0.0
    far = [w for w in result.warnings if w.startswith("c is farther than snap_max_m 300 m")]
    assert len(far) == 1
    assert "2 pairs are unreachable" in far[0]
    sites = result.sites.set_index("id")
    assert np.isnan(sites.loc["c", "nearest_m"])
    assert sites.loc["c", "score"] == 0.0
    # a's denominator still counts the unreachable pair: (score(a, b) + 0) / 2
    assert sites.loc["a", "score"] == pytest.approx(pair(result, "a", "b")["score"] / 2)


def test_disconnected_component_is_named(tmp_path: Path) -> None:
    result = analyze(make_study(tmp_path, {"a": A, "b": B, "d": D}, island=True), measure="network")
    assert not bool(pair(result, "a", "d")["reachable"])
    assert bool(pair(result, "a", "b")["reachable"])
    comp = [w for w in result.warnings if "component" in w]
    assert comp == [
        "d lie on a network component not connected to the others; 2 pairs with places "
        "outside it are unreachable"
    ]


def test_entrances_join_sites_and_keep_network_at_least_edge(tmp_path: Path) -> None:
    study = make_study(tmp_path, {"a": A, "b": B})
    _write(
        tmp_path / "gates.geojson",
        [{"id": "gate_b", "site_id": "b"}],
        [shapely.Point(900, -120)],
    )
    with study.open("a", encoding="utf-8") as fh:
        fh.write('[[layers]]\npath = "gates.geojson"\nrole = "entrance"\n')
    p = pair(analyze(study, measure="network"), "a", "b")
    # a: 30 + 700 + 200; then 100 along the south road to x = 900, 20 to the gate, and
    # the straight 800.25 m walk from the gate back to b's point.
    walk_back = float(np.hypot(800.0, 10.0))
    assert p["network_m"] == pytest.approx(30 + 700 + 200 + 100 + 20 + walk_back, abs=1e-3)
    assert p["network_m"] >= p["edge_m"]


def test_network_measure_without_a_network_is_one_line_error(tmp_path: Path) -> None:
    _write(tmp_path / "s.geojson", [{"id": "a"}, {"id": "b"}], [shapely.Point(A), shapely.Point(B)])
    with pytest.raises(StudyError, match="a network measure needs a road network") as info:
        analyze(tmp_path / "s.geojson", measure="time")
    assert "\n" not in str(info.value)
    with pytest.raises(ParameterError, match="mode applies to the network measures only"):
        analyze(tmp_path / "s.geojson", mode="walk")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.floats(-200, 1200), st.floats(-400, 400), st.floats(5, 80)),
        min_size=2,
        max_size=6,
    ),
    st.sampled_from(["walk", "drive"]),
)
def test_network_is_never_shorter_than_edge(
    boxes: list[tuple[float, float, float]], mode: str
) -> None:
    roads = gpd.GeoDataFrame(
        {
            "id": ["n", "s", "b1", "b2"],
            "highway": ["residential"] * 4,
            "oneway": np.asarray([0, 0, 1, -1], dtype=np.int8),
            "maxspeed_kmh": [np.nan] * 4,
        },
        geometry=[
            shapely.LineString([(0, 100), (800, 100), (1000, 100)]),
            shapely.LineString([(0, -100), (800, -100), (1000, -100)]),
            shapely.LineString([(800, 100), (800, -100)]),
            shapely.LineString([(1000, 100), (1000, -100)]),
        ],
        crs=CRS,
    )
    net = build_network(roads, CRS, NetworkParams(mode=mode))
    sites = gpd.GeoSeries([shapely.box(x, y, x + s, y + s) for x, y, s in boxes], crs=CRS)
    ids = [f"s{k}" for k in range(len(boxes))]
    measured = measure_site_pairs(net, sites, ids, cost="length")
    i, j = np.triu_indices(len(ids), k=1)
    frame = gpd.GeoDataFrame(
        {
            "a": [ids[k] for k in i],
            "b": [ids[k] for k in j],
            "edge_m": shapely.distance(sites.array[i], sites.array[j]),
        }
    )
    fields = pair_fields(measured, frame, ids)
    ok = fields["reachable"].to_numpy()
    for col in ("network_m_ab", "network_m_ba", "network_m"):
        assert (fields[col].to_numpy()[ok] >= frame["edge_m"].to_numpy()[ok] - 1e-6).all()


# ------------------------------------------------------------------------------- the CLI


def test_bundled_report_time_walk_gives_reachable_pairs_with_times_and_detours() -> None:
    out = CliRunner().invoke(main, ["report", "--measure", "time", "--mode", "walk", "-f", "json"])
    assert out.exit_code == 0, out.output
    report = json.loads(out.stdout)
    assert report["parameters"]["unit"] == "min"
    assert report["parameters"]["mode"] == "walk"
    assert report["parameters"]["rings_min"] == [5.0, 10.0, 15.0, 30.0]
    assert len(report["pairs"]) == 6
    for p in report["pairs"]:
        assert p["reachable"] is True
        assert p["time_min"] > 0
        assert p["detour"] >= 1.0
        assert p["network_m"] >= p["edge_m"]
        assert "distance_min" in p
        assert "ring_min" in p
        assert "distance_m" not in p
    assert all("nearest_min" in s for s in report["sites"])
    close = next(
        p for p in report["pairs"] if {p["a"], p["b"]} == {"cancer_center", "proton_center"}
    )
    assert close["network_m"] < 300  # the schematic access lane joins the two centers


def test_bundled_straight_report_has_no_network_fields() -> None:
    out = CliRunner().invoke(main, ["report", "-f", "json"])
    report = json.loads(out.stdout)
    assert report["parameters"]["unit"] == "m"
    assert "mode" not in report["parameters"]
    assert "network_m" not in report["pairs"][0]
    assert "connector_m" not in report["sites"][0]


def test_cli_network_replaces_the_studys_network(tmp_path: Path) -> None:
    far = gpd.GeoDataFrame(
        {"id": ["r"], "highway": ["residential"]},
        geometry=[shapely.LineString([(121.70, 31.20), (121.71, 31.20)])],
        crs="EPSG:4326",
    )
    (tmp_path / "far.geojson").write_text(far.to_json(drop_id=True), encoding="utf-8")
    out = CliRunner().invoke(
        main,
        [
            "report",
            "--measure",
            "network",
            "--network",
            str(tmp_path / "far.geojson"),
            "-f",
            "json",
        ],
    )
    assert out.exit_code == 0, out.output
    report = json.loads(out.stdout)
    assert all(p["reachable"] is False for p in report["pairs"])
    assert sum("farther than snap_max_m" in w for w in report["warnings"]) == 4


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--measure", "time", "--half-m", "3"], "--half-m is in metres"),
        (["--half-min", "3"], "--half-min is in minutes"),
        (["--mode", "drive"], "--mode applies to the network measures only"),
        (
            ["--measure", "time", "--decay", "linear", "--max-min", "-1"],
            "--max-min: -1.0 is not > 0",
        ),
    ],
)
def test_cli_unit_errors_are_one_line(args: list[str], message: str) -> None:
    out = CliRunner().invoke(main, ["report", *args, "-f", "json"])
    assert out.exit_code == 1
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert message in lines[0]


def test_cli_time_flags_score_in_minutes() -> None:
    out = CliRunner().invoke(
        main,
        [
            "report",
            "--measure",
            "time",
            "--rings",
            "3,6",
            "--decay",
            "exponential",
            "--half-min",
            "4",
            "-f",
            "json",
        ],
    )
    assert out.exit_code == 0, out.output
    params = json.loads(out.stdout)["parameters"]
    assert params["rings_min"] == [3.0, 6.0]
    assert params["half_min"] == 4.0


def test_the_caveat_says_the_bundled_roads_are_schematic_too() -> None:
    walk = analyze(measure="time", mode="walk")
    assert walk.data.network is not None
    assert walk.data.network.schematic
    assert "road network is SCHEMATIC" in walk.caveat
    assert "road network" not in analyze().caveat  # straight lines use no roads
