"""The proximity report (siteplan.render.report) as a library: every format, field by field."""

from __future__ import annotations

import base64
import csv
import io
import itertools
import json
import math
import re
from html.parser import HTMLParser
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest

from siteplan import _formats, analyze, render_report, write_report
from siteplan.analysis import Result
from siteplan.errors import OutputError, ParameterError
from siteplan.render.report import format_for_path, report_dict
from siteplan.render.text import escape_markdown

BUNDLED_IDS = {"cancer_center", "cgt_park", "childrens_center", "proton_center"}
# Edge distances of the bundled study: 40 m, 343 m, 538 m, 566 m, 599 m, 1217 m.
BUNDLED_RINGS = {
    ("cancer_center", "cgt_park"): 500.0,
    ("cancer_center", "childrens_center"): 1000.0,
    ("cancer_center", "proton_center"): 500.0,
    ("cgt_park", "childrens_center"): 2000.0,
    ("cgt_park", "proton_center"): 1000.0,
    ("childrens_center", "proton_center"): 1000.0,
}
SITE_FIELDS = ("id", "name", "layer", "area_m2", "score", "rank", "nearest_id", "nearest_m")
PAIR_FIELDS = ("a", "b", "edge_m", "centroid_m", "geodesic_m", "ring_m", "score")
VOID = {"meta", "img", "br", "hr", "link", "input", "source", "wbr", "col", "area", "base"}

# Hostile user text: markup, markdown table breakers, matplotlib mathtext, controls.
HOSTILE_NAME = "<img src=x onerror=alert(1)>"
HOSTILE_TEXTS = (
    HOSTILE_NAME,
    '" onmouseover="alert(2)" x="',
    "</td></tr></table><script>alert(3)</script>",
    "a|b|c\nnew line\r\n| --- |",
    "[click](javascript:alert(4)) `code` *em*",
    "&lt;script&gt; already escaped",
    "$\\frac{1}{0}$ unbalanced $x^",
    "\u2028line\u2029sep \x01\x1b[31m",
    "张江基因岛 🧬",
)
HOSTILE_SITES = 6


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def result(bundled_result: Result) -> Result:
    return bundled_result


@pytest.fixture(scope="module")
def report(result: Result) -> dict[str, Any]:
    text = render_report(result, "json")
    return json.loads(text, parse_constant=_refuse_constant)


@pytest.fixture(scope="module")
def html_page(result: Result) -> str:
    return render_report(result, "html")


def _refuse_constant(name: str) -> None:
    raise AssertionError(f"JSON report holds the non-standard constant {name}")


def _box(lon: float, lat: float, size: float = 0.002) -> dict[str, Any]:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def _feature(geometry: dict[str, Any], **properties: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def _toml_string(text: str) -> str:
    return json.dumps(text)  # a JSON string with \uXXXX escapes is a valid TOML basic string


def write_hostile_study(folder: Path) -> Path:
    """Write a small study whose every user-controlled text is hostile."""
    folder.mkdir(parents=True, exist_ok=True)
    features = [
        _feature(
            _box(121.600 + 0.004 * k, 31.100 + 0.001 * k),
            id=f"s{k}_{'<b>' if k == 0 else '$x^$'}",
            name=text,
            name_zh=text,
            notes=text,
            source=text,
            placement="schematic",
            accuracy_m=500,
        )
        for k, text in enumerate(HOSTILE_TEXTS[:HOSTILE_SITES])
    ]
    (folder / "sites.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8"
    )
    context = [
        _feature({"type": "Point", "coordinates": [121.615, 31.105]}, id="ctx", name=text)
        for text in HOSTILE_TEXTS[6:7]
    ]
    (folder / "context.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": context}), encoding="utf-8"
    )
    study = folder / "study.toml"
    study.write_text(
        f"name = {_toml_string(HOSTILE_NAME + ' ' + HOSTILE_TEXTS[2])}\n"
        'focus = "s1_$x^$"\n\n'
        '[[layers]]\npath = "sites.geojson"\nrole = "site"\n\n'
        '[[layers]]\npath = "context.geojson"\nrole = "context"\n',
        encoding="utf-8",
    )
    return study


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Result:
    return analyze(write_hostile_study(tmp_path_factory.mktemp("hostile")))


