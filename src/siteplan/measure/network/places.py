"""Costs from many places (candidates, demand points, clicks) to a few sites.

Direction is place -> site. :func:`site_costs` runs ONE Dijkstra per site on
the reversed junction graph (:mod:`.chains`; the search graph of
:func:`~siteplan.measure.network.search.search_graph`, which leaves out the
dead-end trees no site joins and fills them in after), with ``limit=`` at the
decay's reach, and keeps every junction's cost to every site,
``(junctions, sites)``.
A site joins where :func:`~siteplan.measure.network.snap.snap_places` puts
each of its places (its entrances, else its footprint): the site is one
virtual node, linked to each place's chain junctions by the partial chains
plus the place's walk (its connector and, for an entrance, the straight walk
from the footprint), so the search takes whichever place is cheaper.

A place then reads its cost to every site (:func:`place_costs`): its own
walk to the network at walking speed (minutes with ``time``, metres with
``network``) plus the cheaper of its two chain junctions (the partial chain
there, in a direction the mode may travel, plus the junction's cost), or the
direct trip along the chain when a site joins the same chain. All of it is
gathered with numpy, ``chunk`` places at a time; no Python loop per node or
place. A place beyond ``snap_max_m``, or a site it cannot reach (another
component, one-way roads, beyond the limit), costs ``inf``.

Every node of the network reads its costs the same way (:func:`node_costs`,
what the map page embeds for click-to-score and the isochrones cut their
bands with): a node is a place at one end of one of its segments, with no
walk. A node inside a chain leaves it through either junction, or travels
directly along it when a site joins the same chain; a junction holds its
search cost (its leg to itself is empty, whichever way the chain runs).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Final

import numpy as np
import shapely
from scipy.sparse import csgraph

from siteplan.errors import ParameterError
from siteplan.measure.network.chains import chains_of
from siteplan.measure.network.graph import Cost, FloatArray, IntArray, Network
from siteplan.measure.network.legs import Legs, arrival_legs, departure_legs, same_chain
from siteplan.measure.network.paths import od_costs
from siteplan.measure.network.search import SearchGraph, search_graph
from siteplan.measure.network.snap import Snapped, snap_places

__all__ = [
    "PLACE_CHUNK",
    "SiteCosts",
    "exact_costs",
    "nearest_beyond",
    "node_costs",
    "place_costs",
    "point_costs",
    "site_costs",
]

#: Places snapped and gathered per chunk.
PLACE_CHUNK: Final = 100_000
#: Bytes of one Dijkstra result block (sites x nodes) at most.
_BLOCK_BYTES: Final = 64 * 2**20


@dataclass(frozen=True, eq=False)
class SiteCosts:
    """Every junction's cost to every site, and where the sites join.

    Attributes
    ----------
    network
        The graph.
    cost
        ``"length"`` (metres, shortest paths) or ``"time"`` (minutes, fastest).
    limit
        The searches' cutoff in the cost's unit (``inf``: none).
    node_cost
        ``(junctions, sites)``: the cost from each junction to each site, the
        site's walk included; ``inf`` where unreachable or beyond ``limit``.
    places
        The sites' joining places.
    owner
        The site (column) of each place.
    walk
        Per place: its walk (connector plus ``extra``) in the cost's unit.
    extra_m
        Per place: the metres walked before its connector (footprint to entrance).
    graph
        The search graph: reversed junction arcs, then one virtual node per
        site (dead-end trees no site joins are filled in after the search).
    """

    network: Network
    cost: Cost
    limit: float
    node_cost: FloatArray
    places: Snapped
    owner: IntArray
    walk: FloatArray
    extra_m: FloatArray
    graph: SearchGraph

    @property
    def n_sites(self) -> int:
        """The number of sites (columns)."""
        return int(self.node_cost.shape[1])

    def __len__(self) -> int:
        return self.n_sites

    def in_unit(self, metres: FloatArray) -> FloatArray:
        """Return walked metres in the cost's unit (minutes at walking speed for time)."""
        if self.cost == "time":
            return np.asarray(metres / self.network.walk_m_per_min, dtype=np.float64)
        return np.asarray(metres, dtype=np.float64)

    @cached_property
    def nearest_nodes(self) -> tuple[FloatArray, IntArray]:
        """Each junction's cost to its nearest site, and that site, with no limit.

        One multi-source search (``min_only``); sites equally near a junction are
        told apart by the search's order, not by id.
        """
        n = self.node_cost.shape[0]
        m = self.n_sites
        if m == 0:
            return np.full(n, np.inf), np.full(n, -1, dtype=np.int64)
        dist, _, source = csgraph.dijkstra(
            self.graph.matrix,
            directed=True,
            indices=n + np.arange(m),
            min_only=True,
            return_predecessors=True,
        )
        cost = np.asarray(dist[:n], dtype=np.float64).reshape(n, 1)
        site = np.where(source[:n] >= n, source[:n] - n, -1).astype(np.int64).reshape(n, 1)
        self.graph.fill(cost, labels=site)
        site[~np.isfinite(cost)] = -1
        return cost[:, 0], site[:, 0]


