"""Static pictures for the HTML report: a site map and a distance-matrix heatmap.

Both are drawn with matplotlib's object API (:class:`matplotlib.figure.Figure`
on an Agg canvas, never pyplot's global figures or backend) in the study's
metric CRS, with matplotlib's default style whatever the user's rc settings,
and saved as PNG without metadata that changes between runs, so the same
result gives the same bytes. There is no basemap: nothing needs the network.
"""

from __future__ import annotations

import io
import math
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from siteplan.analysis import LARGE_STUDY
from siteplan.load.projection import from_wgs84, to_wgs84
from siteplan.render._lookups import nearest_pair_mask
from siteplan.render.text import metres

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from siteplan.analysis import Result

__all__ = ["LABEL_CAP", "distance_matrix", "heatmap_png", "site_map_png"]

_DPI: Final = 100
_SCORE_CMAP: Final = "viridis"
_DISTANCE_CMAP: Final = "viridis_r"
#: Above this many sites the heatmap is not annotated (the cells get too small).
_ANNOTATE_MAX: Final = 20
_HALO: Final = 3.0
#: At most this many labels of a kind (sites, context features) are drawn; with more
#: features, only those inside the frame are labelled, up to this many.
LABEL_CAP: Final = 50


@contextmanager
def _drawing() -> Iterator[None]:
    """Draw with matplotlib's defaults, and without glyph warnings for exotic ids."""
    from matplotlib import style

    with style.context("default"), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Glyph .* missing from", category=UserWarning)
        yield


def _figure(width: float, height: float) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=_DPI)
    FigureCanvasAgg(fig)
    return fig


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=_DPI, metadata={"Software": None})
    return buffer.getvalue()


def _halo() -> list[Any]:
    from matplotlib import patheffects

    return [patheffects.withStroke(linewidth=_HALO, foreground="white")]


# --------------------------------------------------------------------------- map


def _nice_length(span: float) -> float:
    """Return a round scale-bar length (1, 2 or 5 times 10^k metres) about a fifth of ``span``."""
    target = max(span / 5.0, 1e-9)
    power = 10.0 ** math.floor(math.log10(target))
    return max(m * power for m in (1.0, 2.0, 5.0) if m * power <= target)


def _extent(result: Result, focus: str | None) -> tuple[float, float, float, float]:
    """Return square map limits around the sites, the boundary and the first ring."""
    boxes = [result.sites_m.total_bounds]
    if result.data.boundary is not None and len(result.data.boundary):
        boxes.append(result.data.boundary.to_crs(result.crs).total_bounds)
    if focus is not None and result.parameters.rings_m:
        first = result.sites_m.loc[result.sites_m["id"] == focus].total_bounds
        r = result.parameters.rings_m[0]
        boxes.append(np.array([first[0] - r, first[1] - r, first[2] + r, first[3] + r]))
    arr = np.vstack(boxes)
    minx, miny = np.nanmin(arr[:, :2], axis=0)
    maxx, maxy = np.nanmax(arr[:, 2:], axis=0)
    half = max(maxx - minx, maxy - miny, 200.0) * 0.6
    cx, cy = (minx + maxx) / 2.0, (miny + maxy) / 2.0
    return cx - half, cx + half, cy - half, cy + half


def _north_angle(result: Result, x: float, y: float) -> float:
    """Return the angle (radians, clockwise from grid north) of true north at (x, y)."""
    to_geo = to_wgs84(result.crs)
    to_map = from_wgs84(result.crs)
    lon, lat = to_geo.transform(x, y)
    nx, ny = to_map.transform(lon, min(lat + 0.01, 89.9))
    return math.atan2(nx - x, ny - y)


def _draw_scale_bar(ax: Axes, limits: tuple[float, float, float, float]) -> None:
    x0, x1, y0, y1 = limits
    length = _nice_length(x1 - x0)
    left, base = x0 + 0.05 * (x1 - x0), y0 + 0.05 * (y1 - y0)
    tick = 0.012 * (y1 - y0)
    label = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    ax.plot(
        [left, left, left + length, left + length],
        [base + tick, base, base, base + tick],
        color="black",
        linewidth=2,
        solid_capstyle="butt",
        path_effects=_halo(),
        zorder=10,
    )
    ax.text(
        left + length / 2,
        base + 1.5 * tick,
        label,
        ha="center",
        va="bottom",
        fontsize=9,
        path_effects=_halo(),
        parse_math=False,
        zorder=10,
    )


