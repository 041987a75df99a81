"""The ``siteplan`` command line: a thin layer over the library.

Each command parses its arguments, calls the library once and writes files.
Library errors (:class:`siteplan.errors.SiteplanError`) become one line on
standard error and exit status 1; ``--verbose`` shows the traceback instead.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from siteplan import __version__
from siteplan.errors import SiteplanError

if TYPE_CHECKING:
    from siteplan.analysis import Result

__all__ = ["main"]


class _Group(click.Group):
    """A click group that turns library errors into one-line messages."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SiteplanError as exc:
            if ctx.meta.get("siteplan.verbose"):
                raise
            click.echo(f"siteplan: {exc.format()}", err=True)
            ctx.exit(1)
        except KeyboardInterrupt:
            click.echo("siteplan: interrupted; no output was written", err=True)
            ctx.exit(130)

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """Run the command; every error ends as one line on standard error.

        Usage errors (a bad option value, a missing argument) become
        ``siteplan: what is wrong (see 'siteplan CMD --help')`` with exit
        status 2, like library errors, instead of click's three-line usage
        block. As a program (arguments from ``sys.argv``), siteplan then
        flushes its standard streams, runs the exit hooks and leaves with
        :func:`os._exit`, skipping about 0.1 s of Python's teardown of pandas,
        pyarrow and GDAL; calls with explicit ``args`` (tests, other programs)
        end with :class:`SystemExit` as usual.
        """
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        code: Any = 0
        try:
            code = super().main(args, prog_name, complete_var, False, **extra)
        except click.ClickException as exc:
            click.echo(f"siteplan: {_usage_line(exc)}", err=True)
            code = exc.exit_code
        except click.exceptions.Abort:
            click.echo("siteplan: interrupted; no output was written", err=True)
            code = 130
        except SystemExit as exc:
            code = exc.code
        if args is None:
            _exit_now(code)
        sys.exit(code if isinstance(code, int) else (0 if code is None else 1))


def _usage_line(exc: click.ClickException) -> str:
    """Return a click error as one line, with where to find help."""
    message = " ".join(exc.format_message().split())
    ctx = getattr(exc, "ctx", None)
    if isinstance(exc, click.UsageError) and ctx is not None:
        message += f" (see '{ctx.command_path} --help')"
    return message


def _exit_now(code: Any) -> NoReturn:
    """Flush standard output and error, then end the process with ``code``."""
    import atexit
    import os

    atexit._run_exitfuncs()  # libraries' exit hooks (logging, tempfile, dask) still run
    status = code if isinstance(code, int) else (0 if code is None else 1)
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: as Python reports at its exit
            status = status or 120
    os._exit(status)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="siteplan")
@click.option("--verbose", is_flag=True, help="Show tracebacks for errors.")
@click.pass_context
def main(ctx: click.Context, verbose: bool) -> None:
    """Score how close sites are to each other and where new ones should go.

    STUDY arguments are a study TOML file or a folder of layer files; without
    one, commands use the bundled Shanghai International Medical Zone study,
    whose site positions are schematic.
    """
    ctx.meta["siteplan.verbose"] = verbose


study_argument = click.argument(
    "study", required=False, type=click.Path(path_type=Path, dir_okay=True)
)

F = TypeVar("F", bound=Callable[..., Any])

_SCORING_OPTIONS: tuple[Callable[[F], F], ...] = (
    click.option("--crs", help='Metric CRS to measure in: "auto" (UTM) or e.g. EPSG:32651.'),
    click.option(
        "--measure",
        type=click.Choice(["edge", "centroid"]),
        help="Distance scores follow: edge-to-edge (default) or centroid-to-centroid.",
    ),
    click.option(
        "--rings",
        "rings_m",
        callback=lambda _ctx, _param, value: _parse_rings(value),
        help="Ring radii in metres, increasing, comma-separated (default 500,1000,2000,5000).",
    ),
    click.option(
        "--decay",
        type=click.Choice(["rings", "linear", "exponential", "gaussian", "logistic"]),
        help="Distance-decay function (default rings).",
    ),
    click.option("--max-m", type=float, help="linear decay: distance where the score reaches 0."),
    click.option("--half-m", type=float, help="exponential decay: half-score distance."),
    click.option("--sigma-m", type=float, help="gaussian decay: sigma in metres."),
    click.option("--inflection-m", type=float, help="logistic decay: distance scoring 50."),
    click.option("--steepness-m", type=float, help="logistic decay: steepness in metres."),
    click.option("--strict", is_flag=True, help="Refuse invalid polygons instead of repairing."),
)


