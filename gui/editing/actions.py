"""The Edit menu and the canvas gestures' host: every change here is one command on the window's
undo stack, checked first so that nothing the file loader would refuse reaches the document."""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Protocol

from PySide6.QtCore import QObject, QPoint, QPointF, Qt
from PySide6.QtGui import QAction, QKeySequence, QUndoCommand
from PySide6.QtWidgets import QApplication, QMenu

from engine import fileio, registry
from engine.model import Document, Edge, Node
from gui.canvas.interactions import Editor, sentence, snapped
from gui.editing import clipboard, commands
from gui.editing.layout import auto_layout
from gui.editing.rename import NameEditor
from gui.files import storage

if TYPE_CHECKING:
    from PySide6.QtGui import QUndoGroup, QUndoStack

    from gui.canvas.scene import TopologyScene
    from gui.canvas.view import CanvasView

ID_PREFIXES = {"client": "client", "load_balancer": "alb", "ec2_instance": "instance",
               "auto_scaling_group": "asg", "sns_topic": "topic", "sqs_queue": "queue",
               "lambda_function": "lambda", "email_endpoint": "email"}
PASTE_STEP = 40.0       # scene units between the originals and their copy
DEFAULT_NODE_H = 130.0  # a node's height with its name and badges, for copies from elsewhere
CENTRE_NUDGE = 48.0


def first_error(doc: Document, change: Callable[[Document], None]) -> str | None:
    """What the file loader would say about the document after `change` (tried on a copy), or None."""
    trial = doc.copy()
    change(trial)
    try:
        fileio.from_data(fileio.to_data(trial), "edit")
    except fileio.LoadError as e:
        return e.message
    return None


def name_refusal(name: str) -> str | None:
    """Why a typed or pasted name cannot be kept, or None: a lone surrogate could never be saved."""
    if storage.surrogate_path(name):
        return "Not renamed: the name holds a lone surrogate, a broken character a file cannot hold"
    return None


class EditHost(Protocol):
    """What the Edit menu needs of the window that hosts it (a QObject, the actions' parent)."""

    doc: Document
    topology: "TopologyScene"
    view: "CanvasView"
    undo_group: "QUndoGroup"

    @property
    def undo_stack(self) -> "QUndoStack": ...

    def tell(self, text: str) -> None: ...


