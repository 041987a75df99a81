"""Per-distinct-id lookups of the report and map renderers (issue 14).

References: the per-row pandas / Python expressions these lookups replace.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
import pytest
import shapely

from siteplan.maps.features import _round_coordinates
from siteplan.render._lookups import nearest_pair_mask
from siteplan.render._static_map import _positions


def _result(ids: list[Any], nearest: list[Any]) -> Any:
    return SimpleNamespace(sites=pd.DataFrame({"id": ids, "nearest_id": nearest}))


@pytest.mark.parametrize("dtype", [object, "string[pyarrow]", "string[python]"])
def test_nearest_pairs_as_pandas_maps_them(dtype: Any) -> None:
    rng = np.random.default_rng(14)
    ids = [f"s{k}" for k in range(30)]
    nearest = [ids[(k + rng.integers(1, 30)) % 30] for k in range(30)]
    nearest[3] = None  # a site without a neighbour
    result = _result(ids, nearest)
    a = pd.Series(rng.choice([*ids, "stranger"], 2_000), dtype=dtype)
    b = pd.Series(rng.choice(ids, 2_000), dtype=dtype)
    lookup = dict(zip(ids, nearest, strict=True))
    # an unknown id or a missing neighbour matches nothing (string columns give NA there)
    expected = ((a.map(lookup) == b) | (b.map(lookup) == a)).fillna(False).to_numpy(dtype=bool)
    got = nearest_pair_mask(result, a, b)
    assert got.tolist() == expected.tolist()
    assert 0 < got.sum() < len(got)


def test_nearest_pairs_of_integer_ids() -> None:
    result = _result([1, 2, 3], [2, 1, 2])
    a = pd.Series([1, 1, 2, 3], dtype=object)
    b = pd.Series([2, 3, 3, 1], dtype=object)
    assert nearest_pair_mask(result, a, b).tolist() == [True, False, True, False]


@pytest.mark.parametrize(
    "values",
    [
        ["b", "a", "c", "a", "b"],
        [2, 10, 2, 1],  # not str: each value's str
        ["1", 1, "2"],
        [],
    ],
)
def test_positions_are_those_of_each_str(values: list[Any]) -> None:
    pos = {"a": 0, "b": 1, "c": 2, "1": 3, "2": 4, "10": 5}
    array = np.array(values, dtype=object)
    assert _positions(pos, array).tolist() == [pos[str(v)] for v in values]


def test_an_unknown_id_is_an_error() -> None:
    with pytest.raises(KeyError):
        _positions({"a": 0}, np.array(["a", "z"], dtype=object))


def test_coordinates_rounded_together_as_one_by_one() -> None:
    rng = np.random.default_rng(4)
    geoms = np.array(
        [
            shapely.Point(rng.uniform(-180, 180, 2)),
            None,
            shapely.LineString(rng.uniform(-90, 90, (5, 2))),
            shapely.Polygon(),
            shapely.Point(rng.uniform(0, 1, 2)).buffer(0.01),
        ],
        dtype=object,
    )
    together = _round_coordinates(geoms)
    for one, geom in zip(together.tolist(), geoms.tolist(), strict=True):
        if geom is None:
            assert one is None
        else:
            assert shapely.equals_exact(one, _round_coordinates(geom), tolerance=0)
            assert one.wkb == _round_coordinates(geom).wkb
