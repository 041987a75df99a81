"""GEOS's shortest segment between two far-apart simple polygons, without a GEOS call.

``shapely.shortest_line`` of two polygons (GEOS ``DistanceOp``) tests every edge
of one against every edge of the other and keeps the first edge pair, in edge
order, whose distance is the smallest; the segment is that pair's
``LineSegment::closestPoints``. For 1,200 footprints of 20 vertices that is
719,400 calls of about 4 µs each.

:meth:`Rings.nearest` gives the same segment, bit for bit, with numpy, for pairs
of polygons without holes whose bounding boxes do not touch (so neither holds a
point of the other and no two of their edges cross):

1. an upper bound ``U`` of the pair's distance: a vertex-to-vertex distance;
2. the candidate edges of each polygon: a lower bound of each edge's distance to
   the other polygon is the gap between their projections on the line joining
   the two boxes' centres; edges whose bound exceeds ``U`` (plus a margin far
   above float rounding) can never be GEOS's nearest pair;
3. for every candidate edge pair, ``closestPoints`` with GEOS's own float
   operations in its order (``LineSegment::closestPoint``, ``projectionFactor``,
   ``CoordinateXY::distance``; its intersection test finds nothing here);
4. the nearest candidate pair. When another candidate pair comes within
   :data:`_TIE_M` of it with a different segment (parallel edges, say), GEOS's
   choice depends on its own rounding: the pair is refused and the caller asks
   GEOS. Pairs with more than :data:`MAX_CANDIDATES` candidate edges on a side
   are refused too.

Points, lines, multipolygons, polygons with holes or more than
:data:`MAX_VERTICES` vertices, and pairs whose boxes touch are not eligible:
the caller measures them with GEOS.
"""

from __future__ import annotations

from typing import Final, TypeAlias

import numpy as np
import numpy.typing as npt
import shapely

__all__ = ["MAX_CANDIDATES", "MAX_VERTICES", "Rings"]

FloatArray: TypeAlias = npt.NDArray[np.float64]
IntArray: TypeAlias = npt.NDArray[np.intp]

#: Exterior rings with more vertices than this (closing vertex included) are left to GEOS.
MAX_VERTICES: Final = 64
#: Candidate edges per polygon and pair; pairs with more are left to GEOS.
MAX_CANDIDATES: Final = 3
#: Absolute margin (metres) on the upper bound, far above the float rounding of the
#: edge distances (about 1e-9 m at UTM coordinates).
_MARGIN_M: Final = 1e-6
#: Candidate pairs within this of the nearest (metres) that give another segment: refused.
_TIE_M: Final = 1e-6
#: Pairs per numpy block: the temporaries stay small enough for malloc to reuse them. With
#: 8,192 (1.3 MB arrays) the 1,200-polygon study took 250,000 page faults and 3.4 s CPU in
#: measure_pairs; with 2,048, 20,000-55,000 faults and 2.8 s.
_BLOCK: Final = 2_048


