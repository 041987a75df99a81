"""``siteplan candidates``: score candidate locations for a new facility and rank the best."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from siteplan._io import check_output_path, input_paths, is_stdout
from siteplan.cli._common import (
    analyze_from_cli,
    candidate_kwargs,
    echo_warnings,
    map_kwargs,
    output_format,
    refuse_stray_options,
)
from siteplan.cli._size import check_candidates_size, max_output_option
from siteplan.cli.options import (
    MAP_KEYS,
    candidate_options,
    force_option,
    map_options,
    scoring_options,
    study_argument,
)
from siteplan.errors import ParameterError

__all__ = ["candidates"]

#: The formats ``-f`` offers: the ranked picks (text) or the scored surface (files).
CANDIDATE_FORMATS = ("json", "csv", "markdown", "geojson", "gpkg")
#: The formats that write the scored surface, which only goes to a file.
SURFACE_FORMATS = ("geojson", "gpkg")


def _refuse_surface_to_stdout(fmt: str, output: Path | None) -> None:
    """Refuse a surface format without ``-o``: it does not go to standard output."""
    if fmt == "gpkg" and output is not None and is_stdout(output):
        raise ParameterError(
            "-f gpkg is binary and cannot go to standard output; give -o PATH.gpkg"
        )
    if fmt in SURFACE_FORMATS and output is None:
        raise ParameterError(f"-f {fmt} writes the scored surface to a file: give -o PATH.{fmt}")


def _refuse_map_over_output(map_path: Path | None, output: Path | None) -> None:
    """Refuse ``--map`` and ``-o`` naming the same file (or both standard output)."""
    if map_path is None or output is None:
        return
    if (is_stdout(map_path) and is_stdout(output)) or map_path.resolve() == output.resolve():
        raise ParameterError(f"--map {map_path} is also the -o output; give two different files")


@click.command()
@study_argument
@candidate_options
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(CANDIDATE_FORMATS),
    help="json/csv/markdown: the ranked picks; geojson/gpkg: the scored surface (needs -o). "
    "Default: from the -o suffix, else markdown.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Write here (atomically) instead of to standard output; - is standard output "
    "(text formats and geojson).",
)
@force_option
@max_output_option
@click.option(
    "--sensitivity",
    "with_sensitivity",
    is_flag=True,
    help="Also sweep rings (x0.5..x1.5) and decay kinds; report each pick's stability.",
)
@click.option(
    "--method",
    type=click.Choice(["greedy", "mclp", "pmedian", "pcenter"]),
    help="How the --top picks are chosen: greedy (default: the best scores, --min-separation "
    "apart), or optimally against the study's demand layer with the existing sites open: "
    "mclp (most demand within --service), pmedian (least demand-weighted distance), pcenter "
    "(least worst distance), among the best-scored eligible candidates (2,000 for mclp, "
    "500 otherwise).",
)
@click.option(
    "--service",
    "service_m",
    type=float,
    help="--method: the coverage radius R in the measure's unit, metres (minutes with "
    "--measure time); default: the first ring.",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary line.")
@click.option(
    "--engine",
    type=click.Choice(["memory", "dask"]),
    default="memory",
    show_default=True,
    help="dask: the same exact scoring partitioned over a dask.distributed cluster "
    "(a local one unless --scheduler); identical results.",
)
@click.option(
    "--scheduler",
    metavar="tcp://HOST:PORT",
    help="--engine dask: the address of a running dask scheduler to use.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    help="--engine dask: local worker processes (default: one per CPU), or the workers to "
    "wait for on --scheduler.",
)
@click.option(
    "--approx",
    type=click.Choice(["raster", "coarse"]),
    help="Approximate distances, faster, with an error measured on a sample and stated in "
    "the output: raster (distance transform) or coarse (exact on a coarser lattice, "
    "interpolated). Default: exact.",
)
@click.option(
    "--approx-step",
    "approx_step_m",
    type=float,
    help="--approx lattice step in metres (default: the cell for raster, 4 cells for coarse).",
)
@click.option(
    "--map",
    "map_path",
    type=click.Path(path_type=Path),
    help="Also write an HTML map: the scored surface, the numbered picks with their "
    "breakdown, the excluded areas, and click-to-score (map options below).",
)
@map_options
@scoring_options
def candidates(
    study: Path | None,
    fmt: str | None,
    output: Path | None,
    *,
    with_sensitivity: bool,
    method: str | None,
    service_m: float | None,
    quiet: bool,
    engine: str,
    scheduler: str | None,
    workers: int | None,
    approx: str | None,
    approx_step_m: float | None,
    map_path: Path | None,
    force: bool,
    max_output_mb: float,
    **options: Any,
) -> None:
    """Score candidate locations for a new facility and rank the best.

    Candidates are square cells over the study boundary (or --parcels), each
    scored against every site with the study's decay and weights: the weighted
    mean of its per-site scores. Candidates on or inside a site footprint or
    outside the boundary are excluded, and so are those failing --within,
    --beyond, --setback, --exclusions or the study's [[constraints]]. The top
    picks are at least --min-separation apart. --map PATH also writes them on
    an interactive map.
    """
    # lazy: the candidate engine loads geopandas and scipy
    from siteplan.candidates.api import score_candidates
    from siteplan.candidates.engines import EngineOptions
    from siteplan.render.candidates import render_candidates, write_candidates

    fmt = output_format(fmt, output, CANDIDATE_FORMATS)
    _refuse_surface_to_stdout(fmt, output)
    if map_path is None:
        refuse_stray_options(MAP_KEYS, "map options need --map PATH.html")
    write_kwargs = map_kwargs(options)
    _refuse_map_over_output(map_path, output)
    score_kwargs = candidate_kwargs(options)
    early = input_paths([study, score_kwargs["parcels"]])
    _check_outputs(output, map_path, early, force=force)
    result = analyze_from_cli(study, options)
    _check_outputs(output, map_path, input_paths(result.inputs, early), force=force)
    check_candidates_size(result, fmt, score_kwargs, max_output_mb)
    engine_options = EngineOptions(
        engine=engine,
        scheduler=scheduler,
        workers=workers,
        approx=approx,
        approx_step_m=approx_step_m,
    )
    cres = score_candidates(result, progress=not quiet, engine=engine_options, **score_kwargs)
    if service_m is not None and method in (None, "greedy"):
        raise ParameterError("--service is the coverage radius of --method mclp|pmedian|pcenter")
    if method is not None:
        # lazy: only --method loads the location-allocation models
        from siteplan.candidates.plan import plan_facilities

        cres = plan_facilities(cres, method, service=service_m)
    echo_warnings(cres.warnings)
    sres = None
    if with_sensitivity:
        # lazy: only --sensitivity loads the sweep
        from siteplan.scenarios.sensitivity import analyze_sensitivity

        sres = analyze_sensitivity(result, candidates=cres)
    if map_path is not None:
        # lazy: only --map loads folium
        from siteplan.maps.make import write_map

        map_written = write_map(result, map_path, candidates=cres, force=force, **write_kwargs)
        if not quiet:
            click.echo(f"wrote {map_written}: map of {len(cres.pick_index)} picks", err=True)
    if output is None:
        click.echo(render_candidates(cres, fmt, sensitivity=sres), nl=False)
        return
    written = write_candidates(cres, output, fmt, sensitivity=sres, force=force)
    if not quiet:
        click.echo(
            f"wrote {written}: {len(cres):,} candidates, {int(cres.eligible.sum()):,} eligible, "
            f"{len(cres.pick_index)} picks",
            err=is_stdout(output),
        )


def _check_outputs(
    output: Path | None, map_path: Path | None, inputs: tuple[Path, ...], *, force: bool
) -> None:
    """Check ``-o`` and ``--map`` against every input before anything is computed."""
    for path in (output, map_path):
        if path is not None:
            check_output_path(path, inputs, force=force, stdout=True)
