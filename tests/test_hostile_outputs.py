"""Every hostile string through every place user text lands, in every output.

The payloads of :mod:`hostile` are split into a few chunks. Each chunk becomes
a study (:func:`hostile.write_text_study`) in which every payload of the chunk
is a site id, name, name_zh, address, source, notes, kind, accuracy_m,
placement, property key and property value; a context feature's name,
name_zh, source, property key and value; a boundary feature's and an
exclusion area's name, name_zh / notes, source, property key and value; a
constraint's name, note, source and site; a parcel id; and (for the payloads
that can be file names) a context layer's file name. A *benign twin* of each study holds
plain stand-ins that sort in the same order, so both render with the same
geometry, ranks and order. The study name and the tile attribution take every
payload one by one.

HTML (site map offline and online, candidate maps on a grid and on parcels,
the HTML report) is checked against the twin's:

- the document parses to exactly the twin's elements, attributes and end tags
  (nothing comes from user text: no new tag, no ``on*`` attribute, no
  ``javascript:`` URL, no extra ``</script>`` or ``</style>``), with the same
  ``<style>`` blocks (no ``url(`` or ``</style`` from user text);
- every ``<script>`` has the twin's shape once string literals are blanked
  (user text never leaves a string), and every literal that differs from the
  twin's is JSON with ``< > & ' ` U+2028 U+2029`` escaped and no ``{`` (no
  template literal, no ``</script>``, no Jinja delimiter);
- every HTML fragment the page hands to Leaflet (popups, tooltips, labels,
  layer names, the attribution) holds only siteplan's tags and attributes,
  the same as the twin's; text the page sets as ``textContent`` (click-to-score
  names, constraint names, parcel ids) is checked to be inert JSON;
- Leaflet path options (class names, colours, fills) are siteplan's own;
- every payload is still shown, as text, and every feature is still drawn.

Text outputs (report markdown, csv, json; export GeoJSON and GeoPackage;
candidates markdown, csv, json, GeoJSON, GeoPackage) are checked to be valid
and to carry the exact strings. Branca compiles folium's output as a Jinja
template, so an autouse fixture checks that the ``jinja_ssti`` payload never
ran (it would set :data:`hostile.ENV_SENTINEL`).
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import html
import io
import json
import os
import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from itertools import combinations
from pathlib import Path
from typing import Any

import pyogrio
import pytest
from hostile import (
    ENV_SENTINEL,
    PAYLOADS,
    SENTINEL,
    Payload,
    filename_safe,
    write_hostile_study,
    write_text_study,
)

import siteplan
import siteplan.render._static_map
from siteplan.analysis import Result
from siteplan.candidates import CandidateResult, score_candidates
from siteplan.candidates.locations import score_locations
from siteplan.errors import OutputError
from siteplan.maps.escape import clean_text
from siteplan.maps.make import make_map, render_map
from siteplan.render.candidates import render_candidates, write_candidates
from siteplan.render.export import export_result
from siteplan.render.report import render_report

CHUNKS = 4
TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
PAGES = ("map_offline", "map_online", "candidate_map", "parcel_map", "report")
FRAGMENT_TAGS = frozenset({"div", "b", "br", "table", "tr", "th", "td", "span"})
FRAGMENT_ATTRS = frozenset({"class", "lang"})
TEXT_ATTRS = frozenset({"alt", "title", "aria-label"})  # values that may hold escaped user text
RAW_IN_SCRIPT = frozenset("<>&'`\u2028\u2029{")
TINY_PNG = b"\x89PNG\r\n\x1a\n"  # stands in for the report's pictures where they do not matter
SITE_FIELDS = ("name_zh", "source", "notes", "address", "kind", "accuracy_m", "placement")
CATEGORIES = {
    "event handlers": ("img_onerror", "svg_onload", "details_ontoggle", "attribute_break"),
    "script breakouts": ("script_close", "comment_close_script", "json_breakout"),
    "template literals": ("template_literal", "lone_backtick", "nested_template"),
    "javascript: URLs in links": ("a_javascript", "svg_xlink_href", "javascript_mixed_case"),
    "CSS": ("css_expression", "style_close", "css_url_javascript", "style_attribute"),
    "Unicode tricks": (
        "rtl_override",
        "zero_width_joiners",
        "line_separators",
        "fullwidth_script",
        "homoglyph_name",
        "combining_marks",
    ),
    "template injection": ("jinja_ssti", "jinja_template", "angular_template"),
}
STYLE_VALUE = re.compile(
    r"#[0-9a-f]{6}|url\(#siteplan-hatch-[a-z_]+\)|siteplan-[a-z-]+( siteplan-excluded-[a-z_]+)?"
    r"|[0-9 ]+"
)


# -- the studies ------------------------------------------------------------------------


def chunk_payloads(chunk: int) -> list[Payload]:
    """Return the payloads of one chunk (every CHUNKS-th, so that kinds mix)."""
    return list(PAYLOADS[chunk::CHUNKS])


def stand_ins(texts: Sequence[str], prefix: str) -> list[str]:
    """Return benign texts that sort in the same order as ``texts``."""
    rank = {text: k for k, text in enumerate(sorted(texts))}
    return [f"{prefix} {rank[text]:02d}" for text in texts]


@dataclass
class Study:
    """One study of the suite (hostile or its benign twin) and what was rendered from it."""

    texts: list[str]
    file_names: list[str]
    name: str
    attribution: str
    folder: Path
    result: Result
    grid: CandidateResult
    parcels: CandidateResult
    pages: dict[str, str] = field(default_factory=dict)

    def site_fields(self) -> dict[str, dict[str, str]]:
        """Return each site's properties as written: id -> key -> text."""
        n = len(self.texts)
        out = {}
        for i, text in enumerate(self.texts):
            fields = {"id": text, "name": text}
            fields.update({c: self.texts[(i + 1 + k) % n] for k, c in enumerate(SITE_FIELDS)})
            if i == 0:
                fields["placement"] = "schematic"
            fields[self.texts[(i + 8) % n]] = self.texts[(i + 9) % n]
            out[text] = fields
        return out

    def feature_fields(self, prefix: str, keys: Sequence[str]) -> dict[str, dict[str, str]]:
        """Return the properties of context (``ctx``), boundary or exclusion features:
        feature id -> key -> text (``keys`` take texts k, k+1, ...; then a text key)."""
        n = len(self.texts)
        out = {}
        for k in range(n):
            fields = {key: self.texts[(k + m) % n] for m, key in enumerate(keys)}
            fields[self.texts[(k + len(keys)) % n]] = self.texts[(k + len(keys) + 1) % n]
            out[f"{prefix}_{k}"] = fields
        return out