def scoring_options(func: F) -> F:
    """Add the scoring options every scoring command takes (see DESIGN.md)."""
    for option in reversed(_SCORING_OPTIONS):
        func = option(func)
    return func


def _parse_rings(value: str | None) -> tuple[float, ...] | None:
    if value is None:
        return None
    try:
        return tuple(float(part) for part in value.split(",") if part.strip())
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a list of numbers; give radii in metres such as 500,1000,2000",
            param_hint="--rings",
        ) from None


SCORING_KEYS = (
    "crs",
    "measure",
    "rings_m",
    "decay",
    "max_m",
    "half_m",
    "sigma_m",
    "inflection_m",
    "steepness_m",
    "strict",
)


def analyze_from_cli(study: Path | None, options: dict[str, Any]) -> Result:
    """Run :func:`siteplan.analyze` with the scoring options a command received."""
    from siteplan.analysis import analyze

    kwargs = {k: options.pop(k) for k in SCORING_KEYS if k in options}
    return analyze(study, **kwargs)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--role",
    type=click.Choice(["site", "boundary", "context", "exclusion"]),
    default="site",
    show_default=True,
    help="Role of bare layer files.",
)
@click.option(
    "--datum",
    type=click.Choice(["wgs84", "gcj02", "bd09"]),
    default="wgs84",
    show_default=True,
    help="Datum of bare layer files (gcj02: Amap/Tencent, bd09: Baidu).",
)
@click.option("--strict", is_flag=True, help="Refuse invalid polygons instead of repairing them.")
@click.option(
    "-o", "--output", type=click.Path(path_type=Path), help="Also write the summary here."
)
def validate(
    paths: tuple[Path, ...], role: str, datum: str, strict: bool, output: Path | None
) -> None:
    """Check layers, folders or study files; exit 0 when every layer is usable.

    Without PATH, validate the bundled SIMZ study. A bare layer file is a site
    layer in WGS84 unless --role / --datum say otherwise.
    """
    from siteplan.load.validate import validate_paths

    result = validate_paths(list(paths), role=role, datum=datum, strict=strict)
    if output is not None:
        from siteplan._io import check_output_path

        check_output_path(output, result.inputs)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(result.text, nl=False)
    if output is not None:
        from siteplan._io import write_text

        write_text(output, result.text, inputs=result.inputs)


@main.command()
@study_argument
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["markdown", "csv", "json", "html"]),
    help="Report format (default: from the -o suffix .md/.csv/.json/.html, else markdown).",
)
@click.option(
    "--table",
    type=click.Choice(["pairs", "sites"]),
    default="pairs",
    show_default=True,
    help="csv only: one row per pair, or one row per site.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Write the report here (atomically) instead of to standard output.",
)
@scoring_options
def report(
    study: Path | None, fmt: str | None, table: str, output: Path | None, **options: Any
) -> None:
    """Report how close every pair of sites is, and how each site scores.

    json and csv carry full precision; markdown and html round for people. The
    html page is self-contained (tables, a map and a distance-matrix picture,
    no network needed) and can be emailed.
    """
    from siteplan.render.report import format_for_path, render_report, write_report

    fmt = fmt or (format_for_path(output) if output is not None else "markdown")
    result = analyze_from_cli(study, options)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    if output is None:
        click.echo(render_report(result, fmt, table), nl=False)
    else:
        write_report(result, output, fmt, table)