def _draw_north_arrow(ax: Axes, result: Result, limits: tuple[float, float, float, float]) -> None:
    x0, x1, y0, y1 = limits
    angle = _north_angle(result, (x0 + x1) / 2, (y0 + y1) / 2)
    size = 0.07
    bx, by = 0.93, 0.82
    tx, ty = bx + size * math.sin(angle), by + size * math.cos(angle)
    ax.annotate(
        "",
        xy=(tx, ty),
        xytext=(bx, by),
        xycoords="axes fraction",
        arrowprops={"arrowstyle": "-|>,head_width=0.45,head_length=0.9", "color": "black"},
        zorder=10,
    )
    ax.text(
        tx,
        ty + 0.01,
        "N",
        transform=ax.transAxes,
        ha="center",
        va="bottom",
        fontsize=12,
        fontweight="bold",
        path_effects=_halo(),
        zorder=10,
    )


def _in_frame(
    x: npt.NDArray[np.float64],
    y: npt.NDArray[np.float64],
    limits: tuple[float, float, float, float],
) -> npt.NDArray[np.intp]:
    """Return the positions of the points to label.

    All of them up to :data:`LABEL_CAP` points, else the first :data:`LABEL_CAP`
    inside the frame (labels are clipped to it anyway).
    """
    if len(x) <= LABEL_CAP:
        return np.arange(len(x), dtype=np.intp)
    inside = (x >= limits[0]) & (x <= limits[1]) & (y >= limits[2]) & (y <= limits[3])
    return np.flatnonzero(inside)[:LABEL_CAP]