CONTEXT_KEYS = ("name", "name_zh", "source")
BOUNDARY_KEYS = ("name", "name_zh", "notes", "source")
EXCLUSION_KEYS = ("name", "notes", "source")


@contextlib.contextmanager
def stub_pictures() -> Iterator[None]:
    """Make the HTML report embed a fixed PNG instead of drawing its two pictures."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(siteplan.render._static_map, "site_map_png", lambda result: TINY_PNG)
        patch.setattr(siteplan.render._static_map, "heatmap_png", lambda result: TINY_PNG)
        yield


def build_study(
    folder: Path,
    texts: Sequence[str],
    file_names: Sequence[str],
    *,
    name: str,
    attribution: str,
    pictures: bool,
) -> Study:
    """Write a study from ``texts``, analyse it, score candidates, render every HTML page."""
    path, parcels = write_text_study(folder, texts, name=name, file_names=file_names)
    result = siteplan.analyze(path)
    study = Study(
        list(texts),
        list(file_names),
        name,
        attribution,
        folder,
        result,
        score_candidates(result, cell_m=100, top=5),
        score_candidates(result, parcels=parcels, top=5),
    )
    tiles = {"tiles": TILE_URL, "attribution": attribution}
    study.pages = {
        "map_offline": render_map(make_map(result, offline=True, **tiles)),
        "map_online": render_map(make_map(result, **tiles)),
        "candidate_map": render_map(make_map(result, candidates=study.grid, offline=True)),
        "parcel_map": render_map(make_map(result, candidates=study.parcels, offline=True, **tiles)),
    }
    with contextlib.nullcontext() if pictures else stub_pictures():
        study.pages["report"] = render_report(result, "html")
    return study


def build_chunk(
    folder: Path, chunk: int, *, twin: bool = True, pictures: bool = True
) -> tuple[Study, Study | None]:
    """Build a chunk's hostile study (with or without real report pictures) and its twin."""
    payloads = chunk_payloads(chunk)
    texts = [p.text for p in payloads]
    safe = {p.key for p in filename_safe()}
    files = [p.text for p in payloads if p.key in safe]
    hostile = build_study(
        folder / "hostile", texts, files, name=texts[1], attribution=texts[2], pictures=pictures
    )
    if not twin:
        return hostile, None
    benign = build_study(
        folder / "twin",
        stand_ins(texts, "site"),
        stand_ins(files, "layer"),
        name="benign study",
        attribution="benign attribution",
        pictures=False,
    )
    return hostile, benign


@pytest.fixture(scope="module")
def studies(tmp_path_factory: pytest.TempPathFactory) -> Callable[[int], tuple[Study, Study]]:
    """Return ``get(chunk) -> (hostile, twin)``, building each chunk once."""
    built: dict[int, tuple[Study, Study]] = {}

    def get(chunk: int) -> tuple[Study, Study]:
        if chunk not in built:
            hostile, twin = build_chunk(tmp_path_factory.mktemp(f"chunk{chunk}"), chunk)
            assert twin is not None
            built[chunk] = (hostile, twin)
        return built[chunk]

    return get