@main.command()
@study_argument
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    required=True,
    help="The file to write: PATH.gpkg (GeoPackage) or PATH.geojson (RFC 7946 GeoJSON).",
)
@scoring_options
def export(study: Path | None, output: Path, **options: Any) -> None:
    """Export sites with scores, ring bands and pair lines for GIS software.

    A .gpkg GeoPackage gets the layers sites, rings, pairs (plus boundary and
    context when the study has them) and a parameters table; a .geojson file
    gets one RFC 7946 FeatureCollection whose features say in feature_type
    whether they are a site, a ring band or a pair line.
    """
    from siteplan.render.export import export_driver, export_result

    export_driver(output)  # refuse an unknown format before measuring anything
    result = analyze_from_cli(study, options)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    written = export_result(result, output)
    click.echo(
        f"wrote {written}: {len(result.sites)} sites, {len(result.rings)} ring bands, "
        f"{len(result.pairs)} pairs (measured in {result.crs_name})"
    )


_MAP_OPTIONS: tuple[Callable[[F], F], ...] = (
    click.option(
        "--offline",
        is_flag=True,
        help="Embed Leaflet so the file opens with no network (no tiles unless --tiles URL; "
        "measure, fullscreen and minimap left out).",
    ),
    click.option(
        "--tiles",
        metavar="NAME|URL|none",
        help="Base map: a provider name (OpenStreetMap, OpenTopoMap, Esri.WorldImagery, amap, "
        "...), a URL template https://.../{z}/{x}/{y}.png, or none. Default: OpenStreetMap "
        "online, none offline. amap (GCJ-02) shifts the overlays to match; Baidu is refused.",
    ),
    click.option("--attribution", help="Credit for a --tiles URL template (default: its host)."),
    click.option(
        "--tiles-datum",
        type=click.Choice(["wgs84", "gcj02"]),
        help="Datum of the tiles when the URL does not tell (e.g. an intranet Amap mirror).",
    ),
    click.option(
        "--click-score/--no-click-score",
        default=True,
        show_default=True,
        help="Clicking the map scores that point in the page (its score and its distance "
        "to each site, with the study's decay, weights and measure).",
    ),
)
MAP_KEYS = ("offline", "tiles", "attribution", "tiles_datum", "click_score")


def map_options(func: F) -> F:
    """Add the options that choose how a map is drawn (tiles, offline, click to score)."""
    for option in reversed(_MAP_OPTIONS):
        func = option(func)
    return func


def _map_kwargs(options: dict[str, Any]) -> dict[str, Any]:
    """Pop the map options into keyword arguments of ``write_map``, checking the tiles."""
    from siteplan.maps.tiles import DEFAULT_TILES, resolve_tiles

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


def _given(names: tuple[str, ...]) -> list[str]:
    """Return the options among ``names`` given on the command line (not defaults)."""
    ctx = click.get_current_context()
    given = []
    for param in ctx.command.params:
        if param.name in names:
            source = ctx.get_parameter_source(param.name)
            if source is not None and source != click.core.ParameterSource.DEFAULT:
                given.append(param.opts[-1] if param.opts else str(param.name))
    return given


@main.command("map")
@study_argument
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    required=True,
    help="The HTML file to write.",
)
@map_options
@click.option(
    "--candidates",
    "with_candidates",
    is_flag=True,
    help="Also score candidate locations (the candidate options below, as in 'siteplan "
    "candidates'): draw the scored surface, the numbered picks and the excluded areas.",
)
@scoring_options
def map_command(study: Path | None, output: Path, *, with_candidates: bool, **options: Any) -> None:
    """Draw an interactive HTML map: sites by score, rings, pairs, context.

    Site footprints are coloured by score; each site's distance rings are a
    layer to switch on (the study's focus site's are on at first); pair lines
    are labelled with distance and score. Clicking anywhere scores that point.
    With --candidates the map also shows the candidate surface, the top picks
    and the excluded areas. With --offline the file carries Leaflet inside it
    and fetches nothing.
    """
    from siteplan.errors import ParameterError
    from siteplan.maps.make import write_map

    candidate_keys = (
        "cell_m", "parcels", "top", "min_separation_m", "within", "beyond", "setback", "exclusions"
    )  # fmt: skip
    stray = _given(candidate_keys)
    if stray and not with_candidates:
        raise ParameterError(
            f"{', '.join(stray)}: candidate options need --candidates (siteplan map --candidates "
            f"{' '.join(stray)} ...)"
        )
    map_kwargs = _map_kwargs(options)
    candidate_kwargs = _candidate_kwargs(options)
    result = analyze_from_cli(study, options)
    cres = None
    if with_candidates:
        from siteplan._io import check_output_path
        from siteplan.candidates.api import score_candidates

        check_output_path(output, result.inputs)
        cres = score_candidates(result, **candidate_kwargs)
        warnings = cres.warnings
    else:
        warnings = result.warnings
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)
    written = write_map(result, output, candidates=cres, **map_kwargs)
    picks = f", {len(cres.pick_index)} candidate picks" if cres is not None else ""
    click.echo(f"wrote {written}: {len(result.sites)} sites, {len(result.pairs)} pairs{picks}")


