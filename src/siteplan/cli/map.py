"""``siteplan map``: an interactive HTML map of a study, optionally with candidates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from siteplan.cli._common import (
    analyze_from_cli,
    candidate_kwargs,
    echo_warnings,
    map_kwargs,
    refuse_stray_options,
)
from siteplan.cli.options import (
    CANDIDATE_KEYS,
    candidate_options,
    force_option,
    map_options,
    scoring_options,
    study_argument,
)

__all__ = ["map_command"]


@click.command("map")
@study_argument
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    required=True,
    help="The HTML file to write; - is standard output.",
)
@force_option
@map_options
@click.option(
    "--candidates",
    "with_candidates",
    is_flag=True,
    help="Also score candidate locations (the candidate options below, as in 'siteplan "
    "candidates'): draw the scored surface, the numbered picks and the excluded areas.",
)
@click.option(
    "--edit/--no-edit",
    default=True,
    show_default=True,
    help="Edit mode: drag, add and remove sites and change weights in the page, which "
    "recomputes every score (straight-line measures) and downloads the scenario for "
    "'siteplan compare'.",
)
@scoring_options
@candidate_options
def map_command(
    study: Path | None,
    output: Path,
    *,
    with_candidates: bool,
    edit: bool,
    force: bool,
    **options: Any,
) -> None:
    """Draw an interactive HTML map: sites by score, rings, pairs, context.

    Site footprints are coloured by score; each site's distance rings are a
    layer to switch on (the study's focus site's are on at first); pair lines
    are labelled with distance and score. Clicking anywhere scores that point.
    With --candidates the map also shows the candidate surface, the top picks
    and the excluded areas. With --offline the file carries Leaflet inside it
    and fetches nothing. Edit mode (on unless --no-edit) lets a planner move, add
    and remove sites in the page and download the scenario.
    """
    # lazy: the map modules load folium
    from siteplan._io import check_output_path, input_paths, is_stdout
    from siteplan.maps.make import write_map

    if not with_candidates:
        refuse_stray_options(
            CANDIDATE_KEYS, "candidate options need --candidates", "siteplan map --candidates"
        )
    write_kwargs = map_kwargs(options)
    score_kwargs = candidate_kwargs(options)
    parcels = [score_kwargs["parcels"]] if with_candidates else []
    check_output_path(output, [study, *parcels], force=force, stdout=True)
    result = analyze_from_cli(study, options)
    check_output_path(output, input_paths(result.inputs, parcels), force=force, stdout=True)
    cres = None
    if with_candidates:
        # lazy: only --candidates loads the candidate engine
        from siteplan.candidates.api import score_candidates

        cres = score_candidates(result, **score_kwargs)
    echo_warnings(result.warnings if cres is None else cres.warnings)
    written = write_map(result, output, candidates=cres, edit=edit, force=force, **write_kwargs)
    picks = f", {len(cres.pick_index)} candidate picks" if cres is not None else ""
    click.echo(
        f"wrote {written}: {len(result.sites)} sites, {len(result.pairs)} pairs{picks}",
        err=is_stdout(output),
    )
