"""Inputs of the scale benchmarks (issue 14): large studies written as GeoJSON + TOML.

Every builder writes a study folder and returns the study file. Coordinates are
seeded, so the same call writes the same bytes.

- :func:`points_study`: ``n`` point sites uniform over the SIMZ boundary's bounds
  (3.3 km x 3.6 km: every pair is within the last 5,000 m ring);
- :func:`polygons_study`: ``n`` 20-vertex footprints (radius 20-60 m) over the same bounds;
- :func:`multipart_study`: the bundled four sites plus one MultiPolygon site of 5,000 parts;
- :func:`star_study`: the bundled four sites plus one 5,000-vertex star-shaped polygon;
- :func:`context_study`: the bundled study plus a 20,000-point context layer;
- :func:`spread_points_study`: ``n`` point sites at a constant density (a square
  around SIMZ that grows with ``n``), so the pairs within reach grow like ``n``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SIMZ = ROOT / "geodata" / "simz"
#: The SIMZ boundary's bounds (WGS84): lon min, lat min, lon max, lat max.
BOUNDS = (121.6024, 31.0798, 121.6375, 31.1117)
M_PER_DEG_LAT = 110_900.0
M_PER_DEG_LON = 111_320.0 * math.cos(math.radians(31.1))
SEED = 14

__all__ = [
    "context_study",
    "multipart_study",
    "points_study",
    "polygons_study",
    "spread_points_study",
    "star_study",
]


def _write(path: Path, features: list[dict[str, Any]]) -> None:
    doc = {"type": "FeatureCollection", "features": features}
    path.write_text(json.dumps(doc, separators=(",", ":")), encoding="utf-8")


def _feature(i: int, geometry: dict[str, Any], prefix: str = "s") -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {"id": f"{prefix}{i:05d}", "name": f"Site {i}", "placement": "surveyed"},
        "geometry": geometry,
    }


def _centres(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    lon = rng.uniform(BOUNDS[0], BOUNDS[2], n)
    lat = rng.uniform(BOUNDS[1], BOUNDS[3], n)
    return np.column_stack([lon, lat])


def _study(folder: Path, layers: list[tuple[str, str]], bundled: bool = False) -> Path:
    lines = ['name = "scale benchmark"', 'crs = "auto"', ""]
    if bundled:
        for name in ("cgt_park", "proton_center", "cancer_center", "childrens_center"):
            lines += ["[[layers]]", f'path = "{SIMZ / (name + ".geojson")}"', 'role = "site"', ""]
        lines += ["[[layers]]", f'path = "{SIMZ / "simz_boundary.geojson"}"', 'role = "boundary"']
        lines += [""]
    for path, role in layers:
        lines += ["[[layers]]", f'path = "{path}"', f'role = "{role}"', ""]
    study = folder / "study.toml"
    study.write_text("\n".join(lines), encoding="utf-8")
    return study


def points_study(folder: Path, n: int) -> Path:
    """Write ``n`` point sites spread over SIMZ; return the study file."""
    folder.mkdir(parents=True, exist_ok=True)
    xy = _centres(n, SEED)
    feats = [
        _feature(i, {"type": "Point", "coordinates": [round(x, 7), round(y, 7)]})
        for i, (x, y) in enumerate(xy.tolist())
    ]
    _write(folder / "sites.geojson", feats)
    return _study(folder, [("sites.geojson", "site")])


def _ring(lon: float, lat: float, radii: np.ndarray) -> list[list[float]]:
    angles = 2 * math.pi * np.arange(len(radii)) / len(radii)
    xs = lon + radii * np.cos(angles) / M_PER_DEG_LON
    ys = lat + radii * np.sin(angles) / M_PER_DEG_LAT
    ring = [[round(float(x), 8), round(float(y), 8)] for x, y in zip(xs, ys, strict=True)]
    return [*ring, ring[0]]


def polygons_study(folder: Path, n: int, vertices: int = 20) -> Path:
    """Write ``n`` polygon footprints of ``vertices`` vertices over SIMZ; return the study."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED + 1)
    xy = _centres(n, SEED + 2)
    feats = []
    for i, (x, y) in enumerate(xy.tolist()):
        radii = rng.uniform(20.0, 60.0) * rng.uniform(0.8, 1.0, vertices)
        feats.append(_feature(i, {"type": "Polygon", "coordinates": [_ring(x, y, radii)]}))
    _write(folder / "sites.geojson", feats)
    return _study(folder, [("sites.geojson", "site")])


