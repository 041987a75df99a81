"""Execute every notebook in notebooks/ in a fresh kernel, as CI does.

Each notebook runs top to bottom with nbclient in a fresh ``python3`` kernel
(the ipykernel of the interpreter running pytest), with its working directory
set to a temporary folder, so a notebook that breaks, or that relies on hidden
state or on the repository's working directory, fails the test suite.
"""

from __future__ import annotations

import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest

with warnings.catch_warnings():
    # The Jupyter stack may warn about its own deprecations on import; not siteplan's concern.
    warnings.simplefilter("ignore", DeprecationWarning)
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS_DIR = REPO / "notebooks"
NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
CELL_TIMEOUT_S = 120
# The notebooks are meant to be quick; fail loudly if one becomes slow.
NOTEBOOK_BUDGET_S = 60.0

# The kernel must be this interpreter (the project's venv), not some other Python
# on PATH; a first cell inserted before the notebook's own checks it.
_CHECK_KERNEL = "\n".join(
    [
        "import sys as _sys",
        f"assert _sys.executable == {sys.executable!r}, _sys.executable",
        "del _sys",
    ]
)


def _git_status(path: Path) -> str:
    """Return ``git status --porcelain`` for a path, or '' outside a git checkout."""
    try:
        done = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=all", "--", str(path)],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return ""
    return done.stdout


def test_there_are_four_notebooks() -> None:
    assert [p.name for p in NOTEBOOKS] == [
        "01-simz-proximity.ipynb",
        "02-your-own-layers.ipynb",
        "03-candidate-sites.ipynb",
        "04-who-is-served.ipynb",
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_committed_stripped(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    assert notebook.metadata["kernelspec"]["name"] == "python3"
    assert set(notebook.metadata) <= {"kernelspec", "language_info"}
    code_cells = [c for c in notebook.cells if c.cell_type == "code"]
    assert code_cells
    for cell in code_cells:
        assert cell.outputs == [], f"{path.name}: cell {cell.id} has outputs"
        assert cell.execution_count is None, f"{path.name}: cell {cell.id} has a count"
        # No shell escapes or installs: everything a notebook needs is a dependency.
        for line in cell.source.splitlines():
            assert not line.lstrip().startswith(("!", "%pip", "%conda", "%%")), line


def test_notebooks_match_their_generator() -> None:
    done = subprocess.run(
        [sys.executable, str(NOTEBOOKS_DIR / "_build.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def _failure(path: Path, error: nbclient.exceptions.CellExecutionError) -> str:
    return f"{path.name} failed:\n{error}"


@pytest.fixture(scope="module")
def _font_cache() -> None:
    """Build matplotlib's font cache here, not in a kernel, where its notice would hit stderr."""
    import matplotlib.font_manager

    assert matplotlib.font_manager.fontManager.ttflist


@pytest.mark.slow
@pytest.mark.usefixtures("_font_cache")
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_top_to_bottom(path: Path, tmp_path: Path) -> None:
    watched = [NOTEBOOKS_DIR, REPO / "geodata"]
    before = [_git_status(p) for p in watched]
    notebook = nbformat.read(path, as_version=4)
    notebook.cells.insert(0, nbformat.v4.new_code_cell(_CHECK_KERNEL))
    client = nbclient.NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT_S,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    start = time.perf_counter()
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError as error:
        pytest.fail(_failure(path, error), pytrace=False)
    elapsed = time.perf_counter() - start
    assert elapsed < NOTEBOOK_BUDGET_S, f"{path.name} took {elapsed:.1f} s"

    # No cell may print a warning or an error (stderr) or raise.
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            assert output.output_type != "error", f"{path.name}: cell {cell.get('id')}"
            if output.output_type == "stream":
                assert output.name == "stdout", (
                    f"{path.name}: cell {cell.get('id')} wrote to stderr:\n{output.text}"
                )
    # Nothing was written next to the notebooks or the bundled data (only into temporary folders).
    assert [_git_status(p) for p in watched] == before
