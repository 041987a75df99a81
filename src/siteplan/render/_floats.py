"""Format many floats as ``float.__repr__`` writes them (as ``json.dumps`` does), in C.

``repr`` costs about a microsecond per float; the streamed reports of 1,200
sites write millions. ``orjson`` formats a float64 array in C with the same
shortest round-trip digits, and writes them as ``repr`` does except for
non-zero magnitudes below ``1e-4`` (``0.00001`` and ``1e-7`` where ``repr``
writes ``1e-05`` and ``1e-07``): those few values, and non-finite ones, are
formatted here by ``repr`` / given the ``missing`` text. A probe of edge values
checks at first use that the installed ``orjson`` agrees with ``repr`` outside
that range; if it does not, every value is formatted by ``repr``.
"""

from __future__ import annotations

import functools
from typing import Final

import numpy as np
import numpy.typing as npt
import orjson

__all__ = ["float_texts", "repr_texts"]

#: Magnitudes below this (except zero) are formatted by ``repr``.
_SMALL: Final = 1e-4
_PROBE: Final = (
    0.0,
    -0.0,
    1.0,
    -2.5,
    0.1,
    0.1 + 0.2,
    1e-4,
    -1e-4,
    0.000123456789,
    1 / 3,
    123456789.123456789,
    9007199254740993.0,
    9999999999999998.0,
    1e15,
    1e16,
    -1e16,
    1.2345678901234568e17,
    1e22,
    1e300,
    1.7976931348623157e308,
    2.2250738585072014e-308,
    5e-324,
    1e-100,
)


def repr_texts(values: npt.NDArray[np.float64], missing: str) -> npt.NDArray[np.object_]:
    """Return ``repr`` of each float, ``missing`` where it is not finite (the reference).

    Each distinct value (by its bits, so ``-0.0`` stays apart from ``0.0``) is
    formatted once, by one ``repr`` of a list, and spread back to its positions.
    """
    floats = np.ascontiguousarray(values, dtype=np.float64).reshape(-1)
    if not len(floats):
        return np.empty(0, dtype=object)
    distinct, inverse = np.unique(floats.view(np.int64), return_inverse=True)
    unique_floats = distinct.view(np.float64)
    texts = np.array(repr(unique_floats.tolist())[1:-1].split(", "), dtype=object)
    texts[~np.isfinite(unique_floats)] = missing
    out: npt.NDArray[np.object_] = texts[inverse.reshape(-1)]
    return out


def _orjson_texts(floats: npt.NDArray[np.float64]) -> list[str]:
    """Return orjson's text of each float (``null`` where not finite)."""
    data = orjson.dumps(floats, option=orjson.OPT_SERIALIZE_NUMPY)
    return data[1:-1].decode("ascii").split(",")


@functools.cache
def _orjson_agrees() -> bool:
    """Return whether orjson writes the probe values (outside the small range) as ``repr``."""
    probe = np.array(_PROBE, dtype=np.float64)
    probe = probe[(probe == 0) | (np.abs(probe) >= _SMALL)]
    return _orjson_texts(probe) == [repr(v) for v in probe.tolist()]


def float_texts(values: npt.NDArray[np.float64], missing: str) -> npt.NDArray[np.object_]:
    """Return ``repr`` of each float, ``missing`` where it is not finite.

    The same texts as :func:`repr_texts`, written by ``orjson`` in C; values
    whose ``orjson`` text differs from ``repr`` (non-zero magnitudes below
    ``1e-4``) and non-finite values are replaced by ``repr`` and ``missing``.
    """
    floats = np.ascontiguousarray(values, dtype=np.float64).reshape(-1)
    if not len(floats) or not _orjson_agrees():
        return repr_texts(floats, missing)
    out = np.array(_orjson_texts(floats), dtype=object)
    finite = np.isfinite(floats)
    small = finite & (floats != 0) & (np.abs(floats) < _SMALL)
    if small.any():
        out[small] = repr_texts(floats[small], missing)
    if not finite.all():
        out[~finite] = missing
    return out
