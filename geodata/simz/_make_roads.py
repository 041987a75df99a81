"""Generate the bundled SIMZ road network (schematic) and the Wuzaogang river.

Run from the repository root with the project venv:

    .venv/bin/python geodata/simz/_make_roads.py

It (re)writes, next to this script:

    roads.geojson   the schematic road network (LineStrings, role "network")
    water.geojson   the Wuzaogang river (a LineString, role "context"; NOT a road)

The output is deterministic (same bytes on every run). Facts: GEODATA_FACTS.md,
"Roads and rivers for a schematic network" (summarised in geodata/README.md).

IMPORTANT: no public WGS84 road geometry is available offline, so every road is
SCHEMATIC (placement "schematic", accuracy_m 500), consistent with the schematic
sites: straight lines along the alignments that follow from the facts.

* Boundary roads on the SIMZ quadrilateral: S3 expressway NW (121.6024, 31.1117) to
  SW (121.6061, 31.0798); Zhoudeng Hwy along lat 31.1117; Dongta Hwy along lat
  31.0798; Shenjiang Rd along lon 121.6375.
* S3 joins the other roads only at its two interchanges (the NW and SW corners);
  it is class motorway, so walking and cycling never use it.
* Kangxin Hwy along lon 121.6125 (the modelled meridian the sites are placed
  from), north to the Kangxin Gonglu metro station (121.6131, 31.1326).
* Local roads sit ROAD_OFFSET_M (about 20 m) outside the site footprints they
  border: Ziping Rd north of the Gene Island, Tianniu Rd west of the children's
  center, Hongqu Rd north of it and Foshou Rd south of it.
* The Wuzaogang river runs east-west along lat 31.1028, just south of the Gene
  Island. Roads cross it only on bridges: a road line has no vertex where it
  crosses the river, so nothing joins there. The river is in water.geojson, not
  in the road layer, so it is never part of the network.
* Junctions are shared vertices (the same rounded coordinates in both lines).

Output conventions as _make_simz.py: RFC 7946, coordinates rounded to 7 decimals,
2-space indented UTF-8 JSON with Chinese characters kept literal.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
DECIMALS = 7

# Alignments (degrees).
NORTH_LAT = 31.1117  # Zhoudeng Hwy
SOUTH_LAT = 31.0798  # Dongta Hwy
EAST_LON = 121.6375  # Shenjiang Rd
NW = (121.6024, 31.1117)  # S3 x Zhoudeng Hwy (East Zhoupu station)
SW = (121.6061, 31.0798)  # S3 x Dongta Hwy (Heshahangcheng station)
KANGXIN_LON = 121.6125
KANGXIN_METRO = (121.6131, 31.1326)  # Kangxin Gonglu station, line 11
RIVER_LAT = 31.1028  # Wuzaogang, ~40 m south of the Gene Island's south edge
# Local roads, about 20 m outside the footprints they border (see _make_simz.py).
ZIPING_LAT = 31.1070  # Gene Island north edge 31.1068039
ZIPING_WEST_LON = 121.6040  # west end unknown: stops ~100 m short of S3 (no interchange)
TIANNIU_LON = 121.6227  # children's center west edge 121.6229519
HONGQU_LAT = 31.0971  # children's center north edge 31.0969019
# Schematic access lane to the cancer and proton centers, in the 40 m gap between their
# schematic footprints (proton north edge 31.0981274, cancer south edge 31.0984882).
ACCESS_LAT = 31.0983
ACCESS_EAST_LON = 121.6160  # the two footprints' shared centre meridian
FOSHOU_LAT = 31.0949  # children's center south edge 31.0950981

ACCURACY_M = 500
SOURCE = (
    "GEODATA_FACTS.md 'Roads and rivers for a schematic network'; alignments from the "
    "SIMZ boundary roads and the site descriptions (SHINE, China Daily; see geodata/README.md)"
)
PROPERTY_ORDER = (
    "id",
    "name",
    "name_zh",
    "highway",
    "oneway",
    "maxspeed",
    "placement",
    "accuracy_m",
    "source",
    "notes",
)


def _round(coords):
    if isinstance(coords[0], int | float):
        return [round(float(c), DECIMALS) for c in coords]
    return [_round(c) for c in coords]


def line(*positions: tuple[float, float]):
    return {"type": "LineString", "coordinates": _round([list(p) for p in positions])}


def road(rid, name, name_zh, highway, geometry, notes, *, oneway="no", maxspeed=None):  # noqa: PLR0917
    props = {
        "id": rid,
        "name": name,
        "name_zh": name_zh,
        "highway": highway,
        "oneway": oneway,
        "maxspeed": maxspeed,
        "placement": "schematic",
        "accuracy_m": ACCURACY_M,
        "source": SOURCE,
        "notes": notes,
    }
    return {
        "type": "Feature",
        "properties": {k: props[k] for k in PROPERTY_ORDER},
        "geometry": geometry,
    }


def dumps(fc) -> str:
    text = json.dumps(fc, indent=2, ensure_ascii=False)
    text = re.sub(r"\[\s+(-?\d+(?:\.\d+)?),\s+(-?\d+(?:\.\d+)?)\s+\]", r"[\1, \2]", text)
    return text + "\n"


def write(name: str, features) -> None:
    fc = {"type": "FeatureCollection", "features": list(features)}
    (HERE / name).write_text(dumps(fc), encoding="utf-8")
    print("wrote", HERE / name)


def roads():
    schematic = "Schematic straight alignment (about +/-500 m). "
    no_speed = "maxspeed not published: its class default applies. "
    return [
        road(
            "road_s3",
            "S3 Expressway",
            "S3高速公路",
            "motorway",
            line(NW, SW),
            schematic + no_speed + "Along the SIMZ west edge, NW to SW corner (metro line 16 "
            "beside it). Joins other roads only at its interchanges with Zhoudeng Hwy (NW) and "
            "Dongta Hwy (SW); crosses the Wuzaogang on a bridge. Drawn as one two-way line for "
            "both carriageways. Ends beyond the corners unknown: ended at the corners. No "
            "walking or cycling (motorway).",
        ),
        road(
            "road_zhoudeng",
            "Zhoudeng Hwy",
            "周邓公路",
            "primary",
            line(NW, (KANGXIN_LON, NORTH_LAT), (EAST_LON, NORTH_LAT)),
            schematic + no_speed + "Along the SIMZ north edge, lat 31.1117. Ends unknown: "
            "ended at S3 (west) and Shenjiang Rd (east).",
        ),
        road(
            "road_dongta",
            "Dongta Hwy",
            "东塔公路",
            "primary",
            line(SW, (KANGXIN_LON, SOUTH_LAT), (TIANNIU_LON, SOUTH_LAT), (EAST_LON, SOUTH_LAT)),
            schematic + no_speed + "Along the SIMZ south edge, lat 31.0798. Ends unknown: "
            "ended at S3 (west) and Shenjiang Rd (east).",
        ),
        road(
            "road_shenjiang",
            "Shenjiang Rd",
            "申江路",
            "primary",
            line(
                (EAST_LON, SOUTH_LAT),
                (EAST_LON, FOSHOU_LAT),
                (EAST_LON, HONGQU_LAT),
                (EAST_LON, NORTH_LAT),
            ),
            schematic + no_speed + "Along the SIMZ east edge, lon 121.6375; crosses the "
            "Wuzaogang on a bridge. Ends unknown: ended at Dongta Hwy and Zhoudeng Hwy.",
        ),
        road(
            "road_kangxin",
            "Kangxin Hwy",
            "康新公路",
            "primary",
            line(
                (KANGXIN_LON, SOUTH_LAT),
                (KANGXIN_LON, FOSHOU_LAT),
                (KANGXIN_LON, ACCESS_LAT),
                (KANGXIN_LON, ZIPING_LAT),
                (KANGXIN_LON, NORTH_LAT),
                KANGXIN_METRO,
            ),
            schematic + no_speed + "North-south through SIMZ on the modelled meridian lon "
            "121.6125 (the Gene Island's east edge lies on it), crossing the Wuzaogang on a "
            "bridge, and north to the Kangxin Gonglu metro station (line 11). South end "
            "unknown: ended at Dongta Hwy.",
        ),
        road(
            "road_ziping",
            "Ziping Rd",
            "紫萍路",
            "tertiary",
            line((ZIPING_WEST_LON, ZIPING_LAT), (KANGXIN_LON, ZIPING_LAT)),
            schematic + no_speed + "East-west about 20 m north of the Gene Island. West end "
            "unknown: stopped about 100 m short of S3, which has no interchange there; east "
            "end unknown: ended at Kangxin Hwy.",
        ),
        road(
            "road_tianniu",
            "Tianniu Rd",
            "天牛路",
            "tertiary",
            line(
                (TIANNIU_LON, SOUTH_LAT),
                (TIANNIU_LON, FOSHOU_LAT),
                (TIANNIU_LON, HONGQU_LAT),
            ),
            schematic + no_speed + "North-south about 20 m west of the children's center. "
            "Ends unknown: ended at Dongta Hwy (south) and Hongqu Rd (north).",
        ),
        road(
            "road_hongqu",
            "Hongqu Rd",
            "红曲路",
            "tertiary",
            line((TIANNIU_LON, HONGQU_LAT), (EAST_LON, HONGQU_LAT)),
            schematic + no_speed + "East-west about 20 m north of the children's center. "
            "Ends unknown: ended at Tianniu Rd (west; farther west it would cross the "
            "schematic proton center) and Shenjiang Rd (east).",
        ),
        road(
            "road_foshou",
            "Foshou Rd",
            "佛手路",
            "tertiary",
            line((KANGXIN_LON, FOSHOU_LAT), (TIANNIU_LON, FOSHOU_LAT), (EAST_LON, FOSHOU_LAT)),
            schematic + no_speed + "East-west about 20 m south of the children's center. "
            "Ends unknown: ended at Kangxin Hwy (west) and Shenjiang Rd (east).",
        ),
    ]


def access():
    return [
        road(
            "road_medical_access",
            "Cancer and proton centers access lane (schematic)",
            None,
            "service",
            line((KANGXIN_LON, ACCESS_LAT), (ACCESS_EAST_LON, ACCESS_LAT)),
            "SCHEMATIC ACCESS, NOT A PUBLISHED ROAD. The cancer center (4333 Kangxin Hwy) and "
            "the proton center (4365 Kangxin Hwy) have street addresses on Kangxin Hwy, so "
            "they are reached from it, but no access road or gate position is published and "
            "their schematic footprints sit about 200 m east of the road. Without this lane "
            "the cancer center joins Kangxin Hwy by a 209 m straight connector and the proton "
            "center Foshou Rd by 108 m, and the walk between the two (40 m apart) is about "
            "1.4 km. Drawn as a straight lane from Kangxin Hwy east along the 40 m gap "
            "between the two footprints to their shared centre meridian; its position is as "
            "uncertain as the footprints (about +/-1 km). Replace it with the surveyed "
            "access roads or with an entrances layer.",
        )
    ]


def water():
    props = {
        "id": "river_wuzaogang",
        "name": "Wuzaogang river",
        "name_zh": "五灶港",
        "kind": "river",
        "placement": "schematic",
        "accuracy_m": ACCURACY_M,
        "source": SOURCE,
        "notes": "Schematic straight alignment along lat 31.1028, just south of the Gene "
        "Island, from west of S3 to east of Shenjiang Rd. Not a road: roads cross it only on "
        "bridges (S3, Kangxin Hwy, Shenjiang Rd), where the road lines have no vertex.",
    }
    geometry = line((121.6010, RIVER_LAT), (121.6390, RIVER_LAT))
    return [{"type": "Feature", "properties": props, "geometry": geometry}]


def main() -> None:
    write("roads.geojson", roads() + access())
    write("water.geojson", water())


if __name__ == "__main__":
    main()
