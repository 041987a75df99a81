"""Build a directed, mode-specific road graph from network lines.

Method (all steps vectorised with numpy, scipy and shapely):

1. The lines are projected to the study's metric CRS and filtered by the
   mode's access rules for OSM ``highway`` classes (no walking or cycling on
   motorways, no driving on footways; a line without a class serves every mode).
2. Every vertex becomes a node; vertices with the same coordinates are one node
   (lines join where they share a vertex). A line's endpoint within
   ``snap_tolerance_m`` of another vertex joins it (the nearby vertices form one
   node, placed at the lowest-numbered vertex of the group). Lines that cross
   between vertices do not join: bridges, tunnels and overpasses.
3. Every pair of consecutive vertices is one straight segment. Its length is
   planar in the metric CRS, so a path along the network is never shorter than
   the straight line between its ends.
4. Directions: ``walk`` and ``bike`` travel every segment both ways; ``drive``
   honours one-way tags. Speeds: walk and bike at one speed; drive at the
   line's ``maxspeed``, else its class default (``class_kmh`` over the built-in
   table), else ``drive_kmh``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, Final, Literal

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import shapely
from pyproj import CRS
from scipy import sparse
from scipy.sparse import csgraph
from scipy.spatial import cKDTree

from siteplan.errors import LayerError, ParameterError
from siteplan.load.network import NetworkParams
from siteplan.load.projection import check_metric_crs

__all__ = [
    "CLASS_DRIVE_KMH",
    "Cost",
    "Network",
    "build_network",
    "mode_allows",
]

Cost = Literal["length", "time"]
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: Default driving speeds (km/h) of OSM highway classes, used where a road has no maxspeed.
CLASS_DRIVE_KMH: Final[dict[str, float]] = {
    "motorway": 100.0,
    "motorway_link": 60.0,
    "trunk": 80.0,
    "trunk_link": 50.0,
    "primary": 60.0,
    "primary_link": 40.0,
    "secondary": 50.0,
    "secondary_link": 40.0,
    "tertiary": 40.0,
    "tertiary_link": 30.0,
    "unclassified": 30.0,
    "residential": 30.0,
    "living_street": 10.0,
    "service": 20.0,
    "road": 30.0,
    "track": 20.0,
}
# Classes that no mode travels (not built, not a road).
_NO_MODE: Final = frozenset(
    {
        "construction",
        "proposed",
        "planned",
        "abandoned",
        "razed",
        "platform",
        "raceway",
        "bus_guideway",
        "busway",
        "bus_stop",
        "escape",
        "emergency_bay",
        "rest_area",
        "services",
    }
)
_FOOT_ONLY: Final = frozenset(
    {"footway", "steps", "pedestrian", "corridor", "elevator", "bridleway", "via_ferrata"}
)
_NOT_DRIVEN: Final = _FOOT_ONLY | {"path", "cycleway", "trail", "sidewalk", "crossing"}
_EXCLUDED: Final[dict[str, frozenset[str]]] = {
    "walk": _NO_MODE | {"motorway", "motorway_link"},
    "bike": _NO_MODE | {"motorway", "motorway_link"} | _FOOT_ONLY,
    "drive": _NO_MODE | _NOT_DRIVEN,
}
_KNOWN: Final = frozenset(CLASS_DRIVE_KMH) | _NO_MODE | _NOT_DRIVEN
_MINUTES_PER_HOUR: Final = 60.0


def mode_allows(highway: Any, mode: str) -> BoolArray:
    """Return which road classes a mode may travel (None: no class, every mode may).

    Examples
    --------
    >>> mode_allows(["motorway", "footway", None, "residential"], "walk").tolist()
    [False, True, True, True]
    >>> mode_allows(["motorway", "footway", None, "residential"], "drive").tolist()
    [True, False, True, True]
    """
    classes = np.asarray(highway, dtype=object)
    excluded = np.asarray(sorted(_EXCLUDED[mode]), dtype=object)
    return ~np.isin(classes, excluded)


@dataclass(frozen=True, eq=False)
class Network:
    """A directed road graph for one mode, in a metric CRS.

    The graph is a set of straight segments between nodes. Segment ``i`` runs
    from node ``seg_u[i]`` to node ``seg_v[i]`` (the drawing direction) and may
    be travelled forward (``seg_forward``) and/or backward (``seg_backward``).

    Attributes
    ----------
    crs
        The metric CRS (WKT) the coordinates and lengths are in.
    params
        The mode, speeds and snapping rules the graph was built for.
    node_xy
        Node coordinates, shape (n, 2).
    seg_u, seg_v, seg_length, seg_kmh, seg_forward, seg_backward, seg_line
        Per segment: end nodes, planar length (m), speed (km/h), allowed
        directions and the row of the source line in the layer.
    line_ids
        The ids of the source lines (``seg_line`` indexes them).
    warnings
        What the build noticed (unknown classes, ...), one sentence each.
    """

    crs: str
    params: NetworkParams
    node_xy: FloatArray
    seg_u: IntArray
    seg_v: IntArray
    seg_length: FloatArray
    seg_kmh: FloatArray
    seg_forward: BoolArray
    seg_backward: BoolArray
    seg_line: IntArray
    line_ids: npt.NDArray[np.str_]
    warnings: tuple[str, ...] = ()

    @property
    def n_nodes(self) -> int:
        """The number of nodes."""
        return int(self.node_xy.shape[0])

    @property
    def n_segments(self) -> int:
        """The number of segments."""
        return int(self.seg_u.shape[0])

    @property
    def walk_m_per_min(self) -> float:
        """Walking speed in metres per minute (connector legs)."""
        return self.params.walk_kmh * 1000.0 / _MINUTES_PER_HOUR

    @cached_property
    def seg_minutes(self) -> FloatArray:
        """The travel time of each segment in minutes."""
        return self.seg_length / (self.seg_kmh * 1000.0 / _MINUTES_PER_HOUR)

    def seg_cost(self, cost: Cost) -> FloatArray:
        """Return each segment's cost: metres for ``length``, minutes for ``time``."""
        if cost == "length":
            return self.seg_length
        if cost == "time":
            return self.seg_minutes
        raise ParameterError(f"cost {cost!r} is not one of length, time")

    @cached_property
    def uniform_speed(self) -> bool:
        """Whether every segment has the same speed (then time is length / speed)."""
        return bool(self.n_segments == 0 or np.ptp(self.seg_kmh) == 0.0)

    @cached_property
    def segments(self) -> npt.NDArray[np.object_]:
        """The segments as shapely LineStrings (drawing direction), in ``crs``."""
        coords = np.stack([self.node_xy[self.seg_u], self.node_xy[self.seg_v]], axis=1)
        return np.asarray(shapely.linestrings(coords), dtype=object)

    @cached_property
    def tree(self) -> shapely.STRtree:
        """A spatial index of :attr:`segments`."""
        return shapely.STRtree(self.segments)

    def arcs(self, cost: Cost) -> tuple[IntArray, IntArray, FloatArray, FloatArray]:
        """Return the directed arcs: tail, head, cost and the other unit's cost.

        Parallel arcs are kept; :func:`csr_graph` keeps the cheapest.
        """
        primary = self.seg_cost(cost)
        secondary = self.seg_cost("time" if cost == "length" else "length")
        fwd, bwd = self.seg_forward, self.seg_backward
        tail = np.concatenate([self.seg_u[fwd], self.seg_v[bwd]])
        head = np.concatenate([self.seg_v[fwd], self.seg_u[bwd]])
        return (
            tail,
            head,
            np.concatenate([primary[fwd], primary[bwd]]),
            np.concatenate([secondary[fwd], secondary[bwd]]),
        )

    def to_frame(self) -> gpd.GeoDataFrame:
        """Return the segments as a GeoDataFrame (for maps, exports and checks)."""
        return gpd.GeoDataFrame(
            {
                "line_id": self.line_ids[self.seg_line],
                "u": self.seg_u,
                "v": self.seg_v,
                "length_m": self.seg_length,
                "kmh": self.seg_kmh,
                "forward": self.seg_forward,
                "backward": self.seg_backward,
            },
            geometry=self.segments,
            crs=CRS.from_user_input(self.crs),
        )


