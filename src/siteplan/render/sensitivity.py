"""Render a sensitivity sweep (:class:`~siteplan.scenarios.sensitivity.SensitivityResult`).

Three formats, read from the one sweep (nothing is re-scored):

- ``json``: ``{"study", "summary", "sites", "scenarios", "pick_stability",
  "parameters", "notes", "caveat"}`` at full precision (:func:`sensitivity_dict`);
- ``csv``: one row per scenario, with the rank of every site;
- ``markdown``: the summary and the tables for people; :func:`markdown_section`
  is the same text as a section other reports embed (the candidates report does).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from siteplan import _formats
from siteplan._io import input_paths, write_text
from siteplan._values import json_value
from siteplan.render.text import csv_cell, escape_markdown, json_text, percent, score

if TYPE_CHECKING:
    from siteplan.scenarios.sensitivity import SensitivityResult

__all__ = [
    "FORMATS",
    "markdown_section",
    "render_sensitivity",
    "sensitivity_dict",
    "write_sensitivity",
]

#: Sensitivity formats.
FORMATS: Final = ("markdown", "json", "csv")


def render_sensitivity(sres: SensitivityResult, fmt: str = "markdown") -> str:
    """Render the sweep as ``markdown``, ``json`` or ``csv`` (one row per scenario).

    Raises
    ------
    ParameterError
        For another format.

    Examples
    --------
    >>> from siteplan import analyze, analyze_sensitivity
    >>> sweep = analyze_sensitivity(analyze(), candidates=False, kinds=["linear"])
    >>> render_sensitivity(sweep, "csv").splitlines()[0].split(",")[:5]
    ['scenario', 'scale', 'decay', 'parameters', 'tau']
    """
    _formats.check_choice("format", fmt, FORMATS)
    if fmt == "json":
        return json_text(sensitivity_dict(sres))
    if fmt == "csv":
        return _csv_text(sres)
    return (
        f"# Sensitivity: {escape_markdown(sres.result.name)}\n\n> {sres.result.caveat}\n\n"
        + markdown_section(sres)
    )


def write_sensitivity(
    sres: SensitivityResult,
    path: str | Path,
    fmt: str | None = None,
    *,
    inputs: Sequence[str | Path | None] = (),
    force: bool = False,
) -> Path:
    """Write the sweep to ``path`` atomically and return the path.

    Parameters
    ----------
    sres
        The sweep (see :func:`siteplan.analyze_sensitivity`).
    path
        The output file. Missing parent folders are created; an input of the
        study is never overwritten.
    fmt
        ``markdown``, ``json`` or ``csv``; None infers it from the suffix
        (``.md``, ``.json``, ``.csv``), else ``markdown``.
    inputs
        Other files the sweep read (a parcels layer); the output may be none of
        them, nor one of the study's inputs.
    force
        Replace an existing read-only output.

    Raises
    ------
    ParameterError
        For an unknown format.
    OutputError
        When the path is one of the study's inputs, a folder, or cannot be written.
    """
    path = Path(path)
    if fmt is None:
        fmt = _formats.format_for_path(path, FORMATS, default="markdown")
    text = render_sensitivity(sres, fmt)
    return write_text(path, text, input_paths(sres.result.inputs, inputs), force=force)


def sensitivity_dict(sres: SensitivityResult) -> dict[str, Any]:
    """Return the json output as plain Python values (see :func:`render_sensitivity`)."""
    scen = []
    rank_cols = [c for c in sres.scenarios.columns if c.startswith("rank_")]
    for _, row in sres.scenarios.iterrows():
        scen.append(
            {
                "scenario": row["scenario"],
                "scale": json_value(row["scale"]),
                "decay": row["decay"],
                "parameters": json.loads(row["parameters"]),
                "tau": json_value(row["tau"]),
                "top_site": row["top_site"],
                "picks_kept": json_value(row["picks_kept"]),
                "ranks": {c[len("rank_") :]: int(row[c]) for c in rank_cols},
            }
        )
    kept = sres.scenarios["picks_kept"]
    return {
        "study": sres.result.name,
        "summary": {
            "scenarios": len(sres.scenarios),
            "tau_min": json_value(sres.tau_min),
            "tau_mean": json_value(sres.tau_mean),
            "picks_kept_mean": json_value(float(kept.mean())) if kept.notna().any() else None,
        },
        "sites": [
            {k: json_value(v) for k, v in row.items()}
            for row in sres.sites.to_dict(orient="records")
        ],
        "scenarios": scen,
        "pick_stability": (
            None if sres.pick_stability is None else [float(v) for v in sres.pick_stability]
        ),
        "parameters": sres.parameters,
        "notes": list(sres.notes),
        "caveat": sres.result.caveat,
    }


def markdown_section(sres: SensitivityResult, *, heading: str = "##") -> str:
    """Return the sweep as markdown (a section other reports can embed)."""
    md = escape_markdown
    lines = [f"{heading} Sensitivity", ""]
    kept = sres.scenarios["picks_kept"]
    summary = (
        f"{len(sres.scenarios)} scenarios (rings x "
        f"{', '.join(f'{s:g}' for s in sres.parameters['scales'])}; decays "
        f"{', '.join(sres.parameters['decays'])}). Kendall's tau of the site ranking against "
        f"the base: min {sres.tau_min:.2f}, mean {sres.tau_mean:.2f}."
    )
    if kept.notna().any():
        summary += (
            f" Base top picks kept (a scenario pick within "
            f"{sres.parameters['tolerance_m']:g} m): mean {percent(float(kept.mean()))}."
        )
    lines += [summary, "", f"Scenario {sres.parameters['rule']}.", ""]
    lines += ["| site | base rank | rank range | score range |", "|---|---:|---:|---:|"]
    for row in sres.sites.itertuples(index=False):
        lines.append(
            f"| {md(str(row.id))} | {row.base_rank} | {row.min_rank}..{row.max_rank} | "
            f"{score(row.min_score)}..{score(row.max_score)} |"
        )
    lines += ["", "| scenario | parameters | tau | top site | picks kept |"]
    lines.append("|---|---|---:|---|---:|")
    frame = sres.scenarios
    for k in range(len(frame)):
        params = ", ".join(
            f"{name} {v:g}" if isinstance(v, float) else f"{name} {'/'.join(f'{r:g}' for r in v)}"
            for name, v in json.loads(str(frame["parameters"].iloc[k])).items()
        )
        lines.append(
            f"| {frame['scenario'].iloc[k]} | {params} | {float(frame['tau'].iloc[k]):.2f} | "
            f"{md(str(frame['top_site'].iloc[k]))} | {percent(frame['picks_kept'].iloc[k])} |"
        )
    lines.append("")
    lines += [f"- {md(note)}" for note in sres.notes]
    return "\n".join(lines).rstrip() + "\n"


# --------------------------------------------------------------------------- helpers


def _csv_text(sres: SensitivityResult) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    frame = sres.scenarios
    writer.writerow(list(frame.columns))
    for values in frame.itertuples(index=False, name=None):
        writer.writerow([csv_cell(v) for v in values])
    return buffer.getvalue()
