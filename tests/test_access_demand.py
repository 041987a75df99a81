"""Demand layers: reading, refusing bad values, placing polygons, site capacity."""

from __future__ import annotations

from typing import Any

import pytest

from siteplan.errors import LayerError
from siteplan.load.demand import DemandSpec, demand_points, read_capacity, read_demand
from siteplan.load.layers import LayerSpec, read_layer

UTM51 = "EPSG:32651"


def _point(fid: str, value: Any, lon: float = 121.6, field: str = "population") -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {"id": fid, "name": f"<b>{fid}</b>", field: value},
        "geometry": {"type": "Point", "coordinates": [lon, 31.1]},
    }


def _square(fid: str, value: float, size: float = 0.01) -> dict[str, Any]:
    x, y = 121.6, 31.1
    ring = [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]
    return {
        "type": "Feature",
        "properties": {"id": fid, "population": value},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


def _fc(*features: dict[str, Any]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(features)}


def test_reads_points_and_polygons(write_geojson: Any) -> None:
    path = write_geojson(_fc(_point("a", 100), _point("b", "250.5", lon=121.61), _square("c", 40)))
    layer = read_demand(DemandSpec(path))
    assert layer.frame["population"].tolist() == [100.0, 250.5, 40.0]
    assert layer.total == 390.5
    assert layer.frame["name"].iloc[0] == "<b>a</b>"  # kept as data, escaped by renderers
    pts = demand_points(layer, UTM51)
    assert pts["id"].tolist() == ["a", "b", "c"]
    assert (pts.geom_type == "Point").all()


@pytest.mark.parametrize(
    ("value", "match"),
    [
        (-1, "is -1, not a finite number >= 0"),
        (None, "is missing"),
        ("many", "'many', not a number"),
        (True, "is true, not a number"),
        ([5], r"is \[5\], not a number"),
    ],
)
def test_bad_values_are_refused_naming_file_feature_field(
    write_geojson: Any, value: Any, match: str
) -> None:
    path = write_geojson(_fc(_point("ok", 10), _point("bad", value)))
    with pytest.raises(LayerError, match=match) as info:
        read_demand(DemandSpec(path))
    message = str(info.value)
    assert str(path) in message
    assert "feature 'bad'" in message
    assert "'population'" in message
    assert "\n" not in message


def test_nan_is_refused(write_geojson: Any) -> None:
    path = write_geojson(
        '{"type": "FeatureCollection", "features": ['
        + '{"type": "Feature", "properties": {"id": "n", "population": NaN}, '
        + '"geometry": {"type": "Point", "coordinates": [121.6, 31.1]}}]}'
    )
    with pytest.raises(LayerError, match="NaN"):
        read_demand(DemandSpec(path))


def test_missing_field_and_other_population_field(write_geojson: Any) -> None:
    path = write_geojson(_fc(_point("a", 5, field="residents")))
    with pytest.raises(LayerError, match="no feature has a 'population' property"):
        read_demand(DemandSpec(path))
    assert read_demand(DemandSpec(path, population_field="residents")).total == 5.0


def test_lines_are_refused(write_geojson: Any) -> None:
    line = {
        "type": "Feature",
        "properties": {"id": "l", "population": 3},
        "geometry": {"type": "LineString", "coordinates": [[121.6, 31.1], [121.61, 31.1]]},
    }
    with pytest.raises(LayerError, match="does not fit a demand layer"):
        read_demand(DemandSpec(write_geojson(_fc(line))))


def test_spreading_a_polygon_keeps_its_demand(write_geojson: Any) -> None:
    path = write_geojson(_fc(_point("p", 7), _square("sq", 1000.0, size=0.02)))
    layer = read_demand(DemandSpec(path, spread_cell_m=500))
    pts = demand_points(layer, UTM51)
    assert pts["id"].iloc[0] == "p"
    pieces = pts[pts["source_id"] == "sq"]
    assert len(pieces) > 4
    assert pieces["population"].sum() == pytest.approx(1000.0, rel=1e-12)
    assert (pieces["population"] > 0).all()
    centroid_only = demand_points(layer, UTM51, spread_cell_m=None)
    assert len(centroid_only) == len(pts)  # spec default applies when None is passed...
    assert len(demand_points(layer.frame, UTM51)) == 2  # ...a bare frame uses centroids


def test_capacity(write_geojson: Any) -> None:
    sites = _fc(_point("s1", 500, field="beds"), _point("s2", 0, field="beds", lon=121.62))
    path = write_geojson(sites, "sites.geojson")
    frame = read_layer(LayerSpec(path)).frame
    assert read_capacity(frame, "beds", path=path).tolist() == [500.0, 0.0]
    with pytest.raises(LayerError, match="capacity"):
        read_capacity(frame, "floor_m2", path=path)
    bad = write_geojson(_fc(_point("s1", -2, field="beds")), "bad.geojson")
    with pytest.raises(LayerError, match="feature 's1'"):
        read_capacity(read_layer(LayerSpec(bad)).frame, "beds", path=bad)
