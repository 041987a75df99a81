"""Render a scenario comparison (:class:`~siteplan.scenarios.compare.Comparison`) as text.

Three formats, read from the one comparison (nothing is re-measured):

- ``json``: ``{"a", "b", "cluster": {"score_a", "score_b", "delta"}, "sites":
  [...], "pairs": [...], "picks": [...] | null, "parameters", "notes",
  "caveat", "warnings"}`` at full precision (:func:`comparison_dict`);
- ``csv``: one row per value: ``section, key, status, measure, a, b, delta``;
- ``markdown``: the tables for people.

Deltas are B - A.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import pandas as pd

from siteplan import _formats
from siteplan._io import write_text
from siteplan._values import json_value
from siteplan.render.text import csv_cell, escape_markdown, fmt_number, json_text, metres, score

if TYPE_CHECKING:
    from siteplan.scenarios.compare import Comparison

__all__ = ["FORMATS", "comparison_dict", "render_comparison", "write_comparison"]

#: Comparison formats.
FORMATS: Final = ("markdown", "json", "csv")


def render_comparison(cmp: Comparison, fmt: str = "markdown") -> str:
    """Render a comparison as ``markdown``, ``json`` or ``csv``.

    - json: ``{"a", "b", "cluster": {"score_a", "score_b", "delta"}, "sites":
      [...], "pairs": [...], "picks": [...] | null, "parameters", "notes",
      "caveat", "warnings"}`` at full precision;
    - csv: one row per value: ``section, key, status, measure, a, b, delta``;
    - markdown: the tables for people.

    Raises
    ------
    ParameterError
        For another format.

    Examples
    --------
    >>> from siteplan import analyze, compare_studies
    >>> cmp = compare_studies(analyze(), analyze(decay="linear"), candidates=False)
    >>> render_comparison(cmp, "csv").splitlines()[0]
    'section,key,status,measure,a,b,delta'
    """
    _formats.check_choice("format", fmt, FORMATS)
    if fmt == "json":
        return json_text(comparison_dict(cmp))
    if fmt == "csv":
        return _csv_text(cmp)
    return _markdown_text(cmp)


def write_comparison(
    cmp: Comparison, path: str | Path, fmt: str | None = None, *, force: bool = False
) -> Path:
    """Write a comparison to ``path`` atomically and return the path.

    Parameters
    ----------
    cmp
        The comparison (see :func:`siteplan.compare_studies`).
    path
        The output file. Missing parent folders are created; a file of either
        study is never overwritten.
    fmt
        ``markdown``, ``json`` or ``csv``; None infers it from the suffix
        (``.md``, ``.json``, ``.csv``), else ``markdown``.
    force
        Replace an existing read-only output.

    Raises
    ------
    ParameterError
        For an unknown format.
    OutputError
        When the path is one of the studies' inputs, a folder, or cannot be written.
    """
    path = Path(path)
    if fmt is None:
        fmt = _formats.format_for_path(path, FORMATS, default="markdown")
    text = render_comparison(cmp, fmt)
    return write_text(path, text, (*cmp.a.inputs, *cmp.b.inputs), force=force)


def comparison_dict(cmp: Comparison) -> dict[str, Any]:
    """Return the json output as plain Python values (see :func:`render_comparison`)."""
    caveats = [cmp.a.caveat] if cmp.a.caveat == cmp.b.caveat else [cmp.a.caveat, cmp.b.caveat]
    return {
        "a": cmp.a.name,
        "b": cmp.b.name,
        "cluster": dict(cmp.cluster),
        "sites": _records(cmp.sites),
        "pairs": _records(cmp.pairs),
        "picks": None if cmp.picks is None else _records(cmp.picks),
        "parameters": cmp.parameters,
        "notes": list(cmp.notes),
        "caveat": " ".join(caveats),
        "warnings": list(dict.fromkeys([*cmp.a.warnings, *cmp.b.warnings])),
    }


# --------------------------------------------------------------------------- helpers


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [
        {k: json_value(v) for k, v in zip(frame.columns, row, strict=True)}
        for row in frame.itertuples(index=False, name=None)
    ]


def _fmt(value: Any, spec: str, *, signed: bool = False) -> str:
    return fmt_number(value, spec, signed=signed, missing="-")


def _moved(value: Any) -> str:
    return "-" if value is None else f"{metres(value)} m"


def _csv_text(cmp: Comparison) -> str:
    """One row per value: ``section, key, status, measure, a, b, delta``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["section", "key", "status", "measure", "a", "b", "delta"])
    writer.writerow(
        [
            "cluster",
            "cluster",
            "both",
            "score",
            csv_cell(cmp.cluster["score_a"]),
            csv_cell(cmp.cluster["score_b"]),
            csv_cell(cmp.cluster["delta"]),
        ]
    )
    for r in _records(cmp.sites):
        for measure in ("score", "rank"):
            delta = r["score_delta"] if measure == "score" else r["rank_change"]
            writer.writerow(
                [
                    "site",
                    r["id"],
                    r["status"],
                    measure,
                    csv_cell(r[f"{measure}_a"]),
                    csv_cell(r[f"{measure}_b"]),
                    csv_cell(delta),
                ]
            )
        writer.writerow(["site", r["id"], r["status"], "moved_m", "", "", csv_cell(r["moved_m"])])
    for r in _records(cmp.pairs):
        key = f"{r['a']}-{r['b']}"
        for measure in ("distance", "score"):
            writer.writerow(
                [
                    "pair",
                    key,
                    r["status"],
                    measure,
                    csv_cell(r[f"{measure}_a"]),
                    csv_cell(r[f"{measure}_b"]),
                    csv_cell(r[f"{measure}_delta"]),
                ]
            )
    for r in _records(cmp.picks) if cmp.picks is not None else []:
        key = f"{r['id_a'] or ''}>{r['id_b'] or ''}"
        writer.writerow(
            ["pick", key, r["status"], "rank", csv_cell(r["rank_a"]), csv_cell(r["rank_b"]), ""]
        )
        writer.writerow(
            [
                "pick",
                key,
                r["status"],
                "score",
                csv_cell(r["score_a"]),
                csv_cell(r["score_b"]),
                csv_cell(
                    None
                    if r["score_a"] is None or r["score_b"] is None
                    else r["score_b"] - r["score_a"]
                ),
            ]
        )
        writer.writerow(["pick", key, r["status"], "moved_m", "", "", csv_cell(r["distance_m"])])
    return buffer.getvalue()


