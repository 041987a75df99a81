"""Origin-destination costs along the network with SciPy's compiled Dijkstra.

A place joins the network in the middle of a segment, so its segment is split
into two partial segments at the join point. The search side gets one virtual
node per place, linked to its segment's two nodes by the partial segments (in
the directions the segment may be travelled); the other side reads its costs
at its segment's two nodes plus its own partial segment. Two places on the
same segment may also travel directly along it.

The search runs from the smaller side: from the destinations on the reversed
graph (travel TO them, as candidate scoring needs), or from the origins on the
forward graph. ``scipy.sparse.csgraph.dijkstra`` runs with ``indices=`` (the
virtual nodes, a chunk at a time) and ``limit=`` (the cutoff). The other unit
(minutes along the shortest path, metres along the fastest) is read off the
same shortest-path tree by pointer doubling over the predecessors; with one
speed on every segment it is just a division.

Connectors are walked: their metres add to the distance and their walking
minutes to the time, in every mode.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
from scipy import sparse
from scipy.sparse import csgraph

from siteplan.errors import ParameterError
from siteplan.measure.network.graph import Cost, FloatArray, IntArray, Network, csr_graph
from siteplan.measure.network.snap import Snapped

__all__ = ["Legs", "ODCosts", "arrival_legs", "departure_legs", "od_costs", "search"]

_CHUNK: Final = 64
_TARGET_CHUNK: Final = 200_000


@dataclass(frozen=True, eq=False)
class ODCosts:
    """Costs from every origin (rows) to every destination (columns).

    ``metres`` and ``minutes`` are measured along the path that is cheapest in
    ``cost``, connectors included; both are inf where the pair is unreachable
    (or beyond the cutoff).
    """

    metres: FloatArray
    minutes: FloatArray
    cost: Cost

    @property
    def reachable(self) -> np.ndarray[tuple[int, int], np.dtype[np.bool_]]:
        """Whether each pair can be travelled."""
        return np.isfinite(self.metres)


@dataclass(frozen=True, eq=False)
class Legs:
    """The two partial segments between places and their segment's nodes.

    ``node`` (k, 2): the segment's first and second node; ``primary`` and
    ``secondary`` (k, 2): the partial segment's cost in the searched unit and
    in the other one, inf where the direction may not be travelled or the place
    is unreachable.
    """

    node: IntArray
    primary: FloatArray
    secondary: FloatArray


def _legs(network: Network, snapped: Snapped, cost: Cost, *, leaving: bool) -> Legs:
    seg = np.where(snapped.reachable, snapped.segment, 0)
    t = np.where(snapped.reachable, snapped.fraction, 0.0)
    node = np.stack([network.seg_u[seg], network.seg_v[seg]], axis=1)
    frac = np.stack([t, 1.0 - t], axis=1)
    fwd, bwd = network.seg_forward[seg], network.seg_backward[seg]
    # Leaving the place: to the first node runs backward, to the second forward.
    # Arriving: from the first node runs forward, from the second backward.
    allowed = np.stack([bwd, fwd] if leaving else [fwd, bwd], axis=1)
    allowed &= snapped.reachable[:, None]
    other: Cost = "time" if cost == "length" else "length"
    primary = np.where(allowed, frac * network.seg_cost(cost)[seg, None], np.inf)
    secondary = np.where(allowed, frac * network.seg_cost(other)[seg, None], np.inf)
    return Legs(node=node, primary=primary, secondary=secondary)


def departure_legs(network: Network, snapped: Snapped, cost: Cost = "length") -> Legs:
    """Return the legs from places onto their segments' nodes."""
    return _legs(network, snapped, cost, leaving=True)


def arrival_legs(network: Network, snapped: Snapped, cost: Cost = "length") -> Legs:
    """Return the legs from segments' nodes to the places on them."""
    return _legs(network, snapped, cost, leaving=False)


def _graph(
    network: Network, cost: Cost, *, reverse: bool
) -> tuple[IntArray, IntArray, FloatArray, FloatArray]:
    tail, head, primary, secondary = network.arcs(cost)
    return (head, tail, primary, secondary) if reverse else (tail, head, primary, secondary)


def search(
    network: Network,
    sources: Legs,
    targets: Legs,
    *,
    cost: Cost,
    reverse: bool,
    limit: float = np.inf,
    with_secondary: bool = True,
) -> tuple[FloatArray, FloatArray]:
    """Return network costs (sources x targets) in the searched and the other unit.

    ``sources`` are the virtual nodes' legs (on the reversed graph when
    ``reverse``), ``targets`` are read at their segments' nodes. Connectors and
    same-segment travel are not included.
    """
    n = network.n_nodes
    k = sources.node.shape[0]
    tail, head, primary, secondary = _graph(network, cost, reverse=reverse)
    ok = np.isfinite(sources.primary)
    virtual = n + np.repeat(np.arange(k), 2).reshape(k, 2)
    tail = np.concatenate([tail, virtual[ok]])
    head = np.concatenate([head, sources.node[ok]])
    primary = np.concatenate([primary, sources.primary[ok]])
    secondary = np.concatenate([secondary, sources.secondary[ok]])
    matrix, second = csr_graph(n + k, tail, head, primary, secondary)
    need_tree = with_secondary and not network.uniform_speed
    out = np.full((k, targets.node.shape[0]), np.inf)
    out2 = np.full_like(out, np.inf)
    for start in range(0, k, _CHUNK):
        rows = np.arange(start, min(start + _CHUNK, k))
        result = csgraph.dijkstra(
            matrix, directed=True, indices=n + rows, limit=limit, return_predecessors=need_tree
        )
        dist, pred = result if need_tree else (result, None)
        acc = None if pred is None else _accumulate(matrix, second, pred)
        for lo in range(0, targets.node.shape[0], _TARGET_CHUNK):
            sl = slice(lo, lo + _TARGET_CHUNK)
            via = dist[:, targets.node[sl]] + targets.primary[sl][None, :, :]
            pick = np.argmin(via, axis=2)
            best = np.take_along_axis(via, pick[..., None], axis=2)[..., 0]
            out[rows, sl] = best
            if acc is not None:
                via2 = acc[:, targets.node[sl]] + targets.secondary[sl][None, :, :]
                out2[rows, sl] = np.take_along_axis(via2, pick[..., None], axis=2)[..., 0]
    if with_secondary and not need_tree:
        out2 = _convert(network, out, cost)
    out2[~np.isfinite(out)] = np.inf
    return out, out2


