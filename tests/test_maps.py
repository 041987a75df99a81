"""Folium maps: layers, legend, notes, tiles, offline bundles and escaping (rendered HTML)."""

from __future__ import annotations

import dataclasses
import html
import json
import os
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hostile import (
    ENV_SENTINEL,
    PAYLOADS,
    WITH_NUL,
    by_key,
    filename_safe,
    is_markup,
    texts,
    write_hostile_study,
)
from pyproj import Geod

import siteplan
from siteplan.analysis import Result
from siteplan.errors import OutputError, ParameterError
from siteplan.load._datum import wgs84_to_gcj02
from siteplan.maps.escape import clean_text, html_text, js_json
from siteplan.maps.make import make_map, render_map, write_map

OFFLINE_LIMIT = 1_500_000
TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
FRAGMENT_TAGS = {"div", "b", "br", "table", "tr", "th", "td", "span"}
FRAGMENT_ATTRS = {"class", "lang"}
DOCUMENT_TAGS = {
    "html",
    "head",
    "title",
    "meta",
    "style",
    "script",
    "link",
    "body",
    "div",
    "h1",
    "b",
    "p",
    "span",
}
RAW_DANGER = set("<>\"'`\u2028\u2029")  # '&' alone only garbles display (checked elsewhere)
DOCUMENT_ATTRS = {"http-equiv", "content", "name", "src", "href", "rel", "class", "id", "style"}


# -- parsing helpers ----------------------------------------------------------------


def must_not_appear_raw(text: str) -> bool:
    """Whether a payload's raw text would change a page's meaning (single characters
    such as a lone quote occur in any page and are checked through structure)."""
    return is_markup(text) and len(text) > 1 and any(ch in RAW_DANGER for ch in text)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []
        self.title: list[str] = []
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))
        self._in_title = tag == "title"

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._in_title:
            self.title.append(data)


def parse(markup: str) -> _Collector:
    collector = _Collector()
    collector.feed(markup)
    collector.close()
    return collector


def fragment_text(fragment: str) -> str:
    """Parse a popup/tooltip/label fragment, check it holds only siteplan's markup."""
    parsed = parse(fragment)
    for tag, attrs in parsed.tags:
        assert tag in FRAGMENT_TAGS, (tag, fragment[:200])
        for name, _ in attrs:
            assert name in FRAGMENT_ATTRS, (tag, name, fragment[:200])
    return "".join(parsed.text)


def layer_blobs(markup: str) -> list[dict[str, Any]]:
    """Return the FeatureCollections embedded in ``siteplan.layer(...)`` calls."""
    decoder = json.JSONDecoder()
    blobs = []
    for match in re.finditer(r"siteplan\.layer\(\s*", markup):
        blob, _ = decoder.raw_decode(markup, match.end())
        blobs.append(blob)
    return blobs


def features(markup: str, class_name: str | None = None) -> list[dict[str, Any]]:
    found = [f for blob in layer_blobs(markup) for f in blob["features"]]
    if class_name is None:
        return found
    return [f for f in found if f["properties"]["style"]["className"] == class_name]


def overlays(markup: str) -> dict[str, str]:
    """Return the layer control's overlays: display name (HTML) -> JS variable."""
    block = re.search(r"overlays :\s*\{(.*?)\n\s*\},", markup, re.DOTALL)
    assert block is not None
    out = {}
    for line in block.group(1).splitlines():
        m = re.fullmatch(r'\s*(".*")\s*:\s*(\w+),', line)
        if m:
            out[json.loads(m.group(1))] = m.group(2)
    return out


def attribution(markup: str) -> str:
    """Return the tile layer's attribution (HTML) as Leaflet receives it."""
    m = re.search(r'"attribution": (".*"),\n', markup)
    assert m is not None
    value: str = json.loads(m.group(1))
    return value


def map_variable(markup: str) -> str:
    m = re.search(r"var (map_\w+) = L\.map\(", markup)
    assert m is not None
    return m.group(1)


