"""Steps the commands share: options to library arguments, output formats, warnings.

The library modules are imported inside these functions, so that
``import siteplan.cli`` (and ``siteplan --help``) loads none of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from siteplan._formats import suffix_format
from siteplan._io import is_stdout
from siteplan.cli.options import CANDIDATE_KEYS, MAP_KEYS, SCORING_KEYS, given_options
from siteplan.errors import ParameterError

if TYPE_CHECKING:
    from siteplan.analysis import Result

__all__ = [
    "analyze_from_cli",
    "candidate_kwargs",
    "echo_warnings",
    "map_kwargs",
    "output_format",
    "refuse_stray_options",
    "report_format",
]


def analyze_from_cli(study: Path | None, options: dict[str, Any]) -> Result:
    """Run :func:`siteplan.analyze` with the scoring options a command received.

    The scoring options are popped from ``options``.
    """
    from siteplan.analysis import analyze  # lazy: geopandas and the measuring modules

    kwargs = {k: options.pop(k) for k in SCORING_KEYS if k in options}
    return analyze(study, **kwargs)


def echo_warnings(warnings: Iterable[str]) -> None:
    """Write each warning as a ``warning:`` line on standard error."""
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)


def output_format(fmt: str | None, output: Path | None, allowed: tuple[str, ...]) -> str:
    """Return the format asked for, else the one -o's suffix names, else markdown.

    Standard output (``-o -``) is markdown unless its name's suffix says otherwise.

    Raises
    ------
    ParameterError
        When the suffix of -o names none of ``allowed``.

    Examples
    --------
    >>> output_format(None, Path("picks.GEOJSON"), ("markdown", "geojson"))
    'geojson'
    >>> output_format(None, None, ("markdown", "json"))
    'markdown'
    >>> output_format(None, Path("-"), ("markdown", "json"))
    'markdown'
    """
    if fmt is not None:
        return fmt
    if output is None:
        return "markdown"
    guess = suffix_format(output)
    if guess not in allowed and is_stdout(output):
        return "markdown"
    if guess not in allowed:
        raise ParameterError(
            f"cannot tell the format from {output.name!r}; give -f {'|'.join(allowed)}"
        )
    return str(guess)


def report_format(fmt: str | None, output: Path | None, allowed: tuple[str, ...]) -> str:
    """Return the format asked for, else the one -o's suffix names, else markdown.

    Unlike :func:`output_format`, any other suffix gives markdown.

    Examples
    --------
    >>> report_format(None, Path("out/report.htm"), ("markdown", "html"))
    'html'
    >>> report_format(None, Path("report.txt"), ("markdown", "html"))
    'markdown'
    """
    if fmt is not None:
        return fmt
    guess = None if output is None else suffix_format(output)
    return guess if guess in allowed else "markdown"


def refuse_stray_options(names: tuple[str, ...], needs: str, example: str | None = None) -> None:
    """Refuse options among ``names`` given on the command line without the one they need.

    Parameters
    ----------
    names
        The parameters that only make sense with another option.
    needs
        That option, as the message should name it.
    example
        A command line to suggest; the stray flags are appended to it.

    Raises
    ------
    ParameterError
        Naming the stray flags.
    """
    stray = given_options(names)
    if not stray:
        return
    message = f"{', '.join(stray)}: {needs}"
    if example is not None:
        message += f" ({example} {' '.join(stray)} ...)"
    raise ParameterError(message)


def map_kwargs(options: dict[str, Any]) -> dict[str, Any]:
    """Pop the map options into keyword arguments of ``write_map``, checking the tiles."""
    from siteplan.maps.tiles import DEFAULT_TILES, resolve_tiles  # lazy: xyzservices

    kwargs = {k: options.pop(k) for k in MAP_KEYS}
    kwargs["tiles"] = DEFAULT_TILES if kwargs["tiles"] is None else kwargs["tiles"]
    # refuse bad tile options before measuring anything
    resolve_tiles(
        kwargs["tiles"],
        offline=kwargs["offline"],
        attribution=kwargs["attribution"],
        tiles_datum=kwargs["tiles_datum"],
    )
    return kwargs


def candidate_kwargs(options: dict[str, Any]) -> dict[str, Any]:
    """Pop the candidate options into keyword arguments of ``score_candidates``."""
    # lazy: the constraint module loads shapely
    from siteplan.score.constraints import make_constraint, parse_cli_constraint

    given = {k: options.pop(k) for k in CANDIDATE_KEYS}
    if given["cell_m"] is not None and given["parcels"] is not None:
        raise ParameterError("--cell and --parcels exclude each other: give one of them")
    extra = [parse_cli_constraint("within", t) for t in given["within"]]
    extra += [parse_cli_constraint("beyond", t) for t in given["beyond"]]
    extra += [parse_cli_constraint("setback", t) for t in given["setback"]]
    if given["exclusions"]:
        extra.append(make_constraint("exclusion", origin="cli", where="--exclusions"))
    return {
        "cell_m": 50.0 if given["cell_m"] is None else given["cell_m"],
        "parcels": given["parcels"],
        "top": given["top"],
        "min_separation_m": given["min_separation_m"],
        "constraints": extra,
    }
