"""Edge items: an arrow from node to node. An edge into or out of an Auto Scaling group ends at the
group's frame; the dots of a transfer to or from one of its instances fan out inside the frame
(`EdgeItem.path`), so no line crosses the other tiles."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPainterPathStroker, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem

from engine.model import Edge
from gui import theme
from gui.canvas.groups import GroupItem
from gui.canvas.items import Z_EDGE, NodeItem, border_point, clipped_line

ARROW = 10.0
PICK_WIDTH = 14.0    # scene units either side of the line that still pick the edge
REGISTRATION_COLOURS = {"healthy": "edge", "initial": "accent", "unhealthy": "unhealthy", "draining": "draining"}


def _end_rect(item: NodeItem | GroupItem, instance_no: int) -> QRectF:
    if isinstance(item, GroupItem) and instance_no >= 0:
        inst = item.instances.get(instance_no)
        if inst is not None:
            return inst.mapRectToScene(inst.boundingRect().adjusted(1, 1, -1, -1))
    return item.anchor_rect()


class EdgeItem(QGraphicsItem):
    def __init__(self, index: int, edge: Edge, src: NodeItem | GroupItem, dst: NodeItem | GroupItem) -> None:
        super().__init__()
        self.index, self.edge_id = index, edge.id
        self.src, self.dst = src, dst
        # An edge into a group fans out to its instances: to the load balancer's registered
        # targets, or (a queue's consumers) to the running instances.
        self.fans_out = isinstance(dst, GroupItem)
        self.follows_registration = src.kind == "load_balancer"
        self.registrations: dict[str, str] = {}
        self._lines: list[tuple[QPointF, QPointF, str]] = []
        self._bounds = QRectF()
        self.setZValue(Z_EDGE)   # above group backgrounds, below the dots, the tiles and the nodes
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setAcceptedMouseButtons(Qt.MouseButton.LeftButton)
        self._shape = QPainterPath()
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.refresh()

    def route(self, instance_no: int) -> tuple[float, float, float, float]:
        """Scene coordinates (x0, y0, x1, y1) from the source end to the target end for an instance."""
        a, b = clipped_line(_end_rect(self.src, instance_no), _end_rect(self.dst, instance_no))
        return a.x(), a.y(), b.x(), b.y()

    def set_registrations(self, targets: dict[str, str]) -> bool:
        if not self.fans_out:
            return False
        mine = {inst_id: h for inst_id, h in targets.items() if inst_id in self.dst.by_id}
        if mine == self.registrations:
            return False
        self.registrations = mine
        self.refresh()
        return True

    def path(self, instance_no: int) -> tuple[float, float, float, float, float, float]:
        """Scene coordinates (x0, y0, xm, ym, x1, y1) of a dot's path for an instance: along the
        edge to the group's frame (xm, ym), then inside it to the instance's tile; the midpoint of
        the line when no instance end is involved."""
        a, b = clipped_line(self.src.anchor_rect(), self.dst.anchor_rect())
        if instance_no >= 0 and isinstance(self.dst, GroupItem) and instance_no in self.dst.instances:
            return a.x(), a.y(), b.x(), b.y(), *_tile_point(_end_rect(self.dst, instance_no), b)
        if instance_no >= 0 and isinstance(self.src, GroupItem) and instance_no in self.src.instances:
            start = _tile_point(_end_rect(self.src, instance_no), a)
            return *start, a.x(), a.y(), b.x(), b.y()
        return a.x(), a.y(), (a.x() + b.x()) / 2, (a.y() + b.y()) / 2, b.x(), b.y()

    def refresh(self) -> None:
        """Recompute the line (after an instance appearing or a node moving)."""
        x0, y0, x1, y1 = self.route(-1)
        lines = [(QPointF(x0, y0), QPointF(x1, y1), "healthy")]
        self.prepareGeometryChange()
        self._lines = [(self.mapFromScene(a), self.mapFromScene(b), h) for a, b, h in lines]
        rect = QRectF()
        for a, b, _ in self._lines:
            rect = rect.united(QRectF(a, b).normalized())
        self._bounds = rect.adjusted(-ARROW, -ARROW, ARROW, ARROW)
        self._shape = _pick_shape(self._lines)
        self.update()

    def boundingRect(self) -> QRectF:
        return self._bounds

    def shape(self) -> QPainterPath:
        return self._shape

    def paint(self, p: QPainter, option: Any, widget: Any = None) -> None:
        t = theme.current()
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        selected = self.isSelected()
        for a, b, health in self._lines:
            colour = QColor(getattr(t, "accent" if selected else REGISTRATION_COLOURS.get(health, "edge")))
            line = QLineF(a, b)
            if line.length() < ARROW * 1.5:
                continue
            pen = QPen(colour, 3.5 if selected else 2.0, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
            if health != "healthy":
                pen.setStyle(Qt.PenStyle.DashLine)
            p.setPen(pen)
            unit = line.unitVector()
            d = QPointF(unit.dx(), unit.dy())
            p.drawLine(QLineF(a, b - d * ARROW * 0.8))
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(colour)
            p.drawPath(_arrow_head(b, d))


def _tile_point(tile: QRectF, toward: QPointF) -> tuple[float, float]:
    """Where a dot meets a tile: on its border facing the frame's entry point."""
    point = border_point(tile, toward)
    return point.x(), point.y()


def _pick_shape(lines: list[tuple[QPointF, QPointF, str]]) -> QPainterPath:
    path = QPainterPath()
    for a, b, _ in lines:
        path.moveTo(a)
        path.lineTo(b)
    stroker = QPainterPathStroker()
    stroker.setWidth(PICK_WIDTH)
    return stroker.createStroke(path)


def _arrow_head(tip: QPointF, d: QPointF) -> QPainterPath:
    n = QPointF(-d.y(), d.x())
    back = tip - d * ARROW
    path = QPainterPath()
    path.addPolygon(QPolygonF([tip, back + n * ARROW * 0.5, back - n * ARROW * 0.5, tip]))
    return path

