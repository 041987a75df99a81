"""Stream the JSON and CSV reports in pieces, so that no n² object is built in memory.

The JSON report is :func:`siteplan.render.report.report_dict` written by
``json.dumps(..., indent=2)``; here the same bytes are produced piece by piece:
the document without its pairs (and with the site breakdowns left as
placeholders) goes through ``json.dumps``, and the pairs and breakdowns are
formatted from arrays, :data:`ROWS_PER_PIECE` pairs at a time. Floats are
written as ``json.dumps`` writes them (``float.__repr__``, formatted in C by
:func:`siteplan.render._floats.float_texts`), missing values as ``null``;
strings are encoded once per site.

``pairs="within"`` keeps the pairs within reach (:func:`siteplan.analysis.reach_m`)
and, in each site's breakdown, the neighbours within reach.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from siteplan._values import json_value
from siteplan.analysis import reach_m
from siteplan.render._floats import float_texts

if TYPE_CHECKING:
    from siteplan.analysis import Result

__all__ = [
    "PAIR_SELECTIONS",
    "ROWS_PER_PIECE",
    "breakdown_table",
    "csv_pair_pieces",
    "in_order",
    "json_pieces",
    "ordered_pairs",
    "overlap_matrix",
    "pair_selection",
]

#: ``all`` (every pair, the default) or ``within`` (the pairs within reach).
PAIR_SELECTIONS: Final = ("all", "within")
#: Pairs formatted per piece of output.
ROWS_PER_PIECE: Final = 20_000
_PLACEHOLDER: Final = "\x00siteplan-stream\x00"


def pair_selection(result: Result, pairs: str) -> npt.NDArray[np.bool_]:
    """Return a boolean per pair of ``result.pairs``: kept by the ``pairs`` selection."""
    distance = result.pairs["distance_m"].to_numpy(dtype=float)
    if pairs == "within":
        return np.asarray(distance <= reach_m(result.parameters), dtype=bool)
    return np.ones(len(distance), dtype=bool)


def _str_codes(values: Any) -> tuple[npt.NDArray[np.intp], list[str]]:
    """Return a code per value and the distinct ``str`` of the values, codes in first-seen order.

    Values whose ``str`` is the same share a code. ``str`` is called once per
    distinct value, not per position.
    """
    codes, found = pd.factorize(np.asarray(values, dtype=object))  # 3x faster than below
    uniques: list[Any] = found.tolist()
    if len(codes) and codes.min() < 0:  # a missing value: give it a code of its own
        codes, with_missing = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=False)
        uniques = with_missing.tolist()
    texts = [str(v) for v in uniques]
    text_codes, distinct = pd.factorize(pd.Series(texts, dtype=object))
    return np.asarray(text_codes, dtype=np.intp)[codes], [str(v) for v in distinct.tolist()]


def _str_ranks(values: Any) -> npt.NDArray[np.intp]:
    """Return each value's rank among the distinct ``str`` of the values (code-point order)."""
    codes, texts = _str_codes(values)
    rank = np.empty(len(texts), dtype=np.intp)
    rank[sorted(range(len(texts)), key=texts.__getitem__)] = np.arange(len(texts))
    out: npt.NDArray[np.intp] = rank[codes]
    return out


def in_order(first: Any, second: Any) -> bool:
    """Return whether ``(str(first[k]), str(second[k]))`` strictly increases with ``k``."""
    if len(first) < 2:
        return True
    a = _str_ranks(first)
    b = _str_ranks(second)
    less = (a[:-1] < a[1:]) | ((a[:-1] == a[1:]) & (b[:-1] < b[1:]))
    return bool(less.all())


def ordered_pairs(result: Result) -> tuple[pd.DataFrame, npt.NDArray[np.intp]]:
    """Return the pairs in ``(a, b)`` order and their positions in ``result.pairs``.

    :func:`siteplan.analyze` builds them in that order already; others are sorted.
    """
    frame = result.pairs
    a = frame["a"].to_numpy(dtype=object)
    b = frame["b"].to_numpy(dtype=object)
    if in_order(a, b):
        return frame.reset_index(drop=True), np.arange(len(frame), dtype=np.intp)
    positions = np.lexsort(
        (np.array([str(v) for v in b], dtype=object), np.array([str(v) for v in a], dtype=object))
    )
    return frame.iloc[positions].reset_index(drop=True), positions.astype(np.intp)


def overlap_matrix(result: Result, pairs: pd.DataFrame) -> npt.NDArray[np.float64]:
    """Return the buffer overlaps as ``(pairs, rings)``, aligned to ``pairs`` (NaN: none)."""
    rings = [float(r) for r in result.parameters.rings_m]
    ov = result.overlaps
    m = len(rings)
    a = pairs["a"].to_numpy(dtype=object)
    b = pairs["b"].to_numpy(dtype=object)
    if m and len(ov) == len(pairs) * m:
        oa = ov["a"].to_numpy(dtype=object)[::m]
        ob = ov["b"].to_numpy(dtype=object)[::m]
        same_rings = np.array_equal(ov["ring_m"].to_numpy(dtype=float)[:m], rings)
        if same_rings and np.array_equal(oa, a) and np.array_equal(ob, b):
            return ov["overlap_m2"].to_numpy(dtype=float).reshape(len(pairs), m)
    lookup = {
        (str(x), str(y), float(r)): float(v)
        for x, y, r, v in zip(ov["a"], ov["b"], ov["ring_m"], ov["overlap_m2"], strict=True)
    }
    out = np.full((len(pairs), m), np.nan)
    for k, (x, y) in enumerate(zip(a, b, strict=True)):
        for c, r in enumerate(rings):
            out[k, c] = lookup.get((str(x), str(y), r), np.nan)
    return out