class _Page(HTMLParser):
    """Collect tags, attributes and text of an HTML page, checking nesting."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.errors: list[str] = []
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in {"td", "th"}:
            self._cell = []
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            return
        self.stack.pop()
        if tag in {"td", "th"} and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)


def parse_page(page: str) -> _Page:
    parser = _Page()
    parser.feed(page)
    parser.close()
    assert parser.errors == []
    assert parser.stack == []
    return parser


# --------------------------------------------------------------------------- json


def test_json_top_level_contract(report: dict[str, Any], result: Result) -> None:
    for key in ("study", "crs", "parameters", "sites", "pairs", "cluster_score", "warnings"):
        assert key in report
    assert report["study"] == result.name
    assert report["crs"] == "EPSG:32651"
    assert report["schematic"] is True
    assert "SCHEMATIC" in report["caveat"]
    assert report["focus"] == "cgt_park"
    assert isinstance(report["cluster_score"], float)
    assert isinstance(report["warnings"], list)
    assert all(isinstance(w, str) for w in report["warnings"])


def test_json_parameters_are_the_resolved_ones(report: dict[str, Any], result: Result) -> None:
    assert report["parameters"] == {
        "crs": "EPSG:32651",
        "measure": "edge",
        "unit": "m",
        "rings_m": [500.0, 1000.0, 2000.0, 5000.0],
        "decay": "rings",
    }
    assert report["parameters"] == {"crs": result.crs_name, **result.parameters.as_dict()}


def test_json_sites_field_by_field(report: dict[str, Any], result: Result) -> None:
    sites = report["sites"]
    assert len(sites) == 4
    assert {s["id"] for s in sites} == BUNDLED_IDS
    assert [s["rank"] for s in sites] == [1, 2, 3, 4]
    # Rank order: score descending, then id.
    assert sites == sorted(sites, key=lambda s: (-s["score"], s["id"]))
    for site, (_, row) in zip(sites, result.sites.iterrows(), strict=True):
        assert tuple(site)[: len(SITE_FIELDS)] == SITE_FIELDS
        assert isinstance(site["id"], str)
        assert site["id"] == row["id"]
        assert isinstance(site["name"], str)
        assert site["name"] == row["name"]
        assert site["layer"] == row["layer"]
        assert isinstance(site["area_m2"], float)
        assert site["area_m2"] > 0
        assert site["area_m2"] == row["area_m2"]  # full precision, no rounding
        assert isinstance(site["score"], float)
        assert 0.0 <= site["score"] <= 100.0
        assert site["score"] == row["score"]
        assert isinstance(site["rank"], int)
        assert not isinstance(site["rank"], bool)
        assert site["nearest_id"] in BUNDLED_IDS - {site["id"]}
        assert isinstance(site["nearest_m"], float)
        assert site["nearest_m"] >= 0.0
        assert site["nearest_m"] == row["nearest_m"]
        # Extras.
        assert site["placement"] == "schematic"
        assert site["accuracy_m"] == 1000
        assert site["weight"] == 1.0
        assert site["name_zh"] == row["name_zh"]
        assert abs(site["geodesic_area_m2"] - site["area_m2"]) < 0.001 * site["area_m2"]
        assert set(site["breakdown"]) == BUNDLED_IDS - {site["id"]}
        assert math.isclose(sum(site["breakdown"].values()), site["score"], abs_tol=1e-9)
        assert "source" in site["properties"]
        assert "geometry" not in site["properties"]
    assert [s["id"] for s in sites] == [
        "cancer_center",
        "proton_center",
        "cgt_park",
        "childrens_center",
    ]


def test_json_nearest_is_the_closest_pair(report: dict[str, Any]) -> None:
    for site in report["sites"]:
        mine = [p for p in report["pairs"] if site["id"] in (p["a"], p["b"])]
        closest = min(mine, key=lambda p: (p["edge_m"], p["b"] if p["a"] == site["id"] else p["a"]))
        other = closest["b"] if closest["a"] == site["id"] else closest["a"]
        assert (site["nearest_id"], site["nearest_m"]) == (other, closest["edge_m"])


def test_json_pairs_field_by_field(report: dict[str, Any], result: Result) -> None:
    pairs = report["pairs"]
    assert len(pairs) == 6
    assert [(p["a"], p["b"]) for p in pairs] == sorted(
        itertools.combinations(sorted(BUNDLED_IDS), 2)
    )
    rows = {(r["a"], r["b"]): r for _, r in result.pairs.iterrows()}
    for pair in pairs:
        assert tuple(pair)[: len(PAIR_FIELDS)] == PAIR_FIELDS
        key = (pair["a"], pair["b"])
        assert pair["a"] < pair["b"]
        for field in ("edge_m", "centroid_m", "geodesic_m", "score"):
            assert isinstance(pair[field], float)
            assert pair[field] == rows[key][field]  # full precision
        assert 0.0 <= pair["edge_m"] <= pair["centroid_m"]
        assert abs(pair["geodesic_m"] - pair["edge_m"]) <= max(0.001 * pair["edge_m"], 0.5)
        assert pair["ring_m"] == BUNDLED_RINGS[key]
        # rings decay: 100 x (n - k) / n for the first ring k that reaches.
        k = [500.0, 1000.0, 2000.0, 5000.0].index(pair["ring_m"])
        assert pair["score"] == pytest.approx(100.0 * (4 - k) / 4)
        assert pair["distance_m"] == pair["edge_m"]
        assert len(pair["overlap_m2"]) == 4
        assert pair["overlap_m2"] == sorted(pair["overlap_m2"])  # larger rings overlap more
        assert pair["name_a"] == result.sites.set_index("id").loc[pair["a"], "name"]


def test_json_cluster_score_is_the_mean_pair_score(report: dict[str, Any]) -> None:
    scores = [p["score"] for p in report["pairs"]]
    assert report["cluster_score"] == pytest.approx(sum(scores) / len(scores))
    assert report["cluster_score"] == pytest.approx(79.16666666666667)


def test_json_null_beyond_the_last_ring() -> None:
    report = json.loads(render_report(analyze(rings_m=(100, 200)), "json"))
    rings = {(p["a"], p["b"]): p["ring_m"] for p in report["pairs"]}
    assert rings.pop(("cancer_center", "proton_center")) == 100.0
    assert set(rings.values()) == {None}
    assert [p["score"] for p in report["pairs"] if p["ring_m"] is None] == [0.0] * 5
    assert report["parameters"]["rings_m"] == [100.0, 200.0]
    assert all(len(p["overlap_m2"]) == 2 for p in report["pairs"])


def test_json_is_deterministic_and_plain(result: Result) -> None:
    first = render_report(result, "json")
    assert first == render_report(analyze(), "json")
    assert first.endswith("}\n")
    assert "NaN" not in first
    assert "Infinity" not in first
    assert "张江基因岛" in first  # ensure_ascii=False
    assert report_dict(result) == json.loads(first)


# --------------------------------------------------------------------------- markdown


def test_markdown_headline_caveat_and_tables(result: Result) -> None:
    text = render_report(result, "markdown")
    head = text.split("\n## ", 1)[0]
    assert head.startswith("# Proximity report: Shanghai International Medical Zone")
    assert "SCHEMATIC" in head
    assert "Cluster score 79.2 / 100" in head
    assert "Best connected: **cancer_center**" in head
    assert "Worst connected: **childrens_center**" in head
    for title in (
        "Site ranking",
        "Pairs",
        "Score breakdown",
        "Buffer overlap (m²)",
        "Parameters",
        "Warnings",
    ):
        assert f"\n## {title}\n" in text
    assert "| 1 | cancer_center | Fudan University Shanghai Cancer Center" in text
    assert "| cgt_park | childrens_center | 1,217 | 1,558 | 1,217 | 2,000 | 50.0 |" in text
    assert "| CRS | EPSG:32651 (WGS 84 / UTM zone 51N) |" in text
    assert "复旦大学附属肿瘤医院浦东院区" in text
    assert text.endswith("\n")
    assert not text.endswith("\n\n")


def _cells(line: str) -> list[str]:
    return re.split(r"(?<!\\)\|", line.strip())[1:-1]


def test_markdown_tables_keep_their_shape(result: Result) -> None:
    text = render_report(result, "markdown")
    ranking = text.split("## Site ranking")[1].split("\n## ")[0]
    rows = [line for line in ranking.splitlines() if line.startswith("|")]
    assert len(rows) == 2 + 4
    assert {len(_cells(row)) for row in rows} == {8}


def test_markdown_escapes_user_text(hostile: Result) -> None:
    text = render_report(hostile, "markdown")
    for payload in ("<img", "<script", "<b>", "[click](javascript"):
        assert payload not in text
    assert not re.search(r"(?<!\\)[$`]", text)  # no unescaped math or code spans
    assert "&lt;img src=x onerror=alert(1)&gt;" in text
    ranking = text.split("## Site ranking")[1].split("\n## ")[0]
    rows = [line for line in ranking.splitlines() if line.startswith("|")]
    assert len(rows) == 2 + HOSTILE_SITES  # the names' pipes and newlines did not add rows or cells
    assert len({len(_cells(row)) for row in rows}) == 1


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("a|b", "a\\|b"),
        ("a\\|b", "a\\\\\\|b"),
        ("x\ny\r\nz", "x y z"),
        ("<b>&", "&lt;b&gt;&amp;"),
        ("[t](u) `c` *e*", "\\[t\\](u) \\`c\\` \\*e\\*"),
        ("$x$", "\\$x\\$"),
        ("plain cgt_park 张江", "plain cgt_park 张江"),
    ],
)
def test_escape_markdown(raw: str, escaped: str) -> None:
    assert escape_markdown(raw) == escaped


# --------------------------------------------------------------------------- csv


def test_csv_pairs(result: Result) -> None:
    text = render_report(result, "csv")
    assert "\r" not in text
    assert text.endswith("\n")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 6
    assert list(rows[0])[:10] == [
        "a",
        "b",
        "name_a",
        "name_b",
        "edge_m",
        "centroid_m",
        "geodesic_m",
        "distance_m",
        "ring_m",
        "score",
    ]
    assert "geometry" not in rows[0]
    by_key = {(r["a"], r["b"]): r for r in rows}
    for _, pair in result.pairs.iterrows():
        row = by_key[(pair["a"], pair["b"])]
        assert float(row["edge_m"]) == pair["edge_m"]  # full precision round-trips
        assert float(row["score"]) == pair["score"]
        assert float(row["ring_m"]) == BUNDLED_RINGS[(pair["a"], pair["b"])]
    assert float(rows[0]["overlap_m2_500"]) > 0.0


def test_csv_empty_beyond_the_last_ring() -> None:
    rows = list(csv.DictReader(io.StringIO(render_report(analyze(rings_m=(100, 200)), "csv"))))
    assert sorted(r["ring_m"] for r in rows) == [""] * 5 + ["100.0"]


def test_csv_sites(result: Result) -> None:
    rows = list(csv.DictReader(io.StringIO(render_report(result, "csv", table="sites"))))
    assert len(rows) == 4
    assert [r["rank"] for r in rows] == ["1", "2", "3", "4"]
    assert [r["id"] for r in rows] == list(result.sites["id"])
    assert list(rows[0])[:3] == ["rank", "id", "name"]
    assert "geometry" not in rows[0]
    assert "breakdown" not in rows[0]
    assert float(rows[0]["score"]) == result.sites["score"].iloc[0]
    assert rows[2]["address"] == ""  # cgt_park has no address: empty, not "None"


# --------------------------------------------------------------------------- html


def test_html_is_one_self_contained_page(html_page: str) -> None:
    page = parse_page(html_page)
    tags = [tag for tag, _ in page.tags]
    assert tags[:2] == ["html", "head"]
    assert "script" not in tags
    assert "link" not in tags
    assert "iframe" not in tags
    for _, attrs in page.tags:
        for name in ("src", "href", "action", "srcset", "data"):
            value = attrs.get(name)
            assert value is None or value.startswith("data:image/png;base64,"), (name, value)
    lowered = html_page.lower()
    assert "url(" not in lowered
    assert "@import" not in lowered
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:|//)""", lowered)


