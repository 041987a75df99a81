"""Tests for siteplan.score.decay: scores at the boundaries, shapes, validation and the JS twin."""

from __future__ import annotations

import doctest
import inspect
import json
import math
import pickle
import shutil
import subprocess
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from siteplan.errors import ParameterError
from siteplan.score import decay as decay_module
from siteplan.score.decay import (
    DECAY_PARAMETERS,
    DECAYS,
    DEFAULT_PARAMETERS,
    DEFAULT_RINGS_M,
    DecayFunction,
    exponential,
    gaussian,
    linear,
    logistic,
    make_decay,
    rings,
)

EPS = 1e-6
NODE = shutil.which("node")

# One decay of every kind with its default parameters, plus some with awkward ones
# (three rings give 66.66..., parameters that are not round numbers, tiny and huge scales).
DEFAULT_DECAYS = {kind: make_decay(kind) for kind in DECAYS}
AWKWARD_DECAYS = [
    rings([120.5, 333.3, 1000]),
    rings([1e-3]),
    linear(1234.5678),
    exponential(0.1),
    gaussian(98765.4321),
    logistic(0, 17.3),
    logistic(2500.25, 1e-3),
]
ALL_DECAYS = [*DEFAULT_DECAYS.values(), *AWKWARD_DECAYS]


def decay_id(decay: DecayFunction) -> str:
    return f"{decay.kind}-{json.dumps(decay.params, sort_keys=True)}"


def scalar(decay: DecayFunction, d: float) -> float:
    return float(decay(d))


# --- scores at and around the boundaries ------------------------------------------------


def test_rings_default_steps() -> None:
    decay = rings()
    expected = {
        0: 100,
        500 - EPS: 100,
        500: 100,
        500 + EPS: 75,
        500.0001: 75,
        1000: 75,
        1000 + EPS: 50,
        2000: 50,
        2000 + EPS: 25,
        5000 - EPS: 25,
        5000: 25,
        5000 + EPS: 0,
        1e9: 0,
    }
    for d, score in expected.items():
        assert scalar(decay, d) == score, d


def test_rings_fractional_steps() -> None:
    decay = rings([100, 200, 300])
    assert decay([0, 100, 100 + EPS, 200, 300, 300 + EPS]).tolist() == [
        100.0,
        100.0,
        100.0 * 2 / 3,
        100.0 * 2 / 3,
        100.0 / 3,
        0.0,
    ]


def test_single_ring_is_all_or_nothing() -> None:
    decay = rings([250])
    assert decay([0, 250, 250 + EPS]).tolist() == [100.0, 100.0, 0.0]


def test_linear_boundaries() -> None:
    decay = linear(5000)
    assert scalar(decay, 0) == 100
    assert scalar(decay, 2500) == 50
    assert scalar(decay, 5000) == 0
    assert scalar(decay, 5000 + EPS) == 0
    assert scalar(decay, 1e12) == 0
    assert 0 < scalar(decay, 5000 - EPS) < 1e-7
    assert scalar(decay, EPS) == pytest.approx(100 - 100 * EPS / 5000, rel=1e-12)


def test_exponential_boundaries() -> None:
    decay = exponential(1000)
    assert scalar(decay, 0) == 100
    assert scalar(decay, 1000) == 50
    assert scalar(decay, 2000) == 25
    assert scalar(decay, 1000 - EPS) > 50 > scalar(decay, 1000 + EPS)
    assert scalar(decay, 1000 + EPS) == pytest.approx(50, rel=1e-8)


def test_gaussian_boundaries() -> None:
    decay = gaussian(1000)
    assert scalar(decay, 0) == 100
    assert scalar(decay, 1000) == pytest.approx(100 * math.exp(-0.5), rel=1e-14)
    assert scalar(decay, 2000) == pytest.approx(100 * math.exp(-2), rel=1e-14)
    assert scalar(decay, 1000 - EPS) > scalar(decay, 1000) > scalar(decay, 1000 + EPS)
    assert scalar(decay, EPS) == pytest.approx(100, rel=1e-12)


def test_logistic_boundaries() -> None:
    decay = logistic(1000, 250)
    assert scalar(decay, 1000) == 50
    assert scalar(decay, 0) == pytest.approx(100 / (1 + math.exp(-4)), rel=1e-14)
    assert scalar(decay, 2000) == pytest.approx(100 / (1 + math.exp(4)), rel=1e-14)
    assert scalar(decay, 1000 - EPS) > 50 > scalar(decay, 1000 + EPS)
    assert scalar(decay, 1000 + EPS) == pytest.approx(50, rel=1e-8)
    assert scalar(logistic(0, 100), 0) == 50


