"""Safe output writing: atomic, never over an input, parents created.

Every file siteplan writes goes to a temporary file in the destination folder
and is renamed into place, so a failed or interrupted run leaves either the old
file or nothing, never a half-written one. The rules:

- an output that is one of the inputs (by any spelling: ``..``, a symbolic or a
  hard link) is refused;
- an existing output that is not a regular file (a folder, a FIFO, a device, a
  socket) is refused, except standard output: ``-`` or a path that leads to
  ``/dev/stdout`` (``/proc/self/fd/1``, ``/dev/fd/1``) writes text formats to
  standard output and is refused for binary ones (GeoPackage);
- a replaced output keeps its permission bits; a read-only one (no write bit in
  its mode, whoever runs siteplan) is refused unless ``force=True``;
- SIGINT, SIGTERM and SIGHUP during a write remove the temporary file and the
  side files GDAL makes beside it (``-journal``, ``-wal``, ``.tmp_rtree_*.db``);
  SIGTERM and SIGHUP then raise :class:`SignalExit` (a :class:`SystemExit` with
  status 128 + the signal number: 143, 129).
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import signal
import stat
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from types import FrameType
from typing import BinaryIO, Final

from siteplan.errors import OutputError, SiteplanError

__all__ = [
    "STDOUT",
    "SignalExit",
    "atomic_path",
    "check_output_path",
    "input_paths",
    "is_stdout",
    "write_bytes",
    "write_pieces",
    "write_text",
]

#: The output path that means standard output.
STDOUT: Final = "-"
#: Paths that are standard output whatever fd 1 is (a terminal, a pipe, a file).
_STDOUT_NAMES: Final = frozenset({"/dev/stdout", "/proc/self/fd/1", "/dev/fd/1"})
#: Signals that end a write cleanly (SIGINT already raises KeyboardInterrupt).
_EXIT_SIGNALS: Final = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)
)
_KINDS: Final = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class SignalExit(SystemExit):
    """SIGTERM or SIGHUP arrived while an output was written; the write was undone.

    A :class:`SystemExit` whose ``code`` is the shell's status for the signal
    (128 + its number: 143 for SIGTERM, 129 for SIGHUP), so a program that does
    not catch it ends as if killed by the signal, after cleaning up.
    """

    def __init__(self, signum: int) -> None:
        self.signum = signum
        self.signal_name = signal.Signals(signum).name
        super().__init__(128 + signum)


def is_stdout(path: str | os.PathLike[str]) -> bool:
    """Return whether an output path means standard output.

    ``-`` does, and so does any path that is, or leads through symbolic links
    to, ``/dev/stdout``, ``/proc/self/fd/1`` or ``/dev/fd/1``.

    Examples
    --------
    >>> is_stdout("-"), is_stdout("/dev/stdout"), is_stdout("report.md")
    (True, True, False)
    """
    text = os.fspath(path)
    if text == STDOUT:
        return True
    current = Path(os.path.normpath(Path(text).expanduser().absolute()))
    for _ in range(40):  # the kernel's own limit on symbolic links
        if str(current) in _STDOUT_NAMES:
            return True
        try:
            target = current.readlink()
        except OSError:  # not a link, missing, or a name too long
            return False
        current = Path(os.path.normpath(current.parent / target))
    return False


def input_paths(*groups: Iterable[str | os.PathLike[str] | None] | None) -> tuple[Path, ...]:
    """Return every input file of a command, once, in order (None entries skipped).

    Give each group of inputs: a result's ``inputs``, a parcels layer, a second
    study's inputs. Outputs are checked against all of them.

    Examples
    --------
    >>> input_paths(["a.toml", "b.geojson"], [None], ["a.toml", "parcels.gpkg"])
    (PosixPath('a.toml'), PosixPath('b.geojson'), PosixPath('parcels.gpkg'))
    """
    out: dict[Path, None] = {}
    for group in groups:
        for item in group or ():
            if item is not None:
                out[Path(item)] = None
    return tuple(out)


def _stat(path: Path) -> os.stat_result | None:
    """Return ``os.stat(path)`` (following links), or None when there is nothing there."""
    try:
        return path.stat()
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:
            raise OutputError(
                "the file name is too long for the file system (at most 255 bytes per name); "
                "choose a shorter name",
                path=path,
            ) from None
        if exc.errno in (errno.ENOTDIR, errno.ELOOP):
            return None
        raise OutputError(
            f"cannot check the output ({exc.strerror or exc}); choose another output path",
            path=path,
        ) from None


def _same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file: same resolved path, or same device and inode."""
    try:
        if a.resolve() == b.resolve():
            return True
        sa, sb = a.stat(), b.stat()
    except (OSError, RuntimeError):  # missing, a name too long, a symlink loop
        return False
    return (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino)