def shown(markup: str, variable: str) -> bool:
    return f"{variable}.addTo({map_variable(markup)})" in markup


def site_popup(markup: str, site_id: str) -> str:
    for feature in features(markup, "siteplan-site"):
        text = fragment_text(feature["properties"]["popup"])
        if re.search(rf"\bId{re.escape(clean_text(site_id))}", text):
            return text
    raise AssertionError(f"no popup for {site_id!r}")


# -- fixtures -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundled_result() -> Result:
    return siteplan.analyze()


@pytest.fixture(scope="module")
def offline_html(bundled_result: Result) -> str:
    return render_map(make_map(bundled_result, offline=True))


@pytest.fixture(scope="module")
def online_html(bundled_result: Result) -> str:
    return render_map(make_map(bundled_result))


@pytest.fixture(scope="module")
def hostile_result(tmp_path_factory: pytest.TempPathFactory) -> Result:
    return siteplan.analyze(write_hostile_study(tmp_path_factory.mktemp("hostile")))


@pytest.fixture(scope="module")
def hostile_html(hostile_result: Result) -> str:
    return render_map(make_map(hostile_result, offline=True))


@pytest.fixture(scope="module")
def hostile_online_html(hostile_result: Result) -> str:
    return render_map(make_map(hostile_result, tiles=TILE_URL, attribution=PAYLOADS[0].text))


@pytest.fixture(autouse=True)
def _no_template_injection() -> Iterator[None]:
    yield
    assert ENV_SENTINEL not in os.environ, "user text was evaluated as a Jinja template"


# -- layers, legend, notes ----------------------------------------------------------


def test_bundled_map_draws_every_layer(offline_html: str) -> None:
    assert len(features(offline_html, "siteplan-site")) == 4
    assert len(features(offline_html, "siteplan-ring")) == 16
    assert len(features(offline_html, "siteplan-pair")) == 6
    assert len(features(offline_html, "siteplan-pair-label")) == 6
    assert len(features(offline_html, "siteplan-boundary")) == 1
    assert len(features(offline_html, "siteplan-context")) == 6  # stations and the river
    names = list(overlays(offline_html))
    assert names[:2] == ["Sites (coloured by score)", "Site pairs (distance · score)"]
    assert sum(n.startswith("Rings: ") for n in names) == 4
    assert "Boundary: simz_boundary" in names
    assert "Context: metro_stations" in names
    assert "L.control.layers(" in offline_html
    assert "L.control.scale()" in offline_html
    assert ".fitBounds(" in offline_html


def test_only_the_focus_sites_rings_are_shown_first(offline_html: str) -> None:
    rings = {n: v for n, v in overlays(offline_html).items() if n.startswith("Rings: ")}
    visible = [n for n, v in rings.items() if shown(offline_html, v)]
    assert visible == ["Rings: Zhangjiang Gene Island (CGT park)"]
    assert next(iter(rings)) == visible[0]  # the focus is listed first
    others = {n: v for n, v in overlays(offline_html).items() if not n.startswith("Rings: ")}
    assert all(shown(offline_html, v) for v in others.values())


def test_sites_sharing_a_name_keep_one_ring_layer_each(tmp_path: Path) -> None:
    features = [
        {
            "type": "Feature",
            "properties": {"id": f"s{i}", "name": "Same name"},
            "geometry": {"type": "Point", "coordinates": [121.60 + 0.01 * i, 31.10]},
        }
        for i in range(3)
    ]
    path = tmp_path / "sites.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    page = render_map(make_map(siteplan.analyze(path), tiles="none"))
    rings = sorted(n for n in overlays(page) if n.startswith("Rings: "))
    assert rings == ["Rings: s0: Same name", "Rings: s1: Same name", "Rings: s2: Same name"]


