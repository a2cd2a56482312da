"""The document: nodes, edges, props, scenario, as plain data with no Qt.

The editor changes a Document only through its methods; each method announces the change to
its listeners, so views follow the model and undo commands can reverse it exactly.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Callable

from engine import registry

ACCOUNT_CONCURRENCY = 1000   # AWS's default Lambda concurrency quota per account and region
UNRESERVED_MINIMUM = 100     # AWS keeps this much of it for functions without reserved concurrency
PROPERTIES = ("title", "description", "seed", "duration_s")   # the document's own fields (File > Properties)


@dataclass
class Node:
    id: str
    kind: str
    name: str
    pos: tuple[float, float] = (0.0, 0.0)
    props: dict[str, Any] = field(default_factory=dict)

    def prop(self, name: str) -> Any:
        """The prop's value, or the registry default when the file leaves it out."""
        if name in self.props:
            return self.props[name]
        spec = registry.KINDS[self.kind].prop(name)
        return copy.deepcopy(spec.default) if spec else None


@dataclass
class Edge:
    id: str
    source: str
    target: str
    props: dict[str, Any] = field(default_factory=dict)


@dataclass
class Document:
    title: str = "Untitled"
    description: str = ""
    seed: int = 1
    duration_s: float = 600.0
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: dict[str, Edge] = field(default_factory=dict)
    scenario: list[dict[str, Any]] = field(default_factory=list)
    listeners: list[Callable[[str, Any], None]] = field(default_factory=list, repr=False, compare=False)
    # Lambda concurrency of the simulated account (region): what functions without reserved
    # concurrency share (AWS's default quota, 1,000). File: simulation.account_concurrency.
    account_concurrency: int = ACCOUNT_CONCURRENCY

    # -- queries ---------------------------------------------------------------------------
    def node(self, node_id: str) -> Node:
        return self.nodes[node_id]

    def edge_prop(self, edge: Edge, name: str) -> Any:
        if name in edge.props:
            return edge.props[name]
        conn = registry.connection(self.nodes[edge.source].kind, self.nodes[edge.target].kind)
        spec = conn.prop(name) if conn else None
        return copy.deepcopy(spec.default) if spec else None

    def edges_to(self, node_id: str) -> list[Edge]:
        return [e for e in self.edges.values() if e.target == node_id]

    def new_id(self, prefix: str) -> str:
        taken = set(self.nodes) | set(self.edges)
        n = 1
        while f"{prefix}{n}" in taken:
            n += 1
        return f"{prefix}{n}"

    def copy(self) -> "Document":
        """A deep copy with no listeners: what the engine takes on play."""
        return Document(self.title, self.description, self.seed, self.duration_s,
                        copy.deepcopy(self.nodes), copy.deepcopy(self.edges), copy.deepcopy(self.scenario),
                        account_concurrency=self.account_concurrency)

    # -- changes (each announces itself) ------------------------------------------------------
    def _announce(self, what: str, payload: Any) -> None:
        for listener in list(self.listeners):
            listener(what, payload)

    def add_node(self, node: Node, index: int | None = None) -> None:
        """Add a node, at `index` in document order if given (undo puts a node back where it was)."""
        self.nodes = _inserted(self.nodes, node.id, node, index)
        self._announce("node_added", node)

    def remove_node(self, node_id: str) -> Node:
        node = self.nodes.pop(node_id)
        self._announce("node_removed", node)
        return node

    def add_edge(self, edge: Edge, index: int | None = None) -> None:
        self.edges = _inserted(self.edges, edge.id, edge, index)
        self._announce("edge_added", edge)

    def remove_edge(self, edge_id: str) -> Edge:
        edge = self.edges.pop(edge_id)
        self._announce("edge_removed", edge)
        return edge

    def move_node(self, node_id: str, pos: tuple[float, float]) -> None:
        self.nodes[node_id].pos = (float(pos[0]), float(pos[1]))
        self._announce("node_moved", self.nodes[node_id])

    def rename_node(self, node_id: str, name: str) -> None:
        self.nodes[node_id].name = name
        self._announce("node_renamed", self.nodes[node_id])

    def set_node_prop(self, node_id: str, name: str, value: Any) -> None:
        """Set a prop; None removes it so the registry default applies again."""
        props = self.nodes[node_id].props
        if value is None:
            props.pop(name, None)
        else:
            props[name] = value
        self._announce("node_prop", (node_id, name))

    def set_scenario(self, actions: list[dict[str, Any]]) -> None:
        """Replace the scenario (the editor drops actions whose target it deletes)."""
        self.scenario[:] = copy.deepcopy(actions)
        self._announce("scenario_changed", self.scenario)

    def set_properties(self, values: dict[str, Any]) -> None:
        """Change the document's own fields: title, description, seed, duration_s."""
        for name in PROPERTIES:
            if name in values:
                setattr(self, name, values[name])
        self._announce("properties_changed", {name: getattr(self, name) for name in PROPERTIES})

    def properties(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in PROPERTIES}

    def set_edge_prop(self, edge_id: str, name: str, value: Any) -> None:
        props = self.edges[edge_id].props
        if value is None:
            props.pop(name, None)
        else:
            props[name] = value
        self._announce("edge_prop", (edge_id, name))


def _inserted(items: dict, key: str, value: Any, index: int | None) -> dict:
    """The same dict object with key inserted at index (views may hold a reference to it)."""
    if index is None or index >= len(items):
        items[key] = value
        return items
    pairs = list(items.items())
    pairs.insert(index, (key, value))
    items.clear()
    items.update(pairs)
    return items
