"""The canvas view: zoom with the wheel, pan by dragging, fit to view, overlays, context menus."""
from __future__ import annotations

import time
from typing import Any, Protocol

import shiboken6
from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (QContextMenuEvent, QDragEnterEvent, QDragMoveEvent, QDropEvent, QMouseEvent, QPainter,
                           QResizeEvent, QWheelEvent)
from PySide6.QtWidgets import QFrame, QGraphicsView, QMenu, QWidget

from gui import theme
from gui.canvas.dots import DotKind
from gui.canvas.groups import GroupItem, InstanceItem
from gui.canvas.interactions import PanGesture
from gui.canvas.items import NodeItem
from gui.canvas.overlays import Banner, Legend
from gui.canvas.scene import TopologyScene
from gui.editing.palette import kind_from

MIN_ZOOM, MAX_ZOOM, FIT_MAX_ZOOM = 0.15, 5.0, 1.5
MESSAGING_KINDS = {"sns_topic", "sqs_queue", "lambda_function", "email_endpoint"}
SLOW_FACTOR, SPIKE_FACTOR, SPIKE_S = 3.0, 5.0, 60.0
ERROR_SHARES = ((1.0, "all"), (0.25, "a quarter"))
MESSAGING_FAILURES = {"sqs_queue": "Consumer bug: {words} of the messages fail",
                      "lambda_function": "Fail {words} of the invocations"}


class Controls(Protocol):
    def fail(self, target: str, mode: str, factor: float = 1.0, duration_s: float | None = None) -> None: ...
    def recover(self, target: str) -> None: ...
    def boost(self, client_id: str, factor: float, duration_s: float) -> None: ...


class CanvasView(QGraphicsView):
    first_painted = Signal(float)   # perf_counter() of the first paint
    kind_dropped = Signal(str, QPointF)   # a palette entry dropped here: kind, scene position

    def __init__(self, scene: TopologyScene, controls: Controls | None = None, parent: QWidget | None = None) -> None:
        super().__init__(scene, parent)
        self.topology = scene       # keep a Python reference: a scene without one is collected
        self.controls = controls
        self.auto_fit = True
        self.viewport().installEventFilter(self)
        # No SmoothPixmapTransform: it puts every dot sprite through bilinear filtering (a third of
        # the frame at 20,000 dots); items that need smooth drawing set it in their own paint.
        for hint in (QPainter.RenderHint.Antialiasing, QPainter.RenderHint.TextAntialiasing):
            self.setRenderHint(hint)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.FullViewportUpdate)
        # Left-drag on empty canvas is the rubber band (gui.canvas.interactions); panning is a middle
        # or Alt+left drag, the wheel zooms.
        self.setDragMode(QGraphicsView.DragMode.NoDrag)
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.pan: PanGesture | None = None
        self.extend_menu = None    # callable(menu or None, viewport pos) -> menu or None, from the editor
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontAdjustForAntialiasing)
        self.setCacheMode(QGraphicsView.CacheModeFlag.CacheBackground)   # the dot grid, drawn once
        self.banner = Banner(self)
        self.legend = Legend(self, legend_kinds(scene))

    def update_legend(self) -> None:
        """The legend lists message dots only when the document has messaging components."""
        kinds = legend_kinds(self.topology)
        if kinds != self.legend.kinds:
            self.legend.kinds = kinds
            self.place_legend()
            self.legend.update()

    # -- zoom, pan, fit ------------------------------------------------------------------------------
    def zoom(self) -> float:
        return self.transform().m11()

    def fit(self) -> None:
        """Show the whole architecture, with room for the banner above and the legend below."""
        rect = self.topology.content_rect()
        captions = any(a.get("action") == "caption" for a in self.topology.doc.scenario)
        stage = theme.stage_scale()     # presenting: room for larger captions and legend, a closer view
        margin_x, top, bottom = 50, (120 if captions else 60) * stage, 72 * stage
        self.resetTransform()
        view = self.viewport().rect()
        sx = (view.width() - 2 * margin_x) / max(rect.width(), 1)
        sy = (view.height() - top - bottom) / max(rect.height(), 1)
        scale = max(MIN_ZOOM, min(FIT_MAX_ZOOM * stage, sx, sy))
        self.scale(scale, scale)
        self.centerOn(rect.center() - QPointF(0, (top - bottom) / 2 / scale))
        self.auto_fit = True

    def zoom_by(self, factor: float) -> None:
        factor = max(MIN_ZOOM / self.zoom(), min(MAX_ZOOM / self.zoom(), factor))
        self.scale(factor, factor)
        self.auto_fit = False

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.zoom_by(1.15 ** steps)
        event.accept()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        alt_drag = (event.button() == Qt.MouseButton.LeftButton
                    and event.modifiers() & Qt.KeyboardModifier.AltModifier)
        if event.button() == Qt.MouseButton.MiddleButton or alt_drag:
            self.pan = PanGesture(self, event.position().toPoint())
            self.auto_fit = False
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self.pan is not None:
            self.pan.move(event.position().toPoint())
            return
        if event.buttons() & Qt.MouseButton.LeftButton:
            self.auto_fit = False
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self.pan is not None:
            self.pan.finish()
            self.pan = None
            return
        super().mouseReleaseEvent(event)

    # -- drops from the palette ----------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        self._accept_kind(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        self._accept_kind(event)

    def _accept_kind(self, event: QDragMoveEvent) -> None:
        if kind_from(event.mimeData()):
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        kind = kind_from(event.mimeData())
        if kind is None:
            event.ignore()
            return
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
        self.setFocus()
        self.kind_dropped.emit(kind, self.mapToScene(event.position().toPoint()))

    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:
        if self.topology.items_by_id:
            return
        painter.save()
        painter.resetTransform()
        t = theme.current()
        painter.setPen(t.color("muted"))
        painter.setFont(theme.ui_font(13))
        text = ("Drag a component from the palette and drop it here.\n\n"
                "To connect two components, drag from the blue port that appears on the right of one "
                "when the mouse is over it, and drop on the other.")
        area = QRectF(self.viewport().rect()).adjusted(40, 0, -40, 0)
        if area.width() > 560:
            area.adjust((area.width() - 560) / 2, 0, -(area.width() - 560) / 2, 0)
        painter.drawText(area, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, text)
        painter.restore()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.auto_fit:
            self.fit()
        self.place_overlays()

    def place_overlays(self) -> None:
        self.banner.place()
        self.place_legend()

    def place_legend(self) -> None:
        """The legend in a corner where it covers no node (bottom left if it can)."""
        taken = [self.mapFromScene(item.layout_rect()).boundingRect() for item in self.topology.items_by_id.values()
                 if shiboken6.isValid(item)]     # a document being replaced leaves deleted items for a moment
        self.legend.place(taken)

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        super().scrollContentsBy(dx, dy)     # a pan or a zoom: the nodes moved under the legend
        self.place_legend()

    def eventFilter(self, watched: Any, event: QEvent) -> bool:
        # Only the first paint is watched; the filter then goes, so painting stays in C++.
        if watched is self.viewport() and event.type() == QEvent.Type.Paint:
            self.viewport().removeEventFilter(self)
            QTimer.singleShot(0, lambda: self.first_painted.emit(time.perf_counter()))
        return False

    # -- context menus -------------------------------------------------------------------------------
    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        menu = self.menu_at(event.pos())
        if self.extend_menu is not None:
            menu = self.extend_menu(menu, event.pos())
        if menu is None:
            super().contextMenuEvent(event)
            return
        menu.exec(event.globalPos())

    def menu_at(self, pos: QPoint) -> QMenu | None:
        """The context menu for the item under a viewport position, or None."""
        if self.controls is None:
            return None
        for item in self.items(pos):
            if isinstance(item, InstanceItem) and not item.gone:
                title = f"{item.parentItem().name} {item.short}" if item.parentItem() else item.short
                return failure_menu(self, self.controls, item.inst_id, title, group=False)
            if isinstance(item, GroupItem):
                return failure_menu(self, self.controls, item.node_id, item.name, group=True)
            if isinstance(item, NodeItem) and item.kind == "ec2_instance":
                return failure_menu(self, self.controls, item.node_id, item.name, group=False)
            if isinstance(item, NodeItem) and item.kind == "client":
                return client_menu(self, self.controls, item.node_id, item.name)
            if isinstance(item, NodeItem) and item.kind in MESSAGING_FAILURES:
                return messaging_menu(self, self.controls, item.node_id, item.name, item.kind)
        return None