@pytest.fixture(autouse=True)
def _no_template_injection() -> Iterator[None]:
    yield
    assert ENV_SENTINEL not in os.environ, "user text was evaluated as a Jinja template"


# -- parsing ------------------------------------------------------------------------------


class Page(HTMLParser):
    """Every parsing event of a page or fragment; script and style bodies; text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.events: list[tuple[Any, ...]] = []
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self.text: list[str] = []
        self.title: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.events.append(("start", tag, self._attributes(tag, attrs)))
        self._in = tag if tag in {"script", "style", "title"} else None
        if tag == "script":
            self.scripts.append("")
        elif tag == "style":
            self.styles.append("")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.events.append(("startend", tag, self._attributes(tag, attrs)))

    def _attributes(
        self, tag: str, attrs: list[tuple[str, str | None]]
    ) -> tuple[tuple[str, str | None], ...]:
        """Return the attributes to compare with the twin's: text values as "<text>" (shown)."""
        out = []
        for name, value in attrs:
            shown = value
            if name in TEXT_ATTRS and value is not None:
                self.text.append(value)
                shown = "<text>"
            elif tag == "img" and name == "src" and _is_png(value):
                shown = "<png>"  # the report's pictures differ from the twin's
            out.append((name, shown))
        return tuple(out)

    def handle_endtag(self, tag: str) -> None:
        self.events.append(("end", tag))
        self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "script":
            self.scripts[-1] += data
        elif self._in == "style":
            self.styles[-1] += data
        else:
            self.text.append(data)
            if self._in == "title":
                self.title.append(data)

    def handle_comment(self, data: str) -> None:
        self.events.append(("comment",))

    def handle_decl(self, decl: str) -> None:
        self.events.append(("decl", decl))

    def handle_pi(self, data: str) -> None:
        self.events.append(("pi",))

    def unknown_decl(self, data: str) -> None:
        self.events.append(("unknown_decl",))


def _is_png(value: str | None) -> bool:
    return value is not None and value.startswith("data:image/png;base64,")


def parse(markup: str) -> Page:
    page = Page()
    page.feed(markup)
    page.close()
    return page


def _around(a: Any, b: Any) -> str:
    """Show where two items differ (strings: around the first differing character)."""
    if isinstance(a, str) and isinstance(b, str):
        k = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), 0)
        return f"{a[max(0, k - 80) : k + 120]!r} != {b[max(0, k - 80) : k + 120]!r}"
    return f"{str(a)[:300]} != {str(b)[:300]}"


def assert_same_sequence(got: Sequence[Any], expected: Sequence[Any], what: str) -> None:
    """Assert two sequences are equal, showing the first difference (not a huge diff)."""
    for k, (a, b) in enumerate(zip(got, expected, strict=False)):
        assert a == b, f"{what}: item {k} differs from the benign twin's: {_around(a, b)}"
    assert len(got) == len(expected), f"{what}: {len(got)} items, the twin has {len(expected)}"


_LITERAL = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'')
_NUMBER = re.compile(r"\b\d+(?:\.\d+)?(?:[eE][+-]?\d+)?\b")
_TEXT_SINKS = re.compile(r"siteplan\.(?:surface\(|clickScore\(\w+,|editMap\(\w+,)\s*")
_LAYERS = re.compile(r"siteplan\.layer\(\s*")
_DECODER = json.JSONDecoder()


def shape(script: str) -> tuple[str, list[re.Match[str]]]:
    """Return a script with its string literals blanked and numbers zeroed, and the literals."""
    literals = list(_LITERAL.finditer(script))
    blanked = _LITERAL.sub(lambda m: m.group(0)[0] * 2, script)
    return _NUMBER.sub("0", blanked), literals


def blob_spans(script: str, pattern: re.Pattern[str]) -> list[tuple[int, int]]:
    """Return where the JSON argument of each call matching ``pattern`` lies."""
    spans = []
    for match in pattern.finditer(script):
        _, end = _DECODER.raw_decode(script, match.end())
        spans.append((match.end(), end))
    return spans


def layer_features(script: str) -> list[dict[str, Any]]:
    return [
        feature
        for start, _ in blob_spans(script, _LAYERS)
        for feature in _DECODER.raw_decode(script, start)[0]["features"]
    ]


@dataclass
class Checked:
    """What the HTML checks saw of a hostile page."""

    page: Page
    fragments: list[str] = field(default_factory=list)  # text of HTML handed to Leaflet
    text_sinks: list[str] = field(default_factory=list)  # strings set as textContent

    def visible(self) -> str:
        return "\n".join([*self.page.text, *self.fragments, *self.text_sinks])