class EditActions(QObject):
    """Edit menu actions, drops from the palette, connections; the host of the canvas gestures."""

    def __init__(self, window: EditHost) -> None:
        super().__init__(window)
        self.w = window
        self.snap = False
        self._pastes = 0
        self.editor = Editor(window.topology, self)
        window.topology.editor = self.editor
        window.view.kind_dropped.connect(self.add_node)
        window.view.extend_menu = self.context_menu
        self._make_actions()
        window.topology.selection_changed.connect(self.update_enabled)
        self.update_enabled()

    # -- the host's side --------------------------------------------------------------------------
    @property
    def doc(self) -> Document:
        return self.w.doc

    def push(self, command: QUndoCommand) -> None:
        self.w.undo_stack.push(command)

    def tell(self, text: str) -> None:
        self.w.tell(text)

    # -- actions ------------------------------------------------------------------------------------
    def _make_actions(self) -> None:
        group = self.w.undo_group
        self.undo = group.createUndoAction(self, "&Undo")
        self.undo.setShortcuts(QKeySequence.keyBindings(QKeySequence.StandardKey.Undo))
        self.redo = group.createRedoAction(self, "&Redo")
        self.redo.setShortcuts(QKeySequence.keyBindings(QKeySequence.StandardKey.Redo) + [QKeySequence("Ctrl+Y")])
        std = QKeySequence.StandardKey
        self.cut = self._action("Cu&t", self.cut_selection, QKeySequence.keyBindings(std.Cut))
        self.copy = self._action("&Copy", self.copy_selection, QKeySequence.keyBindings(std.Copy))
        self.paste = self._action("&Paste", self.paste_clipboard, QKeySequence.keyBindings(std.Paste))
        self.duplicate = self._action("D&uplicate", self.duplicate_selection, [QKeySequence("Ctrl+D")])
        self.delete = self._action("&Delete", self.delete_selection,
                                   [QKeySequence(QKeySequence.StandardKey.Delete), QKeySequence("Backspace")])
        self.rename_action = self._action("Re&name…", lambda: self.rename(), [QKeySequence("F2")])
        self.select_all = self._action("Select &All", self.select_everything, QKeySequence.keyBindings(std.SelectAll))
        self.layout_action = self._action("Auto &Layout", self.layout, [QKeySequence("Ctrl+L")])
        self.snap_action = QAction("&Snap to Grid", self, checkable=True)
        self.snap_action.toggled.connect(self._set_snap)

    def _action(self, text: str, slot: Callable[[], None], keys: list[QKeySequence]) -> QAction:
        """An action whose shortcut works while the canvas has the focus (text fields keep theirs)."""
        action = QAction(text, self)
        action.setShortcuts(keys)
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(slot)
        self.w.view.addAction(action)
        return action

    def fill_menu(self, menu: QMenu) -> None:
        for item in (self.undo, self.redo, None, self.cut, self.copy, self.paste, self.duplicate, self.delete,
                     None, self.rename_action, self.select_all, None, self.layout_action, self.snap_action):
            menu.addSeparator() if item is None else menu.addAction(item)

    def _set_snap(self, on: bool) -> None:
        self.snap = on

    def update_enabled(self) -> None:
        nodes, edges = self.w.topology.selected_ids()
        for action in (self.cut, self.copy, self.duplicate):
            action.setEnabled(bool(nodes))
        self.delete.setEnabled(bool(nodes or edges))
        self.rename_action.setEnabled(len(nodes) == 1)

    # -- adding ---------------------------------------------------------------------------------------
    def add_node(self, kind: str, pos: QPointF) -> str:
        """A new node of `kind` centred at pos (a drop from the palette); returns its id."""
        if self.snap:
            pos = snapped(pos)
        node = Node(self.doc.new_id(ID_PREFIXES.get(kind, kind)), kind, clipboard.readable_name(self.doc, kind),
                    (float(round(pos.x())), float(round(pos.y()))), {})
        self.push(commands.AddNode(self.doc, node))
        self.w.topology.select_ids([node.id])
        self.w.view.setFocus()
        return node.id

    def add_at_centre(self, kind: str) -> str:
        """A double-click in the palette: the node at the centre of the view, beside any already there."""
        view = self.w.view
        pos = view.mapToScene(view.viewport().rect().center())
        for _ in range(20):
            if all(abs(n.pos[0] - pos.x()) + abs(n.pos[1] - pos.y()) > CENTRE_NUDGE for n in self.doc.nodes.values()):
                break
            pos += QPointF(CENTRE_NUDGE, CENTRE_NUDGE)
        return self.add_node(kind, pos)

    def connect_nodes(self, source_id: str, target_id: str) -> bool:
        """Connect two nodes with a new edge, or say in the status bar why that is not allowed."""
        why = self.connection_refusal(source_id, target_id)
        if why:
            self.tell(sentence(why))
            return False
        src, dst = self.doc.nodes[source_id], self.doc.nodes[target_id]
        edge = Edge(self.edge_id(source_id, target_id), source_id, target_id, {})
        self.push(commands.AddEdge(self.doc, edge))
        self.w.topology.select_ids([], [edge.id])
        self.tell(f"Connected {src.name} to {dst.name}: {registry.connection(src.kind, dst.kind).meaning}.")
        return True

    def connection_refusal(self, source_id: str, target_id: str) -> str | None:
        src, dst = self.doc.nodes[source_id], self.doc.nodes[target_id]
        if source_id == target_id:
            return f"{src.name} cannot connect to itself"
        if registry.connection(src.kind, dst.kind) is None:
            return registry.refusal(src.kind, dst.kind)
        if any(e.source == source_id and e.target == target_id for e in self.doc.edges.values()):
            return f"{src.name} is already connected to {dst.name}"
        edge = Edge(self.edge_id(source_id, target_id), source_id, target_id, {})
        return first_error(self.doc, lambda d: d.add_edge(edge))

    def edge_id(self, source_id: str, target_id: str) -> str:
        base = f"{source_id}-{target_id}"
        taken = set(self.doc.nodes) | set(self.doc.edges)
        return base if base not in taken else self.doc.new_id(base + "-")

    # -- selection commands ------------------------------------------------------------------------------
    def delete_selection(self, text: str = "") -> None:
        nodes, edges = self.w.topology.selected_ids()
        if not nodes and not edges:
            return
        command = commands.delete(self.doc, nodes, edges)
        if text:
            command.setText(text)
        self.push(command)

    def copy_selection(self) -> bool:
        nodes, _ = self.w.topology.selected_ids()
        if not nodes:
            return False
        QApplication.clipboard().setText(clipboard.to_text(clipboard.fragment(self.doc, nodes)))
        self._pastes = 0
        self.tell(f"Copied {len(nodes)} component" + ("s" if len(nodes) != 1 else ""))
        return True

    def cut_selection(self) -> None:
        nodes, _ = self.w.topology.selected_ids()
        if self.copy_selection():
            names = ", ".join(self.doc.nodes[n].name for n in nodes[:3]) + ("…" if len(nodes) > 3 else "")
            self.delete_selection(f"Cut {names}")

    def paste_clipboard(self) -> None:
        parsed = clipboard.from_text(QApplication.clipboard().text())
        if parsed is None:
            self.tell("Nothing to paste: copy components on the canvas first")
            return
        self._pastes += 1
        self._paste(*parsed, self._pastes, "Paste")

    def duplicate_selection(self) -> None:
        nodes, _ = self.w.topology.selected_ids()
        parsed = clipboard.parse(clipboard.fragment(self.doc, nodes)) if nodes else None
        if parsed:
            self._paste(*parsed, 1, "Duplicate")

    def _paste_step(self, nodes: list[Node]) -> float:
        """How far below the originals a copy goes: their height and a gap, so it never lands on them."""
        items = self.w.topology.items_by_id
        rects = [items[n.id].layout_rect() for n in nodes if n.id in items]
        if not rects:
            ys = [n.pos[1] for n in nodes]
            return max(ys) - min(ys) + DEFAULT_NODE_H + PASTE_STEP
        top, bottom = min(r.top() for r in rects), max(r.bottom() for r in rects)
        return bottom - top + PASTE_STEP

    def _paste(self, nodes: list[Node], edges: list[Edge], times: int, verb: str) -> None:
        offset = round(self._paste_step(nodes) * times)
        macro = commands.paste(self.doc, clipboard.renamed_copies(self.doc, nodes), edges, (0, offset))
        added = [c.node for c in macro.children if isinstance(c, commands.AddNode)]
        new_ids = {old.id: new.id for old, new in zip(nodes, added)}
        for child in macro.children:
            if isinstance(child, commands.AddEdge) and "dead_letter_queue" in child.edge.props:
                child.edge.props["dead_letter_queue"] = new_ids[child.edge.props["dead_letter_queue"]]
        macro.setText(f"{verb} " + (added[0].name if len(added) == 1 else f"{len(added)} components"))
        self.push(macro)
        self.w.topology.select_ids([n.id for n in added],
                                   [c.edge.id for c in macro.children if isinstance(c, commands.AddEdge)])
        self.tell(f"{'Pasted' if verb == 'Paste' else 'Duplicated'} " + (added[0].name if len(added) == 1 else
                                                                         f"{len(added)} components") + " below")
        self.w.view.ensureVisible(self.w.topology.items_by_id[added[0].id], 40, 40)

    def select_everything(self) -> None:
        scene = self.w.topology
        scene.select_ids(list(scene.items_by_id), [e.edge_id for e in scene.edge_items])

    def rename(self, node_id: str | None = None) -> None:
        """Rename in place: F2 on the selected node, or a double-click on a name."""
        if node_id is None:
            nodes, _ = self.w.topology.selected_ids()
            if len(nodes) != 1:
                return
            node_id = nodes[0]
        item = self.w.topology.items_by_id[node_id]
        self.w.view.ensureVisible(item, 40, 40)
        self.name_editor = NameEditor(self.w.view, item, lambda name: self.rename_to(node_id, name))

    def rename_to(self, node_id: str, name: str | None) -> None:
        if name and name_refusal(name):
            self.tell(name_refusal(name))
            return
        if name and node_id in self.doc.nodes and name != self.doc.nodes[node_id].name:
            self.push(commands.RenameNode(self.doc, node_id, name))

    def layout(self) -> None:
        scene = self.w.topology
        sizes = {i: (item.layout_rect().width(), item.layout_rect().height()) for i, item in scene.items_by_id.items()}
        moves = {node_id: (self.doc.nodes[node_id].pos, pos)
                 for node_id, pos in auto_layout(self.doc, sizes).items() if self.doc.nodes[node_id].pos != pos}
        if not moves:
            self.tell("Auto layout: nothing to move")
            return
        command = commands.MoveNodes(self.doc, moves)
        command.setText("Auto layout")
        self.push(command)
        self.w.view.fit()

    # -- the canvas context menu -------------------------------------------------------------------------
    def context_menu(self, menu: QMenu | None, pos: QPoint) -> QMenu:
        scene, view = self.w.topology, self.w.view
        at = view.mapToScene(pos)
        node, edge = scene.node_at(at), scene.edge_at(at)
        target = node or edge
        if target is not None and not target.isSelected():
            scene.clearSelection()
            target.setSelected(True)
        menu = menu or QMenu(view)
        if not menu.isEmpty():
            menu.addSeparator()
        if node is not None:
            for action in (self.rename_action, self.duplicate, self.copy, self.cut, self.delete):
                menu.addAction(action)
        elif edge is not None:
            menu.addAction(self.delete)
        else:
            for action in (self.paste, self.select_all, self.layout_action):
                menu.addAction(action)
        return menu
