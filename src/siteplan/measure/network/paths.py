"""Origin-destination costs along the network with SciPy's compiled Dijkstra.

Searches run on the junction graph (:mod:`.chains`: each chain of segments
between two junctions is one arc). A place joins the network in the middle of
a segment, so its chain is split into two partial chains at the join point.
The search side gets one virtual node per place, linked to its chain's two
junctions by the partial chains (in the directions the chain may be
travelled); the other side reads its costs at its chain's two junctions plus
its own partial chain. Two places on the same chain may also travel directly
along it. Dead-end trees that no search starts in are left out of the search
graph and their junctions' costs filled in from their parents (:mod:`.trees`).

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

import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Final

import numpy as np
from scipy import sparse
from scipy.sparse import csgraph

from siteplan.errors import ParameterError
from siteplan.measure.network.chains import Chains, chains_of
from siteplan.measure.network.graph import (
    BoolArray,
    Cost,
    FloatArray,
    IntArray,
    Network,
    csr_graph,
)
from siteplan.measure.network.snap import Snapped
from siteplan.measure.network.trees import arc_lookup, fill, pruned_for, trees_of

__all__ = ["Legs", "ODCosts", "arrival_legs", "departure_legs", "od_costs", "search"]

_Pair = tuple[FloatArray, FloatArray]
_Arcs = tuple[IntArray, IntArray, FloatArray, FloatArray]
#: Distances held per Dijkstra call (sources x nodes): 32 MB.
_SEARCH_CELLS: Final = 4_000_000
#: Cells gathered per step (targets x sources): 64 kB temporaries, cache-sized.
_GATHER_CELLS: Final = 32768
#: Per network and (cost, reverse): the sorted junction arcs.
_ARCS: weakref.WeakKeyDictionary[Network, dict[tuple[str, bool], _Arcs]]
_ARCS = weakref.WeakKeyDictionary()
#: Per network and (cost, reverse): each tree junction's arc from its parent.
_TREE_ARCS: weakref.WeakKeyDictionary[Network, dict[tuple[str, bool], _Pair]]
_TREE_ARCS = weakref.WeakKeyDictionary()


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
    same-segment travel are not included. (A view of :func:`_search_targets`,
    which lays the result out by target.)
    """
    out, out2 = _search_targets(network, sources, targets, cost=cost, reverse=reverse, limit=limit)
    if not with_secondary:
        out2 = np.full_like(out, np.inf)
    elif out2 is None:
        out2 = _convert(network, out, cost)
    else:
        out2[~np.isfinite(out)] = np.inf
    return out.T, out2.T