def check_fragment(hostile: str, twin: str) -> str:
    """Check an HTML fragment holds only siteplan's markup, like the twin's; return its text."""
    got, expected = parse(hostile), parse(twin)
    for event in got.events:
        assert event[0] in {"start", "end"}, (event, hostile[:200])
        assert event[1] in FRAGMENT_TAGS, (event, hostile[:200])
        for name, _ in event[2] if event[0] == "start" else ():
            assert name in FRAGMENT_ATTRS, (event, hostile[:200])
    assert_same_sequence(got.events, expected.events, f"fragment {hostile[:80]!r}")
    return "".join(got.text)


def check_script(hostile: str, twin: str, checked: Checked) -> None:
    """Check user text in a script stays inside inert JSON strings (see the module doc)."""
    shape_h, literals_h = shape(hostile)
    shape_t, literals_t = shape(twin)
    assert_same_sequence(shape_h.splitlines(), shape_t.splitlines(), "script shape")
    sinks = blob_spans(hostile, _TEXT_SINKS)
    for lit_h, lit_t in zip(literals_h, literals_t, strict=True):
        raw_h, raw_t = lit_h.group(0), lit_t.group(0)
        if raw_h == raw_t:
            continue
        assert raw_h.startswith('"'), f"user text in a single-quoted JavaScript string: {raw_h!r}"
        raw = set(raw_h[1:-1]) & RAW_IN_SCRIPT
        assert not raw, f"raw {sorted(raw)} in a script string: {raw_h[:200]!r}"
        decoded, decoded_twin = json.loads(raw_h), json.loads(raw_t)
        if any(start <= lit_h.start() < end for start, end in sinks):
            checked.text_sinks.append(decoded)
        else:
            checked.fragments.append(check_fragment(decoded, decoded_twin))
    for feature in layer_features(hostile):  # Leaflet path options: class names, colours
        for key, value in feature["properties"]["style"].items():
            if isinstance(value, str):
                assert STYLE_VALUE.fullmatch(value), (key, value)


def check_page(hostile: str, twin: str) -> Checked:
    """Check a hostile page against its benign twin (see the module doc)."""
    got, expected = parse(hostile), parse(twin)
    assert_same_sequence(got.events, expected.events, "document")
    for event in got.events:
        for name, value in event[2] if event[0] in {"start", "startend"} else ():
            assert not name.lower().startswith("on"), event
            assert not (value or "").strip().lower().startswith(("javascript:", "vbscript:")), event
    assert got.styles == expected.styles
    assert len(got.scripts) == len(expected.scripts)
    checked = Checked(got)
    for script_h, script_t in zip(got.scripts, expected.scripts, strict=True):
        if script_h != script_t:
            check_script(script_h, script_t, checked)
    return checked


# -- the catalogue ------------------------------------------------------------------------


def test_the_catalogue_covers_every_kind_of_attack() -> None:
    keys = {p.key for p in PAYLOADS}
    assert len(PAYLOADS) >= 60
    assert len(keys) == len(PAYLOADS) == len({p.text for p in PAYLOADS})
    for category, needed in CATEGORIES.items():
        assert set(needed) <= keys, category
    for payload in PAYLOADS:
        assert payload.text == payload.text.strip(), payload.key
        assert "\x00" not in payload.text, payload.key
        payload.text.encode("utf-8")  # no lone surrogates
    assert sum(SENTINEL in p.text for p in PAYLOADS) >= 35
    assert sorted(p.key for c in range(CHUNKS) for p in chunk_payloads(c)) == sorted(keys)


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_the_studies_read_back_every_text_exactly(
    studies: Callable[[int], tuple[Study, Study]], chunk: int
) -> None:
    # Otherwise the checks below would test less than they claim.
    hostile, twin = studies(chunk)
    for study in (hostile, twin):
        sites = study.result.sites.set_index("id")
        for site_id, fields in study.site_fields().items():
            for key, text in fields.items():
                assert (site_id if key == "id" else sites.loc[site_id, key]) == text, key
        context = study.result.data.context
        assert list(dict.fromkeys(context["layer"])) == ["context", *study.file_names]
        assert context["name"].tolist() == [*study.texts, *study.file_names]
        for frame, prefix, keys in (
            (context, "ctx", CONTEXT_KEYS),
            (study.result.data.boundary, "boundary", BOUNDARY_KEYS),
            (study.result.data.exclusions, "exclusion", EXCLUSION_KEYS),
        ):
            rows = frame.set_index("id")
            for feature_id, fields in study.feature_fields(prefix, keys).items():
                for key, text in fields.items():
                    assert rows.loc[feature_id, key] == text, (prefix, key)
        assert_constraints([c.as_dict() for c in study.grid.constraints], study)
        assert sorted(study.parcels.ids()) == sorted(study.texts)
        assert study.result.name == study.name
    # the twin ranks and orders everything the same way
    assert hostile.result.sites["score"].tolist() == twin.result.sites["score"].tolist()
    order = dict(zip(twin.texts, hostile.texts, strict=True))
    assert [order[s] for s in twin.result.sites["id"]] == hostile.result.sites["id"].tolist()
    assert hostile.grid.pick_index.tolist() == twin.grid.pick_index.tolist()
    assert hostile.parcels.pick_index.tolist() == twin.parcels.pick_index.tolist()


