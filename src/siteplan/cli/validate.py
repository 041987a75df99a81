"""``siteplan validate``: check layers, folders or study files."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import click

from siteplan.cli._common import echo_warnings
from siteplan.cli.options import force_option

__all__ = ["validate"]


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--role",
    type=click.Choice(["site", "boundary", "context", "exclusion", "network", "entrance"]),
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
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Also write the summary here (- is standard output, where it goes anyway).",
)
@force_option
def validate(
    paths: tuple[Path, ...],
    role: str,
    datum: str,
    strict: bool,
    output: Path | None,
    *,
    force: bool,
) -> None:
    """Check layers, folders or study files; exit 0 when every layer is usable.

    Without PATH, validate the bundled SIMZ study. A bare layer file is a site
    layer in WGS84 unless --role / --datum say otherwise.
    """
    # lazy: reading layers loads geopandas and pyogrio
    from siteplan._io import check_output_path, is_stdout, write_text
    from siteplan.load.validate import validate_paths
    from siteplan.measure.network.summary import network_report

    result = validate_paths(list(paths), role=role, datum=datum, strict=strict)
    roads = [line for data in result.studies for line in network_report(data)]
    if roads:
        result = dataclasses.replace(result, text=result.text + "\n".join(roads) + "\n")
    if output is not None:
        check_output_path(output, result.inputs, force=force, stdout=True)
    echo_warnings(result.warnings)
    if output is None or is_stdout(output):
        click.echo(result.text, nl=False)
    else:
        write_text(output, result.text, inputs=result.inputs, force=force)
        click.echo(result.text, nl=False)
