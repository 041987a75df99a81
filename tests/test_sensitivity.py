"""Sensitivity sweep: Kendall's tau, rank ranges, pick stability, outputs."""

from __future__ import annotations

import csv
import io
import itertools
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely
from test_candidates import X0, Y0, metric_study, rect

import siteplan
from siteplan.analysis import Result, analyze
from siteplan.candidates import score_candidates
from siteplan.errors import OutputError, ParameterError
from siteplan.render.candidates import render_candidates
from siteplan.render.sensitivity import render_sensitivity, write_sensitivity
from siteplan.scenarios.sensitivity import (
    analyze_sensitivity,
    kendall_tau_b,
    scenario_decays,
    site_scores,
)


def tau_b_by_definition(a: list[float], b: list[float]) -> float:
    """Kendall's tau-b written out pair by pair."""
    concordant = discordant = ties_a = ties_b = 0
    for i, j in itertools.combinations(range(len(a)), 2):
        da, db = a[i] - a[j], b[i] - b[j]
        if da == 0:
            ties_a += 1
        if db == 0:
            ties_b += 1
        if da * db > 0:
            concordant += 1
        elif da * db < 0:
            discordant += 1
    n0 = len(a) * (len(a) - 1) / 2
    return (concordant - discordant) / math.sqrt((n0 - ties_a) * (n0 - ties_b))


def test_tau_b_matches_its_definition_with_ties() -> None:
    rng = np.random.default_rng(4)
    for n in (2, 3, 7, 30):
        for _ in range(20):
            a = rng.integers(0, 5, n).astype(float).tolist()
            b = rng.integers(0, 5, n).astype(float).tolist()
            if len(set(a)) < 2 or len(set(b)) < 2:
                continue
            assert kendall_tau_b(a, b) == pytest.approx(tau_b_by_definition(a, b))


def test_tau_b_edge_cases() -> None:
    assert kendall_tau_b([1.0], [3.0]) == 1.0
    assert kendall_tau_b([], []) == 1.0
    assert kendall_tau_b([2, 2, 2], [5, 5, 5]) == 1.0
    assert math.isnan(kendall_tau_b([2, 2, 2], [1, 2, 3]))
    assert kendall_tau_b([1, 2, 3], [3, 2, 1]) == -1.0
    with pytest.raises(ParameterError, match="same length"):
        kendall_tau_b([1, 2], [1, 2, 3])


@pytest.mark.slow
def test_tau_b_in_blocks_equals_one_pass() -> None:
    rng = np.random.default_rng(9)
    a, b = rng.normal(size=2500), rng.normal(size=2500)
    # 2500 rows are processed in blocks of 1600; compare with a direct computation
    sx = np.sign(a[:, None] - a[None, :])
    sy = np.sign(b[:, None] - b[None, :])
    n0 = 2500 * 2499 / 2
    assert kendall_tau_b(a, b) == pytest.approx(float(np.triu(sx * sy, 1).sum()) / n0)


def test_scenario_parameters_follow_the_rings() -> None:
    out = scenario_decays([500, 1000, 2000, 5000], [1.5])
    assert [d.kind for _, d in out] == ["rings", "linear", "exponential", "gaussian", "logistic"]
    params = {d.kind: d.params for _, d in out}
    assert params["rings"] == {"rings_m": [750.0, 1500.0, 3000.0, 7500.0]}
    assert params["linear"] == {"max_m": 7500.0}
    assert params["exponential"] == {"half_m": 2250.0}  # median of 750, 1500, 3000, 7500
    assert params["gaussian"] == {"sigma_m": 2250.0}
    assert params["logistic"] == {"inflection_m": 2250.0, "steepness_m": 562.5}
    assert len(scenario_decays([100, 200])) == 25
    with pytest.raises(ParameterError, match="scale"):
        scenario_decays([100], [0.0])
    with pytest.raises(ParameterError, match="decay 'cubic'"):
        scenario_decays([100], [1.0], ["cubic"])


