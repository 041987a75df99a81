"""Checks of decay parameters, with messages that name the parameter and what to give.

Examples
--------
>>> check_rings([500, 1000])
(500.0, 1000.0)
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Final

import numpy as np

from siteplan.errors import ParameterError

__all__ = ["ALLOWED", "check_metres", "check_rings", "invalid", "show_value"]

ALLOWED: Final[dict[str, str]] = {
    "rings_m": "ring radii in metres in increasing order, e.g. 500,1000,2000,5000",
    "max_m": "the distance in metres where the score reaches 0, a finite number > 0, e.g. 5000",
    "half_m": "the distance in metres where the score halves, a finite number > 0, e.g. 1000",
    "sigma_m": "the Gaussian width in metres, a finite number > 0, e.g. 1000",
    "inflection_m": (
        "the distance in metres where the score is 50, a finite number >= 0, e.g. 1000"
    ),
    "steepness_m": (
        "the width in metres of the fall around the inflection, a finite number > 0, e.g. 250"
    ),
}


def show_value(value: object) -> str:
    """Write a value given by a user the way they would have typed it."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return str(value)
    return repr(value)


def invalid(name: str, problem: str) -> ParameterError:
    """Make the error for parameter `name`: what is wrong, then what to give instead."""
    return ParameterError(f"{name}: {problem}; give {ALLOWED[name]}", argument=name)


def check_metres(name: str, value: object, *, allow_zero: bool = False) -> float:
    """Return `value` as a float after checking it is a finite number > 0 (or >= 0)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise invalid(name, f"{show_value(value)} is not a number")
    number = float(value) + 0.0  # + 0.0 turns -0.0 into 0.0
    if not math.isfinite(number):
        raise invalid(name, f"{show_value(value)} is not finite")
    if number < 0.0 or (number == 0.0 and not allow_zero):
        raise invalid(name, f"{show_value(value)} is not {'>= 0' if allow_zero else '> 0'}")
    return number


def check_rings(value: object) -> tuple[float, ...]:
    """Return ring radii as floats after checking they are positive and strictly increasing."""
    if isinstance(value, str | bytes) or not isinstance(value, Sequence | np.ndarray):
        raise invalid("rings_m", f"{show_value(value)} is not a list of numbers")
    given = list(value)
    if not given:
        raise invalid("rings_m", "no rings given")
    radii = tuple(check_metres("rings_m", radius) for radius in given)
    for index in range(1, len(radii)):
        if radii[index] <= radii[index - 1]:
            pair = f"{show_value(given[index - 1])}, {show_value(given[index])}"
            raise invalid("rings_m", f"{pair} are not increasing")
    return radii