@pytest.mark.parametrize("decay", ALL_DECAYS, ids=decay_id)
def test_huge_and_infinite_distances_score_zero_without_warnings(decay: DecayFunction) -> None:
    # Warnings are errors in this test suite, so an overflow warning would fail here.
    assert decay([1e12, 1e200, 1.7e308, math.inf]).tolist() == [0.0] * 4


@pytest.mark.parametrize(
    "decay",
    [
        linear(5e-324),
        exponential(5e-324),
        gaussian(5e-324),
        logistic(0, 5e-324),
        logistic(1e300, 5e-324),
        logistic(1e308, 1e308),
        gaussian(1e308),
    ],
    ids=decay_id,
)
def test_extreme_parameters_do_not_overflow(decay: DecayFunction) -> None:
    scores = decay([0, 1, 1e10, 1e308, math.inf])
    assert np.all((scores >= 0) & (scores <= 100))
    assert np.all(np.diff(scores) <= 0)


def test_cutoff_m() -> None:
    assert rings().cutoff_m == 5000
    assert rings([10, 20.5]).cutoff_m == 20.5
    assert linear(1500).cutoff_m == 1500
    assert exponential(1000).cutoff_m is None
    assert gaussian(1000).cutoff_m is None
    assert logistic(1000, 250).cutoff_m is None


@pytest.mark.parametrize("decay", [rings(), rings([7, 8, 9.5]), linear(5000), linear(0.25)])
def test_score_is_zero_exactly_beyond_cutoff(decay: DecayFunction) -> None:
    assert decay.cutoff_m is not None
    cutoff = decay.cutoff_m
    assert decay([cutoff * (1 + 1e-12), cutoff + EPS, cutoff * 2]).tolist() == [0.0] * 3
    assert scalar(decay, cutoff * (1 - 1e-12)) > 0


# --- shapes -----------------------------------------------------------------------------


@pytest.mark.parametrize("decay", ALL_DECAYS, ids=decay_id)
@pytest.mark.parametrize(
    "distances",
    [
        250.0,
        3,
        np.float64(1000),
        [0, 500, 5000],
        (1.5, 2.5),
        np.array([[0, 10, 100], [1000, 1e4, 1e5]]),
        np.arange(24, dtype=np.float32).reshape(2, 3, 4) * 300,
        np.array([]),
        np.empty((0, 3)),
    ],
    ids=["float", "int", "np-scalar", "list", "tuple", "2-d", "3-d-float32", "empty", "empty-2-d"],
)
def test_shape_and_dtype_are_preserved(decay: DecayFunction, distances: Any) -> None:
    scores = decay(distances)
    assert isinstance(scores, np.ndarray)
    assert scores.dtype == np.float64
    assert scores.shape == np.shape(distances)


@pytest.mark.parametrize("decay", ALL_DECAYS, ids=decay_id)
def test_vectorised_equals_elementwise(decay: DecayFunction) -> None:
    distances = np.linspace(0, 20_000, 41)
    scores = decay(distances)
    assert scores.tolist() == [scalar(decay, d) for d in distances.tolist()]


# --- property: in [0, 100] and non-increasing --------------------------------------------

positive_metres = st.floats(min_value=1e-3, max_value=1e7, allow_nan=False)


@st.composite
def valid_decays(draw: st.DrawFn) -> DecayFunction:
    kind = draw(st.sampled_from(sorted(DECAYS)))
    if kind == "rings":
        radii = draw(st.lists(positive_metres, min_size=1, max_size=8, unique=True))
        return rings(sorted(radii))
    if kind == "logistic":
        inflection = draw(st.floats(min_value=0, max_value=1e7))
        return logistic(inflection, draw(positive_metres))
    return DECAYS[kind](draw(positive_metres))


@settings(max_examples=300, deadline=None)
@given(
    decay=valid_decays(),
    distances=st.lists(st.floats(min_value=0, max_value=1e7), min_size=1, max_size=50),
)
def test_scores_are_bounded_and_non_increasing(
    decay: DecayFunction, distances: list[float]
) -> None:
    ordered = np.sort(np.asarray(distances))
    scores = decay(ordered)
    assert np.all(scores >= 0)
    assert np.all(scores <= 100)
    # Non-increasing up to rounding in exp (a few units in the last place of 100).
    assert np.all(np.diff(scores) <= 1e-12)
    assert scalar(decay, 0) == 100 or decay.kind == "logistic"


