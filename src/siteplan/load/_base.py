"""Study files with ``base``: the sites are their own, everything else is the base study's.

``base = "bundled:simz"`` (the bundled study) or a study file's path, relative to the
study file. The base's non-site layers, scoring settings, ``crs``, ``focus`` and
constraints apply; the study file's own keys win, and its layers replace the base's
site layers. One level only: a base has no base. The map page's "Download scenario"
writes such a file (see :mod:`siteplan.maps.scenario`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from siteplan.errors import StudyError

if TYPE_CHECKING:
    from siteplan.load.study import Study

__all__ = ["BUNDLED_BASE", "base_path_of", "merge_base"]

#: ``base`` naming the bundled study.
BUNDLED_BASE: Final = "bundled:simz"


def base_path_of(
    raw: Any,
    path: Path,
    bundled: Callable[[], Path],
    read_toml: Callable[[Path], dict[str, Any]],
) -> Path:
    """Return the base study's path named by ``raw`` in the study file ``path``.

    Raises
    ------
    StudyError
        For a base that is not a non-empty string, the file itself, or a study with a
        base of its own.
    """
    if not isinstance(raw, str) or not raw.strip():
        raise StudyError(f'base is {raw!r}; give "{BUNDLED_BASE}" or a study file', path=path)
    base = bundled() if raw == BUNDLED_BASE else Path(raw).expanduser()
    if not base.is_absolute():
        base = path.parent / base
    if base.resolve() == path.resolve():
        raise StudyError("base names this study file itself; give the original study", path=path)
    if base.is_file() and "base" in read_toml(base):
        raise StudyError(
            f"the base study {base} has a base of its own; give the original study", path=path
        )
    return base


def merge_base(own: Study, base: Study, keys: Collection[str]) -> Study:
    """Return ``own`` (read from a file with top-level ``keys``) completed from ``base``."""
    return dataclasses.replace(
        own,
        layers=own.layers + tuple(s for s in base.layers if s.role != "site"),
        crs=own.crs if "crs" in keys else base.crs,
        focus=own.focus if "focus" in keys else base.focus,
        scoring=_scoring(base.scoring, own.scoring),
        constraints=base.constraints + own.constraints,
    )


def _scoring(base: Mapping[str, Any], own: Mapping[str, Any]) -> dict[str, Any]:
    """Return the base's scoring settings updated by the study's own.

    When the study's measure scores in another unit than the base's (``time`` in
    minutes against metres), the base's rings and decay parameters (``*_m`` /
    ``*_min`` keys) do not carry over: they are in the other unit.

    Examples
    --------
    >>> _scoring({"measure": "edge", "rings_m": [500]}, {"measure": "time", "rings_min": [5]})
    {'measure': 'time', 'rings_min': [5]}
    """
    minutes = str(own.get("measure", base.get("measure", "edge"))) == "time"
    if minutes == (str(base.get("measure", "edge")) == "time"):
        return {**base, **own}
    kept = {k: v for k, v in base.items() if not k.endswith(("_m", "_min"))}
    return {**kept, **own}
