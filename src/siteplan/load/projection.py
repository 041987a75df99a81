"""Choose and check the metric CRS a study is measured in.

siteplan measures only in a projected CRS whose unit is the metre. ``auto``
picks the WGS84 UTM zone of the study's centre (EPSG:326zz north, 327zz south),
at every latitude: near the poles too, a study a few kilometres across is measured
within 0.04 % in the zone of its centre, whereas the Universal Polar Stereographic
CRS is off by 0.3-0.6 % at 84-88°. Geographic CRSs
(degrees) and Web Mercator (which stretches distances by 1/cos(latitude)) are
refused.
"""

from __future__ import annotations

import functools
import logging
import math
from typing import Any, Final

import geopandas as gpd
import numpy as np
from pyproj import CRS, Geod, Transformer
from pyproj.exceptions import CRSError as PyprojCRSError
from pyproj.exceptions import ProjError

from siteplan.errors import CRSError

__all__ = [
    "check_crs_fits",
    "check_metric_crs",
    "check_within_reach",
    "choose_crs",
    "from_wgs84",
    "to_wgs84",
    "utm_crs_for",
]

logger = logging.getLogger(__name__)

_WEB_MERCATOR: Final = frozenset({3857, 900913, 3785, 102100, 102113, 41001, 3395})
#: The local scale factor a chosen CRS may have at the study's centre. Within it, the
#: geodesic check warns of a distorted projection (a far UTM zone: 1.7); beyond it
#: (a transverse Mercator with k = 0.01, say) the CRS does not measure metres there.
_MAX_SCALE_FACTOR: Final = 10.0
_GEOD: Final = Geod(ellps="WGS84")


def utm_crs_for(lon: float, lat: float) -> CRS:
    """Return the WGS84 UTM CRS of the zone a position lies in.

    Examples
    --------
    >>> utm_crs_for(121.61, 31.10).to_string()
    'EPSG:32651'
    """
    lon = (lon + 180.0) % 360.0 - 180.0
    zone = min(math.floor((lon + 180.0) / 6.0) + 1, 60)
    return CRS.from_epsg((32600 if lat >= 0 else 32700) + zone)


def _centre(frame: gpd.GeoDataFrame) -> tuple[float, float]:
    """Return the centre of a WGS84 frame's extent, across the antimeridian if needed."""
    minx, miny, maxx, maxy = (float(v) for v in frame.total_bounds)
    lat = (miny + maxy) / 2.0
    if maxx - minx <= 180.0:
        return (minx + maxx) / 2.0, lat
    # The extent crosses the antimeridian: average longitudes on the circle.
    reps = frame.geometry.representative_point()
    angles = np.radians(reps.x.to_numpy())
    lon = math.degrees(math.atan2(float(np.sin(angles).mean()), float(np.cos(angles).mean())))
    return lon, lat


def check_metric_crs(crs: CRS | str | int) -> CRS:
    """Return ``crs`` as a pyproj CRS if distances can be measured in it.

    Raises
    ------
    CRSError
        For an unknown CRS, a geographic one, Web Mercator, or a unit other
        than the metre.
    """
    try:
        parsed = CRS.from_user_input(crs)
    except PyprojCRSError:
        raise CRSError(
            f'crs {crs!r} is not a CRS pyproj knows; use "auto" or an EPSG code such as EPSG:32651'
        ) from None
    name = parsed.to_string()
    if parsed.is_geographic:
        raise CRSError(
            f"crs {name} is geographic (degrees); distances must be measured in metres: "
            'use "auto" or a projected CRS such as EPSG:32651'
        )
    epsg = parsed.to_epsg()
    if epsg in _WEB_MERCATOR or "pseudo-mercator" in parsed.name.lower():
        raise CRSError(
            f"crs {name} is Web Mercator, which stretches distances by 1/cos(latitude) "
            '(about 17 % at Shanghai); use "auto" (UTM) or another metric projected CRS'
        )
    if not parsed.is_projected:
        raise CRSError(f'crs {name} is not a projected CRS; use "auto" or a UTM zone')
    units = {axis.unit_name for axis in parsed.axis_info}
    if units != {"metre"}:
        raise CRSError(
            f"crs {name} measures in {', '.join(sorted(units))}, not metres; "
            'use "auto" or a CRS in metres'
        )
    return parsed


def choose_crs(frame: gpd.GeoDataFrame, requested: str | None = "auto") -> CRS:
    """Return the metric CRS to measure a WGS84 frame in.

    Parameters
    ----------
    frame
        Features in EPSG:4326 (all of a study's layers).
    requested
        ``"auto"`` or None for the UTM zone of the frame's centre, else a CRS
        (EPSG code, WKT, PROJ string) that :func:`check_metric_crs` accepts.

    Returns
    -------
    pyproj.CRS
        A projected CRS in metres.
    """
    if requested is None or str(requested).strip().lower() == "auto":
        lon, lat = _centre(frame)
        crs = utm_crs_for(lon, lat)
        logger.info("measuring in %s (auto, from the study's centre %.4f, %.4f)", crs, lon, lat)
        return crs
    crs = check_metric_crs(requested)
    check_crs_fits(frame, crs)
    return crs


