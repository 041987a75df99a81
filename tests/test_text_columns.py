"""Column-wise number formatting and escaping for the report tables (issue 14).

Each column helper must give exactly what the per-value helper gives for every
value: the reference is the per-value function, called one value at a time.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from siteplan.render.text import (
    escape_all,
    escape_html,
    escape_markdown,
    fmt_number,
    format_numbers,
    text,
    texts,
)

SPECS = [",.0f", ".1f", "g", ",.1f", ".2f"]
EDGES = [0.0, -0.0, -0.4, 0.5, 1.5, 2.5, -2.5, 1234.5, 999_999.5, 1e16, 1e300, 5e-324, 1e-5]
EDGES += [math.nan, math.inf, -math.inf, 123456789.123456789, 0.05, 0.15, 0.25]


@pytest.mark.parametrize("spec", SPECS)
def test_float_columns_format_as_fmt_number(spec: str) -> None:
    rng = np.random.default_rng(14)
    values = np.concatenate([np.array(EDGES), rng.normal(0, 1e5, 5_000), rng.random(2_000)])
    got = format_numbers(values, spec)
    assert got == [fmt_number(v, spec) for v in values.tolist()]
    assert format_numbers(pd.Series(values), spec, missing="-") == [
        fmt_number(v, spec, missing="-") for v in values
    ]


@pytest.mark.parametrize(
    "values",
    [
        np.array([0, 7, -12_345, 2**62], dtype=np.int64),
        np.array([1, 2**63 + 1], dtype=np.uint64),
        np.array([1.5, 2.25, np.nan], dtype=np.float32),
        pd.array([1.5, None, 2.0], dtype="Float64"),
        np.array([1.0, None, "x", True, pd.NA], dtype=object),
        np.array([True, False]),
        np.empty(0),
    ],
)
def test_other_columns_format_as_fmt_number(values: object) -> None:
    items = list(values)  # type: ignore[call-overload]
    for spec in (",.0f", "g"):
        try:
            expected = [fmt_number(v, spec) for v in items]
        except (TypeError, ValueError) as exc:
            with pytest.raises(type(exc)):
                format_numbers(values, spec)
        else:
            assert format_numbers(values, spec) == expected


def test_texts_are_text_of_each_value() -> None:
    values = ["a", None, math.nan, 3, 2.5, pd.NA, "", "é"]
    assert texts(pd.Series(values, dtype=object)) == [text(v) for v in values]
    assert texts(pd.Series(["x", None], dtype="string")) == ["x", ""]


CELL = st.text(
    alphabet=st.sampled_from(list("ab|\\`*$[]<>&\"' \n\t\r\x00\x1f\x7f\u0085\u2028\u2029\ue000é")),
    max_size=8,
)


@settings(max_examples=400, deadline=None)
@given(st.lists(CELL, max_size=12))
def test_escaping_cells_together_is_escaping_each(cells: list[str]) -> None:
    for escape in (escape_markdown, escape_html):
        assert escape_all(cells, escape) == [escape(c) for c in cells]


def test_control_runs_at_cell_edges_stay_in_their_cells() -> None:
    cells = ["a\n", "\nb", "\x00", "", "\ue000x", "c\r\n"]
    assert escape_all(cells, escape_markdown) == [escape_markdown(c) for c in cells]
    assert escape_all(cells[:4], escape_markdown) == ["a ", " b", " ", ""]
