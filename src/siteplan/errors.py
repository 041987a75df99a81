"""Exceptions raised by siteplan.

Every error siteplan raises on purpose derives from :class:`SiteplanError`. Each
subclass also inherits the builtin exception it corresponds to, so callers can
catch ``ValueError`` or ``OSError`` as usual. The CLI turns a ``SiteplanError``
into one line on standard error: ``PATH: feature ID: what is wrong (what to do)``.
"""

from __future__ import annotations

from os import PathLike

__all__ = [
    "CRSError",
    "LayerError",
    "OutputError",
    "ParameterError",
    "SiteplanError",
    "StudyError",
]


class SiteplanError(Exception):
    """Base class of every error siteplan raises on purpose.

    Parameters
    ----------
    message
        What is wrong and what to do, in one sentence.
    path
        The file the error is about, if any.
    feature
        The id (or 1-based position) of the feature the error is about, if any.
    argument
        The name of the Python argument the error is about, if any (``cell_m``,
        ``tiles``). The message names it the same way; the command line shows
        its own flag instead (``--cell``, ``--tiles``).

    Examples
    --------
    >>> error = ParameterError("cell_m=0 must be positive", argument="cell_m")
    >>> error.argument, str(error)
    ('cell_m', 'cell_m=0 must be positive')
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | PathLike[str] | None = None,
        feature: str | None = None,
        argument: str | None = None,
    ) -> None:
        self.message = " ".join(message.split())
        self.path = None if path is None else str(path)
        self.feature = feature
        self.argument = argument
        super().__init__(self.format())

    def format(self, message: str | None = None) -> str:
        """Return the error as one line: ``PATH: feature ID: message``.

        Parameters
        ----------
        message
            Shown instead of the error's own message (the command line passes
            the message with its flag in place of the Python argument).
        """
        parts = []
        if self.path is not None:
            parts.append(self.path)
        if self.feature is not None:
            parts.append(f"feature {self.feature}")
        parts.append(self.message if message is None else message)
        return ": ".join(parts)


class LayerError(SiteplanError, ValueError):
    """A layer file cannot be read or holds data siteplan refuses to measure."""


class StudyError(SiteplanError, ValueError):
    """A study file or folder is malformed or inconsistent."""


class ParameterError(SiteplanError, ValueError):
    """A scoring, CLI or library parameter is out of range or of the wrong kind."""


class CRSError(SiteplanError, ValueError):
    """A coordinate reference system cannot be used for measuring."""


class OutputError(SiteplanError, OSError):
    """An output cannot be written where it was asked for."""
