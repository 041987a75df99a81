"""Text helpers shared by every renderer: escaping, number formats, csv cells, json.

One copy of each rule, so that the report, the comparison and the sensitivity
texts (and the maps' labels) round and escape alike:

- numbers for people: :func:`metres` (``1,234``), :func:`score` (``87.5``),
  :func:`number` (shortest form), :func:`percent`, all built on
  :func:`fmt_number`; a missing value is an em dash unless the caller names
  another marker;
- numbers for programs: :func:`csv_cell` and :func:`json_text` keep full
  precision;
- escaping: :func:`escape_markdown` and :func:`escape_html`.

Examples
--------
>>> metres(1234.56), score(87.46), number(0.25), metres(None)
('1,235', '87.5', '0.25', '—')
>>> fmt_number(-3.0, ".1f", signed=True), fmt_number(float("nan"), "d", missing="-")
('-3.0', '-')
>>> csv_cell(0.1), csv_cell(None), csv_cell(True)
('0.1', '', 'true')
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Sequence
from itertools import repeat
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from siteplan._values import is_missing, json_value

__all__ = [
    "MISSING",
    "count",
    "csv_cell",
    "escape_all",
    "escape_html",
    "escape_markdown",
    "fmt_number",
    "format_numbers",
    "json_text",
    "metres",
    "number",
    "percent",
    "score",
    "text",
    "texts",
]

#: What a missing number shows as in tables for people.
MISSING: Final = "—"

_MD_SPECIAL: Final = re.compile(r"[\\|`*$\[\]<>&]")
_MD_ENTITIES: Final = {"<": "&lt;", ">": "&gt;", "&": "&amp;"}
_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+")
#: Joins the cells that :func:`escape_all` escapes as one text (a private-use character).
_CELL_SEPARATOR: Final = "\ue000"


# --------------------------------------------------------------------------- escaping


def escape_markdown(text: str) -> str:
    r"""Escape user text for a markdown table cell or paragraph.

    Line breaks and control characters become one space; ``\ | ` * $ [ ]`` are
    backslash-escaped; ``< > &`` become HTML entities, because markdown
    renderers pass HTML through.

    Examples
    --------
    >>> escape_markdown("a|b <img src=x>\nc")
    'a\\|b &lt;img src=x&gt; c'
    """
    text = _CONTROL.sub(" ", text)
    return _MD_SPECIAL.sub(lambda m: _MD_ENTITIES.get(m.group(), "\\" + m.group()), text)


def escape_html(text: str) -> str:
    """Escape text for HTML text and double- or single-quoted attribute values.

    Examples
    --------
    >>> escape_html('<b title="x">A & B</b>')
    '&lt;b title=&quot;x&quot;&gt;A &amp; B&lt;/b&gt;'
    """
    return html.escape(text, quote=True)


def escape_all(cells: Sequence[str], escape: Callable[[str], str]) -> list[str]:
    r"""Return ``[escape(c) for c in cells]``, escaping one joined text instead of each cell.

    ``escape`` is :func:`escape_html` or :func:`escape_markdown`: both work
    character by character (a run of control characters never spans the
    private-use separator), so the joined text escapes to the escaped cells
    joined. Cells that hold the separator themselves are escaped one by one.

    Examples
    --------
    >>> escape_all(["a|b", "", "<x>"], escape_markdown)
    ['a\\|b', '', '&lt;x&gt;']
    """
    if not cells:
        return []
    joined = _CELL_SEPARATOR.join(cells)
    if joined.count(_CELL_SEPARATOR) != len(cells) - 1:
        return [escape(c) for c in cells]
    return escape(joined).split(_CELL_SEPARATOR)


# --------------------------------------------------------------------------- numbers for people


def fmt_number(value: Any, spec: str, *, signed: bool = False, missing: str = MISSING) -> str:
    """Format a number with a format ``spec`` (``d`` specs take integers), or ``missing``.

    None, NaN and pandas' NA are missing. ``signed`` adds a ``+`` to positive numbers.
    """
    if is_missing(value):
        return missing
    plain = int(value) if spec.endswith("d") else float(value)
    return format(plain, ("+" if signed else "") + spec)


def format_numbers(values: Any, spec: str, *, missing: str = MISSING) -> list[str]:
    """Return :func:`fmt_number` of each value, without a Python call per value for numbers.

    A column of numbers (a numpy or pandas integer or float column) is
    formatted by ``format`` in C, NaN as ``missing``; anything else (objects,
    nullable columns, ``d`` specs) value by value through :func:`fmt_number`.

    Examples
    --------
    >>> format_numbers(np.array([1234.5, np.nan, 2.0]), ",.0f")
    ['1,234', '—', '2']
    """
    array = np.asarray(values)
    if array.dtype.kind not in "fiu" or spec.endswith("d"):
        return [fmt_number(v, spec, missing=missing) for v in array.ravel().tolist()]
    floats = array.astype(np.float64, copy=False).ravel()
    out = list(map(format, floats.tolist(), repeat(spec)))
    for k in np.flatnonzero(np.isnan(floats)).tolist():
        out[k] = missing
    return out


def texts(values: Any) -> list[str]:
    """Return :func:`text` of each value (``str``, empty when missing)."""
    array: npt.NDArray[Any] = np.asarray(values, dtype=object).ravel()
    return ["" if is_missing(v) else str(v) for v in array.tolist()]


def metres(value: Any, *, missing: str = MISSING) -> str:
    """Return metres (or square metres) rounded to the unit, with thousands separators."""
    return fmt_number(value, ",.0f", missing=missing)


def score(value: Any, *, missing: str = MISSING) -> str:
    """Return a 0-100 score with one decimal."""
    return fmt_number(value, ".1f", missing=missing)


def number(value: Any, *, missing: str = MISSING) -> str:
    """Return a number in its shortest general form (``g``)."""
    return fmt_number(value, "g", missing=missing)


def percent(share: Any, *, missing: str = "") -> str:
    """Return a share in [0, 1] as a whole percentage (``"75 %"``); empty when missing.

    Examples
    --------
    >>> percent(0.754), percent(float("nan"))
    ('75 %', '')
    """
    if json_value(share) is None:
        return missing
    return f"{100 * float(share):.0f} %"


def text(value: Any) -> str:
    """Return a value as text, empty when missing."""
    return "" if is_missing(value) else str(value)


def count(n: int, noun: str) -> str:
    """Return ``n noun`` with a plural ``s`` unless n is 1.

    Examples
    --------
    >>> count(1, "site"), count(6, "pair")
    ('1 site', '6 pairs')
    """
    return f"{n} {noun}{'' if n == 1 else 's'}"


# --------------------------------------------------------------------------- numbers for programs


def csv_cell(value: Any) -> str:
    """Return a csv cell at full precision: floats by ``repr``, missing values empty."""
    value = json_value(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def json_text(document: Any) -> str:
    """Return a JSON document as UTF-8 text, indented, ending with a newline (no NaN)."""
    return json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False) + "\n"
