"""The access result: coverage, catchments, nearest sites and an index, from one cost matrix.

:func:`analyze_access` is the one entry point: it takes the cost matrix (demand points x
sites, in the measure's unit, ``inf`` where unreachable) with the ids, demand and supply, and
returns an immutable :class:`AccessResult`, whose :meth:`AccessResult.to_dict` is the JSON
contract of ``siteplan access -f json``::

    {"study", "crs", "parameters",
     "coverage": [{"ring", "demand", "share"}],
     "sites": [{"id", "catchment": {ring: demand}, "nearest_demand", "supply", "ratio"}],
     "demand": [{"id", "nearest_id", "nearest_<unit>", "index", "demand"}],
     "warnings", "caveat"}

``ring`` and the catchment keys are in ``parameters.unit``; ``share`` is in [0, 1];
``nearest_id`` and ``nearest_<unit>`` are null for a demand point that reaches no site, whose
index is 0; ``ratio`` (R_j) is null for the gravity index.

Examples
--------
>>> import numpy as np
>>> from siteplan.score.decay import make_decay
>>> res = analyze_access(
...     np.array([[100.0, 900.0], [400.0, np.inf]]),
...     demand_ids=["d1", "d2"], demand=[10, 30], site_ids=["a", "b"],
...     decay=make_decay("rings"), rings=[500, 1000], study="toy", crs="EPSG:32651")
>>> res.to_dict()["coverage"]
[{'ring': 500.0, 'demand': 40.0, 'share': 1.0}, {'ring': 1000.0, 'demand': 40.0, 'share': 1.0}]
>>> res.to_dict()["demand"][1]
{'id': 'd2', 'nearest_id': 'a', 'nearest_m': 400.0, 'index': 0.025, 'demand': 30.0}
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from siteplan._values import json_value
from siteplan.access._arrays import FloatArray, check_cost, check_rings, check_values
from siteplan.access.coverage import Coverage, coverage
from siteplan.access.indices import IndexValues, accessibility
from siteplan.errors import ParameterError
from siteplan.score.decay import DecayFunction

__all__ = ["DEFAULT_INDEX", "AccessResult", "analyze_access", "ring_label"]

DEFAULT_INDEX: Final = "2sfca"
_UNITS: Final = ("m", "min")


def ring_label(ring: float) -> str:
    """Return a ring radius as a JSON object key: ``500`` or ``2.5``."""
    value = float(ring)
    return f"{value:.0f}" if value.is_integer() else repr(value)


@dataclass(frozen=True)
class AccessResult:
    """Who is served: everything ``siteplan access`` reports, computed once.

    Attributes
    ----------
    study, crs : str
        The study's name and metric CRS.
    parameters : dict
        ``index``, ``unit``, ``rings_<unit>``, ``threshold_<unit>`` (2sfca), ``decay`` and its
        parameters, ``total_demand``, plus what the caller adds (measure, mode, ...).
    site_ids, demand_ids : tuple of str
        Column and row ids of the cost matrix.
    demand, supply : numpy.ndarray
        P_i per demand point, S_j per site.
    coverage : Coverage
        Cumulative coverage, catchments and nearest sites.
    index : IndexValues
        The accessibility index per demand point and R_j per site.
    warnings : tuple of str
        Unreachable demand, sites with an empty catchment, zero demand.
    caveat : str
        What the numbers do not say (placement, measure).
    """

    study: str
    crs: str
    parameters: dict[str, Any]
    site_ids: tuple[str, ...]
    demand_ids: tuple[str, ...]
    demand: FloatArray
    supply: FloatArray
    coverage: Coverage
    index: IndexValues
    warnings: tuple[str, ...]
    caveat: str

    @property
    def unit(self) -> str:
        """The measure's unit: ``m`` or ``min``."""
        return str(self.parameters["unit"])

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON report (DESIGN.md's access contract), full precision."""
        unit = self.unit
        cov = self.coverage
        ratios = self.index.ratios
        sites = [
            {
                "id": site_id,
                "catchment": {
                    ring_label(r): float(cov.catchment[j, k]) for k, r in enumerate(cov.rings)
                },
                "nearest_demand": float(cov.nearest_demand[j]),
                "supply": float(self.supply[j]),
                "ratio": None if ratios is None else float(ratios[j]),
            }
            for j, site_id in enumerate(self.site_ids)
        ]
        demand = [
            {
                "id": demand_id,
                "nearest_id": (self.site_ids[cov.nearest[i]] if cov.nearest[i] >= 0 else None),
                f"nearest_{unit}": (float(cov.nearest_cost[i]) if cov.nearest[i] >= 0 else None),
                "index": float(self.index.values[i]),
                "demand": float(self.demand[i]),
            }
            for i, demand_id in enumerate(self.demand_ids)
        ]
        out: dict[str, Any] = json_value(
            {
                "study": self.study,
                "crs": self.crs,
                "parameters": self.parameters,
                "coverage": [
                    {"ring": float(r), "demand": float(c), "share": float(s)}
                    for r, c, s in zip(cov.rings, cov.covered, cov.share, strict=True)
                ],
                "sites": sites,
                "demand": demand,
                "warnings": list(self.warnings),
                "caveat": self.caveat,
            }
        )
        return out


def analyze_access(
    cost: npt.ArrayLike,
    *,
    demand_ids: Sequence[str],
    demand: npt.ArrayLike,
    site_ids: Sequence[str],
    supply: npt.ArrayLike | None = None,
    index: str = DEFAULT_INDEX,
    decay: DecayFunction,
    rings: Sequence[float],
    threshold: float | None = None,
    unit: str = "m",
    study: str = "",
    crs: str = "",
    extra_parameters: dict[str, Any] | None = None,
    caveat: str | None = None,
) -> AccessResult:
    """Compute coverage, catchments, nearest sites and an accessibility index.

    Parameters
    ----------
    cost
        Demand points x sites, in ``unit``; inf where a site cannot be reached.
    demand_ids, site_ids
        One id per row, one per column.
    demand
        P_i per demand point (>= 0).
    supply
        S_j per site (>= 0): capacities; None for 1 each.
    index
        ``gravity``, ``2sfca`` (default) or ``e2sfca`` (formulas in
        :mod:`siteplan.access.indices`).
    decay
        The study's decay function.
    rings
        Ring radii in ``unit``, increasing.
    threshold
        2SFCA's d0 in ``unit``; None for the first ring.
    unit
        ``m`` or ``min``: names the fields (``nearest_m``, ``rings_min``, ...).
    study, crs
        Copied into the result.
    extra_parameters
        Added to ``parameters`` (e.g. ``measure``, ``mode``).
    caveat
        What the numbers do not say; None for the default sentence.

    Returns
    -------
    AccessResult
        Immutable; ``to_dict()`` gives the JSON report.

    Raises
    ------
    ParameterError
        For a bad index, unit, cost matrix, demand, supply, ids or rings.
    """
    if unit not in _UNITS:
        raise ParameterError(f"unit {unit!r} is not one of {', '.join(_UNITS)}")
    matrix = check_cost(cost)
    n_demand, n_sites = matrix.shape
    if len(demand_ids) != n_demand:
        raise ParameterError(
            f"demand_ids must hold one id per row of the cost matrix ({n_demand}), "
            f"got {len(demand_ids)}"
        )
    demand_v = check_values(demand, n_demand, "demand")
    supply_v = (
        np.ones(n_sites, dtype=np.float64)
        if supply is None
        else check_values(supply, n_sites, "supply")
    )
    radii = check_rings(rings, f"rings_{unit}")
    cov = coverage(matrix, demand_v, list(site_ids), radii.tolist())
    values = accessibility(
        index, matrix, demand_v, supply_v, decay=decay, rings=radii.tolist(), threshold=threshold
    )
    parameters: dict[str, Any] = {
        "index": index,
        "unit": unit,
        f"rings_{unit}": radii.tolist(),
        "decay": decay.kind,
        **decay.params,
        "total_demand": cov.total,
    }
    if index == "2sfca":
        parameters[f"threshold_{unit}"] = float(radii[0] if threshold is None else threshold)
    parameters.update(extra_parameters or {})
    for array in (demand_v, supply_v):
        array.flags.writeable = False
    return AccessResult(
        study=study,
        crs=crs,
        parameters=parameters,
        site_ids=tuple(str(s) for s in site_ids),
        demand_ids=tuple(str(d) for d in demand_ids),
        demand=demand_v,
        supply=supply_v,
        coverage=cov,
        index=values,
        warnings=tuple(_warnings(cov, demand_v, list(site_ids), unit)),
        caveat=_default_caveat(unit) if caveat is None else caveat,
    )


def _warnings(cov: Coverage, demand: FloatArray, site_ids: list[str], unit: str) -> list[str]:
    notes = []
    if cov.total == 0:
        notes.append("the total demand is 0: every share is 0 and every 2SFCA ratio is 0")
    unreachable = cov.nearest < 0
    if unreachable.any():
        notes.append(
            f"{int(unreachable.sum())} demand point(s) holding "
            f"{float(demand[unreachable].sum()):g} demand reach no site: index 0, nearest null"
        )
    last = cov.catchment[:, -1] if cov.catchment.size else np.zeros(len(site_ids))
    empty = [site_ids[j] for j in np.flatnonzero(last == 0)]
    if empty:
        notes.append(
            f"no demand within {ring_label(float(cov.rings[-1]))} {unit} of site(s) "
            f"{', '.join(map(str, empty))}"
        )
    return notes


def _default_caveat(unit: str) -> str:
    what = "travel times in minutes" if unit == "min" else "distances in metres"
    return (
        f"Costs are {what} from each demand point to each site. A demand feature counts as one "
        "point (a polygon at its centroid unless spread over a grid); where demand is placed "
        "schematically, its distribution inside each area is not known, so coverage and "
        "indices are estimates at that resolution."
    )
