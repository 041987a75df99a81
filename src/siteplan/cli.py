"""The ``siteplan`` command line: a thin layer over the library.

Each command parses its arguments, calls the library once and writes files.
Library errors (:class:`siteplan.errors.SiteplanError`) become one line on
standard error and exit status 1; ``--verbose`` shows the traceback instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from siteplan import __version__
from siteplan.errors import SiteplanError

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
    from siteplan.validate import validate_paths

    result = validate_paths(list(paths), role=role, datum=datum, strict=strict)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(result.text, nl=False)
    if output is not None:
        from siteplan._io import write_text

        write_text(output, result.text, inputs=result.inputs)
