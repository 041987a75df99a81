"""Fuzzing the layer loader: every mutated file loads cleanly or fails with one line.

Valid GeoJSON layers are mutated (random byte flips and insertions, truncation,
deep nesting, huge numbers, wrong types and deletions in every member) and read
with :func:`siteplan.load.layers.read_layer`. Every outcome must be either

- a :class:`~siteplan.errors.SiteplanError` whose message is one line and names
  the file, or
- a layer that is *right*: WGS84, unique non-empty ids, finite lon/lat in range,
  weights >= 0, and the same features, ids and coordinates that the JSON text
  holds (checked against Python's own parse of the file);

never another exception, never a hang (each case has a time budget, and a
watchdog ends the run if GDAL ever blocks). The generator is seeded, so a run is
reproducible; a case that once failed is kept in ``tests/fuzz_corpus/`` and
replayed by :func:`test_corpus_case` (``corpus.json`` there records what each
one must give).
"""

from __future__ import annotations

import copy
import faulthandler
import hashlib
import json
import math
import random
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely

from siteplan.errors import SiteplanError
from siteplan.load.layers import Layer, LayerSpec, read_layer

CORPUS = Path(__file__).parent / "fuzz_corpus"
#: Seconds one case may take; the slowest seen is about 0.05 s.
CASE_BUDGET_S = 5.0
#: Seconds after which the watchdog dumps the stacks and ends the process (a hang).
WATCHDOG_S = 120.0

_POLY = [[121.61, 31.10], [121.612, 31.10], [121.612, 31.102], [121.61, 31.102], [121.61, 31.10]]
BASES: tuple[dict[str, Any], ...] = (
    {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": 1,
                "properties": {
                    "id": "cgt_park",
                    "name": "Gene Island",
                    "name_zh": "张江基因岛",
                    "weight": 2,
                    "accuracy_m": 1000,
                },
                "geometry": {"type": "Polygon", "coordinates": [_POLY]},
            },
            {
                "type": "Feature",
                "id": 2,
                "properties": {"id": "proton", "name": "Proton", "placement": "schematic"},
                "geometry": {"type": "Point", "coordinates": [121.616, 31.097]},
            },
            {
                "type": "Feature",
                "properties": {"id": "multi", "name": "M"},
                "geometry": {
                    "type": "MultiPolygon",
                    "coordinates": [
                        [_POLY],
                        [[[x + 0.01, y] for x, y in _POLY]],
                    ],
                },
            },
        ],
    },
    {
        "type": "Feature",
        "properties": {"id": "solo", "name": "Solo"},
        "geometry": {"type": "MultiPoint", "coordinates": [[121.6, 31.1], [121.7, 31.2]]},
    },
)
#: Values of the wrong type (or wrong value) put into every member in turn.
WRONG: tuple[Any, ...] = (
    None,
    True,
    False,
    0,
    -1,
    3.5,
    "",
    "x",
    "Point",
    "Feature",
    [],
    {},
    [[]],
    [1],
    ["a", "b"],
    {"type": "Point"},
    float("nan"),
    float("inf"),
)
HUGE: tuple[str, ...] = (
    "1e400",
    "-1e400",
    "1" + "0" * 400,
    "-" + "9" * 400,
    "1" + "0" * 5000,
    "1e-400",
    "123456789012345678901234567890",
    "9223372036854775808",
    "1.7976931348623157e308",
    "-0",
    "1E+2",
)
INSERTS: tuple[bytes, ...] = (
    b",",
    b"]",
    b"}",
    b"[",
    b"{",
    b":",
    b'"',
    b"\x00",
    b"\xff",
    b"\xed\xa0\x80",
    b"null",
    b"NaN",
    b"-Infinity",
    b"\\u0000",
    b"\\ud800",
)
KINDS = ("flip", "insert", "truncate", "wrong_type", "delete", "huge", "nest")


# --------------------------------------------------------------------------- generator


def dumps(doc: Any) -> bytes:
    """Serialise like a GIS export: UTF-8, non-ASCII kept, NaN/Infinity allowed."""
    return json.dumps(doc, ensure_ascii=False, allow_nan=True).encode()