# -- candidates, sensitivity, compare ------------------------------------------------

_CANDIDATE_FORMATS = ("json", "csv", "markdown", "geojson", "gpkg")
_SUFFIX_FORMATS = {
    ".json": "json",
    ".csv": "csv",
    ".md": "markdown",
    ".markdown": "markdown",
    ".geojson": "geojson",
    ".gpkg": "gpkg",
}

_CANDIDATE_OPTIONS: tuple[Callable[[F], F], ...] = (
    click.option(
        "--cell",
        "cell_m",
        type=float,
        help="Grid cell size in metres (default 50); cells are aligned to the boundary's "
        "south-west corner and measured from their centres.",
    ),
    click.option(
        "--parcels",
        type=click.Path(path_type=Path),
        help="A polygon or point layer of candidate parcels instead of the grid "
        "(polygons are measured from their centroids).",
    ),
    click.option(
        "--top", type=click.IntRange(min=1), default=10, show_default=True, help="Picks to make."
    ),
    click.option(
        "--min-separation",
        "min_separation_m",
        type=float,
        default=200.0,
        show_default=True,
        help="Smallest distance in metres between two picks (centre to centre).",
    ),
    click.option(
        "--within",
        multiple=True,
        metavar="SITE:METRES",
        help="Keep only candidates within METRES of SITE's footprint (repeatable).",
    ),
    click.option(
        "--beyond",
        multiple=True,
        metavar="SITE:METRES",
        help="Keep only candidates at least METRES from SITE's footprint (repeatable).",
    ),
    click.option(
        "--setback",
        multiple=True,
        metavar="[SITE:]METRES",
        help="Exclude candidates closer than METRES to any site (or to SITE) (repeatable).",
    ),
    click.option(
        "--exclusions", is_flag=True, help="Exclude candidates inside the study's exclusion layers."
    ),
)


def candidate_options(func: F) -> F:
    """Add the options that choose and constrain candidate locations."""
    for option in reversed(_CANDIDATE_OPTIONS):
        func = option(func)
    return func


# 'siteplan map --candidates' takes the same candidate options (defined above this line,
# after the map command): applied to a command, each click option appends itself to its
# parameters, so they are applied in order.
for _option in _CANDIDATE_OPTIONS:
    _option(map_command)


def _candidate_kwargs(options: dict[str, Any]) -> dict[str, Any]:
    """Pop the candidate options into keyword arguments of ``score_candidates``."""
    from siteplan.errors import ParameterError
    from siteplan.score.constraints import make_constraint, parse_cli_constraint

    cell_m = options.pop("cell_m")
    parcels = options.pop("parcels")
    if cell_m is not None and parcels is not None:
        raise ParameterError("--cell and --parcels exclude each other: give one of them")
    extra = [parse_cli_constraint("within", t) for t in options.pop("within")]
    extra += [parse_cli_constraint("beyond", t) for t in options.pop("beyond")]
    extra += [parse_cli_constraint("setback", t) for t in options.pop("setback")]
    if options.pop("exclusions"):
        extra.append(make_constraint("exclusion", origin="cli", where="--exclusions"))
    return {
        "cell_m": 50.0 if cell_m is None else cell_m,
        "parcels": parcels,
        "top": options.pop("top"),
        "min_separation_m": options.pop("min_separation_m"),
        "constraints": extra,
    }


