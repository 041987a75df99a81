"""Generate the bundled SIMZ example layers (schematic site footprints).

Run from the repository root with the project venv:

    .venv/bin/python geodata/simz/_make_simz.py

It (re)writes, next to this script:

    cgt_park.geojson  proton_center.geojson  cancer_center.geojson
    childrens_center.geojson  simz_boundary.geojson  metro_stations.geojson

The output is deterministic (same bytes on every run). Facts and sources:
GEODATA_FACTS.md (summarised in geodata/README.md).

IMPORTANT: no public WGS84 position or footprint exists for the four sites or for the
SIMZ boundary. They are SCHEMATIC (uncertainty about +/-1 km), placed as follows:

* Kangxin Hwy through SIMZ is modelled as the meridian lon 121.6125.
* Footprints are north-up rectangles in lon/lat, sized in metres on the WGS84 ellipsoid
  with pyproj.Geod: the north-south half-size is a geodesic move along the meridian from
  the centre, the east-west half-size a geodesic move due east/west from the centre.
  (So an edge "on Kangxin Hwy" lies exactly on lon 121.6125.) Areas in EPSG:32651 come
  out ~0.04 % smaller than the ground areas because of the UTM scale factor there.
* cgt_park: 200 m (E-W) x 400 m (N-S) = 80,000 m^2 (derived ~8 ha), east edge on
  lon 121.6125, centred on lat 31.1050.
* proton_center: 250 m x 250 m (assumed), centred on (121.6160, 31.0970).
* cancer_center: 250 m x 250 m (assumed), same centre longitude, its south edge
  CANCER_GAP_M = 40 m north of the proton center's north edge (centre lands at
  lat ~31.0996, i.e. ~40 m from the suggested 31.1000).
* childrens_center: 200 m x 200 m = 40,000 m^2 (60 mu), centred on (121.6240, 31.0960).
* simz: the suggested quadrilateral (NW/SW vertices at the East Zhoupu and Heshahangcheng
  stations on S3); it encloses ~11.2 km^2 against the published 11.8 km^2.

Metro stations are published positions (BD-09 / GCJ-02 listings converted to WGS84,
agreeing within ~100 m), hence placement "surveyed" with accuracy_m 100.

Output conventions: RFC 7946 (lon, lat; no "crs" member), counter-clockwise exterior
rings, closed rings, coordinates rounded to 7 decimals, 2-space indented UTF-8 JSON with
Chinese characters kept literal.
"""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

from pyproj import Geod

HERE = Path(__file__).resolve().parent
GEOD = Geod(ellps="WGS84")
DECIMALS = 7

KANGXIN_HWY_LON = 121.6125  # modelled north-south line of Kangxin Hwy through SIMZ
CANCER_GAP_M = 40.0  # chosen gap between the cancer center and the proton center

SHINE_CGT = "https://www.shine.cn/biz/economy/2304105729/"


def _fwd(lon: float, lat: float, az: float, dist: float) -> tuple[float, float]:
    lon2, lat2, _ = GEOD.fwd(lon, lat, az, dist)
    return lon2, lat2


def rect_from_centre(lon: float, lat: float, width_m: float, height_m: float):
    """North-up rectangle (lon/lat box) of width_m (E-W) x height_m (N-S) around a centre.

    Returns (west, south, east, north) in degrees.
    """
    _, north = _fwd(lon, lat, 0.0, height_m / 2)
    _, south = _fwd(lon, lat, 180.0, height_m / 2)
    east, _ = _fwd(lon, lat, 90.0, width_m / 2)
    west, _ = _fwd(lon, lat, 270.0, width_m / 2)
    return west, south, east, north


def ring_from_bounds(west: float, south: float, east: float, north: float):
    """Return a closed, counter-clockwise exterior ring (SW, SE, NE, NW, SW)."""
    return [[west, south], [east, south], [east, north], [west, north], [west, south]]


def _round(coords):
    if isinstance(coords[0], (int, float)):
        return [round(float(c), DECIMALS) for c in coords]
    return [_round(c) for c in coords]


