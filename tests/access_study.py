"""A small access study with known answers (and a hostile variant), written on demand.

Layout near 121.60 E, 31.10 N (UTM 51N; 0.001 degree of longitude is about 95 m there):

- two point sites, ``west`` (beds 100) at 121.600 and ``mid`` (beds 50) at 121.620, on
  latitude 31.100;
- demand points: ``d_west`` 1,000 people 95 m east of ``west``; ``d_far`` 500 at 121.640,
  31.100 (about 1.9 km from ``mid``); ``d_north`` 2,000 at 121.640, 31.120 (about 2.9 km
  from ``mid``); ``d_zero`` 0 people at 121.610, 31.100;
- a boundary box 121.595..121.650 x 31.095..31.125 for the candidate grid.

With rings 500/1000/2000/5000: within 500 m only ``d_west`` is covered (1,000 of 3,500);
one new facility within 500 m of ``d_north`` covers 2,000 more, the MCLP optimum for
N = 1 at R = 500 m.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SITES = (("west", 121.600, 31.100, 100), ("mid", 121.620, 31.100, 50))
DEMAND = (
    ("d_west", 121.601, 31.100, 1000),
    ("d_far", 121.640, 31.100, 500),
    ("d_north", 121.640, 31.120, 2000),
    ("d_zero", 121.610, 31.100, 0),
)
BOX = (121.595, 31.095, 121.650, 31.125)


def _point(props: dict[str, Any], lon: float, lat: float) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": props,
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
    }


def _write(path: Path, features: list[dict[str, Any]]) -> Path:
    path.write_text(
        json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False),
        encoding="utf-8",
    )
    return path


def write_access_study(
    folder: Path,
    *,
    demand_names: tuple[str, ...] | None = None,
    demand_ids: tuple[str, ...] | None = None,
    capacity: bool = True,
    polygon_demand: bool = False,
) -> Path:
    """Write the study (sites, demand, boundary, study.toml) into ``folder``; return the TOML.

    ``demand_names``/``demand_ids`` replace the demand features' names/ids (hostile tests);
    ``polygon_demand`` adds a polygon demand feature ``d_area`` (300 people, a 200 m square
    around 121.630, 31.110).
    """
    folder.mkdir(parents=True, exist_ok=True)
    _write(
        folder / "sites.geojson",
        [_point({"id": s, "name": s.title(), "beds": beds}, x, y) for s, x, y, beds in SITES],
    )
    features = []
    for k, (fid, x, y, pop) in enumerate(DEMAND):
        name = demand_names[k % len(demand_names)] if demand_names else fid.upper()
        ident = demand_ids[k % len(demand_ids)] + f"_{k}" if demand_ids else fid
        props = {"id": ident, "name": name, "people": pop, "placement": "schematic"}
        props["source"] = name if demand_names else "test fixture"
        features.append(_point(props, x, y))
    if polygon_demand:
        x, y, h = 121.630, 31.110, 0.001
        ring = [[x - h, y - h], [x + h, y - h], [x + h, y + h], [x - h, y + h], [x - h, y - h]]
        features.append(
            {
                "type": "Feature",
                "properties": {"id": "d_area", "name": "Area", "people": 300},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    _write(folder / "demand.geojson", features)
    x0, y0, x1, y1 = BOX
    _write(
        folder / "boundary.geojson",
        [
            {
                "type": "Feature",
                "properties": {"id": "zone", "name": "Zone"},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]],
                },
            }
        ],
    )
    cap = 'capacity_field = "beds"\n' if capacity else ""
    toml = folder / "study.toml"
    toml.write_text(
        'name = "Access fixture"\n\n'
        "[scoring]\nrings_m = [500, 1000, 2000, 5000]\n\n"
        f'[[layers]]\npath = "sites.geojson"\nrole = "site"\n{cap}\n'
        '[[layers]]\npath = "demand.geojson"\nrole = "demand"\npopulation_field = "people"\n\n'
        '[[layers]]\npath = "boundary.geojson"\nrole = "boundary"\n',
        encoding="utf-8",
    )
    return toml
