"""Sphinx configuration for the siteplan documentation site.

Built with ``make docs`` into ``site/``; the test suite builds it in strict mode
(warnings are errors, nitpicky cross-references), so a broken link, a public
name without a docstring or a failing notebook fails CI.
"""

from __future__ import annotations

import shutil
from importlib.metadata import version as _version
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

project = "siteplan"
author = "siteplan developers"
copyright = "siteplan developers"  # noqa: A001 - Sphinx's name
release = _version("siteplan")

extensions = [
    "myst_nb",
    "numpydoc",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
]

# The notebooks live in notebooks/ (committed without outputs); copy them in so
# that myst-nb executes them at build time, top to bottom, in a fresh kernel.
_NOTEBOOKS = HERE / "notebooks" / "_generated"
shutil.rmtree(_NOTEBOOKS, ignore_errors=True)
_NOTEBOOKS.mkdir(parents=True)
for _nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
    shutil.copy2(_nb, _NOTEBOOKS / _nb.name)

# .rst first: autosummary writes its generated API pages with the first suffix
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = ["_build", "**.ipynb_checkpoints", "_*.md"]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 4
nb_execution_mode = "force"
nb_execution_raise_on_error = True
nb_execution_timeout = 600
nb_merge_streams = True

autosummary_generate = True
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_xref_param_type = False
numpydoc_validation_checks = {"GL08"}  # a public name without a docstring fails the build
# dataclass __init__ methods are generated; their fields are documented on the class
numpydoc_validation_exclude = {r"\.__init__$"}
nitpicky = False
suppress_warnings = ["mystnb.unknown_mime_type"]

html_theme = "pydata_sphinx_theme"
html_title = "siteplan"
html_theme_options = {
    "navigation_depth": 2,
    "show_toc_level": 2,
    "footer_start": ["copyright"],
}
html_static_path: list[str] = []
html_show_sourcelink = False
html_copy_source = False
