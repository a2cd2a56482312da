"""The inspector: a form generated from the registry's prop specs for the selected node or edge.

It never writes the model. Each accepted change is emitted as `edited(owner_id, prop, value)`
(value None = back to the default) for the window to push as an undo command. A value the prop
spec refuses is shown in place with the reason and goes nowhere.
"""
from __future__ import annotations

import json
from typing import Any, Callable

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                               QPlainTextEdit, QPushButton, QSpinBox, QVBoxLayout, QWidget)

from engine import registry
from engine.model import Document
from engine.propcheck import PropError
from gui.files.storage import surrogate_path

JSON_TYPES = ("pattern", "health_check", "policies", "template", "attributes", "filter_policy")
DIST_FIELDS = {"exponential": ("mean",), "constant": ("value",), "uniform": ("low", "high"), "lognormal": ("mean", "cv")}


def _show(value: Any) -> str:
    return "none" if value is None else json.dumps(value) if isinstance(value, (dict, list)) else str(value)


class PropEditor(QWidget):
    """One prop's editor: the right widget for its type, a reset button, a line for refusals."""

    changed = Signal(object)   # a checked value, or None for 'back to the default'

    def __init__(self, spec: registry.PropSpec, value: Any, is_set: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self.error = QLabel()
        self.error.setObjectName("propError")
        self.error.setStyleSheet("color: #d03b3b;")
        self.error.setWordWrap(True)
        self.error.hide()
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        self.input, self._read = self._make_input(value)
        self.input.setToolTip(f"{spec.help}\nDefault: {_show(spec.default)}" + (f" {spec.unit}" if spec.unit else "")
                              + ("" if spec.live else "\nChanging it restarts a running simulation."))
        row.addWidget(self.input, 1)
        reset = QPushButton("↺")
        reset.setFixedWidth(28)
        reset.setToolTip(f"Back to the default ({_show(spec.default)})")
        reset.setEnabled(is_set)
        reset.clicked.connect(lambda: self.changed.emit(None))
        row.addWidget(reset)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addLayout(row)
        box.addWidget(self.error)

    # -- widgets per type -------------------------------------------------------------------------
    def _make_input(self, value: Any) -> tuple[QWidget, Callable[[], Any]]:
        t = self.spec.type
        if t in ("int", "float"):
            return self._number(value)
        if t == "choice":
            w = QComboBox()
            w.addItems(list(self.spec.choices))
            w.setCurrentText(value)
            w.currentTextChanged.connect(lambda _: self._commit())
            return w, w.currentText
        if t == "bool":
            w = QCheckBox()
            w.setChecked(bool(value))
            w.toggled.connect(lambda _: self._commit())
            return w, w.isChecked
        if t == "distribution":
            return self._distribution(value)
        if t in JSON_TYPES:
            return self._json(value)
        w = QLineEdit("" if value is None else str(value))
        w.editingFinished.connect(self._commit)
        return w, lambda: w.text().strip() or (None if self.spec.nullable else "")

    def _number(self, value: Any) -> tuple[QWidget, Callable[[], Any]]:
        spec = self.spec
        w: QSpinBox | QDoubleSpinBox = QSpinBox() if spec.type == "int" else QDoubleSpinBox()
        lo = spec.min if spec.min is not None else -1e9
        hi = spec.max if spec.max is not None else 1e9
        if isinstance(w, QDoubleSpinBox):
            w.setDecimals(3)
        w.setRange(int(lo) if spec.type == "int" else lo, int(min(hi, 2**31 - 1)) if spec.type == "int" else hi)
        if spec.step:
            w.setSingleStep(spec.step)
        if spec.unit:
            w.setSuffix(f" {spec.unit}")
        if spec.nullable:
            w.setSpecialValueText("none")  # the minimum shows as 'none' and means null
            w.setMinimum(w.minimum() - (1 if spec.type == "int" else 0.001))
        w.setValue(w.minimum() if value is None else value)
        w.setKeyboardTracking(False)
        w.valueChanged.connect(lambda _: self._commit())

        def read() -> Any:
            if spec.nullable and w.value() == w.minimum():
                return None
            return w.value()
        return w, read

    def _distribution(self, value: dict) -> tuple[QWidget, Callable[[], Any]]:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        kind = QComboBox()
        kind.addItems(list(DIST_FIELDS))
        kind.setCurrentText(value["dist"])
        row.addWidget(kind)
        fields: dict[str, QDoubleSpinBox] = {}
        for name in ("mean", "value", "low", "high", "cv"):
            spin = QDoubleSpinBox()
            spin.setDecimals(3)
            spin.setRange(0.0, 86400.0)
            spin.setPrefix(f"{name} ")
            spin.setValue(float(value.get(name, 0.1 if name != "high" else 0.2)))
            spin.setKeyboardTracking(False)
            spin.valueChanged.connect(lambda _: self._commit())
            fields[name] = spin
            row.addWidget(spin)

        def show_fields() -> None:
            for name, spin in fields.items():
                spin.setVisible(name in DIST_FIELDS[kind.currentText()])
        kind.currentTextChanged.connect(lambda _: (show_fields(), self._commit()))
        show_fields()
        return box, lambda: {"dist": kind.currentText(), **{f: fields[f].value() for f in DIST_FIELDS[kind.currentText()]}}

    def _json(self, value: Any) -> tuple[QWidget, Callable[[], Any]]:
        w = QPlainTextEdit(json.dumps(value, indent=1) if value is not None else "")
        w.setPlaceholderText("null" if self.spec.nullable else json.dumps(self.spec.default))
        w.setFixedHeight(84)
        w.textChanged.connect(self._validate_json)  # live validation while typing
        w.focusOutEvent = self._json_focus_out(w)
        return w, lambda: None if not w.toPlainText().strip() else json.loads(w.toPlainText())

    def _json_focus_out(self, w: QPlainTextEdit) -> Callable:
        base = QPlainTextEdit.focusOutEvent

        def handler(event: Any) -> None:
            base(w, event)
            self._commit()
        return handler

    # -- checking -----------------------------------------------------------------------------------
    def _checked(self) -> tuple[bool, Any]:
        try:
            value = self._read()
            self.spec.check(value)
            where = surrogate_path(value, self.spec.name)
        except json.JSONDecodeError as e:
            return self._refuse(f"Not valid JSON: {e.msg} (line {e.lineno}, column {e.colno})")
        except PropError as e:
            where = e.subpath.lstrip(".")
            return self._refuse(f"{self.spec.name}{'.' + where if where else ''} {e.message}")
        if where:
            return self._refuse(f"{where} holds a lone surrogate (a \\ud800-\\udfff escape alone), "
                                "a broken character a file cannot hold")
        self.error.hide()
        return True, value

    def _refuse(self, text: str) -> tuple[bool, Any]:
        self.error.setText(text)
        self.error.show()
        return False, None

    @Slot()
    def _validate_json(self) -> None:
        self._checked()

    def _commit(self) -> None:
        ok, value = self._checked()
        if ok:
            self.changed.emit(value)


class Inspector(QWidget):
    edited = Signal(str, str, object)     # owner id, prop name, value (None = default)
    renamed = Signal(str, str)            # node id, new name

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.layout_ = QVBoxLayout(self)
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
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)   # a narrow dock: each field under its name
        self.layout_.addWidget(self.form_host)
        self.layout_.addStretch(1)
        self.editors: dict[str, PropEditor] = {}
        self.owner_id: str | None = None

    def clear(self) -> None:
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
        for prop in spec.props:
            self._add_row(prop, node.prop(prop.name), prop.name in node.props)

    def show_edge(self, doc: Document, edge_id: str) -> None:
        self.clear()
        edge = doc.edges[edge_id]
        src, dst = doc.nodes[edge.source], doc.nodes[edge.target]
        conn = registry.connection(src.kind, dst.kind)
        self.owner_id = edge_id
        self.title.setText(f"{src.name} → {dst.name}")
        self.help.setText(conn.meaning[0].upper() + conn.meaning[1:] + ".")
        for prop in conn.props:
            self._add_row(prop, doc.edge_prop(edge, prop.name), prop.name in edge.props)

    def show_refusal(self, prop: str, text: str) -> None:
        """Why an edit of prop was refused, under its field, until the next edit of it."""
        editor = self.editors.get(prop)
        if editor is not None:
            editor._refuse(text)

    def _add_row(self, spec: registry.PropSpec, value: Any, is_set: bool) -> None:
        editor = PropEditor(spec, value, is_set)
        editor.changed.connect(lambda v, name=spec.name: self.edited.emit(self.owner_id, name, v))
        self.editors[spec.name] = editor
        label = QLabel(spec.name.replace("_", " "))
        label.setToolTip(spec.help)
        label.setStyleSheet("font-weight: 600;")
        self.form.addRow(label, editor)
