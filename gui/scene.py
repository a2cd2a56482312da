"""The scene mirrors the document: an item per node (a frame per Auto Scaling group), an item per
edge in document order (so an engine edge index is a position in `edge_items`), the dot layer,
and the id -> item map. Run-time state only decorates the items; it never changes the document."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QPainter, QPixmap
from PySide6.QtWidgets import QGraphicsScene

from engine.model import Document
from gui import theme
from gui.badges import BadgeBook
from gui.dots import DotLayer
from gui.edges import EdgeItem
from gui.groups import GroupItem
from gui.items import HEALTH_COLOURS, Z_DOTS, NodeItem

DOT_SIZE = 9.0
GRID = 24
RING_HEALTHS = ("unhealthy", "crashed", "draining", "pending", "initial")


class TopologyScene(QGraphicsScene):
    node_selected = Signal(str)   # a node id, or "" when nothing is selected

    def __init__(self, doc: Document, parent: Any = None) -> None:
        super().__init__(parent)
        self.doc = doc
        self.items_by_id: dict[str, NodeItem | GroupItem] = {}
        self.edge_items: list[EdgeItem] = []
        self.book = BadgeBook()
        self.geometry_version = 0
        self.dots = DotLayer(dot_size=DOT_SIZE)
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)
        self._build()
        self.selectionChanged.connect(self._on_selection)
        self.apply_theme()

    def _build(self) -> None:
        for node in self.doc.nodes.values():
            item = GroupItem(node) if node.kind == "auto_scaling_group" else NodeItem(node)
            self.items_by_id[node.id] = item
            self.addItem(item)
            if isinstance(item, GroupItem):
                self.addItem(item.fill)
        for index, edge in enumerate(self.doc.edges.values()):
            item = EdgeItem(index, edge, self.items_by_id[edge.source], self.items_by_id[edge.target])
            self.addItem(item)
            self.edge_items.append(item)
        self.dots.setZValue(Z_DOTS)
        self.addItem(self.dots)
        self._update_bounds()

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

    def _geometry_changed(self) -> None:
        self.geometry_version += 1
        for edge in self.edge_items:
            edge.refresh()
        self._update_bounds()

    def route(self, edge_index: int, instance_no: int) -> tuple[tuple[float, float, float, float], bool] | None:
        """(x0, y0, x1, y1) of a transfer's path and whether the instance end is known exactly."""
        if not 0 <= edge_index < len(self.edge_items):
            return None
        edge = self.edge_items[edge_index]
        exact = instance_no < 0 or any(isinstance(end, GroupItem) and instance_no in end.instances
                                       for end in (edge.src, edge.dst))
        return edge.route(instance_no), exact

    # -- run-time state ------------------------------------------------------------------------------
    def apply_state(self, state: dict[str, Any], t: float, dt_sim: float, badges: bool = True) -> None:
        changed = False
        for node_id, st in state.items():
            item = self.items_by_id.get(node_id)
            if item is None or not isinstance(st, dict):
                continue
            if isinstance(item, GroupItem):
                changed |= item.apply_instances(st.get("instances") or [], dt_sim)
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
            self._geometry_changed()

    def settle(self) -> None:
        for item in self.items_by_id.values():
            if isinstance(item, GroupItem):
                item.settle()
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
        self.node_selected.emit(self.selected_node())

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
