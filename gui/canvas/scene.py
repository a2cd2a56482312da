"""The scene mirrors the document: an item per node (a frame per Auto Scaling group), an item per
edge in document order (so an engine edge index is a position in `edge_items`), the dot layer,
and the id -> item map. It follows the document's announcements; run-time state only decorates
the items, and the scene never changes the document (the editor's gestures push commands)."""
from __future__ import annotations

from typing import Any

import shiboken6
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeyEvent, QPainter, QPixmap
from PySide6.QtWidgets import QGraphicsScene, QGraphicsSceneMouseEvent

from engine.model import Document, Edge, Node
from gui import theme
from gui.canvas.badges import BadgeBook
from gui.canvas.dots import DotLayer
from gui.canvas.edges import EdgeItem
from gui.canvas.groups import GroupItem
from gui.canvas.items import HEALTH_COLOURS, Z_DOTS, NodeItem
from gui.canvas.room import room_shifts

DOT_SIZE = 9.0
GRID = 24
RING_HEALTHS = ("unhealthy", "crashed", "draining", "pending", "initial")


class TopologyScene(QGraphicsScene):
    """Follows its Document through the document's listeners: every announced change (a node
    added, moved, renamed, an edge removed...) updates the items here, so undo needs no help."""

    node_selected = Signal(str)   # a node id, or "" when nothing is selected
    selection_changed = Signal()  # selectionChanged, but never while the scene is being destroyed

    def __init__(self, doc: Document, parent: Any = None) -> None:
        super().__init__(parent)
        self.doc = doc
        self.items_by_id: dict[str, NodeItem | GroupItem] = {}
        self.edge_items: list[EdgeItem] = []
        self.editor: Any = None       # gui.canvas.interactions.Editor, set by the window; None = view only
        self.book = BadgeBook()
        self.room: dict[str, float] = {}     # node id -> how far down it moved for a grown group
        self.geometry_version = 0
        self.dots = DotLayer(dot_size=DOT_SIZE)
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)
        self.dots.setZValue(Z_DOTS)
        self.addItem(self.dots)
        self._build()
        self.selectionChanged.connect(self._on_selection)
        self.apply_theme()

    def _build(self) -> None:
        for node in self.doc.nodes.values():
            self._add_node_item(node)
        self._sync_edges()
        self._update_bounds()
        self.doc.listeners.append(self._on_doc)

    def set_document(self, doc: Document) -> None:
        """Show another document (File > New, Open): items rebuilt, listeners moved over."""
        self.clearSelection()   # first, so no one reads a selection of old ids against the new document
        self.detach()
        for node_id in list(self.items_by_id):
            self._remove_node_item(node_id)
        self.doc = doc
        self.room = {}
        self.book.clear()
        self.dots.clear()
        self._build()
        self._geometry_changed()

    def detach(self) -> None:
        if self._on_doc in self.doc.listeners:
            self.doc.listeners.remove(self._on_doc)

    # -- following the document ------------------------------------------------------------------
    def _on_doc(self, what: str, payload: Any) -> None:
        handler = {"node_added": self._on_node_added, "node_removed": self._on_node_removed,
                   "edge_added": self._on_edges, "edge_removed": self._on_edges,
                   "node_moved": self._on_node_moved, "node_renamed": self._on_node_renamed,
                   "node_prop": self._on_node_prop}.get(what)
        if handler is not None:
            handler(payload)

    def _on_node_added(self, node: Node) -> None:
        self._add_node_item(node)
        self._sync_edges()
        self._geometry_changed()

    def _on_node_removed(self, node: Node) -> None:
        self._remove_node_item(node.id)
        self._sync_edges()
        self._geometry_changed()

    def _on_edges(self, edge: Edge) -> None:
        self._sync_edges()
        self._geometry_changed()

    def _on_node_moved(self, node: Node) -> None:
        item = self.items_by_id.get(node.id)
        at = (node.pos[0], node.pos[1] + self.room.get(node.id, 0.0))
        if item is not None and (item.pos().x(), item.pos().y()) != at:
            item.place(QPointF(*at))
        self._make_room()
        self._geometry_changed()

    def _make_room(self) -> bool:
        """Move what lies below a grown group down (on the canvas only); True if anything moved."""
        shifts = room_shifts(self.items_by_id, self.doc, self.room)
        moved = False
        for node_id, shift in shifts.items():
            if shift != self.room.get(node_id, 0.0) and node_id in self.doc.nodes:
                x, y = self.doc.nodes[node_id].pos
                self.items_by_id[node_id].place(QPointF(x, y + shift))
                moved = True
        self.room = shifts
        return moved

    def _on_node_renamed(self, node: Node) -> None:
        self.items_by_id[node.id].set_name(node.name)
        self._geometry_changed()

    def _on_node_prop(self, payload: tuple[str, str]) -> None:
        item = self.items_by_id.get(payload[0])
        if isinstance(item, GroupItem) and item.set_base_slots(self.doc.nodes[payload[0]]):
            self._geometry_changed()

    def _add_node_item(self, node: Node) -> None:
        item = GroupItem(node) if node.kind == "auto_scaling_group" else NodeItem(node)
        self.items_by_id[node.id] = item
        self.addItem(item)
        if isinstance(item, GroupItem):
            self.addItem(item.fill)

    def _remove_node_item(self, node_id: str) -> None:
        item = self.items_by_id.pop(node_id)
        if isinstance(item, GroupItem):
            self.removeItem(item.fill)
        self.removeItem(item)

    def _sync_edges(self) -> None:
        """Edge items in document order (an engine edge index is a position in `edge_items`),
        keeping the items of edges that are still there."""
        old = {item.edge_id: item for item in self.edge_items}
        items = []
        for index, edge in enumerate(self.doc.edges.values()):
            src, dst = self.items_by_id[edge.source], self.items_by_id[edge.target]
            item = old.pop(edge.id, None)
            if item is None or item.src is not src or item.dst is not dst:
                if item is not None:
                    self.removeItem(item)
                item = EdgeItem(index, edge, src, dst)
                self.addItem(item)
            item.index = index
            items.append(item)
        for stale in old.values():
            self.removeItem(stale)
        self.edge_items = items

    # -- finding things under the mouse ------------------------------------------------------------
    def node_at(self, pos: QPointF) -> NodeItem | GroupItem | None:
        for item in self.items(pos):
            top = item.topLevelItem()
            if isinstance(top, (NodeItem, GroupItem)):
                return top
        return None

    def edge_at(self, pos: QPointF) -> EdgeItem | None:
        return next((item for item in self.items(pos) if isinstance(item, EdgeItem)), None)

    def port_at(self, pos: QPointF, radius: float) -> NodeItem | GroupItem | None:
        """The node whose connection port is within `radius` scene units of pos."""
        best, best_d = None, radius
        for item in self.items_by_id.values():
            if item.can_connect:
                d = QLineF(item.port_scene_pos(), pos).length()
                if d <= best_d:
                    best, best_d = item, d
        return best

    def selected_ids(self) -> tuple[list[str], list[str]]:
        """(node ids, edge ids) of the selection, in document order."""
        chosen = set(self.selectedItems())
        nodes = [i for i, item in self.items_by_id.items() if item in chosen]
        edges = [item.edge_id for item in self.edge_items if item in chosen]
        return nodes, edges

    def select_ids(self, node_ids: list[str], edge_ids: list[str] = ()) -> None:
        self.clearSelection()
        for node_id in node_ids:
            if node_id in self.items_by_id:
                self.items_by_id[node_id].setSelected(True)
        wanted = set(edge_ids)
        for item in self.edge_items:
            if item.edge_id in wanted:
                item.setSelected(True)

    # -- mouse and keys go to the editor's gestures first ------------------------------------------
    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self.editor is None or not self.editor.press(event):
            super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self.editor is None or not self.editor.move(event):
            super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self.editor is None or not self.editor.release(event):
            super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self.editor is None or not self.editor.double_click(event):
            super().mouseDoubleClickEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.editor is None or not self.editor.key(event):
            super().keyPressEvent(event)

    # -- geometry ------------------------------------------------------------------------------------
    def content_rect(self) -> QRectF:
        rect = QRectF()
        for item in self.items_by_id.values():
            rect = rect.united(item.layout_rect())
        return rect if not rect.isNull() else QRectF(-200, -150, 400, 300)

    def _update_bounds(self) -> None:
        content = self.content_rect()
        self.dots.set_bounds(content.adjusted(-40, -40, 40, 40))
        self.setSceneRect(content.adjusted(-900, -700, 900, 700))

    def refresh_geometry(self) -> None:
        """Edges, dot routes and scene bounds follow items that moved (a drag in progress too)."""
        self._geometry_changed()

    def _geometry_changed(self) -> None:
        self.geometry_version += 1
        for edge in self.edge_items:
            edge.refresh()
        self._update_bounds()

    def route(self, edge_index: int, instance_no: int) -> tuple[tuple[float, ...], bool] | None:
        """(x0, y0, xm, ym, x1, y1) of a transfer's path and whether the instance end is known exactly."""
        if not 0 <= edge_index < len(self.edge_items):
            return None
        edge = self.edge_items[edge_index]
        exact = instance_no < 0 or any(isinstance(end, GroupItem) and instance_no in end.instances
                                       for end in (edge.src, edge.dst))
        return edge.path(instance_no), exact

    # -- run-time state ------------------------------------------------------------------------------
    def apply_state(self, state: dict[str, Any], t: float, dt_sim: float, badges: bool = True) -> None:
        changed = False
        for node_id, st in state.items():
            item = self.items_by_id.get(node_id)
            if item is None or not isinstance(st, dict):
                continue
            if isinstance(item, GroupItem):
                changed |= item.apply_instances(st.get("instances") or [], lambda s: self.book.cpu(s, t))
            if badges:
                self._badge(item, st, t)
        for edge in self.edge_items:
            if edge.fans_out and edge.follows_registration:
                lb = state.get(edge.src.node_id)
                changed |= edge.set_registrations((lb or {}).get("targets") or {})
            elif edge.fans_out:
                group = state.get(edge.dst.node_id) or {}
                running = {i.get("id"): ("draining" if i.get("state") == "terminating" else "healthy")
                           for i in group.get("instances") or [] if i.get("state") in ("running", "terminating")}
                changed |= edge.set_registrations(running)
        if changed:
            self._make_room()
            self._geometry_changed()

    def _badge(self, item: NodeItem | GroupItem, st: dict[str, Any], t: float) -> None:
        badges = self.book.badges(item.node_id, item.kind, st, t)
        if isinstance(item, GroupItem):
            item.set_badges(badges)
            return
        ring = None
        if item.kind == "ec2_instance":
            health = ((st.get("instances") or [{}])[0]).get("health")
            ring = HEALTH_COLOURS.get(health) if health in RING_HEALTHS else None
        item.set_badges(badges, ring)

    def animate(self, dt_wall: float) -> None:
        removed = False
        for item in self.items_by_id.values():
            if isinstance(item, GroupItem):
                removed |= item.fade(dt_wall)
        if removed:
            self._make_room()
            self._geometry_changed()

    def fading(self) -> bool:
        """True while an instance tile is still fading in or out."""
        return any(tile.opacity() != tile.target_opacity() for item in self.items_by_id.values()
                   if isinstance(item, GroupItem) for tile in item.instances.values())

    def settle(self) -> None:
        for item in self.items_by_id.values():
            if isinstance(item, GroupItem):
                item.settle()
        self._make_room()
        self._geometry_changed()

    def reset(self) -> None:
        for item in self.items_by_id.values():
            if isinstance(item, GroupItem):
                item.clear()
                item.set_badges([])
            else:
                item.set_badges([], None)
        self.book.clear()
        for edge in self.edge_items:
            edge.registrations = {}
        self.dots.clear()
        self._make_room()
        self._geometry_changed()

    # -- selection and looks -------------------------------------------------------------------------
    def select_node(self, node_id: str) -> None:
        item = self.items_by_id.get(node_id)
        self.clearSelection()
        if item is not None:
            item.setSelected(True)

    def selected_node(self) -> str:
        for item in self.selectedItems():
            if isinstance(item, (NodeItem, GroupItem)):
                return item.node_id
        return ""

    def _on_selection(self) -> None:
        if not shiboken6.isValid(self):   # items deselected while the C++ scene is destroyed
            return
        self.node_selected.emit(self.selected_node())
        self.selection_changed.emit()

    def apply_theme(self) -> None:
        self.setBackgroundBrush(_grid_brush())
        for item in self.items():
            item.update()


def _grid_brush() -> QBrush:
    t = theme.current()
    tile = QPixmap(GRID, GRID)
    tile.fill(QColor(t.canvas))
    p = QPainter(tile)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(t.grid))
    p.drawEllipse(QPointF(GRID / 2, GRID / 2), 1.1, 1.1)
    p.end()
    return QBrush(tile)