def multipart_study(folder: Path, parts: int = 5000) -> Path:
    """Write the bundled sites plus one MultiPolygon site of ``parts`` small squares."""
    folder.mkdir(parents=True, exist_ok=True)
    side = math.ceil(math.sqrt(parts))
    lon0, lat0 = 121.6060, 31.0830  # the south-west of SIMZ
    step_lon, step_lat = 25.0 / M_PER_DEG_LON, 25.0 / M_PER_DEG_LAT
    half_lon, half_lat = 8.0 / M_PER_DEG_LON, 8.0 / M_PER_DEG_LAT
    polys = []
    for k in range(parts):
        cx, cy = lon0 + (k % side) * step_lon, lat0 + (k // side) * step_lat
        ring = [
            [cx - half_lon, cy - half_lat],
            [cx + half_lon, cy - half_lat],
            [cx + half_lon, cy + half_lat],
            [cx - half_lon, cy + half_lat],
            [cx - half_lon, cy - half_lat],
        ]
        polys.append([[[round(a, 8), round(b, 8)] for a, b in ring]])
    feat = _feature(0, {"type": "MultiPolygon", "coordinates": polys}, prefix="campus")
    _write(folder / "campus.geojson", [feat])
    return _study(folder, [("campus.geojson", "site")], bundled=True)


def star_study(folder: Path, vertices: int = 5000) -> Path:
    """Write the bundled sites plus one star-shaped polygon of ``vertices`` vertices."""
    folder.mkdir(parents=True, exist_ok=True)
    radii = np.where(np.arange(vertices) % 2 == 0, 400.0, 150.0)
    feat = _feature(
        0, {"type": "Polygon", "coordinates": [_ring(121.630, 31.088, radii)]}, prefix="star"
    )
    _write(folder / "star.geojson", [feat])
    return _study(folder, [("star.geojson", "site")], bundled=True)


def context_study(folder: Path, n: int = 20_000) -> Path:
    """Write the bundled study plus a context layer of ``n`` named points."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED + 3)
    lon = rng.uniform(BOUNDS[0] - 0.1, BOUNDS[2] + 0.1, n)
    lat = rng.uniform(BOUNDS[1] - 0.1, BOUNDS[3] + 0.1, n)
    feats = [
        {
            "type": "Feature",
            "properties": {"id": f"poi{i:05d}", "name": f"Shop {i}"},
            "geometry": {"type": "Point", "coordinates": [round(x, 7), round(y, 7)]},
        }
        for i, (x, y) in enumerate(zip(lon.tolist(), lat.tolist(), strict=True))
    ]
    _write(folder / "poi.geojson", feats)
    return _study(folder, [("poi.geojson", "context")], bundled=True)


def spread_points_study(folder: Path, n: int, per_km2: float) -> Path:
    """Write ``n`` point sites uniform over a square of ``n / per_km2`` km² centred on SIMZ."""
    folder.mkdir(parents=True, exist_ok=True)
    side_m = math.sqrt(n / per_km2) * 1000.0
    lon0 = (BOUNDS[0] + BOUNDS[2]) / 2
    lat0 = (BOUNDS[1] + BOUNDS[3]) / 2
    rng = np.random.default_rng(SEED + 4)
    x = rng.uniform(-side_m / 2, side_m / 2, n) / M_PER_DEG_LON + lon0
    y = rng.uniform(-side_m / 2, side_m / 2, n) / M_PER_DEG_LAT + lat0
    feats = [
        _feature(i, {"type": "Point", "coordinates": [round(a, 7), round(b, 7)]})
        for i, (a, b) in enumerate(zip(x.tolist(), y.tolist(), strict=True))
    ]
    _write(folder / "sites.geojson", feats)
    return _study(folder, [("sites.geojson", "site")])
