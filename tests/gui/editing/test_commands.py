"""Every edit is undoable: each command restores the document exactly, in any sequence."""
from __future__ import annotations

import json

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from PySide6.QtGui import QUndoStack

from engine import examples, fileio, registry
from engine.model import Edge, Node
from gui.editing import commands


def snapshot(doc) -> str:
    return json.dumps(fileio.to_data(doc), sort_keys=True)


def test_delete_node_takes_its_edges_and_undo_puts_everything_back_in_place(qapp):
    doc = fileio.load(examples.path("web-tier"))
    before = snapshot(doc)
    stack = QUndoStack()
    stack.push(commands.remove_items(doc, ["alb"]))
    assert "alb" not in doc.nodes and not doc.edges
    stack.undo()
    assert snapshot(doc) == before
    assert list(doc.nodes) == ["users", "alb", "web"], "the node is back at its place in the file"
    stack.redo()
    assert "alb" not in doc.nodes


def test_set_prop_back_to_default_and_undo(qapp):
    doc = fileio.load(examples.path("web-tier"))
    stack = QUndoStack()
    stack.push(commands.SetProp(doc, "alb", "algorithm", "random"))
    assert doc.nodes["alb"].props["algorithm"] == "random"
    stack.undo()
    assert "algorithm" not in doc.nodes["alb"].props, "an unset prop stays unset (the default applies)"
    stack.push(commands.SetProp(doc, "users-alb", "latency_ms", None))
    assert "latency_ms" not in doc.edges["users-alb"].props
    stack.undo()
    assert doc.edges["users-alb"].props["latency_ms"] == 20


def test_paste_gives_fresh_ids_and_keeps_inner_edges(qapp):
    doc = fileio.load(examples.path("web-tier"))
    stack = QUndoStack()
    nodes = [doc.nodes["alb"], doc.nodes["web"]]
    stack.push(commands.paste(doc, nodes, list(doc.edges.values())))
    assert len(doc.nodes) == 5 and len(doc.edges) == 3
    new = [e for e in doc.edges.values() if e.id not in ("users-alb", "alb-web")][0]
    assert (new.source, new.target) == ("alb-2", "web-2")
    assert doc.nodes["alb-2"].pos == (300.0, 40.0)
    stack.undo()
    assert len(doc.nodes) == 3 and len(doc.edges) == 2


KINDS = sorted(registry.KINDS)
NUMERIC = {k: [p for p in spec.props if p.type in ("int", "float") and p.min is not None and p.max is not None]
           for k, spec in registry.KINDS.items()}


class EditSequences(RuleBasedStateMachine):
    """Random edits, then undo everything (back to the start) and redo everything (back to the end)."""

    def __init__(self) -> None:
        super().__init__()
        self.doc = fileio.load(examples.path("web-tier"))
        self.start = snapshot(self.doc)
        self.stack = QUndoStack()
        self.counter = 0

    def _push(self, command) -> None:
        self.stack.push(command)

    @rule(kind=st.sampled_from(KINDS), x=st.integers(-500, 500), y=st.integers(-500, 500))
    def add_node(self, kind, x, y):
        self.counter += 1
        node_id = self.doc.new_id(kind + "-")
        self._push(commands.AddNode(self.doc, Node(node_id, kind, f"{kind} {self.counter}", (x, y), {})))

    @precondition(lambda self: self.doc.nodes)
    @rule(data=st.data())
    def remove_nodes(self, data):
        ids = data.draw(st.lists(st.sampled_from(sorted(self.doc.nodes)), min_size=1, max_size=3, unique=True))
        self._push(commands.remove_items(self.doc, ids))

    @precondition(lambda self: len(self.doc.nodes) >= 2)
    @rule(data=st.data())
    def connect(self, data):
        src, dst = data.draw(st.lists(st.sampled_from(sorted(self.doc.nodes)), min_size=2, max_size=2, unique=True))
        kinds = (self.doc.nodes[src].kind, self.doc.nodes[dst].kind)
        exists = any((e.source, e.target) == (src, dst) for e in self.doc.edges.values())
        if registry.connection(*kinds) and not exists:
            self._push(commands.AddEdge(self.doc, Edge(self.doc.new_id("edge-"), src, dst, {})))

    @precondition(lambda self: self.doc.edges)
    @rule(data=st.data())
    def disconnect(self, data):
        self._push(commands.remove_items(self.doc, [], [data.draw(st.sampled_from(sorted(self.doc.edges)))]))

    @precondition(lambda self: self.doc.nodes)
    @rule(data=st.data(), dx=st.integers(-100, 100), dy=st.integers(-100, 100))
    def move(self, data, dx, dy):
        ids = data.draw(st.lists(st.sampled_from(sorted(self.doc.nodes)), min_size=1, max_size=3, unique=True))
        moves = {i: (self.doc.nodes[i].pos, (self.doc.nodes[i].pos[0] + dx, self.doc.nodes[i].pos[1] + dy))
                 for i in ids}
        self._push(commands.MoveNodes(self.doc, moves))

    @precondition(lambda self: self.doc.nodes)
    @rule(data=st.data(), name=st.text(min_size=1, max_size=12))
    def rename(self, data, name):
        self._push(commands.RenameNode(self.doc, data.draw(st.sampled_from(sorted(self.doc.nodes))), name))

    @precondition(lambda self: any(NUMERIC[n.kind] for n in self.doc.nodes.values()))
    @rule(data=st.data())
    def set_prop(self, data):
        node_id = data.draw(st.sampled_from(sorted(i for i, n in self.doc.nodes.items() if NUMERIC[n.kind])))
        spec = data.draw(st.sampled_from(NUMERIC[self.doc.nodes[node_id].kind]))
        value = data.draw(st.integers(int(spec.min), int(min(spec.max, spec.min + 100))) | st.none())
        self._push(commands.SetProp(self.doc, node_id, spec.name, value))

    @precondition(lambda self: self.doc.nodes)
    @rule(data=st.data())
    def paste(self, data):
        ids = data.draw(st.lists(st.sampled_from(sorted(self.doc.nodes)), min_size=1, max_size=3, unique=True))
        self._push(commands.paste(self.doc, [self.doc.nodes[i] for i in ids], list(self.doc.edges.values())))

    @invariant()
    def edges_touch_existing_nodes(self):
        for e in self.doc.edges.values():
            assert e.source in self.doc.nodes and e.target in self.doc.nodes

    def teardown(self):
        end = snapshot(self.doc)
        while self.stack.canUndo():
            self.stack.undo()
        assert snapshot(self.doc) == self.start
        while self.stack.canRedo():
            self.stack.redo()
        assert snapshot(self.doc) == end


def test_random_edit_sequences_undo_and_redo_exactly(qapp):
    state_machine = EditSequences.TestCase
    state_machine.settings = settings(max_examples=60, stateful_step_count=25, deadline=None)
    state_machine("runTest").runTest()
