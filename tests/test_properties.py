"""Property-based tests: invariants of the whole analysis on generated studies.

Hypothesis generates site layers (points, convex and L-shaped polygons,
multipolygons, and sites placed inside, touching or overlapping an earlier one)
in four kinds of place:

- ``shanghai``: around the Shanghai International Medical Zone;
- ``anywhere``: any UTM zone between 79.5°S and 83.5°N, the study's centre
  within 2° of longitude of the zone's central meridian and its extent at most
  20 km, so every position lies within 240 km east or west of the central
  meridian, where UTM's scale factor stays within 0.9996..1.0004: *one UTM
  zone*, so the projected distances and areas must agree with the geodesic ones
  within the stated tolerance (0.1 % or 0.5 m) with no warning;
- ``antimeridian``: sites on both sides of 180° (lon 179.8..179.99 E and W);
- ``polar``: beyond 84°N or 80°S, still measured in the UTM zone of the centre.

Each layout is written to a GeoJSON file and run through :func:`siteplan.analyze`
(the loader, the CRS rule, the measures and the scores together). The
properties: distances symmetric and >= 0; edge <= centroid where each footprint
holds its centroid (equal for points); edge 0 exactly when the footprints
intersect; projected and geodesic distances agree (or the disagreement is
warned about); scores in [0, 100] and non-increasing in distance for every
decay; ranks a permutation of 1..N; the JSON report byte-identical across runs
and across the order of the features in the file (and of their properties).
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely
import shapely.geometry
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from siteplan.analysis import Result, analyze
from siteplan.measure.pairs import GEODESIC_TOLERANCE
from siteplan.render import report

ABS_TOLERANCE_M = 0.5
M_PER_DEG_LAT = 110_574.0
M_PER_DEG_LON_EQUATOR = 111_320.0
#: Examples per property; raise it for a deeper search, e.g. SITEPLAN_PROPERTY_EXAMPLES=1000.
EXAMPLES = int(os.environ.get("SITEPLAN_PROPERTY_EXAMPLES", "25"))
PROPERTY_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

Shape = tuple[str, list[Any]]  # (GeoJSON type, coordinates in metres)


# --------------------------------------------------------------------------- shapes in metres


def box_m(x: float, y: float, h: float) -> list[list[float]]:
    """A closed counter-clockwise square of half-size ``h`` around (x, y), in metres."""
    return [[x - h, y - h], [x + h, y - h], [x + h, y + h], [x - h, y + h], [x - h, y - h]]


def ngon_m(x: float, y: float, r: float, n: int, turn: float) -> list[list[float]]:
    ring = [
        [x + r * math.cos(turn + 2 * math.pi * k / n), y + r * math.sin(turn + 2 * math.pi * k / n)]
        for k in range(n)
    ]
    return [*ring, ring[0]]


def ell_m(x: float, y: float, h: float) -> list[list[float]]:
    """A non-convex L shape whose centroid lies near its inner corner."""
    pts = [[0, 0], [2, 0], [2, 0.5], [0.5, 0.5], [0.5, 2], [0, 2], [0, 0]]
    return [[x + h * px, y + h * py] for px, py in pts]


@dataclass(frozen=True)
class Region:
    """Where a layout is placed: its centre, and how far sites may spread."""

    family: str
    lon0: float
    lat0: float
    extent_m: float


@st.composite
def regions(draw: st.DrawFn, family: str) -> Region:
    if family == "shanghai":
        lon = draw(st.floats(121.45, 121.75))
        lat = draw(st.floats(31.0, 31.25))
        return Region(family, lon, lat, 20_000.0)
    if family == "anywhere":
        zone = draw(st.integers(1, 60))
        cm = -183.0 + 6.0 * zone
        lon = cm + draw(st.floats(-2.0, 2.0))
        lat = draw(st.floats(-79.5, 83.5))
        return Region(family, lon, lat, 20_000.0)
    if family == "antimeridian":
        lat = draw(st.floats(-70.0, 70.0))
        return Region(family, 180.0, lat, 20_000.0)
    lat = draw(st.one_of(st.floats(84.5, 88.0), st.floats(-88.0, -80.5)))
    lon = draw(st.floats(-170.0, 170.0))
    return Region(family, lon, lat, 5_000.0)


@st.composite
def shapes(draw: st.DrawFn, region: Region) -> list[Shape]:
    """Draw 2..7 site shapes in metres around the region's centre."""
    half = region.extent_m / 2
    n = draw(st.integers(2, 7))
    out: list[Shape] = []
    boxes: list[tuple[float, float, float]] = []
    for _ in range(n):
        kind = draw(st.sampled_from(["point", "box", "ngon", "ell", "multi", "related"]))
        if kind == "related" and not boxes:
            kind = "box"
        h = draw(st.floats(10.0, 400.0))
        x = draw(st.floats(-half + 1000, half - 1000))
        y = draw(st.floats(-half + 1000, half - 1000))
        if kind == "point":
            out.append(("Point", [x, y]))
        elif kind == "box":
            out.append(("Polygon", [box_m(x, y, h)]))
            boxes.append((x, y, h))
        elif kind == "ngon":
            n_sides = draw(st.integers(3, 12))
            out.append(("Polygon", [ngon_m(x, y, h, n_sides, draw(st.floats(0, 1)))]))
        elif kind == "ell":
            out.append(("Polygon", [ell_m(x, y, h)]))
        elif kind == "multi":
            gap = draw(st.floats(2.5, 10.0)) * h
            out.append(("MultiPolygon", [[box_m(x, y, h)], [box_m(x + gap, y, h)]]))
        else:
            bx, by, bh = draw(st.sampled_from(boxes))
            how = draw(st.sampled_from(["inside", "corner", "touching", "overlapping"]))
            if how == "inside":
                out.append(("Point", [bx, by]))
            elif how == "corner":
                out.append(("Point", [bx + bh, by + bh]))
            elif how == "touching":
                out.append(("Polygon", [box_m(bx + 2 * bh, by, bh)]))
            else:
                out.append(("Polygon", [box_m(bx + bh, by, bh)]))
    return out


