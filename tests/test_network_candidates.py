"""Candidates, score_locations and the dask engine along the road network.

The hand-built river study of ``test_network_analyze`` (metres in EPSG:32651):
a north road (y = 100) and a south road (y = -100) joined by bridge1 (x = 800,
one-way north to south when driving) and bridge2 (x = 1000, two-way). Residential
roads drive at 500 m/min; connectors are walked at 80 m/min.
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

from siteplan import analyze
from siteplan.candidates import score_candidates
from siteplan.candidates._dask import dask_client, score_surface_dask
from siteplan.candidates._network import demand_costs, network_sites, score_network_surface
from siteplan.candidates.locations import score_locations
from siteplan.cli.main import main
from siteplan.errors import ParameterError
from siteplan.measure.network.places import point_costs
from siteplan.score.points import weighted_mean
from tests.test_network_analyze import CRS, A, B, make_study


@pytest.fixture(autouse=True)
def _cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SITEPLAN_CACHE_DIR", str(tmp_path / "cache"))


def _parcels(points: dict[str, tuple[float, float]]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"id": list(points)}, geometry=[shapely.Point(p) for p in points.values()], crs=CRS
    )


P_NORTH, P_SOUTH, P_FAR = (300.0, 130.0), (300.0, -130.0), (500.0, 1000.0)


def test_hand_worked_drive_times_one_way_bridge_and_a_place_too_far(tmp_path: Path) -> None:
    study = make_study(
        tmp_path, {"a": A, "b": B}, bridge_oneway="yes", second_bridge=True, mode="drive"
    )
    result = analyze(study, measure="time", decay="linear", max_min=5.0)
    cres = score_candidates(
        result,
        parcels=_parcels({"n": P_NORTH, "s": P_SOUTH, "far": P_FAR}),
        top=3,
        min_separation_m=0,
    )
    table = cres.candidates.set_index("id")
    walk = 60 / 80  # two 30 m connectors
    want = {
        # north -> a along the north road; north -> b over the one-way bridge1
        "n": {"a": 200 / 500 + walk, "b": (500 + 200 + 700) / 500 + walk},
        # south -> a must go round by bridge2 (bridge1 is one-way southbound)
        "s": {"a": (700 + 200 + 900) / 500 + walk, "b": 200 / 500 + walk},
    }
    for cid, times in want.items():
        i = cres.ids().index(cid)
        assert cres.breakdown is not None
        for j, sid in enumerate(cres.site_ids):
            assert cres.breakdown[i, j] == pytest.approx(100 * (1 - times[sid] / 5.0))
        assert table.loc[cid, "score"] == pytest.approx(
            np.mean([100 * (1 - t / 5.0) for t in times.values()])
        )
        nearest = min(times, key=times.__getitem__)
        assert table.loc[cid, "nearest_id"] == nearest
        assert table.loc[cid, "nearest_m"] == pytest.approx(times[nearest])
        assert table.loc[cid, "connector_m"] == pytest.approx(30.0)
    # Farther than snap_max_m from every road: scores 0, no distances, still eligible.
    far = cres.ids().index("far")
    assert cres.score[far] == 0.0
    assert cres.nearest[far] == -1
    assert np.isnan(table.loc["far", "nearest_m"])
    assert np.isnan(table.loc["far", "connector_m"])
    assert bool(cres.eligible[far])
    record = next(r for r in json.loads(_render(cres, "json"))["candidates"] if r["id"] == "far")
    assert record["nearest_id"] is None
    assert record["nearest_min"] is None
    assert record["distances_min"] == {"a": None, "b": None}
    assert record["connector_m"] is None
    # Walking ignores the one-way tag: both bridges serve both ways.
    walked = score_candidates(
        analyze(study, measure="time", mode="walk"),
        parcels=_parcels({"s": P_SOUTH}),
        top=1,
    )
    assert walked.pick_distances[0, 0] == pytest.approx((30 + 500 + 200 + 700 + 30) / 80)


def _render(cres: Any, fmt: str) -> str:
    from siteplan.render.candidates import render_candidates

    return render_candidates(cres, fmt)


@pytest.fixture(scope="module")
def bundled() -> Any:
    return score_candidates(analyze(measure="time", mode="walk"), cell_m=100, top=5)


def test_score_locations_equals_the_candidates(bundled: Any) -> None:
    lon, lat = bundled.lonlat
    got = score_locations(bundled.result, lon, lat)
    assert np.array_equal(got["score"].to_numpy(), bundled.score)
    reached = bundled.nearest >= 0
    assert reached.any()
    assert (
        got["nearest_id"].to_numpy()[reached]
        == np.asarray(bundled.site_ids)[bundled.nearest[reached]]
    ).all()
    # lon/lat -> metric moves a point by ~1e-9 m: the times agree to that, the ring scores exactly
    np.testing.assert_allclose(
        got["nearest_min"].to_numpy()[reached], bundled.nearest_m[reached], rtol=1e-9
    )
    assert bundled.breakdown is not None
    for j, sid in enumerate(bundled.site_ids):
        assert np.array_equal(got[f"score_{sid}"].to_numpy(), bundled.breakdown[:, j])
    # The result's own score_locations agrees, and picks carry the same numbers.
    p = bundled.pick_index
    mine = bundled.score_locations(lon[p], lat[p])
    assert np.array_equal(mine["score"].to_numpy(), bundled.score[p])
    for j, sid in enumerate(bundled.site_ids):
        picked = bundled.pick_distances[:, j]
        np.testing.assert_allclose(mine[f"distance_min_{sid}"].to_numpy(), picked, rtol=1e-9)
    # At the candidates' own metric centres, the one point scorer gives the engine's scores
    # bit for bit (another chunking, the whole (N, M) matrix at once).
    result = bundled.result
    sites = network_sites(result, limit=result.parameters.decay.cutoff_m)
    d, _ = point_costs(sites, bundled.x, bundled.y, chunk=333)
    scores = weighted_mean(result.parameters.decay(d), bundled.site_weights)
    assert np.array_equal(scores, bundled.score)


def test_dask_equals_memory(bundled: Any) -> None:
    result = bundled.result
    sites = network_sites(result, limit=result.parameters.decay.cutoff_m)
    weights = bundled.site_weights
    decay = result.parameters.decay
    memory = score_network_surface(bundled.x, bundled.y, sites, weights, decay, chunk_size=700)
    with dask_client(None, workers=2, processes=False) as client:
        spread = score_surface_dask(
            bundled.x, bundled.y, sites, weights, decay, client=client, partition_size=900
        )
    for name in ("score", "nearest", "nearest_m", "breakdown", "connector_m"):
        assert np.array_equal(getattr(memory, name), getattr(spread, name), equal_nan=True), name
    assert np.array_equal(memory.score, bundled.score)
    assert (memory.score > 0).any()


def test_approximations_refuse_network_measures(bundled: Any) -> None:
    from siteplan.candidates.engines import EngineOptions

    with pytest.raises(ParameterError, match="approx 'raster' measures straight lines") as info:
        score_candidates(bundled.result, cell_m=100, engine=EngineOptions(approx="raster"))
    assert info.value.argument == "approx"


def test_demand_to_candidate_costs_by_hand(tmp_path: Path) -> None:
    result = analyze(make_study(tmp_path, {"a": A, "b": B}), measure="network")
    sites = network_sites(result)
    demand = gpd.GeoDataFrame(geometry=[shapely.Point(B), shapely.Point(P_FAR)], crs=CRS)
    got = demand_costs(sites, demand, np.array([A[0], 300.0]), np.array([A[1], -130.0]))
    # B -> A over the bridge: 30 + 700 + 200 + 700 + 30; B -> (300, -130): 30 + 200 + 30.
    assert got[0].tolist() == pytest.approx([1660.0, 260.0])
    assert np.isinf(got[1]).all()


def test_cli_time_walk_on_the_bundled_study(tmp_path: Path) -> None:
    runner = CliRunner()
    base = ["candidates", "--measure", "time", "--mode", "walk", "--cell", "100", "--top", "3"]
    out = runner.invoke(main, [*base, "-f", "json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert data["parameters"]["unit"] == "min"
    assert data["parameters"]["mode"] == "walk"
    assert data["parameters"]["rings_min"] == [5.0, 10.0, 15.0, 30.0]
    picks = data["candidates"]
    assert all(p["score"] > 0 for p in picks)
    assert all("nearest_min" in p and "distances_min" in p and "connector_m" in p for p in picks)
    assert not any("nearest_m" in p or "distances_m" in p for p in picks)
    csv_out = runner.invoke(main, [*base, "-f", "csv"])
    assert csv_out.exit_code == 0, csv_out.output
    assert "nearest_min" in csv_out.stdout.splitlines()[0]
    assert "distance_min_cgt_park" in csv_out.stdout.splitlines()[0]
    md = runner.invoke(main, [*base, "-f", "markdown"])
    assert md.exit_code == 0, md.output
    assert "rings 5, 10, 15, 30 min" in md.stdout
    assert " min)" in md.stdout
    gj = tmp_path / "c.geojson"
    gp = tmp_path / "c.gpkg"
    html = tmp_path / "c.html"
    for path in (gj, gp):
        done = runner.invoke(main, [*base, "-o", str(path), "--map", str(html), "--force"])
        assert done.exit_code == 0, done.output
    feature = json.loads(gj.read_text(encoding="utf-8"))["features"][0]["properties"]
    assert "nearest_min" in feature
    assert "connector_m" in feature
    import pyogrio

    picks_layer = pyogrio.read_dataframe(gp, layer="picks")
    assert "distance_min_cgt_park" in picks_layer.columns
    page = html.read_text(encoding="utf-8")
    assert "min along the roads" in page