# --- the decay objects ----------------------------------------------------------------------


@pytest.mark.parametrize("decay", ALL_DECAYS, ids=decay_id)
def test_params_are_json_and_rebuild_the_same_decay(decay: DecayFunction) -> None:
    params = json.loads(json.dumps(decay.params))
    assert params == decay.params
    assert set(params) == set(DECAY_PARAMETERS[decay.kind])
    rebuilt = make_decay(decay.kind, **params)
    assert rebuilt == decay
    assert hash(rebuilt) == hash(decay)


@pytest.mark.parametrize("decay", ALL_DECAYS, ids=decay_id)
def test_decays_pickle(decay: DecayFunction) -> None:
    copy = pickle.loads(pickle.dumps(decay))
    assert copy == decay
    distances = np.linspace(0, 10_000, 11)
    assert copy(distances).tolist() == decay(distances).tolist()


def test_decay_is_immutable_and_does_not_alias_its_input() -> None:
    radii = [100.0, 200.0]
    decay = rings(radii)
    radii.append(50.0)
    assert decay.params == {"rings_m": [100.0, 200.0]}
    assert scalar(decay, 150) == 50
    with pytest.raises(AttributeError):
        decay.kind = "linear"  # type: ignore[misc]


def test_equality_and_repr() -> None:
    assert linear(5000) == linear(5000.0) == make_decay("linear")
    assert linear(5000) != linear(4000)
    assert exponential(1000) != gaussian(1000)
    assert len({rings(), rings([500, 1000, 2000, 5000]), make_decay("rings")}) == 1
    assert repr(linear(10)) == "DecayFunction(kind='linear', params={'max_m': 10.0}, cutoff_m=10.0)"


def test_numpy_numbers_are_accepted() -> None:
    # Outside the type hints, but analysts pass numpy values and they are real numbers.
    assert linear(np.float64(100)) == linear(100)
    assert exponential(np.int64(100)) == exponential(100)  # type: ignore[arg-type]
    assert rings(np.array([1, 2, 3])) == rings([1, 2, 3])  # type: ignore[arg-type]
    assert rings(range(1, 4)) == rings([1, 2, 3])


# --- the registry and make_decay ------------------------------------------------------------


def test_registry_is_consistent() -> None:
    assert list(DECAYS) == ["rings", "linear", "exponential", "gaussian", "logistic"]
    assert DECAY_PARAMETERS == {
        "rings": ("rings_m",),
        "linear": ("max_m",),
        "exponential": ("half_m",),
        "gaussian": ("sigma_m",),
        "logistic": ("inflection_m", "steepness_m"),
    }
    assert set(DEFAULT_PARAMETERS) == set(DECAYS)
    for kind, factory in DECAYS.items():
        assert tuple(inspect.signature(factory).parameters) == DECAY_PARAMETERS[kind]
        assert tuple(DEFAULT_PARAMETERS[kind]) == DECAY_PARAMETERS[kind]
        assert factory(**DEFAULT_PARAMETERS[kind]).kind == kind


def test_default_parameters() -> None:
    assert DEFAULT_RINGS_M == (500, 1000, 2000, 5000)
    assert make_decay("rings").params == {"rings_m": [500.0, 1000.0, 2000.0, 5000.0]}
    assert make_decay("linear").params == {"max_m": 5000.0}
    assert make_decay("exponential").params == {"half_m": 1000.0}
    assert make_decay("gaussian").params == {"sigma_m": 1000.0}
    assert make_decay("logistic").params == {"inflection_m": 1000.0, "steepness_m": 250.0}


def test_make_decay_fills_missing_and_none_parameters() -> None:
    assert make_decay("logistic", inflection_m=300) == logistic(300, 250)
    assert make_decay("logistic", steepness_m=None, inflection_m=300) == logistic(300, 250)
    assert make_decay("rings", rings_m=[1, 2]) == rings([1, 2])
    assert make_decay("gaussian", sigma_m=None) == gaussian(1000)