def test_html_embeds_two_png_pictures(html_page: str) -> None:
    page = parse_page(html_page)
    images = [attrs for tag, attrs in page.tags if tag == "img"]
    assert len(images) == 2
    for attrs in images:
        assert attrs["alt"]
        src = attrs["src"]
        assert src is not None
        assert src.startswith("data:image/png;base64,")
        data = base64.b64decode(src.split(",", 1)[1], validate=True)
        assert data.startswith(b"\x89PNG\r\n\x1a\n")
        assert b"Software" not in data  # no tool/version metadata


def test_html_carries_caveat_headline_and_tables(html_page: str, result: Result) -> None:
    page = parse_page(html_page)
    text = "".join(page.text)
    assert "Proximity report: Shanghai International Medical Zone" in text
    caveat = html_page.split('class="caveat"', 1)[1].split("</div>", 1)[0]
    assert "SCHEMATIC" in caveat
    assert "Cluster score 79.2 / 100" in text
    assert "Best connected: cancer_center" in text
    assert len(page.tables) == 6
    ranking, pairs, breakdown, overlaps, details, parameters = page.tables
    assert ranking[0][:3] == ["Rank", "Id", "Name"]
    assert [row[1] for row in ranking[1:]] == list(result.sites["id"])
    assert len(pairs) == 1 + 6
    assert pairs[4][:7] == [
        "cgt_park",
        "childrens_center",
        "1,217",
        "1,558",
        "1,217",
        "2,000",
        "50.0",
    ]
    assert len(breakdown) == 1 + 12
    assert overlaps[0] == ["A", "B", "500 m", "1,000 m", "2,000 m", "5,000 m"]
    assert len(details) == 1 + 4
    assert ["Decay", "rings: " + parameters[4][1].split(": ", 1)[1]] == parameters[4]
    assert "Warnings" in text