def _search_targets(
    network: Network,
    sources: Legs,
    targets: Legs,
    *,
    cost: Cost,
    reverse: bool,
    limit: float = np.inf,
    source_extra: FloatArray | None = None,
    target_extra: FloatArray | None = None,
) -> tuple[FloatArray, FloatArray | None]:
    """Return costs (targets x sources), C-ordered, in the searched and the other unit.

    One Dijkstra per chunk of sources (``limit=`` the cutoff); each target's
    cost is the cheaper of its chain's two junctions plus its partial chain,
    gathered by rows of the transposed distances (contiguous reads) and
    minimised in place. ``source_extra`` (per source) and ``target_extra``
    (per target) are added to the searched unit's costs on the way (the
    connectors); the other unit gets none of them. The other unit is None
    when every segment has one speed (it is then a conversion).
    """
    chains = chains_of(network)
    n = chains.n_junctions
    k, n_t = sources.node.shape[0], targets.node.shape[0]
    ok = np.isfinite(sources.primary)
    trees = trees_of(chains)
    pruned = pruned_for(trees, sources.node[ok])
    weight = _tree_arcs(network, cost, reverse)
    matrix, second = _search_graph(network, cost, reverse, sources, pruned)
    need_tree = not network.uniform_speed
    out = np.empty((n_t, k))
    out2 = np.empty((n_t, k)) if need_tree else None
    t_node, t_prim, t_sec = targets.node, targets.primary, targets.secondary
    if target_extra is not None:
        t_prim = t_prim + target_extra[:, None]
    step = max(1, min(k, _SEARCH_CELLS // max(n + k, 1)))
    for start in range(0, k, step):
        cols = slice(start, min(start + step, k))
        result = csgraph.dijkstra(
            matrix,
            directed=True,
            indices=n + np.arange(cols.start, cols.stop),
            limit=limit,
            return_predecessors=need_tree,
        )
        dist, pred = result if need_tree else (result, None)
        # Junction rows, source columns: a target's row is one contiguous read.
        by_node = np.ascontiguousarray(dist[:, :n].T)
        acc = None
        if pred is not None:
            acc = np.ascontiguousarray(_accumulate(matrix, second, pred)[:, :n].T)
        fill(trees, pruned, weight, by_node, acc=acc, limit=limit)
        if source_extra is not None:
            by_node += source_extra[None, cols]
        _gather(
            by_node,
            acc,
            node=t_node,
            prim=t_prim,
            sec=t_sec,
            out=out[:, cols],
            out2=None if out2 is None else out2[:, cols],
        )
    return out, out2


def _junction_arcs(network: Network, cost: Cost, reverse: bool) -> _Arcs:
    """Return the junction graph's arcs, cheapest of parallels, sorted by (tail, head).

    Built once per network, unit and direction.
    """
    cache = _ARCS.setdefault(network, {})
    key = (cost, reverse)
    if key not in cache:
        tail, head, primary, secondary = _graph(network, cost, reverse=reverse)
        n = chains_of(network).n_junctions
        matrix, second = csr_graph(n, tail, head, primary, secondary)
        tail = np.repeat(np.arange(n, dtype=np.int64), np.diff(matrix.indptr))
        head = matrix.indices.astype(np.int64)
        cache[key] = (tail, head, np.asarray(matrix.data, dtype=float), second)
    return cache[key]


def _tree_arcs(network: Network, cost: Cost, reverse: bool) -> _Pair:
    """Return each tree junction's arc from its parent (both units), once per graph."""
    cache = _TREE_ARCS.setdefault(network, {})
    key = (cost, reverse)
    if key not in cache:
        chains = chains_of(network)
        parent = trees_of(chains).parent
        below = np.flatnonzero(parent >= 0)
        w1, w2 = np.full(chains.n_junctions, np.inf), np.full(chains.n_junctions, np.inf)
        arcs = _junction_arcs(network, cost, reverse)
        w1[below], w2[below] = arc_lookup(chains.n_junctions, arcs, parent[below], below)
        cache[key] = (w1, w2)
    return cache[key]


def _search_graph(
    network: Network, cost: Cost, reverse: bool, sources: Legs, pruned: BoolArray
) -> tuple[sparse.csr_matrix, FloatArray]:
    """Return the CSR search graph: the junctions left unpruned, then one node per source.

    The junction arcs come sorted from :func:`_junction_arcs`; the sources'
    virtual nodes (``n + i``) follow in order, each with its (at most two)
    legs, so the CSR arrays are assembled without a sort.
    """
    tail, head, primary, secondary = _junction_arcs(network, cost, reverse)
    n, k = pruned.shape[0], sources.node.shape[0]
    kept = ~(pruned[tail] | pruned[head])
    node, prim, sec = sources.node, sources.primary, sources.secondary
    # A source's two legs in column order; two legs to one junction (a loop) keep the cheaper.
    swap = node[:, 0] > node[:, 1]
    node = np.where(swap[:, None], node[:, ::-1], node)
    prim = np.where(swap[:, None], prim[:, ::-1], prim)
    sec = np.where(swap[:, None], sec[:, ::-1], sec)
    one = node[:, 0] == node[:, 1]
    first = prim[:, 0] <= prim[:, 1]
    prim, sec = prim.copy(), sec.copy()
    prim[one & first, 1] = np.inf
    prim[one & ~first, 0] = np.inf
    ok = np.isfinite(prim)
    virtual = n + np.repeat(np.arange(k, dtype=np.int64), 2).reshape(k, 2)
    rows = np.concatenate([tail[kept], virtual[ok]])
    indptr = np.zeros(n + k + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n + k), out=indptr[1:])
    matrix = sparse.csr_matrix(
        (np.concatenate([primary[kept], prim[ok]]), np.concatenate([head[kept], node[ok]]), indptr),
        shape=(n + k, n + k),
    )
    return matrix, np.concatenate([secondary[kept], sec[ok]])


def _gather(
    by_node: FloatArray,
    acc: FloatArray | None,
    *,
    node: IntArray,
    prim: FloatArray,
    sec: FloatArray,
    out: FloatArray,
    out2: FloatArray | None,
) -> None:
    """Write each target's cost through the cheaper of its chain's two junctions.

    ``by_node`` (junctions x sources); ``out`` (targets x sources) may be a
    column slice. With ``acc`` (the other unit along the same tree) ``out2``
    gets the other unit through the junction ``out`` chose.
    """
    width = by_node.shape[1]
    rows = max(1, _GATHER_CELLS // max(width, 1))
    buffers = np.empty((2, rows, width))
    for lo in range(0, node.shape[0], rows):
        sl = slice(lo, lo + rows)
        m = node[sl].shape[0]
        via0, via1 = buffers[0, :m], buffers[1, :m]
        np.take(by_node, node[sl, 0], axis=0, out=via0)
        via0 += prim[sl, 0, None]
        np.take(by_node, node[sl, 1], axis=0, out=via1)
        via1 += prim[sl, 1, None]
        if acc is None or out2 is None:
            np.minimum(via0, via1, out=out[sl])
            continue
        pick = via1 < via0
        np.minimum(via0, via1, out=out[sl])
        other0 = acc[node[sl, 0]] + sec[sl, 0, None]
        other1 = acc[node[sl, 1]] + sec[sl, 1, None]
        out2[sl] = np.where(pick, other1, other0)


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
        return ODCosts(cost=cost, searched=empty, other=empty.copy)
    walk = network.walk_m_per_min
    # Connectors in the searched unit, added during the gather (no pass of their own).
    o_conn, d_conn = origins.connector_m, destinations.connector_m
    if cost == "time":
        o_conn, d_conn = o_conn / walk, d_conn / walk
    if n_d <= n_o:  # from the destinations on the reversed graph: rows are the origins
        net, net2 = _search_targets(
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
        net, net2 = _search_targets(
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
    oi, di, direct, direct2 = _same_chain(network, origins, destinations, cost)
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
    out = _convert(network, net, cost)
    for places, axis in ((origins, 1), (destinations, 0)):
        index = np.arange(len(places))
        walked = _connector_cost(places, index, other, walk)
        converted = _convert(network, _connector_cost(places, index, cost, walk), cost)
        # An unreachable place (connector inf) has inf rows already: add nothing there.
        delta = np.subtract(walked, converted, out=np.zeros_like(walked), where=np.isfinite(walked))
        if np.any(np.abs(delta) > 0):
            out += np.expand_dims(delta, axis)
    return out