def member_paths(doc: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Yield the path of every member (dict key or list index) of a JSON value."""
    if isinstance(doc, dict):
        for key, value in doc.items():
            yield (*prefix, key)
            yield from member_paths(value, (*prefix, key))
    elif isinstance(doc, list):
        for index, value in enumerate(doc):
            yield (*prefix, index)
            yield from member_paths(value, (*prefix, index))


def replaced(doc: Any, path: tuple[Any, ...], value: Any) -> Any:
    """Return a copy of ``doc`` with the member at ``path`` set to ``value``."""
    out = copy.deepcopy(doc)
    parent = out
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = value
    return out


def deleted(doc: Any, path: tuple[Any, ...]) -> Any:
    """Return a copy of ``doc`` without the member at ``path``."""
    out = copy.deepcopy(doc)
    parent = out
    for step in path[:-1]:
        parent = parent[step]
    del parent[path[-1]]
    return out


def mutate(rng: random.Random, kind: str) -> bytes:
    """Return one mutated layer file of the given kind."""
    base = rng.choice(BASES)
    raw = dumps(base)
    if kind == "flip":
        data = bytearray(raw)
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        return bytes(data)
    if kind == "insert":
        data = bytearray(raw)
        at = rng.randrange(len(data))
        data[at:at] = rng.choice(INSERTS)
        return bytes(data)
    if kind == "truncate":
        return raw[: rng.randrange(len(raw))]
    if kind == "wrong_type":
        return dumps(replaced(base, rng.choice(list(member_paths(base))), rng.choice(WRONG)))
    if kind == "delete":
        return dumps(deleted(base, rng.choice(list(member_paths(base)))))
    text = raw.decode()
    if kind == "huge":
        number = rng.choice(list(re.finditer(r"-?\d+(?:\.\d+)?", text)))
        return (text[: number.start()] + rng.choice(HUGE) + text[number.end() :]).encode()
    # nest: a deeply nested array or object as a new value after a '[' or ':'
    depth = rng.choice((50, 500, 999, 1001, 5000, 100_000))
    nested = rng.choice(("[" * depth + "]" * depth, '{"a":' * depth + "1" + "}" * depth))
    at = rng.choice([m.end() for m in re.finditer(r"[\[:]", text)])
    tail = text[at:]
    glue = "" if tail.lstrip().startswith(("]", "}")) else ","
    if text[at - 1] == ":":  # replace the member's value with the nested one
        value_end = _value_end(tail)
        return (text[:at] + nested + tail[value_end:]).encode()
    return (text[:at] + nested + glue + tail).encode()


def _value_end(text: str) -> int:
    """Return the index just past the JSON value at the start of ``text``."""
    _, end = json.JSONDecoder().raw_decode(text.lstrip())
    return end + len(text) - len(text.lstrip())


def generated_cases(seed: int, count: int) -> list[tuple[str, bytes]]:
    """Return ``count`` mutated files, kinds in turn, from a seeded generator."""
    rng = random.Random(seed)
    return [(KINDS[i % len(KINDS)], mutate(rng, KINDS[i % len(KINDS)])) for i in range(count)]


# --------------------------------------------------------------------------- the oracle


def parse_like_python(data: bytes) -> Any:
    """Parse a file the way the loader's structural check does (long ints as floats)."""
    return json.loads(
        data.decode("utf-8-sig"),
        parse_int=lambda s: int(s) if len(s) <= 300 else float(s),
    )


def _positions(coords: Any, depth: int) -> list[list[float]]:
    if depth == 0:
        return [[float(coords[0]), float(coords[1])]]
    return [p for item in coords for p in _positions(item, depth - 1)]


_DEPTH = {"Point": 0, "MultiPoint": 1, "Polygon": 2, "MultiPolygon": 3}


def _id_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def check_layer(layer: Layer, data: bytes, path: Path) -> None:
    """Assert that a loaded layer is right: valid, and what the JSON text says."""
    frame = layer.frame
    assert frame.crs is not None
    assert frame.crs.to_epsg() == 4326
    ids = frame["id"].tolist()
    assert all(isinstance(i, str) and i for i in ids), ids
    assert len(set(ids)) == len(ids), ids
    assert all(isinstance(n, str) and n for n in frame["name"]), frame["name"].tolist()
    weights = frame["weight"].to_numpy(dtype=float)
    assert np.isfinite(weights).all(), weights
    assert (weights >= 0).all(), weights
    geoms = np.asarray(frame.geometry.array)
    assert not shapely.is_empty(geoms).any()
    assert set(frame.geom_type) <= {"Point", "MultiPoint", "Polygon", "MultiPolygon"}
    coords = shapely.get_coordinates(geoms)
    assert np.isfinite(coords).all()
    assert (np.abs(coords[:, 0]) <= 180).all()
    assert (np.abs(coords[:, 1]) <= 90).all()

    doc = parse_like_python(data)
    features = doc["features"] if doc["type"] == "FeatureCollection" else [doc]
    assert len(features) == len(frame), "GDAL read a different number of features"
    repaired = " ".join(layer.warnings)
    for k, (feature, fid) in enumerate(zip(features, ids, strict=True)):
        props = feature.get("properties") or {}
        expected = props.get("id")
        if expected is None:
            expected = feature.get("id")
        if expected is None or not _id_text(expected):
            assert fid.startswith(path.stem), (fid, feature)
        else:
            assert fid == _id_text(expected), (fid, expected)
        geometry = feature["geometry"]
        if f"'{fid}'" in repaired or f"#{k + 1}" in repaired:
            continue  # an invalid polygon repaired by make_valid (and said so)
        want = np.asarray(_positions(geometry["coordinates"], _DEPTH[geometry["type"]]))
        got = shapely.get_coordinates(geoms[k])
        assert got.shape == want.shape, fid
        assert np.allclose(got, want, rtol=0, atol=1e-9), fid


def outcome(path: Path) -> str:
    """Read ``path`` and return ``ok`` or ``error: MESSAGE``; fail on anything else."""
    data = path.read_bytes()
    faulthandler.dump_traceback_later(WATCHDOG_S, exit=True)
    start = time.perf_counter()
    try:
        layer = read_layer(LayerSpec(path))
    except SiteplanError as exc:
        message = exc.format()
        assert "\n" not in message, message
        assert "\r" not in message, message
        assert message.startswith(str(path)), message
        return f"error: {message[len(str(path)) + 2 :]}"
    except Exception as exc:  # pragma: no cover - a failure is reported below
        digest = hashlib.sha256(data).hexdigest()[:12]
        keep = CORPUS / f"new_{type(exc).__name__}_{digest}.geojson"
        pytest.fail(
            f"{type(exc).__name__}: {exc} -- keep the case: cp {path} {keep} "
            "and record its outcome in corpus.json",
            pytrace=False,
        )
    finally:
        faulthandler.cancel_dump_traceback_later()
        elapsed = time.perf_counter() - start
        assert elapsed < CASE_BUDGET_S, f"one case took {elapsed:.1f} s"
    check_layer(layer, data, path)
    return "ok"


# --------------------------------------------------------------------------- tests


@pytest.mark.parametrize("seed", [1, 2])
def test_seeded_mutations_load_cleanly_or_fail_in_one_line(tmp_path: Path, seed: int) -> None:
    path = tmp_path / "layer.geojson"
    seen: dict[str, set[str]] = {kind: set() for kind in KINDS}
    for kind, data in generated_cases(seed, 490):
        path.write_bytes(data)
        seen[kind].add(outcome(path).split(":")[0])
    # The generator reaches both outcomes where both are possible.
    assert seen["truncate"] == {"error"}
    for kind in ("wrong_type", "delete", "huge", "insert"):
        assert seen[kind] == {"ok", "error"}, (kind, seen[kind])


def test_every_truncation_is_refused_as_truncated(tmp_path: Path) -> None:
    raw = dumps(BASES[0])
    path = tmp_path / "cut.geojson"
    messages = []
    for end in range(1, len(raw), 3):
        path.write_bytes(raw[:end])
        result = outcome(path)
        assert result.startswith("error: "), end
        messages.append(result)
    truncated = [m for m in messages if "truncated" in m]
    # A cut inside a UTF-8 character is "not UTF-8"; a cut after '{' alone, or
    # inside a literal, can look like other broken JSON: all others say "truncated".
    assert len(truncated) >= 0.9 * len(messages)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('{"a":' * 100_000 + "1" + "}" * 100_000, "nested too deeply"),
        (
            json.dumps(BASES[1]).replace("[121.6, 31.1]", "[" * 100_000 + "]" * 100_000),
            "nested too deeply",
        ),
        (
            json.dumps(BASES[1]).replace('"Solo"', "[" * 3000 + "]" * 3000),
            "nested too deeply",
        ),
    ],
    ids=["arrays", "objects", "in-coordinates", "in-a-property"],
)
def test_deep_nesting_is_refused(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "deep.geojson"
    path.write_text(text, encoding="utf-8")
    assert expected in outcome(path)


@pytest.mark.parametrize("number", HUGE)
@pytest.mark.parametrize("where", ["lon", "lat", "id", "weight", "property"])
def test_huge_numbers_are_refused_or_read_exactly(tmp_path: Path, number: str, where: str) -> None:
    doc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"id": "a", "name": "A", "weight": 1, "area": 5},
                "geometry": {"type": "Point", "coordinates": [121.6, 31.1]},
            }
        ],
    }
    marker = {"lon": "121.6", "lat": "31.1", "id": '"a"', "weight": '"weight": 1', "property": "5"}
    text = json.dumps(doc)
    replacement = f'"weight": {number}' if where == "weight" else number
    path = tmp_path / "huge.geojson"
    path.write_text(text.replace(marker[where], replacement, 1), encoding="utf-8")
    result = outcome(path)
    value = float(number)
    limit = {"lon": 180.0, "lat": 90.0}.get(where, math.inf)
    if where in ("lon", "lat") and not (math.isfinite(value) and abs(value) <= limit):
        assert result.startswith("error: "), result
    if where in ("lon", "lat") and math.isfinite(value) and abs(value) <= limit:
        # GDAL refuses an underflowing literal such as 1e-400 (cleanly); others load
        assert result == "ok" or "Unrecognized number" in result, result
    if where == "id" and "." not in number and "e" not in number.lower():
        # an integer id is read exactly, or refused when beyond 64 bits
        exact = len(number.lstrip("-")) <= 19 and -(2**63) <= int(number) < 2**63
        assert (result == "ok") == exact, result
    if where == "weight" and not (math.isfinite(value) and value >= 0):
        assert result.startswith("error: "), result


