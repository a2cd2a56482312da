"""What presentation mode lays over the window: a blank screen, and a spotlight on one component."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPaintEvent
from PySide6.QtWidgets import QGraphicsItem, QGraphicsView, QWidget

SPOTLIGHT_DIM = 0.62     # how dark the rest of the canvas gets (opacity of the black veil)
SPOTLIGHT_PAD = 18.0     # pixels of light around the component


class BlankScreen(QWidget):
    """Black over the whole window (B): the audience looks at the speaker."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.hide()
        window.installEventFilter(self)

    def cover(self) -> None:
        self.setGeometry(self.parentWidget().rect())
        self.show()
        self.raise_()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and self.isVisible():
            self.setGeometry(self.parentWidget().rect())
        return False

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("black"))


class Spotlight(QWidget):
    """The canvas dimmed except around one component, for a few seconds; it follows the view."""

    def __init__(self, view: QGraphicsView) -> None:
        super().__init__(view.viewport())
        self.view = view
        self.item: QGraphicsItem | None = None
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self._timer = QTimer(self, singleShot=True)
        self._timer.timeout.connect(self.hide)
        self.hide()

    def shine(self, item: QGraphicsItem, ms: int) -> None:
        self.item = item
        self.setGeometry(self.view.viewport().rect())
        self.show()
        self.raise_()
        self.update()
        self._timer.start(ms)

    def lit_rect(self) -> QRectF:
        """The component's place on screen, with some air."""
        if self.item is None:
            return QRectF()
        polygon = self.view.mapFromScene(self.item.sceneBoundingRect())
        return QRectF(polygon.boundingRect()).adjusted(-SPOTLIGHT_PAD, -SPOTLIGHT_PAD, SPOTLIGHT_PAD, SPOTLIGHT_PAD)

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        veil = QPainterPath()
        veil.addRect(QRectF(self.rect()))
        hole = QPainterPath()
        lit = self.lit_rect()
        hole.addRoundedRect(lit, 18, 18)
        colour = QColor("black")
        colour.setAlphaF(SPOTLIGHT_DIM)
        p.fillPath(veil.subtracted(hole), colour)
