"""What a constraint may say, checked when a study file is read.

A ``[[constraints]]`` table is checked in full on load (its kind, its keys,
the type and range of each value), so ``report`` and ``validate`` refuse the
same mistakes ``candidates`` does. What needs the study's data (that ``site``
is a site id, that ``layer`` is an exclusion layer, that names are unique) is
checked when candidates are scored
(:func:`siteplan.score.constraints.resolve_constraints`). Library and command
line constraints go through the same :func:`check_constraint_fields`.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final, NoReturn

from siteplan.errors import SiteplanError, StudyError
from siteplan.load.layers import MAX_DISTANCE_M

__all__ = [
    "CONSTRAINT_KEYS",
    "CONSTRAINT_KINDS",
    "DEFAULT_KINDS",
    "REQUIRED_KEYS",
    "check_constraint_fields",
    "check_constraint_table",
]

#: Every kind, in the order candidates are tested (and counted).
CONSTRAINT_KINDS: Final = (
    "outside_boundary",
    "inside_site",
    "exclusion",
    "setback",
    "within",
    "beyond",
)
#: The kinds that apply unless turned off with ``enabled = false``.
DEFAULT_KINDS: Final = ("outside_boundary", "inside_site")

_COMMON_KEYS: Final = ("kind", "name", "note", "source", "enabled")
#: The keys each kind takes.
CONSTRAINT_KEYS: Final[Mapping[str, tuple[str, ...]]] = {
    "outside_boundary": _COMMON_KEYS,
    "inside_site": _COMMON_KEYS,
    "exclusion": (*_COMMON_KEYS, "layer"),
    "setback": (*_COMMON_KEYS, "distance_m", "site"),
    "within": (*_COMMON_KEYS, "site", "distance_m"),
    "beyond": (*_COMMON_KEYS, "site", "distance_m"),
}
#: The keys each kind needs.
REQUIRED_KEYS: Final[Mapping[str, tuple[str, ...]]] = {
    "outside_boundary": (),
    "inside_site": (),
    "exclusion": (),
    "setback": ("distance_m",),
    "within": ("site", "distance_m"),
    "beyond": ("site", "distance_m"),
}


def _fail(
    message: str, where: str, path: str | Path | None, error: type[SiteplanError]
) -> NoReturn:
    raise error(f"{where}: {message}", path=path)


def check_constraint_table(table: Any, index: int, path: Path | None) -> None:
    """Check one ``[[constraints]]`` table of a study file in full.

    Parameters
    ----------
    table
        The table as TOML read it.
    index
        Its position among the study's ``[[constraints]]`` (0 for the first).
    path
        The study file, for the message.

    Raises
    ------
    StudyError
        Naming the table (``[[constraints]] #N``) and what is wrong: not a
        table, no or an unknown kind, an unknown or missing key, a value of the
        wrong type or out of range.
    """
    where = f"[[constraints]] #{index + 1}"
    if not isinstance(table, Mapping):
        raise StudyError(f"{where} is not a table", path=path)
    kind = table.get("kind")
    if kind is None:
        raise StudyError(
            f"{where} has no kind; give one of {', '.join(CONSTRAINT_KINDS)}", path=path
        )
    if isinstance(table.get("name"), str):
        where += f" ({table['name']})"
    if isinstance(kind, str) and kind in CONSTRAINT_KEYS:
        unknown = sorted(set(table) - set(CONSTRAINT_KEYS[kind]))
        if unknown:
            raise StudyError(
                f"{where}: unknown key(s) {', '.join(unknown)} for a {kind} constraint; "
                f"allowed: {', '.join(CONSTRAINT_KEYS[kind])}",
                path=path,
            )
    check_constraint_fields(
        kind,
        {key: table.get(key) for key in ("name", "site", "distance_m", "layer", "note", "source")},
        enabled=table.get("enabled", True),
        where=where,
        path=path,
        error=StudyError,
    )


def check_constraint_fields(
    kind: Any,
    fields: Mapping[str, Any],
    *,
    enabled: Any,
    where: str,
    path: str | Path | None,
    error: type[SiteplanError],
) -> float | None:
    """Check a constraint's kind and values; return its distance as a float (or None).

    Parameters
    ----------
    kind
        The kind given.
    fields
        ``name``, ``site``, ``distance_m``, ``layer``, ``note`` and ``source``
        as given (None: not given).
    enabled
        As given.
    where, path, error
        How to name the constraint and its file, and the error to raise.

    Raises
    ------
    SiteplanError
        ``error``, naming the constraint and what is allowed.
    """
    if not isinstance(kind, str) or kind not in CONSTRAINT_KINDS:
        _fail(f"kind {kind!r} is not one of {', '.join(CONSTRAINT_KINDS)}", where, path, error)
    for key in REQUIRED_KEYS[kind]:
        if fields.get(key) is None:
            _fail(f"a {kind} constraint needs {key}", where, path, error)
    for key in ("site", "distance_m", "layer"):
        if fields.get(key) is not None and key not in CONSTRAINT_KEYS[kind]:
            _fail(
                f"{key} does not apply to a {kind} constraint, which takes "
                f"{', '.join(k for k in CONSTRAINT_KEYS[kind] if k != 'kind')}",
                where,
                path,
                error,
            )
    distance = _check_distance(fields.get("distance_m"), where, path, error)
    for key in ("name", "site", "layer"):
        text = fields.get(key)
        if text is not None and (not isinstance(text, str) or not text.strip()):
            _fail(f"{key} {text!r} is not a non-empty text", where, path, error)
    for key in ("note", "source"):
        text = fields.get(key)
        if text is not None and not isinstance(text, str):
            _fail(f"{key} {text!r} is not text", where, path, error)
    if not isinstance(enabled, bool):
        _fail(f"enabled {enabled!r} is not true or false", where, path, error)
    if not enabled and kind not in DEFAULT_KINDS:
        _fail(
            f"enabled = false only turns off a default constraint ({', '.join(DEFAULT_KINDS)}); "
            "remove the constraint instead",
            where,
            path,
            error,
        )
    return distance


def _check_distance(
    value: Any, where: str, path: str | Path | None, error: type[SiteplanError]
) -> float | None:
    """Return ``distance_m`` as a float: finite, >= 0 and at most 2,000 km."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        _fail(f"distance_m {value!r} is not a number of metres", where, path, error)
    distance = float(value) + 0.0  # + 0.0 turns -0.0 into 0.0
    if not math.isfinite(distance) or distance < 0.0:
        _fail(
            f"distance_m {value!r} is not a finite number >= 0; give metres, e.g. 500",
            where,
            path,
            error,
        )
    if distance > MAX_DISTANCE_M:
        _fail(
            f"distance_m {value!r} is not a finite number >= 0 and <= {MAX_DISTANCE_M:,.0f} "
            "(what one projection measures); give metres, e.g. 500",
            where,
            path,
            error,
        )
    return distance
