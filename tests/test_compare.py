"""Scenario comparison: a park moved 1 km east, sites added and removed."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Transformer
from shapely.geometry import mapping, shape

import siteplan
from siteplan.analysis import Result, analyze
from siteplan.errors import OutputError, ParameterError
from siteplan.load.study import bundled_study_path
from siteplan.render.compare import render_comparison, write_comparison
from siteplan.scenarios.compare import compare_studies

UTM = "EPSG:32651"
TO_UTM = Transformer.from_crs("EPSG:4326", UTM, always_xy=True)
TO_WGS84 = Transformer.from_crs(UTM, "EPSG:4326", always_xy=True)


def copy_bundled(folder: Path) -> Path:
    shutil.copytree(bundled_study_path().parent, folder)
    return folder / "study.toml"


def shift_layer(path: Path, dx: float, dy: float = 0.0) -> None:
    """Move every feature of a GeoJSON layer by (dx, dy) metres in UTM 51N."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    for feature in doc["features"]:
        geom = shape(feature["geometry"])
        metric = shapely.transform(geom, lambda c: np.column_stack(TO_UTM.transform(*c.T)))
        moved = shapely.affinity.translate(metric, dx, dy)
        back = shapely.transform(moved, lambda c: np.column_stack(TO_WGS84.transform(*c.T)))
        feature["geometry"] = mapping(back)
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


@pytest.fixture(scope="module")
def moved_park(tmp_path_factory: pytest.TempPathFactory) -> tuple[Result, Result]:
    root = tmp_path_factory.mktemp("compare")
    a = copy_bundled(root / "a")
    b = copy_bundled(root / "b")
    shift_layer(b.parent / "cgt_park.geojson", 1000.0)
    return analyze(a), analyze(b)


def test_moved_park_sites(moved_park: tuple[Result, Result]) -> None:
    a, b = moved_park
    cmp = compare_studies(a, b, candidates=False)
    sites = cmp.sites.set_index("id")
    assert (sites["status"] == "both").all()
    assert sites.loc["cgt_park", "moved_m"] == pytest.approx(1000.0, abs=1e-3)
    others = sites.drop(index="cgt_park")
    assert others["moved_m"].max() == pytest.approx(0.0, abs=1e-6)
    score_a = a.sites.set_index("id")["score"]
    score_b = b.sites.set_index("id")["score"]
    for sid in sites.index:
        assert sites.loc[sid, "score_delta"] == pytest.approx(score_b[sid] - score_a[sid])
        rank_change = a.sites.set_index("id")["rank"][sid] - b.sites.set_index("id")["rank"][sid]
        assert sites.loc[sid, "rank_change"] == rank_change
    assert cmp.cluster["delta"] == pytest.approx(b.cluster_score - a.cluster_score)
    assert cmp.notes == ()


def test_moved_park_pairs_match_a_direct_computation(moved_park: tuple[Result, Result]) -> None:
    a, b = moved_park
    cmp = compare_studies(a, b, candidates=False)
    footprints = a.sites_m.set_index("id").geometry
    park = shapely.affinity.translate(footprints["cgt_park"], 1000.0, 0.0)
    for row in cmp.pairs.itertuples(index=False):
        assert row.status == "both"
        before = footprints[row.a].distance(footprints[row.b])
        geoms = {sid: (park if sid == "cgt_park" else footprints[sid]) for sid in (row.a, row.b)}
        after = geoms[row.a].distance(geoms[row.b])
        assert row.distance_a == pytest.approx(before, abs=1e-6)
        assert row.distance_delta == pytest.approx(after - before, abs=1e-3)
        if "cgt_park" not in (row.a, row.b):
            assert row.distance_delta == pytest.approx(0.0, abs=1e-6)
            assert row.score_delta == 0.0
        assert row.score_b == pytest.approx(float(a.parameters.decay(after)))


def test_moved_park_picks(moved_park: tuple[Result, Result]) -> None:
    a, b = moved_park
    cmp = compare_studies(a, b, top=8, cell_m=100)
    assert cmp.picks is not None
    assert cmp.candidates_a is not None
    assert cmp.candidates_b is not None
    status = cmp.picks["status"].value_counts().to_dict()
    assert set(status) <= {"same", "moved", "added", "removed"}
    kept = status.get("same", 0) + status.get("moved", 0)
    assert kept + status.get("removed", 0) == len(cmp.candidates_a.picks) == 8
    assert kept + status.get("added", 0) == len(cmp.candidates_b.picks) == 8
    moved = cmp.picks[cmp.picks["status"] == "moved"]
    assert (moved["distance_m"] > 0).all()
    assert (moved["distance_m"] <= 200.0).all()
    same = cmp.picks[cmp.picks["status"] == "same"]
    assert (same["id_a"] == same["id_b"]).all()
    # every rank of A and of B appears exactly once
    assert sorted(cmp.picks["rank_a"].dropna().astype(int)) == list(range(1, 9))
    assert sorted(cmp.picks["rank_b"].dropna().astype(int)) == list(range(1, 9))


def test_identical_studies_have_no_changes(bundled_result: Result) -> None:
    cmp = compare_studies(bundled_result, analyze(), top=5, cell_m=100)
    assert (cmp.sites["score_delta"] == 0).all()
    assert (cmp.pairs["distance_delta"] == 0).all()
    assert cmp.cluster["delta"] == 0.0
    assert cmp.picks is not None
    assert (cmp.picks["status"] == "same").all()


