"""``siteplan compare``: two scenarios of a study, B against A."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from siteplan.cli._common import analyze_from_cli, echo_warnings, output_format
from siteplan.cli.options import scoring_options, text_output_options

__all__ = ["compare"]

#: The formats ``-f`` offers.
COMPARE_FORMATS = ("markdown", "json", "csv")


@click.command()
@click.argument("study_a", type=click.Path(path_type=Path))
@click.argument("study_b", type=click.Path(path_type=Path))
@text_output_options
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
    force: bool,
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
    # lazy: the comparison loads geopandas and the candidate engine
    from siteplan._io import check_output_path, input_paths, write_text
    from siteplan.render.compare import render_comparison
    from siteplan.scenarios.compare import compare_studies

    fmt = output_format(fmt, output, COMPARE_FORMATS)
    if output is not None:
        check_output_path(output, [study_a, study_b], force=force, stdout=True)
    a = analyze_from_cli(study_a, dict(options))
    b = analyze_from_cli(study_b, dict(options))
    inputs = input_paths(a.inputs, b.inputs)
    if output is not None:
        check_output_path(output, inputs, force=force, stdout=True)
    echo_warnings(dict.fromkeys([*a.warnings, *b.warnings]))
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
        write_text(output, text, inputs, force=force)
