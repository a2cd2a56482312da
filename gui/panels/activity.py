"""The activity log: what the engine did and why, filterable by node and kind; a click selects the node."""
from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import (QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel,
                            Qt, Signal)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel, QTableView, \
    QVBoxLayout, QWidget

from engine.model import Document
from gui import theme

MAX_ROWS = 5000
COLUMNS = ("Time", "Node", "What", "Why")
TONES = {"failure": "unhealthy", "unhealthy": "unhealthy", "scale_out": "healthy", "healthy": "healthy",
         "in_service": "healthy", "scale_in": "draining", "recover": "healthy", "caption": "accent",
         "pause": "accent", "spike": "warning", "set": "accent", "refused": "warning"}
ANY = None   # "every node" / "every kind"; a node of "" is the scenario itself
INSTANCE_ID = re.compile(r"([\w.-]+)/(i-\d+)\b")


def clock_text(t: float) -> str:
    t = round(max(0.0, t), 1)     # 59.97 s reads 01:00.0, not 00:60.0
    return f"{int(t) // 60:02d}:{t % 60:04.1f}"


def display_names(doc: Document) -> dict[str, str]:
    """What the log calls each node and connection: its name; a connection by its two ends."""
    names = {n.id: n.name for n in doc.nodes.values()}
    for e in doc.edges.values():
        names[e.id] = f"{names.get(e.source, e.source)} → {names.get(e.target, e.target)}"
    return names


def readable(text: str, names: dict[str, str]) -> str:
    """An engine message with instance ids ("web/i-3") as the group's name and the instance ("Web tier i-3")."""
    def name(m: re.Match) -> str:
        return f"{names[m.group(1)]} {m.group(2)}" if m.group(1) in names else m.group(0)
    return INSTANCE_ID.sub(name, text)


class RowsModel(QAbstractTableModel):
    """A table of dict rows under fixed column titles (the activity log, the events view)."""
    columns: tuple[str, ...] = ()
    rows: list[dict[str, Any]]

    def rowCount(self, parent: Any = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Any = QModelIndex()) -> int:
        return len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.columns[section]
        return None


class ActivityModel(RowsModel):
    columns = COLUMNS

    def __init__(self, doc: Document) -> None:
        super().__init__()
        self.names = display_names(doc)
        self.rows: list[dict[str, Any]] = []

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return clock_text(row.get("t_s", 0.0))
            if col == 1:
                return self.names.get(row.get("node", ""), row.get("node") or "Scenario")
            if col == 2:
                return str(row.get("kind", "")).replace("_", " ")
            return readable(row.get("text", ""), self.names)
        if role == Qt.ItemDataRole.ForegroundRole and col == 2:
            return QColor(getattr(theme.current(), TONES.get(row.get("kind", ""), "muted")))
        if role == Qt.ItemDataRole.ToolTipRole and col == 3:
            return readable(row.get("text", ""), self.names)
        return None

    def append(self, activities: list[dict[str, Any]]) -> None:
        if not activities:
            return
        overflow = len(self.rows) + len(activities) - MAX_ROWS
        if overflow > 0:
            drop = min(overflow, len(self.rows))
            self.beginRemoveRows(QModelIndex(), 0, drop - 1)
            del self.rows[:drop]
            self.endRemoveRows()
            activities = activities[-MAX_ROWS:]
        first = len(self.rows)
        self.beginInsertRows(QModelIndex(), first, first + len(activities) - 1)
        self.rows.extend(activities)
        self.endInsertRows()

    def clear(self) -> None:
        self.beginResetModel()
        self.rows = []
        self.endResetModel()


class ActivityFilter(QSortFilterProxyModel):
    def __init__(self) -> None:
        super().__init__()
        self.node: str | None = ANY
        self.kind: str | None = ANY

    def set_filter(self, node: str | None, kind: str | None) -> None:
        if not hasattr(self, "beginFilterChange"):   # Qt before 6.9
            self.node, self.kind = node, kind
            self.invalidateFilter()
            return
        self.beginFilterChange()
        self.node, self.kind = node, kind
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Any) -> bool:
        row = self.sourceModel().rows[source_row]
        return ((self.node is ANY or (row.get("node") or "") == self.node)
                and (self.kind is ANY or row.get("kind") == self.kind))


class ActivityLog(QWidget):
    node_clicked = Signal(str)
    activity_clicked = Signal(dict)   # the clicked activity's record (its evidence: gui.panels.trace_docks)

    def __init__(self, doc: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = ActivityModel(doc)
        self.proxy = ActivityFilter()
        self.proxy.setSourceModel(self.model)
        self.node_box, self.kind_box = QComboBox(), QComboBox()
        self._fill_node_box(doc)
        self.kind_box.addItem("All kinds", ANY)
        self._kinds: set[str] = set()
        for box in (self.node_box, self.kind_box):
            box.currentIndexChanged.connect(self._filter_changed)
        self.table = self._make_table()
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Show"))
        bar.addWidget(self.node_box)
        bar.addWidget(self.kind_box)
        bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 0, 10, 8)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)

    def _fill_node_box(self, doc: Document) -> None:
        self.node_box.addItem("All nodes", ANY)
        for node in doc.nodes.values():
            self.node_box.addItem(node.name, node.id)
        self.node_box.addItem("Scenario", "")

    def set_nodes(self, doc: Document) -> None:
        """Nodes were added, removed or renamed: the names and the node filter follow."""
        self.model.names = display_names(doc)
        chosen = self.node_box.currentData()
        self.node_box.blockSignals(True)
        self.node_box.clear()
        self._fill_node_box(doc)
        index = self.node_box.findData(chosen)
        self.node_box.setCurrentIndex(max(0, index))
        self.node_box.blockSignals(False)
        if index < 0:
            self._filter_changed()
        self.table.viewport().update()

    def _make_table(self) -> QTableView:
        table = QTableView()
        table.setModel(self.proxy)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setShowGrid(False)
        table.setWordWrap(False)
        table.verticalHeader().hide()
        table.verticalHeader().setDefaultSectionSize(24)
        header = table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        widest = max(table.fontMetrics().horizontalAdvance(k.replace("_", " ")) for k in TONES)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(2, widest + 24)     # every kind word whole, before its first row arrives
        header.setStretchLastSection(True)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft)
        table.clicked.connect(self._clicked)
        return table

    def _filter_changed(self) -> None:
        self.proxy.set_filter(self.node_box.currentData(), self.kind_box.currentData())

    def append(self, activities: list[dict[str, Any]]) -> None:
        if not activities:
            return
        bar = self.table.verticalScrollBar()
        at_end = bar.value() >= bar.maximum() - 2
        self.model.append(activities)
        for act in activities:
            kind = act.get("kind", "")
            if kind and kind not in self._kinds:
                self._kinds.add(kind)
                self.kind_box.addItem(kind.replace("_", " "), kind)
        if at_end:
            self.table.scrollToBottom()

    def clear(self) -> None:
        self.model.clear()

    def _clicked(self, index: QModelIndex) -> None:
        row = self.model.rows[self.proxy.mapToSource(index).row()]
        if row.get("node"):
            self.node_clicked.emit(row["node"])
        self.activity_clicked.emit(row)