def test_added_and_removed_sites(tmp_path: Path) -> None:
    a_path = copy_bundled(tmp_path / "a")
    b_path = copy_bundled(tmp_path / "b")
    lab = json.loads((b_path.parent / "cgt_park.geojson").read_text(encoding="utf-8"))
    lab["features"][0]["properties"].update(id="new_lab", name="New lab")
    (b_path.parent / "new_lab.geojson").write_text(json.dumps(lab), encoding="utf-8")
    shift_layer(b_path.parent / "new_lab.geojson", 0.0, -1500.0)
    toml = b_path.read_text(encoding="utf-8").replace(
        'path = "childrens_center.geojson"', 'path = "new_lab.geojson"'
    )
    b_path.write_text(toml, encoding="utf-8")
    cmp = compare_studies(analyze(a_path), analyze(b_path), candidates=False)
    status = dict(zip(cmp.sites["id"], cmp.sites["status"], strict=True))
    assert status["new_lab"] == "added"
    assert status["childrens_center"] == "removed"
    assert status["cgt_park"] == "both"
    removed = cmp.sites.set_index("id").loc["childrens_center"]
    assert np.isnan(removed["score_b"])
    assert removed["rank_b"] is pd.NA
    pairs = cmp.pairs
    added_pairs = pairs[pairs["status"] == "added"]
    assert len(added_pairs) == 3
    assert ((added_pairs["a"] == "new_lab") | (added_pairs["b"] == "new_lab")).all()
    assert (pairs["status"] == "removed").sum() == 3
    doc = json.loads(render_comparison(cmp, "json"))
    added = [s for s in doc["sites"] if s["status"] == "added"]
    assert added[0]["score_a"] is None
    assert added[0]["rank_a"] is None


def test_studies_without_boundary_skip_picks(tmp_path: Path, bundled_result: Result) -> None:
    b_path = copy_bundled(tmp_path / "b")
    toml = b_path.read_text(encoding="utf-8").replace('role = "boundary"', 'role = "context"')
    b_path.write_text(toml, encoding="utf-8")
    cmp = compare_studies(bundled_result, analyze(b_path))
    assert cmp.picks is None
    assert any("B has no boundary layer" in n for n in cmp.notes)
    assert "Not compared." in render_comparison(cmp, "markdown")


def test_different_parameters_are_noted(bundled_result: Result) -> None:
    b = analyze(decay="linear", max_m=3000)
    cmp = compare_studies(bundled_result, b, candidates=False)
    assert any("different parameters (decay, max_m)" in n for n in cmp.notes)


def test_formats(moved_park: tuple[Result, Result], tmp_path: Path) -> None:
    cmp = compare_studies(*moved_park, top=4, cell_m=200)
    doc = json.loads(render_comparison(cmp, "json"))
    assert list(doc) == [
        "a",
        "b",
        "cluster",
        "sites",
        "pairs",
        "picks",
        "parameters",
        "notes",
        "caveat",
        "warnings",
    ]
    park = next(s for s in doc["sites"] if s["id"] == "cgt_park")
    assert park["moved_m"] == pytest.approx(1000.0, abs=1e-3)
    rows = list(csv.DictReader(io.StringIO(render_comparison(cmp, "csv"))))
    assert rows[0]["section"] == "cluster"
    moved = [r for r in rows if r["section"] == "site" and r["measure"] == "moved_m"]
    assert float(next(r for r in moved if r["key"] == "cgt_park")["delta"]) == pytest.approx(
        1000.0, abs=1e-3
    )
    assert {r["section"] for r in rows} == {"cluster", "site", "pair", "pick"}
    text = render_comparison(cmp, "markdown")
    assert "| cgt_park | both |" in text
    assert "1,000 m |" in text
    with pytest.raises(ParameterError, match="format 'html'"):
        render_comparison(cmp, "html")
    out = write_comparison(cmp, tmp_path / "cmp.md")
    assert out.read_text(encoding="utf-8") == text
    # the format follows the suffix, as for write_report
    as_json = write_comparison(cmp, tmp_path / "cmp.json")
    assert json.loads(as_json.read_text(encoding="utf-8")) == doc
    assert write_comparison(cmp, tmp_path / "c.txt", "csv").read_text(encoding="utf-8") == (
        render_comparison(cmp, "csv")
    )
    assert siteplan.write_comparison is write_comparison
    with pytest.raises(OutputError, match="one of the inputs"):
        write_comparison(cmp, moved_park[1].inputs[1])


@pytest.mark.slow
def test_cli_compare(run_cli: Any, moved_park: tuple[Result, Result], tmp_path: Path) -> None:
    a, b = moved_park
    code, out, err = run_cli(
        "compare", a.study.path, b.study.path, "-f", "json", "--top", "3", "--cell", "200"
    )
    assert code == 0, err
    doc = json.loads(out)
    assert len([p for p in doc["picks"] if p["rank_a"] is not None]) == 3
    code, out, err = run_cli(
        "compare", a.study.path, b.study.path, "--no-candidates", "-o", tmp_path / "c.csv"
    )
    assert code == 0, err
    assert (tmp_path / "c.csv").read_text(encoding="utf-8").startswith("section,key,status")
    code, out, err = run_cli("compare", a.study.path, tmp_path / "missing.toml")
    assert code == 1
    assert "no such study file" in err
