"""Reading network layers, the bundled schematic roads, and the GCJ-02 twin."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from geometries import feature, feature_collection, linestring, point

from siteplan.errors import LayerError
from siteplan.load._datum import wgs84_to_gcj02
from siteplan.load.layers import LayerSpec, read_layer
from siteplan.load.network import NetworkParams, NetworkSpec, parse_maxspeed, read_network
from siteplan.measure.network.graph import build_network
from siteplan.measure.network.paths import od_costs
from siteplan.measure.network.quality import network_quality
from siteplan.measure.network.snap import snap_places

STUDY = Path(__file__).parent / "data" / "simz_network" / "study.toml"
SITES = ("cgt_park", "proton_center", "cancer_center", "childrens_center")
UTM = "EPSG:32651"


def study_layers() -> tuple[Path, gpd.GeoDataFrame]:
    data = tomllib.loads(STUDY.read_text(encoding="utf-8"))
    paths = {Path(layer["path"]).stem: STUDY.parent / layer["path"] for layer in data["layers"]}
    network = next(layer for layer in data["layers"] if layer["role"] == "network")
    frames = [read_layer(LayerSpec(paths[s])).frame for s in SITES]
    sites = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=4326).to_crs(UTM)
    return STUDY.parent / network["path"], sites


def test_bundled_roads_connect_all_four_sites_in_every_mode() -> None:
    roads_path, sites = study_layers()
    layer = read_network(NetworkSpec(roads_path))
    assert layer.warnings == ()
    frame = layer.frame
    assert set(frame["id"]) >= {"road_s3", "road_kangxin", "road_ziping", "road_foshou"}
    raw = json.loads(roads_path.read_text(encoding="utf-8"))
    for feat in raw["features"]:
        props = feat["properties"]
        assert props["placement"] == "schematic"
        assert props["accuracy_m"] == 500
        assert {"name", "name_zh", "highway", "oneway", "maxspeed", "source", "notes"} <= set(props)
    edge = np.asarray([[a.distance(b) for b in sites.geometry] for a in sites.geometry])
    for mode in ("walk", "bike", "drive"):
        net = build_network(frame, UTM, NetworkParams(mode=mode))
        s = snap_places(net, sites.geometry)
        assert s.reachable.all()
        od = od_costs(net, s, s, cost="time")
        assert np.isfinite(od.minutes).all()
        off = ~np.eye(4, dtype=bool)
        assert (od.metres[off] >= edge[off]).all()
        quality = network_quality(net)
        assert quality.components == 1
        assert quality.crossings == 0


def test_bundled_s3_is_not_walked_and_the_river_is_not_a_road() -> None:
    roads_path, _ = study_layers()
    frame = read_network(NetworkSpec(roads_path)).frame
    walk = build_network(frame, UTM, NetworkParams(mode="walk"))
    assert "road_s3" not in set(walk.line_ids)
    drive = build_network(frame, UTM, NetworkParams(mode="drive"))
    assert "road_s3" in set(drive.line_ids)
    water = gpd.read_file(roads_path.with_name("water.geojson")).to_crs(UTM)
    river = water.geometry.iloc[0]
    # Roads cross the river without a node on it (bridges).
    nodes = shapely.points(drive.node_xy)
    assert not shapely.intersects(nodes, river).any()
    assert shapely.intersects(drive.segments, river).sum() == 3


def test_gcj02_twin_gives_the_same_times(write_geojson) -> None:
    roads_path, sites = study_layers()
    raw = json.loads(roads_path.read_text(encoding="utf-8"))
    for feat in raw["features"]:
        coords = np.asarray(feat["geometry"]["coordinates"], dtype=float)
        lon, lat = wgs84_to_gcj02(coords[:, 0], coords[:, 1])
        feat["geometry"]["coordinates"] = np.column_stack([lon, lat]).tolist()
    gcj = write_geojson(raw, "roads_gcj02.geojson")
    twin = read_network(NetworkSpec(gcj, datum="gcj02")).frame
    assert (
        shapely.hausdorff_distance(
            twin.to_crs(UTM).geometry.iloc[0],
            read_network(NetworkSpec(roads_path)).frame.to_crs(UTM).geometry.iloc[0],
        )
        < 0.01
    )
    results = []
    for frame in (read_network(NetworkSpec(roads_path)).frame, twin):
        net = build_network(frame, UTM, NetworkParams(mode="walk"))
        s = snap_places(net, sites.geometry)
        results.append(od_costs(net, s, s, cost="time"))
    assert np.allclose(results[0].metres, results[1].metres, atol=1.0, rtol=0)
    assert np.allclose(results[0].minutes, results[1].minutes, atol=1.0 / 80.0, rtol=0)
    # Unconverted, the offset (about 470 m here) would move every road.
    wrong = read_network(NetworkSpec(gcj)).frame
    net = build_network(wrong, UTM, NetworkParams(mode="walk"))
    s = snap_places(net, sites.geometry)
    assert not np.allclose(od_costs(net, s, s).metres, results[0].metres, atol=1.0)


def test_fields_are_normalised_and_bad_speeds_warned(write_geojson) -> None:
    layer = feature_collection(
        feature(
            linestring([121.60, 31.10], [121.61, 31.10]),
            id="a",
            highway="primary",
            oneway="yes",
            maxspeed="50",
        ),
        feature(
            linestring([121.61, 31.10], [121.62, 31.10]),
            id="b",
            highway="primary",
            oneway="-1",
            maxspeed="signals",
        ),
        feature(
            linestring([121.62, 31.10], [121.63, 31.10]), id="c", oneway="no", maxspeed="30 mph"
        ),
    )
    result = read_network(NetworkSpec(write_geojson(layer)))
    frame = result.frame
    assert frame["oneway"].tolist() == [1, -1, 0]
    assert frame["highway"].tolist() == ["primary", "primary", None]
    assert frame["maxspeed_kmh"].iloc[0] == 50.0
    assert np.isnan(frame["maxspeed_kmh"].iloc[1])
    assert frame["maxspeed_kmh"].iloc[2] == pytest.approx(48.28032)
    assert len(result.warnings) == 1
    assert "'signals'" in result.warnings[0]
    assert "class's default speed" in result.warnings[0]
    net = build_network(frame, UTM, NetworkParams(mode="drive"))
    assert net.seg_kmh.tolist() == [50.0, 60.0, pytest.approx(48.28032)]


def test_other_field_names_and_multilines(write_geojson) -> None:
    geometry = {
        "type": "MultiLineString",
        "coordinates": [[[121.60, 31.10], [121.61, 31.10]], [[121.61, 31.11], [121.62, 31.11]]],
    }
    layer = feature_collection(feature(geometry, id="m", cls="residential", ow="true", v=40))
    spec = NetworkSpec(write_geojson(layer), oneway_field="ow", speed_field="v", class_field="cls")
    frame = read_network(spec).frame
    assert len(frame) == 2
    assert frame["oneway"].tolist() == [1, 1]
    assert frame["maxspeed_kmh"].tolist() == [40.0, 40.0]
    assert frame["highway"].tolist() == ["residential", "residential"]


def test_points_are_refused_in_a_network_layer(write_geojson) -> None:
    layer = feature_collection(
        feature(linestring([121.60, 31.10], [121.61, 31.10]), id="a"),
        feature(point(121.60, 31.10), id="p"),
    )
    with pytest.raises(LayerError, match="a Point does not fit a network layer"):
        read_network(NetworkSpec(write_geojson(layer)))


def test_parse_maxspeed_numbers_lists_and_units() -> None:
    kmh, bad = parse_maxspeed([40, "50;30", "RU:urban", "none", None, ""])
    assert kmh[:2].tolist() == [40.0, 50.0]
    assert np.isnan(kmh[2:]).all()
    assert bad == ["RU:urban", "none"]
