"""Base-map tiles for siteplan's maps: named providers, URL templates, datums.

:func:`resolve_tiles` turns what a user asked for (``tiles``) into a
:class:`TileChoice`: the Leaflet URL template, its attribution (safe HTML), and
the datum its tiles are drawn in. Most tile services draw WGS84 positions;
Amap/Gaode and Tencent draw GCJ-02, so WGS84 overlays sit about 0.5 km off on
them unless the overlays are shifted (the map does that). Baidu tiles are
refused: they use BD-09 coordinates *and* Baidu's own Mercator tile grid, which
is not the standard XYZ grid Leaflet expects, so shifting the overlays is not
enough to line them up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

import xyzservices  # type: ignore[import-untyped]

from siteplan.errors import ParameterError
from siteplan.maps.escape import html_text

__all__ = ["DEFAULT_TILES", "TileChoice", "resolve_tiles"]

DEFAULT_TILES: Final = "default"
"""OpenStreetMap for online maps, no tiles for offline ones."""

_AMAP_ATTRIBUTION: Final = (
    "&copy; AutoNavi / Amap (高德地图); overlays shifted to GCJ-02 to match these tiles"
)
_AMAP: Final = {
    "amap": "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}",
    "amapsatellite": "https://webst0{s}.is.autonavi.com/appmaptile?style=6&x={x}&y={y}&z={z}",
}
_AMAP_ALIASES: Final = {
    "amap": "amap",
    "gaode": "amap",
    "autonavi": "amap",
    "amaproads": "amap",
    "gaodenormal": "amap",
    "amapsatellite": "amapsatellite",
    "gaodesatellite": "amapsatellite",
}
_BAIDU_NAMES: Final = frozenset({"baidu", "baidumap", "baidumaps", "bmap", "bd09"})
_BAIDU_HOSTS: Final = ("baidu.com", "bdimg.com", "bdstatic.com")
_GCJ02_HOSTS: Final = ("autonavi.com", "amap.com", "gtimg.com", "map.qq.com")
_BAIDU_REFUSAL: Final = (
    "Baidu tiles cannot be used: Baidu draws BD-09 coordinates on its own Mercator "
    "tile grid, not the standard XYZ grid Leaflet uses, so even overlays shifted to BD-09 "
    "would not line up with its tiles; use tiles='amap' (GCJ-02, overlays are shifted "
    "to match), OpenStreetMap, or a WGS84 tile server"
)
_PLACEHOLDERS: Final = re.compile(r"\{(?:s|z|x|y|-y|r)\}")
_BAD_URL_CHARS: Final = re.compile(r"[\s\x00-\x1f\x7f<>\"'`\\]")


@dataclass(frozen=True)
class TileChoice:
    """The base map a map draws under its overlays.

    Attributes
    ----------
    url
        The Leaflet URL template (``{z}``, ``{x}``, ``{y}``, optional ``{s}``).
    attribution
        Attribution as safe HTML (user text escaped; provider links kept).
    name
        A display name (plain text; escape it before putting it in HTML).
    datum
        The datum the tiles are drawn in: ``wgs84`` or ``gcj02``.
    subdomains
        The values of ``{s}``.
    max_zoom
        The highest zoom level the provider serves.
    """

    url: str
    attribution: str
    name: str
    datum: str
    subdomains: str = "abc"
    max_zoom: int = 19


def _key(name: str) -> str:
    return re.sub(r"[\s._-]+", "", name.lower())


def _datum_for_host(host: str) -> str:
    if any(host == h or host.endswith("." + h) for h in _GCJ02_HOSTS):
        return "gcj02"
    return "wgs84"


def _is_baidu_host(host: str) -> bool:
    return any(host == h or host.endswith("." + h) for h in _BAIDU_HOSTS)


def _from_url(url: str, attribution: str | None) -> TileChoice:
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ParameterError(
            f"tiles {url!r} is not an http(s) URL template; give a name such as "
            "OpenStreetMap, 'none', or a template like https://tiles.example.org/{z}/{x}/{y}.png",
            argument="tiles",
        )
    if _BAD_URL_CHARS.search(url):
        raise ParameterError(
            f"tiles {url!r} holds spaces, quotes, backslashes, '<' or '>', which a URL "
            "cannot hold; percent-encode them",
            argument="tiles",
        )
    missing = [p for p in ("{z}", "{x}") if p not in url]
    if "{y}" not in url and "{-y}" not in url:
        missing.append("{y}")
    if missing:
        raise ParameterError(
            f"tiles {url!r} lacks {', '.join(missing)}; a tile URL template needs "
            "{z}, {x} and {y}, e.g. https://tiles.example.org/{z}/{x}/{y}.png",
            argument="tiles",
        )
    if re.search(r"[{}]", _PLACEHOLDERS.sub("", url)):
        raise ParameterError(
            f"tiles {url!r} has braces other than the placeholders {{s}}, {{z}}, {{x}}, "
            "{y}, {-y} and {r}; percent-encode them (%7B, %7D)",
            argument="tiles",
        )
    host = parts.hostname.lower()
    if _is_baidu_host(host):
        raise ParameterError(_BAIDU_REFUSAL, argument="tiles")
    text = attribution if attribution is not None else f"Map tiles: {host}"
    if not text.strip():
        raise ParameterError(
            "attribution is empty; tile services require credit, give their attribution text",
            argument="attribution",
        )
    return TileChoice(url=url, attribution=html_text(text), name=host, datum=_datum_for_host(host))


def _from_name(name: str) -> TileChoice:
    key = _key(name)
    if key in _AMAP_ALIASES:
        url = _AMAP[_AMAP_ALIASES[key]]
        label = "Amap satellite" if _AMAP_ALIASES[key] == "amapsatellite" else "Amap"
        return TileChoice(url, _AMAP_ATTRIBUTION, label, "gcj02", subdomains="1234", max_zoom=18)
    query = "OpenStreetMap.Mapnik" if key == "openstreetmap" else name
    try:
        provider = xyzservices.providers.query_name(query)
    except ValueError:
        raise ParameterError(
            f"tiles {name!r} is not a known tile provider; use a name such as "
            "OpenStreetMap, OpenTopoMap, Esri.WorldImagery or amap, 'none', or a URL "
            "template like https://tiles.example.org/{z}/{x}/{y}.png",
            argument="tiles",
        ) from None
    if provider.requires_token():
        raise ParameterError(
            f"tiles {name!r} ({provider.name}) needs an API key; give its URL template "
            "with your key instead, e.g. tiles='https://.../{z}/{x}/{y}.png?key=...' "
            "and attribution='...'",
            argument="tiles",
        )
    url = provider.build_url(fill_subdomain=False, scale_factor="{r}")
    host = (urlsplit(url).hostname or "").lower()
    if _is_baidu_host(host):  # pragma: no cover - xyzservices lists no Baidu provider today
        raise ParameterError(_BAIDU_REFUSAL, argument="tiles")
    datum = "gcj02" if provider.name.startswith("Gaode") else _datum_for_host(host)
    return TileChoice(
        url=url,
        attribution=str(provider.get("html_attribution") or html_text(provider.attribution)),
        name=str(provider.name),
        datum=datum,
        subdomains=str(provider.get("subdomains", "abc")),
        max_zoom=int(provider.get("max_zoom", 19)),
    )


def resolve_tiles(
    tiles: str | None,
    *,
    offline: bool = False,
    attribution: str | None = None,
    tiles_datum: str | None = None,
) -> TileChoice | None:
    """Return the base map a user asked for, or None for no tiles.

    Parameters
    ----------
    tiles
        ``"default"`` (OpenStreetMap online, none offline), ``"none"`` or None,
        a provider name (``OpenStreetMap``, ``OpenTopoMap``, ``amap``, any
        key-free name xyzservices knows), or an http(s) URL template.
    offline
        Offline maps take no named provider (those are internet services);
        they take ``none`` or the URL template of a server the user can reach.
    attribution
        Credit for a URL template's tiles (default ``Map tiles: HOST``); plain
        text, escaped here.
    tiles_datum
        The datum of the tiles, ``wgs84`` or ``gcj02``, when the URL does not
        tell (for example an intranet mirror of Amap tiles).

    Returns
    -------
    TileChoice or None
        None when the map has no tiles.

    Raises
    ------
    ParameterError
        For unknown names, malformed templates, providers needing a key, Baidu
        tiles, and named providers in offline maps.

    Examples
    --------
    >>> resolve_tiles("amap").datum
    'gcj02'
    >>> resolve_tiles("default", offline=True) is None
    True
    """
    datum = tiles_datum
    if datum is not None and datum not in {"wgs84", "gcj02"}:
        if datum == "bd09":
            raise ParameterError(_BAIDU_REFUSAL, argument="tiles_datum")
        raise ParameterError(
            f"tiles_datum {datum!r} is not one of wgs84, gcj02", argument="tiles_datum"
        )
    if tiles is None or tiles.strip().lower() == "none":
        choice = None
    elif tiles == DEFAULT_TILES:
        choice = None if offline else _from_name("OpenStreetMap")
    else:
        text = tiles.strip()
        if _key(text) in _BAIDU_NAMES:
            raise ParameterError(_BAIDU_REFUSAL, argument="tiles")
        if "://" in text:
            choice = _from_url(text, attribution)
        elif offline:
            raise ParameterError(
                f"tiles {text!r} is an internet tile service, which an offline map "
                "cannot use; give tiles='none', or the URL template of a tile server you "
                "can reach (e.g. an intranet server)",
                argument="tiles",
            )
        else:
            choice = _from_name(text)
    if attribution is not None and (choice is None or "://" not in (tiles or "")):
        raise ParameterError(
            "attribution applies to a tiles URL template only; named providers bring "
            "their own attribution",
            argument="attribution",
        )
    if choice is not None and datum is not None and datum != choice.datum:
        choice = TileChoice(
            choice.url,
            choice.attribution,
            choice.name,
            datum,
            choice.subdomains,
            choice.max_zoom,
        )
    return choice