class Rings:
    """The exterior rings of simple polygon sites, padded into arrays.

    Parameters
    ----------
    arr
        The site geometries in a metric CRS.

    Examples
    --------
    >>> a, b = shapely.box(0, 0, 10, 10), shapely.Polygon([(30, 2), (40, 1), (35, 9)])
    >>> rings = Rings(np.array([a, b], dtype=object))
    >>> ok, ends = rings.nearest(np.array([0]), np.array([1]))
    >>> ok.tolist(), ends.tolist(), shapely.get_coordinates(shapely.shortest_line(a, b)).tolist()
    ([True], [[10.0, 2.0, 30.0, 2.0]], [[10.0, 2.0], [30.0, 2.0]])
    """

    def __init__(self, arr: npt.NDArray[np.object_]) -> None:
        n = len(arr)
        self.simple = np.zeros(n, dtype=bool)
        self.bounds = np.full((n, 4), np.nan)
        counts = np.zeros(n, dtype=np.intp)
        if n:
            poly = (shapely.get_type_id(arr) == 3) & ~shapely.is_empty(arr)  # Polygon
            poly[poly] = shapely.get_num_interior_rings(arr[poly]) == 0
            counts[poly] = shapely.get_num_coordinates(shapely.get_exterior_ring(arr[poly]))
            self.simple = poly & (counts >= 4) & (counts <= MAX_VERTICES)
            self.bounds = shapely.bounds(arr).reshape(n, 4)
        width = int(counts[self.simple].max()) if self.simple.any() else 2
        #: (sites, width) ring vertices; past a ring's end, its last vertex again
        self.x = np.zeros((n, width))
        self.y = np.zeros((n, width))
        #: (sites, width - 1): whether the edge exists (False past a ring's end)
        self.edge = np.zeros((n, width - 1), dtype=bool)
        for k in np.flatnonzero(self.simple).tolist():
            c = shapely.get_coordinates(shapely.get_exterior_ring(arr[k]))
            m = len(c)
            self.x[k, :m], self.y[k, :m] = c[:, 0], c[:, 1]
            self.x[k, m:], self.y[k, m:] = c[-1, 0], c[-1, 1]
            self.edge[k, : m - 1] = True
        self.cx = (self.bounds[:, 0] + self.bounds[:, 2]) / 2.0
        self.cy = (self.bounds[:, 1] + self.bounds[:, 3]) / 2.0

    def eligible(self, i: IntArray, j: IntArray) -> npt.NDArray[np.bool_]:
        """Return whether pair ``(i, j)`` is of two simple polygons whose boxes do not touch."""
        bi, bj = self.bounds[i], self.bounds[j]
        apart = (
            (bi[:, 2] < bj[:, 0])
            | (bj[:, 2] < bi[:, 0])
            | (bi[:, 3] < bj[:, 1])
            | (bj[:, 3] < bi[:, 1])
        )
        return np.asarray(self.simple[i] & self.simple[j] & apart, dtype=bool)

    def nearest(self, i: IntArray, j: IntArray) -> tuple[npt.NDArray[np.bool_], FloatArray]:
        """Return, for eligible pairs, whether each is settled and ``shortest_line``'s ends.

        Returns
        -------
        numpy.ndarray
            Bool per pair: the ends are GEOS's (False: ask GEOS).
        numpy.ndarray
            ``(pairs, 4)``: x, y on site ``i``, then x, y on site ``j``.
        """
        ok = np.zeros(len(i), dtype=bool)
        ends = np.full((len(i), 4), np.nan)
        for lo in range(0, len(i), _BLOCK):
            part = slice(lo, min(len(i), lo + _BLOCK))
            ok[part], ends[part] = self._nearest(i[part], j[part])
        return ok, ends

    def _nearest(self, i: IntArray, j: IntArray) -> tuple[npt.NDArray[np.bool_], FloatArray]:
        n = len(i)
        xi, yi, xj, yj = self.x[i], self.y[i], self.x[j], self.y[j]
        limit = _upper_bound((xi, yi), (xj, yj), (self.cx[j], self.cy[j])) + _MARGIN_M
        ux = self.cx[j] - self.cx[i]
        uy = self.cy[j] - self.cy[i]
        norm = np.sqrt(ux * ux + uy * uy)
        ux /= norm
        uy /= norm
        pi = xi * ux[:, None] + yi * uy[:, None]
        pj = xj * ux[:, None] + yj * uy[:, None]
        # an edge of i is at least (smallest projection of j) - (its larger end's) from j
        gap_i = pj.min(axis=1)[:, None] - np.maximum(pi[:, :-1], pi[:, 1:])
        gap_j = np.minimum(pj[:, :-1], pj[:, 1:]) - pi.max(axis=1)[:, None]
        rows_i, cols_i = np.nonzero((gap_i <= limit[:, None]) & self.edge[i])
        rows_j, cols_j = np.nonzero((gap_j <= limit[:, None]) & self.edge[j])
        count_i = np.bincount(rows_i, minlength=n)
        count_j = np.bincount(rows_j, minlength=n)
        ok = (count_i <= MAX_CANDIDATES) & (count_j <= MAX_CANDIDATES)
        # every candidate edge of i against every one of j, pair by pair (rows_i is sorted)
        keep = ok[rows_i]
        rows_i, cols_i = rows_i[keep], cols_i[keep]
        start_j = np.cumsum(count_j) - count_j
        reps = count_j[rows_i]
        entry = np.repeat(np.arange(len(rows_i)), reps)
        within = np.arange(len(entry)) - np.repeat(np.cumsum(reps) - reps, reps)
        pair = rows_i[entry]
        ea = cols_i[entry]
        eb = cols_j[start_j[pair] + within]
        with np.errstate(divide="ignore", invalid="ignore"):
            px, py, qx, qy, dist = _closest_points(
                (xi[pair, ea], yi[pair, ea], xi[pair, ea + 1], yi[pair, ea + 1]),
                (xj[pair, eb], yj[pair, eb], xj[pair, eb + 1], yj[pair, eb + 1]),
            )
        smallest = np.full(n, np.inf)
        np.minimum.at(smallest, pair, dist)
        first = np.flatnonzero(dist == smallest[pair])
        first = first[np.unique(pair[first], return_index=True)[1]]
        chosen = np.full((n, 4), np.nan)
        chosen[pair[first]] = np.column_stack([px[first], py[first], qx[first], qy[first]])
        c = chosen[pair]
        other = (px != c[:, 0]) | (py != c[:, 1]) | (qx != c[:, 2]) | (qy != c[:, 3])
        tied = other & (dist <= smallest[pair] + _TIE_M)
        ok[pair[tied]] = False
        ok &= np.isfinite(smallest)
        return ok, chosen