def test_make_decay_ignores_other_kinds_parameters_given_as_none() -> None:
    decay = make_decay(
        "exponential",
        rings_m=None,
        max_m=None,
        half_m=250,
        sigma_m=None,
        inflection_m=None,
        steepness_m=None,
    )
    assert decay == exponential(250)


# --- validation ------------------------------------------------------------------------------

NOT_NUMBERS: list[object] = ["500", True, None, [500], object()]
NOT_FINITE = [math.nan, math.inf, -math.inf]


def call(factory: Callable[..., DecayFunction], **kwargs: object) -> Callable[[], object]:
    return lambda: factory(**kwargs)


INVALID_CALLS = [
    # rings_m
    *[(call(rings, rings_m=v), "rings_m", "not a list") for v in ["500,1000", b"5", 500, None]],
    (call(rings, rings_m=[]), "rings_m", "no rings"),
    *[(call(rings, rings_m=[100, v]), "rings_m", "not a number") for v in NOT_NUMBERS],
    *[(call(rings, rings_m=[100, v]), "rings_m", "not finite") for v in NOT_FINITE],
    (call(rings, rings_m=[0, 100]), "rings_m", "0 is not > 0"),
    (call(rings, rings_m=[-5]), "rings_m", "-5 is not > 0"),
    (call(rings, rings_m=[500, 200]), "rings_m", "500, 200 are not increasing"),
    (call(rings, rings_m=[100, 200, 200]), "rings_m", "200, 200 are not increasing"),
    # the one-number parameters
    *[
        (call(factory, **{name: v}), name, "not a number")
        for factory, name in [(linear, "max_m"), (exponential, "half_m"), (gaussian, "sigma_m")]
        for v in NOT_NUMBERS
    ],
    *[
        (call(factory, **{name: v}), name, "not finite")
        for factory, name in [(linear, "max_m"), (exponential, "half_m"), (gaussian, "sigma_m")]
        for v in NOT_FINITE
    ],
    *[
        (call(factory, **{name: v}), name, "is not > 0")
        for factory, name in [(linear, "max_m"), (exponential, "half_m"), (gaussian, "sigma_m")]
        for v in [0, 0.0, -0.0, -1, -1e-300]
    ],
    # logistic
    (call(logistic, inflection_m=-1, steepness_m=250), "inflection_m", "-1 is not >= 0"),
    (call(logistic, inflection_m="1000", steepness_m=250), "inflection_m", "not a number"),
    (call(logistic, inflection_m=math.inf, steepness_m=250), "inflection_m", "not finite"),
    (call(logistic, inflection_m=1000, steepness_m=0), "steepness_m", "0 is not > 0"),
    (call(logistic, inflection_m=1000, steepness_m=-3), "steepness_m", "-3 is not > 0"),
    (call(logistic, inflection_m=1000, steepness_m=math.nan), "steepness_m", "not finite"),
    (call(logistic, inflection_m=1000, steepness_m=False), "steepness_m", "not a number"),
    # make_decay
    (lambda: make_decay("cubic"), "decay", "rings, linear, exponential, gaussian, logistic"),
    (lambda: make_decay("Linear"), "decay", "'Linear' is not a kind of decay"),
    (lambda: make_decay(None), "decay", "None is not a kind of decay"),  # type: ignore[arg-type]
    (lambda: make_decay("linear", half_m=500), "half_m", "the linear decay, which takes max_m"),
    (lambda: make_decay("linear", half_m=500), "half_m", "belongs to the exponential decay"),
    (lambda: make_decay("rings", radius=5), "radius", "rings decay, which takes rings_m"),
    (
        lambda: make_decay("logistic", sigma_m=1, max_m=2),
        "max_m, sigma_m",
        "which takes inflection_m and steepness_m",
    ),
    (lambda: make_decay("linear", max_m="5000"), "max_m", "'5000' is not a number"),
    (lambda: make_decay("linear", max_m=-5), "max_m", "-5 is not > 0"),
    (lambda: make_decay("logistic", steepness_m=math.nan), "steepness_m", "nan is not finite"),
    (lambda: make_decay("rings", rings_m=[5, 1]), "rings_m", "5, 1 are not increasing"),
]


@pytest.mark.parametrize(("make", "name", "problem"), INVALID_CALLS)
def test_invalid_parameters_are_refused_with_a_helpful_message(
    make: Callable[[], object], name: str, problem: str
) -> None:
    with pytest.raises(ParameterError) as caught:
        make()
    message = str(caught.value)
    assert message.startswith(f"{name}: ")
    assert name in message
    assert problem in message
    assert isinstance(caught.value, ValueError)


