"""Contract chains of pass-through nodes, so searches visit junctions only.

Most nodes of a real network only shape a road: two segments meet there and
nothing else (60 % of the Helsinki walking graph). The searches run on a
smaller graph of junctions, where each chain of segments between two
junctions is one arc (per allowed direction) with the chain's summed cost.
A place on a segment is located on its chain by its position: the cost from
the chain's first junction to the place. Costs are unchanged: every path
between junctions runs along whole chains.

A node is a pass-through node when exactly two segments meet there, with two
different neighbours, and the one-way rules agree across it (whoever may
travel into it along one segment may travel on along the other). A closed
ring of pass-through nodes keeps its lowest node as a junction.

All steps are vectorised: chains are connected components of the segments
linked at pass-through nodes; positions along a chain come from one
multi-source Dijkstra on the chains alone (each chain a path from its first
junction end).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.sparse import csgraph

from siteplan.measure.network.graph import BoolArray, FloatArray, IntArray, Network

__all__ = ["Chains", "build_chains", "chains_of"]

_CACHE: weakref.WeakKeyDictionary[Network, Chains] = weakref.WeakKeyDictionary()


@dataclass(frozen=True, eq=False)
class Chains:
    """Chains of segments between junctions.

    Attributes
    ----------
    n_junctions
        The number of junctions (the search graph's nodes).
    seg_chain
        The chain each segment belongs to.
    pos_u, pos_v
        Per unit (``"length"``, ``"time"``): the position of each segment's
        first and second node along its chain (cost from the chain's start).
    start, end
        Each chain's first and last junction.
    total
        Per unit: each chain's cost.
    forward, backward
        Whether each chain may be travelled from start to end, and back.
    """

    n_junctions: int
    seg_chain: IntArray
    pos_u: dict[str, FloatArray]
    pos_v: dict[str, FloatArray]
    start: IntArray
    end: IntArray
    total: dict[str, FloatArray]
    forward: BoolArray
    backward: BoolArray


def _pass_through(network: Network) -> tuple[BoolArray, IntArray, IntArray]:
    """Return which nodes are pass-through, and for those, their two segment ends."""
    n, m = network.n_nodes, network.n_segments
    u, v = network.seg_u, network.seg_v
    ends = np.concatenate([u, v])
    incidence = np.bincount(ends, minlength=n)
    pairs = np.unique(np.stack([ends, np.concatenate([v, u])], axis=1), axis=0)
    neighbours = np.bincount(pairs[:, 0], minlength=n)
    through = (incidence == 2) & (neighbours == 2)
    at_v = np.repeat(np.array([False, True]), m)
    fwd = np.tile(network.seg_forward, 2)
    bwd = np.tile(network.seg_backward, 2)
    into = np.where(at_v, fwd, bwd)  # travel along the segment towards this end
    out = np.where(at_v, bwd, fwd)  # travel along the segment away from this end
    order = np.argsort(ends, kind="stable")
    first = np.searchsorted(ends[order], np.arange(n))
    nodes = np.flatnonzero(through)
    e1, e2 = order[first[nodes]], order[first[nodes] + 1]
    agree = (into[e1] == out[e2]) & (out[e1] == into[e2])
    through[nodes[~agree]] = False
    keep = agree
    return through, e1[keep], e2[keep]


def _label_chains(network: Network, e1: IntArray, e2: IntArray) -> tuple[int, IntArray]:
    m = network.n_segments
    links = sparse.coo_matrix((np.ones(e1.shape[0]), (e1 % m, e2 % m)), shape=(m, m))
    count, label = csgraph.connected_components(links, directed=False)
    return int(count), label.astype(np.int64)


def build_chains(network: Network) -> Chains:
    """Return the chains of a network (see the module docstring)."""
    n, m = network.n_nodes, network.n_segments
    through, e1, e2 = _pass_through(network)
    ends = np.concatenate([network.seg_u, network.seg_v])
    count, label = _label_chains(network, e1, e2)
    junction_end = ~through[ends]
    has_junction = np.bincount(label[np.flatnonzero(junction_end) % m], minlength=count) > 0
    if not has_junction.all():
        # A closed ring of pass-through nodes: its lowest node becomes a junction.
        rings = np.flatnonzero(~has_junction)
        ring_nodes = np.full(count, n, dtype=np.int64)
        np.minimum.at(ring_nodes, label, np.minimum(network.seg_u, network.seg_v))
        through[ring_nodes[rings]] = False
        keep = through[ends[e1]]
        e1, e2 = e1[keep], e2[keep]
        count, label = _label_chains(network, e1, e2)
        junction_end = ~through[ends]
    # Each chain alone: junction ends get their own copy (n + end), so chains do not touch.
    local = np.where(junction_end, n + np.arange(2 * m), ends)
    size = n + 2 * m
    j_ends = np.flatnonzero(junction_end)
    j_chain = label[j_ends % m]
    lo = np.full(count, size, dtype=np.int64)
    hi = np.full(count, -1, dtype=np.int64)
    np.minimum.at(lo, j_chain, local[j_ends])
    np.maximum.at(hi, j_chain, local[j_ends])
    pos_u: dict[str, FloatArray] = {}
    pos_v: dict[str, FloatArray] = {}
    total: dict[str, FloatArray] = {}
    for unit in ("length", "time"):
        graph = sparse.coo_matrix(
            (network.seg_cost(unit), (local[:m], local[m:])),
            shape=(size, size),
        ).tocsr()
        dist = csgraph.dijkstra(graph, directed=False, indices=lo, min_only=True)
        pos_u[unit] = np.asarray(dist[local[:m]], dtype=float)
        pos_v[unit] = np.asarray(dist[local[m:]], dtype=float)
        total[unit] = np.asarray(dist[hi], dtype=float)
    aligned = pos_v["length"] > pos_u["length"]
    seg_fwd = np.where(aligned, network.seg_forward, network.seg_backward)
    seg_bwd = np.where(aligned, network.seg_backward, network.seg_forward)
    forward = np.ones(count, dtype=bool)
    backward = np.ones(count, dtype=bool)
    np.logical_and.at(forward, label, seg_fwd)
    np.logical_and.at(backward, label, seg_bwd)
    start_node = ends[lo - n]
    end_node = ends[hi - n]
    junctions, index = np.unique(np.concatenate([start_node, end_node]), return_inverse=True)
    index = index.reshape(-1)
    return Chains(
        n_junctions=int(junctions.shape[0]),
        seg_chain=label,
        pos_u=pos_u,
        pos_v=pos_v,
        start=index[:count].astype(np.int64),
        end=index[count:].astype(np.int64),
        total=total,
        forward=forward,
        backward=backward,
    )


def chains_of(network: Network) -> Chains:
    """Return the network's chains, built once per network object."""
    chains = _CACHE.get(network)
    if chains is None:
        chains = build_chains(network)
        _CACHE[network] = chains
    return chains