def test_sites_are_coloured_by_score_on_the_named_scale(
    offline_html: str, bundled_result: Result
) -> None:
    import branca.colormap

    scale = branca.colormap.linear.viridis.scale(0, 100)
    colours = [
        f["properties"]["style"]["fillColor"] for f in features(offline_html, "siteplan-site")
    ]
    expected = [scale.rgb_hex_str(s) for s in bundled_result.sites["score"]]
    assert colours == expected
    assert len(set(colours)) == 4
    assert "colour scale: viridis" in offline_html
    assert 'class="siteplan-panel siteplan-legend"' in offline_html


def test_popups_and_tooltips_carry_names_score_nearest_provenance(offline_html: str) -> None:
    text = site_popup(offline_html, "cgt_park")
    for expected in (
        "Zhangjiang Gene Island (CGT park)",
        "张江基因岛",
        "Score75.0 (rank 3 of 4)",
        "Fudan University Shanghai Cancer Center, Pudong campus (cancer_center), 343 m",
        "schematic, ±1,000 m",
        "China Daily",
        "Area79,969 m²",
    ):
        assert expected in text
    tooltips = [
        fragment_text(f["properties"]["tooltip"]) for f in features(offline_html, "siteplan-site")
    ]
    assert (
        "Zhangjiang Gene Island (CGT park) 张江基因岛 (focus)score 75.0 · rank 3 of 4" in tooltips
    )


def test_pair_lines_are_labelled_with_distance_and_score(offline_html: str) -> None:
    labels = {
        fragment_text(f["properties"]["label"])
        for f in features(offline_html, "siteplan-pair-label")
    }
    assert {"343 m · 100.0", "1.22 km · 50.0", "40 m · 100.0"} <= labels
    tips = [
        fragment_text(f["properties"]["tooltip"]) for f in features(offline_html, "siteplan-pair")
    ]
    assert any("edge 1,217 m" in t and "within the 2,000 m ring" in t for t in tips)


def test_schematic_note_is_shown_only_for_schematic_studies(
    offline_html: str, tmp_path: Path
) -> None:
    assert "Schematic positions." in offline_html
    assert "SCHEMATIC, not surveyed" in offline_html
    layer = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"id": f"s{i}", "name": f"Site {i}", "placement": "surveyed"},
                "geometry": {"type": "Point", "coordinates": [121.60 + 0.01 * i, 31.10]},
            }
            for i in range(3)
        ],
    }
    (tmp_path / "sites.geojson").write_text(json.dumps(layer), encoding="utf-8")
    markup = render_map(make_map(siteplan.analyze(tmp_path), offline=True))
    assert "Schematic positions." not in markup
    assert len(features(markup, "siteplan-site")) == 3  # points drawn as circle markers
    assert len(features(markup, "siteplan-pair")) == 3


def test_a_single_site_study_still_renders(tmp_path: Path) -> None:
    layer = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"id": "only", "name": "Only site"},
                "geometry": {"type": "Point", "coordinates": [121.6, 31.1]},
            }
        ],
    }
    (tmp_path / "one.geojson").write_text(json.dumps(layer), encoding="utf-8")
    markup = render_map(make_map(siteplan.analyze(tmp_path)))
    assert len(features(markup, "siteplan-site")) == 1
    assert features(markup, "siteplan-pair") == []


# -- determinism and writing ----------------------------------------------------------


def test_maps_are_byte_identical_across_runs(tmp_path: Path) -> None:
    first = write_map(siteplan.analyze(), tmp_path / "a.html", offline=True)
    second = write_map(siteplan.analyze(), tmp_path / "b.html", offline=True)
    assert first.read_bytes() == second.read_bytes()
    online = [render_map(make_map(siteplan.analyze(), tiles="amap")) for _ in range(2)]
    assert online[0] == online[1]
    assert not re.search(r"[0-9a-f]{32}", online[0])  # no random branca ids left


def test_write_map_refuses_to_overwrite_an_input(bundled_result: Result) -> None:
    study_file = bundled_result.inputs[0]
    before = study_file.read_bytes()
    with pytest.raises(OutputError, match="one of the inputs"):
        write_map(bundled_result, study_file)
    assert study_file.read_bytes() == before


# -- offline and online bundles -------------------------------------------------------


