"""Read a study file's TOML: a regular UTF-8 file of bounded size."""

from __future__ import annotations

import stat
import tomllib
from pathlib import Path
from typing import Any, Final

from siteplan.errors import StudyError

__all__ = ["MAX_STUDY_BYTES", "read_toml"]

#: The largest study file read, in bytes: a study file lists layers, it does not hold them.
MAX_STUDY_BYTES: Final = 1_000_000


def _read_study_bytes(path: Path) -> bytes:
    """Read a study file: a regular file of at most :data:`MAX_STUDY_BYTES`.

    A FIFO would block and a link to ``/dev/zero`` would never end, so the file
    is checked before it is opened, and read no further than the limit.
    """
    try:
        mode = path.stat().st_mode
        if not stat.S_ISREG(mode):
            raise StudyError(
                "the study file is not a regular file (a FIFO, a device or a socket); "
                "give a .toml file",
                path=path,
            )
        with path.open("rb") as handle:
            data = handle.read(MAX_STUDY_BYTES + 1)
    except OSError as exc:
        raise StudyError(
            f"cannot read the study file ({exc.strerror or exc}); check the path", path=path
        ) from None
    if len(data) > MAX_STUDY_BYTES:
        raise StudyError(
            f"the study file is larger than {MAX_STUDY_BYTES / 1e6:g} MB; a study file lists "
            "layer files and scoring settings, it does not hold the data: check the path",
            path=path,
        )
    return data


def read_toml(path: Path) -> dict[str, Any]:
    try:
        text = _read_study_bytes(path).decode("utf-8")
    except UnicodeDecodeError:
        raise StudyError("the study file is not UTF-8 text; save it as UTF-8", path=path) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise StudyError(f"not valid TOML ({exc}); fix the study file", path=path) from None
    except RecursionError:
        raise StudyError(
            "the TOML nests arrays or tables too deeply to be a study file; fix the study file",
            path=path,
        ) from None
