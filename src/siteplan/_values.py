"""Convert numpy and pandas values to plain, JSON-ready Python values.

One conversion for every output that writes JSON (reports, candidates,
comparisons): NaN, None, pandas NA and NaT become None; numpy scalars become
Python ones; containers are converted item by item.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any, Final

import numpy as np
import pandas as pd

__all__ = ["MAX_JSON_DEPTH", "is_missing", "json_value"]

#: Containers nested deeper than this are kept as their compact JSON text (one string),
#: so a hostile property nested hundreds of levels deep cannot exhaust the stack.
MAX_JSON_DEPTH: Final = 32


def is_missing(value: Any) -> bool:
    """Return whether a value is None, pandas NA/NaT or a float NaN."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float | np.floating) and math.isnan(value)


def json_value(value: Any, _depth: int = 0) -> Any:
    """Convert numpy/pandas scalars and containers to JSON-ready Python values.

    Containers nested more than :data:`MAX_JSON_DEPTH` levels deep become one
    string: their compact JSON text.

    Examples
    --------
    >>> json_value({"a": np.float64(1.5), "b": [np.int64(2), float("nan")]})
    {'a': 1.5, 'b': [2, None]}
    """
    if _depth > MAX_JSON_DEPTH and isinstance(value, Mapping | list | tuple | np.ndarray):
        return _nested_text(value)
    if is_missing(value):
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): json_value(v, _depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [json_value(v, _depth + 1) for v in value]
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return str(value)


def _nested_text(value: Any) -> str:
    """Return a deeply nested container as compact JSON text (or a note if even that fails)."""
    try:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    except (RecursionError, ValueError):
        return f"<a value nested more than {MAX_JSON_DEPTH} levels deep>"