def test_html_escapes_every_user_text(hostile: Result) -> None:
    page_text = render_report(hostile, "html")
    page = parse_page(page_text)
    tags = {tag for tag, _ in page.tags}
    assert tags.isdisjoint({"script", "b", "svg", "a", "iframe"})
    assert sum(1 for tag, _ in page.tags if tag == "img") == 2
    for tag, attrs in page.tags:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
    assert HOSTILE_NAME not in page_text
    assert "&lt;img src=x onerror=alert(1)&gt;" in page_text
    assert "<script>" not in page_text
    assert '" onmouseover="' not in page_text
    # Study name, names, ids, notes and sources round-trip as text.
    text = "".join(page.text)
    assert HOSTILE_NAME in text
    assert "s0_<b>" in text
    assert "&lt;script&gt; already escaped" in text  # escaped once more, shown as typed
    ranking = page.tables[0]
    assert len(ranking) == 1 + HOSTILE_SITES
    assert {len(row) for row in ranking} == {len(ranking[0])}


@pytest.mark.slow
def test_html_is_byte_identical_across_runs(html_page: str) -> None:
    assert render_report(analyze(), "html") == html_page


def test_html_map_follows_the_scoring_options(html_page: str) -> None:
    other = render_report(analyze(measure="centroid"), "html")
    images = re.findall(r'src="(data:image/png;base64,[^"]+)"', html_page)
    changed = re.findall(r'src="(data:image/png;base64,[^"]+)"', other)
    assert images[1] != changed[1]  # the heatmap now shows centroid distances