def _upper_bound(
    i_xy: tuple[FloatArray, FloatArray],
    j_xy: tuple[FloatArray, FloatArray],
    j_centre: tuple[FloatArray, FloatArray],
) -> FloatArray:
    """Return a vertex-to-vertex distance of each pair (at least its shortest distance)."""
    (xi, yi), (xj, yj), (cx, cy) = i_xy, j_xy, j_centre
    pick = np.argmin((xi - cx[:, None]) ** 2 + (yi - cy[:, None]) ** 2, axis=1)
    rows = np.arange(len(xi))
    vx, vy = xi[rows, pick], yi[rows, pick]
    d2 = (xj - vx[:, None]) ** 2 + (yj - vy[:, None]) ** 2
    return np.asarray(np.sqrt(d2.min(axis=1)), dtype=np.float64)


def _distance(ax: FloatArray, ay: FloatArray, bx: FloatArray, by: FloatArray) -> FloatArray:
    """GEOS ``CoordinateXY::distance``: ``sqrt(dx * dx + dy * dy)``."""
    dx = ax - bx
    dy = ay - by
    return np.asarray(np.sqrt(dx * dx + dy * dy), dtype=np.float64)


def _closest_point(
    seg: tuple[FloatArray, FloatArray, FloatArray, FloatArray], px: FloatArray, py: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """GEOS ``LineSegment(p0, p1).closestPoint(p)``, with the same float operations."""
    p0x, p0y, p1x, p1y = seg
    # projectionFactor
    dx = p1x - p0x
    dy = p1y - p0y
    len2 = dx * dx + dy * dy
    r = ((px - p0x) * dx + (py - p0y) * dy) / len2
    r = np.where((px == p1x) & (py == p1y), 1.0, r)
    r = np.where((px == p0x) & (py == p0y), 0.0, r)
    inner = (r > 0) & (r < 1)
    # project(factor): p0 + factor * (p1 - p0); else the nearer end (p1 on a tie)
    first = _distance(p0x, p0y, px, py) < _distance(p1x, p1y, px, py)
    x = np.where(inner, p0x + r * (p1x - p0x), np.where(first, p0x, p1x))
    y = np.where(inner, p0y + r * (p1y - p0y), np.where(first, p0y, p1y))
    return x, y


def _closest_points(
    p: tuple[FloatArray, FloatArray, FloatArray, FloatArray],
    q: tuple[FloatArray, FloatArray, FloatArray, FloatArray],
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """GEOS ``LineSegment p .closestPoints(q)`` for segments that do not cross.

    Returns the ends (x, y on p, then on q) and their distance, broadcast.
    """
    shape = np.broadcast_shapes(p[0].shape, q[0].shape)
    p0x, p0y, p1x, p1y = (np.broadcast_to(v, shape) for v in p)
    q0x, q0y, q1x, q1y = (np.broadcast_to(v, shape) for v in q)
    c00 = _closest_point(p, q0x, q0y)
    c01 = _closest_point(p, q1x, q1y)
    c10 = _closest_point(q, p0x, p0y)
    c11 = _closest_point(q, p1x, p1y)
    tests = [
        (c00[0], c00[1], q0x, q0y),
        (c01[0], c01[1], q1x, q1y),
        (p0x, p0y, c10[0], c10[1]),
        (p1x, p1y, c11[0], c11[1]),
    ]
    ax, ay, bx, by = (np.array(v) for v in tests[0])
    best = _distance(ax, ay, bx, by)
    for tx, ty, sx, sy in tests[1:]:
        d = _distance(tx, ty, sx, sy)
        better = d < best  # GEOS keeps the first of equal distances
        ax = np.where(better, tx, ax)
        ay = np.where(better, ty, ay)
        bx = np.where(better, sx, bx)
        by = np.where(better, sy, by)
        best = np.where(better, d, best)
    return ax, ay, bx, by, best