def _check_name_length(path: Path) -> None:
    limit = 255
    with contextlib.suppress(OSError, ValueError):
        limit = os.pathconf(path.parent if path.parent.exists() else "/", "PC_NAME_MAX")
    # the temporary file adds a dot, 8 random characters and ".tmp" plus the suffix
    longest = max(len(os.fsencode(part)) for part in path.parts) if path.parts else 0
    if len(os.fsencode(path.name)) + 14 + len(path.suffix) > limit or longest > limit:
        raise OutputError(
            f"the file name is too long for the file system (at most {limit} bytes with the "
            "temporary file's prefix and suffix); choose a shorter name",
            path=path,
        )


def check_output_path(
    path: str | os.PathLike[str],
    inputs: Sequence[str | os.PathLike[str] | None] = (),
    *,
    force: bool = False,
    stdout: bool = False,
) -> Path:
    """Check that ``path`` can be written and is none of ``inputs``.

    Parameters
    ----------
    path
        The output file; ``-`` (or a link to ``/dev/stdout``) is standard output.
    inputs
        Every file the command read; the output may be none of them.
    force
        Replace an existing read-only output (no write bit in its mode).
    stdout
        Whether standard output is acceptable (text formats); when False a
        standard-output path is refused.

    Returns
    -------
    pathlib.Path
        The path, with ``~`` expanded.

    Raises
    ------
    OutputError
        When the path is an input, is not a regular file (a folder, FIFO, device
        or socket), is read-only without ``force``, lies under a regular file,
        has a name too long, or is standard output for a binary format.
    """
    if is_stdout(path):
        if not stdout:
            raise OutputError(
                "this format is binary and cannot go to standard output; give a file path",
                path=os.fspath(path),
            )
        return Path(path)
    path = Path(path).expanduser()
    for source in inputs:
        if source is not None and _same_file(path, Path(source)):
            raise OutputError(
                "the output is one of the inputs; choose another output path", path=path
            )
    _check_name_length(path)
    st = _stat(path)
    if st is not None:
        _check_existing(path, st, force=force)
    for parent in path.parents:
        pst = _stat(parent)
        if pst is not None:
            if not stat.S_ISDIR(pst.st_mode):
                raise OutputError(
                    f"{parent} is a file, not a folder; choose another output path", path=path
                )
            break
    return path


def _check_existing(path: Path, st: os.stat_result, *, force: bool) -> None:
    """Refuse an existing output that is not a regular file, or is read-only."""
    if stat.S_ISDIR(st.st_mode):
        raise OutputError("the output is a folder; give a file name", path=path)
    for test, kind in _KINDS:
        if test(st.st_mode):
            raise OutputError(
                f"the output is {kind}, not a regular file, and would be replaced by one; "
                "give a file path (or - for standard output)",
                path=path,
            )
    mode = stat.S_IMODE(st.st_mode)
    if not force and not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        raise OutputError(
            f"the output is read-only (mode {mode:04o}); make it writable (chmod u+w), "
            "choose another path, or replace it anyway with --force (force=True)",
            path=path,
        )