# --------------------------------------------------------------------------- parameters, files


@pytest.mark.parametrize("fmt", ["pdf", "HTML", "", None, 3])
def test_unknown_format_is_refused(result: Result, fmt: Any) -> None:
    with pytest.raises(ParameterError, match="markdown, csv, json, html"):
        render_report(result, fmt)


def test_unknown_table_is_refused(result: Result) -> None:
    with pytest.raises(ParameterError, match="pairs, sites"):
        render_report(result, "csv", table="rings")
    with pytest.raises(ParameterError, match="csv format only"):
        render_report(result, "json", table="sites")


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("r.md", "markdown"),
        ("r.markdown", "markdown"),
        ("r.CSV", "csv"),
        ("r.json", "json"),
        ("r.html", "html"),
        ("r.htm", "html"),
        ("r.txt", "markdown"),
        ("report", "markdown"),
    ],
)
def test_format_for_path(name: str, fmt: str) -> None:
    assert format_for_path(name) == fmt


def test_one_suffix_table_for_every_writer() -> None:
    assert _formats.format_for_path("x.GPKG", ("gpkg", "geojson")) == "gpkg"
    assert _formats.format_for_path("x.geojson", ("markdown",), default="markdown") == "markdown"
    assert _formats.suffix_format("x.htm") == "html"
    assert _formats.suffix_format("x.shp") is None
    with pytest.raises(ParameterError, match=r"'x\.shp'.*give fmt, one of gpkg, geojson") as info:
        _formats.format_for_path("out/x.shp", ("gpkg", "geojson"))
    assert info.value.path == str(Path("out/x.shp"))