class _Formatter:
    """Format float columns, reusing the texts of a column equal to one formatted before."""

    def __init__(self, missing: str) -> None:
        self._missing = missing
        self._done: list[tuple[npt.NDArray[np.int64], npt.NDArray[np.object_]]] = []

    def __call__(self, values: npt.NDArray[np.float64]) -> npt.NDArray[np.object_]:
        bits = np.ascontiguousarray(values, dtype=np.float64).view(np.int64)
        for seen, texts in self._done:
            if np.array_equal(seen, bits):
                return texts
        texts = float_texts(values, self._missing)
        self._done.append((bits, texts))
        return texts


def _site_names(result: Result, frame: pd.DataFrame) -> dict[Any, Any]:
    """Return pair id -> name (from the sites table, else from the pairs)."""
    names = dict(zip(result.sites["id"].tolist(), result.sites["name"].tolist(), strict=True))
    ids = set(frame["a"].tolist()) | set(frame["b"].tolist())
    if ids <= set(names):
        return names
    names = dict(zip(frame["a"], frame["name_a"], strict=True))
    names.update(zip(frame["b"], frame["name_b"], strict=True))
    return names


def _encoded(keys: list[Any], texts: list[str], values: Any) -> npt.NDArray[np.object_]:
    """Return ``texts[keys.index(v)]`` for each of ``values``, looked up in C."""
    positions = pd.Index(keys, dtype=object).get_indexer(pd.Index(values, dtype=object))
    table = np.array(texts, dtype=object)
    out: npt.NDArray[np.object_] = table[positions]
    return out


def _interleave(literals: Sequence[str], columns: Sequence[npt.NDArray[np.object_]]) -> str:
    """Return ``literals[0] + columns[0][k] + literals[1] + ...`` for every row ``k``, joined.

    ``len(literals) == len(columns) + 1``; the rows are joined with nothing between.
    """
    rows = len(columns[0]) if columns else 0
    grid = np.empty((rows, 2 * len(columns) + 1), dtype=object)
    grid[:, 0::2] = np.array(literals, dtype=object)
    for k, column in enumerate(columns):
        grid[:, 2 * k + 1] = column
    return "".join(grid.ravel().tolist())


_PAIR_FLOATS: Final = ("edge_m", "centroid_m", "geodesic_m", "ring_m", "score")


def _pair_pieces(result: Result, frame: pd.DataFrame, keep: npt.NDArray[np.bool_]) -> Iterator[str]:
    rows = np.flatnonzero(keep)
    if not len(rows):
        yield "[]"
        return
    names = _site_names(result, frame)
    keys = list(names)
    ids = [json.dumps(json_value(k), ensure_ascii=False) for k in keys]
    encoded_names = [json.dumps(json_value(names[k]), ensure_ascii=False) for k in keys]
    a_all = frame["a"].to_numpy(dtype=object)
    b_all = frame["b"].to_numpy(dtype=object)
    overlaps = overlap_matrix(result, frame)
    rings = overlaps.shape[1]
    literals = [
        ',\n    {\n      "a": ',
        ',\n      "b": ',
        *[f',\n      "{c}": ' for c in _PAIR_FLOATS],
        ',\n      "name_a": ',
        ',\n      "name_b": ',
        ',\n      "distance_m": ',
        ',\n      "overlap_m2": ' + ("[\n        " if rings else "[]"),
        *([",\n        "] * (rings - 1)),
        ("\n      ]" if rings else "") + "\n    }",
    ]
    yield "[\n"
    for start in range(0, len(rows), ROWS_PER_PIECE):
        part = rows[start : start + ROWS_PER_PIECE]
        a = a_all[part]
        b = b_all[part]
        number = _Formatter("null")
        columns = [
            _encoded(keys, ids, a),
            _encoded(keys, ids, b),
            *[number(frame[c].to_numpy(dtype=float)[part]) for c in _PAIR_FLOATS],
            _encoded(keys, encoded_names, a),
            _encoded(keys, encoded_names, b),
            number(frame["distance_m"].to_numpy(dtype=float)[part]),
            *[number(overlaps[part, k]) for k in range(rings)],
        ]
        text = _interleave(literals, columns)
        yield text[2:] if start == 0 else text
    yield "\n  ]"


