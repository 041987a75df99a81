"""Dead-end trees of the junction graph, so searches visit the core only.

A junction with one neighbouring junction is a dead end: every path that
enters it comes back the way it came. Peeling dead ends repeatedly (each
time, the junctions left with one neighbour) removes the trees that hang off
the network's core (its 2-core: 27 % of the junctions of the Helsinki walking
graph). A search need not visit them: a tree junction is reached only from its
parent (its one neighbour towards the core), so its cost is the parent's cost
plus the arc from the parent, filled in after the search, level by level from
the core outwards, with numpy (:func:`fill`).

A tree that a search starts in keeps the path from its start up to the core
(:func:`pruned_for`): those junctions stay in the search graph. A component
that is a tree without a core keeps one junction as its root (parent ``-1``):
the search leaves it unreached unless it starts in that component.

The peeling ignores directions (two junctions are neighbours when a chain
joins them); the filled cost uses the arc in the searched direction, so a
one-way chain away from the core leaves its tree unreachable, as it is.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import numpy as np

from siteplan.measure.network.chains import Chains
from siteplan.measure.network.graph import BoolArray, FloatArray, IntArray

__all__ = ["Trees", "fill", "pruned_for", "trees_of"]

_CACHE: weakref.WeakKeyDictionary[Chains, Trees] = weakref.WeakKeyDictionary()


@dataclass(frozen=True, eq=False)
class Trees:
    """The dead-end trees of a junction graph.

    Attributes
    ----------
    in_tree
        Per junction: whether it lies in a tree (off the core).
    parent
        Per junction: its neighbour towards the core; ``-1`` for core
        junctions and for the root of a component without a core.
    levels
        The tree junctions by peeling round, innermost first (the order in
        which their costs are filled in).
    """

    in_tree: BoolArray
    parent: IntArray
    levels: tuple[IntArray, ...]


def trees_of(chains: Chains) -> Trees:
    """Return the dead-end trees of the chains' junction graph, built once per chains."""
    trees = _CACHE.get(chains)
    if trees is None:
        trees = _peel(chains)
        _CACHE[chains] = trees
    return trees


def _peel(chains: Chains) -> Trees:
    n = chains.n_junctions
    real = chains.start != chains.end
    a, b = chains.start[real], chains.end[real]
    pairs = np.unique(np.stack([np.concatenate([a, b]), np.concatenate([b, a])], axis=1), axis=0)
    src, dst = pairs[:, 0], pairs[:, 1]
    degree = np.bincount(src, minlength=n)
    alive = np.ones(n, dtype=bool)
    parent = np.full(n, -1, dtype=np.int64)
    levels: list[IntArray] = []
    while True:
        leaf = alive & (degree == 1)
        if not leaf.any():
            break
        link = leaf[src] & alive[dst]  # a leaf's one remaining neighbour
        parent[src[link]] = dst[link]
        leaves = src[link]
        # Two leaves joined only to each other: the lower stays as the root.
        mutual = leaf[parent[leaves]] & (leaves < parent[leaves])
        parent[leaves[mutual]] = -1
        leaves = leaves[~mutual]
        alive[leaves] = False
        np.subtract.at(degree, parent[leaves], 1)
        levels.append(leaves)
    roots = np.flatnonzero(alive & (degree == 0))  # components without a core
    in_tree = ~alive
    in_tree[roots] = True
    ordered = [roots, *reversed(levels)]
    return Trees(in_tree=in_tree, parent=parent, levels=tuple(ordered))


def pruned_for(trees: Trees, starts: IntArray) -> BoolArray:
    """Return the junctions a search from ``starts`` may skip.

    Tree junctions, except each start's path up to the core (or to its
    component's root), which the search must travel.
    """
    pruned = trees.in_tree.copy()
    current = np.unique(starts)
    current = current[pruned[current]]
    while current.size:
        pruned[current] = False
        up = trees.parent[current]
        up = up[up >= 0]
        current = np.unique(up[pruned[up]])
    return pruned


def fill(
    trees: Trees,
    pruned: BoolArray,
    weight: tuple[FloatArray, FloatArray],
    by_node: FloatArray,
    *,
    acc: FloatArray | None = None,
    labels: IntArray | None = None,
    limit: float = np.inf,
) -> None:
    """Fill in the pruned junctions' rows of ``by_node`` (junctions x sources), in place.

    ``weight`` holds, per junction, the arc from its parent in the searched
    direction (both units, inf where there is none). ``acc`` (the other unit
    along the same paths) is filled alike, and ``labels`` (junctions x
    sources, e.g. the nearest source) are copied from the parents. Costs
    beyond ``limit`` are inf, as the search leaves them.
    """
    w1, w2 = weight
    for level in trees.levels:
        nodes = level[pruned[level]]
        nodes = nodes[trees.parent[nodes] >= 0]
        if not nodes.size:
            continue
        up = trees.parent[nodes]
        values = by_node[up] + w1[nodes, None]
        values[values > limit] = np.inf
        by_node[nodes] = values
        if acc is not None:
            acc[nodes] = acc[up] + w2[nodes, None]
        if labels is not None:
            labels[nodes] = labels[up]
