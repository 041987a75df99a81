"""``siteplan report``: how close every pair of sites is, and how each site scores."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from siteplan.cli._common import analyze_from_cli, echo_warnings, report_format
from siteplan.cli._size import check_report_size, max_output_option
from siteplan.cli.options import force_option, scoring_options, study_argument

__all__ = ["report"]

#: The report's formats, as ``-f`` lists them.
REPORT_FORMATS = ("markdown", "csv", "json", "html")


@click.command()
@study_argument
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(REPORT_FORMATS),
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
    "--pairs",
    type=click.Choice(["all", "within"]),
    default="all",
    show_default=True,
    help="json and csv: every pair, or only the pairs within reach (max_m for the linear "
    "decay, else the last ring). Scores always use every pair.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Write the report here (atomically) instead of to standard output; - is standard output.",
)
@force_option
@max_output_option
@scoring_options
def report(
    study: Path | None,
    fmt: str | None,
    table: str,
    pairs: str,
    output: Path | None,
    *,
    force: bool,
    max_output_mb: float,
    **options: Any,
) -> None:
    """Report how close every pair of sites is, and how each site scores.

    json and csv carry full precision; markdown and html round for people. The
    html page is self-contained (tables, a map and a distance-matrix picture,
    no network needed) and can be emailed.
    """
    # lazy: the renderers load pandas (and matplotlib for html) only when a report is made
    from siteplan.render.report import render_report, write_report

    fmt = report_format(fmt, output, REPORT_FORMATS)
    result = analyze_from_cli(study, options)
    check_report_size(result, fmt, pairs, max_output_mb)
    echo_warnings(result.warnings)
    if output is None:
        click.echo(render_report(result, fmt, table, pairs), nl=False)
    else:
        write_report(result, output, fmt, table, pairs, force=force)
