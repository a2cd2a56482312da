"""Message attribute generators as a small form: each attribute a name and either values drawn
with weights (a row each) or a number drawn uniformly between two bounds (FORMAT.md 1.1)."""
from __future__ import annotations

import copy
import math
from typing import Any, Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QFrame, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QToolButton,
                               QVBoxLayout, QWidget)

from gui.editing.forms.fields import CodeCombo, FloatField, drop_widget

KINDS = {"values": "Values with weights", "uniform": "A number between"}
NEW_ATTRIBUTE = {"values": ["a", "b"], "weights": [1.0, 1.0]}


def _typed(text: str) -> Any:
    """A value as typed: a number when it reads as one (sent as a Number attribute), else a string."""
    try:
        x = float(text)
    except ValueError:
        return text
    if not math.isfinite(x):
        return text
    return int(x) if x.is_integer() and "." not in text and "e" not in text.lower() else x


def _shown(value: Any) -> str:
    return value if isinstance(value, str) else f"{value:g}" if isinstance(value, float) else str(value)


class AttributeCard(QFrame):
    def __init__(self, name: str, generator: dict, on_edit: Callable[[], None], on_remove: Callable[[], None]) -> None:
        super().__init__()
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.on_edit, self.generator = on_edit, copy.deepcopy(generator)
        box = QVBoxLayout(self)
        box.setContentsMargins(8, 6, 8, 8)
        head = QHBoxLayout()
        self.name = QLineEdit(name)
        self.name.setPlaceholderText("attribute name, e.g. event_type")
        self.name.editingFinished.connect(self._name_done)
        self._last_name = name
        head.addWidget(self.name, 1)
        remove = QPushButton("Remove")
        remove.clicked.connect(on_remove)
        head.addWidget(remove)
        box.addLayout(head)
        self.kind = CodeCombo(KINDS, "uniform" if "uniform" in generator else "values")
        self.kind.currentIndexChanged.connect(self._kind_changed)
        box.addWidget(self.kind)
        self.body = QWidget()
        self.grid = QGridLayout(self.body)
        self.grid.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.body)
        self._build()

    def _name_done(self) -> None:
        if self.name.text().strip() != self._last_name:
            self._last_name = self.name.text().strip()
            self.on_edit()

    def _kind_changed(self) -> None:
        self.generator = {"uniform": [0.0, 100.0]} if self.kind.code() == "uniform" else copy.deepcopy(NEW_ATTRIBUTE)
        self._build()
        self.on_edit()

    def _build(self) -> None:
        while self.grid.count():
            drop_widget(self.grid.takeAt(0).widget())
        self.rows: list[tuple[QLineEdit, FloatField]] = []
        if "uniform" in self.generator:
            lo, hi = self.generator["uniform"]
            self.low, self.high = FloatField(lo, -1e9, 1e9), FloatField(hi, -1e9, 1e9)
            for col, (words, field) in enumerate((("from", self.low), ("to", self.high))):
                field.edited.connect(self.on_edit)
                self.grid.addWidget(QLabel(words), 0, col * 2)
                self.grid.addWidget(field, 0, col * 2 + 1)
            return
        self.grid.addWidget(QLabel("Value"), 0, 0)
        self.grid.addWidget(QLabel("Weight"), 0, 1)
        weights = self.generator.get("weights", [1.0] * len(self.generator["values"]))
        for i, (value, weight) in enumerate(zip(self.generator["values"], weights), start=1):
            text, w = QLineEdit(_shown(value)), FloatField(weight, 0, 1e9)
            text.editingFinished.connect(self.on_edit)
            w.edited.connect(self.on_edit)
            remove = QToolButton()
            remove.setText("✕")
            remove.setToolTip("Remove this value")
            remove.clicked.connect(lambda _=False, k=i - 1: self._remove(k))
            for col, widget in enumerate((text, w, remove)):
                self.grid.addWidget(widget, i, col)
            self.rows.append((text, w))
        add = QPushButton("Add a value")
        add.clicked.connect(self._add)
        self.grid.addWidget(add, len(self.rows) + 1, 0, 1, 2)

    def _add(self) -> None:
        self.generator = self.value()
        self.generator["values"].append(f"value{len(self.generator['values']) + 1}")
        self.generator["weights"].append(1.0)
        self._build()
        self.on_edit()

    def _remove(self, index: int) -> None:
        self.generator = self.value()
        del self.generator["values"][index]
        del self.generator["weights"][index]
        self._build()
        self.on_edit()

    def value(self) -> dict:
        if "uniform" in self.generator:
            return {"uniform": [self.low.value(), self.high.value()]}
        return {"values": [_typed(t.text()) for t, _ in self.rows], "weights": [w.value() for _, w in self.rows]}


class AttributesForm(QWidget):
    edited = Signal()
    refused = Signal(str)

    def __init__(self, value: dict | None) -> None:
        super().__init__()
        self.attributes = copy.deepcopy(value or {})
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        self.cards_box = QVBoxLayout()
        box.addLayout(self.cards_box)
        add = QPushButton("Add an attribute")
        add.setToolTip("Each message gets this attribute, drawn anew for every message")
        add.clicked.connect(self.add)
        box.addWidget(add)
        self._build()

    def _build(self) -> None:
        while self.cards_box.count():
            drop_widget(self.cards_box.takeAt(0).widget())
        self.cards = [AttributeCard(name, gen, self.edited.emit, lambda k=i: self.remove(k))
                      for i, (name, gen) in enumerate(self.attributes.items())]
        for card in self.cards:
            self.cards_box.addWidget(card)
        if not self.cards:
            self.cards_box.addWidget(QLabel("None: messages carry no attributes."))

    def value(self) -> dict | None:
        out = {card.name.text().strip(): card.value() for card in self.cards}
        return out or None

    def add(self) -> None:
        self.attributes = self.value() or {}
        name = "event_type" if "event_type" not in self.attributes else f"attribute{len(self.attributes) + 1}"
        self.attributes[name] = copy.deepcopy(NEW_ATTRIBUTE)
        self._build()
        self.edited.emit()

    def remove(self, index: int) -> None:
        self.attributes = {card.name.text().strip(): card.value() for i, card in enumerate(self.cards) if i != index}
        self._build()
        self.edited.emit()