# -- HTML ---------------------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_html_holds_no_markup_or_code_from_user_text(
    studies: Callable[[int], tuple[Study, Study]], chunk: int, page: str
) -> None:
    hostile, twin = studies(chunk)
    checked = check_page(hostile.pages[page], twin.pages[page])
    visible = checked.visible()
    for text in hostile.texts:
        shown = text if page == "report" else clean_text(text)
        assert shown in visible, f"{text[:60]!r} is not shown in the {page}"
    if page == "report":
        assert checked.page.scripts == []
        images = [e for e in checked.page.events if e[1] == "img"]
        assert len(images) == 2
        assert all(("src", "<png>") in e[2] for e in images)
        assert "".join(checked.page.title) == f"Proximity report: {hostile.name}"
    else:
        assert "".join(checked.page.title) == clean_text(hostile.name)
        assert checked.text_sinks  # the click-to-score data, at least


@pytest.mark.parametrize("page", PAGES[:-1])
@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_maps_still_draw_every_feature(
    studies: Callable[[int], tuple[Study, Study]], chunk: int, page: str
) -> None:
    hostile, _ = studies(chunk)
    script = next(s for s in parse(hostile.pages[page]).scripts if "siteplan.layer(" in s)
    counts = Counter(f["properties"]["style"]["className"] for f in layer_features(script))
    n = len(hostile.texts)
    assert counts["siteplan-site"] == n
    assert counts["siteplan-ring"] == 4 * n
    # above 50 sites only the pairs within the first ring keep a line (DESIGN.md, Scale)
    geometry = hostile.result.pairs.geometry
    drawn = int((~geometry.is_empty & geometry.notna()).sum())
    assert counts["siteplan-pair"] == counts["siteplan-pair-label"] == drawn
    assert 0 < drawn <= n * (n - 1) // 2
    assert counts["siteplan-context"] == n + len(hostile.file_names)
    assert counts["siteplan-boundary"] == counts["siteplan-exclusion"] == n
    if page in {"candidate_map", "parcel_map"}:
        cres = hostile.grid if page == "candidate_map" else hostile.parcels
        assert counts["siteplan-pick"] == len(cres.picks) == 5
        assert sum(c.enabled for c in cres.constraints) == 2 + n
        drawn = sum(v for k, v in counts.items() if k.startswith("siteplan-excluded "))
        assert drawn == int((~cres.constraint_areas().geometry.is_empty).sum()) > 2
        (data,) = (
            _DECODER.raw_decode(script, start)[0]
            for start, _ in blob_spans(script, re.compile(r"siteplan\.surface\(\s*"))
        )
        assert data["constraints"] == [c.name for c in cres.constraints]
        if page == "parcel_map":
            assert data["ids"] == cres.ids()


# -- the study name and the tile attribution, every payload --------------------------------


@pytest.fixture(scope="module")
def small() -> tuple[Result, CandidateResult]:
    result = siteplan.analyze()
    return result, score_candidates(result, cell_m=400, top=3)


def named_pages(small: tuple[Result, CandidateResult], text: str) -> dict[str, str]:
    """Render the small study named ``text``, with ``text`` as its tiles' attribution."""
    result, cres = small
    renamed = dataclasses.replace(result, study=dataclasses.replace(result.study, name=text))
    moved = dataclasses.replace(cres, result=renamed)
    tiles = {"tiles": TILE_URL, "attribution": text}
    with stub_pictures():
        report = render_report(renamed, "html")
    return {
        "candidate_map": render_map(make_map(renamed, candidates=moved, offline=True, **tiles)),
        "map_online": render_map(make_map(renamed, **tiles)),
        "report": report,
        "markdown": render_report(renamed, "markdown"),
        "json": render_report(renamed, "json"),
        "candidates_markdown": render_candidates(moved, "markdown"),
        "candidates_json": render_candidates(moved, "json"),
    }


@pytest.fixture(scope="module")
def benign_named(small: tuple[Result, CandidateResult]) -> dict[str, str]:
    return named_pages(small, "benign name")


