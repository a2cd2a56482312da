"""Gestures on the canvas as small state objects (after orange-canvas-core's interactions).

The scene hands every left-button press to the `Editor`, which starts one gesture for it: connect
(the press is on a node's port), move (on a node), select (on an edge) or rubber band (on empty
canvas). The gesture follows the mouse and, on release, asks its host for at most one change:
one `MoveNodes` command for a whole drag, one connection. Gestures never write the document.
"""
from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QLineF, QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QKeyEvent, QPainterPath, QPen, QUndoCommand
from PySide6.QtWidgets import (QApplication, QGraphicsPathItem, QGraphicsRectItem,
                               QGraphicsSceneMouseEvent, QGraphicsView)

from engine import registry
from engine.model import Document
from gui import theme
from gui.canvas.groups import GroupItem
from gui.canvas.items import NodeItem, border_point
from gui.canvas.ports import PORT_R
from gui.canvas.scene import GRID, TopologyScene
from gui.editing.commands import MoveNodes

PORT_HIT_PX = PORT_R + 6      # view pixels around a port's centre that start a connection
Z_GESTURE = 50.0
Node = NodeItem | GroupItem


class Host(Protocol):
    """What gestures need from the editing side of the window (gui.editing.actions.EditActions)."""

    doc: Document
    snap: bool

    def push(self, command: QUndoCommand) -> None: ...
    def tell(self, text: str) -> None: ...
    def rename(self, node_id: str) -> None: ...
    def connect_nodes(self, source_id: str, target_id: str) -> bool: ...


def snapped(p: QPointF) -> QPointF:
    return QPointF(round(p.x() / GRID) * GRID, round(p.y() / GRID) * GRID)


def view_scale(event: QGraphicsSceneMouseEvent) -> float:
    """The zoom of the view the event came through (view pixels per scene unit); 1.0 without one."""
    widget = event.widget()
    view = widget.parent() if widget is not None else None
    return view.transform().m11() if isinstance(view, QGraphicsView) else 1.0


class Gesture:
    """One press-drag-release; `finish` is called on release, `cancel` on Escape or a new press."""

    def move(self, pos: QPointF) -> None:
        pass

    def finish(self, pos: QPointF) -> None:
        pass

    def cancel(self) -> None:
        pass


class Editor:
    def __init__(self, scene: TopologyScene, host: Host) -> None:
        self.scene, self.host = scene, host
        self.gesture: Gesture | None = None

    # -- events from the scene (True: handled here) ---------------------------------------------------
    def press(self, event: QGraphicsSceneMouseEvent) -> bool:
        if event.button() != Qt.MouseButton.LeftButton:
            return False
        if self.gesture is not None:
            self.gesture.cancel()
        self.gesture = self.gesture_for(event.scenePos(), event.modifiers(), view_scale(event))
        return True

    def move(self, event: QGraphicsSceneMouseEvent) -> bool:
        if self.gesture is None:
            return False
        self.gesture.move(event.scenePos())
        return True

    def release(self, event: QGraphicsSceneMouseEvent) -> bool:
        if self.gesture is None or event.button() != Qt.MouseButton.LeftButton:
            return False
        gesture, self.gesture = self.gesture, None
        gesture.finish(event.scenePos())
        return True

    def double_click(self, event: QGraphicsSceneMouseEvent) -> bool:
        node = self.scene.node_at(event.scenePos())
        if node is None or not node.name_rect().contains(event.scenePos()):
            return False
        self.host.rename(node.node_id)
        return True

    def key(self, event: QKeyEvent) -> bool:
        if event.key() != Qt.Key.Key_Escape or self.gesture is None:
            return False
        self.gesture.cancel()
        self.gesture = None
        return True

    # -- which gesture a press starts ---------------------------------------------------------------------
    def gesture_for(self, pos: QPointF, modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
                    zoom: float = 1.0) -> Gesture:
        additive = bool(modifiers & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier))
        source = self.scene.port_at(pos, PORT_HIT_PX / max(zoom, 1e-3))
        if source is not None:
            return ConnectGesture(self.scene, self.host, source, pos)
        node = self.scene.node_at(pos)
        if node is not None:
            return MoveGesture(self.scene, self.host, node, pos, additive, zoom)
        edge = self.scene.edge_at(pos)
        if edge is not None:
            if not additive:
                self.scene.clearSelection()
            edge.setSelected(not edge.isSelected() if additive else True)
            return Gesture()
        return RubberBandGesture(self.scene, pos, additive)


class MoveGesture(Gesture):
    """Drags the selected nodes; one MoveNodes command on release (none for a plain click)."""

    def __init__(self, scene: TopologyScene, host: Host, anchor: Node, pos: QPointF, additive: bool,
                 zoom: float) -> None:
        self.scene, self.host, self.anchor, self.start = scene, host, anchor, pos
        self.additive, self.moved = additive, False
        self.threshold = QApplication.startDragDistance() / max(zoom, 1e-3)
        self.was_selected = anchor.isSelected()
        if additive:
            anchor.setSelected(not anchor.isSelected())
        elif not anchor.isSelected():
            scene.clearSelection()
            anchor.setSelected(True)
        self.origin = {node_id: QPointF(item.pos()) for node_id, item in scene.items_by_id.items()
                       if item.isSelected()}

    def move(self, pos: QPointF) -> None:
        delta = pos - self.start
        if not self.moved and QLineF(self.start, pos).length() < self.threshold:
            return
        if not self.anchor.isSelected():
            return
        self.moved = True
        home = self.origin[self.anchor.node_id]
        if self.host.snap:
            delta = snapped(home + delta) - home
        else:
            delta = QPointF(round(delta.x()), round(delta.y()))    # whole scene units: tidy files
        for node_id, home in self.origin.items():
            self.scene.items_by_id[node_id].place(home + delta)
        self.scene.refresh_geometry()

    def finish(self, pos: QPointF) -> None:
        if not self.moved:
            if not self.additive and self.was_selected:
                self.scene.clearSelection()
                self.anchor.setSelected(True)
            return
        moves = {}
        for node_id, home in self.origin.items():
            now = self.scene.items_by_id[node_id].pos()
            shift = self.scene.room.get(node_id, 0.0)    # moved down for a grown group: not in the file
            if now != home:
                moves[node_id] = ((home.x(), home.y() - shift), (now.x(), now.y() - shift))
        if moves:
            self.host.push(MoveNodes(self.host.doc, moves))

    def cancel(self) -> None:
        for node_id, home in self.origin.items():
            item = self.scene.items_by_id.get(node_id)
            if item is not None:
                item.place(home)
        self.scene.refresh_geometry()


