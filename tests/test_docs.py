"""The documentation site builds in strict mode: warnings (a broken link, a public
name without a docstring, a notebook that fails) are errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


def test_docs_build_strictly(tmp_path: Path) -> None:
    out = tmp_path / "site"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-b",
            "html",
            "-W",
            "--keep-going",
            "-E",
            "-q",
            "-d",
            str(tmp_path / "doctrees"),
            str(ROOT / "docs"),
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=1200,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "schematic" in index
    api = (out / "generated" / "siteplan.analyze.html").read_text(encoding="utf-8")
    assert "Parameters" in api
    notebook = (out / "notebooks" / "_generated" / "01-simz-proximity.html").read_text(
        encoding="utf-8"
    )
    assert "cell_output" in notebook  # the notebook ran at build time and kept its outputs