def test_offline_map_is_small_and_fetches_nothing(bundled_result: Result, tmp_path: Path) -> None:
    path = write_map(bundled_result, tmp_path / "out" / "map.html", offline=True)
    data = path.read_bytes()
    assert len(data) < OFFLINE_LIMIT
    markup = data.decode("utf-8")
    parsed = parse(markup)
    for tag, attrs in parsed.tags:
        assert tag != "link", attrs
        for name, value in attrs:
            if name in {"src", "href"}:
                raise AssertionError(f"offline map references {value!r}")
    for url in re.findall(r"url\(\s*['\"]?([^)'\"]*)", markup):
        assert url.startswith(("data:", "#")), url
    assert "@import" not in markup
    assert "sourceMappingURL" not in markup
    assert "L.tileLayer(" not in markup
    assert "window.L=" in markup or "exports.L" in markup or "L = exports" in markup
    assert "measure tool, fullscreen button and minimap were left out" in markup
    for plugin in ("L.Control.Measure", "L.control.fullscreen", "L.Control.MiniMap"):
        assert plugin not in markup


def test_online_map_loads_leaflet_and_plugins_from_cdns(online_html: str) -> None:
    sources = [
        dict(attrs).get("src") or dict(attrs).get("href")
        for tag, attrs in parse(online_html).tags
        if tag in {"script", "link"}
    ]
    external = [s for s in sources if s]
    assert any(s.endswith("leaflet@1.9.3/dist/leaflet.js") for s in external)
    assert any("leaflet-measure" in s for s in external)
    assert any("Control.FullScreen" in s for s in external)
    assert any("Control.MiniMap" in s for s in external)
    assert not any(("jquery" in s or "bootstrap" in s or "fontawesome" in s) for s in external)
    assert "openstreetmap.org" in online_html
    assert "left out" not in online_html


def test_offline_map_takes_a_tile_url_and_online_map_takes_none(bundled_result: Result) -> None:
    markup = render_map(make_map(bundled_result, offline=True, tiles=TILE_URL))
    assert json.dumps(TILE_URL) in markup
    assert "Map tiles: tiles.example.org" in markup
    bare = render_map(make_map(bundled_result, tiles="none"))
    assert "L.tileLayer(" not in bare
    assert "L.Control.MiniMap" not in bare  # a minimap needs tiles
    assert "L.Control.Measure" in bare


# -- tiles ----------------------------------------------------------------------------


def test_named_providers_and_url_templates(bundled_result: Result) -> None:
    topo = render_map(make_map(bundled_result, tiles="OpenTopoMap"))
    assert "tile.opentopomap.org" in topo
    custom = render_map(make_map(bundled_result, tiles=TILE_URL, attribution="© Example"))
    assert attribution(custom) == "© Example"
    assert '"Tiles: tiles.example.org" : tile_layer_' in custom  # a base layer


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"tiles": "no such provider"}, "not a known tile provider"),
        ({"tiles": "javascript:alert(1)"}, "not a known tile provider"),
        ({"tiles": "ftp://tiles.example.org/{z}/{x}/{y}.png"}, "not an http"),
        ({"tiles": "https://tiles.example.org/{z}/{x}.png"}, "lacks {y}"),
        ({"tiles": 'https://tiles.example.org/{z}/{x}/{y}.png?"><b>'}, "percent-encode"),
        ({"tiles": "https://t.example.org/{z}/{x}/{y}.png?{{7*7}}"}, "braces"),
        ({"tiles": "OpenStreetMap", "offline": True}, "cannot use"),
        ({"tiles": "amap", "offline": True}, "cannot use"),
        ({"tiles": "OpenStreetMap", "attribution": "x"}, "URL template only"),
        ({"tiles": TILE_URL, "attribution": "  "}, "attribution is empty"),
        ({"tiles": "CartoDB Positron"}, "needs an API key"),
        ({"tiles": TILE_URL, "tiles_datum": "utm"}, "not one of wgs84, gcj02"),
    ],
)
def test_bad_tile_options_are_refused(
    bundled_result: Result, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(ParameterError, match=re.escape(message)):
        make_map(bundled_result, **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"tiles": "no such provider"}, "tiles"),
        ({"tiles": "ftp://tiles.example.org/{z}/{x}/{y}.png"}, "tiles"),
        ({"tiles": "OpenStreetMap", "offline": True}, "tiles"),
        ({"tiles": "CartoDB Positron"}, "tiles"),
        ({"tiles": "baidu"}, "tiles"),
        ({"tiles": "OpenStreetMap", "attribution": "x"}, "attribution"),
        ({"tiles": TILE_URL, "attribution": "  "}, "attribution"),
        ({"tiles": TILE_URL, "tiles_datum": "utm"}, "tiles_datum"),
        ({"tiles": TILE_URL, "tiles_datum": "bd09"}, "tiles_datum"),
    ],
)
def test_tile_errors_name_the_python_argument(
    bundled_result: Result, kwargs: dict[str, Any], argument: str
) -> None:
    with pytest.raises(ParameterError) as info:
        make_map(bundled_result, **kwargs)
    assert info.value.argument == argument
    assert "--" not in str(info.value)  # no command-line flags in library errors


