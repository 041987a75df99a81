"""A catalogue of hostile strings for escaping tests.

Every renderer that puts user text into HTML, JavaScript or CSS (maps, HTML
reports, ...) is tested by feeding these strings through every field a user
controls and checking that none of them runs or breaks the page. The payloads
that carry code try to set ``window.__pwned`` (:data:`SENTINEL`), so a browser
test can check that nothing ran by reading it back.

Every payload is distinct, starts and ends with a non-whitespace character (so
loaders that strip text keep it intact), holds no NUL (the layer loader refuses
NUL; see :data:`WITH_NUL`) and is usable as a feature id.

Helpers
-------
``PAYLOADS``
    The catalogue: :class:`Payload` tuples ``(key, text)``.
``texts()``
    Just the strings.
``by_key(key)``
    One payload's text.
``is_markup(text)``
    Whether the raw text would change the meaning of HTML or JavaScript (it
    holds ``< > & " '``, a backtick or a line separator): such a text must never
    appear raw in a rendered page.
``filename_safe()``
    The payloads that can be layer file names, for testing those.
``toml_string(text)``
    A TOML basic string literal for ``text`` (for hostile study names).
``write_hostile_study(folder)``
    A small study whose every user-controlled text is hostile.
``write_text_study(folder, texts, name=..., file_names=...)``
    A study (with exclusions, constraints and a parcel layer) whose every
    user-controlled text is taken from ``texts``: hostile ones, or benign
    stand-ins that render to the same page structure.

The catalogue covers event handlers (``onerror``, ``onload``, ``ontoggle``,
``onbegin``, attribute breakouts), script and JSON breakouts, template literals
(``${...}``, nested, a lone backtick) and template syntax (Jinja, Angular),
``javascript:`` URLs (raw, in links, mixed case, entity-encoded, in SVG and
markdown links, a meta refresh), CSS (``expression()``, ``url(javascript:...)``,
``</style>``, a style attribute) and Unicode tricks (RTL override, zero-width
joiners, U+2028/U+2029, fullwidth and look-alike brackets, homoglyphs,
combining marks, invisible tag characters). Surrogates are left out: they are
not valid UTF-8, so no file can hold them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

SENTINEL = "__pwned"
"""The global every code-carrying payload tries to set (``window.__pwned``)."""

ENV_SENTINEL = "SITEPLAN_PWNED"
"""The environment variable the ``jinja_ssti`` payload sets if a renderer evaluates
user text as a Jinja template (branca re-compiles rendered output as a template,
so text that reaches it unescaped runs Python at render time)."""


class Payload(NamedTuple):
    """One hostile string and a short key naming it."""

    key: str
    text: str


_SET = f"window.{SENTINEL}=1"

PAYLOADS: tuple[Payload, ...] = (
    Payload("img_onerror", f'<img src=x onerror="{_SET}">'),
    Payload("img_onerror_bare", f"<img src=x onerror={_SET}>"),
    Payload("script_close", f"</script><script>{_SET}</script>"),
    Payload("script_open", f"<script>{_SET}</script>"),
    Payload("svg_onload", f"<svg onload={_SET}>"),
    Payload("iframe_srcdoc", '<iframe srcdoc="<script>parent.__pwned=1</script>">'),
    Payload("a_javascript", f'<a href="javascript:{_SET}">click me</a>'),
    Payload("javascript_url", f"javascript:{_SET}"),
    Payload("template_literal", f"${{{_SET}}}"),
    Payload("quoted_template", f"'${{{_SET}}}'"),
    Payload("lone_backtick", "`"),
    Payload("backtick_break", f"`;{_SET};`"),
    Payload("single_quote_break", f"';{_SET};'"),
    Payload("double_quote_break", f'";{_SET};"'),
    Payload("lone_single_quote", "'"),
    Payload("lone_double_quote", '"'),
    Payload("attribute_break", f'" onmouseover="{_SET}" x="'),
    Payload("attribute_break_single", f"' onmouseover='{_SET}' x='"),
    Payload("backslash_quote", f'\\";{_SET};//'),
    Payload("line_separators", f"a\u2028{_SET}\u2029b"),
    Payload("crlf_markup", "line1\r\nline2<br>line3"),
    Payload("css_expression", f"x{{width:expression({_SET})}}"),
    Payload("style_close", f"</style><img src=x onerror={_SET}>"),
    Payload("title_close", f"</title><script>{_SET}</script>"),
    Payload("html_comment_open", "<!--"),
    Payload("comment_script", f"<!--<script>{_SET}</script>"),
    Payload("cdata_end", "]]>"),
    Payload("noscript_mutation", f'<noscript><p title="</noscript><img src=x onerror={_SET}>">'),
    Payload("close_tags", "</div></div></body></html>"),
    Payload("entities", f"&lt;script&gt;{_SET}&lt;/script&gt;"),
    Payload("escaped_unicode_text", "\\u003cscript\\u003e"),
    Payload("jinja_template", "{{ 7*7 }}{% raw %}"),
    Payload(
        "jinja_ssti",
        "{{ cycler.__init__.__globals__.os.environ.setdefault('SITEPLAN_PWNED', '1') }}",
    ),
    Payload("format_string", "%s%n{0}{name}"),
    Payload(
        "polyglot",
        "jaVasCript:/*-/*`/*\\`/*'/*\"/**/(/* */oNcliCk=alert() )//%0D%0A%0d%0a//"
        f"</stYle/</titLe/</teXtarEa/</scRipt/--!>\\x3csVg/<sVg/oNloAd={_SET}//>\\x3e",
    ),
    Payload("rtl_override", "x\u202egnp.exe\u202c"),
    Payload("zero_width", "a\u200b\ufeffb"),
    Payload("control_chars", "c\x01\x02\x1b[31m\x1f\x7fd"),
    Payload("nul_adjacent", "n\x01\x08<b>next to NUL</b>\x0b\x0c\ufffd"),
    Payload("long", "L" + "A" * 5000 + f"<script>{_SET}</script>"),
    Payload("emoji", "🏥🧬 family 👨\u200d👩\u200d👧 flag 🇨🇳"),
    Payload("chinese", "张江基因岛（上海国际医学园区）"),  # noqa: RUF001
    Payload("mixed_cjk_markup", "质子<img src=x onerror=window.__pwned=1>重离子"),
    # event handlers that fire without a click
    Payload("details_ontoggle", f"<details open ontoggle={_SET}>"),
    Payload("svg_animate_onbegin", f"<svg><animate onbegin={_SET} attributeName=x dur=1s>"),
    # script and JSON breakouts
    Payload("json_breakout", f'"}}]}});{_SET};//'),
    Payload("comment_close_script", f"--><script>{_SET}</script>"),
    # template literals and client-side template syntax
    Payload("nested_template", f"`${{`${{{_SET}}}`}}`"),
    Payload("angular_template", f"{{{{constructor.constructor('{_SET}')()}}}}"),
    # javascript: URLs, in links and disguised
    Payload("javascript_mixed_case", f"JaVaScRiPt:{_SET}"),
    Payload("javascript_entities", f"&#106;avascript&#58;{_SET}"),
    Payload("markdown_link", f"[click](javascript:{_SET})"),
    Payload("svg_xlink_href", f'<svg><a xlink:href="javascript:{_SET}"><text>x</text></a></svg>'),
    Payload("meta_refresh", f'<meta http-equiv=refresh content="0;url=javascript:{_SET}">'),
    # CSS: url(javascript:...), a style attribute
    Payload("css_url_javascript", f"x{{background:url(javascript:{_SET})}}"),
    Payload("style_attribute", f'<div style="background:url(javascript:{_SET})">x</div>'),
    # Unicode tricks: look-alike brackets, combining marks, joiners, invisible tags
    Payload("fullwidth_script", f"\uff1cscript\uff1e{_SET}\uff1c\uff0fscript\uff1e"),
    Payload(
        "homoglyph_brackets", f"\u2039img src=x onerror={_SET}\u203a \ufe64b\ufe65 \u02c2i\u02c3"
    ),
    Payload("homoglyph_name", "Zh\u0430ngji\u0430ng G\u0435n\u0435 Isl\u0430nd (CGT p\u0430rk)"),
    Payload("combining_marks", "Z\u0351\u0336a\u0337\u0301l\u0338g\u0334o <\u0338b>\u0338"),
    Payload("zero_width_joiners", f"<scr\u200dipt>{_SET}</scr\u200cipt>\u2060\u200d"),
    Payload("unicode_tags", "ok\U000e0069\U000e0067\U000e006e\U000e006f\U000e0072\U000e0065"),
    # a JavaScript object key with a meaning, a spreadsheet formula
    Payload("proto_key", "__proto__"),
    Payload("csv_formula", f'=HYPERLINK("javascript:{_SET}","x")'),
)

WITH_NUL = f"n\x00<script>{_SET}</script>"
"""A payload holding NUL, kept out of :data:`PAYLOADS` because the layer loader
refuses NUL (GDAL would cut the text); use it where strings arrive directly
(API arguments such as a tile attribution or a study name built in code)."""

_MARKUP = frozenset("<>&\"'`\u2028\u2029")


def texts() -> list[str]:
    """Return every payload's text, in catalogue order."""
    return [p.text for p in PAYLOADS]