def test_message_says_what_is_allowed() -> None:
    with pytest.raises(ParameterError) as caught:
        rings([500, 200])
    assert str(caught.value) == (
        "rings_m: 500, 200 are not increasing; "
        "give ring radii in metres in increasing order, e.g. 500,1000,2000,5000"
    )
    with pytest.raises(ParameterError, match=r"max_m: -1 is not > 0; give .* > 0, e\.g\. 5000"):
        linear(-1)
    with pytest.raises(ParameterError, match=r"inflection_m: .* >= 0, e\.g\. 1000"):
        logistic(-1, 250)


# --- documentation ---------------------------------------------------------------------------


def test_doctests_pass() -> None:
    result = doctest.testmod(decay_module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0


@pytest.mark.parametrize("name", decay_module.__all__)
def test_public_names_are_documented_with_examples(name: str) -> None:
    obj = getattr(decay_module, name)
    if callable(obj):
        doc = inspect.getdoc(obj) or ""
        assert "Examples\n--------\n>>> " in doc
    else:
        assert name in (decay_module.__doc__ or "")


@pytest.mark.parametrize("method", ["__call__", "to_js"])
def test_methods_are_documented_with_examples(method: str) -> None:
    doc = inspect.getdoc(getattr(DecayFunction, method)) or ""
    assert "Examples\n--------\n>>> " in doc


# --- JavaScript --------------------------------------------------------------------------------


def boundary_distances(decay: DecayFunction) -> list[float]:
    """Distances that matter for `decay`: its boundaries, just around them, and a spread."""
    params = decay.params
    marks: list[float] = [0.0]
    for value in params.values():
        marks.extend(value if isinstance(value, list) else [value])
    if decay.cutoff_m is not None:
        marks.append(decay.cutoff_m)
    scale = max(marks) or 1.0
    distances = {1e-9, 12.345, 1e9, 1.5e300}
    distances.update(np.linspace(0, 3 * scale, 25).tolist())
    distances.update(np.geomspace(1e-3, 1e7, 21).tolist())
    for mark in marks:
        distances.update({mark, mark + EPS, max(0.0, mark - EPS), mark * 2})
    return sorted(distances)


def run_js(decay: DecayFunction, distances: list[float]) -> list[float]:
    assert NODE is not None
    script = (
        f"const f = {decay.to_js()};\n"
        f"const ds = {json.dumps(distances)};\n"
        "process.stdout.write(JSON.stringify(ds.map((d) => f(d))));\n"
    )
    completed = subprocess.run(
        [NODE, "-e", script], capture_output=True, text=True, check=True, timeout=60
    )
    values: list[float] = json.loads(completed.stdout)
    return values


@pytest.mark.parametrize("decay", ALL_DECAYS, ids=decay_id)
def test_to_js_is_a_function_expression(decay: DecayFunction) -> None:
    js = decay.to_js()
    assert js.startswith("function (d) { ")
    assert js.endswith(" }")
    assert "\n" not in js
    assert "NaN" not in js
    assert "Infinity" not in js


def test_to_js_writes_parameters_at_full_precision() -> None:
    assert "0.1 + 0.2" not in linear(0.1 + 0.2).to_js()
    assert repr(0.1 + 0.2) in linear(0.1 + 0.2).to_js()
    assert "[1.0, 2.5, 1234.5678901234567]" in rings([1, 2.5, 1234.5678901234567]).to_js()


@pytest.mark.skipif(NODE is None, reason="node is not on PATH; cannot run the JavaScript")
@pytest.mark.parametrize("decay", ALL_DECAYS, ids=decay_id)
def test_to_js_agrees_with_python(decay: DecayFunction) -> None:
    distances = boundary_distances(decay)
    assert len(distances) >= 45
    python_scores = decay(distances).tolist()
    js_scores = run_js(decay, distances)
    assert len(js_scores) == len(python_scores)
    for d, js, py in zip(distances, js_scores, python_scores, strict=True):
        # 1e-9 relative; absolute 1e-12 only matters for subnormal tails of exp.
        assert math.isclose(js, py, rel_tol=1e-9, abs_tol=1e-12), (d, js, py)
    if decay.kind in {"rings", "linear"}:
        assert js_scores == python_scores
