"""Fuzz the study-file reader: any study TOML loads or raises a SiteplanError, one line.

Hypothesis builds study TOML documents from the keys a study file takes (and a
few it does not), with values of every TOML type, including hostile ones
(NaN, infinities, huge numbers, deep nesting, odd text). Reading must either
succeed or raise :class:`siteplan.errors.SiteplanError` with a one-line
message, never another exception.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from geometries import SQUARE, feature, feature_collection, point
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from siteplan.errors import SiteplanError
from siteplan.load.study import load_study, read_study

_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=12,
)
_SCALARS = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    _TEXT,
    st.sampled_from(["site", "boundary", "context", "exclusion", "gcj02", "bd09", "auto"]),
    st.sampled_from(["EPSG:32651", "EPSG:4326", "EPSG:3857", "sites.geojson", "geometry"]),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TEXT, inner, max_size=3),
    max_leaves=8,
)
_LAYER_KEYS = ["path", "role", "datum", "weight", "id_field", "name_field", "layer", "bogus"]
_LAYER = st.fixed_dictionaries(
    {"path": st.sampled_from(["sites.geojson", "missing.geojson", "", "../sites.geojson"])},
    optional=dict.fromkeys(_LAYER_KEYS[1:], _VALUES),
)
_SCORING = st.dictionaries(
    st.sampled_from(
        ["measure", "rings_m", "decay", "max_m", "half_m", "sigma_m", "inflection_m", "bogus"]
    ),
    _VALUES,
    max_size=4,
)
_CONSTRAINT = st.dictionaries(
    st.sampled_from(["kind", "distance_m", "site", "name", "layer"]), _VALUES, max_size=4
)
STUDIES = st.fixed_dictionaries(
    {"layers": st.lists(_LAYER, max_size=3) | _VALUES},
    optional={
        "name": _VALUES,
        "crs": _VALUES,
        "focus": _VALUES,
        "scoring": _SCORING | _VALUES,
        "constraints": st.lists(_CONSTRAINT, max_size=2) | _VALUES,
        "bogus": _VALUES,
    },
)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # a TOML basic string is a JSON string (no surrogates)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return "{" + ", ".join(f"{json.dumps(k)} = {_toml_value(v)}" for k, v in value.items()) + "}"


def to_toml(doc: dict[str, Any]) -> str:
    """Write a study document as TOML: scalars first, then tables and arrays of tables."""
    lines: list[str] = []
    tables: list[str] = []
    for key, value in doc.items():
        tabular = isinstance(value, list) and value and all(isinstance(t, dict) for t in value)
        if key in ("layers", "constraints") and tabular:
            for table in value:
                tables.append(f"[[{key}]]")
                tables += [f"{json.dumps(k)} = {_toml_value(v)}" for k, v in table.items()]
        else:
            lines.append(f"{json.dumps(key)} = {_toml_value(value)}")
    return "\n".join(lines + tables) + "\n"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("fuzz_study")
    (path / "sites.geojson").write_text(
        json.dumps(
            feature_collection(
                feature(SQUARE, id="gene"), feature(point(121.616, 31.097), id="proton")
            )
        ),
        encoding="utf-8",
    )
    return path


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(doc=STUDIES)
def test_any_study_toml_loads_or_raises_a_siteplan_error(folder: Path, doc: dict[str, Any]) -> None:
    study = folder / "study.toml"
    study.write_text(to_toml(doc), encoding="utf-8")
    message = ""
    try:
        read_study(load_study(study))
    except SiteplanError as exc:
        message = str(exc)
    assert "\n" not in message


@pytest.mark.parametrize(
    "text",
    [
        "name = " + "[" * 600 + "]" * 600,
        "a = " + "{b = " * 300 + "1" + "}" * 300,
        "\x00",
        "[[layers]]\npath = 1e400\n",
        '[[layers]]\npath = "sites.geojson"\nweight = 1e308\n',
        '[[layers]]\npath = "sites.geojson"\n[[constraints]]\nkind = "setback"\ndistance_m = nan\n',
    ],
)
def test_hostile_study_texts(folder: Path, text: str) -> None:
    study = folder / "hostile.toml"
    study.write_text(text, encoding="utf-8")
    with pytest.raises(SiteplanError) as caught:
        read_study(load_study(study))
    assert "\n" not in str(caught.value)