def _markdown_text(cmp: Comparison) -> str:
    md = escape_markdown
    c = cmp.cluster
    delta = _fmt(c["delta"], ".1f", signed=True)
    where_a, where_b = (
        "" if path is None else f" ({md(str(path))})"
        for path in (cmp.parameters["a"]["path"], cmp.parameters["b"]["path"])
    )
    lines = [
        "# Scenario comparison",
        "",
        f"- A (reference): {md(cmp.a.name)}{where_a}",
        f"- B (scenario): {md(cmp.b.name)}{where_b}",
        "",
        f"> {cmp.a.caveat}",
        "",
        f"Cluster score {score(c['score_a'])} → {score(c['score_b'])} ({delta}). "
        "Deltas are B - A; a positive rank change means a better rank in B.",
        "",
        "## Sites",
        "",
        "| site | status | score A | score B | Δ score | rank A → B | moved |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in _records(cmp.sites):
        rank = f"{_fmt(r['rank_a'], 'd')} → {_fmt(r['rank_b'], 'd')}"
        moved = _moved(r["moved_m"])
        lines.append(
            f"| {md(r['id'])} | {r['status']} | {_fmt(r['score_a'], '.1f')} | "
            f"{_fmt(r['score_b'], '.1f')} | {_fmt(r['score_delta'], '.1f', signed=True)} | "
            f"{rank} | {moved} |"
        )
    lines += [
        "",
        "## Pairs",
        "",
        "| pair | status | distance A | distance B | Δ distance | score A | score B | Δ score |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in _records(cmp.pairs):
        lines.append(
            f"| {md(r['a'])} - {md(r['b'])} | {r['status']} | {_fmt(r['distance_a'], ',.0f')} | "
            f"{_fmt(r['distance_b'], ',.0f')} | {_fmt(r['distance_delta'], ',.0f', signed=True)} | "
            f"{_fmt(r['score_a'], '.1f')} | {_fmt(r['score_b'], '.1f')} | "
            f"{_fmt(r['score_delta'], '.1f', signed=True)} |"
        )
    lines += ["", "## Top candidate picks", ""]
    if cmp.picks is None:
        lines.append("Not compared.")
    else:
        counts = cmp.picks["status"].value_counts()
        lines.append(
            ", ".join(f"{int(counts.get(s, 0))} {s}" for s in ("same", "moved", "added", "removed"))
            + f" (a pick that moved less than {cmp.parameters['match_m']:g} m is the same pick)."
        )
        lines += [
            "",
            "| status | rank A | rank B | cell A | cell B | score A | score B | moved |",
            "|---|---:|---:|---|---|---:|---:|---:|",
        ]
        for r in _records(cmp.picks):
            moved = _moved(r["distance_m"])
            lines.append(
                f"| {r['status']} | {_fmt(r['rank_a'], 'd')} | {_fmt(r['rank_b'], 'd')} | "
                f"{md(r['id_a'] or '-')} | {md(r['id_b'] or '-')} | {_fmt(r['score_a'], '.1f')} | "
                f"{_fmt(r['score_b'], '.1f')} | {moved} |"
            )
    if cmp.notes:
        lines += ["", "## Notes", ""]
        lines += [f"- {md(n)}" for n in cmp.notes]
    lines.append("")
    return "\n".join(lines)
