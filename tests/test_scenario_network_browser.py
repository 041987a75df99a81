"""Edit mode of network measures in a real browser (issue 17): the page routes on its roads.

Headless Chromium through Playwright, offline. A map of a study measured along its
road network embeds the graph; after every moveSite / addSite / removeSite the page's
``result()`` must equal :func:`siteplan.analyze` on the equivalent edited study:
network_m within 0.01 m, time within 1e-6 min, scores within 1e-6, ranks identical.
Moved sites join the network from their moved footprint, so the equivalent study
drops a moved site's entrances (DESIGN: the page documents this). A network of
50,000 segments or more leaves editing off, with a note that says why. With
``SITEPLAN_BENCH_RECORD=1`` the recompute times are written to
``benchmarks/results/scenario_page_network.json``. After a move or an add, the page
redraws that site's rings along the roads (``static/reach.js``): its reached length
per ring equals siteplan's isochrone pieces on the edited study.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import tomllib
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pytest
import shapely
from browser import open_page
from scenario_cases import MOVES, NEW_POINT, edited_sites, equivalent_study

import siteplan
from siteplan.load.study import bundled_study_path
from siteplan.maps.make import write_map
from siteplan.maps.network_data import MAX_PAGE_EDGES
from siteplan.measure.network.isochrones import _reached_pieces, node_costs_to

pytestmark = pytest.mark.browser

RESULTS = Path(__file__).resolve().parents[1] / "benchmarks" / "results"
CRS = "EPSG:32651"
NET_FIELDS = ("network_m_ab", "network_m_ba", "network_m")
TIME_FIELDS = ("time_min_ab", "time_min_ba", "time_min")


@pytest.fixture(autouse=True)
def _cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SITEPLAN_CACHE_DIR", str(tmp_path / "cache"))


def numbers(result: siteplan.Result) -> dict[str, Any]:
    """Return a network result's numbers as the page's result() gives them."""
    sites = result.sites.sort_values("rank")

    def value(v: Any) -> float | None:
        return None if v is None or not np.isfinite(float(v)) else float(v)

    return {
        "sites": [
            {"id": str(r["id"]), "score": float(r["score"]), "rank": int(r["rank"])}
            for _, r in sites.iterrows()
        ],
        "pairs": [
            {
                "a": str(r["a"]),
                "b": str(r["b"]),
                "edge_m": float(r["edge_m"]),
                "score": float(r["score"]),
                "reachable": bool(r["reachable"]),
                **{k: value(r[k]) for k in NET_FIELDS + TIME_FIELDS},
            }
            for _, r in result.pairs.iterrows()
        ],
        "cluster_score": float(result.cluster_score),
    }


def assert_same(got: dict[str, Any], want: dict[str, Any], where: str) -> None:
    """The page's numbers are Python's: metres 0.01 m, minutes and scores 1e-6, same ranks."""
    assert [(s["id"], s["rank"]) for s in got["sites"]] == [
        (s["id"], s["rank"]) for s in want["sites"]
    ], where
    for g, w in zip(got["sites"], want["sites"], strict=True):
        assert abs(g["score"] - w["score"]) < 1e-6, (where, g, w)
    assert [(p["a"], p["b"]) for p in got["pairs"]] == [(p["a"], p["b"]) for p in want["pairs"]]
    for g, w in zip(got["pairs"], want["pairs"], strict=True):
        assert g["reachable"] is w["reachable"], (where, g, w)
        assert abs(g["edge_m"] - w["edge_m"]) < 0.01, (where, g, w)
        assert abs(g["score"] - w["score"]) < 1e-6, (where, g, w)
        for keys, tol in ((NET_FIELDS, 0.01), (TIME_FIELDS, 1e-6)):
            for k in keys:
                if w[k] is None:
                    assert g[k] is None, (where, k, g, w)
                else:
                    assert abs(g[k] - w[k]) < tol, (where, k, g, w)
    assert abs(got["cluster_score"] - want["cluster_score"]) < 1e-6, where


def _open(browser: Any, path: Path) -> Any:
    opened = open_page(browser, path)
    opened.page.wait_for_function("() => window.siteplan && window.siteplan.scenario")
    return opened


def _run(page: Any, op: list[Any]) -> Any:
    if op[0] == "move":
        return page.evaluate("([i, x, y]) => siteplan.scenario.moveSite(i, x, y)", op[1:])
    if op[0] == "add":
        return page.evaluate("(s) => siteplan.scenario.addSite(s)", op[1])
    if op[0] == "remove":
        return page.evaluate("(i) => siteplan.scenario.removeSite(i)", op[1])
    return page.evaluate("([i, w]) => siteplan.scenario.setWeight(i, w)", op[1:])


# -- the bundled study, walking times ---------------------------------------------------


def test_the_bundled_time_study_routes_in_the_page(browser: Any, tmp_path: Path) -> None:
    result = siteplan.analyze(measure="time")
    path = write_map(result, tmp_path / "map.html", offline=True)
    assert path.stat().st_size < 1_500_000
    opened = _open(browser, path)
    page = opened.page
    assert_same(page.evaluate("() => siteplan.scenario.result()"), numbers(result), "original")
    ops: list[list[Any]] = [["move", k, dx, dy] for k, (dx, dy) in MOVES.items()]
    ops += [["add", NEW_POINT], ["remove", "childrens_center"], ["weight", "cgt_park", 2.0]]
    times = []
    for k in range(len(ops)):
        got = _run(page, ops[k])
        times.append(page.evaluate("() => siteplan.scenario.timing().recompute_ms"))
        study = equivalent_study(result, ops[: k + 1], tmp_path / str(k))
        # the bundled base's [scoring] is in metres: ask for time as the CLI's --measure does
        text = study.read_text(encoding="utf-8").replace('measure = "time"', 'measure = "edge"')
        study.write_text(text, encoding="utf-8")
        want = numbers(siteplan.analyze(study, measure="time"))
        assert_same(got, want, str(ops[k]))
    assert any(not p["reachable"] or p["time_min"] > 0 for p in got["pairs"])
    assert max(times) < 50, times  # the recompute includes the moved site's road rings
    # the download (scenario.geojson and a study TOML with [scoring] and [network]) scores
    # the same in Python, and siteplan compare reads it
    files = page.evaluate("() => siteplan.scenario.files()")
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    toml = tomllib.loads(files["scenario.toml"])
    assert toml["scoring"]["measure"] == "time"
    assert toml["network"]["mode"] == "walk"
    assert_same(got, numbers(siteplan.analyze(tmp_path / "scenario.toml")), "downloaded")
    completed = subprocess.run(
        [
            *(sys.executable, "-m", "siteplan", "compare", str(bundled_study_path())),
            *(str(tmp_path / "scenario.toml"), "--measure", "time", "-f", "json"),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(Path(siteplan.__file__).parents[1])},
    )
    assert completed.returncode == 0, completed.stderr
    assert "new_1" in completed.stdout
    assert not opened.page_errors
    assert not opened.external_requests()
    opened.close()
    if os.environ.get("SITEPLAN_BENCH_RECORD") == "1":
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / "scenario_page_network.json").write_text(
            json.dumps(
                {
                    "about": "Recompute after an edit of the bundled study, --measure time "
                    "(walk), routed in the page on its road network (Chromium, headless): "
                    "pairs, scores, ranks and the selected (moved or added) site's rings "
                    "along the roads (reach.js); drawing not included.",
                    "segments": result.network.network.n_segments if result.network else 0,
                    "recompute_ms": times,
                    "median_ms": float(np.median(times)),
                    "loadavg": Path("/proc/loadavg").read_text(encoding="utf-8").split()[:3],
                    "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                },
                indent=1,
            )
            + "\n",
            encoding="utf-8",
        )


# -- the rings along the roads, redrawn after an edit ---------------------------------


def python_reached(result: siteplan.Result, site_id: str) -> list[float]:
    """Return a site's reached length per ring (metres), from siteplan's isochrone pieces."""
    assert result.network is not None
    # the places are in id order; the site's is where its footprint meets the roads
    net, k = result.network.network, sorted(result.sites_m["id"].astype(str)).index(site_id)
    site = result.network.places.take([k])
    footprint = result.sites_m.geometry[result.sites_m["id"].astype(str) == site_id].iloc[0]
    nearest = float(shapely.distance(footprint, net.segments).min())
    assert abs(float(site.connector_m[0]) - nearest) < 1e-6 or not site.reachable[0]
    if not site.reachable[0]:  # as isochrone_bands: nothing is reached
        return [0.0] * len(result.parameters.rings_m)
    cost: Any = "time" if result.parameters.measure == "time" else "length"
    connector = float(site.connector_m[0]) / (net.walk_m_per_min if cost == "time" else 1.0)
    dist = node_costs_to(net, site, cost=cost)
    out = []
    for ring in result.parameters.rings_m:
        budget = ring - connector
        pieces = _reached_pieces(net, site, dist, budget, net.seg_cost(cost)) if budget >= 0 else []
        out.append(float(shapely.length(np.asarray(pieces, dtype=object)).sum()))
    return out


def _edited(result: siteplan.Result, ops: list[list[Any]], folder: Path) -> siteplan.Result:
    study = equivalent_study(result, ops, folder)
    text = study.read_text(encoding="utf-8").replace('measure = "time"', 'measure = "edge"')
    study.write_text(text, encoding="utf-8")
    return siteplan.analyze(study, measure="time")


def test_the_rings_follow_a_moved_or_added_site_along_the_roads(
    browser: Any, tmp_path: Path
) -> None:
    result = siteplan.analyze(measure="time")
    opened = _open(browser, write_map(result, tmp_path / "map.html", offline=True))
    page = opened.page
    drawn = "(c) => document.querySelectorAll('path.' + c).length"
    python_rings = page.evaluate(drawn, "siteplan-ring")
    assert python_rings > 0
    assert page.evaluate("() => siteplan.scenario.roadRings()") is None
    assert page.evaluate(drawn, "siteplan-scenario-road-ring") == 0
    assert result.network is not None
    # a new point 40 m beside a junction of the roads (NEW_POINT cannot join them)
    x, y = result.network.network.node_xy[len(result.network.network.node_xy) // 2]
    at = gpd.GeoSeries([shapely.Point(x + 40, y)], crs=result.crs).to_crs("EPSG:4326").iloc[0]
    near = {"id": "new_1", "name": "Kiosk <b>", "lon": at.x, "lat": at.y, "weight": 2.0}
    ops: list[list[Any]] = [["move", "cgt_park", *MOVES["cgt_park"]], ["add", near]]
    times = []
    for k, op in enumerate(ops):
        _run(page, op)
        times.append(page.evaluate("() => siteplan.scenario.timing().recompute_ms"))
        site = op[1] if op[0] == "move" else op[1]["id"]
        got = page.evaluate("() => siteplan.scenario.roadRings()")
        assert got["site"] == site
        want = python_reached(_edited(result, ops[: k + 1], tmp_path / f"e{k}"), site)
        assert len(got["bands"]) == len(want) == len(result.parameters.rings_m)
        for band, metres, ring in zip(got["bands"], want, result.parameters.rings_m, strict=True):
            assert band["to"] == ring
            assert abs(band["reached_m"] - metres) < 1e-6, (op, band, metres)
        assert want[-1] > 0
        assert page.evaluate(drawn, "siteplan-ring") == 0  # Python's bands are hidden
        lines = page.evaluate(drawn, "siteplan-scenario-road-ring")
        assert lines == sum(b["lines"] > 0 for b in got["bands"]) > 0
    # the tooltips say what Python's say (the band's range, along the roads, the site)
    tips = page.evaluate(
        """() => { const out = []; const walk = (l) => { if (l.eachLayer) { l.eachLayer(walk); }
             else if (l.getTooltip && l.options.className &&
               l.options.className.includes('siteplan-scenario-road-ring')) {
               out.push(l.getTooltip().getContent().textContent); } };
           Object.values(window).forEach((v) => { if (v && v._layers && v.eachLayer) {
             v.eachLayer(walk); } }); return out; }"""
    )
    assert "0 min to 5 min along the roads (reached network) to Kiosk <b>" in tips, tips
    # the moved site's layer changed: it reaches other streets than where it stood
    before = python_reached(result, "cgt_park")
    page.evaluate("() => siteplan.scenario.moveSite('cgt_park', 0, 0)")
    moved = [b["reached_m"] for b in page.evaluate("() => siteplan.scenario.roadRings()")["bands"]]
    assert any(abs(a - b) > 1 for a, b in zip(moved, before, strict=True)), (moved, before)
    # a removed site's bands disappear; reset() brings Python's bands back
    _run(page, ["remove", "cgt_park"])
    assert page.evaluate("() => siteplan.scenario.roadRings()") is None
    assert page.evaluate(drawn, "siteplan-scenario-road-ring") == 0
    page.evaluate("() => siteplan.scenario.reset()")
    assert page.evaluate(drawn, "siteplan-scenario-road-ring") == 0
    assert page.evaluate(drawn, "siteplan-ring") == python_rings
    assert max(times) < 50, times
    assert not opened.page_errors
    opened.close()


# -- a small hand network: a river, a one-way bridge, entrances, a far site -------------


def _write(path: Path, rows: list[dict[str, Any]], geoms: list[shapely.Geometry]) -> None:
    frame = gpd.GeoDataFrame(rows, geometry=geoms, crs=CRS).to_crs("EPSG:4326")
    path.write_text(frame.to_json(drop_id=True), encoding="utf-8")


def _square(x: float, y: float, half: float = 20.0) -> shapely.Polygon:
    return shapely.box(x - half, y - half, x + half, y + half)


HAND_SITES = {
    "north_lab": _square(150, 160),
    "south_lab": _square(300, -170),
    "east_clinic": _square(950, 140),
    "far_depot": _square(500, 900),  # 800 m from every road: unreachable
}
HAND_ENTRANCES = [("gate_s", "south_lab", (600, -120)), ("gate_s2", "south_lab", (290, -150))]


def hand_study(folder: Path, sites: gpd.GeoDataFrame | None = None, drop: tuple = ()) -> Path:
    """Write the hand study (drive; the first bridge is one-way north to south)."""
    folder.mkdir(parents=True, exist_ok=True)
    roads = [
        ("north", [(0, 100), (400, 100), (800, 100), (1000, 100)], "no"),
        ("south", [(0, -100), (800, -100), (1000, -100)], "no"),
        ("bridge1", [(800, 100), (800, -100)], "yes"),
        ("bridge2", [(1000, 100), (1000, -100)], "no"),
        ("spur", [(400, 100), (400, 300)], "no"),
    ]
    _write(
        folder / "roads.geojson",
        [{"id": r, "highway": "residential", "oneway": o} for r, _, o in roads],
        [shapely.LineString(c) for _, c, _ in roads],
    )
    if sites is None:
        _write(
            folder / "sites.geojson",
            [{"id": k, "name": k.replace("_", " ")} for k in HAND_SITES],
            list(HAND_SITES.values()),
        )
    else:
        (folder / "sites.geojson").write_text(sites.to_json(drop_id=True), encoding="utf-8")
    gates = [g for g in HAND_ENTRANCES if g[1] not in drop]
    layer = ""
    if gates:
        _write(
            folder / "gates.geojson",
            [{"id": g, "site_id": s} for g, s, _ in gates],
            [shapely.Point(xy) for _, _, xy in gates],
        )
        layer = '[[layers]]\npath = "gates.geojson"\nrole = "entrance"\n'
    study = folder / "study.toml"
    study.write_text(
        f'name = "hand"\ncrs = "{CRS}"\n[scoring]\nmeasure = "network"\n'
        "rings_m = [300, 800, 1500, 3000]\n"
        '[[layers]]\npath = "sites.geojson"\nrole = "site"\n'
        '[[layers]]\npath = "roads.geojson"\nrole = "network"\n'
        f'{layer}[network]\nmode = "drive"\n',
        encoding="utf-8",
    )
    return study


def test_a_hand_network_routes_in_the_page(browser: Any, tmp_path: Path) -> None:
    result = siteplan.analyze(hand_study(tmp_path / "hand"))
    assert any(not r for r in result.pairs["reachable"])  # the far depot
    ab = result.pairs[(result.pairs["a"] == "north_lab") & (result.pairs["b"] == "south_lab")]
    assert float(ab["network_m_ab"].iloc[0]) != float(ab["network_m_ba"].iloc[0])  # one way
    path = write_map(result, tmp_path / "map.html", offline=True)
    opened = _open(browser, path)
    page = opened.page
    assert_same(page.evaluate("() => siteplan.scenario.result()"), numbers(result), "original")
    new_point = {"id": "kiosk", "name": "Kiosk", "lon": 0.0, "lat": 0.0, "weight": 1.5}
    lonlat = gpd.GeoSeries([shapely.Point(700, 60)], crs=CRS).to_crs("EPSG:4326").iloc[0]
    new_point |= {"lon": lonlat.x, "lat": lonlat.y}
    ops: list[list[Any]] = [
        ["move", "south_lab", 120.0, -30.0],  # its gates no longer count
        ["move", "far_depot", 0.0, -695.0],  # now 80 m from the spur: reachable
        ["move", "north_lab", 250.0, -45.0],  # onto the north road: footprint crosses it
        ["add", new_point],
        ["remove", "east_clinic"],
    ]
    moved: set[str] = set()
    for k, op in enumerate(ops):
        got = _run(page, op)
        if op[0] == "move":
            moved.add(op[1])
        sites = edited_sites(result, ops[: k + 1])
        edited = siteplan.analyze(hand_study(tmp_path / f"e{k}", sites, tuple(moved)))
        assert_same(got, numbers(edited), str(op))
        if op[0] in ("move", "add"):  # its rings along the roads (drive: one-way bridge)
            site = op[1] if op[0] == "move" else op[1]["id"]
            rings = page.evaluate("() => siteplan.scenario.roadRings()")
            assert rings["site"] == site
            reached = [b["reached_m"] for b in rings["bands"]]
            want = python_reached(edited, site)
            assert np.allclose(reached, want, rtol=0, atol=1e-6), (op, reached, want)
            assert max(want) > 0
    assert not opened.page_errors
    opened.close()


# -- a large network: editing off, with its note ----------------------------------------


def test_a_large_network_leaves_editing_off_with_a_note(browser: Any, tmp_path: Path) -> None:
    side = 160  # 2 * 160 * 159 = 50,880 segments
    folder = tmp_path / "grid"
    folder.mkdir()
    xs = np.arange(side) * 25.0
    # one line per row and column, with a vertex at every crossing (shared: they join)
    coords = [[(x, y) for x in xs] for y in xs] + [[(x, y) for y in xs] for x in xs]
    _write(
        folder / "roads.geojson",
        [{"id": f"r{k}", "highway": "residential", "oneway": "no"} for k in range(len(coords))],
        [shapely.LineString(c) for c in coords],
    )
    _write(
        folder / "sites.geojson",
        [{"id": "a", "name": "A"}, {"id": "b", "name": "B"}],
        [_square(1000, 1010), _square(3000, 2010)],
    )
    study = folder / "study.toml"
    study.write_text(
        # short rings: the reached areas (buffered streets) of a dense grid are slow to draw
        f'name = "grid"\ncrs = "{CRS}"\n[scoring]\nmeasure = "time"\nrings_min = [1, 2]\n'
        '[[layers]]\npath = "sites.geojson"\nrole = "site"\n'
        '[[layers]]\npath = "roads.geojson"\nrole = "network"\n',
        encoding="utf-8",
    )
    result = siteplan.analyze(study)
    assert result.network is not None
    assert result.network.network.n_segments >= MAX_PAGE_EDGES
    path = write_map(result, tmp_path / "map.html", offline=True)
    opened = open_page(browser, path)
    page = opened.page
    assert page.evaluate("() => window.siteplan.scenario === undefined")
    assert page.locator(".siteplan-scenario-download").count() == 0
    note = page.inner_text(".siteplan-note")
    assert "Editing is off" in note
    assert f"{result.network.network.n_segments:,} segments" in note
    assert not opened.page_errors
    opened.close()
