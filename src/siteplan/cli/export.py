"""``siteplan export``: sites, ring bands and pair lines for GIS software."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from siteplan.cli._common import analyze_from_cli, echo_warnings
from siteplan.cli.options import force_option, scoring_options, study_argument

__all__ = ["export"]


@click.command()
@study_argument
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    required=True,
    help="The file to write: PATH.gpkg (GeoPackage) or PATH.geojson (RFC 7946 GeoJSON); "
    "- writes GeoJSON to standard output.",
)
@force_option
@scoring_options
def export(study: Path | None, output: Path, *, force: bool, **options: Any) -> None:
    """Export sites with scores, ring bands and pair lines for GIS software.

    A .gpkg GeoPackage gets the layers sites, rings, pairs (plus boundary and
    context when the study has them) and a parameters table; a .geojson file
    gets one RFC 7946 FeatureCollection whose features say in feature_type
    whether they are a site, a ring band or a pair line.
    """
    # lazy: the writer loads pyogrio and GDAL
    from siteplan._io import check_output_path, is_stdout
    from siteplan.render.export import export_driver, export_result

    driver = export_driver(output)  # refuse an unknown format before measuring anything
    check_output_path(output, [study], force=force, stdout=driver == "GeoJSON")
    result = analyze_from_cli(study, options)
    echo_warnings(result.warnings)
    written = export_result(result, output, force=force)
    click.echo(
        f"wrote {written}: {len(result.sites)} sites, {len(result.rings)} ring bands, "
        f"{len(result.pairs)} pairs (measured in {result.crs_name})",
        err=is_stdout(output),
    )
