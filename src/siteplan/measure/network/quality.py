"""How usable a network is: the facts ``siteplan validate`` reports about it.

Components are counted on the undirected graph (one-way streets still connect
their ends), as QGIS's and osmnx's connectivity checks do. A crossing is a pair
of segments that cross between their nodes: a bridge or tunnel when that is
intended, a missing junction when it is not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from scipy import sparse
from scipy.sparse import csgraph

from siteplan.measure.network.graph import FloatArray, IntArray, Network
from siteplan.measure.network.snap import Snapped

__all__ = ["NetworkQuality", "component_warnings", "components", "network_quality"]


@dataclass(frozen=True)
class NetworkQuality:
    """Counts that describe a built network.

    Attributes
    ----------
    nodes, edges
        Graph nodes (line vertices, shared ones once) and segments.
    length_m
        Total length of the segments.
    components
        Connected components (ignoring one-way directions).
    largest_share
        Share of the total length in the largest component, 0..1.
    dangling_ends
        Nodes with one neighbour (dead ends, or lines that stop short of a junction).
    crossings
        Pairs of segments that cross without a shared node.
    crossing_points
        Where they cross, shape (crossings, 2), in the network's CRS.
    """

    nodes: int
    edges: int
    length_m: float
    components: int
    largest_share: float
    dangling_ends: int
    crossings: int
    crossing_points: FloatArray

    def summary(self) -> dict[str, Any]:
        """Return the counts as plain values (for ``validate`` and json)."""
        return {
            "nodes": self.nodes,
            "edges": self.edges,
            "length_m": self.length_m,
            "components": self.components,
            "largest_share": self.largest_share,
            "dangling_ends": self.dangling_ends,
            "crossings": self.crossings,
        }


def components(network: Network) -> tuple[int, IntArray]:
    """Return the number of components and each node's component.

    Components are numbered by length, the longest first (0).
    """
    n = network.n_nodes
    if n == 0:
        return 0, np.zeros(0, dtype=np.int64)
    links = sparse.coo_matrix(
        (np.ones(network.n_segments), (network.seg_u, network.seg_v)), shape=(n, n)
    )
    count, label = csgraph.connected_components(links, directed=False)
    length = np.bincount(label[network.seg_u], weights=network.seg_length, minlength=count)
    order = np.lexsort((np.arange(count), -length))
    rank = np.empty(count, dtype=np.int64)
    rank[order] = np.arange(count)
    return int(count), rank[label]


def network_quality(network: Network) -> NetworkQuality:
    """Return the quality counts of a network.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> from siteplan.load.network import NetworkParams
    >>> from siteplan.measure.network.graph import build_network
    >>> roads = gpd.GeoDataFrame(
    ...     {"id": ["a", "b"], "highway": [None, None], "oneway": [0, 0],
    ...      "maxspeed_kmh": [float("nan")] * 2},
    ...     geometry=[shapely.LineString([(0, 0), (100, 0)]),
    ...               shapely.LineString([(50, -50), (50, 50)])], crs="EPSG:32651")
    >>> q = network_quality(build_network(roads, "EPSG:32651", NetworkParams()))
    >>> q.components, q.dangling_ends, q.crossings
    (2, 4, 1)
    """
    count, label = components(network)
    total = float(network.seg_length.sum())
    by_comp = np.bincount(label[network.seg_u], weights=network.seg_length, minlength=count)
    neighbours = np.unique(
        np.concatenate(
            [
                np.stack([network.seg_u, network.seg_v], axis=1),
                np.stack([network.seg_v, network.seg_u], axis=1),
            ]
        ),
        axis=0,
    )
    degree = np.bincount(neighbours[:, 0], minlength=network.n_nodes)
    segs = network.segments
    left, right = network.tree.query(segs, predicate="crosses")
    once = left < right
    left, right = left[once], right[once]
    points = shapely.intersection(segs[left], segs[right])
    xy = shapely.get_coordinates(shapely.centroid(points)).reshape(-1, 2)
    return NetworkQuality(
        nodes=network.n_nodes,
        edges=network.n_segments,
        length_m=total,
        components=count,
        largest_share=float(by_comp.max() / total) if total > 0 else 0.0,
        dangling_ends=int((degree == 1).sum()),
        crossings=int(left.shape[0]),
        crossing_points=xy,
    )


def component_warnings(network: Network, ids: Sequence[str], snapped: Snapped) -> list[str]:
    """Return one warning per component other than the main one that holds places.

    The main component is the one with the most places (ties: the longest).
    Each warning names the places on the other component and the number of
    pairs between them and the places outside it, which cannot be travelled.
    """
    _, label = components(network)
    reach = snapped.reachable
    if reach.sum() < 2:
        return []
    comp = label[network.seg_u[snapped.segment[reach]]]
    names = np.asarray(ids, dtype=object)[reach]
    counts = np.bincount(comp)
    main = int(np.lexsort((np.arange(counts.shape[0]), -counts))[0])
    out = []
    for c in np.unique(comp):
        if c == main:
            continue
        inside = names[comp == c]
        outside = int(reach.sum()) - inside.shape[0]
        out.append(
            f"{', '.join(sorted(str(s) for s in inside))} lie on a network component not "
            f"connected to the others; {inside.shape[0] * outside} pairs with places outside it "
            "are unreachable"
        )
    return out
