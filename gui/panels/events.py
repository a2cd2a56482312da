"""The Events view: the traced requests and messages in a table (time, origin, kind, status,
latency, reason), filterable by node, status and kind, like Packet Tracer's event list. A click
asks for the trace to be opened (and the timeline to jump to its moment)."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel, QTableView,
                               QVBoxLayout, QWidget)

from gui import theme
from gui.panels.activity import RowsModel, clock_text
from gui.panels.trace_view import status_tone

COLUMNS = ("Time", "Origin", "Kind", "Status", "Latency", "Reason")
COLUMN_WIDTHS = (64, 90, 70, 90, 76)   # all but the last (the reason stretches)
MAX_ROWS = 1000
ANY = None


def trace_nodes(trace: dict[str, Any]) -> set[str]:
    nodes = {trace.get("origin", "")}
    nodes.update(h.get("node", "") for h in trace.get("hops", []))
    nodes.update(h["instance"] for h in trace.get("hops", []) if h.get("instance"))
    return nodes


class EventsModel(RowsModel):
    columns = COLUMNS

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[dict[str, Any]] = []
        self.index_of: dict[str, int] = {}
        self.names: dict[str, str] = {}

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        t = self.rows[index.row()]
        col, status = index.column(), t.get("outcome", {}).get("status", "")
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return clock_text(t.get("t0_s", 0.0))
            if col == 1:
                return self.names.get(t.get("origin", ""), t.get("origin", ""))
            if col == 2:
                return t.get("kind", "")
            if col == 3:
                return status
            if col == 4:
                return "" if t.get("end_s") is None else f"{1000 * (t['end_s'] - t['t0_s']):.1f} ms"
            return t.get("outcome", {}).get("reason", "")
        if role == Qt.ItemDataRole.ForegroundRole and col == 3:
            return QColor(theme.current().color(status_tone(status)))
        if role == Qt.ItemDataRole.ToolTipRole and col == 5:
            return t.get("outcome", {}).get("reason", "")
        return None

    def put(self, traces: list[dict[str, Any]]) -> None:
        """Add new traces, replace the rows of those seen before (a trace filling in)."""
        new = []
        for t in traces:
            i = self.index_of.get(t["id"])
            if i is not None:
                self.rows[i] = t
                self.dataChanged.emit(self.index(i, 0), self.index(i, len(COLUMNS) - 1))
            elif t["id"] not in {n["id"] for n in new}:
                new.append(t)
        if new:
            self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows) + len(new) - 1)
            for t in new:
                self.index_of[t["id"]] = len(self.rows)
                self.rows.append(t)
            self.endInsertRows()
        if len(self.rows) > MAX_ROWS:
            self.beginResetModel()
            self.rows = self.rows[-MAX_ROWS // 2:]
            self.index_of = {t["id"]: i for i, t in enumerate(self.rows)}
            self.endResetModel()

    def clear(self) -> None:
        self.beginResetModel()
        self.rows, self.index_of = [], {}
        self.endResetModel()


class EventsFilter(QSortFilterProxyModel):
    def __init__(self) -> None:
        super().__init__()
        self.node = self.status = self.kind = ANY

    def set_filter(self, node: str | None, status: str | None, kind: str | None) -> None:
        if not hasattr(self, "beginFilterChange"):   # Qt before 6.9
            self.node, self.status, self.kind = node, status, kind
            self.invalidateFilter()
            return
        self.beginFilterChange()
        self.node, self.status, self.kind = node, status, kind
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Any) -> bool:
        t = self.sourceModel().rows[source_row]
        status = t.get("outcome", {}).get("status", "")
        if self.status == "errors":
            ok = status not in ("200", "deleted", "in_flight")
        else:
            ok = self.status is ANY or status == self.status
        return (ok and (self.kind is ANY or t.get("kind") == self.kind)
                and (self.node is ANY or self.node in trace_nodes(t)))


class EventsView(QWidget):
    trace_clicked = Signal(str)    # a trace id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model, self.proxy = EventsModel(), EventsFilter()
        self.proxy.setSourceModel(self.model)
        self.node_box, self.status_box, self.kind_box = QComboBox(), QComboBox(), QComboBox()
        self.node_box.addItem("All nodes", ANY)
        self.status_box.addItem("All outcomes", ANY)
        self.status_box.addItem("Errors only", "errors")
        self.kind_box.addItem("Requests and messages", ANY)
        self.kind_box.addItem("Requests", "request")
        self.kind_box.addItem("Messages", "message")
        self._statuses: set[str] = set()
        for box in (self.node_box, self.status_box, self.kind_box):
            box.currentIndexChanged.connect(self._filter_changed)
        self.table = self._make_table()
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Show"))
        for box in (self.node_box, self.status_box, self.kind_box):
            bar.addWidget(box)
        bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 0, 10, 8)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)

    def set_nodes(self, names: dict[str, str]) -> None:
        self.model.names = dict(names)
        chosen = self.node_box.currentData()
        self.node_box.blockSignals(True)
        self.node_box.clear()
        self.node_box.addItem("All nodes", ANY)
        for node_id, name in names.items():
            self.node_box.addItem(name, node_id)
        self.node_box.setCurrentIndex(max(0, self.node_box.findData(chosen)))
        self.node_box.blockSignals(False)

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
        # Fixed widths: fitting columns to their contents measures every row on every insert.
        for col, width in enumerate(COLUMN_WIDTHS):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(col, width)
        header.setStretchLastSection(True)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft)
        table.clicked.connect(self._clicked)
        return table

    def _filter_changed(self) -> None:
        self.proxy.set_filter(self.node_box.currentData(), self.status_box.currentData(), self.kind_box.currentData())

    def put(self, traces: list[dict[str, Any]]) -> None:
        if not traces:
            return
        bar = self.table.verticalScrollBar()
        at_end = bar.value() >= bar.maximum() - 2
        self.model.put(traces)
        for t in traces:
            status = t.get("outcome", {}).get("status", "")
            if status and status not in self._statuses and status != "in_flight":
                self._statuses.add(status)
                self.status_box.addItem(status, status)
        if at_end:
            self.table.scrollToBottom()

    def clear(self) -> None:
        self.model.clear()

    def _clicked(self, index: QModelIndex) -> None:
        self.trace_clicked.emit(self.model.rows[self.proxy.mapToSource(index).row()]["id"])