@contextlib.contextmanager
def atomic_path(
    path: str | os.PathLike[str],
    inputs: Sequence[str | os.PathLike[str] | None] = (),
    *,
    force: bool = False,
    stdout: bool = False,
) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it into place on success.

    The temporary file (and GDAL's side files beside it) is removed when the
    body raises or is interrupted by SIGINT, SIGTERM or SIGHUP. A replaced
    output keeps its permission bits. With ``stdout=True`` and a standard-output
    ``path``, the file written is copied to standard output instead.

    Raises
    ------
    OutputError
        As :func:`check_output_path`, or when the file cannot be written.
    SignalExit
        When SIGTERM or SIGHUP arrives during the write (after cleaning up).
    """
    path = check_output_path(path, inputs, force=force, stdout=stdout)
    if is_stdout(path):
        with _stdout_path(path) as tmp:
            yield tmp
        return
    tmp = _make_temporary(path)
    try:
        with _exit_signals_raise():
            yield tmp
            _keep_mode(tmp, path)
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
        _remove_temporary(tmp)


def _make_temporary(path: Path) -> Path:
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
    return tmp


def _keep_mode(tmp: Path, path: Path) -> None:
    """Give the new file the permission bits of the output it replaces."""
    st = _stat(path)
    if st is not None and stat.S_ISREG(st.st_mode):
        tmp.chmod(stat.S_IMODE(st.st_mode))


def _side_files(tmp: Path) -> list[Path]:
    """Return the temporary file and the side files GDAL and SQLite make beside it."""
    folder = tmp.parent
    names = [tmp, *(folder / f"{tmp.name}{tail}" for tail in ("-journal", "-wal", "-shm"))]
    with contextlib.suppress(OSError):
        names += sorted(folder.glob(f".tmp_rtree_{tmp.stem}*"))
    return names


def _remove_temporary(tmp: Path) -> None:
    for name in _side_files(tmp):
        with contextlib.suppress(FileNotFoundError, IsADirectoryError):
            name.unlink()


@contextlib.contextmanager
def _exit_signals_raise() -> Iterator[None]:
    """Turn SIGTERM and SIGHUP into :class:`SignalExit` while the body runs.

    Handlers can only be set in the main thread; elsewhere the body runs with
    the signals as they are.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def _raise(signum: int, _frame: FrameType | None) -> None:
        raise SignalExit(signum)

    previous: dict[int, Callable[[int, FrameType | None], object] | int | None] = {}
    try:
        for signum in _EXIT_SIGNALS:
            handler = signal.getsignal(signum)
            if handler is signal.SIG_IGN:  # nohup: the user asked for the signal to be ignored
                continue
            previous[signum] = handler
            signal.signal(signum, _raise)
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)


@contextlib.contextmanager
def _stdout_path(path: Path) -> Iterator[Path]:
    """Yield a private temporary file; copy it to standard output on success."""
    folder = Path(tempfile.mkdtemp(prefix="siteplan-stdout-"))
    tmp = folder / f"output{Path(os.fspath(path)).suffix}"
    try:
        with _exit_signals_raise():
            yield tmp
        _copy_to_stdout(tmp.read_bytes())
    except SiteplanError:
        raise
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        raise OutputError(f"cannot write to standard output ({reason})", path=STDOUT) from None
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _copy_to_stdout(data: bytes) -> None:
    stream = sys.stdout
    buffer = getattr(stream, "buffer", None)
    stream.flush()
    if buffer is not None:
        buffer.write(data)
        buffer.flush()
    else:  # a text-only stream (e.g. io.StringIO in a test)
        stream.write(data.decode("utf-8"))
        stream.flush()


def write_bytes(
    path: str | os.PathLike[str],
    data: bytes,
    inputs: Sequence[str | os.PathLike[str] | None] = (),
    *,
    force: bool = False,
) -> Path:
    """Write ``data`` to ``path`` atomically (``-``: to standard output); return the path."""
    if is_stdout(path):
        check_output_path(path, inputs, stdout=True)
        try:
            _copy_to_stdout(data)
        except OSError as exc:
            reason = exc.strerror or str(exc) or type(exc).__name__
            raise OutputError(f"cannot write to standard output ({reason})", path=STDOUT) from None
        return Path(path)
    return _write(path, lambda tmp: tmp.write_bytes(data), inputs, force=force)


def write_pieces(
    path: str | os.PathLike[str],
    pieces: Iterable[str],
    inputs: Sequence[str | os.PathLike[str] | None] = (),
    *,
    force: bool = False,
) -> Path:
    """Write UTF-8 text given in pieces (a stream) atomically (``-``: to standard output).

    The text is never held whole: each piece is written as it comes, so a
    report of every pair of 1,200 sites needs no memory for its 300 MB.
    """
    with atomic_path(path, inputs, force=force, stdout=True) as tmp, tmp.open("wb") as handle:
        for piece in pieces:
            _write_chunk(handle, piece.encode("utf-8"))
    return Path(path)


def _write_chunk(handle: BinaryIO, data: bytes) -> None:
    """Write one piece of a streamed output (one place, so tests can fail it)."""
    handle.write(data)


def write_text(
    path: str | os.PathLike[str],
    text: str,
    inputs: Sequence[str | os.PathLike[str] | None] = (),
    *,
    force: bool = False,
) -> Path:
    """Write UTF-8 ``text`` to ``path`` atomically (``-``: to standard output)."""
    return write_bytes(path, text.encode("utf-8"), inputs, force=force)


def _write(
    path: str | os.PathLike[str],
    writer: Callable[[Path], object],
    inputs: Sequence[str | os.PathLike[str] | None],
    *,
    force: bool = False,
) -> Path:
    with atomic_path(path, inputs, force=force) as tmp:
        writer(tmp)
    return Path(path)