def test_site_scores_reproduce_the_analysis(bundled_result: Result) -> None:
    result = bundled_result
    ids = sorted(result.sites["id"])
    sres = analyze_sensitivity(result, candidates=False)
    base = result.sites.set_index("id").loc[ids]
    by_id = sres.sites.set_index("id").loc[ids]
    np.testing.assert_allclose(by_id["base_score"], base["score"], atol=1e-9)
    assert by_id["base_rank"].tolist() == base["rank"].tolist()


def test_two_sites_cannot_change_rank(tmp_path: Path) -> None:
    sites = {"a": rect(0, 0, 100, 100), "b": rect(700, 0, 800, 100)}
    result = analyze(metric_study(tmp_path, sites, boundary=rect(-200, -200, 1000, 300)))
    sres = analyze_sensitivity(result, top=3, cell_m=50)
    assert len(sres.scenarios) == 25
    assert (sres.scenarios["tau"] == 1.0).all()
    ranges = sres.sites.set_index("id")
    assert ranges.loc["a", ["min_rank", "max_rank"]].tolist() == [1, 1]
    assert ranges.loc["b", ["min_rank", "max_rank"]].tolist() == [2, 2]


def test_symmetric_sites_tie_in_every_scenario(tmp_path: Path) -> None:
    """Three sites on an equilateral triangle: every score ties, ranks follow ids."""
    h = 1000 * math.sqrt(3) / 2
    sites = {
        "s1": shapely.Point(X0, Y0),
        "s2": shapely.Point(X0 + 1000, Y0),
        "s3": shapely.Point(X0 + 500, Y0 + h),
    }
    sres = analyze_sensitivity(analyze(metric_study(tmp_path, sites)))
    assert (sres.scenarios["tau"] == 1.0).all()
    assert sres.sites["base_rank"].tolist() == [1, 2, 3]
    assert (sres.sites["min_rank"] == sres.sites["max_rank"]).all()
    assert sres.pick_stability is None
    assert any("no boundary layer" in n for n in sres.notes)


def test_site_scores_weights_and_ties() -> None:
    d = np.array([[np.nan, 100.0, 300.0], [100.0, np.nan, 200.0], [300.0, 200.0, np.nan]])
    decay = scenario_decays([1000.0], [1.0], ["linear"])[0][1]  # 100 * (1 - d / 1000)
    scores, ranks = site_scores(d, np.array([1.0, 1.0, 2.0]), decay)
    # site 0: (1 * 90 + 2 * 70) / 3; site 1: (1 * 90 + 2 * 80) / 3; site 2: (70 + 80) / 2
    np.testing.assert_allclose(scores, [230 / 3, 250 / 3, 75.0])
    assert ranks.tolist() == [2, 1, 3]
    scores, ranks = site_scores(d, np.zeros(3), decay)
    assert scores.tolist() == [0.0, 0.0, 0.0]
    assert ranks.tolist() == [1, 2, 3]


def test_bundled_sweep_ranges_and_pick_stability(bundled_result: Result) -> None:
    result = bundled_result
    cres = score_candidates(result, cell_m=100, top=5)
    sres = analyze_sensitivity(result, candidates=cres)
    scen = sres.scenarios
    assert scen["tau"].between(-1, 1).all()
    ranges = sres.sites
    assert (ranges["min_rank"] <= ranges["base_rank"]).all()
    assert (ranges["base_rank"] <= ranges["max_rank"]).all()
    assert (ranges["min_score"] <= ranges["base_score"]).all()
    # the scenario equal to the base keeps every pick
    base = scen[(scen["decay"] == "rings") & (scen["scale"] == 1.0)]
    assert base["picks_kept"].tolist() == [1.0]
    assert sres.pick_stability is not None
    assert len(sres.pick_stability) == 5
    assert ((sres.pick_stability >= 0.04) & (sres.pick_stability <= 1)).all()  # >= 1/25
    kept = scen["picks_kept"].to_numpy()
    assert np.mean(kept) == pytest.approx(float(np.mean(sres.pick_stability)))
    for sid in ranges["id"]:
        assert f"rank_{sid}" in scen.columns


