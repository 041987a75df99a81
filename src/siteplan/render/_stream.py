"""Stream the JSON and CSV reports in pieces, so that no n² object is built in memory.

The JSON report is :func:`siteplan.render.report.report_dict` written by
``json.dumps(..., indent=2)``; here the same bytes are produced piece by piece:
the document without its pairs (and with the site breakdowns left as
placeholders) goes through ``json.dumps``, and the pairs and breakdowns are
formatted from arrays, :data:`ROWS_PER_PIECE` pairs at a time. Floats are
written as ``json.dumps`` writes them (``float.__repr__``), missing values as
``null``; strings are encoded once per site.

``pairs="within"`` keeps the pairs within reach (:func:`siteplan.analysis.reach_m`)
and, in each site's breakdown, the neighbours within reach.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from siteplan._values import json_value
from siteplan.analysis import reach_m

if TYPE_CHECKING:
    from siteplan.analysis import Result

__all__ = [
    "PAIR_SELECTIONS",
    "ROWS_PER_PIECE",
    "csv_pair_pieces",
    "json_pieces",
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


def _is_sorted(a: npt.NDArray[np.object_], b: npt.NDArray[np.object_]) -> bool:
    if len(a) < 2:
        return True
    ka = [str(v) for v in a]
    kb = [str(v) for v in b]
    return all((x, y) < (u, v) for x, y, u, v in zip(ka[:-1], kb[:-1], ka[1:], kb[1:], strict=True))


def ordered_pairs(result: Result) -> tuple[pd.DataFrame, npt.NDArray[np.intp]]:
    """Return the pairs in ``(a, b)`` order and their positions in ``result.pairs``.

    :func:`siteplan.analyze` builds them in that order already; others are sorted.
    """
    frame = result.pairs
    a = frame["a"].to_numpy(dtype=object)
    b = frame["b"].to_numpy(dtype=object)
    if _is_sorted(a, b):
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


def _reprs(values: npt.NDArray[np.float64], missing: str) -> list[str]:
    """Return ``repr`` of each float (as ``json.dumps`` writes it), ``missing`` if not finite.

    One ``repr`` of the whole list formats every float in C, without a Python
    call per value.
    """
    if not len(values):
        return []
    texts = repr(np.asarray(values, dtype=float).tolist())[1:-1].split(", ")
    bad = ~np.isfinite(values)
    if bad.any():
        for k in np.flatnonzero(bad).tolist():
            texts[k] = missing
    return texts


def _json_floats(values: npt.NDArray[np.float64]) -> list[str]:
    return _reprs(values, "null")


def _site_names(result: Result, frame: pd.DataFrame) -> dict[Any, Any]:
    """Return pair id -> name (from the sites table, else from the pairs)."""
    names = dict(zip(result.sites["id"].tolist(), result.sites["name"].tolist(), strict=True))
    ids = set(frame["a"].tolist()) | set(frame["b"].tolist())
    if ids <= set(names):
        return names
    names = dict(zip(frame["a"], frame["name_a"], strict=True))
    names.update(zip(frame["b"], frame["name_b"], strict=True))
    return names


def _pair_pieces(result: Result, frame: pd.DataFrame, keep: npt.NDArray[np.bool_]) -> Iterator[str]:
    rows = np.flatnonzero(keep)
    if not len(rows):
        yield "[]"
        return
    names = _site_names(result, frame)
    ids = {k: json.dumps(json_value(k), ensure_ascii=False) for k in names}
    encoded_names = {k: json.dumps(json_value(v), ensure_ascii=False) for k, v in names.items()}
    overlaps = overlap_matrix(result, frame)
    columns = ("edge_m", "centroid_m", "geodesic_m", "ring_m", "score", "distance_m")
    yield "[\n"
    for start in range(0, len(rows), ROWS_PER_PIECE):
        part = rows[start : start + ROWS_PER_PIECE]
        a = frame["a"].to_numpy(dtype=object)[part]
        b = frame["b"].to_numpy(dtype=object)[part]
        num = {c: _json_floats(frame[c].to_numpy(dtype=float)[part]) for c in columns}
        ov = [_json_floats(overlaps[part, k]) for k in range(overlaps.shape[1])]
        items = []
        for k in range(len(part)):
            if ov:
                listed = ",\n        ".join(col[k] for col in ov)
                overlap = f"[\n        {listed}\n      ]"
            else:
                overlap = "[]"
            items.append(
                "    {\n"
                f'      "a": {ids[a[k]]},\n'
                f'      "b": {ids[b[k]]},\n'
                f'      "edge_m": {num["edge_m"][k]},\n'
                f'      "centroid_m": {num["centroid_m"][k]},\n'
                f'      "geodesic_m": {num["geodesic_m"][k]},\n'
                f'      "ring_m": {num["ring_m"][k]},\n'
                f'      "score": {num["score"][k]},\n'
                f'      "name_a": {encoded_names[a[k]]},\n'
                f'      "name_b": {encoded_names[b[k]]},\n'
                f'      "distance_m": {num["distance_m"][k]},\n'
                f'      "overlap_m2": {overlap}\n'
                "    }"
            )
        yield ("" if start == 0 else ",\n") + ",\n".join(items)
    yield "\n  ]"


def _breakdown_text(entries: Mapping[str, float], keys: dict[str, str]) -> str:
    if not entries:
        return "{}"
    for k in entries:
        if k not in keys:
            keys[k] = json.dumps(k, ensure_ascii=False)
    values = _json_floats(np.fromiter(entries.values(), dtype=float, count=len(entries)))
    body = ",\n        ".join([f"{keys[k]}: {v}" for k, v in zip(entries, values, strict=True)])
    return "{\n        " + body + "\n      }"


def json_pieces(
    head: dict[str, Any],
    breakdowns: Mapping[str, Mapping[str, float]],
    result: Result,
    keep: npt.NDArray[np.bool_],
) -> Iterator[str]:
    """Yield the JSON report in pieces (the same bytes as ``json_text(report_dict(...))``).

    ``head`` is the report without its pairs; each site's ``breakdown`` comes
    from ``breakdowns`` (by site id), formatted here.
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
    keys: dict[str, str] = {}
    for piece in pieces[1:]:
        key, rest = piece.split('"', 1)
        if key:
            yield _breakdown_text(breakdowns.get(order[int(key)], {}), keys)
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


def _csv_floats(values: npt.NDArray[np.float64]) -> list[str]:
    return _reprs(values, "")


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
    id_cells = {k: _csv_cell(k) for k in names}
    name_cells = {k: _csv_cell(v) for k, v in names.items()}
    numeric = ("edge_m", "centroid_m", "geodesic_m", "distance_m", "ring_m", "score")
    rows = np.flatnonzero(keep)
    for start in range(0, len(rows), ROWS_PER_PIECE):
        part = rows[start : start + ROWS_PER_PIECE]
        a = frame["a"].to_numpy(dtype=object)[part]
        b = frame["b"].to_numpy(dtype=object)[part]
        cols = [_csv_floats(frame[c].to_numpy(dtype=float)[part]) for c in numeric]
        cols += [_csv_floats(overlaps[part, k]) for k in range(overlaps.shape[1])]
        lines = [
            ",".join(
                [id_cells[a[k]], id_cells[b[k]], name_cells[a[k]], name_cells[b[k]]]
                + [col[k] for col in cols]
            )
            + "\n"
            for k in range(len(part))
        ]
        yield "".join(lines)
