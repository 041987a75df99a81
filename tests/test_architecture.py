"""The code's shape: lazy names resolve, modules stay small, imports stay at module level.

The layers themselves (which package may import which) are import-linter's
contract in pyproject.toml, run by ``make lint``.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
from collections.abc import Iterator
from pathlib import Path

import pytest

import siteplan

SRC = Path(siteplan.__file__).parent
#: The issue's target: no module over about 500 lines.
MAX_LINES = 500


def _modules() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


def _name(path: Path) -> str:
    return path.relative_to(SRC).as_posix()


def _packages() -> Iterator[str]:
    yield "siteplan"
    for info in pkgutil.walk_packages(siteplan.__path__, "siteplan."):
        if info.ispkg:
            yield info.name


@pytest.mark.parametrize("package", list(_packages()))
def test_every_lazy_name_resolves(package: str) -> None:
    module = importlib.import_module(package)
    lazy: dict[str, str] = getattr(module, "_LAZY", {})
    for name, target in lazy.items():
        value = getattr(module, name)
        assert value is getattr(importlib.import_module(target), name), (package, name)


def test_the_top_level_package_has_lazy_names() -> None:
    assert siteplan._LAZY  # the pattern test_every_lazy_name_resolves checks


def test_no_module_is_over_500_lines() -> None:
    long = {
        _name(path): n
        for path in _modules()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, long


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports_in_functions(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Yield the imports inside function bodies, outside ``if TYPE_CHECKING:`` blocks."""

    def visit(node: ast.AST, in_function: bool) -> Iterator[ast.Import | ast.ImportFrom]:
        if isinstance(node, ast.If) and _is_type_checking(node):
            return
        if in_function and isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        inside = in_function or isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        for child in ast.iter_child_nodes(node):
            yield from visit(child, inside)

    yield from visit(tree, False)


def _imports_siteplan(node: ast.Import | ast.ImportFrom) -> bool:
    if isinstance(node, ast.ImportFrom):
        return node.level > 0 or (node.module or "").split(".")[0] == "siteplan"
    return any(alias.name.split(".")[0] == "siteplan" for alias in node.names)


def _function_imports_of_siteplan() -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for path in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        lines = [n.lineno for n in _imports_in_functions(tree) if _imports_siteplan(n)]
        if lines:
            found[_name(path)] = lines
    return found


#: The only modules outside the CLI that may import siteplan inside a function: the
#: network measure's entry points in ``analysis`` and in the candidates (scoring, picks,
#: score_locations, location-allocation costs), so that straight-line studies never
#: load scipy (each import carries a "# lazy: ..." comment, checked below).
LAZY_OUTSIDE_CLI = (
    "analysis.py",
    "candidates/api.py",
    "candidates/engines.py",
    "candidates/locations.py",
    "candidates/plan.py",
    "scenarios/sensitivity.py",
    "maps/access_layers.py",  # access costs (scipy) for location-allocation maps only
    "maps/clickscore.py",  # the road network's page data (scipy) for network measures only
    "maps/make.py",
    "maps/scenario.py",
)


def test_only_cli_commands_import_siteplan_inside_functions() -> None:
    # the CLI's commands import the library when they run, so --help stays fast
    found = {
        k: v
        for k, v in _function_imports_of_siteplan().items()
        if not k.startswith("cli/") and k not in LAZY_OUTSIDE_CLI
    }
    assert not found, found


def test_every_lazy_import_says_why() -> None:
    # a lazy import block is preceded by, or its first line carries, a "# lazy: ..." comment
    unexplained = []
    paths = sorted((SRC / "cli").rglob("*.py")) + [SRC / name for name in LAZY_OUTSIDE_CLI]
    for path in paths:
        lines = path.read_text(encoding="utf-8").splitlines()
        previous_end = -1
        for node in _imports_in_functions(ast.parse("\n".join(lines))):
            first = node.lineno
            if first != previous_end + 1:  # the first import of a block
                said = lines[first - 1].split("#", 1)[-1] if "#" in lines[first - 1] else ""
                above = lines[first - 2].strip()
                if "lazy" not in said and not above.startswith("# lazy"):
                    unexplained.append(f"{_name(path)}:{first}")
            previous_end = node.end_lineno or first
    assert not unexplained
