"""Scenarios of the bundled study, edited as the map page edits them, and their Python twins.

A scenario is a list of operations of the page's API (``window.siteplan.scenario``):
``["move", id, dx_m, dy_m]``, ``["add", {id, name, lon, lat, weight}]`` (or with
``polygon``: a ring of [lon, lat]), ``["remove", id]``, ``["weight", id, w]``.
:func:`equivalent_study` writes the study a planner would get by making the same
edits by hand (translations in the study's metric CRS), so :func:`expected` can score
it with :func:`siteplan.analyze`: the numbers the page must reproduce.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import shapely

import siteplan

#: Offsets (metres east, north) for each bundled site, chosen away from ring radii.
MOVES: dict[str, tuple[float, float]] = {
    "cgt_park": (300.0, -500.0),
    "proton_center": (-250.0, 120.0),
    "cancer_center": (80.0, 410.0),
    "childrens_center": (-700.0, -90.0),
}
NEW_POINT: dict[str, Any] = {
    "id": "new_1",
    "name": "New lab building",
    "lon": 121.6185,
    "lat": 31.1152,
    "weight": 2.0,
}
# A drawn polygon inside the CGT park's footprint: 0 m from it.
INSIDE_POLYGON: dict[str, Any] = {
    "id": "new_2",
    "name": "Inside the park",
    "weight": 1.0,
    "polygon": [[121.6110, 31.1040], [121.6120, 31.1040], [121.6120, 31.1060], [121.6110, 31.1060]],
}

SCENARIOS: dict[str, list[list[Any]]] = {
    "original": [],
    "each_site_moved": [["move", k, dx, dy] for k, (dx, dy) in MOVES.items()],
    "added_and_removed": [["add", NEW_POINT], ["remove", "childrens_center"]],
    "reweighted": [["weight", "cgt_park", 3.0], ["weight", "proton_center", 0.0]],
    "overlapping": [["move", "proton_center", 0.0, 60.0], ["add", INSIDE_POLYGON]],
    "far_apart": [["move", "childrens_center", 9000.0, 9000.0]],
}


def edited_sites(result: siteplan.Result, ops: list[list[Any]]) -> gpd.GeoDataFrame:
    """Return the sites after ``ops``, in WGS84, with ``id``, ``name``, ``weight``."""
    metric = result.sites_m[["id", "name", "weight", "geometry"]].copy()
    metric["id"] = metric["id"].astype(str)
    metric = metric.set_index("id", drop=False)
    to_metric = gpd.GeoSeries([], crs="EPSG:4326")
    for op in ops:
        kind = op[0]
        if kind == "move":
            metric.loc[op[1], "geometry"] = shapely.transform(
                metric.loc[op[1], "geometry"], lambda xy, d=(op[2], op[3]): xy + d
            )
        elif kind == "add":
            spec = op[1]
            geom = (
                shapely.Polygon(spec["polygon"])
                if "polygon" in spec
                else shapely.Point(spec["lon"], spec["lat"])
            )
            to_metric = gpd.GeoSeries([geom], crs="EPSG:4326").to_crs(result.crs)
            metric.loc[spec["id"]] = [spec["id"], spec["name"], spec["weight"], to_metric.iloc[0]]
        elif kind == "remove":
            metric = metric.drop(index=op[1])
        elif kind == "weight":
            metric.loc[op[1], "weight"] = op[2]
    frame = gpd.GeoDataFrame(metric.reset_index(drop=True), geometry="geometry", crs=result.crs)
    return frame.to_crs("EPSG:4326")


def equivalent_study(result: siteplan.Result, ops: list[list[Any]], folder: Path) -> Path:
    """Write the edited study (sites.geojson, and study.toml on the bundled base if it is that)."""
    folder.mkdir(parents=True, exist_ok=True)
    sites = edited_sites(result, ops)
    (folder / "sites.geojson").write_text(sites.to_json(drop_id=True), encoding="utf-8")
    measure = result.parameters.measure
    base = 'base = "bundled:simz"\n' if result.study.is_bundled else ""  # else: sites only
    (folder / "study.toml").write_text(
        f'name = "equivalent"\n{base}crs = "{result.crs_name}"\n'
        f'[scoring]\nmeasure = "{measure}"\n[[layers]]\npath = "sites.geojson"\n',
        encoding="utf-8",
    )
    return folder / "study.toml"


def numbers(result: siteplan.Result) -> dict[str, Any]:
    """Return a result's numbers as the page's result() gives them."""
    sites = result.sites.sort_values("rank")
    return {
        "sites": [
            {"id": str(r["id"]), "score": float(r["score"]), "rank": int(r["rank"])}
            for _, r in sites.iterrows()
        ],
        "pairs": [
            {
                "a": str(r["a"]),
                "b": str(r["b"]),
                "edge_m": float(r["distance_m"]),
                "score": float(r["score"]),
            }
            for _, r in result.pairs.iterrows()
        ],
        "cluster_score": float(result.cluster_score),
    }


def expected(result: siteplan.Result, ops: list[list[Any]], folder: Path) -> dict[str, Any]:
    """Return what ``siteplan.analyze`` gives for the edited study."""
    return numbers(siteplan.analyze(equivalent_study(result, ops, folder)))


def assert_same(got: dict[str, Any], want: dict[str, Any], where: str = "") -> None:
    """Assert a page result equals Python's: distances within 0.01 m, scores within 1e-6."""
    assert [s["id"] for s in got["sites"]] == [s["id"] for s in want["sites"]], where
    for g, w in zip(got["sites"], want["sites"], strict=True):
        assert g["rank"] == w["rank"], (where, g, w)
        assert abs(g["score"] - w["score"]) < 1e-6, (where, g, w)
    assert [(p["a"], p["b"]) for p in got["pairs"]] == [(p["a"], p["b"]) for p in want["pairs"]]
    for g, w in zip(got["pairs"], want["pairs"], strict=True):
        assert abs(g["edge_m"] - w["edge_m"]) < 0.01, (where, g, w)
        assert abs(g["score"] - w["score"]) < 1e-6, (where, g, w)
    assert abs(got["cluster_score"] - want["cluster_score"]) < 1e-6, where


def to_json(value: Any) -> str:
    return json.dumps(value, indent=1, sort_keys=True) + "\n"
