"""Where places join the junction graph: their legs to their chain's two junctions.

A place joins the network in the middle of a segment (:mod:`.snap`), so its
chain (:mod:`.chains`) is split into two partial chains at the join point.
A search from places starts at one virtual node per place, linked to its
chain's two junctions by the partial chains (in the directions the chain may
be travelled); places on the other side read their costs at their chain's two
junctions plus their own partial chain. Two places on the same chain may also
travel directly along it (:func:`same_chain`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from siteplan.measure.network.chains import Chains, chains_of
from siteplan.measure.network.graph import Cost, FloatArray, IntArray, Network
from siteplan.measure.network.snap import Snapped

__all__ = ["Legs", "arrival_legs", "departure_legs", "same_chain"]


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


def same_chain(
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
