"""``siteplan sensitivity``: how stable the ranking is under other rings and decays."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from siteplan.cli._common import analyze_from_cli, candidate_kwargs, output_format
from siteplan.cli.options import (
    candidate_options,
    scoring_options,
    study_argument,
    text_output_options,
)

if TYPE_CHECKING:
    from siteplan.analysis import Result

__all__ = ["sensitivity_command"]

#: The formats ``-f`` offers.
SENSITIVITY_FORMATS = ("markdown", "json", "csv")


def _tests_picks(result: Result, *, no_candidates: bool, parcels: Path | None) -> bool:
    """Return whether the sweep also tests the top picks.

    It does unless ``--no-candidates``, when there is somewhere to put
    candidates: the study's boundary or ``--parcels``.
    """
    return not no_candidates and (result.data.boundary is not None or parcels is not None)


@click.command("sensitivity")
@study_argument
@candidate_options
@click.option(
    "--no-candidates", is_flag=True, help="Test the site ranking only, not the top picks."
)
@text_output_options
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@scoring_options
def sensitivity_command(
    study: Path | None,
    *,
    no_candidates: bool,
    fmt: str | None,
    output: Path | None,
    force: bool,
    quiet: bool,
    **options: Any,
) -> None:
    """Sweep the rings (x0.5..x1.5) and the decay kinds; report how stable the ranking is.

    For each of the 25 scenarios: Kendall's tau of the site ranking against the
    study's own, the top site, and (when the study has a boundary or --parcels
    are given) the share of the base top picks that a scenario keeps within
    --min-separation; for each site its rank range.
    """
    # lazy: the sweep and the candidate engine load geopandas and scipy
    from siteplan._io import check_output_path, input_paths, write_text
    from siteplan.candidates.api import score_candidates
    from siteplan.render.sensitivity import render_sensitivity
    from siteplan.scenarios.sensitivity import analyze_sensitivity

    fmt = output_format(fmt, output, SENSITIVITY_FORMATS)
    kwargs = candidate_kwargs(options)
    inputs = input_paths([study, kwargs["parcels"]])
    if output is not None:
        check_output_path(output, inputs, force=force, stdout=True)
    result = analyze_from_cli(study, options)
    inputs = input_paths(result.inputs, inputs)
    if output is not None:
        check_output_path(output, inputs, force=force, stdout=True)
    cres = None
    if _tests_picks(result, no_candidates=no_candidates, parcels=kwargs["parcels"]):
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
        write_text(output, text, inputs, force=force)
