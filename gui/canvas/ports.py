"""What node items and group frames share for editing: the connection port that appears on hover,
the ring around an allowed target while a connection is dragged, and dimming of the others."""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsSceneHoverEvent

from engine import registry
from gui import theme

PORT_R = 8.0          # scene units; the port is a circle on the node's right edge
PORT_GAP = 10.0       # from the icon's edge to the port's centre
DIMMED = 0.3          # opacity of nodes that cannot accept the connection being dragged


def can_start(kind: str) -> bool:
    """True if the registry lets this kind start at least one connection."""
    return any(source == kind for source, _ in registry.CONNECTIONS)


def port_rect(centre: QPointF) -> QRectF:
    return QRectF(centre.x() - PORT_R - 2, centre.y() - PORT_R - 2, 2 * PORT_R + 4, 2 * PORT_R + 4)


def paint_port(p: QPainter, centre: QPointF) -> None:
    """A filled accent circle with an arrow pointing out: drag from here to connect."""
    t = theme.current()
    p.setPen(QPen(t.color("surface"), 2.0))
    p.setBrush(t.color("accent"))
    p.drawEllipse(centre, PORT_R, PORT_R)
    arrow = QPainterPath()
    arrow.moveTo(centre + QPointF(-2.5, -4.0))
    arrow.lineTo(centre + QPointF(2.5, 0.0))
    arrow.lineTo(centre + QPointF(-2.5, 4.0))
    p.setPen(QPen(t.color("surface"), 2.0, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                  Qt.PenJoinStyle.RoundJoin))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawPath(arrow)


def paint_target_ring(p: QPainter, rect: QRectF, radius: float) -> None:
    p.setPen(QPen(theme.current().color("healthy"), 3.5))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawRoundedRect(rect, radius, radius)


class Editable:
    """Editing state of a node item or a group frame (mixed into both).

    `hovered` shows the port, `is_target` rings the item while a connection is dragged over the
    canvas, `dimmed` fades items that cannot accept it.
    """

    hovered = False
    is_target = False
    can_connect = False

    def init_editing(self: QGraphicsItem, kind: str) -> None:
        self.can_connect = can_start(kind)
        self.setAcceptHoverEvents(True)

    def port_pos(self) -> QPointF:          # local coordinates; overridden
        raise NotImplementedError

    def port_scene_pos(self: QGraphicsItem) -> QPointF:
        return self.mapToScene(self.port_pos())

    def shows_port(self) -> bool:
        return self.can_connect and (self.hovered or self.isSelected())

    def set_target(self: QGraphicsItem, on: bool) -> None:
        if on != self.is_target:
            self.is_target = on
            self.update()

    def set_dimmed(self: QGraphicsItem, on: bool) -> None:
        self.setOpacity(DIMMED if on else 1.0)

    def hoverEnterEvent(self: QGraphicsItem, event: QGraphicsSceneHoverEvent) -> None:  # noqa: N802
        self.hovered = True
        self.update()

    def hoverLeaveEvent(self: QGraphicsItem, event: QGraphicsSceneHoverEvent) -> None:  # noqa: N802
        self.hovered = False
        self.update()