def _draw_context(ax: Axes, result: Result, limits: tuple[float, float, float, float]) -> list[Any]:
    """Draw the boundary, exclusions and context layers lightly; return legend handles.

    Context features are labelled only inside the frame, at most :data:`LABEL_CAP`.
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles: list[Any] = []
    data = result.data
    if data.boundary is not None and len(data.boundary):
        data.boundary.to_crs(result.crs).boundary.plot(
            ax=ax, color="#6b7280", linewidth=1.2, linestyle="--", zorder=1
        )
        handles.append(Line2D([], [], color="#6b7280", linestyle="--", label="study boundary"))
    if data.exclusions is not None and len(data.exclusions):
        data.exclusions.to_crs(result.crs).plot(
            ax=ax, facecolor="#fecaca", edgecolor="#b91c1c", linewidth=0.6, alpha=0.5, zorder=1
        )
        handles.append(Patch(facecolor="#fecaca", edgecolor="#b91c1c", label="exclusion"))
    if data.context is not None and len(data.context):
        context = data.context.to_crs(result.crs)
        context.plot(
            ax=ax, color="#9ca3af", edgecolor="#4b5563", markersize=18, linewidth=0.6, zorder=2
        )
        points = shapely.get_coordinates(context.geometry.representative_point().array)
        names = context["name"].tolist()
        for k in _in_frame(points[:, 0], points[:, 1], limits).tolist():
            label = names[k]
            ax.text(
                points[k, 0],
                points[k, 1],
                f" {label}",
                fontsize=7,
                color="#4b5563",
                ha="left",
                va="center",
                clip_on=True,
                parse_math=False,
                path_effects=_halo(),
                zorder=3,
            )
        handles.append(Line2D([], [], marker="o", color="#9ca3af", linestyle="", label="context"))
    return handles


def _ring_label_point(
    centre: tuple[float, float], radius: float, limits: tuple[float, float, float, float]
) -> tuple[float, float, float] | None:
    """Return (x, y, rotation) of the first compass point of a ring inside the map, if any."""
    cx, cy = centre
    x0, x1, y0, y1 = limits
    margin = 0.03 * (x1 - x0)
    for x, y, rotation in (
        (cx, cy + radius, 0.0),
        (cx - radius, cy, 90.0),
        (cx, cy - radius, 0.0),
        (cx + radius, cy, 90.0),
    ):
        if x0 + margin <= x <= x1 - margin and y0 + margin <= y <= y1 - margin:
            return x, y, rotation
    return None


def _draw_rings(
    ax: Axes, result: Result, focus: str | None, limits: tuple[float, float, float, float]
) -> list[Any]:
    from matplotlib.lines import Line2D

    whose = "{}"
    if focus is None and len(result.sites) > LARGE_STUDY:
        # thousands of ring outlines hide the map: draw the best-ranked site's only
        focus = str(result.sites["id"].iloc[0])
        whose = "{} (best-ranked)"
    rings = result.rings if focus is None else result.rings.loc[result.rings["site_id"] == focus]
    if not len(rings):
        return []
    rings = rings.to_crs(result.crs)
    rings.boundary.plot(
        ax=ax, color="#2563eb", linewidth=0.9 if focus else 0.5, alpha=0.7, zorder=2
    )
    radii = ", ".join(metres(r) for r in result.parameters.rings_m)
    if focus is None or result.network is not None:  # network rings: reached-street bands
        around = "each site" if focus is None else whose.format(focus)
        label = f"rings around {around}\n({radii} {result.parameters.unit})"
        return [Line2D([], [], color="#2563eb", label=label)]
    minx, miny, maxx, maxy = result.sites_m.loc[result.sites_m["id"] == focus].total_bounds
    centre = ((minx + maxx) / 2, (miny + maxy) / 2)
    half = ((maxx - minx) / 2, (maxy - miny) / 2)
    for radius in result.parameters.rings_m:
        # The buffer of a rectangle-like footprint reaches radius + half its extent.
        point = _ring_label_point(centre, radius + max(half), limits)
        if point is None:
            continue
        x, y, rotation = point
        ax.text(
            x,
            y,
            f"{metres(radius)} {result.parameters.unit}",
            fontsize=7,
            color="#1d4ed8",
            ha="center",
            va="center",
            rotation=rotation,
            clip_on=True,
            parse_math=False,
            path_effects=_halo(),
            zorder=3,
        )
    label = f"rings around {whose.format(focus)}\n({radii} m)"
    return [Line2D([], [], color="#2563eb", label=label)]


def site_map_png(result: Result) -> bytes:
    """Draw the study's sites, rings and pair lines as a PNG (metric CRS, no basemap).

    Sites are filled by score and labelled by id; the focus site's rings (every
    site's when the study has no focus) are drawn as outlines; pair lines are
    the shortest edge-to-edge segments; the boundary, exclusions and context
    layers are drawn lightly. A scale bar and a north arrow (true north) are added.
    """
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize
    from matplotlib.lines import Line2D

    with _drawing():
        fig = _figure(10.0, 7.5)
        ax = fig.add_axes((0.01, 0.02, 0.72, 0.96))
        cax = fig.add_axes((0.77, 0.55, 0.022, 0.4))
        cmap = _colormap(_SCORE_CMAP)
        norm = Normalize(0.0, 100.0)
        ids = set(result.sites_m["id"])
        focus = result.study.focus if result.study.focus in ids else None
        limits = _extent(result, focus)

        handles = _draw_context(ax, result, limits)
        handles += _draw_rings(ax, result, focus, limits)
        lines = result.pairs
        if len(result.sites) > LABEL_CAP:  # many sites: each site's line to its nearest only
            lines = lines.loc[nearest_pair_mask(result, lines["a"], lines["b"])]
        if len(lines):
            lines.to_crs(result.crs).plot(
                ax=ax, color="#111827", linewidth=1.2, linestyle=":", zorder=4
            )
            handles.append(Line2D([], [], color="#111827", linestyle=":", label="pair (edge gap)"))
        sites = result.sites_m
        colours = [cmap(norm(float(s))) for s in sites["score"]]
        sites.plot(ax=ax, color=colours, edgecolor="black", linewidth=0.8, markersize=40, zorder=5)
        gap = 0.006 * (limits[1] - limits[0])
        bounds = sites.geometry.bounds
        labelled = _in_frame(
            bounds["maxx"].to_numpy(), ((bounds["miny"] + bounds["maxy"]) / 2).to_numpy(), limits
        )  # in rank order: the best-ranked sites are labelled first
        for sid, right, low, high in zip(
            sites["id"].to_numpy()[labelled],
            bounds["maxx"].to_numpy()[labelled],
            bounds["miny"].to_numpy()[labelled],
            bounds["maxy"].to_numpy()[labelled],
            strict=True,
        ):
            ax.text(
                right + gap,
                (low + high) / 2,
                str(sid),
                fontsize=8,
                fontweight="bold",
                ha="left",
                va="center",
                clip_on=True,
                parse_math=False,
                path_effects=_halo(),
                zorder=6,
            )

        ax.set_xlim(limits[0], limits[1])
        ax.set_ylim(limits[2], limits[3])
        ax.set_aspect("equal", adjustable="box")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlabel("")
        ax.set_ylabel("")
        _draw_scale_bar(ax, limits)
        _draw_north_arrow(ax, result, limits)
        ax.text(
            0.99,
            0.01,
            result.crs_name,
            transform=ax.transAxes,
            ha="right",
            va="bottom",
            fontsize=7,
            color="#4b5563",
            parse_math=False,
        )
        if handles:
            legend = fig.legend(
                handles=handles,
                loc="upper left",
                bbox_to_anchor=(0.75, 0.5),
                fontsize=8,
                frameon=False,
            )
            for text in legend.get_texts():
                text.set_parse_math(False)
        fig.colorbar(ScalarMappable(norm=norm, cmap=cmap), cax=cax, label="site score")
        return _png(fig)


# --------------------------------------------------------------------------- heatmap


def _positions(pos: dict[str, int], values: npt.NDArray[np.object_]) -> npt.NDArray[np.intp]:
    """Return ``pos[str(v)]`` for each value, ``str`` once per distinct value when all are str."""
    codes, uniques = pd.factorize(values)
    if len(codes) and codes.min() >= 0 and all(type(u) is str for u in uniques.tolist()):
        found = np.array([pos[u] for u in uniques.tolist()], dtype=np.intp)
        return np.asarray(found[codes], dtype=np.intp)
    return np.fromiter((pos[str(v)] for v in values.tolist()), dtype=np.intp, count=len(values))


def distance_matrix(result: Result) -> tuple[list[str], npt.NDArray[np.float64]]:
    """Return the site ids (rank order) and the matrix of the chosen measure's distances.

    The diagonal is 0; the matrix is symmetric.
    """
    ids = [str(i) for i in result.sites["id"]]
    pos = {sid: k for k, sid in enumerate(ids)}
    matrix = np.zeros((len(ids), len(ids)))
    i = _positions(pos, result.pairs["a"].to_numpy(dtype=object))
    j = _positions(pos, result.pairs["b"].to_numpy(dtype=object))
    d = result.pairs["distance_m"].to_numpy(dtype=float)
    matrix[i, j] = d
    matrix[j, i] = d
    return ids, matrix


def _colormap(name: str) -> Any:
    from matplotlib import colormaps

    return colormaps[name]


def heatmap_png(result: Result) -> bytes:
    """Draw the sites-by-sites matrix of distances (the chosen measure) as an annotated PNG."""
    ids, matrix = distance_matrix(result)
    n = len(ids)
    # Above LARGE_STUDY sites a cell is under a pixel anyway: a smaller picture says the same.
    side = min(3.0 + 0.7 * n, 14.0 if n <= LARGE_STUDY else 8.0)
    measure = {
        "edge": "edge-to-edge",
        "centroid": "centroid-to-centroid",
        "network": "network",
        "time": "travel time",
    }[result.parameters.measure]
    with _drawing():
        fig = _figure(side + 1.6, side)
        ax = fig.add_axes((0.22, 0.22, 0.62, 0.7))
        cax = fig.add_axes((0.87, 0.22, 0.025, 0.7))
        cmap = _colormap(_DISTANCE_CMAP).with_extremes(bad="#e5e7eb")
        shown = np.ma.masked_array(matrix, mask=np.eye(n, dtype=bool))
        vmax = float(matrix.max()) if n > 1 and matrix.max() > 0 else 1.0
        image = ax.imshow(shown, cmap=cmap, vmin=0.0, vmax=vmax, interpolation="nearest")
        if n <= LABEL_CAP:
            ax.set_xticks(range(n))
            ax.set_yticks(range(n))
            ax.set_xticklabels(ids, rotation=40, ha="right", fontsize=8, parse_math=False)
            ax.set_yticklabels(ids, fontsize=8, parse_math=False)
        else:  # too many sites to name: the axes count them in rank order
            ax.set_xlabel(f"{n} sites, in rank order")
        if n <= _ANNOTATE_MAX:
            for i in range(n):
                for j in range(n):
                    value = matrix[i, j]
                    red, green, blue, _ = cmap(value / vmax)
                    dark = i != j and 0.2126 * red + 0.7152 * green + 0.0722 * blue < 0.5
                    ax.text(
                        j,
                        i,
                        "—" if i == j else metres(value),
                        ha="center",
                        va="center",
                        fontsize=8 if n <= 10 else 6,
                        color="white" if dark else "black",
                        parse_math=False,
                    )
        unit = result.parameters.unit
        ax.set_title(f"{measure} distance ({unit})", fontsize=10)
        fig.colorbar(image, cax=cax, label="minutes" if unit == "min" else "metres")
        return _png(fig)
