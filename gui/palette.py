"""The palette: every kind in the registry, grouped, with its icon and a one-line description.

Dragging an entry carries the kind in a custom MIME type; the canvas creates the node at the
drop point. A double-click asks for the node at the centre of the view (`add_requested`).
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QMimeData, QSize, Qt, Signal
from PySide6.QtGui import QDrag, QIcon
from PySide6.QtWidgets import QAbstractItemView, QTreeWidget, QTreeWidgetItem

from engine import registry
from engine.examples import RESOURCES

MIME_KIND = "application/x-flowdeck-kind"
GROUPS = ("Traffic", "Compute", "Messaging", "Endpoints")
KIND_ROLE = Qt.ItemDataRole.UserRole + 1


def icon_path(kind: str) -> Path:
    return RESOURCES / "icons" / f"{kind}.svg"


def mime_for(kind: str) -> QMimeData:
    mime = QMimeData()
    mime.setData(MIME_KIND, QByteArray(kind.encode("utf-8")))
    mime.setText(kind)
    return mime


def kind_from(mime: QMimeData) -> str | None:
    """The kind a drop carries, if it is one of ours and the registry knows it."""
    if not mime.hasFormat(MIME_KIND):
        return None
    kind = bytes(mime.data(MIME_KIND).data()).decode("utf-8", "replace")
    return kind if kind in registry.KINDS else None


class Palette(QTreeWidget):
    add_requested = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setHeaderHidden(True)
        self.setIconSize(QSize(32, 32))
        self.setRootIsDecorated(False)
        self.setIndentation(8)
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.entries: dict[str, QTreeWidgetItem] = {}
        self._fill()
        self.itemDoubleClicked.connect(self._double_clicked)

    def _fill(self) -> None:
        for group in GROUPS:
            kinds = [k for k in registry.KINDS.values() if k.group == group]
            if not kinds:
                continue
            header = QTreeWidgetItem(self, [group.upper()])
            header.setFlags(Qt.ItemFlag.ItemIsEnabled)
            font = header.font(0)
            font.setBold(True)
            font.setPointSizeF(font.pointSizeF() * 0.85)
            header.setFont(0, font)
            for spec in kinds:
                item = QTreeWidgetItem(header, [f"{spec.label}\n{spec.description}"])
                item.setIcon(0, QIcon(str(icon_path(spec.kind))))
                item.setData(0, KIND_ROLE, spec.kind)
                item.setToolTip(0, f"{spec.label}: {spec.description}\nDrag onto the canvas, or double-click to add.")
                item.setSizeHint(0, QSize(0, 44))
                self.entries[spec.kind] = item
            header.setExpanded(True)

    def _double_clicked(self, item: QTreeWidgetItem) -> None:
        kind = item.data(0, KIND_ROLE)
        if kind:
            self.add_requested.emit(kind)

    def startDrag(self, actions) -> None:  # noqa: N802 (Qt override)
        item = self.currentItem()
        kind = item.data(0, KIND_ROLE) if item else None
        if not kind:
            return
        drag = QDrag(self)
        drag.setMimeData(mime_for(kind))
        drag.setPixmap(item.icon(0).pixmap(40, 40))
        drag.exec(Qt.DropAction.CopyAction)

    def entry_center(self, kind: str):
        """The global screen position of a kind's entry (for end-to-end tests)."""
        rect = self.visualItemRect(self.entries[kind])
        return self.viewport().mapToGlobal(rect.center())