def _signed_area(ring) -> float:
    return 0.5 * sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in itertools.pairwise(ring))


def polygon(ring):
    ring = _round(ring)
    assert ring[0] == ring[-1], "ring must be closed"
    assert _signed_area(ring) > 0, "exterior ring must be counter-clockwise"
    return {"type": "Polygon", "coordinates": [ring]}


def point(lon: float, lat: float):
    return {"type": "Point", "coordinates": _round([lon, lat])}


def feature(geometry, **props):
    order = [
        "id",
        "name",
        "name_zh",
        "kind",
        "address",
        "area_m2_published",
        "source",
        "accuracy_m",
        "placement",
        "notes",
    ]
    missing = [k for k in order if k not in props]
    assert not missing, f"missing properties: {missing}"
    assert props["placement"] in ("surveyed", "schematic")
    ordered = {k: props[k] for k in order}
    ordered.update({k: v for k, v in props.items() if k not in ordered})
    return {"type": "Feature", "properties": ordered, "geometry": geometry}


def dumps(fc) -> str:
    text = json.dumps(fc, indent=2, ensure_ascii=False)
    # keep each [lon, lat] pair on one line (still 2-space indented JSON)
    text = re.sub(r"\[\s+(-?\d+(?:\.\d+)?),\s+(-?\d+(?:\.\d+)?)\s+\]", r"[\1, \2]", text)
    return text + "\n"


def write(name: str, features) -> None:
    fc = {"type": "FeatureCollection", "features": list(features)}
    (HERE / name).write_text(dumps(fc), encoding="utf-8")
    print("wrote", HERE / name)


# --------------------------------------------------------------------------- sites


def cgt_park():
    width, height, centre_lat = 200.0, 400.0, 31.1050
    west, _ = _fwd(KANGXIN_HWY_LON, centre_lat, 270.0, width)
    _, north = _fwd(KANGXIN_HWY_LON, centre_lat, 0.0, height / 2)
    _, south = _fwd(KANGXIN_HWY_LON, centre_lat, 180.0, height / 2)
    geom = polygon(ring_from_bounds(west, south, KANGXIN_HWY_LON, north))
    return feature(
        geom,
        id="cgt_park",
        name="Zhangjiang Gene Island (CGT park)",
        name_zh="张江基因岛",
        kind="cgt_park",
        address=None,
        area_m2_published=None,
        source=(
            "https://subsites.chinadaily.com.cn/shanghaipudong/2023-04/17/c_890056.htm "
            "(China Daily, 2023-04-17: 160,000 m2 floor area planned); SHINE (shine.cn), "
            f"2023-11-13 (120,000 m2 at unveiling); {SHINE_CGT} (SHINE, 2023-04-10)"
        ),
        accuracy_m=1000,
        placement="schematic",
        notes=(
            "SCHEMATIC position and footprint (uncertainty about +/-1 km); no public WGS84 "
            "position or outline found. Inside the Zhangjiang Cell & Gene Industry Park "
            "(张江细胞和基因产业园); bounded N by Ziping Rd (紫萍路), W by a landscape canal "
            "(景观纵三河), S by the Wuzaogang river (五灶港), E by Kangxin Hwy (康新公路). "
            "Published floor area: 160,000 m2 planned (China Daily 2023-04-17), 120,000 m2 "
            "at unveiling (SHINE 2023-11-13); plot ratio 2.0, 4-6 storeys, so land area "
            "about 8 ha (derived, not published). Placed as an assumed 200 m (E-W) x "
            "400 m (N-S) = 80,000 m2 north-up rectangle, east edge on Kangxin Hwy modelled "
            "at lon 121.6125, centred on lat 31.1050."
        ),
    )


PROTON_CENTRE = (121.6160, 31.0970)
HOSPITAL_SIZE_M = 250.0


