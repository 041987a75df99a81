"""Constraints on candidate locations: where a new facility may not go.

Constraints come from a study file's ``[[constraints]]`` tables, from the
command line and from the library. Every constraint tests a candidate's centre
(a grid cell's centre, a parcel's centroid or point):

================  ==============================  =================================
kind              keys                            excludes a candidate whose centre
================  ==============================  =================================
outside_boundary  (on by default)                 is outside the study boundary
inside_site       (on by default)                 is on or inside a site footprint
exclusion         ``layer`` (optional)            is on or inside an exclusion area
setback           ``distance_m``, ``site`` (opt)  is closer than ``distance_m`` to
                                                  any site's footprint (or ``site``'s)
within            ``site``, ``distance_m``        is farther than ``distance_m`` from
                                                  ``site``'s footprint
beyond            ``site``, ``distance_m``        is closer than ``distance_m`` to
                                                  ``site``'s footprint
================  ==============================  =================================

Every constraint also takes optional ``name``, ``note`` and ``source`` (shown in
the outputs, e.g. the regulation it comes from) and ``enabled`` (``false`` turns
off one of the two default constraints). Distances are measured from the
candidate's centre to the site's footprint (edge distance), whatever measure
the scores use; a site given as a point is its own footprint.

A study file declares them as::

    [[constraints]]
    kind = "within"
    site = "proton_center"
    distance_m = 1000
    note = "shared imaging and radiotherapy"
    source = "planning brief, 2024"

Counting: each excluded candidate is counted once, under the *first*
constraint that excludes it in the order of :data:`CONSTRAINT_KINDS` (then in
the order the constraints were declared), so the counts add up to the number
of excluded candidates.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import shapely

from siteplan.errors import ParameterError, SiteplanError, StudyError
from siteplan.load.constraints import (
    CONSTRAINT_KINDS,
    DEFAULT_KINDS,
    check_constraint_fields,
    check_constraint_table,
)
from siteplan.measure._kernel import Targets, reach_pairs, target_distances

__all__ = [
    "CONSTRAINT_KINDS",
    "COUNTING_RULE",
    "DEFAULT_KINDS",
    "Constraint",
    "evaluate_constraints",
    "make_constraint",
    "parse_cli_constraint",
    "resolve_constraints",
]

#: How excluded candidates are counted (shown in the outputs).
COUNTING_RULE: Final = (
    "each excluded candidate is counted once, under the first constraint that excludes it, "
    "in the order outside_boundary, inside_site, exclusion, setback, within, beyond "
    "(declaration order within a kind)"
)

_DEFAULT_NOTES: Final = {
    "outside_boundary": "candidates are cells or parcels whose centre is inside the study area",
    "inside_site": "a candidate on or inside an existing site's footprint is taken",
}


@dataclass(frozen=True)
class Constraint:
    """One validated constraint (build it with :func:`make_constraint`).

    Attributes
    ----------
    kind
        One of :data:`CONSTRAINT_KINDS`.
    name
        A unique label, used as the key of the ``excluded`` counts.
    site
        The site id a distance constraint refers to (``setback`` may omit it:
        then any site counts).
    distance_m
        The distance in metres (``setback``, ``within``, ``beyond``).
    layer
        For ``exclusion``: the one exclusion layer (file name without suffix) to
        use; None uses every exclusion layer.
    note, source
        Free text shown in the outputs (why, and where the rule comes from).
    enabled
        False turns a default constraint off.
    origin
        Where it was declared: ``default``, ``study``, ``cli`` or ``api``.
    """

    kind: str
    name: str
    site: str | None = None
    distance_m: float | None = None
    layer: str | None = None
    note: str | None = None
    source: str | None = None
    enabled: bool = True
    origin: str = "api"

    @property
    def rule(self) -> str:
        """Say in words which candidates the constraint excludes."""
        target = f"{self.site}'s footprint" if self.site else "any site's footprint"
        d = f"{self.distance_m:g} m" if self.distance_m is not None else ""
        rules = {
            "outside_boundary": "centre outside the study boundary",
            "inside_site": "centre on or inside a site footprint",
            "exclusion": "centre on or inside an exclusion area"
            + (f" of layer {self.layer}" if self.layer else ""),
            "setback": f"centre closer than {d} to {target}",
            "within": f"centre farther than {d} from {target}",
            "beyond": f"centre closer than {d} to {target}",
        }
        return rules[self.kind]

    def as_dict(self) -> dict[str, Any]:
        """Return the constraint as JSON-ready values."""
        return {
            "name": self.name,
            "kind": self.kind,
            "rule": self.rule,
            "site": self.site,
            "distance_m": self.distance_m,
            "layer": self.layer,
            "note": self.note,
            "source": self.source,
            "enabled": self.enabled,
            "origin": self.origin,
        }


def _default_name(kind: str, site: str | None, distance: float | None, layer: str | None) -> str:
    if kind == "exclusion":
        return f"exclusion_{layer}" if layer else "exclusion"
    if kind == "setback":
        return f"setback_{distance:g}m" + (f"_{site}" if site else "")
    if kind == "within":
        return f"within_{distance:g}m_of_{site}"
    if kind == "beyond":
        return f"beyond_{distance:g}m_from_{site}"
    return kind


def make_constraint(
    kind: str,
    *,
    name: str | None = None,
    site: str | None = None,
    distance_m: float | None = None,
    layer: str | None = None,
    note: str | None = None,
    source: str | None = None,
    enabled: bool = True,
    origin: str = "api",
    where: str | None = None,
    path: str | Path | None = None,
) -> Constraint:
    """Check a constraint's kind and keys and return it.

    Site ids and layer names are checked later, against the study, by
    :func:`resolve_constraints`.

    Parameters
    ----------
    kind
        One of :data:`CONSTRAINT_KINDS`.
    name, site, distance_m, layer, note, source, enabled
        See :class:`Constraint`.
    origin
        ``default``, ``study``, ``cli`` or ``api``.
    where, path
        How to name the constraint (and its file) in error messages.

    Raises
    ------
    ParameterError
        (StudyError for ``origin="study"``) naming the constraint and what is allowed.

    Examples
    --------
    >>> make_constraint("within", site="proton_center", distance_m=1000).name
    'within_1000m_of_proton_center'
    >>> make_constraint("near", site="x")
    Traceback (most recent call last):
    ...
    siteplan.errors.ParameterError: constraint near: kind 'near' is not one of outside_boundary, inside_site, exclusion, setback, within, beyond
    """  # noqa: E501
    error: type[SiteplanError] = StudyError if origin == "study" else ParameterError
    fields = {
        "name": name,
        "site": site,
        "distance_m": distance_m,
        "layer": layer,
        "note": note,
        "source": source,
    }
    distance = check_constraint_fields(
        kind,
        fields,
        enabled=enabled,
        where=where or f"constraint {name or kind}",
        path=path,
        error=error,
    )
    return Constraint(
        kind=kind,
        name=(name.strip() if name else _default_name(kind, site, distance, layer)),
        site=site,
        distance_m=distance,
        layer=layer,
        note=note
        if note is not None
        else _DEFAULT_NOTES.get(kind)
        if origin == "default"
        else None,
        source=source,
        enabled=enabled,
        origin=origin,
    )


def _from_table(table: Mapping[str, Any], index: int, path: Path | None) -> Constraint:
    check_constraint_table(table, index, path)
    where = f"[[constraints]] #{index + 1}"
    if isinstance(table.get("name"), str):
        where += f" ({table['name']})"
    return make_constraint(
        table["kind"],
        name=table.get("name"),
        site=table.get("site"),
        distance_m=table.get("distance_m"),
        layer=table.get("layer"),
        note=table.get("note"),
        source=table.get("source"),
        enabled=table.get("enabled", True),
        origin="study",
        where=where,
        path=path,
    )


def parse_cli_constraint(kind: str, text: str) -> Constraint:
    """Parse ``--within SITE:METRES``, ``--beyond SITE:METRES`` or ``--setback [SITE:]METRES``.

    Examples
    --------
    >>> parse_cli_constraint("within", "proton_center:1000").name
    'within_1000m_of_proton_center'
    >>> parse_cli_constraint("setback", "150").rule
    "centre closer than 150 m to any site's footprint"
    """
    option = f"--{kind} {text}"
    site, sep, metres = text.rpartition(":")
    if kind in ("within", "beyond") and not sep:
        raise ParameterError(f"{option}: give SITE:METRES, e.g. --{kind} proton_center:1000")
    try:
        distance = float(metres)
    except ValueError:
        raise ParameterError(
            f"{option}: {metres!r} is not a number of metres; give "
            + ("[SITE:]METRES, e.g. --setback 100" if kind == "setback" else "SITE:METRES")
        ) from None
    if not math.isfinite(distance) or distance < 0:
        raise ParameterError(
            f"{option}: {metres.strip()} is not a finite number >= 0; give metres, e.g. 500"
        )
    return make_constraint(
        kind,
        site=site.strip() or None if sep else None,
        distance_m=distance,
        origin="cli",
        where=option,
    )


def resolve_constraints(
    study_tables: Sequence[Mapping[str, Any]],
    extra: Sequence[Constraint] = (),
    *,
    site_ids: Sequence[str],
    exclusion_layers: Sequence[str] = (),
    study_path: Path | None = None,
) -> tuple[Constraint, ...]:
    """Merge the default, study-file and extra constraints and check them against the study.

    A declared ``outside_boundary`` or ``inside_site`` constraint replaces the
    default one (to give it a note and source, or to turn it off).

    Parameters
    ----------
    study_tables
        The study file's ``[[constraints]]`` tables.
    extra
        Constraints from the command line or the library.
    site_ids
        The study's site ids.
    exclusion_layers
        The names of the study's exclusion layers.
    study_path
        The study file, for error messages.

    Returns
    -------
    tuple of Constraint
        In evaluation order: by kind (:data:`CONSTRAINT_KINDS`), then declaration order.

    Raises
    ------
    StudyError, ParameterError
        For an unknown site or layer, a duplicate name, or an exclusion
        constraint in a study without exclusion layers.
    """
    declared = [_from_table(t, i, study_path) for i, t in enumerate(study_tables)]
    declared += list(extra)
    sites = set(site_ids)
    layers = set(exclusion_layers)
    for c in declared:
        error = StudyError if c.origin == "study" else ParameterError
        path = study_path if c.origin == "study" else None
        if c.site is not None and c.site not in sites:
            raise error(
                f"constraint {c.name}: site {c.site!r} is not a site id; use one of "
                f"{', '.join(sorted(sites))}",
                path=path,
            )
        if c.kind == "exclusion" and not layers:
            raise error(
                f"constraint {c.name}: the study has no exclusion layer; add a [[layers]] "
                'table with role = "exclusion"',
                path=path,
            )
        if c.layer is not None and c.layer not in layers:
            raise error(
                f"constraint {c.name}: layer {c.layer!r} is not an exclusion layer; use one of "
                f"{', '.join(sorted(layers))}",
                path=path,
            )
    merged: list[Constraint] = []
    for kind in DEFAULT_KINDS:
        own = [c for c in declared if c.kind == kind]
        if len(own) > 1:
            raise (StudyError if own[1].origin == "study" else ParameterError)(
                f"constraint {kind} is declared twice; keep one",
                path=study_path if own[1].origin == "study" else None,
            )
        merged.append(own[0] if own else make_constraint(kind, origin="default"))
    merged += [c for c in declared if c.kind not in DEFAULT_KINDS]
    seen: dict[str, Constraint] = {}
    for c in merged:
        if c.name in seen:
            raise (StudyError if c.origin == "study" else ParameterError)(
                f"constraint name {c.name!r} is used twice; give one of them another name",
                path=study_path if c.origin == "study" else None,
            )
        seen[c.name] = c
    order = {kind: i for i, kind in enumerate(CONSTRAINT_KINDS)}
    return tuple(sorted(merged, key=lambda c: order[c.kind]))


def _in_any(
    geoms: npt.NDArray[np.object_], x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]
) -> npt.NDArray[np.bool_]:
    """Return which points are on or inside any of the geometries (box test first)."""
    hit = np.zeros(len(x), dtype=bool)
    for geom, (minx, miny, maxx, maxy) in zip(geoms, shapely.bounds(geoms), strict=True):
        box = np.flatnonzero((x >= minx) & (x <= maxx) & (y >= miny) & (y <= maxy))
        if len(box):
            hit[box[shapely.intersects_xy(geom, x[box], y[box])]] = True
    return hit


def evaluate_constraints(
    constraints: Sequence[Constraint],
    x: npt.NDArray[np.float64],
    y: npt.NDArray[np.float64],
    *,
    footprints: Targets,
    site_ids: Sequence[str],
    boundary: shapely.Geometry | None,
    exclusions: Mapping[str, npt.NDArray[np.object_]],
) -> npt.NDArray[np.intp]:
    """Return, for each candidate, the position of the first constraint excluding it (-1: none).

    Parameters
    ----------
    constraints
        Resolved constraints, in evaluation order.
    x, y
        Candidate centres in the metric CRS.
    footprints
        The site footprints prepared for the kernel, in the order of ``site_ids``.
    site_ids
        The site ids.
    boundary
        The study boundary (metric), or None.
    exclusions
        Exclusion layer name -> its polygons (metric).

    Returns
    -------
    numpy.ndarray
        ``-1`` for candidates no constraint excludes, else the position in
        ``constraints`` of the first that does.
    """
    first = np.full(len(x), -1, dtype=np.intp)
    position = {sid: j for j, sid in enumerate(site_ids)}
    for k, c in enumerate(constraints):
        todo = np.flatnonzero(first < 0)
        if not c.enabled or len(todo) == 0:
            continue
        px, py = x[todo], y[todo]
        if c.kind == "outside_boundary":
            if boundary is None:
                continue
            hit = ~shapely.intersects_xy(boundary, px, py)
        elif c.kind == "inside_site":
            hit = _in_any(footprints.geoms, px, py)
        elif c.kind == "exclusion":
            names = [c.layer] if c.layer else sorted(exclusions)
            geoms = np.concatenate([exclusions[n] for n in names])
            hit = _in_any(geoms, px, py)
        elif c.kind == "setback" and c.site is None:
            hit = np.zeros(len(todo), dtype=bool)
            assert c.distance_m is not None
            for _, idx, d in reach_pairs(footprints, px, py, c.distance_m):
                hit[idx[d < c.distance_m]] = True
        else:
            assert c.site is not None
            assert c.distance_m is not None
            d = target_distances(footprints, position[c.site], px, py)
            hit = d > c.distance_m if c.kind == "within" else d < c.distance_m
        first[todo[hit]] = k
    return first
