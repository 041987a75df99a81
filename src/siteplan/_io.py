"""Safe output writing: atomic, never over an input, parents created.

Every file siteplan writes goes to a temporary file in the destination folder
and is renamed into place, so a failed or interrupted run leaves either the old
file or nothing, never a half-written one.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from siteplan.errors import OutputError, SiteplanError

__all__ = ["atomic_path", "check_output_path", "write_bytes", "write_text"]


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and a.samefile(b))
    except OSError:
        return False


def check_output_path(path: Path, inputs: Sequence[Path] = ()) -> Path:
    """Check that ``path`` can be written and is none of ``inputs``.

    Raises
    ------
    OutputError
        When the path is a folder, lies under a regular file, or is an input.
    """
    path = Path(path).expanduser()
    for source in inputs:
        if source is not None and _same_file(path, Path(source)):
            raise OutputError(
                "the output is one of the inputs; choose another output path", path=path
            )
    if path.is_dir():
        raise OutputError("the output is a folder; give a file name", path=path)
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise OutputError(
                    f"{parent} is a file, not a folder; choose another output path", path=path
                )
            break
    return path


@contextlib.contextmanager
def atomic_path(path: Path, inputs: Sequence[Path] = ()) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it into place on success.

    The temporary file is removed when the body raises (or is interrupted).
    """
    path = check_output_path(path, inputs)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(
            prefix=f".{path.name}.", suffix=".tmp" + path.suffix, dir=path.parent
        )
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        raise OutputError(
            f"cannot write here ({reason}); choose a writable folder", path=path
        ) from None
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()  # writers that refuse to overwrite (GDAL) create it themselves
    try:
        yield tmp
        tmp.replace(path)
    except SiteplanError:
        raise
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        raise OutputError(
            f"cannot write the output ({reason}); check the folder and free space",
            path=path,
        ) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def write_bytes(path: Path, data: bytes, inputs: Sequence[Path] = ()) -> Path:
    """Write ``data`` to ``path`` atomically and return the path."""
    return _write(path, lambda tmp: tmp.write_bytes(data), inputs)


def write_text(path: Path, text: str, inputs: Sequence[Path] = ()) -> Path:
    """Write UTF-8 ``text`` to ``path`` atomically and return the path."""
    return write_bytes(path, text.encode("utf-8"), inputs)


def _write(path: Path, writer: Callable[[Path], object], inputs: Sequence[Path]) -> Path:
    with atomic_path(path, inputs) as tmp:
        writer(tmp)
    return Path(path)
