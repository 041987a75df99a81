"""The column-wise formatting of the streamed json and csv reports (issue 14).

References are Python's own: ``json.dumps`` / ``repr`` of each float, ``csv.writer``
rows and ``sorted`` on ``str`` keys; the streamed text must be the same bytes.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import math

import numpy as np
import pytest

from siteplan.render._floats import float_texts
from siteplan.render._stream import _interleave, _str_codes, in_order

TRICKY = [
    0.0,
    -0.0,
    1.0,
    0.1,
    1e16,
    1e-5,
    123456789.123456789,
    5e-324,
    1.7976931348623157e308,
    -2.5,
    math.nan,
    math.inf,
    -math.inf,
    0.1 + 0.2,
    0.0,
    -0.0,
    0.1,
]


def test_each_float_is_formatted_as_json_dumps_writes_it() -> None:
    values = np.array(TRICKY)
    got = float_texts(values, "null").tolist()
    expected = [json.dumps(v) if math.isfinite(v) else "null" for v in TRICKY]
    assert got == expected
    assert got[1] == got[15] == "-0.0"  # kept apart from 0.0, though equal as floats


def test_many_repeated_values_keep_their_positions() -> None:
    rng = np.random.default_rng(14)
    values = rng.choice([0.0, 25.0, 1 / 3, -0.0, math.nan], size=10_000)
    got = float_texts(values, "").tolist()
    assert got == [repr(float(v)) if math.isfinite(v) else "" for v in values]


def test_rows_interleave_as_a_csv_writer_writes_them() -> None:
    rng = np.random.default_rng(15)
    a = np.array([f"s{i}" for i in range(50)], dtype=object)
    x = rng.normal(size=50)
    y = np.where(rng.random(50) < 0.2, math.nan, rng.normal(size=50))
    text = _interleave(["", ",", ",", "\n"], [a, float_texts(x, ""), float_texts(y, "")])
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for name, u, v in zip(a.tolist(), x.tolist(), y.tolist(), strict=True):
        writer.writerow([name, repr(u), repr(v) if math.isfinite(v) else ""])
    assert text == buffer.getvalue()


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (["a", "a", "b"], ["b", "c", "a"]),
        (["a", "a", "b"], ["c", "b", "a"]),
        (["10", "9"], ["x", "y"]),  # code-point order, not numeric
        ([9, 10], ["x", "y"]),  # compared as str: "10" < "9"
        (["é", "z"], ["a", "a"]),  # "z" < "é" in code points
        (["a", "a"], ["b", "b"]),  # a repeat is not strictly increasing
        (["Z", "a"], ["b", "b"]),
        ([], []),
        (["only"], ["one"]),
    ],
)
def test_in_order_is_strict_code_point_order_of_str(
    first: list[object], second: list[object]
) -> None:
    keys = [(str(x), str(y)) for x, y in zip(first, second, strict=True)]
    expected = all(k < n for k, n in itertools.pairwise(keys))
    assert in_order(np.array(first, dtype=object), np.array(second, dtype=object)) is expected


def test_str_codes_give_missing_values_a_code_of_their_own() -> None:
    # as pandas.factorize(..., use_na_sentinel=False): None and NaN are one missing value
    values = np.array(["b", None, "a", math.nan, "b", None, 1, "1"], dtype=object)
    codes, texts = _str_codes(values)
    assert texts == ["b", "nan", "a", "1"]
    assert codes.tolist() == [0, 1, 2, 1, 0, 1, 3, 3]  # 1 and "1" share their str
    plain, plain_texts = _str_codes(np.array(["x", "y", "x"], dtype=object))
    assert (plain.tolist(), plain_texts) == ([0, 1, 0], ["x", "y"])