@pytest.mark.parametrize(
    "kwargs",
    [
        {"tiles": "baidu"},
        {"tiles": "Baidu Maps"},
        {"tiles": "https://maponline0.bdimg.com/tile/?qt=vtile&x={x}&y={y}&z={z}"},
        {"tiles": TILE_URL, "tiles_datum": "bd09"},
    ],
)
def test_baidu_tiles_are_refused_with_the_reason(
    bundled_result: Result, kwargs: dict[str, Any]
) -> None:
    with pytest.raises(ParameterError, match="BD-09") as info:
        make_map(bundled_result, **kwargs)
    assert "tile grid" in str(info.value)


def _vertex(markup: str, class_name: str, index: int = 0) -> tuple[float, float]:
    geometry = features(markup, class_name)[index]["geometry"]
    coords = np.asarray(
        geometry["coordinates"][0] if geometry["type"] == "Polygon" else geometry["coordinates"]
    ).reshape(-1, 2)
    return float(coords[0, 0]), float(coords[0, 1])


@pytest.mark.parametrize(
    "kwargs",
    [
        {"tiles": "amap"},
        {"tiles": "gaode satellite"},
        {"tiles": "https://webrd01.is.autonavi.com/appmaptile?x={x}&y={y}&z={z}&style=8"},
        {"tiles": "https://tiles.intranet.example/{z}/{x}/{y}.png", "tiles_datum": "gcj02"},
    ],
)
def test_amap_tiles_shift_every_overlay_to_gcj02(
    online_html: str, bundled_result: Result, kwargs: dict[str, Any]
) -> None:
    shifted = render_map(make_map(bundled_result, **kwargs))
    geod = Geod(ellps="WGS84")
    for class_name in ("siteplan-site", "siteplan-ring", "siteplan-context", "siteplan-boundary"):
        lon, lat = _vertex(online_html, class_name)
        slon, slat = _vertex(shifted, class_name)
        elon, elat = wgs84_to_gcj02(lon, lat)
        assert slon == pytest.approx(float(elon), abs=2e-6)
        assert slat == pytest.approx(float(elat), abs=2e-6)
        _, _, metres = geod.inv(lon, lat, slon, slat)
        assert 440 < metres < 500
    assert "Shifted to GCJ-02." in shifted
    assert "Shifted to GCJ-02." not in online_html


def test_amap_map_bounds_follow_the_shift(online_html: str, bundled_result: Result) -> None:
    def bounds(markup: str) -> list[list[float]]:
        m = re.search(r"\.fitBounds\(\s*(\[\[.*?\]\])", markup, re.DOTALL)
        assert m is not None
        return json.loads(m.group(1))

    plain, shifted = bounds(online_html), bounds(render_map(make_map(bundled_result, tiles="amap")))
    assert shifted[0][1] - plain[0][1] == pytest.approx(0.0042, abs=0.0003)
    assert shifted[0][0] - plain[0][0] == pytest.approx(-0.0023, abs=0.0003)


