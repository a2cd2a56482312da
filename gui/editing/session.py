"""Keeps the inspector and the engine on the window's document.

It listens to the document like the scene does. A structural change (a node or an edge added or
removed, by a gesture or by undo) restarts the run on a copy of the new document, and the status
bar says so; a prop change goes to the running engine at once (`Runner.set_prop`), so a
visibility timeout changed while messages flow applies to the next receive. The inspector's
edits become `SetProp` and `RenameNode` commands, checked by the file loader first.
"""
from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QObject, QTimer, Slot

from engine import registry
from engine.model import Document
from gui.editing import capacity, commands
from gui.editing.actions import first_error, name_refusal, sentence
from gui.editing.listening import FollowsDocument

if TYPE_CHECKING:
    from PySide6.QtGui import QUndoStack
    from PySide6.QtWidgets import QDockWidget

    from gui.canvas.scene import TopologyScene
    from gui.editing.inspector import Inspector
    from gui.run.bridge import EngineBridge

STRUCTURAL = ("node_added", "node_removed", "edge_added", "edge_removed")
RESTARTED = "The topology changed: the run was replayed from 0:00 with the change"


def replayed(t: float) -> str:
    """What a structural change did to the run: replayed with the change, back at the same moment."""
    if t <= 0:
        return RESTARTED
    return f"{RESTARTED}, back to {int(t) // 60}:{t % 60:04.1f} where you were"


class SessionHost(Protocol):
    """What the session needs of the window (a QObject): its parts and how to restart the run."""

    doc: Document
    topology: "TopologyScene"
    inspector: "Inspector"
    inspector_dock: "QDockWidget"
    bridge: "EngineBridge"
    paused: bool
    engine_t: float

    @property
    def undo_stack(self) -> "QUndoStack": ...

    def tell(self, text: str) -> None: ...

    def names_changed(self) -> None: ...

    def load_captions(self) -> None: ...

    def drop_run_view(self) -> None: ...

    def restart_run(self) -> None: ...