class RubberBandGesture(Gesture):
    """Selects what lies wholly inside the dragged rectangle (added to the selection with Ctrl or Shift)."""

    def __init__(self, scene: TopologyScene, pos: QPointF, additive: bool) -> None:
        self.scene, self.start = scene, pos
        self.kept = list(scene.selectedItems()) if additive else []
        if not additive:
            scene.clearSelection()
        t = theme.current()
        self.band = QGraphicsRectItem()
        pen = QPen(t.color("accent"), 1.0, Qt.PenStyle.DashLine)
        pen.setCosmetic(True)
        self.band.setPen(pen)
        self.band.setBrush(t.color("accent", 0.10))
        self.band.setZValue(Z_GESTURE)
        self.band.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        scene.addItem(self.band)

    def move(self, pos: QPointF) -> None:
        rect = QRectF(self.start, pos).normalized()
        self.band.setRect(rect)
        area = QPainterPath()
        area.addRect(rect)
        self.scene.setSelectionArea(area, Qt.ItemSelectionOperation.ReplaceSelection,
                                    Qt.ItemSelectionMode.ContainsItemShape)
        for item in self.kept:
            item.setSelected(True)

    def finish(self, pos: QPointF) -> None:
        self.cancel()

    def cancel(self) -> None:
        if self.band.scene() is not None:
            self.scene.removeItem(self.band)


class ConnectGesture(Gesture):
    """Drags a line from a node's port. The components that accept the connection are ringed,
    the others dimmed; the drop asks the host to connect (which may refuse, saying why)."""

    def __init__(self, scene: TopologyScene, host: Host, source: Node, pos: QPointF) -> None:
        self.scene, self.host, self.source = scene, host, source
        self.accepting = {node_id for node_id, item in scene.items_by_id.items()
                          if item is not source and registry.connection(source.kind, item.kind)}
        for node_id, item in scene.items_by_id.items():
            item.set_dimmed(item is not source and node_id not in self.accepting)
            item.set_target(node_id in self.accepting)
        self.line = QGraphicsPathItem()
        self.line.setZValue(Z_GESTURE)
        self.line.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        scene.addItem(self.line)
        self.intro = (f"Connecting {source.name}: {registry.accepted_targets_text(source.kind)}. "
                      "Drop on a ringed component.")
        self.said = ""
        self.move(pos)

    def _say(self, text: str) -> None:
        if text != self.said:
            self.said = text
            self.host.tell(text)

    def move(self, pos: QPointF) -> None:
        t = theme.current()
        start = self.source.port_scene_pos()
        target = self.scene.node_at(pos)
        end, colour, message = pos, t.color("accent"), self.intro
        if target is not None and target is not self.source:
            if target.node_id in self.accepting:
                end, colour = border_point(target.anchor_rect(), start), t.color("healthy")
            else:
                colour = t.color("unhealthy")
                message = sentence(registry.refusal(self.source.kind, target.kind))
        self._say(message)
        self.line.setPen(QPen(colour, 2.5, Qt.PenStyle.DashLine, Qt.PenCapStyle.RoundCap))
        self.line.setPath(_arrow_path(start, end))

    def finish(self, pos: QPointF) -> None:
        self.cancel()
        target = self.scene.node_at(pos)
        if target is None or target is self.source:
            self.host.tell("")
            return
        self.host.connect_nodes(self.source.node_id, target.node_id)

    def cancel(self) -> None:
        for item in self.scene.items_by_id.values():
            item.set_dimmed(False)
            item.set_target(False)
        if self.line.scene() is not None:
            self.scene.removeItem(self.line)


def sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _arrow_path(a: QPointF, b: QPointF) -> QPainterPath:
    path = QPainterPath(a)
    path.lineTo(b)
    line = QLineF(b, a)
    if line.length() > 12:
        for angle in (25.0, -25.0):
            wing = QLineF(line)
            wing.setLength(12)
            wing.setAngle(line.angle() + angle)
            path.moveTo(b)
            path.lineTo(wing.p2())
    return path


class PanGesture:
    """Middle-button drag (or Alt + left drag) scrolls the view."""

    def __init__(self, view: QGraphicsView, pos: QPoint) -> None:
        self.view, self.last = view, pos
        view.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)

    def move(self, pos: QPoint) -> None:
        delta = pos - self.last
        self.last = pos
        h, v = self.view.horizontalScrollBar(), self.view.verticalScrollBar()
        h.setValue(h.value() - delta.x())
        v.setValue(v.value() - delta.y())

    def finish(self) -> None:
        self.view.viewport().unsetCursor()