# -- escaping -------------------------------------------------------------------------


@pytest.mark.parametrize("text", [*texts(), WITH_NUL, "\ud800 lone surrogate"])
def test_js_json_is_inert_inside_a_script(text: str) -> None:
    encoded = js_json({"text": text, "nested": [text]})
    for forbidden in ("<", ">", "&", "'", "`", "\u2028", "\u2029", "{{", "{%", "{#"):
        assert forbidden not in encoded
    assert json.loads(encoded) == {"text": text, "nested": [text]}


@pytest.mark.parametrize("text", [*texts(), WITH_NUL, "\ud800 lone surrogate"])
def test_html_text_is_inert_in_text_and_attributes(text: str) -> None:
    escaped = html_text(text)
    for forbidden in "<>\"'`{}\u2028\u2029\x00":
        assert forbidden not in escaped
    assert html.unescape(escaped) == clean_text(text)
    escaped.encode("utf-8")  # no lone surrogates left


def test_clean_text() -> None:
    assert clean_text(None) == ""
    assert clean_text(float("nan")) == ""
    assert clean_text("a\x00b\x07c\td\n") == "a\ufffdb\ufffdc\td\n"
    assert clean_text("\ud800") == "\ufffd"
    assert clean_text(12) == "12"


def test_hostile_study_reads_back_unchanged(hostile_result: Result) -> None:
    # Otherwise the escaping tests below would test less than they claim.
    assert set(hostile_result.sites["name"]) == set(texts())
    assert set(hostile_result.data.context["layer"]) == {p.text for p in filename_safe()}
    assert hostile_result.schematic


def test_no_hostile_payload_appears_raw(hostile_html: str, hostile_online_html: str) -> None:
    for markup in (hostile_html, hostile_online_html):
        for payload in PAYLOADS:
            if must_not_appear_raw(payload.text):
                assert payload.text not in markup, payload.key
        assert "`" not in markup  # the lone backtick: no template literal anywhere
        assert "{{" not in markup
        assert "{%" not in markup
        opened = len(re.findall(r"<script", markup, re.IGNORECASE))
        closed = len(re.findall(r"</script", markup, re.IGNORECASE))
        assert opened == closed
    assert len(re.findall(r"<script", hostile_html, re.IGNORECASE)) == 4


def test_hostile_document_holds_only_siteplans_markup(hostile_html: str) -> None:
    parsed = parse(hostile_html)
    for tag, attrs in parsed.tags:
        assert tag in DOCUMENT_TAGS, tag
        for name, value in attrs:
            assert name in DOCUMENT_ATTRS, (tag, name)
            assert not name.startswith("on")
            assert "javascript:" not in (value or "").lower()
    assert "".join(parsed.title) == clean_text(by_key("title_close"))


def test_every_hostile_site_field_shows_as_text(hostile_html: str, hostile_result: Result) -> None:
    popups = [
        fragment_text(f["properties"]["popup"]) for f in features(hostile_html, "siteplan-site")
    ]
    assert len(popups) == len(PAYLOADS)
    by_id = {}
    for text in popups:
        matches = [s for s in texts() if f"Id{clean_text(s)}Layer" in text]
        assert len(matches) == 1
        by_id[matches[0]] = text
    columns = ("name", "name_zh", "source", "notes", "address", "accuracy_m")
    for _, row in hostile_result.sites.iterrows():
        text = by_id[row["id"]]
        for column in columns:
            assert clean_text(row[column]) in text, (row["id"], column)
    for feature in features(hostile_html):
        for key in ("tooltip", "popup", "label"):
            if key in feature["properties"]:
                fragment_text(feature["properties"][key])


