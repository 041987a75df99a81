"""Validate layer files, folders and study files, and summarise what was read."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np
import shapely

from siteplan.load.layers import LAYER_SUFFIXES, LayerSpec, read_layer
from siteplan.load.study import Study, StudyData, check_unique_ids, load_study, read_study

__all__ = [
    "MANY_PARTS",
    "MANY_SITES",
    "MANY_VERTICES",
    "SLOW_SITES",
    "Validation",
    "scale_warnings",
    "validate_paths",
]

#: Above this many sites, the human formats shorten their pair tables (``analysis.LARGE_STUDY``).
MANY_SITES: Final = 50
#: Above this many sites, a report takes tens of seconds (every pair is measured and listed).
SLOW_SITES: Final = 300
#: A site footprint with more vertices than this slows distances and candidate scoring.
MANY_VERTICES: Final = 1000
#: A site with more parts than this slows distances and candidate scoring.
MANY_PARTS: Final = 100
#: Detailed sites named one line each, at most this many per layer (then a count).
_NAMED: Final = 5


@dataclass(frozen=True)
class Validation:
    """What ``siteplan validate`` found: the studies read, as data and as text."""

    studies: tuple[StudyData, ...]
    text: str
    warnings: tuple[str, ...]
    inputs: tuple[Path, ...]


def _studies_for(paths: Sequence[Path], role: str, datum: str) -> list[Study]:
    """Group bare layer files into one study; every study file or folder is its own."""
    studies: list[Study] = []
    bare: list[LayerSpec] = []
    for path in paths:
        if path.suffix.lower() in LAYER_SUFFIXES and not path.is_dir():
            bare.append(LayerSpec(path=path, role=role, datum=datum))
        else:
            studies.append(load_study(path))
    if bare:
        name = bare[0].path.stem if len(bare) == 1 else f"{len(bare)} layer files"
        studies.append(Study(name=name, layers=tuple(bare), path=None))
    return studies


def _read(study: Study, strict: bool) -> StudyData:
    if study.path is None and not any(s.role == "site" for s in study.layers):
        # Bare non-site layers are valid on their own: read them as a site-less study.
        layers = tuple(read_layer(s, strict=strict) for s in study.layers)
        check_unique_ids(layers)
        return StudyData(
            study=study,
            layers=layers,
            sites=layers[0].frame.iloc[0:0],
            boundary=None,
            context=None,
            exclusions=None,
            warnings=tuple(w for lay in layers for w in lay.warnings),
        )
    return read_study(study, strict=strict)


def _fmt_layer(data: StudyData) -> list[str]:
    lines = []
    for layer in data.layers:
        s = layer.summary()
        minx, miny, maxx, maxy = s["bounds"]
        count = s["features"]
        placement = ", ".join(f"{k} {v}" for k, v in s["placement"].items())
        lines.append(
            f"  {layer.spec.path.name}: {s['role']} layer, {count} feature"
            f"{'' if count == 1 else 's'} ({', '.join(s['geometry_types'])}), "
            f"datum {s['datum']}, bounds lon {minx:.5f}..{maxx:.5f} lat {miny:.5f}..{maxy:.5f}, "
            f"placement: {placement}"
        )
    for demand in data.demand:
        count = len(demand.frame)
        lines.append(
            f"  {demand.spec.path.name}: demand layer, {count} feature"
            f"{'' if count == 1 else 's'}, total demand {demand.total:,.0f} "
            f"('{demand.spec.population_field}')"
        )
    return lines


def validate_paths(
    paths: Sequence[Path], *, role: str = "site", datum: str = "wgs84", strict: bool = False
) -> Validation:
    """Read and check every layer the paths name, and summarise them.

    Parameters
    ----------
    paths
        Layer files, folders of layers, or study files; empty for the bundled study.
    role, datum
        How to read bare layer files.
    strict
        Refuse invalid polygons instead of repairing them.

    Returns
    -------
    Validation
        The studies read and a per-layer summary.

    Raises
    ------
    siteplan.errors.SiteplanError
        At the first layer that cannot be used.
    """
    studies = [load_study(None)] if not paths else _studies_for(paths, role, datum)
    read = tuple(_read(study, strict) for study in studies)
    lines: list[str] = []
    for data in read:
        where = f" ({data.study.path})" if data.study.path is not None else ""
        lines.append(f"{data.study.name}{where}")
        lines.extend(_fmt_layer(data))
        sites = len(data.sites)
        note = (
            "; site positions are SCHEMATIC (placement = schematic): not survey data"
            if data.schematic
            else ""
        )
        lines.append(f"ok: {len(data.layers)} layers, {sites} sites{note}")
    inputs = tuple(
        p
        for data in read
        for p in ([data.study.path] if data.study.path else [])
        + [layer.spec.path for layer in data.layers]
        + [layer.spec.path for layer in data.demand]
    )
    return Validation(
        studies=read,
        text="\n".join(lines) + "\n",
        warnings=tuple(w for data in read for w in (*data.warnings, *scale_warnings(data))),
        inputs=inputs,
    )


def scale_warnings(data: StudyData) -> list[str]:
    """Return one line per reason a study is large enough to be slow, with the figures.

    The number of sites (more than :data:`MANY_SITES`: the human formats
    shorten; more than :data:`SLOW_SITES`: slow), and each site with more than
    :data:`MANY_VERTICES` vertices or :data:`MANY_PARTS` parts (at most five
    named per layer, then how many more).

    Examples
    --------
    >>> from siteplan.load.study import read_study
    >>> scale_warnings(read_study(None))
    []
    """
    out: list[str] = []
    n = len(data.sites)
    name = data.study.path.name if data.study.path is not None else data.study.name
    if n > SLOW_SITES:
        out.append(
            f"{name}: {n:,} sites make {n * (n - 1) // 2:,} pairs (more than {SLOW_SITES} sites "
            "is slow: every pair is measured and listed): give --pairs within to json and csv "
            "reports, or split the study into areas"
        )
    elif n > MANY_SITES:
        out.append(
            f"{name}: {n:,} sites (more than {MANY_SITES}): markdown and HTML reports and the map "
            "show each site's nearest neighbours and the pairs within the first ring only; use "
            "-f json or csv, or export, for every pair"
        )
    for layer in data.layers:
        if layer.spec.role != "site" or not len(layer.frame):
            continue
        geoms = np.asarray(layer.frame.geometry.array, dtype=object)
        ids = layer.frame["id"].astype(str).to_numpy(dtype=object)
        vertices = shapely.get_num_coordinates(geoms)
        parts = shapely.get_num_geometries(geoms)
        heavy = np.flatnonzero((vertices > MANY_VERTICES) | (parts > MANY_PARTS))
        out.extend(
            f"{layer.spec.path.name}: site {ids[k]!r} has {int(vertices[k]):,} vertices in "
            f"{int(parts[k]):,} part{'' if parts[k] == 1 else 's'} (more than "
            f"{MANY_VERTICES:,} vertices or {MANY_PARTS} parts is slow to measure and to "
            "score candidates against; rings use a simplified outline): simplify the "
            "footprint (e.g. QGIS Simplify, 1 m) or dissolve its parts"
            for k in heavy[:_NAMED]
        )
        if len(heavy) > _NAMED:
            out.append(
                f"{layer.spec.path.name}: {len(heavy) - _NAMED:,} more sites have more than "
                f"{MANY_VERTICES:,} vertices or {MANY_PARTS} parts: simplify or dissolve them"
            )
    return out