def site_costs(
    network: Network,
    places: Snapped,
    owner: IntArray,
    n_sites: int,
    *,
    cost: Cost,
    extra_m: FloatArray | None = None,
    limit: float | None = None,
) -> SiteCosts:
    """Search the network once per site, towards it; return every junction's cost.

    Parameters
    ----------
    network
        The graph (its mode decides directions and speeds).
    places
        Where the sites join (:func:`~siteplan.measure.network.snap.snap_places`).
    owner
        The site (0 .. ``n_sites`` - 1) of each place.
    n_sites
        The number of sites.
    cost
        ``"length"`` or ``"time"``.
    extra_m
        Per place, metres walked before its connector (footprint to entrance); 0 when None.
    limit
        Give up beyond this cost (the decay's reach, in the cost's unit); None: no limit.

    Returns
    -------
    SiteCosts
        The junctions' costs to the sites.

    Examples
    --------
    >>> import geopandas as gpd, numpy as np, shapely
    >>> from siteplan.load.network import NetworkParams
    >>> from siteplan.measure.network.graph import build_network
    >>> roads = gpd.GeoDataFrame(
    ...     {"id": ["r"], "highway": [None], "oneway": [0], "maxspeed_kmh": [float("nan")]},
    ...     geometry=[shapely.LineString([(0, 0), (1000, 0)])], crs="EPSG:32651")
    >>> net = build_network(roads, "EPSG:32651", NetworkParams())
    >>> sites = site_costs(net, snap_places(net, [shapely.Point(900, -50)]), np.array([0]), 1,
    ...                    cost="length")
    >>> place_costs(sites, snap_places(net, [shapely.Point(100, 30)])).tolist()
    [[880.0]]
    """
    if cost not in ("length", "time"):
        raise ParameterError(f"cost {cost!r} is not one of length, time", argument="cost")
    lim = np.inf if limit is None else float(limit)
    if not lim >= 0:
        raise ParameterError(f"limit {limit!r} is not a number >= 0 (or None)", argument="limit")
    owner = np.asarray(owner, dtype=np.int64)
    extra = np.zeros(len(places)) if extra_m is None else np.asarray(extra_m, dtype=np.float64)
    walk_m = np.where(places.reachable, places.connector_m + extra, np.inf)
    walk = walk_m / network.walk_m_per_min if cost == "time" else walk_m
    n = chains_of(network).n_junctions
    legs = arrival_legs(network, places, cost)
    link = (legs.primary + walk[:, None]).ravel()
    graph = search_graph(
        network,
        cost=cost,
        reverse=True,
        source=np.repeat(owner, 2),
        node=legs.node.ravel(),
        primary=link,
        secondary=link,
        n_sources=n_sites,
    )
    node_cost = np.full((n, n_sites), np.inf)
    block = max(1, _BLOCK_BYTES // (8 * (n + n_sites)))
    for start in range(0, n_sites, block):
        stop = min(start + block, n_sites)
        dist = csgraph.dijkstra(
            graph.matrix, directed=True, indices=n + np.arange(start, stop), limit=lim
        )
        by_node = np.ascontiguousarray(dist[:, :n].T)
        graph.fill(by_node, limit=lim)
        node_cost[:, start:stop] = by_node
    return SiteCosts(
        network=network,
        cost=cost,
        limit=lim,
        node_cost=node_cost,
        places=places,
        owner=owner,
        walk=walk,
        extra_m=extra,
        graph=graph,
    )


def _raw_costs(
    sites: SiteCosts, snapped: Snapped, legs: Legs | None = None
) -> tuple[FloatArray, FloatArray]:
    """Return (places, sites) costs through the junctions and along shared chains.

    The first array honours the limit through the junctions only; the second is
    the place's walk in the cost's unit (``inf`` when it cannot join). ``legs``:
    the places' departure legs (None: :func:`departure_legs`).
    """
    if legs is None:
        legs = departure_legs(sites.network, snapped, sites.cost)
    node = sites.node_cost
    out = np.minimum(
        node[legs.node[:, 0]] + legs.primary[:, 0, None],
        node[legs.node[:, 1]] + legs.primary[:, 1, None],
    )
    oi, di, direct, _ = same_chain(sites.network, snapped, sites.places, sites.cost)
    if oi.shape[0]:
        np.minimum.at(out, (oi, sites.owner[di]), direct + sites.walk[di])
    own = np.where(snapped.reachable, sites.in_unit(snapped.connector_m), np.inf)
    return out, own


def place_costs(sites: SiteCosts, snapped: Snapped) -> FloatArray:
    """Return the cost from each place to each site, ``(places, sites)``, in the cost's unit.

    ``inf`` where the place cannot join the network, cannot reach the site, or
    only beyond the limit.
    """
    out, own = _raw_costs(sites, snapped)
    out += own[:, None]
    out[~(out <= sites.limit)] = np.inf
    return out


def _node_places(network: Network) -> Snapped:
    """Return every node as a place: at an end of its first segment, with no walk.

    A node that ends no segment cannot join (``reachable`` False).
    """
    n, m = network.n_nodes, network.n_segments
    ends = np.concatenate([network.seg_u, network.seg_v])
    nodes, first = np.unique(ends, return_index=True)
    segment = np.full(n, -1, dtype=np.int64)
    fraction = np.zeros(n)
    segment[nodes] = first % m
    fraction[nodes] = (first >= m).astype(np.float64)  # 0 at the segment's u, 1 at its v
    reachable = segment >= 0
    return Snapped(
        segment=segment,
        fraction=fraction,
        point_xy=network.node_xy,
        connector_m=np.where(reachable, 0.0, np.inf),
        reachable=reachable,
    )


def _node_legs(network: Network, nodes: Snapped, cost: Cost) -> Legs:
    """Return the nodes' departure legs, a junction's leg to itself empty.

    A node at its chain's start (position 0) or end (position the chain's
    total) is that junction: its leg there costs 0 whichever way the chain may
    be travelled. Positions are read exactly (not interpolated), so the test is exact.
    """
    legs = departure_legs(network, nodes, cost)
    chains = chains_of(network)
    seg = np.where(nodes.reachable, nodes.segment, 0)
    pos = np.where(nodes.fraction == 0.0, chains.pos_u[cost][seg], chains.pos_v[cost][seg])
    total = chains.total[cost][chains.seg_chain[seg]]
    primary = legs.primary.copy()
    primary[nodes.reachable & (pos == 0.0), 0] = 0.0
    primary[nodes.reachable & (pos == total), 1] = 0.0
    return Legs(node=legs.node, primary=primary, secondary=legs.secondary)


def node_costs(sites: SiteCosts) -> FloatArray:
    """Return every node's cost to every site, ``(nodes, sites)``, in the cost's unit.

    Each node is a place with no walk of its own (see the module docstring):
    the site's walk is included. ``inf`` where the site cannot be reached, or
    only beyond the limit (and at a node that ends no segment).

    Examples
    --------
    >>> import geopandas as gpd, numpy as np, shapely
    >>> from siteplan.load.network import NetworkParams
    >>> from siteplan.measure.network.graph import build_network
    >>> roads = gpd.GeoDataFrame(
    ...     {"id": ["r"], "highway": [None], "oneway": [0], "maxspeed_kmh": [float("nan")]},
    ...     geometry=[shapely.LineString([(0, 0), (500, 0), (1000, 0)])], crs="EPSG:32651")
    >>> net = build_network(roads, "EPSG:32651", NetworkParams())
    >>> sites = site_costs(net, snap_places(net, [shapely.Point(900, -50)]), np.array([0]), 1,
    ...                    cost="length")
    >>> node_costs(sites)[:, 0].tolist()  # the nodes (0, 0), (500, 0), (1000, 0)
    [950.0, 450.0, 150.0]
    """
    nodes = _node_places(sites.network)
    n = len(nodes)
    out = np.empty((n, sites.n_sites))
    for start in range(0, n, PLACE_CHUNK):  # chunks bound the gathers' temporaries
        part = nodes.take(slice(start, min(start + PLACE_CHUNK, n)))
        out[start : start + len(part)], _ = _raw_costs(
            sites, part, _node_legs(sites.network, part, sites.cost)
        )
    out[~(out <= sites.limit)] = np.inf
    return out


def nearest_beyond(sites: SiteCosts, snapped: Snapped) -> tuple[IntArray, FloatArray]:
    """Return each place's nearest site and its cost, with no limit.

    For places that reach no site within :attr:`SiteCosts.limit`: through the
    junctions' nearest sites (:attr:`SiteCosts.nearest_nodes`) or along a
    shared chain, whichever is cheaper. -1 and ``inf`` where no site can be reached.
    """
    cost, site = sites.nearest_nodes
    legs = departure_legs(sites.network, snapped, sites.cost)
    via = cost[legs.node] + legs.primary
    pick = np.argmin(via, axis=1)
    rows = np.arange(len(snapped))
    best = via[rows, pick]
    best_site = site[legs.node[rows, pick]]
    oi, di, direct, _ = same_chain(sites.network, snapped, sites.places, sites.cost)
    if oi.shape[0]:
        value = direct + sites.walk[di]
        # The cheapest direct trip of each place (ties: the smaller site).
        order = np.lexsort((sites.owner[di], value, oi))
        first = np.ones(order.shape[0], dtype=bool)
        first[1:] = oi[order][1:] != oi[order][:-1]
        o, v, s = oi[order][first], value[order][first], sites.owner[di][order][first]
        better = v < best[o]
        best[o[better]] = v[better]
        best_site[o[better]] = s[better]
    best = best + np.where(snapped.reachable, sites.in_unit(snapped.connector_m), np.inf)
    gone = ~np.isfinite(best)
    best_site[gone] = -1
    best[gone] = np.inf
    return best_site.astype(np.intp), best


def exact_costs(sites: SiteCosts, snapped: Snapped) -> FloatArray:
    """Return :func:`place_costs` with the pairs beyond the limit measured too.

    For a few places (picks, clicks): the missing pairs come from searches
    from the places themselves (:func:`~siteplan.measure.network.paths.od_costs`).
    """
    out = place_costs(sites, snapped)
    if not np.isfinite(sites.limit) or not len(snapped):
        return out
    missing = ~np.isfinite(out) & snapped.reachable[:, None]
    if not missing.any():
        return out
    rows = np.flatnonzero(missing.any(axis=1))
    od = od_costs(sites.network, snapped.take(rows), sites.places, cost=sites.cost)
    values = od.metres if sites.cost == "length" else od.minutes
    values = values + sites.in_unit(sites.extra_m)[None, :]
    full = np.full((sites.n_sites, rows.shape[0]), np.inf)
    np.minimum.at(full, sites.owner, values.T)
    full = full.T
    out[rows] = np.where(missing[rows], full, out[rows])
    return out


def point_costs(
    sites: SiteCosts, x: FloatArray, y: FloatArray, *, chunk: int = PLACE_CHUNK
) -> tuple[FloatArray, FloatArray]:
    """Return the costs from points to the sites and the points' connectors (metres).

    The points are snapped and gathered ``chunk`` at a time.

    Returns
    -------
    tuple
        ``(points, sites)`` costs as :func:`place_costs`, and each point's
        ``connector_m`` (``nan`` when it cannot join the network).
    """
    k = len(x)
    out = np.full((k, sites.n_sites), np.inf)
    connector = np.full(k, np.nan)
    for start in range(0, k, chunk):
        sl = slice(start, min(start + chunk, k))
        snapped = snap_places(sites.network, shapely.points(x[sl], y[sl]))
        out[sl] = place_costs(sites, snapped)
        connector[sl] = np.where(snapped.reachable, snapped.connector_m, np.nan)
    return out, connector
