"""Auto layout: left-to-right layers that follow the traffic, computed with networkx.

Each node goes into the layer of the longest path of edges leading to it (networkx's topological
generations). Cycles (an SNS topic subscribed over HTTP by the web tier that publishes to it) are
collapsed into one layer first, so any topology gets a layout. Inside a layer nodes are ordered by
where their predecessors sit, which keeps edges from crossing in the usual fan-outs.
"""
from __future__ import annotations

import math

from engine.model import Document

GAP_X, GAP_Y = 90.0, 40.0
MIN_PER_COLUMN = 4      # a layer taller than this (or than the square root of the node count) wraps
Size = tuple[float, float]


def layers(doc: Document) -> list[list[str]]:
    """Node ids per layer, left to right, in document order within a layer."""
    import networkx as nx  # imported on first use: it costs a fifth of a second at start-up
    graph = nx.DiGraph()
    graph.add_nodes_from(doc.nodes)
    graph.add_edges_from((e.source, e.target) for e in doc.edges.values() if e.source != e.target)
    condensed = nx.condensation(graph)
    order = {node_id: i for i, node_id in enumerate(doc.nodes)}
    out = []
    for generation in nx.topological_generations(condensed):
        members = [m for c in generation for m in condensed.nodes[c]["members"]]
        out.append(sorted(members, key=order.__getitem__))
    return out


def _ordered(layer_nodes: list[str], doc: Document, rank: dict[str, float]) -> list[str]:
    """Order a layer by the mean rank of each node's predecessors (barycentre); keep the others' order."""
    def key(node_id: str) -> tuple[float, float]:
        preds = [rank[e.source] for e in doc.edges_to(node_id) if e.source in rank]
        own = doc.nodes[node_id].pos[1]
        return (sum(preds) / len(preds), own) if preds else (float("inf"), own)
    return sorted(layer_nodes, key=key)


def auto_layout(doc: Document, sizes: dict[str, Size]) -> dict[str, tuple[float, float]]:
    """New centre positions for every node, shifted so the leftmost and topmost centres stay put."""
    if not doc.nodes:
        return {}
    positions: dict[str, tuple[float, float]] = {}
    rank: dict[str, float] = {}
    x = 0.0
    tallest = max(MIN_PER_COLUMN, math.ceil(math.sqrt(len(doc.nodes))))
    for layer in layers(doc):
        for column in _columns(_ordered(layer, doc, rank), tallest):
            x = _place(column, x, sizes, positions, rank)
    return _moved_to(positions, doc)


def _place(column: list[str], x: float, sizes: dict[str, Size], positions: dict, rank: dict) -> float:
    """Centre a column's nodes on y = 0 at x; returns where the next column starts."""
    width = max(sizes[n][0] for n in column)
    y = -(sum(sizes[n][1] for n in column) + GAP_Y * (len(column) - 1)) / 2
    for i, node_id in enumerate(column):
        h = sizes[node_id][1]
        positions[node_id] = (x + width / 2, y + h / 2)
        rank[node_id] = i - (len(column) - 1) / 2
        y += h + GAP_Y
    return x + width + GAP_X


def _columns(layer: list[str], tallest: int) -> list[list[str]]:
    """A layer as columns of at most `tallest` nodes, evenly filled: nodes without edges (all in the
    first layer) form a grid instead of one long column."""
    count = math.ceil(len(layer) / tallest)
    per = math.ceil(len(layer) / count)
    return [layer[i:i + per] for i in range(0, len(layer), per)]


def _moved_to(positions: dict[str, tuple[float, float]], doc: Document) -> dict[str, tuple[float, float]]:
    old_x = min(n.pos[0] for n in doc.nodes.values())
    old_y = min(n.pos[1] for n in doc.nodes.values())
    dx = old_x - min(p[0] for p in positions.values())
    dy = old_y - min(p[1] for p in positions.values())
    return {n: (round(p[0] + dx), round(p[1] + dy)) for n, p in positions.items()}