def _convert(network: Network, values: FloatArray, cost: Cost) -> FloatArray:
    """Convert costs at one speed on every segment to the other unit."""
    m_per_min = float(network.seg_kmh[0]) * 1000.0 / 60.0 if network.n_segments else 1.0
    return values / m_per_min if cost == "length" else values * m_per_min


def _accumulate(matrix: sparse.csr_matrix, second: FloatArray, pred: IntArray) -> FloatArray:
    """Sum the other unit's costs along each shortest-path tree (pointer doubling).

    ``pred`` (rows, nodes) is Dijkstra's predecessor array; the result holds,
    per row and node, the sum of ``second`` over the tree path from the source.
    """
    n = matrix.shape[0]
    ptr = pred.astype(np.int64)
    has = ptr >= 0
    # The weight of each tree arc pred[x] -> x, looked up in the sorted CSR keys.
    keys = np.repeat(np.arange(n, dtype=np.int64), np.diff(matrix.indptr)) * n + matrix.indices
    query = np.where(has, ptr, 0) * n + np.arange(n, dtype=np.int64)[None, :]
    pos = np.clip(np.searchsorted(keys, query), 0, keys.shape[0] - 1)
    acc = np.where(has, second[pos], 0.0)
    rows = np.arange(ptr.shape[0])[:, None]
    while has.any():
        safe = np.where(has, ptr, 0)
        acc = acc + np.where(has, acc[rows, safe], 0.0)
        ptr = np.where(has, ptr[rows, safe], -9999)
        has = ptr >= 0
    return acc


def _same_segment(
    network: Network, origins: Snapped, destinations: Snapped, cost: Cost
) -> tuple[IntArray, IntArray, FloatArray, FloatArray]:
    """Return (origin, destination, cost, other cost) of direct travel on a shared segment."""
    o_seg = np.where(origins.reachable, origins.segment, -1)
    d_seg = np.where(destinations.reachable, destinations.segment, -2)
    d_order = np.argsort(d_seg, kind="stable")
    d_sorted = d_seg[d_order]
    lo = np.searchsorted(d_sorted, o_seg, side="left")
    hi = np.searchsorted(d_sorted, o_seg, side="right")
    counts = hi - lo
    oi = np.repeat(np.arange(o_seg.shape[0]), counts)
    within = np.arange(oi.shape[0]) - np.repeat(np.cumsum(counts) - counts, counts)
    di = d_order[np.repeat(lo, counts) + within]
    seg = o_seg[oi]
    delta = destinations.fraction[di] - origins.fraction[oi]
    allowed = np.where(delta >= 0, network.seg_forward[seg], network.seg_backward[seg])
    other: Cost = "time" if cost == "length" else "length"
    primary = np.where(allowed, np.abs(delta) * network.seg_cost(cost)[seg], np.inf)
    secondary = np.where(allowed, np.abs(delta) * network.seg_cost(other)[seg], np.inf)
    return oi, di, primary, secondary


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
        return ODCosts(metres=empty, minutes=empty.copy(), cost=cost)
    if n_d <= n_o:
        net, net2 = search(
            network,
            arrival_legs(network, destinations, cost),
            departure_legs(network, origins, cost),
            cost=cost,
            reverse=True,
            limit=limit,
        )
        net, net2 = net.T, net2.T
    else:
        net, net2 = search(
            network,
            departure_legs(network, origins, cost),
            arrival_legs(network, destinations, cost),
            cost=cost,
            reverse=False,
            limit=limit,
        )
    oi, di, direct, direct2 = _same_segment(network, origins, destinations, cost)
    better = direct < net[oi, di]
    net[oi[better], di[better]] = direct[better]
    net2[oi[better], di[better]] = direct2[better]
    conn = origins.connector_m[:, None] + destinations.connector_m[None, :]
    conn_min = conn / network.walk_m_per_min
    if cost == "length":
        metres, minutes = net + conn, net2 + conn_min
    else:
        metres, minutes = net2 + conn, net + conn_min
    total = metres if cost == "length" else minutes
    gone = ~np.isfinite(net) | (total > limit)
    metres[gone] = np.inf
    minutes[gone] = np.inf
    return ODCosts(metres=metres, minutes=minutes, cost=cost)
