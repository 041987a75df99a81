"""Regression tests for issue 15 (reliability), through the library.

Outputs that never destroy (items 1-4), inputs that never hang (5, 6), bounds on
distances (7), one-line errors instead of tracebacks (8) and the smaller findings.
CLI-level tests that need CLI wiring live in ``test_reliability_cli.py``.
"""

from __future__ import annotations

import os
import signal
import socket
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

import siteplan._io as io
from siteplan.errors import OutputError

# --------------------------------------------------------------------------- item 1: inputs


def _spellings(tmp_path: Path, source: Path) -> dict[str, Path]:
    link = tmp_path / "link.geojson"
    link.symlink_to(source)
    hard = tmp_path / "hard.geojson"
    os.link(source, hard)
    chain = tmp_path / "chain.geojson"
    chain.symlink_to(link)
    folder_link = tmp_path / "folder_link"
    folder_link.symlink_to(source.parent, target_is_directory=True)
    return {
        "same": source,
        "dotted": source.parent / ".." / source.parent.name / "." / source.name,
        "symlink": link,
        "symlink-chain": chain,
        "hardlink": hard,
        "folder-symlink": folder_link / source.name,
        "relative": Path(os.path.relpath(source)),
    }


@pytest.mark.parametrize(
    "spelling",
    ["same", "dotted", "symlink", "symlink-chain", "hardlink", "folder-symlink", "relative"],
)
def test_every_spelling_of_an_input_is_refused(tmp_path: Path, spelling: str) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    source = folder / "parcels.geojson"
    source.write_bytes(b"parcels")
    output = _spellings(tmp_path, source)[spelling]
    inputs = io.input_paths([tmp_path / "study.toml"], [None, source])
    with pytest.raises(OutputError, match="the output is one of the inputs"):
        io.write_text(output, "new", inputs)
    assert source.read_bytes() == b"parcels"


def test_input_paths_flattens_and_deduplicates() -> None:
    got = io.input_paths(("a.toml", "b.geojson"), None, [None], [Path("a.toml"), "c.gpkg"])
    assert got == (Path("a.toml"), Path("b.geojson"), Path("c.gpkg"))


# --------------------------------------------------------------------------- item 2: targets


def test_a_fifo_output_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(OutputError, match=r"FIFO \(named pipe\), not a regular file"):
        io.write_text(fifo, "text")
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]


@pytest.mark.parametrize("device", ["/dev/null", "/dev/full", "/dev/zero"])
def test_a_device_output_is_refused(device: str) -> None:
    if not Path(device).exists():
        pytest.skip(f"{device} is missing")
    before = Path(device).stat()
    with pytest.raises(OutputError, match="character device, not a regular file"):
        io.check_output_path(device)
    with pytest.raises(OutputError, match="character device"):
        io.write_text(device, "text")
    assert stat.S_ISCHR(Path(device).stat().st_mode)
    assert Path(device).stat().st_ino == before.st_ino


def test_a_symlink_to_a_device_is_refused(tmp_path: Path) -> None:
    link = tmp_path / "out.txt"
    link.symlink_to("/dev/null")
    with pytest.raises(OutputError, match="character device"):
        io.write_text(link, "text")
    assert link.is_symlink()


def test_a_socket_output_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "sock"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(path))
        with pytest.raises(OutputError, match="a socket, not a regular file"):
            io.write_text(path, "text")
    assert stat.S_ISSOCK(path.stat().st_mode)


def test_a_folder_output_is_refused(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="the output is a folder; give a file name"):
        io.write_text(tmp_path, "text")


@pytest.mark.parametrize("name", ["-", "/dev/stdout", "/proc/self/fd/1", "/dev/fd/1", "link"])
def test_standard_output_is_recognised(tmp_path: Path, name: str) -> None:
    if name == "link":
        link = tmp_path / "link"
        link.symlink_to("/dev/stdout")
        name = str(link)
    elif not Path(name).parent.exists():
        pytest.skip(f"{name} does not exist here")
    assert io.is_stdout(name)
    assert io.is_stdout(Path(name))


def test_paths_that_are_not_standard_output(tmp_path: Path) -> None:
    assert not io.is_stdout(tmp_path / "-")
    assert not io.is_stdout("./-x")
    assert not io.is_stdout(tmp_path / "report.md")
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    assert not io.is_stdout(loop)


@pytest.mark.parametrize("name", ["-", "/dev/stdout"])
def test_text_goes_to_standard_output(
    capfdbinary: pytest.CaptureFixture[bytes], tmp_path: Path, name: str
) -> None:
    io.write_text(name, "héllo\n")
    assert capfdbinary.readouterr().out == "héllo\n".encode()
    assert list(tmp_path.iterdir()) == []
    assert not Path("-").exists()


