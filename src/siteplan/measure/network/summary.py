"""The network quality report that ``siteplan validate`` prints for a study's roads."""

from __future__ import annotations

from siteplan.load.projection import choose_crs
from siteplan.load.study import StudyData
from siteplan.measure.network.quality import network_quality
from siteplan.measure.network.sites import study_network

__all__ = ["network_report"]


def network_report(data: StudyData) -> list[str]:
    """Return the lines that describe a study's road network (none without one).

    The graph is built for the study's ``[network]`` mode in the study's
    metric CRS: nodes, edges, connected components and the share of length in
    the largest, dangling ends, and lines that cross without a shared vertex
    (bridges and tunnels, or lines that should join but do not).
    """
    if data.network is None:
        return []
    frame = data.sites if len(data.sites) else data.network.frame
    crs = choose_crs(frame, data.study.crs)
    network, _ = study_network(data.network, data.network_paths, crs, data.study.network)
    q = network_quality(network)
    mode = network.params.mode
    return [
        f"  network ({mode}): {q.nodes:,} nodes, {q.edges:,} edges, "
        f"{q.length_m / 1000:,.1f} km, {q.components} connected component"
        f"{'' if q.components == 1 else 's'} ({q.largest_share:.0%} of the length in the "
        f"largest), {q.dangling_ends} dangling ends, {q.crossings} crossings without a "
        "shared vertex (they do not join: bridges and tunnels, or lines to check)",
        *(f"  network: {w}" for w in network.warnings),
    ]
