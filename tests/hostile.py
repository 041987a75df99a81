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
"""

from __future__ import annotations

import json
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
