"""The C float formatter of the streamed reports writes exactly what ``repr`` writes.

The reference is Python's own ``repr`` (``json.dumps`` writes floats with it),
one value at a time; the values are random bit patterns (every magnitude,
subnormals, NaN payloads), random values at every decimal exponent, and edges.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from siteplan.render import _floats
from siteplan.render._floats import float_texts, repr_texts

EDGES = [
    0.0,
    -0.0,
    1.0,
    -1.0,
    0.1,
    0.1 + 0.2,
    1e-4,
    -1e-4,
    9.999999999999999e-05,
    1e-5,
    -1e-5,
    1.5e-7,
    1e-10,
    1e-100,
    5e-324,
    -5e-324,
    2.2250738585072014e-308,
    1e15,
    999999999999999.9,
    9999999999999998.0,
    1e16,
    -1e16,
    1.0000000000000002e16,
    9007199254740993.0,
    1e22,
    1e300,
    1.7976931348623157e308,
    -1.7976931348623157e308,
    123456789.123456789,
    math.nan,
    -math.nan,
    math.inf,
    -math.inf,
]


def _reference(values: np.ndarray, missing: str) -> list[str]:
    return [repr(v) if math.isfinite(v) else missing for v in values.tolist()]


def _random_values(rng: np.random.Generator, n: int) -> np.ndarray:
    bits = rng.integers(-(2**63), 2**63 - 1, n, dtype=np.int64).view(np.float64)
    with np.errstate(over="ignore"):  # a few land on inf, which is a case too
        scaled = rng.uniform(1.0, 10.0, n) * 10.0 ** rng.integers(-330, 309, n).astype(float)
        powers = 10.0 ** rng.integers(-12, 20, n).astype(float)
        near = np.nextafter(powers, rng.normal(size=n) * 1e30)  # just above or below
    digits = 10.0 ** rng.integers(0, 12, n)
    metres = np.round(rng.uniform(0, 1e5, n) * digits) / digits  # rounded to 0-11 decimals
    return np.concatenate([bits, scaled, near, metres, np.array(EDGES)])


@pytest.mark.parametrize("missing", ["null", ""])
def test_a_large_random_sample_is_formatted_as_repr(missing: str) -> None:
    values = _random_values(np.random.default_rng(14), 200_000)
    small = np.isfinite(values) & (values != 0) & (np.abs(values) < 1e-4)
    assert small.sum() > 1_000  # the range where orjson and repr disagree is exercised
    assert float_texts(values, missing).tolist() == _reference(values, missing)


def test_the_edges_and_negative_zero() -> None:
    values = np.array(EDGES)
    got = float_texts(values, "null").tolist()
    assert got == _reference(values, "null")
    assert got[1] == "-0.0"
    assert got[9] == "1e-05"
    assert got[20] == "1e+16"


def test_strided_and_empty_arrays() -> None:
    values = np.arange(20.0).reshape(4, 5) / 7.0
    column = values[:, 2]
    assert float_texts(column, "").tolist() == _reference(column, "")
    assert float_texts(np.empty(0), "").tolist() == []


@settings(max_examples=300, deadline=None)
@given(arrays(np.float64, st.integers(0, 60), elements=st.floats(width=64)))
def test_any_float64_array_is_formatted_as_repr(values: np.ndarray) -> None:
    assert float_texts(values, "null").tolist() == _reference(values, "null")


def test_every_value_goes_through_repr_when_orjson_disagrees(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # An orjson that wrote, say, "1e16" for 1e16 fails the probe: repr is used instead.
    real = _floats._orjson_texts

    def different(floats: np.ndarray) -> list[str]:
        return [t.replace("e+", "e") for t in real(floats)]

    monkeypatch.setattr(_floats, "_orjson_texts", different)
    _floats._orjson_agrees.cache_clear()
    try:
        assert not _floats._orjson_agrees()
        values = np.array([1e16, 2.5, 1e-5, math.nan])
        assert float_texts(values, "null").tolist() == ["1e+16", "2.5", "1e-05", "null"]
        assert repr_texts(values, "null").tolist() == ["1e+16", "2.5", "1e-05", "null"]
    finally:
        _floats._orjson_agrees.cache_clear()
