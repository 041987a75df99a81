"""Isochrone bands are valid polygons wherever they are drawn (map, GeoPackage, GeoJSON)."""

from __future__ import annotations

import pytest
import shapely

import siteplan


@pytest.mark.parametrize("measure", ["time", "network"])
def test_bundled_isochrone_bands_are_valid_in_wgs84(measure: str) -> None:
    result = siteplan.analyze(measure=measure)
    geoms = result.rings.geometry
    assert len(geoms) == 16
    assert geoms.is_valid.all(), shapely.is_valid_reason(geoms[~geoms.is_valid].to_numpy())
    assert set(geoms.geom_type) <= {"Polygon", "MultiPolygon"}
    # the first band of every site is not empty: the site reaches its own streets
    first = result.rings.groupby("site_id").head(1)
    assert (~first.geometry.is_empty).all()