def _positions(shape: Shape) -> list[list[float]]:
    kind, coords = shape
    if kind == "Point":
        return [coords]
    if kind == "Polygon":
        return [p for ring in coords for p in ring]
    return [p for poly in coords for ring in poly for p in ring]


def _keep_one_side(shape: Shape, margin: float = 10.0) -> Shape:
    """Move a shape that straddles x = 0 (the antimeridian) wholly to one side."""
    xs = [p[0] for p in _positions(shape)]
    lo, hi = min(xs), max(xs)
    if lo > margin or hi < -margin:
        return shape
    dx = (margin - lo) if hi > -lo else (-margin - hi)
    return _moved(shape, dx)


def _moved(shape: Shape, dx: float) -> Shape:
    kind, coords = shape

    def move(c: Any) -> Any:
        if isinstance(c[0], float | int):
            return [c[0] + dx, c[1]]
        return [move(item) for item in c]

    return kind, move(coords)


def to_lonlat(region: Region, shape: Shape) -> dict[str, Any]:
    """Return a GeoJSON geometry for a shape in metres around the region's centre."""
    m_per_deg_lon = M_PER_DEG_LON_EQUATOR * math.cos(math.radians(region.lat0))
    if region.family == "antimeridian":
        shape = _keep_one_side(shape)

    def convert(c: Any) -> Any:
        if isinstance(c[0], float | int):
            lon = region.lon0 + c[0] / m_per_deg_lon
            lon = lon - 360.0 if lon > 180.0 else lon + 360.0 if lon < -180.0 else lon
            return [lon, region.lat0 + c[1] / M_PER_DEG_LAT]
        return [convert(item) for item in c]

    kind, coords = shape
    return {"type": kind, "coordinates": convert(coords)}


@st.composite
def layouts(draw: st.DrawFn, families: tuple[str, ...]) -> tuple[Region, list[dict[str, Any]]]:
    """Draw a region and the GeoJSON features of its sites (ids s0, s1, ...)."""
    region = draw(regions(draw(st.sampled_from(families))))
    features = []
    for i, shape in enumerate(draw(shapes(region))):
        props: dict[str, Any] = {"id": f"s{i}", "name": f"Site {i}"}
        props["weight"] = draw(st.sampled_from([1, 1, 2, 0.5]))
        if draw(st.booleans()):
            props["accuracy_m"] = draw(st.sampled_from([5, 50, 1000]))
        if draw(st.booleans()):
            props["notes"] = draw(st.sampled_from(["surveyed 2024", "地块", "schematic"]))
        features.append(
            {"type": "Feature", "properties": props, "geometry": to_lonlat(region, shape)}
        )
    return region, features


# --------------------------------------------------------------------------- running a study