def test_hostile_layer_names_and_context_features_show_as_text(hostile_html: str) -> None:
    names = {fragment_text(name) for name in overlays(hostile_html)}
    for payload in filename_safe():
        shown_name = clean_text(payload.text)
        if len(shown_name) > 80:
            shown_name = shown_name[:79] + "…"
        assert f"Context: {shown_name}" in names, payload.key
    assert any(n.startswith("Rings: ") and "onerror" in n for n in names)
    context_popups = [
        fragment_text(f["properties"]["popup"]) for f in features(hostile_html, "siteplan-context")
    ]
    assert len(context_popups) == len(filename_safe())
    for payload in filename_safe():
        assert any(clean_text(payload.text) in text for text in context_popups), payload.key
    boundary = fragment_text(features(hostile_html, "siteplan-boundary")[0]["properties"]["popup"])
    assert "${window.__pwned=1}" in boundary


@pytest.mark.parametrize("text", [*texts(), WITH_NUL], ids=[*(p.key for p in PAYLOADS), "nul"])
def test_hostile_study_names(bundled_result: Result, text: str) -> None:
    result = dataclasses.replace(
        bundled_result, study=dataclasses.replace(bundled_result.study, name=text)
    )
    markup = render_map(make_map(result, tiles="none"))
    parsed = parse(markup)
    assert "".join(parsed.title) == clean_text(text)
    assert clean_text(text) in "".join(parsed.text)
    if must_not_appear_raw(text):
        assert text not in markup
    assert all(tag in DOCUMENT_TAGS for tag, _ in parsed.tags)


@pytest.mark.parametrize("text", [*texts(), WITH_NUL], ids=[*(p.key for p in PAYLOADS), "nul"])
def test_hostile_tile_attributions(bundled_result: Result, text: str) -> None:
    markup = render_map(make_map(bundled_result, tiles=TILE_URL, attribution=text))
    assert fragment_text(attribution(markup)) == clean_text(text)
    if must_not_appear_raw(text):
        assert text not in markup
    assert "`" not in markup


# -- command line ---------------------------------------------------------------------


def test_cli_writes_an_offline_map(run_cli: Any, tmp_path: Path) -> None:
    out = tmp_path / "out" / "map.html"
    code, stdout, stderr = run_cli("map", "-o", str(out), "--offline")
    assert code == 0, stderr
    assert out.stat().st_size < OFFLINE_LIMIT
    assert stdout.startswith("wrote ")
    assert "4 sites" in stdout
    markup = out.read_text(encoding="utf-8")
    assert "L.tileLayer(" not in markup
    assert len(features(markup, "siteplan-site")) == 4


def test_cli_passes_scoring_and_tile_options(run_cli: Any, tmp_path: Path) -> None:
    out = tmp_path / "map.html"
    code, _, stderr = run_cli(
        "map", "-o", str(out), "--tiles", TILE_URL, "--attribution", "<b>Intranet</b>",
        "--decay", "linear", "--max-m", "2000",
    )  # fmt: skip
    assert code == 0, stderr
    markup = out.read_text(encoding="utf-8")
    assert attribution(markup) == "&lt;b&gt;Intranet&lt;/b&gt;"
    assert "linear decay" in markup


def test_cli_requires_an_output(run_cli: Any) -> None:
    code, _, stderr = run_cli("map")
    assert code == 2
    assert "-o" in stderr


def test_cli_refuses_baidu_in_one_line(run_cli: Any, tmp_path: Path) -> None:
    out = tmp_path / "map.html"
    code, _, stderr = run_cli("map", "-o", str(out), "--tiles", "baidu")
    assert code == 1
    assert stderr.startswith("siteplan: Baidu tiles cannot be used")
    assert stderr.count("\n") == 1
    assert "Traceback" not in stderr
    assert not out.exists()


def test_cli_refuses_to_overwrite_the_study(run_cli: Any, bundled: Path) -> None:
    before = bundled.read_bytes()
    code, _, stderr = run_cli("map", "-o", str(bundled))
    assert code == 1
    assert "one of the inputs" in stderr
    assert bundled.read_bytes() == before