def csr_graph(
    n: int, tail: IntArray, head: IntArray, primary: FloatArray, secondary: FloatArray
) -> tuple[sparse.csr_matrix, FloatArray]:
    """Return the (n x n) CSR graph of the cheapest arcs and their other-unit costs.

    Of parallel arcs (same tail and head) the one with the lowest primary cost
    is kept; ``secondary`` is aligned with the matrix's ``data``.
    """
    order = np.lexsort((primary, head, tail))
    tail, head = tail[order], head[order]
    primary, secondary = primary[order], secondary[order]
    first = np.ones(tail.shape[0], dtype=bool)
    first[1:] = (tail[1:] != tail[:-1]) | (head[1:] != head[:-1])
    tail, head, primary, secondary = tail[first], head[first], primary[first], secondary[first]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(tail, minlength=n), out=indptr[1:])
    matrix = sparse.csr_matrix((primary, head, indptr), shape=(n, n))
    return matrix, secondary


def build_network(roads: gpd.GeoDataFrame, crs: CRS | str, params: NetworkParams) -> Network:
    """Build the road graph for ``params.mode`` in the metric ``crs``.

    Parameters
    ----------
    roads
        Network lines with the columns of :func:`siteplan.load.network.read_network`
        (``id``, ``highway``, ``oneway``, ``maxspeed_kmh``, ``geometry``), in any CRS.
    crs
        The metric CRS to measure in (the study's CRS).
    params
        Mode, speeds and the endpoint snap tolerance.

    Returns
    -------
    Network
        The directed graph, with warnings about what was noticed.

    Raises
    ------
    LayerError
        When no line of the layer can be travelled in the mode.
    """
    metric = check_metric_crs(crs)
    if roads.crs is None:
        raise LayerError("roads has no CRS; read it with read_network or set one")
    lines = roads.to_crs(metric)
    notes: list[str] = []
    highway = lines["highway"].to_numpy(dtype=object)
    unknown = sorted({str(h) for h in highway if h is not None} - _KNOWN)
    if unknown:
        notes.append(
            f"road classes {', '.join(unknown)} are not known; they serve every mode"
            + (f" at drive_kmh {params.drive_kmh:g}" if params.mode == "drive" else "")
        )
    usable = mode_allows(highway, params.mode)
    usable &= ~lines.geometry.is_empty.to_numpy()
    if not usable.any():
        raise LayerError(f"no road of the network can be travelled in mode {params.mode!r}")
    rows = np.flatnonzero(usable)
    kmh = _line_speeds(lines.iloc[rows], params)
    oneway = lines["oneway"].to_numpy(dtype=np.int8)[rows]
    geoms = np.asarray(lines.geometry.array, dtype=object)[rows]
    coords, owner = shapely.get_coordinates(geoms, return_index=True)
    node_of, node_xy = _nodes(coords, owner, params.snap_tolerance_m)
    seg = np.flatnonzero(owner[1:] == owner[:-1])
    u, v = node_of[seg], node_of[seg + 1]
    keep = u != v
    seg, u, v = seg[keep], u[keep], v[keep]
    line = owner[seg]
    length = np.hypot(*(node_xy[v] - node_xy[u]).T)
    if params.mode == "drive":
        forward, backward = oneway[line] >= 0, oneway[line] <= 0
    else:
        forward = backward = np.ones(line.shape[0], dtype=bool)
    ids = lines["id"].astype(str).to_numpy()[rows]
    return Network(
        crs=metric.to_wkt(),
        params=params,
        node_xy=node_xy,
        seg_u=u.astype(np.int64),
        seg_v=v.astype(np.int64),
        seg_length=length.astype(np.float64),
        seg_kmh=kmh[line].astype(np.float64),
        seg_forward=np.asarray(forward, dtype=bool),
        seg_backward=np.asarray(backward, dtype=bool),
        seg_line=np.arange(rows.shape[0], dtype=np.int64)[line],
        line_ids=ids.astype(str),
        warnings=tuple(notes),
    )


