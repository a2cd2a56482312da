"""Undoable edits of a Document: each is a small QUndoCommand whose redo and undo call model methods.

Views never write the model; they push one of these on the window's QUndoStack and follow the
model's announcements. Compound edits (delete a node with its edges, paste) are a parent command
whose children run in order on redo and in reverse on undo (QUndoCommand's default behaviour).
"""
from __future__ import annotations

import copy
from typing import Any, Iterable

from PySide6.QtGui import QUndoCommand

from engine.model import Document, Edge, Node


class Macro(QUndoCommand):
    """A compound command: children redo in order and undo in reverse.

    The children are plain Python-owned commands held in a list, not Qt children: a Qt child
    created from Python stays owned by Python, and Qt and Python would both delete it.
    """

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.children: list[QUndoCommand] = []

    def add(self, command_class: type, *args: Any) -> QUndoCommand:
        child = command_class(*args)
        self.children.append(child)
        return child

    def redo(self) -> None:
        for child in self.children:
            child.redo()

    def undo(self) -> None:
        for child in reversed(self.children):
            child.undo()


class AddNode(QUndoCommand):
    def __init__(self, doc: Document, node: Node, parent: QUndoCommand | None = None) -> None:
        super().__init__(f"Add {node.name}", parent)
        self.doc, self.node = doc, node

    def redo(self) -> None:
        self.doc.add_node(copy.deepcopy(self.node))

    def undo(self) -> None:
        self.doc.remove_node(self.node.id)


class _RemoveNodeOnly(QUndoCommand):
    def __init__(self, doc: Document, node_id: str, parent: QUndoCommand | None = None) -> None:
        super().__init__(parent)
        self.doc, self.node_id = doc, node_id
        self.node: Node | None = None
        self.index = 0

    def redo(self) -> None:
        self.index = list(self.doc.nodes).index(self.node_id)
        self.node = self.doc.remove_node(self.node_id)

    def undo(self) -> None:
        self.doc.add_node(self.node, self.index)


class AddEdge(QUndoCommand):
    def __init__(self, doc: Document, edge: Edge, parent: QUndoCommand | None = None) -> None:
        names = [doc.nodes[n].name if n in doc.nodes else n for n in (edge.source, edge.target)]
        super().__init__(f"Connect {names[0]} to {names[1]}", parent)
        self.doc, self.edge = doc, edge

    def redo(self) -> None:
        self.doc.add_edge(copy.deepcopy(self.edge))

    def undo(self) -> None:
        self.doc.remove_edge(self.edge.id)


class RemoveEdge(QUndoCommand):
    def __init__(self, doc: Document, edge_id: str, parent: QUndoCommand | None = None) -> None:
        edge = doc.edges[edge_id]
        super().__init__(f"Disconnect {doc.nodes[edge.source].name} from {doc.nodes[edge.target].name}", parent)
        self.doc, self.edge_id = doc, edge_id
        self.edge: Edge | None = None
        self.index = 0

    def redo(self) -> None:
        self.index = list(self.doc.edges).index(self.edge_id)
        self.edge = self.doc.remove_edge(self.edge_id)

    def undo(self) -> None:
        self.doc.add_edge(self.edge, self.index)


def remove_items(doc: Document, node_ids: Iterable[str], edge_ids: Iterable[str] = ()) -> Macro:
    """One command deleting nodes (with every edge touching them) and edges."""
    node_ids = [n for n in dict.fromkeys(node_ids) if n in doc.nodes]
    doomed_edges = dict.fromkeys(e for e in edge_ids if e in doc.edges)
    for edge in doc.edges.values():
        if edge.source in node_ids or edge.target in node_ids:
            doomed_edges[edge.id] = None
    names = [doc.nodes[n].name for n in node_ids]
    text = f"Delete {names[0]}" if len(names) == 1 else f"Delete {len(names) + (not names) * len(doomed_edges)} items"
    parent = Macro(text if names or len(doomed_edges) != 1 else "Delete connection")
    for edge_id in doomed_edges:
        parent.add(RemoveEdge, doc, edge_id)
    for node_id in node_ids:
        parent.add(_RemoveNodeOnly, doc, node_id)
    return parent


class SetScenario(QUndoCommand):
    def __init__(self, doc: Document, actions: list[dict[str, Any]], text: str = "Change the scenario") -> None:
        super().__init__(text)
        self.doc, self.old, self.new = doc, copy.deepcopy(doc.scenario), copy.deepcopy(actions)

    def redo(self) -> None:
        self.doc.set_scenario(self.new)

    def undo(self) -> None:
        self.doc.set_scenario(self.old)


class SetProperties(QUndoCommand):
    """The document's title, description, seed and duration (File > Properties), as one step."""

    def __init__(self, doc: Document, values: dict[str, Any]) -> None:
        super().__init__("Change the document's properties")
        self.doc, self.old, self.new = doc, doc.properties(), dict(values)

    def redo(self) -> None:
        self.doc.set_properties(self.new)

    def undo(self) -> None:
        self.doc.set_properties(self.old)


