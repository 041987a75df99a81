"""The ``siteplan`` command line (entry point :func:`main`)."""

from siteplan.cli.core import main

__all__ = ["main"]
