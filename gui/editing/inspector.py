"""The inspector: a form generated from the registry's prop specs for the selected node or edge.

It never writes the model. Each accepted change is emitted as `edited(owner_id, prop, value)`
(value None = back to the default) for the window to push as an undo command. A value the prop
spec refuses is shown in place with the reason and goes nowhere. The editors of each prop type
live in gui.editing.forms; labels are words with their unit.

Rebuilt for the same node or edge (after an undo, a refusal), it keeps the panel's scroll
position; a refusal's text is scrolled into view.
"""
from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QPoint, QTimer, Signal
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QScrollArea, QVBoxLayout, QWidget

from engine import registry
from engine.model import Document
from gui.editing.forms import labels
from gui.editing.forms.editor import Context, PropEditor

__all__ = ["Inspector", "PropEditor"]



class Inspector(QWidget):
    edited = Signal(str, str, object)     # owner id, prop name, value (None = default)
    renamed = Signal(str, str)            # node id, new name

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(8, 8, 6, 8)
        self.title = QLabel("Nothing selected")
        self.title.setObjectName("inspectorTitle")
        self.title.setStyleSheet("font-weight: 600; font-size: 14px;")
        self.title.setWordWrap(True)
        self.help = QLabel("Select a component or a connection to see and change its settings.")
        self.help.setWordWrap(True)
        self.layout_.addWidget(self.title)
        self.layout_.addWidget(self.help)
        self.form_host = QWidget()
        self.form = QFormLayout(self.form_host)
        self.form.setContentsMargins(4, 0, 0, 0)      # the dock is narrow: every pixel to the fields
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)   # a narrow dock: each field under its name
        self.layout_.addWidget(self.form_host)
        self.layout_.addStretch(1)
        self.editors: dict[str, PropEditor] = {}
        self.owner_id: str | None = None
        self._kept_scroll: tuple[str | None, int] = (None, 0)
        self._scroll_target: int | None = None     # a position to restore once the range allows it
        self._follows_range = False
        self._hold = QTimer(self)
        self._hold.setSingleShot(True)
        self._hold.setInterval(1000)
        self._hold.timeout.connect(self._stop_following)

    # -- the scroll area around the inspector (the dock's) --------------------------------------------
    def scroll_area(self) -> QScrollArea | None:
        w = self.parentWidget()
        while w is not None and not isinstance(w, QScrollArea):
            w = w.parentWidget()
        return w

    def _remember_scroll(self) -> None:
        area = self.scroll_area()
        if self._scroll_target is not None and self._kept_scroll[0] == self.owner_id:
            return      # built again before the last position was back: keep that one
        if area is not None and self.owner_id is not None:
            self._kept_scroll = (self.owner_id, area.verticalScrollBar().value())

    def _restore_scroll(self) -> None:
        """The same node or edge shown again: back to where the panel was scrolled. The new rows
        show over the next events, and the scroll bar's range shrinks and grows with them: hold the
        position through that (a second), unless the user scrolls."""
        area = self.scroll_area()
        owner, value = self._kept_scroll
        if area is None or owner != self.owner_id:
            self._scroll_target = None
            return
        bar = area.verticalScrollBar()
        if not self._follows_range:
            bar.rangeChanged.connect(lambda _lo, _hi: self._scroll_target is not None and bar.setValue(self._scroll_target))
            bar.actionTriggered.connect(self._stop_following)     # the user scrolls: leave it there
            self._follows_range = True
        self._scroll_target = value
        bar.setValue(value)
        self._hold.start()

    def _stop_following(self, *_: object) -> None:
        self._scroll_target = None

    def clear(self) -> None:
        self._remember_scroll()
        while self.form.rowCount():
            self.form.removeRow(0)
        self.editors = {}
        self.owner_id = None
        self.title.setText("Nothing selected")
        self.help.setText("Select a component or a connection to see and change its settings.")

    def show_node(self, doc: Document, node_id: str) -> None:
        self.clear()
        node = doc.nodes[node_id]
        spec = registry.KINDS[node.kind]
        self.owner_id = node_id
        self.title.setText(f"{node.name} — {spec.label}")
        self.help.setText(spec.description)
        name = QLineEdit(node.name)
        name.setObjectName("nameEdit")
        name.editingFinished.connect(lambda: name.text().strip() and name.text() != node.name
                                     and self.renamed.emit(node_id, name.text().strip()))
        label = QLabel("Name")
        label.setStyleSheet("font-weight: 600;")
        self.form.addRow(label, name)
        context = Context(doc, {p.name: node.prop(p.name) for p in spec.props})
        for prop in spec.props:
            self._add_row(prop, node.prop(prop.name), prop.name in node.props, context)
        self._restore_scroll()

    def show_edge(self, doc: Document, edge_id: str) -> None:
        self.clear()
        edge = doc.edges[edge_id]
        src, dst = doc.nodes[edge.source], doc.nodes[edge.target]
        conn = registry.connection(src.kind, dst.kind)
        self.owner_id = edge_id
        self.title.setText(f"{src.name} → {dst.name}")
        self.help.setText(conn.meaning[0].upper() + conn.meaning[1:] + ".")
        context = Context(doc, {p.name: doc.edge_prop(edge, p.name) for p in conn.props})
        for prop in conn.props:
            self._add_row(prop, doc.edge_prop(edge, prop.name), prop.name in edge.props, context)
        self._restore_scroll()

    def show_refusal(self, prop: str, text: str, fix: tuple[str, Callable[[], None]] | None = None) -> None:
        """Why an edit of prop was refused, under its field (with a button that fixes it, if given),
        scrolled into view, until the next edit of it."""
        editor = self.editors.get(prop)
        if editor is None:
            return
        editor._refuse(text, fix)
        for delay in (0, 150):      # once laid out, and again once the rebuilt rows have all shown
            QTimer.singleShot(delay, self, lambda: self._scroll_to(editor))   # dropped if the inspector goes

    def _scroll_to(self, editor: PropEditor) -> None:
        """Bring a refusal's text (and its button) into view, up and down only, never sideways."""
        area = self.scroll_area()
        if area is None or self.editors.get(editor.spec.name) is not editor:
            return
        self._scroll_target = None       # the refusal wins over the position held through the rebuild
        last = editor.fix if not editor.fix.isHidden() else editor.error
        top = editor.error.mapTo(area.widget(), QPoint(0, 0)).y()
        bottom = last.mapTo(area.widget(), QPoint(0, last.height())).y()
        area.ensureVisible(0, (top + bottom) // 2, 0, (bottom - top) // 2 + 8)

    def _add_row(self, spec: registry.PropSpec, value: Any, is_set: bool, context: Context) -> None:
        editor = PropEditor(spec, value, is_set, context)
        editor.changed.connect(lambda v, name=spec.name: self.edited.emit(self.owner_id, name, v))
        self.editors[spec.name] = editor
        label = QLabel(labels.label(spec))
        label.setStyleSheet("font-weight: 600;")
        label.setToolTip(spec.help)
        self.form.addRow(label, editor)
