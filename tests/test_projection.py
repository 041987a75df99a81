"""Tests for siteplan.load.projection: which metric CRS a study is measured in, and refusals."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import CRS

from siteplan.analysis import analyze
from siteplan.errors import CRSError
from siteplan.load.projection import check_metric_crs, choose_crs, utm_crs_for


def frame(*points: tuple[float, float]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(geometry=[shapely.Point(p) for p in points], crs=4326)


# --- auto: UTM zone from the study's extent --------------------------------------------


@pytest.mark.parametrize(
    ("lon", "lat", "epsg"),
    [
        (121.61, 31.10, 32651),  # SIMZ, Shanghai
        (16.37, 48.21, 32633),  # Vienna
        (-0.13, 51.51, 32630),  # London, west of Greenwich
        (0.0, 51.48, 32631),  # exactly on Greenwich: zones start at their western edge
        (-74.0, 40.71, 32618),  # New York
        (151.21, -33.87, 32756),  # Sydney, southern hemisphere
        (-58.38, -34.60, 32721),  # Buenos Aires
        (28.98, 0.0, 32635),  # on the equator: northern zones
        (-180.0, 10.0, 32601),
        (179.99, 10.0, 32660),
        (180.0, 10.0, 32601),  # the antimeridian wraps to zone 1
        (10.0, 84.0, 32632),  # UTM still reaches 84 N
        (10.0, 84.5, 32632),  # polar: still the UTM zone (UPS would be 0.4 % off)
        (10.0, -80.0, 32732),  # UTM still reaches 80 S
        (10.0, -80.5, 32732),  # polar south: the UTM zone
    ],
)
def test_utm_zone_for_a_position(lon: float, lat: float, epsg: int) -> None:
    assert utm_crs_for(lon, lat).to_epsg() == epsg


def test_auto_picks_utm_51n_for_the_bundled_study() -> None:
    result = analyze()
    assert result.crs_name == "EPSG:32651"
    assert result.crs.to_epsg() == 32651
    assert result.warnings == ()


@pytest.mark.parametrize("requested", ["auto", "AUTO", " Auto ", None])
def test_auto_is_the_zone_of_the_extent_centre(requested: str | None) -> None:
    vienna = frame((16.20, 48.10), (16.55, 48.32))
    assert choose_crs(vienna, requested).to_epsg() == 32633


def test_auto_uses_the_centre_of_the_whole_extent() -> None:
    # west part in zone 32, east part in zone 33: the centre (14.5 E) decides
    wide = frame((11.0, 47.0), (18.0, 48.0))
    assert choose_crs(wide).to_epsg() == 32633
    assert choose_crs(frame((11.0, 47.0), (17.0, 48.0))).to_epsg() == 32633
    assert choose_crs(frame((11.0, 47.0), (12.9, 48.0))).to_epsg() == 32632


def test_auto_across_the_antimeridian_stays_near_it() -> None:
    fiji = frame((179.9, -17.8), (-179.9, -17.6))
    assert choose_crs(fiji).to_epsg() in (32701, 32760)


def test_auto_in_polar_regions_picks_the_utm_zone() -> None:
    assert choose_crs(frame((15.0, 85.0), (16.0, 85.1))).to_epsg() == 32633
    assert choose_crs(frame((166.0, -85.0), (167.0, -85.1))).to_epsg() == 32758


def test_auto_logs_the_crs_it_picked(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="siteplan.load.projection"):
        choose_crs(frame((121.61, 31.10)))
    assert "EPSG:32651" in caplog.text
    assert "auto" in caplog.text


# --- explicit CRSs ---------------------------------------------------------------------


@pytest.mark.parametrize("given", ["EPSG:32651", "epsg:32651", 32651, CRS.from_epsg(32651)])
def test_a_metric_crs_is_accepted_in_any_form(given: Any) -> None:
    assert check_metric_crs(given).to_epsg() == 32651
    assert choose_crs(frame((121.61, 31.10)), given).to_epsg() == 32651


def test_a_local_transverse_mercator_in_metres_is_accepted() -> None:
    crs = check_metric_crs("EPSG:4549")  # CGCS2000 / 3-degree Gauss-Kruger CM 120E
    assert crs.is_projected


def test_geographic_crs_is_refused_with_the_reason() -> None:
    with pytest.raises(CRSError) as info:
        check_metric_crs("EPSG:4326")
    message = str(info.value)
    assert "EPSG:4326" in message
    assert "geographic (degrees)" in message
    assert "metres" in message
    assert '"auto"' in message


def test_web_mercator_is_refused_with_the_reason() -> None:
    with pytest.raises(CRSError) as info:
        check_metric_crs("EPSG:3857")
    message = str(info.value)
    assert "Web Mercator" in message
    assert "1/cos(latitude)" in message
    assert '"auto"' in message


@pytest.mark.parametrize("code", ["EPSG:3395", "EPSG:900913"])
def test_other_world_mercators_are_refused(code: str) -> None:
    with pytest.raises(CRSError, match="Mercator"):
        check_metric_crs(code)


def test_a_feet_based_crs_is_refused() -> None:
    with pytest.raises(CRSError) as info:
        check_metric_crs("EPSG:2263")  # NAD83 / New York Long Island (ftUS)
    message = str(info.value)
    assert "foot" in message
    assert "not metres" in message


def test_a_geocentric_crs_is_refused() -> None:
    with pytest.raises(CRSError, match="not a projected CRS"):
        check_metric_crs("EPSG:4978")


@pytest.mark.parametrize("given", ["EPSG:999999", "not a crs", "UTM 51"])
def test_an_unknown_crs_is_refused(given: str) -> None:
    with pytest.raises(CRSError) as info:
        check_metric_crs(given)
    assert repr(given) in str(info.value)
    assert "EPSG:32651" in str(info.value)


def test_crs_errors_are_value_errors() -> None:
    with pytest.raises(ValueError, match="geographic"):
        choose_crs(frame((0.0, 0.0)), "EPSG:4326")


# --- study files and overrides ---------------------------------------------------------


def write_study(folder: Path, crs_line: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    features = [
        {
            "type": "Feature",
            "properties": {"id": sid, "name": sid},
            "geometry": {"type": "Point", "coordinates": [lon, 31.10]},
        }
        for sid, lon in (("a", 121.60), ("b", 121.61))
    ]
    (folder / "sites.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8"
    )
    study = folder / "study.toml"
    study.write_text(f'name = "crs test"\n{crs_line}\n[[layers]]\npath = "sites.geojson"\n')
    return study


@pytest.mark.parametrize("line", ['crs = "EPSG:4549"', "crs = 4549"])
def test_a_study_file_crs_is_used(tmp_path: Path, line: str) -> None:
    result = analyze(write_study(tmp_path, line))
    assert result.crs_name == "EPSG:4549"
    assert result.warnings == ()


def test_an_explicit_crs_overrides_the_study_file(tmp_path: Path) -> None:
    study = write_study(tmp_path, 'crs = "EPSG:4549"')
    assert analyze(study, crs="EPSG:32651").crs_name == "EPSG:32651"
    assert analyze(study, crs="auto").crs_name == "EPSG:32651"


def test_distances_barely_depend_on_a_sensible_crs(tmp_path: Path) -> None:
    study = write_study(tmp_path, "")
    utm = analyze(study).pairs["edge_m"].iloc[0]
    gauss_kruger = analyze(study, crs="EPSG:4549").pairs["edge_m"].iloc[0]
    assert gauss_kruger == pytest.approx(utm, rel=1e-3)


def test_a_geographic_crs_in_a_study_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CRSError, match="geographic"):
        analyze(write_study(tmp_path, 'crs = "EPSG:4326"'))


def test_web_mercator_given_to_analyze_is_refused() -> None:
    with pytest.raises(CRSError, match="Web Mercator"):
        analyze(crs="EPSG:3857")


def test_a_far_away_zone_makes_projected_and_geodesic_values_disagree() -> None:
    result = analyze(crs="EPSG:32633")  # UTM 33N (15 E) for a study at 121.6 E
    assert result.crs_name == "EPSG:32633"
    pairs = [w for w in result.warnings if w.startswith("pair ")]
    areas = [w for w in result.warnings if w.startswith("site ")]
    assert len(pairs) == 6
    assert len(areas) == 4
    for warning in result.warnings:
        assert "EPSG:32633" in warning
        assert "more than 0.1 %" in warning
    # the geodesic check does not depend on the projection
    np.testing.assert_allclose(result.pairs["geodesic_m"], analyze().pairs["geodesic_m"], rtol=1e-3)