def test_html_style_is_the_package_style_sheet(html_page: str) -> None:
    css = files("siteplan.render").joinpath("static/report.css").read_text("utf-8").strip()
    assert css.startswith("body{")
    assert f"<style>{css}</style>" in html_page


def test_write_report_atomically(result: Result, tmp_path: Path) -> None:
    target = tmp_path / "new" / "folder" / "report.json"
    assert write_report(result, target) == target
    assert json.loads(target.read_text(encoding="utf-8"))["crs"] == "EPSG:32651"
    assert [p.name for p in target.parent.iterdir()] == ["report.json"]
    write_report(result, target, "csv", "sites")  # the explicit format wins over the suffix
    assert target.read_text(encoding="utf-8").startswith("rank,id,name")


def test_write_report_never_overwrites_an_input(tmp_path: Path) -> None:
    study = write_hostile_study(tmp_path / "study")
    result = analyze(study)
    layer = tmp_path / "study" / "sites.geojson"
    before = layer.read_bytes()
    with pytest.raises(OutputError, match="one of the inputs"):
        write_report(result, layer, "json")
    assert layer.read_bytes() == before
    assert sorted(p.name for p in layer.parent.iterdir()) == [
        "context.geojson",
        "sites.geojson",
        "study.toml",
    ]


# --------------------------------------------------------------------------- small and odd studies


def _write_sites(folder: Path, *features: dict[str, Any]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sites.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": list(features)}), encoding="utf-8"
    )
    return folder


def test_single_site_study_renders_every_format(tmp_path: Path) -> None:
    result = analyze(_write_sites(tmp_path, _feature(_box(121.6, 31.1), id="only", name="Only")))
    data = json.loads(render_report(result, "json"))
    assert data["pairs"] == []
    assert data["sites"][0]["nearest_id"] is None
    assert data["sites"][0]["nearest_m"] is None
    assert data["sites"][0]["breakdown"] == {}
    assert data["schematic"] is False
    assert data["cluster_score"] == 0.0
    markdown = render_report(result, "markdown")
    assert "1 site, 0 pairs" in markdown
    assert "no pairs" in markdown
    assert len(render_report(result, "csv").splitlines()) == 1  # the header only
    assert len(render_report(result, "csv", "sites").splitlines()) == 2
    page = parse_page(render_report(result, "html"))
    assert sum(1 for tag, _ in page.tags if tag == "img") == 2


@pytest.mark.slow
def test_point_sites_without_focus(tmp_path: Path) -> None:
    points = [
        _feature({"type": "Point", "coordinates": [lon, lat]}, id=i, name=i.upper(), weight=w)
        for i, lon, lat, w in (
            ("p1", 121.60, 31.10, 2),
            ("p2", 121.61, 31.10, 1),
            ("p3", 121.60, 31.13, 1),
        )
    ]
    result = analyze(_write_sites(tmp_path, *points))
    data = json.loads(render_report(result, "json"))
    assert [s["area_m2"] for s in data["sites"]] == [0.0, 0.0, 0.0]
    assert {s["id"]: s["weight"] for s in data["sites"]} == {"p1": 2.0, "p2": 1.0, "p3": 1.0}
    # p2's neighbours: p1 (weight 2, 954 m -> 75) and p3 (weight 1, > 2 km -> 25).
    p2 = next(s for s in data["sites"] if s["id"] == "p2")
    assert p2["score"] == pytest.approx((2 * 75.0 + 1 * 25.0) / 3)
    page = render_report(result, "html")
    assert "around every site" in page
