r"""Escaping for everything a user supplied that ends up in a map's HTML.

Every string a user supplied goes through one of these:

- :func:`html_text` for HTML text and attribute values: ``html.escape`` with
  quotes, plus the backtick, braces and the line separators U+2028/U+2029 as
  entities.
- :func:`js_json` for anything placed inside a ``<script>``: ``json.dumps``
  (ASCII only, so U+2028/U+2029 and lone surrogates come out as ``\uXXXX``)
  with ``<``, ``>``, ``&``, ``'``, the backtick and (inside strings) ``{``
  also written as ``\uXXXX``, so ``</script>`` cannot end the script and
  nothing can open a template literal. JavaScript never builds HTML by
  concatenating user text: popups and tooltips are HTML built here with
  :func:`html_text` and handed over as JSON strings.
- :func:`inert_js` checks JavaScript that siteplan generates (a decay's function
  expression) before it is embedded.

Folium's ``Popup``, ``Tooltip``, ``GeoJsonTooltip`` and ``GeoJsonPopup`` insert
raw HTML. Worse, branca's ``MacroElement.render`` wraps every macro's *output*
in ``Element(output)``, which compiles it as a Jinja template (not sandboxed):
user text that reaches a folium template with ``{{ ... }}`` in it is evaluated
as Python at render time. Escaping ``{`` (an entity in HTML, ``\u007b`` in
JSON strings) keeps it inert, because every Jinja delimiter starts with ``{``;
siteplan escapes it in everything it hands to folium (see
:mod:`siteplan.maps.elements`).
"""

from __future__ import annotations

import html
import json
import math
import re
from typing import Any, Final

__all__ = ["clean_text", "html_text", "inert_js", "js_json", "truncate"]

_UNPRINTABLE: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_JS_ESCAPES: Final = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "'": "\\u0027",
    "`": "\\u0060",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_JSON_STRING_RE: Final = re.compile(r'"(?:[^"\\]|\\.)*"')
_JSON_ESCAPE_PAIR_RE: Final = re.compile(r"\\(.)")
_HTML_EXTRA: Final = {
    "`": "&#96;",
    "{": "&#123;",
    "}": "&#125;",
    "\u2028": "&#8232;",
    "\u2029": "&#8233;",
}
_HTML_EXTRA_RE: Final = re.compile("[`{}\u2028\u2029]")
_JINJA_OR_HTML_RE: Final = re.compile(r"\{\{|\{%|\{#|</|<!--|`")


def clean_text(value: object) -> str:
    """Return ``value`` as display text.

    None and NaN become ``""``; lone surrogates (which cannot be written as
    UTF-8) and control characters other than tab and newlines become U+FFFD.

    Examples
    --------
    >>> clean_text(None), clean_text(float("nan"))
    ('', '')
    >>> clean_text("a" + chr(0)) == "a" + chr(0xFFFD)
    True
    """
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    return _UNPRINTABLE.sub("\ufffd", str(value))


def html_text(value: object) -> str:
    """Return ``value`` escaped for HTML text or a quoted attribute value.

    Examples
    --------
    >>> html_text('<img src=x onerror="alert(1)">`')
    '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&#96;'
    """
    return _HTML_EXTRA_RE.sub(
        lambda m: _HTML_EXTRA[m.group(0)], html.escape(clean_text(value), quote=True)
    )


def _unicode_quotes(literal: str) -> str:
    r"""Rewrite a JSON string literal's ``\"`` and ``\\`` escapes as ``\u0022`` / ``\u005c``."""
    body = _JSON_ESCAPE_PAIR_RE.sub(
        lambda m: {'"': "\\u0022", "\\": "\\u005c"}.get(m.group(1), m.group(0)), literal[1:-1]
    )
    return f'"{body}"'


def js_json(value: Any, *, quotes: bool = False) -> str:
    r"""Return ``value`` as a JSON literal that is safe anywhere inside a ``<script>``.

    With ``quotes``, double quotes and backslashes inside strings are written as
    ``\u0022`` and ``\u005c`` too, so that raw user text (not HTML built with
    :func:`html_text`) never appears with its quotes in the page.

    Examples
    --------
    >>> js_json({"name": "</script>${x}`"})
    '{"name":"\\u003c/script\\u003e$\\u007bx}\\u0060"}'
    >>> js_json(['\\"'], quotes=True)
    '["\\u005c\\u0022"]'
    """
    text = json.dumps(value, ensure_ascii=True, separators=(",", ":"), allow_nan=False)
    # Braces only in strings: outside them JSON never has "{{", "{%" or "{#".
    if _braces_in_strings(text):
        text = _JSON_STRING_RE.sub(lambda m: m.group(0).replace("{", "\\u007b"), text)
    if quotes and ('\\"' in text or "\\\\" in text):  # else no string holds \" or \\
        text = _JSON_STRING_RE.sub(lambda m: _unicode_quotes(m.group(0)), text)
    # ensure_ascii wrote U+2028 and U+2029 as \u escapes already; the others, one
    # str.replace each (no replacement holds a character replaced after it)
    for character in "<>&'`":
        text = text.replace(character, _JS_ESCAPES[character])
    return text


def _braces_in_strings(text: str) -> bool:
    """Return whether a JSON text may hold ``{`` inside a string literal.

    Without an escaped quote, the text's ``"`` alternate between opening and
    closing a string, so every other piece between them is a string's content.
    With one, the answer is yes (the caller then looks string by string).
    """
    if '\\"' in text:
        return True
    return "{" in "".join(text.split('"')[1::2])


def inert_js(code: str) -> str:
    """Return siteplan-generated JavaScript after checking it is safe to embed.

    The code goes into a macro whose output branca compiles as a Jinja template,
    inside a ``<script>``: it may hold no Jinja delimiter, no ``</``, no ``<!--``
    and no backtick.

    Raises
    ------
    ValueError
        When the code holds one of them.

    Examples
    --------
    >>> inert_js("function (d) { return 100; }")
    'function (d) { return 100; }'
    >>> inert_js("'</script>'")
    Traceback (most recent call last):
    ...
    ValueError: generated JavaScript is not safe to embed: "'</script>'"
    """
    if _JINJA_OR_HTML_RE.search(code):
        raise ValueError(f"generated JavaScript is not safe to embed: {code[:80]!r}")
    return code


def truncate(text: str, limit: int) -> str:
    """Return ``text`` cut to ``limit`` characters, with an ellipsis when cut.

    Examples
    --------
    >>> truncate("Shanghai International Medical Zone", 9)
    'Shanghai…'
    """
    return text if len(text) <= limit else text[: limit - 1] + "…"