def delete(doc: Document, node_ids: Iterable[str], edge_ids: Iterable[str] = ()) -> Macro:
    """remove_items, and first what would point at the deleted items: scenario actions that target
    them and dead-letter queue references to deleted queues (the document stays loadable)."""
    macro = remove_items(doc, node_ids, edge_ids)
    gone = {c.node_id for c in macro.children if isinstance(c, _RemoveNodeOnly)}
    gone |= {c.edge_id for c in macro.children if isinstance(c, RemoveEdge)}
    first: list[QUndoCommand] = []
    kept = [a for a in doc.scenario if str(a.get("target", "")).split("/", 1)[0] not in gone]
    if len(kept) != len(doc.scenario):
        first.append(SetScenario(doc, kept))
    for edge in doc.edges.values():
        if edge.id not in gone and edge.props.get("dead_letter_queue") in gone:
            first.append(SetProp(doc, edge.id, "dead_letter_queue", None))
    macro.children[:0] = first
    return macro


class MoveNodes(QUndoCommand):
    """A whole drag of one or more nodes: one command, recorded on release."""

    def __init__(self, doc: Document, moves: dict[str, tuple[tuple[float, float], tuple[float, float]]]) -> None:
        n = len(moves)
        super().__init__(f"Move {doc.nodes[next(iter(moves))].name}" if n == 1 else f"Move {n} nodes")
        self.doc, self.moves = doc, moves

    def redo(self) -> None:
        for node_id, (_, new) in self.moves.items():
            self.doc.move_node(node_id, new)

    def undo(self) -> None:
        for node_id, (old, _) in self.moves.items():
            self.doc.move_node(node_id, old)


class RenameNode(QUndoCommand):
    def __init__(self, doc: Document, node_id: str, name: str) -> None:
        self.old = doc.nodes[node_id].name
        super().__init__(f"Rename {self.old} to {name}")
        self.doc, self.node_id, self.name = doc, node_id, name

    def redo(self) -> None:
        self.doc.rename_node(self.node_id, self.name)

    def undo(self) -> None:
        self.doc.rename_node(self.node_id, self.old)


_MISSING = object()


class SetProp(QUndoCommand):
    """Set a node or edge prop; None means 'back to the default' (the prop is removed)."""

    def __init__(self, doc: Document, owner_id: str, name: str, value: Any) -> None:
        self.doc, self.owner_id, self.name = doc, owner_id, name
        self.is_edge = owner_id in doc.edges and owner_id not in doc.nodes
        props = (doc.edges if self.is_edge else doc.nodes)[owner_id].props
        self.old = copy.deepcopy(props[name]) if name in props else _MISSING
        self.value = copy.deepcopy(value)
        if self.is_edge:
            edge = doc.edges[owner_id]
            label = f"connection {doc.nodes[edge.source].name} → {doc.nodes[edge.target].name}"
        else:
            label = doc.nodes[owner_id].name
        super().__init__(f"Set {name.replace('_', ' ')} of {label}")

    def _write(self, value: Any) -> None:
        setter = self.doc.set_edge_prop if self.is_edge else self.doc.set_node_prop
        setter(self.owner_id, self.name, None if value is _MISSING or value is None else copy.deepcopy(value))

    def redo(self) -> None:
        self._write(self.value)

    def undo(self) -> None:
        self._write(self.old)


def paste(doc: Document, nodes: list[Node], edges: list[Edge], offset: tuple[float, float] = (40, 40)) -> Macro:
    """Add copies of nodes and the edges between them, with fresh ids, shifted by offset."""
    parent = Macro(f"Paste {len(nodes)} node" + ("" if len(nodes) == 1 else "s"))
    new_ids: dict[str, str] = {}
    taken = set(doc.nodes) | set(doc.edges)
    for node in nodes:
        new_id = _fresh(node.id, taken)
        new_ids[node.id] = new_id
        copy_ = Node(new_id, node.kind, node.name, (node.pos[0] + offset[0], node.pos[1] + offset[1]),
                     copy.deepcopy(node.props))
        parent.add(AddNode, doc, copy_)
    for edge in edges:
        if edge.source in new_ids and edge.target in new_ids:
            edge_id = _fresh(edge.id, taken)
            parent.add(AddEdge, doc, Edge(edge_id, new_ids[edge.source], new_ids[edge.target], copy.deepcopy(edge.props)))
    return parent


def _fresh(base: str, taken: set[str]) -> str:
    stem = base.rstrip("0123456789-") or "n"
    n = 2
    while f"{stem}-{n}" in taken:
        n += 1
    taken.add(f"{stem}-{n}")
    return f"{stem}-{n}"
