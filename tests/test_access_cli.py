"""``siteplan access`` and ``candidates --method`` end to end on a fixture with known answers."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyogrio
import pytest
from access_study import write_access_study
from hostile import PAYLOADS, is_markup

import siteplan
from siteplan.access.costs import location_costs
from siteplan.access.study import study_demand_points
from siteplan.candidates.allocate import evaluate_picks
from siteplan.candidates.plan import plan_facilities


@pytest.fixture
def study(tmp_path: Path) -> Path:
    return write_access_study(tmp_path / "study")


def test_access_json_contract(study: Path, run_cli: Any) -> None:
    code, out, err = run_cli("access", study, "-f", "json")
    assert code == 0, err
    doc = json.loads(out)
    assert set(doc) >= {"study", "crs", "parameters", "coverage", "sites", "demand"}
    assert [c["ring"] for c in doc["coverage"]] == [500, 1000, 2000, 5000]
    # d_west (1,000 of 3,500) within 500 m; d_far (1.9 km from mid) within 2 km; all by 5 km
    assert [c["demand"] for c in doc["coverage"]] == [1000, 1000, 1500, 3500]
    assert all(0 <= c["share"] <= 1 for c in doc["coverage"])
    sites = {s["id"]: s for s in doc["sites"]}
    assert sites["west"]["catchment"]["500"] == 1000
    assert sites["west"]["supply"] == 100  # capacity_field = "beds"
    assert sum(s["nearest_demand"] for s in doc["sites"]) == 3500
    demand = {d["id"]: d for d in doc["demand"]}
    assert demand["d_west"]["nearest_id"] == "west"
    assert demand["d_west"]["nearest_m"] == pytest.approx(95.4, abs=0.5)
    assert demand["d_west"]["index"] == pytest.approx(100 / 1000)  # 2SFCA: S/P within 500 m
    assert demand["d_north"]["index"] == 0.0
    assert demand["d_zero"]["demand"] == 0.0
    assert doc["parameters"]["index"] == "2sfca"
    assert doc["parameters"]["threshold_m"] == 500.0


def test_access_formats_and_cost_table(study: Path, run_cli: Any, tmp_path: Path) -> None:
    out = tmp_path / "out"
    for suffix in ("md", "csv", "html", "gpkg"):
        code, _, err = run_cli("access", study, "-o", out / f"a.{suffix}")
        assert code == 0, err
    html = (out / "a.html").read_text(encoding="utf-8")
    assert "data:image/png;base64," in html
    assert "2SFCA" in html
    assert "SCHEMATICALLY" in html
    assert set(pyogrio.list_layers(out / "a.gpkg")[:, 0]) == {
        "demand",
        "demand_features",
        "catchments",
        "sites",
    }
    bands = pyogrio.read_dataframe(out / "a.gpkg", layer="catchments")
    assert {"demand_within", "band_demand"} <= set(bands.columns)
    code, _, err = run_cli("access", study, "-f", "json", "--cost-table", out / "od.csv")
    assert code == 0, err
    table = pd.read_csv(out / "od.csv", dtype={"origin": str, "dest": str})
    assert list(table.columns) == ["origin", "dest", "cost"]
    assert len(table) == 4 * 2


def test_cost_table_round_trip_through_pysal_access(study: Path, tmp_path: Path) -> None:
    access_mod = pytest.importorskip("access")
    res = siteplan.analyze_access(study, index="2sfca")
    assert res.places is not None
    costs = res.places.costs
    from siteplan.access.cost_table import write_cost_table

    path = write_cost_table(tmp_path / "od.csv", costs.values, res.demand_ids, costs.site_ids)
    table = pd.read_csv(path, dtype={"origin": str, "dest": str})
    demand_df = pd.DataFrame({"id": res.demand_ids, "pop": res.demand}).set_index("id")
    supply_df = pd.DataFrame({"id": costs.site_ids, "cap": res.supply}).set_index("id")
    acc = access_mod.Access(
        demand_df=demand_df,
        demand_index=True,
        demand_value="pop",
        supply_df=supply_df,
        supply_index=True,
        supply_value="cap",
        cost_df=table,
        cost_origin="origin",
        cost_dest="dest",
        cost_name="cost",
    )
    theirs = acc.two_stage_fca(name="x", max_cost=500.0, normalize=False).iloc[:, 0]
    ours = pd.Series(res.index.values, index=list(res.demand_ids))
    np.testing.assert_allclose(
        ours.loc[theirs.index].to_numpy(), theirs.fillna(0).to_numpy(), rtol=1e-9
    )


def test_access_refusals(study: Path, run_cli: Any, tmp_path: Path) -> None:
    code, _, err = run_cli("access", "-f", "json")  # the bundled study
    if "demand" not in [s.role for s in siteplan.load_study().layers]:
        assert code == 1
        assert "no demand layer" in err
    code, _, err = run_cli("access", study, "-o", study.parent / "demand.geojson")
    assert code == 1
    assert "one of the inputs" in err
    code, _, err = run_cli("access", study, "--cost-table", study.parent / "demand.geojson")
    assert code == 1
    assert "one of the inputs" in err
    code, _, err = run_cli("access", study, "-f", "gpkg")
    assert code == 1
    assert "-o PATH.gpkg" in err
    same = tmp_path / "x.csv"
    code, _, err = run_cli("access", study, "-o", same, "--cost-table", same)
    assert code == 1
    assert "two different files" in err


def test_polygon_demand_spread_keeps_the_total(tmp_path: Path) -> None:
    toml = write_access_study(tmp_path / "s", polygon_demand=True)
    text = toml.read_text().replace(
        'population_field = "people"', 'population_field = "people"\nspread_cell_m = 50'
    )
    toml.write_text(text)
    res = siteplan.analyze_access(toml)
    assert res.coverage.total == pytest.approx(3800)
    assert any("#" in d for d in res.demand_ids)  # the polygon's pieces
    assert res.places is not None
    assert res.places.features["id"].tolist()[-1] == "d_area"


def _brute_force(method: str, existing: Any, cand: Any, demand: Any, n: int, r: float) -> float:
    best = None
    for combo in itertools.combinations(range(cand.shape[1]), n):
        m = evaluate_picks(existing, cand, demand, list(combo), service=r)
        if method == "mclp":
            value = -m.covered_demand
        elif method == "pmedian":
            value = (m.mean_cost or 0.0) * float(np.sum(demand))
        else:
            value = m.worst_cost or 0.0
        best = value if best is None else min(best, value)
    assert best is not None
    return best


@pytest.mark.parametrize("method", ["mclp", "pmedian", "pcenter"])
def test_candidates_method_is_optimal_by_enumeration(study: Path, method: str) -> None:
    result = siteplan.analyze(study)
    cres = siteplan.score_candidates(result, cell_m=600, top=2, progress=False)
    planned = plan_facilities(cres, method)
    assert planned.plan is not None
    assert planned.plan.allocation.status == "optimal"
    points = study_demand_points(result)
    eligible = np.flatnonzero(cres.eligible)
    assert planned.plan.thinned == len(eligible)  # no thinning on this small grid
    existing = siteplan.analyze_access(result).places.costs.values  # type: ignore[union-attr]
    cand = location_costs(result, points, cres.x[eligible], cres.y[eligible])
    demand = points["population"].to_numpy()
    mine = evaluate_picks(
        existing,
        cand,
        demand,
        [int(np.flatnonzero(eligible == p)[0]) for p in planned.pick_index],
        service=500,
    )
    value = {
        "mclp": -mine.covered_demand,
        "pmedian": (mine.mean_cost or 0.0) * float(demand.sum()),
        "pcenter": mine.worst_cost or 0.0,
    }[method]
    assert value == pytest.approx(_brute_force(method, existing, cand, demand, 2, 500.0))


def test_candidates_mclp_cli_covers_the_north_cluster(study: Path, run_cli: Any) -> None:
    code, out, err = run_cli(
        "candidates", study, "--method", "mclp", "--top", "1", "--cell", "100", "-q", "-f", "json"
    )
    assert code == 0, err
    doc = json.loads(out)
    assert doc["method"] == "mclp"
    assert doc["status"] == "optimal"
    # d_west (1,000) by the existing site, d_north (2,000) by the pick, of 3,500
    assert doc["coverage_share"] == pytest.approx(3000 / 3500)
    assert doc["allocation"]["coverage_gained"] > 0
    assert {"rank", "id", "lon", "lat", "score"} <= set(doc["candidates"][0])
    code, out, err = run_cli(
        "candidates", study, "--method", "mclp", "--top", "1", "--cell", "100", "-q"
    )
    assert code == 0, err
    assert "## mclp against greedy" in out
    assert "Coverage gained" in out


def test_candidates_method_needs_demand(run_cli: Any, tmp_path: Path) -> None:
    toml = write_access_study(tmp_path / "s")
    text = toml.read_text().split('[[layers]]\npath = "demand.geojson"')[0]
    text += '[[layers]]\npath = "boundary.geojson"\nrole = "boundary"\n'
    toml.write_text(text)
    code, _, err = run_cli("candidates", toml, "--method", "pmedian", "-q", "--cell", "500")
    assert code == 1
    assert "no demand layer" in err
    assert "\n" not in err.strip()
    code, _, err = run_cli("candidates", toml, "--method", "greedy", "-q", "--cell", "500")
    assert code == 0, err
    code, _, err = run_cli("candidates", toml, "--service", "300", "-q", "--cell", "500")
    assert code == 1
    assert "--service" in err


def test_hostile_demand_names_stay_escaped(tmp_path: Path, run_cli: Any) -> None:
    texts = tuple(p.text for p in PAYLOADS)
    toml = write_access_study(tmp_path / "h", demand_names=texts, demand_ids=texts[:4])
    out = tmp_path / "out"
    code, _, err = run_cli("access", toml, "-o", out / "a.html")
    assert code == 0, err
    code, _, err = run_cli("access", toml, "-o", out / "a.md")
    assert code == 0, err
    code, _, err = run_cli("map", toml, "-o", out / "map.html")
    assert code == 0, err
    html = (out / "a.html").read_text(encoding="utf-8")
    md = (out / "a.md").read_text(encoding="utf-8")
    page = (out / "map.html").read_text(encoding="utf-8")
    for text in texts[:4]:
        if is_markup(text):
            assert text not in html
            assert text not in md
            assert text not in page
