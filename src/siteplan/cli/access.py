"""``siteplan access``: who is served, by the study's demand layers and sites."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from siteplan.cli._common import (
    analyze_from_cli,
    echo_warnings,
    map_kwargs,
    refuse_stray_options,
    report_format,
)
from siteplan.cli.options import MAP_KEYS, map_options, scoring_options, study_argument
from siteplan.errors import ParameterError

__all__ = ["access"]

#: The formats ``-f`` offers.
ACCESS_FORMATS = ("markdown", "csv", "json", "html", "gpkg")


def _refuse_same_file(output: Path | None, *others: tuple[str, Path | None]) -> None:
    """Refuse ``-o``, ``--cost-table`` and ``--map`` naming the same file."""
    named = [(flag, path) for flag, path in (("-o", output), *others) if path is not None]
    seen: dict[Path, str] = {}
    for flag, path in named:
        if str(path) == "-":
            continue
        key = path.resolve()
        if key in seen:
            raise ParameterError(
                f"{flag} {path} is also the {seen[key]} output; give two different files"
            )
        seen[key] = flag


@click.command()
@study_argument
@click.option(
    "--index",
    type=click.Choice(["gravity", "2sfca", "e2sfca"]),
    default="2sfca",
    show_default=True,
    help="Accessibility index: gravity (the decay as weight), 2sfca (a threshold) or e2sfca "
    "(ring weights from the decay). Formulas in docs/commands/access.md.",
)
@click.option(
    "--threshold",
    type=float,
    help="2sfca: the catchment threshold d0 in the measure's unit (default: the first ring).",
)
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(ACCESS_FORMATS),
    help="Default: from the -o suffix (.md/.csv/.json/.html/.gpkg), else markdown.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Write here (atomically) instead of to standard output (gpkg needs a file).",
)
@click.option(
    "--cost-table",
    type=click.Path(path_type=Path),
    help="Also write the origin-destination table (origin, dest, cost: demand point, site, "
    "cost in the measure's unit) as CSV, as PySAL access and spopt read it.",
)
@click.option(
    "--map",
    "map_path",
    type=click.Path(path_type=Path),
    help="Also write an HTML map: the demand coloured by the index, each site's catchment "
    "bands with their demand, and the study's layers (map options below).",
)
@map_options
@scoring_options
def access(
    study: Path | None,
    *,
    index: str,
    threshold: float | None,
    fmt: str | None,
    output: Path | None,
    cost_table: Path | None,
    map_path: Path | None,
    **options: Any,
) -> None:
    """Report who is served: coverage, catchments, nearest sites and an index.

    The study needs a demand layer (role = "demand", with a population field).
    Coverage is the demand within each ring of at least one site; each site
    gets its catchment demand per ring and the demand it is nearest for; each
    demand point its nearest site, the cost to it and the accessibility index.
    --map PATH.html draws them: the demand by index and the catchment bands.
    """
    # lazy: the access modules load geopandas and the measuring kernel
    from siteplan._io import check_output_path
    from siteplan.access.cost_table import write_cost_table
    from siteplan.access.study import analyze_access
    from siteplan.render.access import render_access, write_access

    fmt = report_format(fmt, output, ACCESS_FORMATS)
    if fmt == "gpkg" and (output is None or str(output) == "-"):
        raise ParameterError("-f gpkg writes a GeoPackage file: give -o PATH.gpkg")
    if map_path is None:
        refuse_stray_options(MAP_KEYS, "map options need --map PATH.html")
    map_options_given = map_kwargs(options)
    _refuse_same_file(output, ("--cost-table", cost_table), ("--map", map_path))
    if map_path is not None and str(map_path) == "-":
        raise ParameterError("--map writes an HTML file: give --map PATH.html")
    result = analyze_from_cli(study, options)
    inputs = list(result.inputs)
    if output is not None and str(output) != "-":
        check_output_path(output, inputs)
    for extra in (cost_table, map_path):
        if extra is not None:
            check_output_path(extra, inputs)
    ares = analyze_access(result, index=index, threshold=threshold)
    echo_warnings((*result.warnings, *ares.warnings))
    if cost_table is not None and ares.places is not None:
        costs = ares.places.costs
        write_cost_table(cost_table, costs.values, list(ares.demand_ids), costs.site_ids, inputs)
    if map_path is not None:
        # lazy: only --map loads folium
        from siteplan.maps.make import write_map

        write_map(result, map_path, access=ares, **map_options_given)
    others = [p for p in (cost_table, map_path) if p is not None]
    if output is None:
        click.echo(render_access(ares, fmt), nl=False)
        return
    write_access(ares, output, fmt, inputs=others)
