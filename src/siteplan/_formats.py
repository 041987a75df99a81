"""Output formats and the file suffixes that name them: one table for every writer.

Writers that infer a format from an output path (reports, comparisons,
sensitivity sweeps, candidates, exports, the command line) all read
:data:`SUFFIX_FORMATS`; each passes the formats it can write.

Examples
--------
>>> format_for_path("out/report.HTML", ("markdown", "csv", "json", "html"))
'html'
>>> format_for_path("notes.txt", ("markdown", "json"), default="markdown")
'markdown'
>>> suffix_format("picks.gpkg"), suffix_format("README")
('gpkg', None)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Final

from siteplan.errors import ParameterError

__all__ = ["SUFFIX_FORMATS", "check_choice", "format_for_path", "suffix_format"]

#: Output suffixes (lower case) and the format each names.
SUFFIX_FORMATS: Final[Mapping[str, str]] = MappingProxyType(
    {
        ".md": "markdown",
        ".markdown": "markdown",
        ".csv": "csv",
        ".json": "json",
        ".html": "html",
        ".htm": "html",
        ".gpkg": "gpkg",
        ".geojson": "geojson",
    }
)


def suffix_format(path: str | Path) -> str | None:
    """Return the format a path's suffix names (in any case), or None for another suffix."""
    return SUFFIX_FORMATS.get(Path(path).suffix.lower())


def format_for_path(path: str | Path, allowed: Sequence[str], *, default: str | None = None) -> str:
    """Return the format a path's suffix names, when it is one of ``allowed``.

    Parameters
    ----------
    path
        The output path.
    allowed
        The formats the caller can write.
    default
        The format for any other suffix; None raises instead.

    Raises
    ------
    ParameterError
        When the suffix names none of ``allowed`` and there is no ``default``.
    """
    fmt = suffix_format(path)
    if fmt in allowed:
        return str(fmt)
    if default is not None:
        return default
    raise ParameterError(
        f"cannot tell the format from the suffix of {Path(path).name!r}; "
        f"give fmt, one of {', '.join(allowed)}",
        path=path,
    )


def check_choice(name: str, value: object, allowed: Sequence[str]) -> None:
    """Raise unless ``value`` is one of the strings ``allowed``.

    Raises
    ------
    ParameterError
        Naming the argument, the value given and the values allowed.

    Examples
    --------
    >>> check_choice("fmt", "pdf", ("markdown", "json"))
    Traceback (most recent call last):
    ...
    siteplan.errors.ParameterError: fmt 'pdf' is not one of markdown, json
    """
    if not isinstance(value, str) or value not in allowed:
        raise ParameterError(f"{name} {value!r} is not one of {', '.join(allowed)}")