class _Breakdowns:
    """Each site's breakdown (neighbour id -> contribution), formatted on demand.

    Built from the analysis' breakdown table in one vectorised pass: the rows
    are grouped by site in table order (a site's neighbours keep their order),
    keys are encoded once per neighbour and values by :func:`float_texts`.
    """

    def __init__(self, table: pd.DataFrame) -> None:
        codes, uniques = _str_codes(table["site_id"].to_numpy(dtype=object))
        order = np.argsort(codes, kind="stable")
        counts = np.bincount(codes, minlength=len(uniques)) if len(codes) else np.zeros(0, int)
        ends = np.cumsum(counts)
        self._bounds = {
            str(site): (int(end - n), int(end))
            for site, n, end in zip(uniques, counts.tolist(), ends.tolist(), strict=True)
        }
        other_codes, others = _str_codes(table["other_id"].to_numpy(dtype=object)[order])
        keys = np.array([json.dumps(k, ensure_ascii=False) + ": " for k in others], dtype=object)
        values = table["contribution"].to_numpy(dtype=float)[order]
        self._entries: npt.NDArray[np.object_] = np.empty(len(values), dtype=object)
        # a piece at a time: each value's text lives only until joined to its key
        for start in range(0, len(values), ROWS_PER_PIECE):
            part = slice(start, start + ROWS_PER_PIECE)
            self._entries[part] = keys[other_codes[part]] + float_texts(values[part], "null")

    def text(self, site: str) -> str:
        """Return the site's breakdown as the indented JSON object of the report."""
        start, stop = self._bounds.get(site, (0, 0))
        if stop == start:
            return "{}"
        return "{\n        " + ",\n        ".join(self._entries[start:stop].tolist()) + "\n      }"


def breakdown_table(result: Result, within_m: float | None = None) -> pd.DataFrame:
    """Return the breakdown rows in ``(site, other)`` order (those within ``within_m``)."""
    table = result.breakdown
    if within_m is not None:
        table = table.loc[table["distance_m"].to_numpy(dtype=float) <= within_m]
    if len(table) > 1 and not in_order(table["site_id"], table["other_id"]):
        table = table.sort_values(["site_id", "other_id"], kind="stable")
    return table


def json_pieces(
    head: dict[str, Any],
    breakdowns: pd.DataFrame,
    result: Result,
    keep: npt.NDArray[np.bool_],
) -> Iterator[str]:
    """Yield the JSON report in pieces (the same bytes as ``json_text(report_dict(...))``).

    ``head`` is the report without its pairs; each site's ``breakdown`` comes
    from the rows of ``breakdowns`` (:func:`breakdown_table`), formatted here.
    """
    document = dict(head)
    document["pairs"] = _PLACEHOLDER
    order = []
    for k, site in enumerate(document["sites"]):
        order.append(str(site["id"]))
        site["breakdown"] = _PLACEHOLDER + str(k)
    text = json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False) + "\n"
    marker = json.dumps(_PLACEHOLDER)[1:-1]
    pieces = text.split('"' + marker)
    yield pieces[0]
    formatted = _Breakdowns(breakdowns)
    for piece in pieces[1:]:
        key, rest = piece.split('"', 1)
        if key:
            yield formatted.text(order[int(key)])
        else:
            frame, positions = ordered_pairs(result)
            yield from _pair_pieces(result, frame, keep[positions])
        yield rest


def _csv_cell(value: Any) -> str:
    """Return one csv cell exactly as ``csv.writer`` writes it in a row of several."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow([_csv_plain(value), "x"])
    return buffer.getvalue()[: -len(",x\n")]


def _csv_plain(value: Any) -> str:
    value = json_value(value)
    return "" if value is None else str(value)


def csv_pair_pieces(
    result: Result, header: Sequence[str], keep: npt.NDArray[np.bool_]
) -> Iterator[str]:
    """Yield the pairs csv (header, then rows) in pieces, at full precision."""
    frame, positions = ordered_pairs(result)
    keep = keep[positions]
    overlaps = overlap_matrix(result, frame)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(header)
    yield buffer.getvalue()
    names = _site_names(result, frame)
    keys = list(names)
    id_cells = [_csv_cell(k) for k in keys]
    name_cells = [_csv_cell(names[k]) for k in keys]
    numeric = ("edge_m", "centroid_m", "geodesic_m", "distance_m", "ring_m", "score")
    a_all = frame["a"].to_numpy(dtype=object)
    b_all = frame["b"].to_numpy(dtype=object)
    rows = np.flatnonzero(keep)
    literals = ["", *([","] * (3 + len(numeric) + overlaps.shape[1])), "\n"]
    for start in range(0, len(rows), ROWS_PER_PIECE):
        part = rows[start : start + ROWS_PER_PIECE]
        number = _Formatter("")
        yield _interleave(
            literals,
            [
                _encoded(keys, id_cells, a_all[part]),
                _encoded(keys, id_cells, b_all[part]),
                _encoded(keys, name_cells, a_all[part]),
                _encoded(keys, name_cells, b_all[part]),
                *[number(frame[c].to_numpy(dtype=float)[part]) for c in numeric],
                *[number(overlaps[part, k]) for k in range(overlaps.shape[1])],
            ],
        )