@pytest.mark.parametrize("payload", PAYLOADS, ids=[p.key for p in PAYLOADS])
def test_study_names_and_attributions(
    small: tuple[Result, CandidateResult], benign_named: dict[str, str], payload: Payload
) -> None:
    text = payload.text
    pages = named_pages(small, text)
    for name in ("candidate_map", "map_online"):
        checked = check_page(pages[name], benign_named[name])
        assert "".join(checked.page.title) == clean_text(text)
        assert clean_text(text) in "".join(checked.page.text)  # the title panel
        assert clean_text(text) in checked.fragments  # the attribution, as text
    checked = check_page(pages["report"], benign_named["report"])
    assert "".join(checked.page.title) == f"Proximity report: {text}"
    check_markdown(pages["markdown"], [text])
    check_markdown(pages["candidates_markdown"], [text])
    assert json.loads(pages["json"])["study"] == text
    assert json.loads(pages["candidates_json"])["study"] == text


def test_a_proto_attribution_stays_visible(small: tuple[Result, CandidateResult]) -> None:
    # Leaflet keeps attributions as keys of a plain object: "__proto__" would vanish.
    markup = render_map(make_map(small[0], tiles=TILE_URL, attribution="__proto__"))
    (literal,) = re.findall(r'"attribution": (".*?"),', markup)[:1]
    assert html.unescape(json.loads(literal)) == "__proto__"
    assert json.loads(literal) != "__proto__"


# -- markdown -----------------------------------------------------------------------------

_MD_RAW = frozenset("<`[]")
_ENTITY = re.compile(r"&(lt|gt|amp);")
_GAPS = re.compile(r"[\s\x00-\x1f\x7f\x85\u2028\u2029]+")


def md_scan(line: str) -> tuple[list[str], set[str]]:
    """Split a line on unescaped ``|``; return the cells and the unescaped special characters."""
    cells, raw, cell = [], set(), []
    k = 0
    while k < len(line):
        ch = line[k]
        if ch == "\\" and k + 1 < len(line):
            cell.append(line[k : k + 2])
            k += 2
            continue
        if ch == "|":
            cells.append("".join(cell))
            cell = []
        elif (
            ch in _MD_RAW
            or (ch == ">" and line[:k].strip())
            or (ch == "&" and not _ENTITY.match(line, k))
        ):
            raw.add(ch)
        cell.append(ch)
        k += 1
    cells.append("".join(cell))
    return cells, raw


def md_text(markdown: str) -> str:
    """Return what a reader sees: escapes removed, entities decoded, spacing collapsed."""
    return _GAPS.sub(" ", html.unescape(re.sub(r"\\(.)", r"\1", markdown)))


def check_markdown(markdown: str, texts: Sequence[str]) -> None:
    """Check markdown passes no HTML or markup through and keeps its tables' shape."""
    widths: list[int] = []
    for number, line in enumerate(markdown.splitlines(), start=1):
        cells, raw = md_scan(line)
        assert not raw, f"line {number}: unescaped {sorted(raw)} in {line[:200]!r}"
        if line.startswith("|"):
            widths.append(len(cells))
            assert len(set(widths)) == 1, f"line {number}: a table row with another shape"
        else:
            widths = []
    seen = md_text(markdown)
    for text in texts:
        assert _GAPS.sub(" ", text).strip() in seen, text[:60]


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_markdown_escapes_every_user_text(
    studies: Callable[[int], tuple[Study, Study]], chunk: int
) -> None:
    hostile, _ = studies(chunk)
    check_markdown(render_report(hostile.result, "markdown"), hostile.texts)
    check_markdown(render_candidates(hostile.grid, "markdown"), hostile.texts)
    parcels = render_candidates(hostile.parcels, "markdown")
    check_markdown(parcels, hostile.texts)
    picked = set(hostile.parcels.picks["id"])
    assert len(picked) == 5
    check_markdown(parcels, sorted(picked))


# -- csv and json ---------------------------------------------------------------------


def read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_csv_reads_back_the_same_values(
    studies: Callable[[int], tuple[Study, Study]], chunk: int
) -> None:
    hostile, _ = studies(chunk)
    fields = hostile.site_fields()
    rows = read_csv(render_report(hostile.result, "csv", table="sites"))
    assert {row["id"] for row in rows} == set(fields)
    for row in rows:
        for key, text in fields[row["id"]].items():
            assert row[key] == text, key
    pairs = read_csv(render_report(hostile.result, "csv"))
    assert {(r["a"], r["b"]) for r in pairs} == set(combinations(sorted(hostile.texts), 2))
    assert all(r["name_a"] == r["a"] and r["name_b"] == r["b"] for r in pairs)
    for cres in (hostile.grid, hostile.parcels):
        picks = read_csv(render_candidates(cres, "csv"))
        assert len(picks) == 5
        assert {f"score_{t}" for t in hostile.texts} <= set(picks[0])
        assert {r["nearest_id"] for r in picks} <= set(hostile.texts)
    parcel_picks = read_csv(render_candidates(hostile.parcels, "csv"))
    assert [r["id"] for r in parcel_picks] == list(hostile.parcels.picks["id"])
    assert {r["id"] for r in parcel_picks} <= set(hostile.texts)


