"""Dijkstra searches on the junction graph, with SciPy's compiled ``csgraph.dijkstra``.

Searches run on the junction graph (:mod:`.chains`: each chain of segments
between two junctions is one arc), from one virtual node per source place
linked to its chain's junctions by its legs (:mod:`.legs`). Dead-end trees
that no search starts in are left out of the search graph and their
junctions' costs filled in from their parents (:mod:`.trees`).
``scipy.sparse.csgraph.dijkstra`` runs with ``indices=`` (the virtual nodes,
a chunk at a time) and ``limit=`` (the cutoff). The other unit (minutes along
the shortest path, metres along the fastest) is read off the same
shortest-path tree by pointer doubling over the predecessors; with one speed
on every segment it is just a division (:func:`convert`).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import Final

import numpy as np
from scipy import sparse
from scipy.sparse import csgraph

from siteplan.measure.network.chains import chains_of
from siteplan.measure.network.graph import (
    BoolArray,
    Cost,
    FloatArray,
    IntArray,
    Network,
    csr_graph,
)
from siteplan.measure.network.legs import Legs
from siteplan.measure.network.trees import Trees, fill, pruned_for, trees_of

__all__ = [
    "SearchGraph",
    "chain_arcs",
    "convert",
    "gather",
    "legs_graph",
    "search_graph",
    "search_targets",
]

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


def chain_arcs(
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


def search_targets(
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
    graph = legs_graph(network, sources, cost=cost, reverse=reverse)
    matrix, n = graph.matrix, graph.n_junctions
    k, n_t = sources.node.shape[0], targets.node.shape[0]
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
            acc = np.ascontiguousarray(_accumulate(matrix, graph.second, pred)[:, :n].T)
        graph.fill(by_node, acc=acc, limit=limit)
        if source_extra is not None:
            by_node += source_extra[None, cols]
        gather(
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
        tail, head, primary, secondary = chain_arcs(network, cost, reverse=reverse)
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
        tail, head, primary, secondary = _junction_arcs(network, cost, reverse)
        pos, found = _arc_positions(chains.n_junctions, tail, head, parent[below], below)
        w1[below] = np.where(found, primary[pos], np.inf)
        w2[below] = np.where(found, secondary[pos], np.inf)
        cache[key] = (w1, w2)
    return cache[key]


@dataclass(frozen=True, eq=False)
class SearchGraph:
    """The CSR graph one set of sources searches, and what it leaves out.

    Nodes ``0 .. n - 1`` are the junctions, ``n + i`` the virtual node of
    source ``i``. Junctions of dead-end trees no source starts in
    (``pruned``) have no arcs: :meth:`fill` works their costs out after a
    search, from their parents.

    Attributes
    ----------
    matrix
        The arcs' costs in the searched unit.
    second
        The arcs' costs in the other unit, aligned with ``matrix.data``.
    n_junctions, n_sources
        The numbers of junctions and of virtual nodes.
    pruned
        Per junction: left out of the search.
    """

    matrix: sparse.csr_matrix
    second: FloatArray
    n_junctions: int
    n_sources: int
    pruned: BoolArray
    trees: Trees = field(repr=False)
    weight: _Pair = field(repr=False)

    def fill(
        self,
        by_node: FloatArray,
        *,
        acc: FloatArray | None = None,
        labels: IntArray | None = None,
        limit: float = np.inf,
    ) -> None:
        """Fill in the pruned junctions' rows of ``by_node`` (junctions x sources) in place.

        ``acc`` (the other unit along the same paths) and ``labels`` (e.g. the
        nearest source of each junction) are filled alike, from the parents.
        """
        fill(self.trees, self.pruned, self.weight, by_node, acc=acc, labels=labels, limit=limit)


def search_graph(
    network: Network,
    *,
    cost: Cost,
    reverse: bool,
    source: IntArray,
    node: IntArray,
    primary: FloatArray,
    secondary: FloatArray,
    n_sources: int,
) -> SearchGraph:
    """Return the search graph of sources joined to junctions by legs.

    Each leg links source ``source[i]`` to junction ``node[i]`` at cost
    ``primary[i]`` (``secondary[i]`` in the other unit); inf legs are left
    out, and of two legs from one source to one junction the cheaper is kept.
    The junction arcs come sorted from :func:`_junction_arcs` and the virtual
    nodes follow in order, so the CSR arrays are assembled without a sort of
    the whole graph.
    """
    tail, head, w1, w2 = _junction_arcs(network, cost, reverse)
    chains = chains_of(network)
    n, trees = chains.n_junctions, trees_of(chains)
    ok = np.isfinite(primary)
    source, node, primary, secondary = source[ok], node[ok], primary[ok], secondary[ok]
    order = np.lexsort((primary, node, source))
    source, node, primary, secondary = source[order], node[order], primary[order], secondary[order]
    first = np.ones(source.shape[0], dtype=bool)
    first[1:] = (source[1:] != source[:-1]) | (node[1:] != node[:-1])
    source, node, primary, secondary = source[first], node[first], primary[first], secondary[first]
    pruned = pruned_for(trees, node)
    kept = ~(pruned[tail] | pruned[head])
    rows = np.concatenate([tail[kept], n + source])
    size = n + n_sources
    indptr = np.zeros(size + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=size), out=indptr[1:])
    matrix = sparse.csr_matrix(
        (np.concatenate([w1[kept], primary]), np.concatenate([head[kept], node]), indptr),
        shape=(size, size),
    )
    return SearchGraph(
        matrix=matrix,
        second=np.concatenate([w2[kept], secondary]),
        n_junctions=n,
        n_sources=n_sources,
        pruned=pruned,
        trees=trees,
        weight=_tree_arcs(network, cost, reverse),
    )


def legs_graph(network: Network, legs: Legs, *, cost: Cost, reverse: bool) -> SearchGraph:
    """Return the search graph of places joined by their two legs each (one source each)."""
    k = legs.node.shape[0]
    return search_graph(
        network,
        cost=cost,
        reverse=reverse,
        source=np.repeat(np.arange(k, dtype=np.int64), 2),
        node=legs.node.ravel(),
        primary=legs.primary.ravel(),
        secondary=legs.secondary.ravel(),
        n_sources=k,
    )


def gather(
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


def convert(network: Network, values: FloatArray, cost: Cost) -> FloatArray:
    """Convert costs at one speed on every segment to the other unit."""
    m_per_min = float(network.seg_kmh[0]) * 1000.0 / 60.0 if network.n_segments else 1.0
    return values / m_per_min if cost == "length" else values * m_per_min


def _arc_positions(
    n: int, tail: IntArray, head: IntArray, q_tail: IntArray, q_head: IntArray
) -> tuple[IntArray, BoolArray]:
    """Return where each arc ``q_tail -> q_head`` sits among arcs sorted by (tail, head).

    The arcs are unique (the cheapest of parallels, as :func:`csr_graph` keeps
    them); ``found`` is False where there is no such arc (its position is then
    any valid one).
    """
    keys = tail * n + head
    query = q_tail * n + q_head
    if not keys.shape[0]:
        return np.zeros(query.shape, dtype=np.int64), np.zeros(query.shape, dtype=bool)
    pos = np.minimum(np.searchsorted(keys, query), keys.shape[0] - 1)
    return pos, keys[pos] == query


def _accumulate(matrix: sparse.csr_matrix, second: FloatArray, pred: IntArray) -> FloatArray:
    """Sum the other unit's costs along each shortest-path tree (pointer doubling).

    ``pred`` (rows, nodes) is Dijkstra's predecessor array; the result holds,
    per row and node, the sum of ``second`` over the tree path from the source.
    """
    n = matrix.shape[0]
    ptr = pred.astype(np.int64)
    has = ptr >= 0
    # The weight of each tree arc pred[x] -> x.
    tail = np.repeat(np.arange(n, dtype=np.int64), np.diff(matrix.indptr))
    node = np.broadcast_to(np.arange(n, dtype=np.int64), ptr.shape)
    pos, _ = _arc_positions(n, tail, matrix.indices, np.where(has, ptr, 0), node)
    acc = np.where(has, second[pos], 0.0)
    rows = np.arange(ptr.shape[0])[:, None]
    while has.any():
        safe = np.where(has, ptr, 0)
        acc = acc + np.where(has, acc[rows, safe], 0.0)
        ptr = np.where(has, ptr[rows, safe], -9999)
        has = ptr >= 0
    return acc