def test_atomic_path_copies_a_text_file_to_standard_output(
    capfdbinary: pytest.CaptureFixture[bytes],
) -> None:
    with io.atomic_path("-", stdout=True) as tmp:
        tmp.write_bytes(b'{"type": "FeatureCollection"}')
        folder = tmp.parent
    assert capfdbinary.readouterr().out == b'{"type": "FeatureCollection"}'
    assert not folder.exists()


def test_binary_formats_refuse_standard_output(capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    with pytest.raises(OutputError, match="binary and cannot go to standard output"):
        io.check_output_path("-")
    with (
        pytest.raises(OutputError, match="binary and cannot go to standard output"),
        io.atomic_path("/dev/stdout"),
    ):
        pass
    assert capfdbinary.readouterr().out == b""


# --------------------------------------------------------------------------- item 3: modes


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o755, 0o604])
def test_a_replaced_output_keeps_its_mode(tmp_path: Path, mode: int) -> None:
    output = tmp_path / "report.md"
    output.write_text("old", encoding="utf-8")
    output.chmod(mode)
    io.write_text(output, "new")
    assert output.read_text(encoding="utf-8") == "new"
    assert stat.S_IMODE(output.stat().st_mode) == mode


def test_a_read_only_output_is_refused_even_for_root(tmp_path: Path) -> None:
    output = tmp_path / "report.md"
    output.write_text("old", encoding="utf-8")
    output.chmod(0o444)
    with pytest.raises(OutputError, match=r"read-only \(mode 0444\).*--force \(force=True\)"):
        io.write_text(output, "new")
    with pytest.raises(OutputError, match="read-only"):
        io.check_output_path(output)
    assert output.read_text(encoding="utf-8") == "old"
    io.write_text(output, "new", force=True)
    assert output.read_text(encoding="utf-8") == "new"
    assert stat.S_IMODE(output.stat().st_mode) == 0o444
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.md"]


# --------------------------------------------------------------------------- item 4: signals

_WRITER = textwrap.dedent(
    """
    import sys
    import geopandas as gpd, numpy as np, pyogrio, shapely
    from siteplan._io import atomic_path

    n = 50_000
    rng = np.random.default_rng(0)
    frame = gpd.GeoDataFrame(
        {"value": np.arange(n), "label": [f"feature {i}" for i in range(n)]},
        geometry=shapely.buffer(shapely.points(rng.random(n), rng.random(n)), 0.001),
        crs=4326,
    )
    with atomic_path(sys.argv[1]) as tmp:
        for k in range(10_000):
            pyogrio.write_dataframe(frame, tmp, layer=f"layer{k}", driver="GPKG")
    """
)


@pytest.mark.parametrize(("signum", "status"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_a_signal_during_a_geopackage_write_leaves_nothing(
    tmp_path: Path, signum: int, status: int
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    with subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(out / "big.gpkg")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as proc:
        deadline = time.monotonic() + 120
        while not list(out.glob(".big.gpkg.*")) and proc.poll() is None:
            assert time.monotonic() < deadline, "the writer never started"
            time.sleep(0.05)
        time.sleep(1.0)  # well into the write: several layers and their side files
        proc.send_signal(signum)
        _stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == status, stderr.decode()
    assert b"Traceback" not in stderr
    assert list(out.iterdir()) == []


def test_sigterm_in_process_is_cleaned_up(tmp_path: Path) -> None:
    """SIGTERM raises SignalExit inside the write; the temporary file goes."""
    output = tmp_path / "out.txt"
    with pytest.raises(io.SignalExit) as caught, io.atomic_path(output) as tmp:  # noqa: PT012
        tmp.write_bytes(b"half")
        (tmp.parent / f"{tmp.name}-journal").write_bytes(b"journal")
        (tmp.parent / f".tmp_rtree_{tmp.stem}.db").write_bytes(b"rtree")
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)  # the handler raises before this ends
    assert caught.value.code == 143
    assert caught.value.signal_name == "SIGTERM"
    assert list(tmp_path.iterdir()) == []
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


def test_signal_handlers_are_restored(tmp_path: Path) -> None:
    def mine(_signum: int, _frame: Any) -> None:
        pass

    previous = signal.signal(signal.SIGHUP, mine)
    try:
        io.write_text(tmp_path / "a.txt", "x")
        assert signal.getsignal(signal.SIGHUP) is mine
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        io.write_text(tmp_path / "b.txt", "x")
        assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGHUP, previous)


# --------------------------------------------------------------------------- item 8: names


def test_a_file_name_too_long_is_one_line(tmp_path: Path) -> None:
    output = tmp_path / "out" / ("x" * 300 + ".md")
    with pytest.raises(OutputError, match="file name is too long") as caught:
        io.write_text(output, "text")
    assert "\n" not in str(caught.value)
    near = tmp_path / ("y" * 250 + ".md")  # fits, but not with the temporary file's suffix
    with pytest.raises(OutputError, match="file name is too long"):
        io.write_text(near, "text")
    assert sorted(p.name for p in tmp_path.iterdir()) == []
