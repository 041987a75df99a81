"""Run the siteplan CLI with ``python -m siteplan``."""

from siteplan.cli import main

main(prog_name="siteplan")
