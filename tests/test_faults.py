"""Faults while writing: every output either appears whole or not at all.

For each writer (``siteplan._io``, ``siteplan validate -o``, and the report and
export writers) and each fault (a missing, read-only
or full folder, an output that is one of the inputs, an interrupt in the middle
of the write), the tests check that

- the user gets one clear line (the CLI exits 1, or 130 when interrupted);
- no half-written or temporary file is left in the output folder;
- a file that was already at the output path is left as it was;
- the inputs are untouched (sha256 before and after).

Tests run as root in CI, where ``chmod`` does not stop writes, so a read-only or
full folder is simulated by making the file system calls raise the errors the
kernel gives (``EACCES``, ``EROFS``, ``ENOSPC``); a real read-only folder is
also tried when the tests do not run as root.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from geometries import SQUARE, box, feature, feature_collection, point, polygon

import siteplan._io as io
from siteplan.errors import OutputError
from siteplan.render import export

RunCLI = Callable[..., tuple[int, str, str]]
OLD = b"an earlier output that must survive\n"


# --------------------------------------------------------------------------- fixtures


@dataclass
class Study:
    """A small study in its own folder and an empty output folder beside it."""

    toml: Path
    layers: tuple[Path, ...]
    out: Path

    @property
    def inputs(self) -> tuple[Path, ...]:
        return (self.toml, *self.layers)


@pytest.fixture
def study(tmp_path: Path) -> Study:
    folder = tmp_path / "study"
    folder.mkdir()
    sites = folder / "sites.geojson"
    sites.write_text(
        json.dumps(
            feature_collection(
                feature(SQUARE, id="gene", name="Gene Island"),
                feature(point(121.616, 31.097), id="proton", name="Proton"),
                feature(polygon(box(121.622, 31.094, 121.624, 31.096)), id="kids", name="Kids"),
            )
        ),
        encoding="utf-8",
    )
    toml = folder / "study.toml"
    toml.write_text('name = "faults"\n\n[[layers]]\npath = "sites.geojson"\n', encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    return Study(toml=toml, layers=(sites,), out=out)


def digest(paths: tuple[Path, ...]) -> dict[Path, str]:
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


def listing(folder: Path) -> list[str]:
    """Every file and folder under ``folder`` (hidden ones too), relative, sorted."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def one_line(err: str) -> str:
    lines = err.splitlines()
    lines = [line for line in lines if not line.startswith("warning: ")]
    assert len(lines) == 1, err
    assert err.endswith("\n")
    return lines[0]


# --------------------------------------------------------------------------- writers
#
# A writer writes one output of a given file name in ``out`` from ``study``, either
# through the library or through the CLI, and returns (exit code, stderr).


@dataclass(frozen=True)
class Writer:
    name: str
    suffix: str
    command: tuple[str, ...]  # CLI arguments before "-o PATH"; STUDY is replaced

    def run(self, cli: RunCLI, study: Study, output: Path) -> tuple[int, str]:
        args = [str(study.toml) if a == "STUDY" else a for a in self.command]
        code, _out, err = cli(*args, "-o", output)
        return code, err


WRITERS = [
    Writer("validate", ".txt", ("validate", "STUDY")),
    Writer("report-json", ".json", ("report", "STUDY")),
    Writer("report-markdown", ".md", ("report", "STUDY")),
    Writer("report-csv", ".csv", ("report", "STUDY")),
    Writer("report-html", ".html", ("report", "STUDY")),
    Writer("export-gpkg", ".gpkg", ("export", "STUDY")),
    Writer("export-geojson", ".geojson", ("export", "STUDY")),
]
WRITER_IDS = [w.name for w in WRITERS]


# --------------------------------------------------------------------------- fault injection


