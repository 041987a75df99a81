"""Turn distances into proximity scores with validated distance-decay functions.

A decay function maps a distance in metres (>= 0) to a score in [0, 100]: 100 when two places
touch, falling as they move apart. Each kind of decay has a small factory that checks its
parameters and returns a callable :class:`DecayFunction`; :func:`make_decay` builds one from a
kind name and parameters by their study-file names, filling in the defaults.

The kinds, their parameters (as named in study files and on the command line) and formulas:

============  ============================  ===================================================
kind          parameters                    score for a distance ``d`` in metres
============  ============================  ===================================================
rings         ``rings_m``                   100 * (n - k) / n for the first ring k (0-based)
                                            with d <= rings_m[k]; 0 beyond the last ring
linear        ``max_m``                     100 * max(0, 1 - d / max_m)
exponential   ``half_m``                    100 * 2**(-d / half_m)
gaussian      ``sigma_m``                   100 * exp(-d**2 / (2 * sigma_m**2))
logistic      ``inflection_m``,             100 / (1 + exp((d - inflection_m) / steepness_m))
              ``steepness_m``
============  ============================  ===================================================

Module constants:

- ``DECAYS``: kind name -> factory.
- ``DECAY_PARAMETERS``: kind name -> the names of its parameters.
- ``DEFAULT_PARAMETERS``: kind name -> the parameters used when a kind is chosen without them.
- ``DEFAULT_RINGS_M``: the default ring radii in metres.

Examples
--------
>>> from siteplan.score.decay import DECAY_PARAMETERS, DEFAULT_PARAMETERS, DECAYS, make_decay
>>> list(DECAYS)
['rings', 'linear', 'exponential', 'gaussian', 'logistic']
>>> DECAY_PARAMETERS["logistic"]
('inflection_m', 'steepness_m')
>>> DEFAULT_PARAMETERS["logistic"]
{'inflection_m': 1000.0, 'steepness_m': 250.0}
>>> DECAYS["linear"](2000)([0, 500, 2000, 3000]).tolist()
[100.0, 75.0, 0.0, 0.0]
>>> make_decay("rings")([0, 500, 501, 5000, 5001]).tolist()
[100.0, 100.0, 75.0, 25.0, 0.0]
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Final, TypeAlias

import numpy as np
import numpy.typing as npt

from siteplan.errors import ParameterError
from siteplan.load.layers import MAX_DISTANCE_M
from siteplan.score._decay_checks import check_metres, check_rings, invalid, show_value
from siteplan.score._decay_kernels import (
    score_exponential,
    score_gaussian,
    score_linear,
    score_logistic,
    score_rings,
)

__all__ = [
    "DECAYS",
    "DECAY_PARAMETERS",
    "DEFAULT_PARAMETERS",
    "DEFAULT_RINGS_M",
    "DecayFunction",
    "exponential",
    "gaussian",
    "linear",
    "logistic",
    "make_decay",
    "rings",
]

FloatArray: TypeAlias = npt.NDArray[np.float64]
ParameterValue: TypeAlias = float | list[float]

DEFAULT_RINGS_M: Final[tuple[float, ...]] = (500.0, 1000.0, 2000.0, 5000.0)

DECAY_PARAMETERS: Final[dict[str, tuple[str, ...]]] = {
    "rings": ("rings_m",),
    "linear": ("max_m",),
    "exponential": ("half_m",),
    "gaussian": ("sigma_m",),
    "logistic": ("inflection_m", "steepness_m"),
}

DEFAULT_PARAMETERS: Final[dict[str, dict[str, float | tuple[float, ...]]]] = {
    "rings": {"rings_m": DEFAULT_RINGS_M},
    "linear": {"max_m": 5000.0},
    "exponential": {"half_m": 1000.0},
    "gaussian": {"sigma_m": 1000.0},
    "logistic": {"inflection_m": 1000.0, "steepness_m": 250.0},
}


# What each parameter means, for error messages: "give <this>".
@dataclass(frozen=True)
class DecayFunction:
    """A validated distance-decay function: distance in metres -> score in [0, 100].

    Build one with a factory (:func:`rings`, :func:`linear`, :func:`exponential`,
    :func:`gaussian`, :func:`logistic`) or with :func:`make_decay`; the factories check the
    parameters, so every instance they return is valid. Two decay functions are equal when
    their kind and parameters are equal. Instances are immutable, hashable and picklable.

    Attributes
    ----------
    kind : str
        The kind of decay, a key of ``DECAYS``.
    params : dict of str to float or list of float
        The parameters by their study-file names, ready for ``json.dumps``.
    cutoff_m : float or None
        The distance in metres beyond which the score is exactly 0 (the last ring, or
        ``max_m``), or None when the score only approaches 0.

    Examples
    --------
    >>> from siteplan.score.decay import exponential
    >>> decay = exponential(1000)
    >>> decay
    DecayFunction(kind='exponential', params={'half_m': 1000.0}, cutoff_m=None)
    >>> decay([0, 1000, 2000]).tolist()
    [100.0, 50.0, 25.0]
    >>> decay.params
    {'half_m': 1000.0}
    """

    kind: str
    params: dict[str, ParameterValue]
    cutoff_m: float | None
    _score: Callable[[FloatArray], FloatArray] = field(repr=False, compare=False)
    _js_body: str = field(repr=False, compare=False)

    def __hash__(self) -> int:
        frozen = tuple(
            (name, tuple(value) if isinstance(value, list) else value)
            for name, value in sorted(self.params.items())
        )
        return hash((self.kind, frozen, self.cutoff_m))

    def __call__(self, d: npt.ArrayLike) -> FloatArray:
        """Score distances.

        Parameters
        ----------
        d
            Distances in metres, each >= 0 (a number or an array of any shape). Distances
            are not checked: they come from geometry, which never gives negative ones.

        Returns
        -------
        numpy.ndarray of float64
            Scores in [0, 100], with the same shape as `d` (a 0-d array for a number).

        Examples
        --------
        >>> from siteplan.score.decay import linear
        >>> decay = linear(1000)
        >>> decay(250)
        array(75.)
        >>> decay([[0, 500], [1000, 2000]]).tolist()
        [[100.0, 50.0], [0.0, 0.0]]
        """
        distance = np.asarray(d, dtype=np.float64)
        # Huge distances (or tiny parameters) overflow intermediate ratios to inf, and scores
        # underflow to 0: both are the right limits, so numpy need not warn about them.
        with np.errstate(over="ignore", under="ignore"):
            score = self._score(distance)
        return np.asarray(score, dtype=np.float64)

    def to_js(self) -> str:
        """Write the function as a self-contained JavaScript function expression.

        The expression ``function (d) { ... }`` takes a distance in metres and returns the
        same score as this function, with the parameters written at full precision; a web map
        uses it to score points in the browser.

        Returns
        -------
        str
            A JavaScript function expression.

        Examples
        --------
        >>> from siteplan.score.decay import linear
        >>> print(linear(5000).to_js())
        function (d) { return 100 * Math.max(0, 1 - d / 5000.0); }
        """
        return f"function (d) {{ {self._js_body} }}"


def rings(rings_m: Sequence[float] = DEFAULT_RINGS_M) -> DecayFunction:
    """Make a step decay that scores by the first distance ring that reaches a place.

    With n rings, a distance within ring k (0-based, the first ring whose radius is >= the
    distance) scores 100 * (n - k) / n, and a distance beyond the last ring scores 0: 100, 75,
    50, 25 and 0 with the default rings.

    Parameters
    ----------
    rings_m
        Ring radii in metres: at least one, each finite and > 0, strictly increasing.

    Returns
    -------
    DecayFunction
        The decay, with ``cutoff_m`` the last ring's radius.

    Raises
    ------
    ParameterError
        If `rings_m` is not a non-empty, strictly increasing sequence of finite numbers > 0.

    Examples
    --------
    >>> from siteplan.score.decay import rings
    >>> decay = rings([500, 1000, 2000, 5000])
    >>> decay([0, 500, 500.5, 2000, 5000, 5001]).tolist()
    [100.0, 100.0, 75.0, 50.0, 25.0, 0.0]
    >>> decay.cutoff_m
    5000.0
    >>> rings([500, 200])
    Traceback (most recent call last):
    ...
    siteplan.errors.ParameterError: rings_m: 500, 200 are not increasing; give ring radii in metres in increasing order, e.g. 500,1000,2000,5000
    """  # noqa: E501
    radii = check_rings(rings_m)
    body = (
        f"var r = {json.dumps(list(radii))}; "
        "for (var k = 0; k < r.length; k += 1) { "
        "if (d <= r[k]) { return 100 * (r.length - k) / r.length; } "
        "} return 0;"
    )
    return DecayFunction(
        kind="rings",
        params={"rings_m": list(radii)},
        cutoff_m=radii[-1],
        _score=partial(score_rings, rings_m=radii),
        _js_body=body,
    )


def linear(max_m: float) -> DecayFunction:
    """Make a decay that falls in a straight line from 100 at 0 m to 0 at `max_m`.

    The score is 100 * max(0, 1 - d / max_m).

    Parameters
    ----------
    max_m
        The distance in metres where the score reaches 0: finite and > 0.

    Returns
    -------
    DecayFunction
        The decay, with ``cutoff_m`` equal to `max_m`.

    Raises
    ------
    ParameterError
        If `max_m` is not a finite number > 0.

    Examples
    --------
    >>> from siteplan.score.decay import linear
    >>> decay = linear(5000)
    >>> decay([0, 1250, 5000, 6000]).tolist()
    [100.0, 75.0, 0.0, 0.0]
    >>> decay.cutoff_m
    5000.0
    """
    max_value = check_metres("max_m", max_m)
    return DecayFunction(
        kind="linear",
        params={"max_m": max_value},
        cutoff_m=max_value,
        _score=partial(score_linear, max_m=max_value),
        _js_body=f"return 100 * Math.max(0, 1 - d / {json.dumps(max_value)});",
    )


def exponential(half_m: float) -> DecayFunction:
    """Make a decay that halves every `half_m` metres.

    The score is 100 * 2**(-d / half_m): 50 at `half_m`, 25 at twice `half_m`, never exactly 0.

    Parameters
    ----------
    half_m
        The half-distance in metres: finite and > 0.

    Returns
    -------
    DecayFunction
        The decay, with ``cutoff_m`` None.

    Raises
    ------
    ParameterError
        If `half_m` is not a finite number > 0.

    Examples
    --------
    >>> from siteplan.score.decay import exponential
    >>> exponential(1000)([0, 1000, 3000]).tolist()
    [100.0, 50.0, 12.5]
    """
    half_value = check_metres("half_m", half_m)
    return DecayFunction(
        kind="exponential",
        params={"half_m": half_value},
        cutoff_m=None,
        _score=partial(score_exponential, half_m=half_value),
        _js_body=f"return 100 * Math.pow(2, -d / {json.dumps(half_value)});",
    )


def gaussian(sigma_m: float) -> DecayFunction:
    """Make a decay shaped like the right half of a bell curve of width `sigma_m`.

    The score is 100 * exp(-d**2 / (2 * sigma_m**2)): about 60.65 at `sigma_m`, never exactly 0.

    Parameters
    ----------
    sigma_m
        The standard deviation of the bell in metres: finite and > 0.

    Returns
    -------
    DecayFunction
        The decay, with ``cutoff_m`` None.

    Raises
    ------
    ParameterError
        If `sigma_m` is not a finite number > 0.

    Examples
    --------
    >>> from siteplan.score.decay import gaussian
    >>> [round(score, 2) for score in gaussian(1000)([0, 1000, 2000]).tolist()]
    [100.0, 60.65, 13.53]
    """
    sigma_value = check_metres("sigma_m", sigma_m)
    return DecayFunction(
        kind="gaussian",
        params={"sigma_m": sigma_value},
        cutoff_m=None,
        _score=partial(score_gaussian, sigma_m=sigma_value),
        _js_body=f"var z = d / {json.dumps(sigma_value)}; return 100 * Math.exp(-0.5 * z * z);",
    )


def logistic(inflection_m: float, steepness_m: float) -> DecayFunction:
    """Make an S-shaped decay that crosses 50 at `inflection_m`.

    The score is 100 / (1 + exp((d - inflection_m) / steepness_m)): near 100 well inside the
    inflection distance, near 0 well beyond it, falling over a band a few `steepness_m` wide.
    It is computed without overflow for any distance.

    Parameters
    ----------
    inflection_m
        The distance in metres where the score is 50: finite and >= 0.
    steepness_m
        The scale of the fall in metres (smaller is steeper): finite and > 0.

    Returns
    -------
    DecayFunction
        The decay, with ``cutoff_m`` None.

    Raises
    ------
    ParameterError
        If `inflection_m` is not a finite number >= 0 or `steepness_m` not a finite number > 0.

    Examples
    --------
    >>> from siteplan.score.decay import logistic
    >>> [round(score, 2) for score in logistic(1000, 250)([0, 1000, 2000, 1e300]).tolist()]
    [98.2, 50.0, 1.8, 0.0]
    """
    inflection_value = check_metres("inflection_m", inflection_m, allow_zero=True)
    steepness_value = check_metres("steepness_m", steepness_m)
    body = (
        f"var x = (d - {json.dumps(inflection_value)}) / {json.dumps(steepness_value)}; "
        "var t = Math.exp(-Math.abs(x)); "
        "return x >= 0 ? 100 * t / (1 + t) : 100 / (1 + t);"
    )
    return DecayFunction(
        kind="logistic",
        params={"inflection_m": inflection_value, "steepness_m": steepness_value},
        cutoff_m=None,
        _score=partial(score_logistic, inflection_m=inflection_value, steepness_m=steepness_value),
        _js_body=body,
    )


DECAYS: Final[dict[str, Callable[..., DecayFunction]]] = {
    "rings": rings,
    "linear": linear,
    "exponential": exponential,
    "gaussian": gaussian,
    "logistic": logistic,
}


def make_decay(kind: str, /, *, in_metres: bool = True, **params: object) -> DecayFunction:
    """Make a decay function from its kind name and parameters, filling in the defaults.

    Parameters
    ----------
    kind
        The kind of decay: one of ``rings``, ``linear``, ``exponential``, ``gaussian``,
        ``logistic``.
    **params
        The kind's parameters by their study-file names (see ``DECAY_PARAMETERS``). A
        parameter that is missing or None takes its value from ``DEFAULT_PARAMETERS``, so a
        caller may pass every decay parameter it knows, with None for those not given.
    in_metres
        Metres are refused beyond 2,000 km; minutes are checked at the network's speed.

    Returns
    -------
    DecayFunction
        The validated decay.

    Raises
    ------
    ParameterError
        If `kind` is unknown, a parameter (not None) does not belong to `kind`, or a
        parameter's value is not allowed.

    Examples
    --------
    >>> from siteplan.score.decay import make_decay
    >>> make_decay("logistic", steepness_m=100)
    DecayFunction(kind='logistic', params={'inflection_m': 1000.0, 'steepness_m': 100.0}, cutoff_m=None)
    >>> make_decay("linear", max_m=2000, half_m=None).params
    {'max_m': 2000.0}
    >>> make_decay("linear", half_m=500)
    Traceback (most recent call last):
    ...
    siteplan.errors.ParameterError: half_m: not a parameter of the linear decay, which takes max_m; half_m belongs to the exponential decay
    """  # noqa: E501
    if not isinstance(kind, str) or kind not in DECAYS:
        raise ParameterError(
            f"decay: {kind!r} is not a kind of decay; choose one of {', '.join(DECAYS)}"
        )
    allowed = DECAY_PARAMETERS[kind]
    given = {name: value for name, value in params.items() if value is not None}
    unknown = sorted(set(given) - set(allowed))
    if unknown:
        raise ParameterError(_not_a_parameter(kind, unknown))
    decay = DECAYS[kind](**{**DEFAULT_PARAMETERS[kind], **given})
    if in_metres:
        _check_measurable(decay)
    return decay


def _check_measurable(decay: DecayFunction) -> None:
    """Refuse parameters beyond the 2,000 km a study measures in one projection.

    The factories accept any finite value (their arithmetic cannot overflow);
    a study's decay, resolved here from options or a study file, keeps to the
    distances it can measure (:data:`siteplan.load.layers.MAX_DISTANCE_M`).
    """
    for name, value in decay.params.items():
        # ring radii have their own check and message (siteplan.measure.pairs.check_radii)
        if isinstance(value, int | float) and value > MAX_DISTANCE_M:
            raise invalid(
                name,
                f"{show_value(value)} is beyond {MAX_DISTANCE_M:,.0f} m, "
                "what one projection measures",
            )


def _not_a_parameter(kind: str, unknown: list[str]) -> str:
    """Say which parameters do not belong to `kind` and which decays they belong to."""
    allowed = " and ".join(DECAY_PARAMETERS[kind])
    if len(unknown) == 1:
        message = f"{unknown[0]}: not a parameter of the {kind} decay, which takes {allowed}"
    else:
        names = ", ".join(unknown)
        message = f"{names}: not parameters of the {kind} decay, which takes {allowed}"
    owners = [
        f"{name} belongs to the {owner} decay"
        for name in unknown
        for owner, names_of_owner in DECAY_PARAMETERS.items()
        if name in names_of_owner
    ]
    return "; ".join([message, *owners])