def by_key(key: str) -> str:
    """Return the text of the payload named ``key``."""
    for payload in PAYLOADS:
        if payload.key == key:
            return payload.text
    raise KeyError(key)


def is_markup(text: str) -> bool:
    """Return whether ``text`` would change the meaning of HTML or JavaScript if raw."""
    return any(ch in _MARKUP for ch in text)


def filename_safe() -> list[Payload]:
    """Return the payloads usable as layer file names.

    Left out: ``/`` (a path separator), names over 200 bytes, and ``;``,
    ``!``, CR and LF, which GDAL/pyogrio read as part of a path syntax (archive
    paths, option lists) and then cannot open.
    """
    return [
        p
        for p in PAYLOADS
        if not any(ch in p.text for ch in "/;!\r\n")
        and len(p.text.encode("utf-8")) <= 200
        and p.text not in {".", ".."}
    ]


def toml_string(text: str) -> str:
    """Return ``text`` as a TOML basic string (quotes, backslashes, controls escaped)."""
    out = ['"']
    for ch in text:
        if ch in {'"', "\\"}:
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _square(lon: float, lat: float, half: float = 0.0003) -> dict[str, object]:
    ring = [
        [lon - half, lat - half],
        [lon + half, lat - half],
        [lon + half, lat + half],
        [lon - half, lat + half],
        [lon - half, lat - half],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


def _write(path: Path, features: list[dict[str, object]]) -> Path:
    doc = {"type": "FeatureCollection", "features": features}
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def write_hostile_study(folder: Path) -> Path:
    """Write a small study whose every user-controlled text is hostile; return its TOML.

    - ``sites.geojson``: one small square site per payload. Site *i* has
      ``id`` and ``name`` = payload *i*, and ``name_zh``, ``source``, ``notes``,
      ``address``, ``kind`` and ``accuracy_m`` = payloads *i+1* ... *i+6*
      (cyclically), so every payload appears in every field. ``placement`` is
      ``schematic`` for the first site and a payload for the others.
    - one context layer per :func:`filename_safe` payload, *named* after it
      (``<payload>.geojson``), holding one point whose ``name``, ``name_zh``,
      ``source`` and a property *key* are hostile.
    - ``boundary.geojson``: one polygon with hostile properties.
    - ``study.toml``: the study ``name`` is the ``title_close`` payload and the
      ``focus`` the first payload (a site id).

    Sites sit on a grid near the SIMZ (121.60 E, 31.09 N), about 380 m apart.
    """
    folder.mkdir(parents=True, exist_ok=True)
    n = len(PAYLOADS)
    site_features = []
    for i, payload in enumerate(PAYLOADS):
        lon = 121.600 + 0.004 * (i % 7)
        lat = 31.080 + 0.004 * (i // 7)

        def other(k: int, i: int = i) -> str:
            return PAYLOADS[(i + k) % n].text

        site_features.append(
            {
                "type": "Feature",
                "properties": {
                    "id": payload.text,
                    "name": payload.text,
                    "name_zh": other(1),
                    "source": other(2),
                    "notes": other(3),
                    "address": other(4),
                    "kind": other(5),
                    "accuracy_m": other(6),
                    "placement": "schematic" if i == 0 else other(7),
                },
                "geometry": _square(lon, lat),
            }
        )
    _write(folder / "sites.geojson", site_features)
    layer_lines = ['[[layers]]\npath = "sites.geojson"\nrole = "site"\n']
    for j, payload in enumerate(filename_safe()):
        path = _write(
            folder / f"{payload.text}.geojson",
            [
                {
                    "type": "Feature",
                    "properties": {
                        "id": f"ctx_{j}",
                        "name": payload.text,
                        "name_zh": payload.text,
                        "source": payload.text,
                        by_key("img_onerror_bare"): payload.text,
                    },
                    "geometry": {
                        "type": "Point",
                        "coordinates": [121.598 + 0.001 * (j % 30), 31.077 + 0.0005 * j],
                    },
                }
            ],
        )
        layer_lines.append(f'[[layers]]\npath = {toml_string(path.name)}\nrole = "context"\n')
    _write(
        folder / "boundary.geojson",
        [
            {
                "type": "Feature",
                "properties": {
                    "id": "boundary",
                    "name": by_key("script_close"),
                    "name_zh": by_key("svg_onload"),
                    "notes": by_key("template_literal"),
                    "placement": "schematic",
                },
                "geometry": _square(121.612, 31.092, 0.02),
            }
        ],
    )
    layer_lines.append('[[layers]]\npath = "boundary.geojson"\nrole = "boundary"\n')
    study = folder / "study.toml"
    study.write_text(
        f"name = {toml_string(by_key('title_close'))}\n"
        f"focus = {toml_string(PAYLOADS[0].text)}\n\n" + "\n".join(layer_lines),
        encoding="utf-8",
    )
    return study


_CONSTRAINT_KINDS = ("setback", "within", "beyond", "exclusion")


def write_text_study(
    folder: Path, texts: Sequence[str], *, name: str, file_names: Sequence[str]
) -> tuple[Path, Path]:
    """Write a study whose every user-controlled text comes from ``texts``; return it and parcels.

    With *n* = ``len(texts)`` (at least 12) and *t(k)* = ``texts[k % n]``, so
    that every text lands in every field:

    - ``sites.geojson``: site *i* (a small square on a 4-column grid about 400 m
      apart, near 121.60 E, 31.08 N) has ``id`` = ``name`` = *t(i)*,
      ``name_zh`` ... ``accuracy_m`` = *t(i+1)* ... *t(i+6)*, ``placement`` =
      ``schematic`` (site 0) or *t(i+7)*, and a scoring-irrelevant property
      whose *key* is *t(i+8)* and value *t(i+9)*;
    - ``context.geojson``: point *k* has ``name`` *t(k)*, ``name_zh`` *t(k+1)*,
      ``source`` *t(k+2)* and a property *t(k+3)*: *t(k+4)*; and one more context
      layer per entry of ``file_names``, in a file *named* after it, holding one
      point named after the file;
    - ``boundary.geojson``: a square (the study area) and *n* - 1 tiny squares
      inside it (their union is the square); feature *k* has ``name`` *t(k)*,
      ``name_zh`` *t(k+1)*, ``notes`` *t(k+2)*, ``source`` *t(k+3)* and a
      property *t(k+4)*: *t(k+5)*;
    - ``x <file_names[0]>.geojson`` (an exclusion layer): a square and *n* - 1
      tiny squares inside it; feature *k* has ``name`` *t(k)*, ``notes``
      *t(k+1)*, ``source`` *t(k+2)* and a property *t(k+3)*: *t(k+4)*;
    - ``study.toml``: ``name``, ``focus`` = *t(0)*, the layers, and one
      ``[[constraints]]`` per text (kinds setback, within, beyond, exclusion in
      turn) with ``name`` *t(i)*, ``note`` *t(i+1)*, ``source`` *t(i+2)* and
      ``site`` *t(i+3)* (or the exclusion layer);
    - ``parcels.geojson`` (not a study layer; for candidates): one small square
      per text, ``id`` *t(i)* and ``name`` *t(i+1)*.

    Two calls with texts that sort in the same order give studies with the same
    geometry, ranks and order of everything, so their rendered outputs differ
    only in the texts (what the hostile-output tests compare).
    """
    n = len(texts)
    if n < 12:
        raise ValueError("write_text_study needs at least 12 texts")

    def t(k: int) -> str:
        return texts[k % n]

    def feature(properties: dict[str, str], geometry: dict[str, object]) -> dict[str, object]:
        return {"type": "Feature", "properties": properties, "geometry": geometry}

    def inside(lon: float, lat: float, k: int, step: float) -> dict[str, object]:
        """The k-th tiny square of a 4 x 4 lattice around (lon, lat)."""
        return _square(lon + step * (k % 4 - 1.5), lat + step * (k // 4 % 4 - 1.5), 0.0001)

    folder.mkdir(parents=True, exist_ok=True)
    sites = []
    for i in range(n):
        properties = {
            "id": t(i),
            "name": t(i),
            "name_zh": t(i + 1),
            "source": t(i + 2),
            "notes": t(i + 3),
            "address": t(i + 4),
            "kind": t(i + 5),
            "accuracy_m": t(i + 6),
            "placement": "schematic" if i == 0 else t(i + 7),
            t(i + 8): t(i + 9),
        }
        where = _square(121.600 + 0.004 * (i % 4), 31.080 + 0.004 * (i // 4))
        sites.append(feature(properties, where))
    _write(folder / "sites.geojson", sites)
    layers = ['[[layers]]\npath = "sites.geojson"\nrole = "site"\n']
    points = [
        feature(
            {
                "id": f"ctx_{k}",
                "name": t(k),
                "name_zh": t(k + 1),
                "source": t(k + 2),
                t(k + 3): t(k + 4),
            },
            {"type": "Point", "coordinates": [121.594 + 0.001 * k, 31.074]},
        )
        for k in range(n)
    ]
    _write(folder / "context.geojson", points)
    layers.append('[[layers]]\npath = "context.geojson"\nrole = "context"\n')
    for j, file_name in enumerate(file_names):
        point = {"type": "Point", "coordinates": [121.596 + 0.0015 * j, 31.076]}
        path = _write(
            folder / f"{file_name}.geojson",
            [feature({"id": f"file_{j}", "name": file_name}, point)],
        )
        layers.append(f'[[layers]]\npath = {toml_string(path.name)}\nrole = "context"\n')
    boundary = [
        feature(
            {
                "id": f"boundary_{k}",
                "name": t(k),
                "name_zh": t(k + 1),
                "notes": t(k + 2),
                "source": t(k + 3),
                "placement": "schematic",
                t(k + 4): t(k + 5),
            },
            _square(121.606, 31.086, 0.012) if k == 0 else inside(121.606, 31.086, k, 0.004),
        )
        for k in range(n)
    ]
    _write(folder / "boundary.geojson", boundary)
    layers.append('[[layers]]\npath = "boundary.geojson"\nrole = "boundary"\n')
    areas = [
        feature(
            {
                "id": f"exclusion_{k}",
                "name": t(k),
                "notes": t(k + 1),
                "source": t(k + 2),
                t(k + 3): t(k + 4),
            },
            _square(121.597, 31.095, 0.002) if k == 0 else inside(121.597, 31.095, k, 0.0008),
        )
        for k in range(n)
    ]
    excluded = _write(folder / f"x {file_names[0]}.geojson", areas)
    layers.append(f'[[layers]]\npath = {toml_string(excluded.name)}\nrole = "exclusion"\n')
    constraints = []
    for i in range(n):
        kind = _CONSTRAINT_KINDS[i % len(_CONSTRAINT_KINDS)]
        target = {
            "setback": f"distance_m = {20 + i}\nsite = {toml_string(t(i + 3))}\n",
            "within": f"distance_m = 2500\nsite = {toml_string(t(i + 3))}\n",
            "beyond": f"distance_m = 1\nsite = {toml_string(t(i + 3))}\n",
            "exclusion": f"layer = {toml_string(excluded.stem)}\n",
        }[kind]
        constraints.append(
            f'[[constraints]]\nkind = "{kind}"\nname = {toml_string(t(i))}\n'
            f"note = {toml_string(t(i + 1))}\nsource = {toml_string(t(i + 2))}\n{target}"
        )
    study = folder / "study.toml"
    study.write_text(
        f"name = {toml_string(name)}\nfocus = {toml_string(t(0))}\n\n"
        + "\n".join(layers)
        + "\n"
        + "\n".join(constraints),
        encoding="utf-8",
    )
    parcels = [
        feature(
            {"id": t(i), "name": t(i + 1)},
            _square(121.598 + 0.0041 * (i % 5), 31.078 + 0.0037 * (i // 5), 0.0005),
        )
        for i in range(n)
    ]
    return study, _write(folder / "parcels.geojson", parcels)