def assert_constraints(records: list[dict[str, Any]], study: Study) -> None:
    """Check the study's constraints came through with their exact texts (any order)."""
    own = [c for c in records if c.get("origin", "study") == "study"]
    assert sorted(c["name"] for c in own) == sorted(study.texts)
    n = len(study.texts)
    for c in own:
        i = study.texts.index(c["name"])
        assert c["note"] == study.texts[(i + 1) % n]
        assert c["source"] == study.texts[(i + 2) % n]
        if c.get("site") is not None:
            assert c["site"] == study.texts[(i + 3) % n]


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_json_reads_back_the_same_strings(
    studies: Callable[[int], tuple[Study, Study]], chunk: int
) -> None:
    hostile, _ = studies(chunk)
    fields = hostile.site_fields()
    report = json.loads(render_report(hostile.result, "json"))
    assert report["study"] == hostile.name
    assert {s["id"] for s in report["sites"]} == set(fields)
    for site in report["sites"]:
        flat = {**site["properties"], **{k: v for k, v in site.items() if k != "properties"}}
        for key, text in fields[site["id"]].items():
            assert flat[key] == text, key
    assert {(p["a"], p["b"]) for p in report["pairs"]} == set(
        combinations(sorted(hostile.texts), 2)
    )
    for cres in (hostile.grid, hostile.parcels):
        data = json.loads(render_candidates(cres, "json"))
        assert data["study"] == hostile.name
        assert_constraints(data["constraints"], hostile)
        for pick in data["candidates"]:
            assert set(pick["breakdown"]) == set(hostile.texts)
            assert pick["nearest_id"] in hostile.texts
    parcels = json.loads(render_candidates(hostile.parcels, "json"))
    assert [p["id"] for p in parcels["candidates"]] == list(hostile.parcels.picks["id"])


# -- GeoJSON and GeoPackage --------------------------------------------------------------


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_geojson_and_geopackage_keep_the_exact_strings(
    studies: Callable[[int], tuple[Study, Study]], chunk: int, tmp_path: Path
) -> None:
    hostile, _ = studies(chunk)
    fields = hostile.site_fields()
    exported = ("id", "name", "name_zh", "placement", "accuracy_m", "source")

    doc = json.loads(export_result(hostile.result, tmp_path / "x.geojson").read_text("utf-8"))
    sites = [f["properties"] for f in doc["features"] if f["properties"]["feature_type"] == "site"]
    assert len(sites) == len(fields)
    for site in sites:
        for key in exported:
            assert site[key] == fields[site["id"]][key], key
    pairs = [f["properties"] for f in doc["features"] if f["properties"]["feature_type"] == "pair"]
    assert {(p["name_a"], p["name_b"]) for p in pairs} == set(
        combinations(sorted(hostile.texts), 2)
    )
    if "siteplan" in doc:
        assert doc["siteplan"]["study"] == hostile.name

    gpkg = export_result(hostile.result, tmp_path / "x.gpkg")
    frame = pyogrio.read_dataframe(gpkg, layer="sites")
    for _, row in frame.iterrows():
        for key in exported:
            assert row[key] == fields[row["id"]][key], key
    for layer, prefix, keys in (
        ("context", "ctx", CONTEXT_KEYS),
        ("boundary", "boundary", BOUNDARY_KEYS),
    ):
        rows = pyogrio.read_dataframe(gpkg, layer=layer).set_index("id")
        for feature_id, fields in hostile.feature_fields(prefix, keys).items():
            for key, text in fields.items():
                assert rows.loc[feature_id, key] == text, (layer, key)
    parameters = pyogrio.read_dataframe(gpkg, layer="parameters")
    assert dict(zip(parameters["key"], parameters["value"], strict=True))["study"] == hostile.name

    for cres, label in ((hostile.grid, "grid"), (hostile.parcels, "parcels")):
        doc = json.loads(write_candidates(cres, tmp_path / f"{label}.geojson").read_text("utf-8"))
        assert doc["name"] == hostile.name
        assert_constraints(doc["siteplan"]["constraints"], hostile)
        ids = [f["properties"]["id"] for f in doc["features"]]
        picks = [
            f["properties"] for f in doc["features"] if f["properties"]["feature_type"] == "pick"
        ]
        assert [p["id"] for p in picks] == list(cres.picks["id"])
        assert {f"score_{t}" for t in hostile.texts} <= set(picks[0])
        if label == "parcels":
            assert sorted(ids[: len(cres)]) == sorted(hostile.texts)
        path = write_candidates(cres, tmp_path / f"{label}.gpkg")
        gpicks = pyogrio.read_dataframe(path, layer="picks")
        assert gpicks["id"].tolist() == list(cres.picks["id"])
        assert set(gpicks["nearest_id"]) <= set(hostile.texts)
        areas = pyogrio.read_dataframe(path, layer="excluded_areas")
        enabled = [c for c in cres.constraints if c.enabled]
        for column in ("name", "note", "source"):
            got = [None if v is None or v != v else v for v in areas[column]]  # NULL: NaN
            assert got == [getattr(c, column) for c in enabled], column


