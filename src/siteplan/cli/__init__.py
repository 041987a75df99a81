"""The ``siteplan`` command line (entry point :func:`main`).

One module per command (``validate``, ``report``, ``export``, ``map``,
``candidates``, ``sensitivity``, ``compare``), the options they share in
``options``, and the group that runs them in ``main``. Importing this package
loads no library module: each command imports what it needs when it runs.
"""

from siteplan.cli.main import main

__all__ = ["main"]