def check_crs_fits(
    frame: gpd.GeoDataFrame,
    crs: CRS,
    *,
    what: str = "the study",
    hint: str = 'use "auto" or a projection centred on the study',
    path: str | None = None,
    argument: str | None = None,
) -> None:
    """Refuse a CRS ``frame`` cannot be measured in: out of its view, or not to scale.

    Every vertex must project to finite coordinates (an orthographic view of the
    other hemisphere gives infinities, a UTM zone the poles), and a kilometre at
    the frame's centre must measure between 100 m and 10 km (closer to a
    kilometre, the geodesic check warns).

    Parameters
    ----------
    frame
        Features in EPSG:4326: a study's layers, or other features measured in
        the study's CRS (candidate parcels).
    crs
        The metric CRS.
    what
        What ``frame`` is, for the message.
    hint
        What to do instead, for the message.
    path, argument
        The file and the argument the error is about, if any.

    Raises
    ------
    CRSError
        When ``frame`` cannot be measured in ``crs``.
    """
    try:
        _check_fits(frame, crs, what, hint)
    except CRSError as exc:
        raise CRSError(exc.message, path=path, argument=argument) from None


def check_within_reach(
    frame: gpd.GeoDataFrame,
    study: gpd.GeoDataFrame,
    *,
    reach_m: float,
    what: str,
    path: str | None = None,
    argument: str | None = None,
) -> None:
    """Refuse features of ``frame`` farther than ``reach_m`` from the centre of ``study``.

    Features measured in a study's CRS (candidate parcels) must lie where that
    CRS measures metres: within the reach of the study's centre (geodesic), not
    across the globe or at a pole.

    Parameters
    ----------
    frame, study
        WGS84 features: those to check, and the study's (its centre is the
        centre of their extent).
    reach_m
        The farthest a feature may lie from the study's centre, in metres.
    what, path, argument
        What ``frame`` is, its file and the argument it came from, for the message.

    Raises
    ------
    CRSError
        Naming how many features lie too far and the farthest distance.
    """
    if frame.empty:
        return
    lon0, lat0 = _centre(study)
    points = frame.geometry.representative_point()
    lon, lat = points.x.to_numpy(dtype=float), points.y.to_numpy(dtype=float)
    _, _, dist = _GEOD.inv(np.full(len(lon), lon0), np.full(len(lat), lat0), lon, lat)
    far = np.asarray(dist) > reach_m
    if far.any():
        raise CRSError(
            f"{int(far.sum()):,} of {what} lie more than {reach_m / 1000:,.0f} km from the "
            f"study's centre (up to {float(np.max(dist)) / 1000:,.0f} km), beyond what one "
            "projection measures; give candidates near the study",
            path=path,
            argument=argument,
        )


def _check_fits(frame: gpd.GeoDataFrame, crs: CRS, what: str, hint: str) -> None:
    name = crs.to_string()
    try:
        to_crs = from_wgs84(crs)
        xy = frame.geometry.get_coordinates().to_numpy()
        x, y = to_crs.transform(xy[:, 0], xy[:, 1], errcheck=False)
        lon, lat = _centre(frame)
        lon2, lat2, _ = _GEOD.fwd(lon, lat, 90.0, 1000.0)
        cx, cy = to_crs.transform([lon, lon2], [lat, lat2], errcheck=True)
    except ProjError as exc:
        raise CRSError(
            f"crs {name} cannot project {what} ({' '.join(str(exc).split())[:120]}); {hint}"
        ) from None
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise CRSError(
            f"crs {name} cannot show the whole of {what} (some positions project to "
            f"infinity: they are out of its view or area); {hint}"
        )
    scale = math.hypot(cx[1] - cx[0], cy[1] - cy[0]) / 1000.0
    if not math.isfinite(scale) or not 1 / _MAX_SCALE_FACTOR <= scale <= _MAX_SCALE_FACTOR:
        raise CRSError(
            f"crs {name} stretches distances by a factor of {scale:.3g} at the centre of "
            f"{what} (more than {_MAX_SCALE_FACTOR:g} times off); it does not measure "
            f"metres there: {hint}"
        )


@functools.lru_cache(maxsize=64)
def _transformer(source: str, target: str) -> Transformer:
    return Transformer.from_crs(source, target, always_xy=True)


def _key(crs: Any) -> str:
    return str(CRS.from_user_input(crs).to_wkt())


def to_wgs84(crs: Any) -> Transformer:
    """Return the transformer from ``crs`` to WGS84 longitude and latitude (cached, x then y).

    Examples
    --------
    >>> lon, lat = to_wgs84("EPSG:32651").transform(500000.0, 0.0)
    >>> round(lon, 6), round(lat, 6)
    (123.0, 0.0)
    """
    return _transformer(_key(crs), _key(4326))


def from_wgs84(crs: Any) -> Transformer:
    """Return the transformer from WGS84 longitude and latitude to ``crs`` (cached, x then y).

    Examples
    --------
    >>> x, y = from_wgs84("EPSG:32651").transform(123.0, 0.0)
    >>> round(x, 3), round(y, 3)
    (500000.0, 0.0)
    """
    return _transformer(_key(4326), _key(crs))
