"""Origin-destination costs along the network with SciPy's compiled Dijkstra.

Searches run on the junction graph (:mod:`.chains`: each chain of segments
between two junctions is one arc). A place joins the network in the middle of
a segment, so its chain is split into two partial chains at the join point.
The search side gets one virtual node per place, linked to its chain's two
junctions by the partial chains (in the directions the chain may be
travelled); the other side reads its costs at its chain's two junctions plus
its own partial chain. Two places on the same chain may also travel directly
along it.

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
from siteplan.measure.network.chains import Chains, chains_of
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
    chains = chains_of(network)
    other: Cost = "time" if cost == "length" else "length"
    seg = np.where(snapped.reachable, snapped.segment, 0)
    t = np.where(snapped.reachable, snapped.fraction, 0.0)
    chain = chains.seg_chain[seg]
    node = np.stack([chains.start[chain], chains.end[chain]], axis=1)
    fwd, bwd = chains.forward[chain], chains.backward[chain]
    # Leaving the place: to the chain's start runs backward, to its end forward.
    # Arriving: from the start runs forward, from the end backward.
    allowed = np.stack([bwd, fwd] if leaving else [fwd, bwd], axis=1)
    allowed &= snapped.reachable[:, None]
    out = []
    for unit in (cost, other):
        pos = _position(chains, seg, t, unit)
        part = np.stack([pos, chains.total[unit][chain] - pos], axis=1)
        out.append(np.where(allowed, part, np.inf))
    return Legs(node=node, primary=out[0], secondary=out[1])


def _position(chains: Chains, seg: IntArray, t: FloatArray, unit: str) -> FloatArray:
    """Return the cost from the chain's start to fraction ``t`` of each segment."""
    pos_u, pos_v = chains.pos_u[unit][seg], chains.pos_v[unit][seg]
    return np.asarray(pos_u + t * (pos_v - pos_u), dtype=float)


def departure_legs(network: Network, snapped: Snapped, cost: Cost = "length") -> Legs:
    """Return the legs from places to their chains' two junctions."""
    return _legs(network, snapped, cost, leaving=True)


def arrival_legs(network: Network, snapped: Snapped, cost: Cost = "length") -> Legs:
    """Return the legs from the chains' two junctions to the places on them."""
    return _legs(network, snapped, cost, leaving=False)


def _graph(
    network: Network, cost: Cost, *, reverse: bool
) -> tuple[IntArray, IntArray, FloatArray, FloatArray]:
    """Return the junction graph's arcs: one per chain and allowed direction."""
    chains = chains_of(network)
    other: Cost = "time" if cost == "length" else "length"
    real = chains.start != chains.end  # a loop back to its own junction never helps
    fwd, bwd = chains.forward & real, chains.backward & real
    tail = np.concatenate([chains.start[fwd], chains.end[bwd]])
    head = np.concatenate([chains.end[fwd], chains.start[bwd]])
    primary = np.concatenate([chains.total[cost][fwd], chains.total[cost][bwd]])
    secondary = np.concatenate([chains.total[other][fwd], chains.total[other][bwd]])
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
    n = chains_of(network).n_junctions
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
    t_node, t_prim, t_sec = targets.node, targets.primary, targets.secondary
    for start in range(0, k, _CHUNK):
        rows = slice(start, min(start + _CHUNK, k))
        result = csgraph.dijkstra(
            matrix,
            directed=True,
            indices=n + np.arange(rows.start, rows.stop),
            limit=limit,
            return_predecessors=need_tree,
        )
        dist, pred = result if need_tree else (result, None)
        acc = None if pred is None else _accumulate(matrix, second, pred)
        for lo in range(0, t_node.shape[0], _TARGET_CHUNK):
            sl = slice(lo, lo + _TARGET_CHUNK)
            # Through the chain's start or its end, whichever is cheaper.
            via0 = dist[:, t_node[sl, 0]] + t_prim[sl, 0]
            via1 = dist[:, t_node[sl, 1]] + t_prim[sl, 1]
            if acc is None:
                np.minimum(via0, via1, out=out[rows, sl])
                continue
            pick = via1 < via0
            out[rows, sl] = np.where(pick, via1, via0)
            out2[rows, sl] = np.where(
                pick,
                acc[:, t_node[sl, 1]] + t_sec[sl, 1],
                acc[:, t_node[sl, 0]] + t_sec[sl, 0],
            )
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


def _same_chain(
    network: Network, origins: Snapped, destinations: Snapped, cost: Cost
) -> tuple[IntArray, IntArray, FloatArray, FloatArray]:
    """Return (origin, destination, cost, other cost) of direct travel along a shared chain."""
    chains = chains_of(network)
    o_seg = np.where(origins.reachable, origins.segment, 0)
    d_seg = np.where(destinations.reachable, destinations.segment, 0)
    o_chain = np.where(origins.reachable, chains.seg_chain[o_seg], -1)
    d_chain = np.where(destinations.reachable, chains.seg_chain[d_seg], -2)
    d_order = np.argsort(d_chain, kind="stable")
    d_sorted = d_chain[d_order]
    lo = np.searchsorted(d_sorted, o_chain, side="left")
    hi = np.searchsorted(d_sorted, o_chain, side="right")
    counts = hi - lo
    oi = np.repeat(np.arange(o_chain.shape[0]), counts)
    within = np.arange(oi.shape[0]) - np.repeat(np.cumsum(counts) - counts, counts)
    di = d_order[np.repeat(lo, counts) + within]
    chain = o_chain[oi]
    other: Cost = "time" if cost == "length" else "length"
    out = []
    for unit in (cost, other):
        o_pos = _position(chains, o_seg[oi], origins.fraction[oi], unit)
        d_pos = _position(chains, d_seg[di], destinations.fraction[di], unit)
        out.append(d_pos - o_pos)
    allowed = np.where(out[0] >= 0, chains.forward[chain], chains.backward[chain])
    primary = np.where(allowed, np.abs(out[0]), np.inf)
    secondary = np.where(allowed, np.abs(out[1]), np.inf)
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
    oi, di, direct, direct2 = _same_chain(network, origins, destinations, cost)
    better = direct < net[oi, di]
    net[oi[better], di[better]] = direct[better]
    net2[oi[better], di[better]] = direct2[better]
    metres, minutes = (net, net2) if cost == "length" else (net2, net)
    gone = ~np.isfinite(net)
    metres += origins.connector_m[:, None]
    metres += destinations.connector_m[None, :]
    walk = network.walk_m_per_min
    minutes += origins.connector_m[:, None] / walk
    minutes += destinations.connector_m[None, :] / walk
    if np.isfinite(limit):
        gone |= (metres if cost == "length" else minutes) > limit
    metres[gone] = np.inf
    minutes[gone] = np.inf
    return ODCosts(metres=metres, minutes=minutes, cost=cost)