def proton_center():
    lon, lat = PROTON_CENTRE
    geom = polygon(ring_from_bounds(*rect_from_centre(lon, lat, HOSPITAL_SIZE_M, HOSPITAL_SIZE_M)))
    return feature(
        geom,
        id="proton_center",
        name="Shanghai Proton and Heavy Ion Center",
        name_zh="上海市质子重离子医院",
        kind="hospital",
        address="4365 Kangxin Hwy (康新公路4365号), Pudong New Area, Shanghai",
        area_m2_published=None,
        source=(
            "public address listings (康新公路4365号); citynewsservice.cn (2026-01-13: "
            f"phase 2 due 2028); {SHINE_CGT} (named as an anchor of the CGT park)"
        ),
        accuracy_m=1000,
        placement="schematic",
        notes=(
            "SCHEMATIC position and footprint (uncertainty about +/-1 km); no public WGS84 "
            "position or site area found. Opened 2015; east side of Kangxin Hwy. Site area "
            "unknown: ASSUMED footprint 250 m x 250 m = 62,500 m2, north-up, centred on "
            "(121.6160, 31.0970); its west edge is about 200 m east of Kangxin Hwy as "
            "modelled (lon 121.6125)."
        ),
    )


def cancer_center():
    lon, lat = PROTON_CENTRE
    # centre = proton centre + half proton + gap + half cancer, due north
    _, clat = _fwd(lon, lat, 0.0, HOSPITAL_SIZE_M / 2 + CANCER_GAP_M + HOSPITAL_SIZE_M / 2)
    geom = polygon(ring_from_bounds(*rect_from_centre(lon, clat, HOSPITAL_SIZE_M, HOSPITAL_SIZE_M)))
    return feature(
        geom,
        id="cancer_center",
        name="Fudan University Shanghai Cancer Center, Pudong campus",
        name_zh="复旦大学附属肿瘤医院浦东院区",
        kind="hospital",
        address=(
            "4333 Kangxin Hwy (康新公路4333号), Pudong New Area, Shanghai (reported, unconfirmed)"
        ),
        area_m2_published=None,
        source=(
            "Fudan University Shanghai Cancer Center (FUSCC) and SHINE (shine.cn) pages "
            f"(address 4333 Kangxin Hwy as reported, unconfirmed); {SHINE_CGT} "
            "(named as an anchor of the CGT park)"
        ),
        accuracy_m=1000,
        placement="schematic",
        notes=(
            "SCHEMATIC position and footprint (uncertainty about +/-1 km); no public WGS84 "
            "position or site area found. On Kangxin Hwy beside the proton center (east "
            "side of the road). Site area unknown: ASSUMED footprint 250 m x 250 m = "
            "62,500 m2, north-up, same centre longitude as the proton center (121.6160), "
            f"placed north of it with a chosen gap of {CANCER_GAP_M:.0f} m between the two "
            "footprints (centre about lat 31.0996, the suggested 31.1000 adjusted for the gap)."
        ),
    )


def childrens_center():
    lon, lat = 121.6240, 31.0960
    geom = polygon(ring_from_bounds(*rect_from_centre(lon, lat, 200.0, 200.0)))
    return feature(
        geom,
        id="childrens_center",
        name="Shanghai Children's Medical Center, Zhangjiang campus "
        "(National Children's Medical Center, Zhangjiang branch)",
        name_zh="上海儿童医学中心张江院区",
        kind="hospital",
        address=None,
        area_m2_published=40000,
        source=(
            "https://www.shine.cn/news/metro/2012302426/; "
            "https://www.shine.cn/news/metro/2409261795/; 新闻晨报 (Morning News), 2022-12-17"
        ),
        accuracy_m=1000,
        placement="schematic",
        notes=(
            "SCHEMATIC position (uncertainty about +/-1 km); no public WGS84 position or "
            "outline found. Block bounded W by Tianniu Rd (天牛路), S by Foshou Rd (佛手路), "
            "N by Hongqu Rd (红曲路); no street number found. Published: 60 mu = about "
            "40,000 m2 land, about 100,000 m2 floor area, 500 beds, opened October 2024. "
            "Placed as a 200 m x 200 m = 40,000 m2 north-up square centred on "
            "(121.6240, 31.0960); the square shape is assumed."
        ),
    )


# ------------------------------------------------------------------------ boundary