def legend_kinds(scene: TopologyScene) -> list[DotKind]:
    kinds = [DotKind.REQUEST, DotKind.RESPONSE, DotKind.ERROR]
    if any(n.kind in MESSAGING_KINDS for n in scene.doc.nodes.values()):
        kinds += [DotKind.MESSAGE, DotKind.DEAD_LETTER]
    return kinds


def titled_menu(parent: QWidget, title: str) -> QMenu:
    """A menu whose first line names what it acts on (Fusion draws no text for a section)."""
    menu = QMenu(parent)
    heading = menu.addAction(title)
    heading.setEnabled(False)
    bold = heading.font()
    bold.setBold(True)
    heading.setFont(bold)
    menu.addSeparator()
    return menu


def failure_menu(parent: QWidget, controls: Controls, target: str, title: str, group: bool) -> QMenu:
    menu = titled_menu(parent, title)
    one = " one instance" if group else ""
    menu.addAction(f"Crash{one}", lambda: controls.fail(target, "crash"))
    menu.addAction(f"Hang{one} (stop answering)", lambda: controls.fail(target, "hang"))
    menu.addAction(f"Slow down{one} ×{SLOW_FACTOR:g}", lambda: controls.fail(target, "slow", SLOW_FACTOR))
    for share, words in ERROR_SHARES:
        menu.addAction(f"Fail {words} of{one or ' its'} requests (500)", lambda s=share: controls.fail(target, "error", s))
    menu.addSeparator()
    menu.addAction("Recover" + (" all instances" if group else ""), lambda: controls.recover(target))
    return menu


def messaging_menu(parent: QWidget, controls: Controls, target: str, title: str, kind: str) -> QMenu:
    """A queue's consumers with a bug, or a Lambda function's invocations failing."""
    menu = titled_menu(parent, title)
    what = MESSAGING_FAILURES[kind]
    for share, words in ERROR_SHARES:
        menu.addAction(what.format(words=words), lambda s=share: controls.fail(target, "error", s))
    menu.addSeparator()
    menu.addAction("Fix the consumers" if kind == "sqs_queue" else "Recover", lambda: controls.recover(target))
    return menu


def client_menu(parent: QWidget, controls: Controls, client_id: str, title: str) -> QMenu:
    menu = titled_menu(parent, title)
    menu.addAction(f"Spike traffic ×{SPIKE_FACTOR:g} for {SPIKE_S:g} s",
                   lambda: controls.boost(client_id, SPIKE_FACTOR, SPIKE_S))
    return menu