def _line_speeds(lines: gpd.GeoDataFrame, params: NetworkParams) -> FloatArray:
    """Return each line's speed in km/h for the mode."""
    n = len(lines)
    if params.mode == "walk":
        return np.full(n, float(params.walk_kmh))
    if params.mode == "bike":
        return np.full(n, float(params.bike_kmh))
    table = {**CLASS_DRIVE_KMH, **params.class_kmh}
    by_class = (
        lines["highway"].map(table).to_numpy(dtype=float, na_value=np.nan)
        if n
        else np.zeros(0, dtype=float)
    )
    given = lines["maxspeed_kmh"].to_numpy(dtype=float, na_value=np.nan)
    return np.where(
        np.isfinite(given),
        given,
        np.where(np.isfinite(by_class), by_class, float(params.drive_kmh)),
    )


def _nodes(coords: FloatArray, owner: IntArray, tolerance: float) -> tuple[IntArray, FloatArray]:
    """Return each vertex's node and the node coordinates.

    Equal coordinates are one node; a line endpoint within ``tolerance`` of
    another vertex joins it (the group takes its lowest-numbered vertex's position).
    """
    unique, inverse = np.unique(coords, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    if tolerance <= 0 or unique.shape[0] < 2:
        return inverse.astype(np.int64), unique
    is_end = np.zeros(owner.shape[0], dtype=bool)
    is_end[0] = is_end[-1] = True
    is_end[1:] |= owner[1:] != owner[:-1]
    is_end[:-1] |= owner[1:] != owner[:-1]
    ends = np.unique(inverse[is_end])
    near = (
        cKDTree(unique[ends])
        .sparse_distance_matrix(cKDTree(unique), tolerance, output_type="coo_matrix")
        .tocoo()
    )
    n = unique.shape[0]
    links = sparse.coo_matrix((np.ones(near.nnz), (ends[near.row], near.col)), shape=(n, n)).tocsr()
    count, label = csgraph.connected_components(links, directed=False)
    if count == n:
        return inverse.astype(np.int64), unique
    # Number the groups by their lowest vertex, which gives the node's position.
    first = np.full(count, n, dtype=np.int64)
    np.minimum.at(first, label, np.arange(n))
    order = np.argsort(first, kind="stable")
    rank = np.empty(count, dtype=np.int64)
    rank[order] = np.arange(count)
    return rank[label][inverse].astype(np.int64), unique[first[order]]
