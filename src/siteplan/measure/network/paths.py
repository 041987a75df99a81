"""Origin-destination costs along the network.

:func:`od_costs` joins the origins and the destinations to the junction graph
(:mod:`.legs`) and searches from the smaller side (:mod:`.search`): from the
destinations on the reversed graph (travel TO them, as candidate scoring
needs), or from the origins on the forward graph. Two places on the same
chain may also travel directly along it.

Connectors are walked: their metres add to the distance and their walking
minutes to the time, in every mode.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from siteplan.errors import ParameterError
from siteplan.measure.network.graph import Cost, FloatArray, IntArray, Network
from siteplan.measure.network.legs import arrival_legs, departure_legs, same_chain
from siteplan.measure.network.search import convert, search_targets
from siteplan.measure.network.snap import Snapped

__all__ = ["ODCosts", "od_costs"]


@dataclass(frozen=True, eq=False)
class ODCosts:
    """Costs from every origin (rows) to every destination (columns).

    ``metres`` and ``minutes`` are measured along the path that is cheapest in
    ``cost``, connectors included; both are inf where the pair is unreachable
    (or beyond the cutoff). The unit not searched is worked out when it is
    first read (``other``), so a caller that needs one unit pays for one.
    """

    cost: Cost
    searched: FloatArray = field(repr=False)
    other: Callable[[], FloatArray] = field(repr=False)

    @cached_property
    def _other_values(self) -> FloatArray:
        return self.other()

    @property
    def metres(self) -> FloatArray:
        """Metres along each pair's path."""
        return self.searched if self.cost == "length" else self._other_values

    @property
    def minutes(self) -> FloatArray:
        """Minutes along each pair's path."""
        return self.searched if self.cost == "time" else self._other_values

    @property
    def reachable(self) -> np.ndarray[tuple[int, int], np.dtype[np.bool_]]:
        """Whether each pair can be travelled."""
        return np.isfinite(self.searched)


