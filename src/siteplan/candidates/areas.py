"""The area each enabled constraint excludes, as polygons for maps (metric CRS).

Which candidates are excluded is decided exactly from their centres
(:mod:`siteplan.score.constraints`); these polygons only draw it: buffers of
:data:`siteplan.measure.pairs.QUAD_SEGS` segments per quarter circle, clipped
to the candidates' extent.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely

from siteplan.candidates.sites import boundary_geometry, exclusion_geometries
from siteplan.measure.pairs import QUAD_SEGS

if TYPE_CHECKING:
    from siteplan.analysis import Result
    from siteplan.score.constraints import Constraint

__all__ = ["excluded_areas"]


def excluded_areas(
    result: Result, constraints: Sequence[Constraint], extent: shapely.Polygon
) -> list[shapely.Geometry]:
    """Return, per enabled constraint (in order), the MultiPolygon it excludes within ``extent``.

    Parameters
    ----------
    result
        The study's analysis (sites, boundary and exclusion layers).
    constraints
        The constraints; disabled ones are skipped.
    extent
        The candidates' extent in the metric CRS; every area is clipped to it.
    """
    sites = result.sites_m.set_index("id")
    boundary = boundary_geometry(result)
    exclusions = exclusion_geometries(result)

    def footprint(site: str | None) -> Any:
        if site is None:
            return shapely.union_all(np.asarray(sites.geometry.array))
        return sites.geometry.loc[site]

    out: list[Any] = []
    for c in constraints:
        if not c.enabled:
            continue
        if c.kind == "outside_boundary":
            area = shapely.Polygon() if boundary is None else extent.difference(boundary)
        elif c.kind == "inside_site":
            area = footprint(None)
        elif c.kind == "exclusion":
            names = [c.layer] if c.layer else sorted(exclusions)
            area = shapely.union_all(np.concatenate([exclusions[n] for n in names]))
        else:
            assert c.distance_m is not None
            disc = shapely.buffer(footprint(c.site), c.distance_m, quad_segs=QUAD_SEGS)
            area = extent.difference(disc) if c.kind == "within" else disc
        out.append(_multipolygon(shapely.intersection(area, extent)))
    return out


def _multipolygon(geom: Any) -> Any:
    """Return the polygonal part of a geometry as one MultiPolygon (empty when none)."""
    polygons = [
        part
        for part in shapely.get_parts(shapely.get_parts(geom))
        if part.geom_type == "Polygon" and not part.is_empty
    ]
    return shapely.MultiPolygon(polygons)
