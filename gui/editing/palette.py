"""The palette: every kind in the registry, grouped, with its icon and a one-line description.

Dragging an entry carries the kind in a custom MIME type; the canvas creates the node at the
drop point. A double-click asks for the node at the centre of the view (`add_requested`).
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QMimeData, QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QDrag, QFont, QFontMetrics, QIcon, QPainter, QPalette, QTextLayout
from PySide6.QtWidgets import (QAbstractItemView, QStyle, QStyledItemDelegate, QStyleOptionViewItem, QTreeWidget,
                               QTreeWidgetItem)

from engine import registry
from engine.examples import RESOURCES

MIME_KIND = "application/x-flowdeck-kind"
GROUPS = ("Traffic", "Compute", "Messaging", "Endpoints")
KIND_ROLE = Qt.ItemDataRole.UserRole + 1
ENTRY_H, ICON_PX, PAD = 50, 32, 8


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


def _wrapped(text: str, font: QFont, width: int, lines: int) -> list[str]:
    """Up to `lines` lines of text wrapped at width, the last one elided if the text goes on."""
    layout = QTextLayout(text, font)
    layout.beginLayout()
    out: list[str] = []
    while len(out) < lines:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(width)
        out.append(text[line.textStart():line.textStart() + line.textLength()].strip())
        if len(out) == lines and line.textStart() + line.textLength() < len(text):
            out[-1] = QFontMetrics(font).elidedText(text[line.textStart():], Qt.TextElideMode.ElideRight, width)
    layout.endLayout()
    return out


class EntryDelegate(QStyledItemDelegate):
    """A palette entry: the kind's icon, its label in bold and its description in two muted lines."""

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        size = super().sizeHint(option, index)
        return QSize(size.width(), ENTRY_H) if index.data(KIND_ROLE) else size

    def paint(self, p: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> None:
        kind = index.data(KIND_ROLE)
        if not kind:
            super().paint(p, option, index)
            return
        spec = registry.KINDS[kind]
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text, opt.icon = "", QIcon()
        opt.widget.style().drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, p, opt.widget)
        rect = option.rect
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        icon_rect = QRect(rect.left() + PAD, rect.top() + (rect.height() - ICON_PX) // 2, ICON_PX, ICON_PX)
        index.data(Qt.ItemDataRole.DecorationRole).paint(p, icon_rect)
        text_x = icon_rect.right() + PAD + 2
        width = rect.right() - text_x - 4
        title, small = QFont(option.font), QFont(option.font)
        title.setWeight(QFont.Weight.DemiBold)
        small.setPointSizeF(option.font.pointSizeF() * 0.85)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        p.save()
        p.setPen(option.palette.color(role))
        p.setFont(title)
        top = rect.top() + 4
        p.drawText(QRect(text_x, top, width, 18), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                   QFontMetrics(title).elidedText(spec.label, Qt.TextElideMode.ElideRight, width))
        p.setFont(small)
        p.setPen(option.palette.color(role if selected else QPalette.ColorRole.PlaceholderText))
        line_h = QFontMetrics(small).height()
        for i, line in enumerate(_wrapped(spec.description, small, width, 2)):
            p.drawText(QRect(text_x, top + 18 + i * line_h, width, line_h), Qt.AlignmentFlag.AlignLeft, line)
        p.restore()


class Palette(QTreeWidget):
    add_requested = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setHeaderHidden(True)
        self.setIconSize(QSize(32, 32))
        self.setRootIsDecorated(False)
        self.setIndentation(0)
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.entries: dict[str, QTreeWidgetItem] = {}
        self.setItemDelegate(EntryDelegate(self))
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