def simz_boundary():
    nw, ne, se, sw = (
        (121.6024, 31.1117),
        (121.6375, 31.1117),
        (121.6375, 31.0798),
        (121.6061, 31.0798),
    )
    ring = [list(sw), list(se), list(ne), list(nw), list(sw)]
    return feature(
        polygon(ring),
        id="simz",
        name="Shanghai International Medical Zone (SIMZ)",
        name_zh="上海国际医学园区",
        kind="medical_zone",
        address=None,
        area_m2_published=11800000,
        source=(
            "news.007swz.com (bounds and 11.8 km2, incl. 2.12 km2 public green); "
            "perkinseastman.com (SIMZ master plan; 11.5 km2 in the 2005 plan)"
        ),
        accuracy_m=500,
        placement="schematic",
        notes=(
            "SCHEMATIC boundary: a quadrilateral through published-road anchors, not a "
            "surveyed outline. Bounded E by Shenjiang Rd (申江路), S by Dongta Hwy (东塔公路), "
            "W by the S3 expressway (metro line 16 runs along it), N by Zhoudeng Hwy "
            "(周邓公路). Vertices NW (121.6024, 31.1117) = East Zhoupu station (S3 x Zhoudeng "
            "Hwy), SW (121.6061, 31.0798) = Heshahangcheng station (on S3), NE (121.6375, "
            "31.1117), SE (121.6375, 31.0798): straight edges, east edge (Shenjiang Rd) "
            "schematic. The quadrilateral encloses about 11.2 km2 (geodesic), about 5 % less "
            "than the published 11.8 km2; the real outline follows the roads."
        ),
    )


# ---------------------------------------------------------------------- stations

STATIONS = [
    (
        "metro_zhoupu_east",
        "East Zhoupu",
        "周浦东",
        "Line 16",
        121.6024,
        31.1117,
        "BD-09 and GCJ-02 listings converted to WGS84; the two agree within ~100 m. "
        "At S3 x Zhoudeng Hwy; used as the SIMZ NW corner.",
    ),
    (
        "metro_heshahangcheng",
        "Heshahangcheng",
        "鹤沙航城",
        "Line 16",
        121.6061,
        31.0798,
        "BD-09 and GCJ-02 listings converted to WGS84. About 3.6 km south of East Zhoupu "
        "along S3; used as the SIMZ SW corner.",
    ),
    (
        "metro_hangtou_east",
        "Hangtou East",
        "航头东",
        "Line 16",
        121.6130,
        31.0572,
        "BD-09 listing converted to WGS84. South of SIMZ.",
    ),
    (
        "metro_kangxin_gonglu",
        "Kangxin Gonglu",
        "康新公路",
        "Line 11",
        121.6131,
        31.1326,
        "BD-09 listing converted to WGS84. On Kangxin Hwy, about 2.5 km NNE of SIMZ.",
    ),
    (
        "metro_xiuyan_road",
        "Xiuyan Road",
        "秀沿路",
        "Line 11",
        121.5943,
        31.1403,
        "BD-09 listing converted to WGS84. North-west of SIMZ.",
    ),
]


def metro_stations():
    for sid, name, name_zh, line, lon, lat, how in STATIONS:
        datums = "Baidu Maps (BD-09) and Amap (GCJ-02)" if "GCJ-02" in how else "Baidu Maps (BD-09)"
        yield feature(
            point(lon, lat),
            id=sid,
            name=name,
            name_zh=name_zh,
            kind="metro_station",
            address=None,
            area_m2_published=None,
            source=f"{datums} station listing, converted to WGS84 (standard GCJ-02/BD-09 inverse)",
            accuracy_m=100,
            placement="surveyed",
            notes=f"Published position, datum-converted (accuracy about 100 m). {how}",
            line=line,
        )


def main() -> None:
    write("cgt_park.geojson", [cgt_park()])
    write("proton_center.geojson", [proton_center()])
    write("cancer_center.geojson", [cancer_center()])
    write("childrens_center.geojson", [childrens_center()])
    write("simz_boundary.geojson", [simz_boundary()])
    write("metro_stations.geojson", metro_stations())


if __name__ == "__main__":
    main()