# -- the whole catalogue in one study ------------------------------------------------------


@pytest.fixture(scope="module")
def whole(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Result, CandidateResult]:
    study = write_hostile_study(tmp_path_factory.mktemp("whole") / "study")
    result = siteplan.analyze(study)
    return study, result, score_candidates(result, cell_m=200, top=3)


def test_the_whole_catalogue_in_one_study_writes_valid_text_files(
    whole: tuple[Path, Result, CandidateResult], tmp_path: Path, run_cli: Any
) -> None:
    # Payloads meet here that the chunks keep apart, e.g. ids that differ only in case.
    study, result, cres = whole
    texts = [p.text for p in PAYLOADS]
    check_markdown(render_report(result, "markdown"), texts)
    check_markdown(render_candidates(cres, "markdown"), texts)
    rows = read_csv(render_report(result, "csv", table="sites"))
    assert sorted(r["name"] for r in rows) == sorted(texts)
    assert sorted(s["id"] for s in json.loads(render_report(result, "json"))["sites"]) == sorted(
        texts
    )
    for suffix in (".geojson", ".gpkg"):
        frame = pyogrio.read_dataframe(export_result(result, tmp_path / f"x{suffix}"), layer=0)
        assert sorted(frame["name"].dropna().unique()) == sorted(texts)
    doc = json.loads(write_candidates(cres, tmp_path / "c.geojson").read_text("utf-8"))
    picks = [f["properties"] for f in doc["features"] if f["properties"]["feature_type"] == "pick"]
    assert {f"score_{t}" for t in texts} <= set(picks[0])
    # 64 sites: per-site columns are built at once (no pandas PerformanceWarning, an error here)
    for frame in (
        score_locations(result, [121.61, 121.62], [31.09, 31.1]),
        cres.score_locations([121.61], [31.09]),
        cres.surface(),
    ):
        assert {f"score_{t}" for t in texts} <= set(frame.columns)
    # GeoPackage field names ignore case: score_javascript:... and score_JaVaScRiPt:...
    # collide; a clear one-line error, nothing left behind
    before = sorted(tmp_path.iterdir())
    with pytest.raises(OutputError, match="differ only in case"):
        write_candidates(cres, tmp_path / "c.gpkg")
    assert sorted(tmp_path.iterdir()) == before
    code, _, stderr = run_cli("candidates", study, "--cell", "200", "-o", tmp_path / "d.gpkg")
    assert code == 1
    # the study's warnings (64 sites: pair lines kept within the first ring) come first,
    # each on its own "warning:" line; the error is the one "siteplan:" line, last
    errors = [line for line in stderr.splitlines() if not line.startswith("warning: ")]
    assert len(errors) == 1
    assert errors[0].startswith("siteplan: ")
    assert stderr.endswith(errors[0] + "\n")
    assert "differ only in case" in stderr
    assert "Traceback" not in stderr


# -- comparison and sensitivity markdown ------------------------------------------------


def test_comparison_markdown_escapes_user_text(
    studies: Callable[[int], tuple[Study, Study]],
) -> None:
    from siteplan.render.compare import render_comparison
    from siteplan.scenarios.compare import compare_studies

    hostile, _ = studies(0)
    other = siteplan.analyze(hostile.result.study, decay="linear", max_m=3000)
    comparison = compare_studies(hostile.result, other, candidates=False)
    check_markdown(render_comparison(comparison, "markdown"), hostile.texts)


def test_sensitivity_markdown_escapes_user_text(
    studies: Callable[[int], tuple[Study, Study]],
) -> None:
    from siteplan.render.sensitivity import render_sensitivity
    from siteplan.scenarios.sensitivity import analyze_sensitivity

    hostile, _ = studies(0)
    sweep = analyze_sensitivity(hostile.result, candidates=hostile.grid)
    check_markdown(render_candidates(hostile.grid, "markdown", sensitivity=sweep), hostile.texts)
    check_markdown(render_sensitivity(sweep, "markdown"), hostile.texts)