def test_matrix_and_rescoring_paths_agree(
    monkeypatch: pytest.MonkeyPatch, bundled_result: Result
) -> None:
    result = bundled_result
    cres = score_candidates(result, cell_m=200, top=4)
    fast = analyze_sensitivity(result, candidates=cres)
    monkeypatch.setattr("siteplan.scenarios.sensitivity._MATRIX_LIMIT", 0)
    slow = analyze_sensitivity(result, candidates=cres)
    assert fast.scenarios["picks_kept"].tolist() == slow.scenarios["picks_kept"].tolist()


def test_outputs(bundled_result: Result) -> None:
    result = bundled_result
    cres = score_candidates(result, cell_m=200, top=3)
    sres = analyze_sensitivity(result, candidates=cres)
    doc = json.loads(render_sensitivity(sres, "json"))
    assert doc["summary"]["scenarios"] == 25
    assert doc["summary"]["tau_min"] == sres.tau_min
    assert doc["scenarios"][0]["scenario"] == "rings x0.5"
    assert doc["scenarios"][0]["parameters"] == {"rings_m": [250.0, 500.0, 1000.0, 2500.0]}
    assert set(doc["scenarios"][0]["ranks"]) == set(result.sites["id"])
    assert len(doc["pick_stability"]) == 3
    assert "steepness_m = median ring / 4" in doc["parameters"]["rule"]
    rows = list(csv.DictReader(io.StringIO(render_sensitivity(sres, "csv"))))
    assert len(rows) == 25
    assert float(rows[3]["tau"]) == sres.scenarios["tau"].iloc[3]
    text = render_sensitivity(sres, "markdown")
    assert "| logistic x1.5 | inflection_m 2250, steepness_m 562.5 |" in text
    assert "rank range" in text
    with pytest.raises(ParameterError, match="format"):
        render_sensitivity(sres, "html")
    # candidates output with the sweep: per-pick stability
    cdoc = json.loads(render_candidates(cres, "json", sensitivity=sres))
    assert [c["stability"] for c in cdoc["candidates"]] == sres.pick_stability.tolist()
    assert cdoc["sensitivity"]["summary"]["scenarios"] == 25
    assert "stability" in render_candidates(cres, "csv", sensitivity=sres).splitlines()[0]
    assert "## Sensitivity" in render_candidates(cres, "markdown", sensitivity=sres)


@pytest.mark.slow
def test_cli_sensitivity(run_cli: Any, tmp_path: Path) -> None:
    code, out, err = run_cli("sensitivity", "-f", "json", "--cell", "200", "--top", "3")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["summary"]["picks_kept_mean"] is not None
    code, out, err = run_cli("sensitivity", "--no-candidates", "-o", tmp_path / "s.csv")
    assert code == 0, err
    text = (tmp_path / "s.csv").read_text(encoding="utf-8")
    assert text.startswith("scenario,scale,decay,parameters,tau,top_site,picks_kept")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["picks_kept"] for r in rows} == {""}  # no picks tested
    code, out, err = run_cli("candidates", "--sensitivity", "--cell", "200", "-f", "json")
    assert code == 0, err
    doc = json.loads(out)
    assert all(0 <= c["stability"] <= 1 for c in doc["candidates"])
    assert "sensitivity" in doc


def test_write_sensitivity(tmp_path: Path, bundled_result: Result) -> None:
    sres = analyze_sensitivity(bundled_result, candidates=False, kinds=["linear"])
    out = write_sensitivity(sres, tmp_path / "deep" / "sens.json")
    assert out == tmp_path / "deep" / "sens.json"
    assert json.loads(out.read_text(encoding="utf-8")) == json.loads(
        render_sensitivity(sres, "json")
    )
    md = write_sensitivity(sres, tmp_path / "sens.txt")  # unknown suffix: markdown
    assert md.read_text(encoding="utf-8") == render_sensitivity(sres, "markdown")
    csv_out = write_sensitivity(sres, tmp_path / "sens.out", "csv")
    assert csv_out.read_text(encoding="utf-8") == render_sensitivity(sres, "csv")
    with pytest.raises(ParameterError, match="format"):
        write_sensitivity(sres, tmp_path / "sens.md", "html")
    with pytest.raises(OutputError):
        write_sensitivity(sres, bundled_result.inputs[1])
    assert siteplan.write_sensitivity is write_sensitivity
