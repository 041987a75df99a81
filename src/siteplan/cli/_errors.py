"""How library errors read on the command line: Python arguments become flags.

Library errors name the Python argument they are about (``cell_m=0.5 gives
...``) and say which in :attr:`siteplan.errors.SiteplanError.argument`. The
command line shows the flag that sets that argument instead (``--cell 0.5
gives ...``), from the one table :data:`ARGUMENT_FLAGS`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from siteplan.errors import SiteplanError

__all__ = ["ARGUMENT_FLAGS", "cli_message", "flag_message"]

#: Library keyword arguments and the flag that sets each.
ARGUMENT_FLAGS: Final[Mapping[str, str]] = MappingProxyType(
    {
        # analyze: the scoring options
        "crs": "--crs",
        "measure": "--measure",
        "rings_m": "--rings",
        "decay": "--decay",
        "max_m": "--max-m",
        "half_m": "--half-m",
        "sigma_m": "--sigma-m",
        "inflection_m": "--inflection-m",
        "steepness_m": "--steepness-m",
        "max_min": "--max-min",
        "half_min": "--half-min",
        "sigma_min": "--sigma-min",
        "inflection_min": "--inflection-min",
        "steepness_min": "--steepness-min",
        "mode": "--mode",
        "network": "--network",
        "strict": "--strict",
        # validate_paths
        "role": "--role",
        "datum": "--datum",
        # render_report, write_candidates, render_sensitivity, render_comparison
        "fmt": "--format",
        "table": "--table",
        # score_candidates, compare_studies
        "cell_m": "--cell",
        "parcels": "--parcels",
        "top": "--top",
        "min_separation_m": "--min-separation",
        "engine": "--engine",
        "scheduler": "--scheduler",
        "workers": "--workers",
        "approx": "--approx",
        "approx_step_m": "--approx-step",
        # make_map, write_map
        "offline": "--offline",
        "tiles": "--tiles",
        "attribution": "--attribution",
        "tiles_datum": "--tiles-datum",
        "click_score": "--click-score",
        "edit": "--edit",
        # render_report, write_report
        "pairs": "--pairs",
        # every writer
        "force": "--force",
    }
)

#: Study-file names in minutes whose flag takes either unit (``--rings 5,10`` with time).
_UNIT_FLAGS: Final[Mapping[str, str]] = MappingProxyType({"rings_min": "--rings"})


def flag_message(message: str, argument: str | None) -> str:
    """Return ``message`` with the Python ``argument`` named by its flag.

    For an error about a Python argument, ``name=value`` becomes ``--flag
    value`` for every argument in the table (``engine='dask'`` reads
    ``--engine dask``). The error's own argument is
    also replaced where it stands bare: a name with an underscore wherever it
    stands as a word; a plain word such as ``tiles`` only where it begins the
    message, since it can also be an ordinary word there.

    Examples
    --------
    >>> flag_message("cell_m=0.5 gives 99,000,000 cells; give a larger cell_m", "cell_m")
    '--cell 0.5 gives 99,000,000 cells; give a larger --cell'
    >>> flag_message("tiles 'foo' is not a known tile provider; list the tiles", "tiles")
    "--tiles 'foo' is not a known tile provider; list the tiles"
    >>> flag_message("top=0 must be at least 1", "top")
    '--top 0 must be at least 1'
    >>> flag_message("min_cell_m is not an argument", "cell_m")
    'min_cell_m is not an argument'
    >>> flag_message("workers 2 needs engine='dask'", "workers")
    '--workers 2 needs --engine dask'
    >>> flag_message("rings_min 1e+09 is beyond 25,000 min", "rings_min")
    '--rings 1e+09 is beyond 25,000 min'
    """
    flag = None if argument is None else ARGUMENT_FLAGS.get(argument, _UNIT_FLAGS.get(argument))
    if argument is None or flag is None:
        return message
    for python_name, python_flag in ARGUMENT_FLAGS.items():
        word = re.escape(python_name)
        message = re.sub(rf"(?<![\w.-]){word}='([^'\s]*)'", rf"{python_flag} \1", message)
        message = re.sub(rf"(?<![\w.-]){word}=", f"{python_flag} ", message)
    name = re.escape(argument)
    if "_" in argument:
        return re.sub(rf"(?<![\w.-]){name}(?![\w-])", flag, message)
    return re.sub(rf"^{name}(?![\w-])", flag, message)


def cli_message(error: SiteplanError) -> str:
    """Return a library error as the command line shows it: one line, flags for arguments.

    Examples
    --------
    >>> from siteplan.errors import ParameterError
    >>> cli_message(ParameterError("tiles_datum 'x' is not one of wgs84", argument="tiles_datum"))
    "--tiles-datum 'x' is not one of wgs84"
    """
    return error.format(flag_message(error.message, error.argument))
