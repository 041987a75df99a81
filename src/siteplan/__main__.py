"""Run the siteplan CLI with ``python -m siteplan``."""

from siteplan.cli import main

if __name__ == "__main__":
    main(prog_name="siteplan")