MEMBERS = {
    "collection type": ("type",),
    "features": ("features",),
    "feature": ("features", 0),
    "feature type": ("features", 0, "type"),
    "feature id": ("features", 0, "id"),
    "properties": ("features", 0, "properties"),
    "id property": ("features", 0, "properties", "id"),
    "name property": ("features", 0, "properties", "name"),
    "weight property": ("features", 0, "properties", "weight"),
    "placement property": ("features", 1, "properties", "placement"),
    "geometry": ("features", 0, "geometry"),
    "geometry type": ("features", 0, "geometry", "type"),
    "coordinates": ("features", 0, "geometry", "coordinates"),
    "ring": ("features", 0, "geometry", "coordinates", 0),
    "position": ("features", 0, "geometry", "coordinates", 0, 1),
    "longitude": ("features", 1, "geometry", "coordinates", 0),
    "latitude": ("features", 1, "geometry", "coordinates", 1),
}


@pytest.mark.parametrize("member", list(MEMBERS))
def test_wrong_types_in_every_member(tmp_path: Path, member: str) -> None:
    path = tmp_path / "typed.geojson"
    outcomes = []
    for value in WRONG:
        path.write_bytes(dumps(replaced(BASES[0], MEMBERS[member], value)))
        outcomes.append(outcome(path))
    # Anything that is not a number cannot be a coordinate, and an id must be text or a number.
    numbers = (0, -1, 3.5)
    if member in ("longitude", "latitude"):
        for value, result in zip(WRONG, outcomes, strict=True):
            is_number = value in numbers and not isinstance(value, bool)
            assert (result == "ok") == is_number, (value, result)
    if member in ("position", "coordinates", "ring", "geometry type", "geometry", "features"):
        assert all(o.startswith("error: ") for o in outcomes), outcomes
    if member in ("id property", "feature id"):
        refused = [v for v, o in zip(WRONG, outcomes, strict=True) if o.startswith("error: ")]
        assert [v for v in refused if isinstance(v, bool | list | dict)] == [
            True,
            False,
            [],
            {},
            [[]],
            [1],
            ["a", "b"],
            {"type": "Point"},
        ]


