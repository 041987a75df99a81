"""Options that several ``siteplan`` commands share, each defined once.

Every option is a decorator, as in fiona's ``fio/options.py``; the groups
(:func:`scoring_options`, :func:`map_options`, :func:`candidate_options`,
:func:`text_output_options`) stack their options in the order ``--help``
lists them. The ``*_KEYS`` tuples name the parameters each group adds, so that
a command can hand them on to the library as keyword arguments.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

__all__ = [
    "CANDIDATE_KEYS",
    "MAP_KEYS",
    "SCORING_KEYS",
    "candidate_options",
    "force_option",
    "given_options",
    "map_options",
    "parse_rings",
    "scoring_options",
    "study_argument",
    "text_output_options",
]

F = TypeVar("F", bound=Callable[..., Any])


def _stack(*options: Callable[[F], F]) -> Callable[[F], F]:
    """Return one decorator that applies ``options`` as if written one above the other."""

    def decorate(func: F) -> F:
        for option in reversed(options):  # the bottom decorator is applied first
            func = option(func)
        return func

    return decorate


def parse_rings(value: str | None) -> tuple[float, ...] | None:
    """Parse ``--rings``: radii in metres, comma-separated.

    Examples
    --------
    >>> parse_rings("500, 1000,2000")
    (500.0, 1000.0, 2000.0)
    >>> parse_rings(None) is None
    True
    """
    if value is None:
        return None
    try:
        return tuple(float(part) for part in value.split(",") if part.strip())
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a list of numbers; give radii in metres such as 500,1000,2000",
            param_hint="--rings",
        ) from None


def given_options(names: tuple[str, ...]) -> list[str]:
    """Return the flags among the parameters ``names`` given on the command line.

    Options left at their defaults are not given.
    """
    ctx = click.get_current_context()
    given = []
    for param in ctx.command.params:
        if param.name in names:
            source = ctx.get_parameter_source(param.name)
            if source is not None and source != click.core.ParameterSource.DEFAULT:
                given.append(param.opts[-1] if param.opts else str(param.name))
    return given


study_argument = click.argument(
    "study", required=False, type=click.Path(path_type=Path, dir_okay=True)
)

# -- scoring: every command that scores sites ------------------------------------------

crs_option = click.option(
    "--crs", help='Metric CRS to measure in: "auto" (UTM) or e.g. EPSG:32651.'
)
measure_option = click.option(
    "--measure",
    type=click.Choice(["edge", "centroid", "network", "time"]),
    help="Distance scores follow: edge-to-edge (default), centroid-to-centroid, network "
    "(along the roads, metres) or time (along the roads, minutes: --rings and the decay "
    "parameters are then minutes, e.g. --rings 5,10,15,30 --half-min 10).",
)
mode_option = click.option(
    "--mode",
    type=click.Choice(["walk", "bike", "drive"]),
    help="--measure network|time: how the roads are travelled (default: the study's "
    "[network] mode, else walk).",
)
network_option = click.option(
    "--network",
    type=click.Path(path_type=Path),
    help="--measure network|time: a road layer (GeoJSON, GeoPackage or .osm.pbf) that "
    "replaces the study's network.",
)
rings_option = click.option(
    "--rings",
    "rings_m",
    callback=lambda _ctx, _param, value: parse_rings(value),
    help="Ring radii, increasing, comma-separated: metres (default 500,1000,2000,5000), "
    "or minutes with --measure time (default 5,10,15,30).",
)
decay_option = click.option(
    "--decay",
    type=click.Choice(["rings", "linear", "exponential", "gaussian", "logistic"]),
    help="Distance-decay function (default rings).",
)
max_m_option = click.option(
    "--max-m", type=float, help="linear decay: distance where the score reaches 0."
)
half_m_option = click.option("--half-m", type=float, help="exponential decay: half-score distance.")
sigma_m_option = click.option("--sigma-m", type=float, help="gaussian decay: sigma in metres.")
inflection_m_option = click.option(
    "--inflection-m", type=float, help="logistic decay: distance scoring 50."
)
steepness_m_option = click.option(
    "--steepness-m", type=float, help="logistic decay: steepness in metres."
)
max_min_option = click.option(
    "--max-min", type=float, help="linear decay, --measure time: minutes where the score is 0."
)
half_min_option = click.option(
    "--half-min", type=float, help="exponential decay, --measure time: half-score minutes."
)
sigma_min_option = click.option(
    "--sigma-min", type=float, help="gaussian decay, --measure time: sigma in minutes."
)
inflection_min_option = click.option(
    "--inflection-min", type=float, help="logistic decay, --measure time: minutes scoring 50."
)
steepness_min_option = click.option(
    "--steepness-min", type=float, help="logistic decay, --measure time: steepness in minutes."
)
strict_option = click.option(
    "--strict", is_flag=True, help="Refuse invalid polygons instead of repairing."
)

#: Add the scoring options every scoring command takes (see DESIGN.md).
scoring_options = _stack(
    crs_option,
    measure_option,
    mode_option,
    network_option,
    rings_option,
    decay_option,
    max_m_option,
    half_m_option,
    sigma_m_option,
    inflection_m_option,
    steepness_m_option,
    max_min_option,
    half_min_option,
    sigma_min_option,
    inflection_min_option,
    steepness_min_option,
    strict_option,
)
#: The parameters :data:`scoring_options` adds: keyword arguments of ``analyze``.
SCORING_KEYS = (
    "crs",
    "measure",
    "mode",
    "network",
    "rings_m",
    "decay",
    "max_m",
    "half_m",
    "sigma_m",
    "inflection_m",
    "steepness_m",
    "max_min",
    "half_min",
    "sigma_min",
    "inflection_min",
    "steepness_min",
    "strict",
)

# -- maps: how a map is drawn -----------------------------------------------------------

offline_option = click.option(
    "--offline",
    is_flag=True,
    help="Embed Leaflet so the file opens with no network (no tiles unless --tiles URL; "
    "measure, fullscreen and minimap left out).",
)
tiles_option = click.option(
    "--tiles",
    metavar="NAME|URL|none",
    help="Base map: a provider name (OpenStreetMap, OpenTopoMap, Esri.WorldImagery, amap, "
    "...), a URL template https://.../{z}/{x}/{y}.png, or none. Default: OpenStreetMap "
    "online, none offline. amap (GCJ-02) shifts the overlays to match; Baidu is refused.",
)
attribution_option = click.option(
    "--attribution", help="Credit for a --tiles URL template (default: its host)."
)
tiles_datum_option = click.option(
    "--tiles-datum",
    type=click.Choice(["wgs84", "gcj02"]),
    help="Datum of the tiles when the URL does not tell (e.g. an intranet Amap mirror).",
)
click_score_option = click.option(
    "--click-score/--no-click-score",
    default=True,
    show_default=True,
    help="Clicking the map scores that point in the page (its score and its distance "
    "to each site, with the study's decay, weights and measure).",
)

#: Add the options that choose how a map is drawn (tiles, offline, click to score).
map_options = _stack(
    offline_option, tiles_option, attribution_option, tiles_datum_option, click_score_option
)
#: The parameters :data:`map_options` adds: keyword arguments of ``write_map``.
MAP_KEYS = ("offline", "tiles", "attribution", "tiles_datum", "click_score")

# -- candidates: which locations are candidates, and how many picks ---------------------

cell_option = click.option(
    "--cell",
    "cell_m",
    type=float,
    help="Grid cell size in metres (default 50); cells are aligned to the boundary's "
    "south-west corner and measured from their centres.",
)
parcels_option = click.option(
    "--parcels",
    type=click.Path(path_type=Path),
    help="A polygon or point layer of candidate parcels instead of the grid "
    "(polygons are measured from their centroids).",
)
top_option = click.option(
    "--top", type=click.IntRange(min=1), default=10, show_default=True, help="Picks to make."
)
min_separation_option = click.option(
    "--min-separation",
    "min_separation_m",
    type=float,
    default=200.0,
    show_default=True,
    help="Smallest distance in metres between two picks (centre to centre).",
)
within_option = click.option(
    "--within",
    multiple=True,
    metavar="SITE:METRES",
    help="Keep only candidates within METRES of SITE's footprint (repeatable).",
)
beyond_option = click.option(
    "--beyond",
    multiple=True,
    metavar="SITE:METRES",
    help="Keep only candidates at least METRES from SITE's footprint (repeatable).",
)
setback_option = click.option(
    "--setback",
    multiple=True,
    metavar="[SITE:]METRES",
    help="Exclude candidates closer than METRES to any site (or to SITE) (repeatable).",
)
exclusions_option = click.option(
    "--exclusions", is_flag=True, help="Exclude candidates inside the study's exclusion layers."
)

#: Add the options that choose and constrain candidate locations.
candidate_options = _stack(
    cell_option,
    parcels_option,
    top_option,
    min_separation_option,
    within_option,
    beyond_option,
    setback_option,
    exclusions_option,
)
#: The parameters :data:`candidate_options` adds.
CANDIDATE_KEYS = (
    "cell_m",
    "parcels",
    "top",
    "min_separation_m",
    "within",
    "beyond",
    "setback",
    "exclusions",
)

# -- outputs ----------------------------------------------------------------------------

#: ``--force``: replace a read-only output (one with no write bit in its mode).
force_option = click.option(
    "--force",
    is_flag=True,
    help="Replace an existing read-only output (an input is never replaced).",
)

# -- text outputs -----------------------------------------------------------------------

#: Add ``-f markdown|json|csv``, ``-o PATH`` (standard output without it, or with ``-``)
#: and ``--force``.
text_output_options = _stack(
    click.option(
        "-f",
        "--format",
        "fmt",
        type=click.Choice(["markdown", "json", "csv"]),
        help="Default: from the -o suffix, else markdown.",
    ),
    click.option(
        "-o",
        "--output",
        type=click.Path(path_type=Path),
        help="Write here (atomically) instead of to standard output; - is standard output.",
    ),
    force_option,
)