@contextmanager
def study_folder(features: list[dict[str, Any]]) -> Iterator[Path]:
    """Yield a folder holding one site layer of ``features``."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "study"
        folder.mkdir()
        doc = {"type": "FeatureCollection", "features": features}
        (folder / "sites.geojson").write_text(json.dumps(doc), encoding="utf-8")
        yield folder


def run(features: list[dict[str, Any]], **options: Any) -> Result:
    with study_folder(features) as folder:
        return analyze(folder, **options)


def warned(result: Result, a: str, b: str) -> bool:
    return any(w.startswith(f"pair {a}-{b}: ") for w in result.warnings)


def within_tolerance(projected: float, geodesic: float) -> bool:
    diff = abs(projected - geodesic)
    return diff <= GEODESIC_TOLERANCE * abs(geodesic) or diff <= ABS_TOLERANCE_M


ALL = ("shanghai", "anywhere", "antimeridian", "polar")


# --------------------------------------------------------------------------- distances


@PROPERTY_SETTINGS
@given(layouts(ALL))
def test_distances_are_symmetric_non_negative_and_consistent(
    layout: tuple[Region, list[dict[str, Any]]],
) -> None:
    _, features = layout
    result = run(features)
    pairs = result.pairs
    n = len(features)
    assert len(pairs) == n * (n - 1) // 2
    assert (pairs["a"] < pairs["b"]).all()
    for column in ("edge_m", "centroid_m", "geodesic_m", "distance_m"):
        values = pairs[column].to_numpy(dtype=float)
        assert np.isfinite(values).all(), column
        assert (values >= 0).all(), column

    # symmetric: each pair seen from both of its sites in the breakdown
    b = result.breakdown
    there = b.set_index(["site_id", "other_id"])["distance_m"]
    for a_id, b_id, d in zip(pairs["a"], pairs["b"], pairs["distance_m"], strict=True):
        assert there[(a_id, b_id)] == there[(b_id, a_id)] == d

    geoms = dict(zip(result.sites_m["id"], result.sites_m.geometry, strict=True))
    for row in pairs.itertuples():
        ga, gb = geoms[row.a], geoms[row.b]
        # edge distance is 0 exactly when the footprints intersect
        assert (row.edge_m == 0.0) == bool(shapely.intersects(ga, gb)), (row.a, row.b)
        # measured both ways, the same
        assert shapely.distance(gb, ga) == row.edge_m
        if ga.geom_type == gb.geom_type == "Point":
            assert row.edge_m == row.centroid_m
        elif ga.covers(ga.centroid) and gb.covers(gb.centroid):
            assert row.edge_m <= row.centroid_m + 1e-9
        # projected vs geodesic: within tolerance, or warned about
        if not within_tolerance(row.edge_m, row.geodesic_m):
            assert warned(result, row.a, row.b), (row.edge_m, row.geodesic_m)


@PROPERTY_SETTINGS
@given(layouts(("shanghai", "anywhere")))
def test_one_utm_zone_agrees_with_the_ellipsoid(
    layout: tuple[Region, list[dict[str, Any]]],
) -> None:
    _, features = layout
    result = run(features)
    epsg = result.crs.to_epsg()
    assert epsg is not None
    zone = epsg % 100
    assert epsg // 100 in (326, 327)
    assert 1 <= zone <= 60
    # the stated bound holds for what was generated: within 240 km of the central meridian
    eastings = shapely.get_coordinates(np.asarray(result.sites_m.geometry.array))[:, 0]
    assert np.abs(eastings - 500_000.0).max() <= 240_000.0
    for row in result.pairs.itertuples():
        assert within_tolerance(row.edge_m, row.geodesic_m), (row.a, row.b)
    area = result.sites["area_m2"].to_numpy()
    geodesic = result.sites["geodesic_area_m2"].to_numpy()
    assert all(within_tolerance(p, g) for p, g in zip(area, geodesic, strict=True))
    assert not [w for w in result.warnings if "on the ellipsoid" in w]


@PROPERTY_SETTINGS
@given(layouts(("antimeridian",)))
def test_a_study_across_the_antimeridian_is_measured_in_a_neighbouring_zone(
    layout: tuple[Region, list[dict[str, Any]]],
) -> None:
    _, features = layout
    lons = [
        p[0]
        for f in features
        for p in shapely.get_coordinates(shapely.geometry.shape(f["geometry"]))
    ]
    assume(min(lons) < 0 < max(lons))  # really on both sides
    result = run(features)
    assert result.crs.to_epsg() in (32601, 32660, 32701, 32760)
    for row in result.pairs.itertuples():
        # across 180° the distance is short (tens of km at most), never half the globe
        assert row.geodesic_m < 60_000 or row.edge_m == 0
        assert abs(row.edge_m - row.geodesic_m) <= 0.002 * row.geodesic_m + ABS_TOLERANCE_M


@PROPERTY_SETTINGS
@given(layouts(("polar",)))
def test_polar_studies_are_measured_in_their_utm_zone(
    layout: tuple[Region, list[dict[str, Any]]],
) -> None:
    region, features = layout
    result = run(features)
    epsg = result.crs.to_epsg()
    assert epsg is not None
    assert epsg // 100 == (326 if region.lat0 > 0 else 327)
    for row in result.pairs.itertuples():
        # a small study near the pole is still measured within the stated tolerance
        assert within_tolerance(row.edge_m, row.geodesic_m)
        assert not warned(result, row.a, row.b)


# --------------------------------------------------------------------------- scores and ranks


@st.composite
def decays(draw: st.DrawFn) -> dict[str, Any]:
    metres = st.floats(1.0, 50_000.0)
    kind = draw(st.sampled_from(["rings", "linear", "exponential", "gaussian", "logistic"]))
    measure = draw(st.sampled_from(["edge", "centroid"]))
    rings = sorted(draw(st.sets(st.integers(1, 50_000), min_size=1, max_size=5)))
    options: dict[str, Any] = {"decay": kind, "measure": measure, "rings_m": rings}
    if kind == "linear":
        options["max_m"] = draw(metres)
    elif kind == "exponential":
        options["half_m"] = draw(metres)
    elif kind == "gaussian":
        options["sigma_m"] = draw(metres)
    elif kind == "logistic":
        options["inflection_m"] = draw(st.floats(0.0, 50_000.0))
        options["steepness_m"] = draw(metres)
    return options


@PROPERTY_SETTINGS
@given(layouts(("shanghai", "anywhere")), decays())
def test_scores_are_bounded_monotone_and_ranks_a_permutation(
    layout: tuple[Region, list[dict[str, Any]]], options: dict[str, Any]
) -> None:
    _, features = layout
    result = run(features, **options)
    pairs = result.pairs.sort_values("distance_m", kind="stable")
    scores = pairs["score"].to_numpy(dtype=float)
    distances = pairs["distance_m"].to_numpy(dtype=float)
    assert np.isfinite(scores).all()
    assert ((scores >= 0) & (scores <= 100)).all()
    # non-increasing in distance (equal distances score equally)
    assert (np.diff(scores) <= 1e-12).all(), (distances, scores)
    same = np.diff(distances) == 0
    assert (np.diff(scores)[same] == 0).all()
    # and beyond the generated distances, on a dense grid up to 100 km
    grid = np.linspace(0.0, 100_000.0, 2001)
    dense = result.parameters.decay(grid)
    assert ((dense >= 0) & (dense <= 100)).all()
    assert (np.diff(dense) <= 1e-12).all()

    sites = result.sites
    site_scores = sites["score"].to_numpy(dtype=float)
    assert ((site_scores >= 0) & (site_scores <= 100 + 1e-9)).all()
    assert 0 <= result.cluster_score <= 100
    n = len(features)
    assert sorted(sites["rank"].tolist()) == list(range(1, n + 1))
    assert sites["rank"].tolist() == list(range(1, n + 1))  # rows in rank order
    # score descending; scores within 1e-9 tie and go by id (DESIGN.md, Scale)
    ids = sites["id"].tolist()
    for k in range(n - 1):
        assert site_scores[k] >= site_scores[k + 1] - 1e-9
        if abs(site_scores[k] - site_scores[k + 1]) <= 1e-9:
            assert ids[k] < ids[k + 1]


# --------------------------------------------------------------------------- the report


def _render_json(result: Result) -> bytes:
    return str(report.render_report(result, "json")).encode("utf-8")


@settings(
    max_examples=max(1, EXAMPLES * 3 // 5),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(layouts(("shanghai", "anywhere")), decays(), st.randoms(use_true_random=False))
def test_json_report_is_byte_identical_across_runs_and_feature_order(
    layout: tuple[Region, list[dict[str, Any]]], options: dict[str, Any], rnd: Any
) -> None:
    _, features = layout
    first = _render_json(run(features, **options))
    again = _render_json(run(features, **options))
    shuffled = []
    for feature in features:  # the order of properties within a feature does not matter
        keys = list(feature["properties"])
        rnd.shuffle(keys)
        shuffled.append({**feature, "properties": {k: feature["properties"][k] for k in keys}})
    rnd.shuffle(shuffled)  # nor does the order of the features in the file
    reordered = _render_json(run(shuffled, **options))
    assert first == again
    assert first == reordered
    doc = json.loads(first)
    assert [s["rank"] for s in doc["sites"]] == list(range(1, len(features) + 1))
    assert [(p["a"], p["b"]) for p in doc["pairs"]] == sorted(
        (p["a"], p["b"]) for p in doc["pairs"]
    )