def test_gdal_errors_reach_the_user_as_one_line(tmp_path: Path) -> None:
    """GDAL's own refusals (and anything it prints) come out as one stderr line."""
    base = json.dumps(BASES[0])
    cases = {
        "int64.geojson": base.replace('"id": 1,', '"id": 9223372036854775808,'),
        "real.geojson": base.replace('"accuracy_m": 1000', '"accuracy_m": 1e400'),
        "flipped.geojson": base.replace('"weight": 2', '"weight": 2e'),
    }
    for name, text in cases.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    for name in cases:
        run = subprocess.run(
            [sys.executable, "-m", "siteplan", "validate", name],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert run.returncode == 1, (name, run.stdout, run.stderr)
        assert run.stderr.count("\n") == 1, run.stderr
        assert run.stderr.startswith(f"siteplan: {name}: "), run.stderr


# --------------------------------------------------------------------------- the corpus


def _corpus_expectations() -> dict[str, str]:
    return dict(json.loads((CORPUS / "corpus.json").read_text(encoding="utf-8")))


def _corpus_files() -> list[str]:
    return sorted(p.name for p in CORPUS.iterdir() if p.suffix in (".geojson", ".json"))


def test_corpus_is_documented() -> None:
    files = [name for name in _corpus_files() if name != "corpus.json"]
    assert sorted(_corpus_expectations()) == files


@pytest.mark.parametrize("name", [n for n in _corpus_files() if n != "corpus.json"])
def test_corpus_case(tmp_path: Path, name: str) -> None:
    """Replay a case that once failed: it gives the recorded outcome."""
    path = tmp_path / "case.geojson"
    path.write_bytes((CORPUS / name).read_bytes())
    expected = _corpus_expectations()[name]
    result = outcome(path)
    if expected == "ok":
        assert result == "ok"
    else:
        assert result.startswith("error: "), result
        assert expected in result, (expected, result)