def _output_format(fmt: str | None, output: Path | None, allowed: tuple[str, ...]) -> str:
    """Return the format asked for, else the one -o's suffix names, else markdown."""
    from siteplan.errors import ParameterError

    if fmt is not None:
        return fmt
    if output is None:
        return "markdown"
    guess = _SUFFIX_FORMATS.get(output.suffix.lower())
    if guess not in allowed:
        raise ParameterError(
            f"cannot tell the format from {output.name!r}; give -f {'|'.join(allowed)}"
        )
    return str(guess)


@main.command()
@study_argument
@candidate_options
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(_CANDIDATE_FORMATS),
    help="json/csv/markdown: the ranked picks; geojson/gpkg: the scored surface (needs -o). "
    "Default: from the -o suffix, else markdown.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Write here (atomically) instead of to standard output.",
)
@click.option(
    "--sensitivity",
    "with_sensitivity",
    is_flag=True,
    help="Also sweep rings (x0.5..x1.5) and decay kinds; report each pick's stability.",
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
    quiet: bool,
    engine: str,
    scheduler: str | None,
    workers: int | None,
    approx: str | None,
    approx_step_m: float | None,
    map_path: Path | None,
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
    from siteplan._io import check_output_path
    from siteplan.candidates.api import score_candidates
    from siteplan.candidates.engines import EngineOptions
    from siteplan.errors import ParameterError
    from siteplan.render.candidates import render_candidates, write_candidates

    fmt = _output_format(fmt, output, _CANDIDATE_FORMATS)
    if fmt in ("geojson", "gpkg") and output is None:
        raise ParameterError(f"-f {fmt} writes the scored surface to a file: give -o PATH.{fmt}")
    stray = _given(MAP_KEYS)
    if stray and map_path is None:
        raise ParameterError(f"{', '.join(stray)}: map options need --map PATH.html")
    map_kwargs = _map_kwargs(options)
    if map_path is not None and output is not None and map_path.resolve() == output.resolve():
        raise ParameterError(f"--map {map_path} is also the -o output; give two different files")
    kwargs = _candidate_kwargs(options)
    result = analyze_from_cli(study, options)
    if output is not None:
        check_output_path(output, result.inputs)
    if map_path is not None:
        check_output_path(map_path, result.inputs)
    engine_options = EngineOptions(
        engine=engine,
        scheduler=scheduler,
        workers=workers,
        approx=approx,
        approx_step_m=approx_step_m,
    )
    cres = score_candidates(result, progress=not quiet, engine=engine_options, **kwargs)
    for warning in cres.warnings:
        click.echo(f"warning: {warning}", err=True)
    sres = None
    if with_sensitivity:
        from siteplan.scenarios.sensitivity import analyze_sensitivity

        sres = analyze_sensitivity(result, candidates=cres)
    if map_path is not None:
        from siteplan.maps.make import write_map

        map_written = write_map(result, map_path, candidates=cres, **map_kwargs)
        if not quiet:
            click.echo(f"wrote {map_written}: map of {len(cres.pick_index)} picks", err=True)
    if output is None:
        click.echo(render_candidates(cres, fmt, sensitivity=sres), nl=False)
        return
    written = write_candidates(cres, output, fmt, sensitivity=sres)
    if not quiet:
        click.echo(
            f"wrote {written}: {len(cres):,} candidates, {int(cres.eligible.sum()):,} eligible, "
            f"{len(cres.pick_index)} picks"
        )


def _text_output_options(func: F) -> F:
    """Add ``-f markdown|json|csv`` and ``-o PATH`` (stdout without it) to a command."""
    func = click.option(
        "-o",
        "--output",
        type=click.Path(path_type=Path),
        help="Write here (atomically) instead of to standard output.",
    )(func)
    return click.option(
        "-f",
        "--format",
        "fmt",
        type=click.Choice(["markdown", "json", "csv"]),
        help="Default: from the -o suffix, else markdown.",
    )(func)


@main.command("sensitivity")
@study_argument
@candidate_options
@click.option(
    "--no-candidates", is_flag=True, help="Test the site ranking only, not the top picks."
)
@_text_output_options
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@scoring_options
def sensitivity_command(
    study: Path | None,
    *,
    no_candidates: bool,
    fmt: str | None,
    output: Path | None,
    quiet: bool,
    **options: Any,
) -> None:
    """Sweep the rings (x0.5..x1.5) and the decay kinds; report how stable the ranking is.

    For each of the 25 scenarios: Kendall's tau of the site ranking against the
    study's own, the top site, and (when the study has a boundary or --parcels
    are given) the share of the base top picks that a scenario keeps within
    --min-separation; for each site its rank range.
    """
    from siteplan._io import check_output_path, write_text
    from siteplan.candidates.api import score_candidates
    from siteplan.render.sensitivity import render_sensitivity
    from siteplan.scenarios.sensitivity import analyze_sensitivity

    fmt = _output_format(fmt, output, ("markdown", "json", "csv"))
    kwargs = _candidate_kwargs(options)
    result = analyze_from_cli(study, options)
    if output is not None:
        check_output_path(output, result.inputs)
    cres = None
    if not no_candidates and (result.data.boundary is not None or kwargs["parcels"] is not None):
        cres = score_candidates(result, progress=not quiet, **kwargs)
    sres = analyze_sensitivity(result, candidates=cres if cres is not None else False)
    if cres is None and not no_candidates:
        click.echo(
            "warning: the study has no boundary layer and no --parcels: top picks are not tested",
            err=True,
        )
    text = render_sensitivity(sres, fmt)
    if output is None:
        click.echo(text, nl=False)
    else:
        write_text(output, text, result.inputs)


@main.command()
@click.argument("study_a", type=click.Path(path_type=Path))
@click.argument("study_b", type=click.Path(path_type=Path))
@_text_output_options
@click.option(
    "--cell",
    "cell_m",
    type=float,
    default=50.0,
    show_default=True,
    help="Grid cell size in metres for the candidate picks.",
)
@click.option(
    "--top",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    help="Picks to compare.",
)
@click.option(
    "--min-separation",
    "min_separation_m",
    type=float,
    default=200.0,
    show_default=True,
    help="Smallest distance between picks; picks that move less are the same pick.",
)
@click.option("--no-candidates", is_flag=True, help="Compare sites and pairs only.")
@scoring_options
def compare(
    study_a: Path,
    study_b: Path,
    *,
    fmt: str | None,
    output: Path | None,
    cell_m: float,
    top: int,
    min_separation_m: float,
    no_candidates: bool,
    **options: Any,
) -> None:
    """Compare two scenarios of a study (B against A): score deltas and pick changes.

    Reports per-site score, rank and centroid moves, per-pair distance and score
    deltas, the cluster score delta, and (when both studies have a boundary)
    which top candidate picks stay, move, appear or disappear. The scoring
    options apply to both studies.
    """
    from siteplan.render.compare import render_comparison
    from siteplan.scenarios.compare import compare_studies

    fmt = _output_format(fmt, output, ("markdown", "json", "csv"))
    a = analyze_from_cli(study_a, dict(options))
    b = analyze_from_cli(study_b, dict(options))
    if output is not None:
        from siteplan._io import check_output_path

        check_output_path(output, (*a.inputs, *b.inputs))
    for warning in dict.fromkeys([*a.warnings, *b.warnings]):
        click.echo(f"warning: {warning}", err=True)
    cmp = compare_studies(
        a,
        b,
        candidates=not no_candidates,
        cell_m=cell_m,
        top=top,
        min_separation_m=min_separation_m,
    )
    text = render_comparison(cmp, fmt)
    if output is None:
        click.echo(text, nl=False)
    else:
        from siteplan._io import write_text

        write_text(output, text, (*a.inputs, *b.inputs))