def od_costs(
    network: Network,
    origins: Snapped,
    destinations: Snapped,
    *,
    cost: Cost = "length",
    cutoff: float | None = None,
) -> ODCosts:
    """Return the travel costs from every origin to every destination.

    Parameters
    ----------
    network
        The graph (its mode decides directions and speeds).
    origins, destinations
        Places joined with :func:`~siteplan.measure.network.snap.snap_places`.
    cost
        ``"length"`` (shortest paths, metres) or ``"time"`` (fastest, minutes).
    cutoff
        Give up beyond this cost (in the cost's unit, connectors included):
        such pairs are inf. None searches the whole graph.

    Returns
    -------
    ODCosts
        ``metres`` and ``minutes``, shape (origins, destinations), inf where unreachable.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> from siteplan.load.network import NetworkParams
    >>> from siteplan.measure.network.graph import build_network
    >>> from siteplan.measure.network.snap import snap_places
    >>> roads = gpd.GeoDataFrame(
    ...     {"id": ["r"], "highway": [None], "oneway": [0], "maxspeed_kmh": [float("nan")]},
    ...     geometry=[shapely.LineString([(0, 0), (1000, 0)])], crs="EPSG:32651")
    >>> net = build_network(roads, "EPSG:32651", NetworkParams())
    >>> a = snap_places(net, [shapely.Point(100, 30)])
    >>> b = snap_places(net, [shapely.Point(900, -50)])
    >>> od = od_costs(net, a, b)
    >>> float(od.metres[0, 0]), round(float(od.minutes[0, 0]), 2)
    (880.0, 11.0)
    """
    if cost not in ("length", "time"):
        raise ParameterError(f"cost {cost!r} is not one of length, time")
    if cutoff is not None and not (cutoff >= 0):
        raise ParameterError(f"cutoff {cutoff!r} is not a number >= 0 (or None)")
    limit = np.inf if cutoff is None else float(cutoff)
    n_o, n_d = len(origins), len(destinations)
    if n_o == 0 or n_d == 0:
        empty = np.full((n_o, n_d), np.inf)
        return ODCosts(cost=cost, searched=empty, other=empty.copy)
    walk = network.walk_m_per_min
    # Connectors in the searched unit, added during the gather (no pass of their own).
    o_conn, d_conn = origins.connector_m, destinations.connector_m
    if cost == "time":
        o_conn, d_conn = o_conn / walk, d_conn / walk
    if n_d <= n_o:  # from the destinations on the reversed graph: rows are the origins
        net, net2 = search_targets(
            network,
            arrival_legs(network, destinations, cost),
            departure_legs(network, origins, cost),
            cost=cost,
            reverse=True,
            limit=limit,
            source_extra=d_conn,
            target_extra=o_conn,
        )
    else:
        net, net2 = search_targets(
            network,
            departure_legs(network, origins, cost),
            arrival_legs(network, destinations, cost),
            cost=cost,
            reverse=False,
            limit=limit,
            source_extra=o_conn,
            target_extra=d_conn,
        )
        net = np.ascontiguousarray(net.T)
        net2 = None if net2 is None else np.ascontiguousarray(net2.T)
    # net: the searched unit, connectors included; net2: the other unit without them
    # (None at one speed everywhere: then it is a conversion, made when first read).
    other: Cost = "time" if cost == "length" else "length"
    if net2 is not None:  # the other unit along the trees: unreached stays unreached
        net2[~np.isfinite(net)] = np.inf
        _add_connectors(net2, other, origins, destinations, walk)
    oi, di, direct, direct2 = same_chain(network, origins, destinations, cost)
    direct = direct + o_conn[oi] + d_conn[di]
    better = direct < net[oi, di]
    oi, di = oi[better], di[better]
    net[oi, di] = direct[better]
    direct2 = (
        direct2[better]
        + _connector_cost(origins, oi, other, walk)
        + _connector_cost(destinations, di, other, walk)
    )
    if np.isfinite(limit):
        np.copyto(net, np.inf, where=net > limit)
        direct2[~np.isfinite(net[oi, di])] = np.inf
    if net2 is not None:
        net2[oi, di] = direct2
        np.copyto(net2, np.inf, where=~np.isfinite(net))
        return ODCosts(cost=cost, searched=net, other=lambda: net2)

    def converted() -> FloatArray:
        values = _other_unit(network, net, cost, origins, destinations)
        values[oi, di] = direct2
        return values

    return ODCosts(cost=cost, searched=net, other=converted)


def _connector_cost(places: Snapped, index: IntArray, unit: Cost, walk: float) -> FloatArray:
    """Return the connectors of ``places[index]`` in ``unit`` (walked)."""
    metres = places.connector_m[index]
    return metres / walk if unit == "time" else metres


def _add_connectors(
    values: FloatArray, unit: Cost, origins: Snapped, destinations: Snapped, walk: float
) -> None:
    """Add the origins' (rows) and destinations' (columns) connectors in ``unit``, in place."""
    index_o, index_d = np.arange(len(origins)), np.arange(len(destinations))
    values += _connector_cost(origins, index_o, unit, walk)[:, None]
    values += _connector_cost(destinations, index_d, unit, walk)[None, :]


def _other_unit(
    network: Network, net: FloatArray, cost: Cost, origins: Snapped, destinations: Snapped
) -> FloatArray:
    """Return the other unit of costs at one speed on every segment, connectors walked.

    ``net`` holds network cost plus connectors in the searched unit. The network
    part converts by the speed; the connectors, walked, by the walking speed, so
    the difference is added per origin and per destination (nothing when the
    mode walks).
    """
    walk = network.walk_m_per_min
    other: Cost = "time" if cost == "length" else "length"
    out = convert(network, net, cost)
    for places, axis in ((origins, 1), (destinations, 0)):
        index = np.arange(len(places))
        walked = _connector_cost(places, index, other, walk)
        converted = convert(network, _connector_cost(places, index, cost, walk), cost)
        # An unreachable place (connector inf) has inf rows already: add nothing there.
        delta = np.subtract(walked, converted, out=np.zeros_like(walked), where=np.isfinite(walked))
        if np.any(np.abs(delta) > 0):
            out += np.expand_dims(delta, axis)
    return out
