"""The road network in the page: compact arrays for click-to-score and for routing edits.

A map of a study measured along its roads (``--measure network|time``) embeds
the graph siteplan built (:func:`graph_data`: node coordinates in metres from
the page's origin, each segment's end nodes, travel directions and speed, as
little-endian base64 typed arrays), read by ``static/network.js``:

- click-to-score (:func:`click_costs_data`): per site, the cost of travel from
  every node to the site (the one place -> site search of
  :mod:`siteplan.measure.network.places`, cut off at the decay's reach, read at
  every node by :func:`~siteplan.measure.network.places.node_costs`), as
  float32; a click joins the nearest point of the nearest segment and costs its
  connector (walked) plus the cheaper end of its segment;
- edit mode (:func:`scenario_network_data`): where each original site joins the
  network (as Python joined it, entrances included), so the page routes the
  edited plan with its own Dijkstra, for graphs under :data:`MAX_PAGE_EDGES`
  segments.
"""

from __future__ import annotations

import base64
import math
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import shapely

from siteplan.measure.network.places import SiteCosts, node_costs, site_costs
from siteplan.measure.network.sites import site_places
from siteplan.measure.network.snap import snap_places

if TYPE_CHECKING:
    from siteplan.analysis import Result
    from siteplan.measure.network.graph import Cost, Network

__all__ = [
    "MAX_PAGE_EDGES",
    "click_costs_data",
    "encode_costs",
    "encode_graph",
    "graph_data",
    "network_blocker",
    "page_origin",
    "scenario_network_data",
]

#: The page routes edits on graphs with fewer segments than this.
MAX_PAGE_EDGES: Final = 50_000


def _b64(values: np.ndarray, dtype: str) -> str:
    return base64.b64encode(np.ascontiguousarray(values, dtype=dtype).tobytes()).decode("ascii")


def _cost(result: Result) -> Cost:
    return "time" if result.parameters.measure == "time" else "length"


def _network(result: Result) -> Network:
    assert result.network is not None
    return result.network.network


def network_blocker(result: Result) -> str | None:
    """Return why the page cannot route edits on the study's network (None: it can)."""
    if result.network is None:
        return None
    n = _network(result).n_segments
    if n < MAX_PAGE_EDGES:
        return None
    return (
        f"Editing is off: this study is measured along a road network of {n:,} segments, "
        f"and the page routes edits on networks under {MAX_PAGE_EDGES:,} segments only "
        "(the page would grow too large and slow). Draw the map with --measure edge or "
        "centroid to plan in the page, or use a smaller network."
    )


def page_origin(result: Result) -> np.ndarray:
    """Return the page's metric origin: the sites' centre, to the metre (as the page data's)."""
    west, south, east, north = (
        float(v) for v in shapely.total_bounds(np.asarray(result.sites_m.geometry.array))
    )
    return np.round(np.array([(west + east) / 2, (south + north) / 2]), 0)


def graph_data(result: Result, origin: np.ndarray | None = None) -> dict[str, Any]:
    """Return the graph as the page reads it (``siteplan.network.decode``).

    ``nodes``: float64 x, y pairs in metres from ``origin`` (exact differences of
    the graph's coordinates, so lengths match Python's); ``u``, ``v``: int32 end
    nodes; ``dir``: uint8, bit 0 forward, bit 1 backward; ``kmh``: float64 speeds.
    """
    origin = page_origin(result) if origin is None else origin
    return encode_graph(_network(result), origin, _cost(result))


def encode_graph(net: Network, origin: np.ndarray, cost: Cost) -> dict[str, Any]:
    """Return a graph's compact page form (see :func:`graph_data`), searched by ``cost``."""
    params = net.params
    direction = net.seg_forward.astype(np.uint8) | (net.seg_backward.astype(np.uint8) << 1)
    return {
        "cost": cost,
        "mode": params.mode,
        "walk_kmh": float(params.walk_kmh),
        "snap_max_m": float(params.snap_max_m),
        "nodes": _b64(net.node_xy - np.asarray(origin, dtype=float), "<f8"),
        "u": _b64(net.seg_u, "<i4"),
        "v": _b64(net.seg_v, "<i4"),
        "dir": _b64(direction, "u1"),
        "kmh": _b64(net.seg_kmh, "<f8"),
    }


def _places(result: Result, sites: Any) -> tuple[list[Any], np.ndarray, np.ndarray]:
    """Return the sites' joining places (entrances, else footprints) in id order."""
    data = result.data
    site_field = next((s.site_field for s in data.study.layers if s.role == "entrance"), "site_id")
    entrances = None if data.entrances is None else data.entrances.to_crs(result.crs)
    ids = [str(i) for i in sites["id"]]
    return site_places(sites.geometry, ids, entrances, site_field)


def click_costs_data(result: Result, sites: Any) -> dict[str, Any]:
    """Return the per-site node costs a page scores clicks with (``decodeCosts``).

    ``sites`` are the sites in the order the page lists them (metric CRS).
    ``node_cost``: float32, sites x nodes (inf beyond the decay's reach);
    ``places``: ``{site, seg, t, cost}`` per joined place; ``limit``: the cutoff
    (None: none).
    """
    net = _network(result)
    places, owner, extra = _places(result, sites)
    reach = result.parameters.decay.cutoff_m
    snapped = snap_places(net, places)
    costs = site_costs(
        net, snapped, owner, len(sites), cost=_cost(result), extra_m=extra, limit=reach
    )
    return encode_costs(costs)


def encode_costs(costs: SiteCosts) -> dict[str, Any]:
    """Return per-site node costs in their compact page form (see :func:`click_costs_data`).

    ``node_cost`` is :func:`~siteplan.measure.network.places.node_costs`,
    sites x nodes; ``places`` the sites' places that join the network, their
    ``cost`` the walk (connector, footprint to entrance included) in the cost's unit.
    """
    joined = np.flatnonzero(costs.places.reachable)
    return {
        "sites": costs.n_sites,
        "limit": None if not math.isfinite(costs.limit) else costs.limit,
        "node_cost": _b64(node_costs(costs).T, "<f4"),  # sites x nodes, row by row
        "places": [
            {"site": int(s), "seg": int(g), "t": float(t), "cost": float(c)}
            for s, g, t, c in zip(
                costs.owner[joined],
                costs.places.segment[joined],
                costs.places.fraction[joined],
                costs.walk[joined],
                strict=True,
            )
        ],
    }


def scenario_network_data(result: Result, sites: Any) -> list[list[dict[str, Any]]]:
    """Return where each original site joins the network, for the edit mode's routing.

    Per site (in the order of ``sites``), its joined places ``{seg, t, connector}``
    (connector in metres, the walk from the footprint to an entrance included),
    empty when it cannot join the network.
    """
    net = _network(result)
    places, owner, extra = _places(result, sites)
    snapped = snap_places(net, places)
    joined: list[list[dict[str, Any]]] = [[] for _ in range(len(sites))]
    for k in range(len(places)):
        if snapped.reachable[k]:
            joined[int(owner[k])].append(
                {
                    "seg": int(snapped.segment[k]),
                    "t": float(snapped.fraction[k]),
                    "connector": float(snapped.connector_m[k] + extra[k]),
                }
            )
    return joined
