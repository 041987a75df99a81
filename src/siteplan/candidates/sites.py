"""The study's sites and exclusion layers as candidate scoring sees them (metric CRS)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias

import numpy as np
import numpy.typing as npt
import shapely

from siteplan.measure._kernel import Targets, prepare_targets

if TYPE_CHECKING:
    from siteplan.analysis import Result

__all__ = ["SiteTargets", "boundary_geometry", "exclusion_geometries", "site_targets"]

FloatArray: TypeAlias = npt.NDArray[np.float64]


@dataclass(frozen=True)
class SiteTargets:
    """The sites in id order, prepared for the distance kernel.

    Attributes
    ----------
    ids
        The site ids, sorted.
    footprints
        The footprints (for the constraints).
    scoring
        What scores follow: the footprints (``edge`` measure) or their centroids.
    weights
        The sites' weights.
    """

    ids: tuple[str, ...]
    footprints: Targets
    scoring: Targets
    weights: FloatArray


def site_targets(result: Result) -> SiteTargets:
    """Return the study's sites (sorted by id) as the kernel sees them."""
    sites = result.sites_m.sort_values("id", kind="stable", ignore_index=True)
    ids = tuple(str(v) for v in sites["id"])
    geoms = np.asarray(sites.geometry.array, dtype=object)
    footprints = prepare_targets(geoms)
    scoring = (
        footprints
        if result.parameters.measure == "edge"
        else prepare_targets(shapely.centroid(geoms))
    )
    weights = sites["weight"].to_numpy(dtype=float)
    return SiteTargets(ids=ids, footprints=footprints, scoring=scoring, weights=weights)


def exclusion_geometries(result: Result) -> dict[str, npt.NDArray[np.object_]]:
    """Return the exclusion layers' geometries (metric CRS) by layer name, sorted."""
    frame = result.data.exclusions
    if frame is None:
        return {}
    metric = frame.to_crs(result.crs)
    return {
        str(name): np.asarray(group.geometry.array, dtype=object)
        for name, group in metric.groupby("layer", sort=True)
    }


def boundary_geometry(result: Result) -> shapely.Geometry | None:
    """Return the study boundary as one geometry in the metric CRS, or None."""
    if result.data.boundary is None:
        return None
    return shapely.union_all(np.asarray(result.data.boundary.to_crs(result.crs).geometry.array))
