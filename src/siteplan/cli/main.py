"""The ``siteplan`` command group: one-line errors, exit statuses, and its commands.

Each command lives in its own module (``siteplan.cli.report``, ...), parses
its arguments, calls the library once and writes files. Library errors
(:class:`siteplan.errors.SiteplanError`) become one line on standard error and
exit status 1; ``--verbose`` shows the traceback instead.
"""

from __future__ import annotations

import atexit
import os
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

import click

from siteplan import __version__
from siteplan._io import SignalExit
from siteplan.cli._errors import cli_message
from siteplan.cli.access import access
from siteplan.cli.candidates import candidates
from siteplan.cli.compare import compare
from siteplan.cli.export import export
from siteplan.cli.map import map_command
from siteplan.cli.report import report
from siteplan.cli.sensitivity import sensitivity_command
from siteplan.cli.validate import validate
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
            click.echo(f"siteplan: {cli_message(exc)}", err=True)
            ctx.exit(1)
        except KeyboardInterrupt:
            click.echo("siteplan: interrupted; no output was written", err=True)
            ctx.exit(130)
        except SignalExit as exc:
            click.echo(f"siteplan: terminated ({exc.signal_name}); no output was written", err=True)
            ctx.exit(exc.code if isinstance(exc.code, int) else 1)

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
        sys.exit(_status(code))


def _usage_line(exc: click.ClickException) -> str:
    """Return a click error as one line, with where to find help."""
    message = " ".join(exc.format_message().split())
    ctx = getattr(exc, "ctx", None)
    if isinstance(exc, click.UsageError) and ctx is not None:
        message += f" (see '{ctx.command_path} --help')"
    return message


def _status(code: Any) -> int:
    """Return the exit status of a :class:`SystemExit` code (None is 0, a message 1).

    Examples
    --------
    >>> _status(None), _status(2), _status("no such file")
    (0, 2, 1)
    """
    return code if isinstance(code, int) else (0 if code is None else 1)


def _exit_now(code: Any) -> NoReturn:
    """Flush standard output and error, then end the process with ``code``."""
    atexit._run_exitfuncs()  # libraries' exit hooks (logging, tempfile, dask) still run
    status = _status(code)
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: as Python reports at its exit
            status = status or 120
    os._exit(status)


def version_text() -> str:
    """Return siteplan's version and the versions of the libraries that measure for it.

    GEOS (shapely) does the geometry, PROJ (pyproj) the projections and GDAL
    (pyogrio) the reading and writing; a bug report needs all three.
    """
    # lazy: only --version needs the geometry libraries
    import pyogrio
    import pyproj
    import shapely

    return (
        f"siteplan {__version__} (GEOS {shapely.geos_version_string}, "
        f"PROJ {pyproj.proj_version_str}, GDAL {pyogrio.__gdal_version_string__})"
    )


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(version_text())
        ctx.exit()


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show the version (and those of GEOS, PROJ and GDAL) and exit.",
)
@click.option("--verbose", is_flag=True, help="Show tracebacks for errors.")
@click.pass_context
def main(ctx: click.Context, verbose: bool) -> None:
    """Score how close sites are to each other and where new ones should go.

    STUDY arguments are a study TOML file or a folder of layer files; without
    one, commands use the bundled Shanghai International Medical Zone study,
    whose site positions are schematic.
    """
    ctx.meta["siteplan.verbose"] = verbose


for _command in (
    validate,
    report,
    export,
    map_command,
    candidates,
    sensitivity_command,
    compare,
    access,
):
    main.add_command(_command)