def _half_then(exc: BaseException) -> Callable[..., Any]:
    """Return a ``Path.write_bytes`` that writes half the data, then raises ``exc``."""
    real = Path.write_bytes

    def write_bytes(self: Path, data: bytes) -> int:
        real(self, bytes(data[: len(data) // 2]))
        raise exc

    return write_bytes


def _gdal_half_then(exc: BaseException) -> Callable[..., Any]:
    """Return a ``pyogrio.write_dataframe`` that writes its layer, then raises ``exc``."""
    import pyogrio

    real = pyogrio.write_dataframe

    def write_dataframe(*args: Any, **kwargs: Any) -> None:
        real(*args, **kwargs)
        raise exc

    return write_dataframe


def _chunk_half_then(exc: BaseException) -> Callable[..., Any]:
    """Return a streamed-output writer that writes half of a piece, then raises ``exc``."""

    def write_chunk(handle: Any, data: bytes) -> None:
        handle.write(data[: len(data) // 2])
        raise exc

    return write_chunk


def fail_writes(monkeypatch: pytest.MonkeyPatch, exc: BaseException) -> None:
    """Make every output write stop half-way with ``exc`` (text, streamed and GDAL writers)."""
    monkeypatch.setattr(Path, "write_bytes", _half_then(exc))
    monkeypatch.setattr(io, "_write_chunk", _chunk_half_then(exc))
    monkeypatch.setattr(export.pyogrio, "write_dataframe", _gdal_half_then(exc))


def disk_full() -> OSError:
    return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def read_only(kind: int = errno.EACCES) -> PermissionError | OSError:
    if kind == errno.EACCES:
        return PermissionError(errno.EACCES, os.strerror(errno.EACCES))
    return OSError(kind, os.strerror(kind))


def deny_creating(monkeypatch: pytest.MonkeyPatch, exc: OSError) -> None:
    """Make creating files and folders fail, as in a read-only folder."""

    def mkstemp(*args: Any, **kwargs: Any) -> Any:
        raise exc

    real_mkdir = Path.mkdir

    def mkdir(self: Path, *args: Any, **kwargs: Any) -> None:
        if self.exists():
            return real_mkdir(self, *args, **kwargs)
        raise exc

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    monkeypatch.setattr(Path, "mkdir", mkdir)


def deny_rename(monkeypatch: pytest.MonkeyPatch, exc: OSError) -> None:
    """Make the final rename fail (e.g. the old output cannot be replaced)."""

    def replace(self: Path, target: Any) -> Path:
        raise exc

    monkeypatch.setattr(Path, "replace", replace)


# --------------------------------------------------------------------------- checks


@pytest.fixture
def guard(study: Study) -> Iterator[Callable[[], None]]:
    """Hash the inputs first; afterwards assert they did not change."""
    before = digest(study.inputs)
    folder = listing(study.toml.parent)

    def check() -> None:
        assert digest(study.inputs) == before
        assert listing(study.toml.parent) == folder

    yield check
    check()


def assert_clean(out: Path, expected: list[str]) -> None:
    """Assert that ``out`` holds exactly ``expected`` (no temporary or partial file)."""
    assert listing(out) == sorted(expected)


# --------------------------------------------------------------------------- missing folder


@pytest.mark.parametrize("writer", WRITERS, ids=WRITER_IDS)
def test_missing_folders_are_created(
    run_cli: RunCLI, study: Study, guard: Callable[[], None], writer: Writer
) -> None:
    output = study.out / "new" / "deeper" / f"result{writer.suffix}"
    code, err = writer.run(run_cli, study, output)
    assert code == 0, err
    assert output.stat().st_size > 0
    assert_clean(study.out, ["new", "new/deeper", f"new/deeper/result{writer.suffix}"])


# --------------------------------------------------------------------------- read-only folder


@pytest.mark.parametrize("kind", [errno.EACCES, errno.EROFS], ids=["EACCES", "EROFS"])
@pytest.mark.parametrize("writer", WRITERS, ids=WRITER_IDS)
def test_read_only_folder(
    run_cli: RunCLI,
    study: Study,
    guard: Callable[[], None],
    monkeypatch: pytest.MonkeyPatch,
    writer: Writer,
    kind: int,
) -> None:
    output = study.out / f"result{writer.suffix}"
    output.write_bytes(OLD)
    deny_creating(monkeypatch, read_only(kind))
    code, err = writer.run(run_cli, study, output)
    assert code == 1
    line = one_line(err)
    assert line == (
        f"siteplan: {output}: cannot write here ({os.strerror(kind)}); choose a writable folder"
    )
    assert output.read_bytes() == OLD
    assert_clean(study.out, [output.name])


@pytest.mark.parametrize("writer", WRITERS, ids=WRITER_IDS)
def test_read_only_missing_folder(
    run_cli: RunCLI,
    study: Study,
    guard: Callable[[], None],
    monkeypatch: pytest.MonkeyPatch,
    writer: Writer,
) -> None:
    output = study.out / "sub" / f"result{writer.suffix}"
    deny_creating(monkeypatch, read_only())
    code, err = writer.run(run_cli, study, output)
    assert code == 1
    assert "cannot write here (Permission denied)" in one_line(err)
    assert_clean(study.out, [])


@pytest.mark.parametrize("writer", WRITERS, ids=WRITER_IDS)
def test_old_output_that_cannot_be_replaced(
    run_cli: RunCLI,
    study: Study,
    guard: Callable[[], None],
    monkeypatch: pytest.MonkeyPatch,
    writer: Writer,
) -> None:
    output = study.out / f"result{writer.suffix}"
    output.write_bytes(OLD)
    deny_rename(monkeypatch, read_only())
    code, err = writer.run(run_cli, study, output)
    assert code == 1
    assert one_line(err) == (
        f"siteplan: {output}: cannot write the output (Permission denied); "
        "check the folder and free space"
    )
    assert output.read_bytes() == OLD
    assert_clean(study.out, [output.name])


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root writes to read-only folders"
)
def test_real_read_only_folder(run_cli: RunCLI, study: Study, guard: Callable[[], None]) -> None:
    output = study.out / "summary.txt"
    output.write_bytes(OLD)
    study.out.chmod(0o555)
    try:
        code, _out, err = run_cli("validate", study.toml, "-o", output)
    finally:
        study.out.chmod(0o755)
    assert code == 1
    assert "cannot write here (Permission denied)" in one_line(err)
    assert output.read_bytes() == OLD
    assert_clean(study.out, [output.name])


# --------------------------------------------------------------------------- full disk


@pytest.mark.parametrize("old", [False, True], ids=["new", "over-old"])
@pytest.mark.parametrize("writer", WRITERS, ids=WRITER_IDS)
def test_disk_full(
    run_cli: RunCLI,
    study: Study,
    guard: Callable[[], None],
    monkeypatch: pytest.MonkeyPatch,
    writer: Writer,
    old: bool,
) -> None:
    output = study.out / f"result{writer.suffix}"
    if old:
        output.write_bytes(OLD)
    fail_writes(monkeypatch, disk_full())
    code, err = writer.run(run_cli, study, output)
    assert code == 1
    line = one_line(err)
    assert line.startswith(f"siteplan: {output}: ")
    assert "No space left on device" in line
    assert "free space" in line
    if old:
        assert output.read_bytes() == OLD
    assert_clean(study.out, [output.name] if old else [])


# --------------------------------------------------------------------------- interrupted


@pytest.mark.parametrize("old", [False, True], ids=["new", "over-old"])
@pytest.mark.parametrize("writer", WRITERS, ids=WRITER_IDS)
def test_interrupted_mid_write(
    run_cli: RunCLI,
    study: Study,
    guard: Callable[[], None],
    monkeypatch: pytest.MonkeyPatch,
    writer: Writer,
    old: bool,
) -> None:
    output = study.out / f"result{writer.suffix}"
    if old:
        output.write_bytes(OLD)
    fail_writes(monkeypatch, KeyboardInterrupt())
    code, err = writer.run(run_cli, study, output)
    assert code == 130
    assert one_line(err) == "siteplan: interrupted; no output was written"
    if old:
        assert output.read_bytes() == OLD
    assert_clean(study.out, [output.name] if old else [])


# --------------------------------------------------------------------------- output is an input


def _input_spellings(study: Study, which: Path) -> dict[str, Path]:
    """Ways of naming the input ``which`` (the same file) as an output path."""
    folder = which.parent
    link = study.out / f"link{which.suffix}"
    link.symlink_to(which)
    hard = study.out / f"hard{which.suffix}"
    os.link(which, hard)
    return {
        "same": which,
        "dotted": folder / ".." / folder.name / "." / which.name,
        "symlink": link,
        "hardlink": hard,
    }


@pytest.mark.parametrize("spelling", ["same", "dotted", "symlink", "hardlink"])
@pytest.mark.parametrize("which", ["layer", "study"])
@pytest.mark.parametrize("writer", WRITERS, ids=WRITER_IDS)
def test_output_that_is_an_input_is_refused(
    run_cli: RunCLI,
    study: Study,
    writer: Writer,
    which: str,
    spelling: str,
) -> None:
    target = study.layers[0] if which == "layer" else study.toml
    output = _input_spellings(study, target)[spelling]
    before = digest((*study.inputs, output))
    out_listing = listing(study.out)
    code, err = writer.run(run_cli, study, output)
    assert code == 1
    if writer.name.startswith("export") and which == "study":
        # export refuses a .toml output on its suffix before anything else
        reason = "cannot export to '.toml'; name the output .gpkg (GPKG) or .geojson (GeoJSON)"
    else:
        reason = "the output is one of the inputs; choose another output path"
    assert one_line(err) == f"siteplan: {output}: {reason}"
    assert digest((*study.inputs, output)) == before
    assert listing(study.out) == out_listing
    assert listing(study.toml.parent) == ["sites.geojson", "study.toml"]


def test_output_under_a_regular_file_is_refused(
    run_cli: RunCLI, study: Study, guard: Callable[[], None]
) -> None:
    code, _out, err = run_cli("validate", study.toml, "-o", study.layers[0] / "summary.txt")
    assert code == 1
    assert "is a file, not a folder; choose another output path" in one_line(err)


def test_output_that_is_a_folder_is_refused(
    run_cli: RunCLI, study: Study, guard: Callable[[], None]
) -> None:
    code, _out, err = run_cli("validate", study.toml, "-o", study.out)
    assert code == 1
    assert one_line(err) == f"siteplan: {study.out}: the output is a folder; give a file name"


# --------------------------------------------------------------------------- the library


def test_library_write_text_faults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``siteplan._io.write_text`` under each fault, without the CLI."""
    source = tmp_path / "input.txt"
    source.write_bytes(b"input")
    output = tmp_path / "out.txt"
    output.write_bytes(OLD)
    with monkeypatch.context() as m:
        fail_writes(m, disk_full())
        with pytest.raises(OutputError, match="No space left on device"):
            io.write_text(output, "new text", inputs=[source])
    with monkeypatch.context() as m:
        fail_writes(m, KeyboardInterrupt())
        with pytest.raises(KeyboardInterrupt):
            io.write_text(output, "new text", inputs=[source])
    with monkeypatch.context() as m:
        deny_creating(m, read_only())
        with pytest.raises(OutputError, match="cannot write here"):
            io.write_text(output, "new text", inputs=[source])
    with pytest.raises(OutputError, match="one of the inputs"):
        io.write_text(source, "new text", inputs=[source])
    assert output.read_bytes() == OLD
    assert source.read_bytes() == b"input"
    assert listing(tmp_path) == ["input.txt", "out.txt"]
    io.write_text(output, "new text", inputs=[source])
    assert output.read_text(encoding="utf-8") == "new text"
    assert listing(tmp_path) == ["input.txt", "out.txt"]


def test_a_writer_that_raises_an_output_error_is_not_reworded(tmp_path: Path) -> None:
    output = tmp_path / "out.txt"

    def nested(tmp: Path) -> None:
        io.write_text(tmp_path / "input.txt", "x", inputs=[tmp_path / "input.txt"])

    (tmp_path / "input.txt").write_bytes(b"input")
    with pytest.raises(OutputError, match="the output is one of the inputs"):
        io._write(output, nested, [])
    assert listing(tmp_path) == ["input.txt"]


def test_interrupt_inside_gdal_leaves_no_sidecar(tmp_path: Path, study: Study) -> None:
    """A GeoPackage write stopped half-way leaves no -journal / -wal file either."""
    from siteplan.analysis import analyze

    result = analyze(study.toml)
    output = study.out / "result.gpkg"
    real = export.pyogrio.write_dataframe
    calls = []

    def second_layer_interrupted(*args: Any, **kwargs: Any) -> None:
        calls.append(kwargs.get("layer"))
        if len(calls) == 2:
            raise KeyboardInterrupt
        real(*args, **kwargs)

    with pytest.MonkeyPatch.context() as m:
        m.setattr(export.pyogrio, "write_dataframe", second_layer_interrupted)
        with pytest.raises(KeyboardInterrupt):
            export.export_result(result, output)
    assert len(calls) == 2
    assert_clean(study.out, [])
    shutil.rmtree(study.out)
