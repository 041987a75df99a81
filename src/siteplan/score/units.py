"""Name what carries the measure by its unit: metres (``_m``) or minutes (``_min``).

With ``measure = "time"`` the distances scores follow are travel times in
minutes, and every field, column, parameter and study key that carries the
measure ends in ``_min`` instead of ``_m`` (``distance_min``, ``rings_min``,
``half_min``, ...). Inside siteplan the values keep their ``_m`` names (a
value in ``parameters.unit``); the outputs and the inputs translate with
:func:`unit_name` and :func:`internal_names`.

Examples
--------
>>> unit_name("ring_m", "min"), unit_name("edge_m", "min"), unit_name("ring_m", "m")
('ring_min', 'edge_m', 'ring_m')
>>> internal_names({"half_min": 5.0, "decay": "exponential"}, "min")
{'half_m': 5.0, 'decay': 'exponential'}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from siteplan.errors import ParameterError

__all__ = [
    "MEASURE_KEYS",
    "MEASURE_UNITS",
    "TIME_DEFAULTS",
    "internal_names",
    "unit_name",
    "unit_of",
]

#: The unit of each measure.
MEASURE_UNITS: Final = {"edge": "m", "centroid": "m", "network": "m", "time": "min"}
#: The names (internal spelling) of everything that carries the measure.
MEASURE_KEYS: Final = frozenset(
    {
        "distance_m",
        "ring_m",
        "inner_m",
        "nearest_m",
        "rings_m",
        "max_m",
        "half_m",
        "sigma_m",
        "inflection_m",
        "steepness_m",
    }
)
#: The decay defaults in minutes (``measure = "time"``), by internal name.
TIME_DEFAULTS: Final[dict[str, Any]] = {
    "rings_m": (5.0, 10.0, 15.0, 30.0),
    "max_m": 30.0,
    "half_m": 10.0,
    "sigma_m": 10.0,
    "inflection_m": 10.0,
    "steepness_m": 2.5,
}


def unit_of(measure: str) -> str:
    """Return the unit of a measure: ``m`` or ``min`` (``m`` for an unknown one)."""
    return MEASURE_UNITS.get(measure, "m")


def unit_name(name: str, unit: str) -> str:
    """Return the public name of a field that may carry the measure."""
    if unit == "min" and name in MEASURE_KEYS:
        return name[: -len("_m")] + "_min"
    return name


def internal_names(values: Mapping[str, Any], unit: str) -> dict[str, Any]:
    """Return ``values`` with measure keys in their internal (``_m``) spelling.

    Raises
    ------
    ParameterError
        For a key in the other unit (``half_m`` with time, ``half_min`` with metres).
    """
    out: dict[str, Any] = {}
    for given, value in values.items():
        key = given
        if given.endswith("_min") and given[: -len("_min")] + "_m" in MEASURE_KEYS:
            if unit != "min" and value is not None:
                raise ParameterError(
                    f"{given} is in minutes, which applies to measure time only; give "
                    f"{given[: -len('_min')]}_m in metres, or measure time",
                    argument=given,
                )
            key = given[: -len("_min")] + "_m"
        elif unit == "min" and key in MEASURE_KEYS and value is not None:
            raise ParameterError(
                f"{key} is in metres, but measure time scores minutes; give "
                f"{unit_name(key, 'min')} instead",
                argument=key,
            )
        if value is not None or key not in out:
            out[key] = value
    return out
