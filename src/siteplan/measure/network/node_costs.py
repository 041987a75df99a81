"""Per-site travel costs from every node of the network: what a page needs to score clicks.

One Dijkstra search per site on the reversed segment graph
(:func:`scipy.sparse.csgraph.dijkstra`, all sites in one call, cut off at the
decay's reach) gives each node's cost of travel TO the site (place -> site, as
clicks, candidates and isochrones use), the site's own connector included. A
site with entrances is reached through whichever of them is cheaper (the walk
from the footprint to an entrance counts as part of its connector, as
:func:`~siteplan.measure.network.sites.measure_site_pairs` counts it).

A place then costs, for each site (:func:`place_costs`): its own connector
(walked) plus the cheaper of its segment's two ends (the partial segment in
the directions it may be travelled, plus that node's cost), or the direct trip
along its segment when a place of the site is on the same segment. The page
does the same in JavaScript (``static/network.js``), with the node costs
embedded.

Searches run on segments (not on the junction graph of :mod:`.chains`) so that
every node, also one in the middle of a chain, holds its true cost.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.sparse import csgraph

from siteplan.errors import ParameterError
from siteplan.measure.network.graph import Cost, FloatArray, IntArray, Network, csr_graph
from siteplan.measure.network.snap import Snapped, snap_places

__all__ = ["SiteCosts", "place_costs", "site_node_costs"]


@dataclass(frozen=True, eq=False)
class SiteCosts:
    """Each node's cost of travel to each site, and where the sites join.

    Attributes
    ----------
    cost
        ``"length"`` (metres) or ``"time"`` (minutes).
    node_cost
        Shape (sites, nodes): the cost from each node to each site, its
        connector included; inf beyond ``limit`` or where it cannot be reached.
    limit
        The cutoff of the searches (inf: none).
    place_site, place_segment, place_fraction, place_cost
        Per joining place (an entrance, or the footprint): its site (position),
        segment, position along it (0..1) and its connector's cost (the walk
        from the footprint included), for places that join the network only.
    """

    cost: Cost
    node_cost: FloatArray
    limit: float
    place_site: IntArray
    place_segment: IntArray
    place_fraction: FloatArray
    place_cost: FloatArray


def _walk_cost(network: Network, metres: FloatArray, cost: Cost) -> FloatArray:
    """Return a walked distance in the cost's unit."""
    return metres / network.walk_m_per_min if cost == "time" else metres


def site_node_costs(
    network: Network,
    places: Sequence[Any],
    owner: IntArray,
    extra_m: FloatArray,
    n_sites: int,
    *,
    cost: Cost,
    limit: float | None = None,
) -> SiteCosts:
    """Return every node's cost of travel to every site (one reverse search per site).

    Parameters
    ----------
    network
        The graph.
    places
        The places where sites join (metric CRS): their entrances or footprints,
        as :func:`~siteplan.measure.network.sites.site_places` gives them.
    owner
        The site (position) of each place.
    extra_m
        The walk from each place's site footprint to the place (0 for a footprint).
    n_sites
        The number of sites.
    cost
        ``"length"`` or ``"time"``.
    limit
        Give up beyond this cost (the decay's reach); None searches the whole graph.

    Returns
    -------
    SiteCosts
        The node costs (sites x nodes) and the joined places.
    """
    if cost not in ("length", "time"):
        raise ParameterError(f"cost {cost!r} is not one of length, time")
    bound = np.inf if limit is None else float(limit)
    if not (bound >= 0):
        raise ParameterError(f"limit {limit!r} is not a number >= 0 (or None)")
    snapped = snap_places(network, places)
    ok = snapped.reachable
    site = np.asarray(owner, dtype=np.int64)[ok]
    seg = snapped.segment[ok]
    frac = snapped.fraction[ok]
    conn = _walk_cost(network, (snapped.connector_m + np.asarray(extra_m, dtype=float))[ok], cost)
    n = network.n_nodes
    w = network.seg_cost(cost)
    tail, head, primary, secondary = network.arcs(cost)
    # Reversed graph (head -> tail); virtual node n + s reaches the nodes its places are
    # entered from: u when the segment runs forward, v when it runs backward.
    fwd, bwd = network.seg_forward[seg], network.seg_backward[seg]
    v_tail = np.concatenate([n + site[fwd], n + site[bwd]])
    v_head = np.concatenate([network.seg_u[seg][fwd], network.seg_v[seg][bwd]])
    part = w[seg]
    enter_u = conn[fwd] + frac[fwd] * part[fwd]
    enter_v = conn[bwd] + (1 - frac[bwd]) * part[bwd]
    v_cost = np.concatenate([enter_u, enter_v])
    matrix, _ = csr_graph(
        n + n_sites,
        np.concatenate([head, v_tail]),
        np.concatenate([tail, v_head]),
        np.concatenate([primary, v_cost]),
        np.concatenate([secondary, v_cost]),
    )
    if n_sites:
        dist = csgraph.dijkstra(matrix, directed=True, indices=n + np.arange(n_sites), limit=bound)[
            :, :n
        ]
    else:
        dist = np.zeros((0, n))
    return SiteCosts(
        cost=cost,
        node_cost=np.asarray(dist, dtype=float),
        limit=bound,
        place_site=site,
        place_segment=seg,
        place_fraction=frac,
        place_cost=conn,
    )


def place_costs(network: Network, costs: SiteCosts, snapped: Snapped) -> FloatArray:
    """Return the cost of travel from each place to each site, shape (places, sites).

    The place's connector is walked; a place that does not join the network
    (beyond ``snap_max_m``), or whose cost exceeds the searches' limit, gets inf.
    This is what the page computes for a click (``static/network.js``).
    """
    k = len(snapped)
    n_sites = costs.node_cost.shape[0]
    out = np.full((k, n_sites), np.inf)
    ok = np.flatnonzero(snapped.reachable)
    if ok.shape[0] == 0 or n_sites == 0:
        return out
    seg, t = snapped.segment[ok], snapped.fraction[ok]
    w = network.seg_cost(costs.cost)[seg]
    u, v = network.seg_u[seg], network.seg_v[seg]
    leave_u = np.where(network.seg_backward[seg], t * w, np.inf)
    leave_v = np.where(network.seg_forward[seg], (1 - t) * w, np.inf)
    via = np.minimum(
        leave_u[:, None] + costs.node_cost[:, u].T, leave_v[:, None] + costs.node_cost[:, v].T
    )
    for p in range(costs.place_site.shape[0]):  # direct along a shared segment (few places)
        same = np.flatnonzero(seg == costs.place_segment[p])
        if same.shape[0] == 0:
            continue
        ahead = costs.place_fraction[p] - t[same]
        s = int(costs.place_segment[p])
        allowed = np.where(ahead >= 0, network.seg_forward[s], network.seg_backward[s])
        direct = np.where(allowed, np.abs(ahead) * w[same] + costs.place_cost[p], np.inf)
        col = int(costs.place_site[p])
        via[same, col] = np.minimum(via[same, col], direct)
    via += _walk_cost(network, snapped.connector_m[ok], costs.cost)[:, None]
    via[via > costs.limit] = np.inf
    out[ok] = via
    return out
