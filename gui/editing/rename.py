"""Renaming in place: a line edit over a node's name on the canvas (F2 or a double-click on the name)."""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import QGraphicsView, QLineEdit

from gui.canvas.groups import GroupItem
from gui.canvas.items import NodeItem

MIN_WIDTH = 160


class NameEditor(QLineEdit):
    """Enter or a click elsewhere keeps the new name, Escape keeps the old one; `done` gets the
    new name, or None when nothing changes."""

    def __init__(self, view: QGraphicsView, item: NodeItem | GroupItem, done: Callable[[str | None], None]) -> None:
        super().__init__(item.name, view.viewport())
        self.setObjectName("nameEditor")
        self.view, self.old, self._done = view, item.name, done
        self._finished = False
        rect = view.mapFromScene(item.name_rect()).boundingRect()
        width = max(MIN_WIDTH, rect.width() + 40)
        self.setGeometry(rect.center().x() - width // 2, rect.top() - 4, width, max(28, rect.height() + 8))
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.selectAll()
        self.returnPressed.connect(self.accept)
        self.show()
        self.setFocus(Qt.FocusReason.OtherFocusReason)

    def accept(self) -> None:
        name = self.text().strip()
        self._finish(name if name and name != self.old else None)

    def _finish(self, name: str | None) -> None:
        if self._finished:
            return
        self._finished = True
        self.hide()
        self.deleteLater()
        self.view.setFocus()
        self._done(name)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self._finish(None)
            return
        super().keyPressEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        if not self._finished:
            self.accept()

    def event(self, event: QEvent) -> bool:
        # Escape must reach keyPressEvent instead of a window shortcut.
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent) \
                and event.key() == Qt.Key.Key_Escape:
            event.accept()
            return True
        return super().event(event)

