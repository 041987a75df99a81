"""Output-size guards: estimate a candidate surface or a report before writing it.

An output estimated past ``--max-output-mb`` (default :data:`MAX_OUTPUT_MB`,
1,000 MB) is refused in one
line that gives the estimate, what makes it smaller and the option that raises
the limit (docs/errors.md). The estimates come from bytes per row measured on
real outputs; they aim at the right order of magnitude, not the last byte.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final, TypeVar

import click

if TYPE_CHECKING:
    from siteplan.analysis import Result

__all__ = ["MAX_OUTPUT_MB", "check_candidates_size", "check_report_size", "max_output_option"]

#: The largest output (MB) written unless ``--max-output-mb`` raises the limit.
MAX_OUTPUT_MB: Final = 1000.0

F = TypeVar("F", bound=Callable[..., Any])

#: A report's bytes per pair listed and per site (measured: json 510-534 and csv 173 per pair).
_REPORT_BYTES: Final = {"json": (540, 400), "csv": (180, 200)}
#: The formats that write the scored surface.
_SURFACE: Final = ("geojson", "gpkg")


def _not_nan(ctx: click.Context, param: click.Parameter, value: float) -> float:
    """Refuse NaN, which passes the range check (every comparison with it is false)."""
    if math.isnan(value):
        raise click.BadParameter("nan is not a number of MB > 0 (inf: no limit)", ctx, param)
    return value


def max_output_option(func: F) -> F:
    """Add ``--max-output-mb`` to a command."""
    return click.option(
        "--max-output-mb",
        "max_output_mb",
        type=click.FloatRange(min=0, min_open=True),
        callback=_not_nan,
        default=MAX_OUTPUT_MB,
        show_default=True,
        help="Refuse to write an output estimated larger than this (MB); the estimate is "
        "checked before the output is computed.",
    )(func)


def check_candidates_size(
    result: Result, fmt: str, kwargs: dict[str, Any], max_output_mb: float
) -> None:
    """Refuse a candidate surface (or list of picks) estimated past ``max_output_mb``.

    Grid surfaces are estimated from the boundary's area and the cell, before
    any candidate is scored; parcels from their count once read (not here).
    """
    # lazy: the candidate modules load geopandas, which the CLI imports only when it runs
    from siteplan.candidates.grid import check_output_size, surface_bytes, surface_cells
    from siteplan.candidates.sites import boundary_geometry
    from siteplan.measure.pairs import check_distance

    ids = result.sites["id"].tolist()
    if fmt not in _SURFACE:
        check_output_size(
            surface_bytes(int(kwargs["top"] or 0), ids, fmt),
            max_output_mb,
            f"-f {fmt} with --top {kwargs['top']}",
            "give a smaller --top",
        )
        return
    boundary = boundary_geometry(result)
    if kwargs["parcels"] is not None or boundary is None:
        return
    cell = check_distance("cell_m", kwargs["cell_m"])
    cells = surface_cells(boundary, cell)
    estimate = surface_bytes(cells, ids, fmt)
    # the size goes with the number of cells, 1 / cell²
    larger = math.ceil(cell * math.sqrt(estimate / (max_output_mb * 1e6)))
    advice = f"give a larger --cell (about {larger} m keeps it under)"
    if fmt == "geojson":
        gpkg = surface_bytes(cells, ids, "gpkg") / 1e6
        advice += f", or write -f gpkg (about {gpkg:,.0f} MB, and faster to open in QGIS)"
    check_output_size(
        estimate, max_output_mb, f"-f {fmt} --cell {cell:g} ({cells:,} cells)", advice
    )


def check_report_size(result: Result, fmt: str, pairs: str, max_output_mb: float) -> None:
    """Refuse a json or csv report estimated past ``max_output_mb``.

    The human formats shorten above 50 sites and stay small; they are not checked.
    """
    if fmt not in _REPORT_BYTES:
        return
    # lazy: the analysis and the candidate modules load geopandas (already run by then)
    from siteplan.analysis import reach_m
    from siteplan.candidates.grid import check_output_size

    per_pair, per_site = _REPORT_BYTES[fmt]
    listed = len(result.pairs)
    if pairs == "within":
        listed = int((result.pairs["distance_m"] <= reach_m(result.parameters)).sum())
    estimate = listed * per_pair + len(result.sites) * per_site
    advice = "give --pairs within (only the pairs within reach)" if pairs == "all" else ""
    advice = advice or "split the study into areas"
    check_output_size(estimate, max_output_mb, f"-f {fmt} ({listed:,} pairs)", advice)