class DocumentSession(FollowsDocument, QObject):
    def __init__(self, window: SessionHost) -> None:
        super().__init__(window)
        self.w = window
        self.structure_pending = False
        self._inspector_pending = False
        self._refusal: tuple | None = None   # (prop, why[, fix]) to show once the inspector is rebuilt
        self._from_inspector = False
        self._start_over_pending = False
        window.inspector.edited.connect(self._on_inspector_edit)
        window.inspector.renamed.connect(self._on_inspector_rename)
        window.topology.selection_changed.connect(self._on_selection)
        self.attach(window.doc)

    # -- the document changed ------------------------------------------------------------------------
    def _on_doc(self, what: str, payload: Any) -> None:
        if what in STRUCTURAL:
            self._structure_changed()
        elif what in ("node_prop", "edge_prop"):
            self._prop_changed(*payload)
        elif what == "node_renamed":
            self.w.names_changed()
            self._refresh_inspector_later()
        elif what == "scenario_changed":
            self.w.load_captions()

    def _structure_changed(self) -> None:
        self.w.drop_run_view()        # edge indices changed: nothing of the old run may be drawn
        if not self.structure_pending:
            self.structure_pending = True
            QTimer.singleShot(0, self.flush_structure)   # a macro's many steps make one restart

    @Slot()
    def flush_structure(self) -> None:
        if not self.structure_pending:
            return
        self.structure_pending = False
        t = self.w.engine_t
        self.w.restart_run()
        if t > 0:             # keep the moment: the changed topology runs from 0:00 back to it
            self.w.seek(t)
        self.w.names_changed()
        if t > 0 or not self.w.paused:
            self.w.tell(replayed(t))
        self._refresh_inspector_later()

    def _prop_changed(self, owner_id: str, prop: str) -> None:
        if not self._is_live(owner_id, prop):
            self._structure_changed()   # e.g. a queue's type: the engine cannot switch it mid-run
        elif self.structure_pending:
            self.flush_structure()    # the restarted run is built from the document, new value included
        elif self.w.engine_t <= 0:
            self._start_over_later()  # nothing played yet: the edit changes the starting state, as the file would
        else:
            self.w.bridge.set_prop(owner_id, prop, copy.deepcopy(self.effective(owner_id, prop)))
        if not self._from_inspector:
            self._refresh_inspector_later()

    def _start_over_later(self) -> None:
        """The run starts again from the document (no status note: nothing had been played)."""
        self.w.drop_run_view()
        if not self._start_over_pending:
            self._start_over_pending = True
            QTimer.singleShot(0, self._start_over)

    @Slot()
    def _start_over(self) -> None:
        self._start_over_pending = False
        if not self.structure_pending:     # a structural restart pending builds from the document too
            self.w.restart_run()

    def _is_live(self, owner_id: str, prop: str) -> bool:
        doc = self.w.doc
        if owner_id in doc.nodes:
            spec = registry.KINDS[doc.nodes[owner_id].kind].prop(prop)
        else:
            edge = doc.edges[owner_id]
            spec = registry.connection(doc.nodes[edge.source].kind, doc.nodes[edge.target].kind).prop(prop)
        return spec is None or spec.live

    def effective(self, owner_id: str, prop: str) -> Any:
        """The value the engine should use: the document's, or the registry default when unset."""
        doc = self.w.doc
        if owner_id in doc.nodes:
            return doc.nodes[owner_id].prop(prop)
        return doc.edge_prop(doc.edges[owner_id], prop)

    # -- the inspector -------------------------------------------------------------------------------
    @Slot(str, str, object)
    def _on_inspector_edit(self, owner_id: str, prop: str, value: Any) -> None:
        doc = self.w.doc
        if owner_id not in doc.nodes and owner_id not in doc.edges:
            return
        setter = "set_node_prop" if owner_id in doc.nodes else "set_edge_prop"
        why = first_error(doc, lambda d: getattr(d, setter)(owner_id, prop, copy.deepcopy(value)))
        if why:
            self._refuse(owner_id, prop, value, sentence(why))
            return
        self._from_inspector = value is not None    # a reset to the default must show the default
        try:
            self.w.undo_stack.push(commands.SetProp(doc, owner_id, prop, value))
        finally:
            self._from_inspector = False

    def _refuse(self, owner_id: str, prop: str, value: Any, why: str) -> None:
        """Say why under the field; for a group's sizes out of order, in words, with the fix offered."""
        fix = None
        proposal = capacity.proposal(self.w.doc, owner_id, prop, value)
        if proposal is not None:
            why, sizes = proposal
            fix = (capacity.button_text(prop, sizes), lambda: self._set_sizes(owner_id, sizes))
        self.w.tell(why)
        self._refresh_inspector_later((prop, why, fix))

    def _set_sizes(self, node_id: str, sizes: dict[str, int]) -> None:
        doc = self.w.doc
        if node_id not in doc.nodes:
            return
        why = first_error(doc, lambda d: [d.set_node_prop(node_id, k, v) for k, v in sizes.items()])
        if why:
            self._refuse(node_id, next(iter(sizes)), None, sentence(why))
            return
        self.w.undo_stack.push(capacity.command(doc, node_id, sizes))

    @Slot(str, str)
    def _on_inspector_rename(self, node_id: str, name: str) -> None:
        if name_refusal(name):
            self.w.tell(name_refusal(name))
            self._refresh_inspector_later()
            return
        if node_id in self.w.doc.nodes and name != self.w.doc.nodes[node_id].name:
            self.w.undo_stack.push(commands.RenameNode(self.w.doc, node_id, name))

    def _refresh_inspector_later(self, refusal: tuple | None = None) -> None:
        """Show the document's values again; a refused edit's reason stays under its field."""
        # Later, not now: the editor that emitted the change must not be deleted inside its signal.
        self._refusal = refusal
        if not self._inspector_pending:
            self._inspector_pending = True
            QTimer.singleShot(0, self._refresh_inspector)

    @Slot()
    def _refresh_inspector(self) -> None:
        self.show_selection()
        if self._refusal is not None:
            self.w.inspector.show_refusal(*self._refusal)
            self._refusal = None

    @Slot()
    def _on_selection(self) -> None:
        self.show_selection()
        if self.w.paused and self.w.inspector.owner_id:
            self.w.inspector_dock.raise_()

    @Slot()
    def show_selection(self) -> None:
        """The inspector shows the one selected node or edge; nothing for none or several."""
        self._inspector_pending = False
        nodes, edges = self.w.topology.selected_ids()
        inspector, doc = self.w.inspector, self.w.doc
        if len(nodes) == 1 and not edges:
            inspector.show_node(doc, nodes[0])
        elif len(edges) == 1 and not nodes:
            inspector.show_edge(doc, edges[0])
        else:
            inspector.clear()
            if nodes or edges:
                inspector.title.setText(f"{len(nodes) + len(edges)} items selected")
