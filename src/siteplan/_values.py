"""Convert numpy and pandas values to plain, JSON-ready Python values.

One conversion for every output that writes JSON (reports, candidates,
comparisons): NaN, None, pandas NA and NaT become None; numpy scalars become
Python ones; containers are converted item by item.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["is_missing", "json_value"]


def is_missing(value: Any) -> bool:
    """Return whether a value is None, pandas NA/NaT or a float NaN."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float | np.floating) and math.isnan(value)


def json_value(value: Any) -> Any:
    """Convert numpy/pandas scalars and containers to JSON-ready Python values."""
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
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [json_value(v) for v in value]
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return str(value)
