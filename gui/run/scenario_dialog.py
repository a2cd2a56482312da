"""A small editor for one scenario action: its time and the fields its kind has (FORMAT.md 1.3).

The dialog checks its result with the file loader before it closes, so what it returns can be
saved; a refusal is shown under the fields and the dialog stays open.
"""
from __future__ import annotations

import copy
import json
from typing import Any, Callable

from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox, QFormLayout, QLabel, QLineEdit,
                               QSpinBox, QWidget)

from engine.model import Document
from gui import theme
from gui.run import scenario_actions as sa

TITLES = {"caption": "Caption", "pause": "Pause cue", "fail": "Failure", "recover": "Recovery", "set": "Setting"}


def seconds_box(value: float, top: float, special: str = "") -> QDoubleSpinBox:
    """Seconds with one decimal; with `special`, 0 reads as that word (e.g. 'for good')."""
    box = QDoubleSpinBox()
    box.setRange(0.0, max(top, value))
    box.setDecimals(1)
    box.setSuffix(" s")
    box.setValue(value)
    if special:
        box.setSpecialValueText(special)
    return box


class ActionDialog(QDialog):
    """Edit a copy of one action; `result_action()` is the edited copy once accepted."""

    def __init__(self, parent: QWidget | None, doc: Document, act: dict[str, Any],
                 check: Callable[[dict[str, Any]], str | None]) -> None:
        super().__init__(parent)
        self.doc, self.act, self.check = doc, copy.deepcopy(act), check
        self.setWindowTitle(f"{TITLES.get(act['action'], 'Scenario action')} at {sa.clock(act['at_s'])}")
        self.setMinimumWidth(460)
        self.form = QFormLayout(self)
        self.at = seconds_box(act["at_s"], doc.duration_s)
        self.form.addRow("At", self.at)
        self.readers: list[Callable[[dict[str, Any]], None]] = []
        getattr(self, f"_{act['action']}_fields")()
        self.refusal = QLabel("")
        self.refusal.setWordWrap(True)
        self.refusal.setStyleSheet(f"color: {theme.current().unhealthy};")
        self.form.addRow(self.refusal)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.form.addRow(buttons)

    # -- fields per kind ------------------------------------------------------------------------------
    def _text_field(self, label: str) -> None:
        self.text = QLineEdit(self.act.get("text", ""))
        self.text.setPlaceholderText("Shown to the audience")
        self.form.addRow(label, self.text)
        self.readers.append(lambda a: a.__setitem__("text", self.text.text()) if self.text.text() else a.pop("text", None))

    def _caption_fields(self) -> None:
        self._text_field("Text")
        self.duration = seconds_box(self.act.get("duration_s", 0.0), 3600.0, "default (12 s)")
        self.form.addRow("Shown for", self.duration)
        self.readers.append(lambda a: self._optional(a, "duration_s", self.duration.value()))

    def _pause_fields(self) -> None:
        self._text_field("Text")

    def _target_field(self, ids: list[str]) -> None:
        self.target = QComboBox()
        for node_id in ids:
            self.target.addItem(self.doc.nodes[node_id].name, node_id)
        self.target.setCurrentIndex(max(0, self.target.findData(self.act.get("target"))))
        self.form.addRow("Component", self.target)
        self.readers.append(lambda a: a.__setitem__("target", self.target.currentData()))

    def _fail_fields(self) -> None:
        self._target_field(sa.failable_nodes(self.doc))
        self.mode = QComboBox()
        self.mode.addItems(list(sa.FAIL_MODES))
        self.mode.setCurrentText(self.act.get("mode", "crash"))
        self.form.addRow("Mode", self.mode)
        self.count = QSpinBox()
        self.count.setRange(1, 1000)
        self.count.setValue(int(self.act.get("count", 1)))
        self.form.addRow("Instances", self.count)
        self.factor = QDoubleSpinBox()
        self.factor.setRange(0.0, 1000.0)
        self.factor.setDecimals(2)
        self.factor.setValue(float(self.act.get("factor", sa.SLOW_FACTOR)))
        self.factor.setToolTip("slow: service time × factor; error: the share of requests that fail (0–1)")
        self.form.addRow("Factor", self.factor)
        self.lasts = seconds_box(self.act.get("duration_s", 0.0), 1e6, "for good")
        self.form.addRow("Lasts", self.lasts)
        self.readers.append(self._read_failure)

    def _read_failure(self, a: dict[str, Any]) -> None:
        a["mode"], a["count"] = self.mode.currentText(), self.count.value()
        a.pop("factor", None)
        if a["mode"] in ("slow", "error"):
            a["factor"] = self.factor.value()
        self._optional(a, "duration_s", self.lasts.value())

    def _recover_fields(self) -> None:
        self._target_field(sa.failable_nodes(self.doc))

    def _set_fields(self) -> None:
        target = self.act.get("target", "")
        owner = self.doc.nodes[target].name if target in self.doc.nodes else target
        self.form.addRow("Component", QLabel(owner))
        self.prop = QComboBox()
        self.prop.addItems(sa.settable_props(self.doc, target) or [self.act.get("prop", "")])
        self.prop.setCurrentText(self.act.get("prop", ""))
        self.form.addRow("Setting", self.prop)
        self.value = QLineEdit(json.dumps(self.act.get("value")))
        self.value.setToolTip("A JSON value: 160, \"least_outstanding_requests\", {\"type\": \"steady\"}")
        self.form.addRow("Value", self.value)
        if target in self.doc.nodes:     # another setting: start from its value now
            node = self.doc.nodes[target]
            self.prop.currentTextChanged.connect(lambda name: self.value.setText(json.dumps(node.prop(name))))
        self.ramp = seconds_box(self.act.get("ramp_s", 0.0), 1e6, "at once")
        self.form.addRow("Over", self.ramp)
        self.readers.append(self._read_setting)

    def _read_setting(self, a: dict[str, Any]) -> None:
        a["prop"] = self.prop.currentText()
        try:
            a["value"] = json.loads(self.value.text())
        except ValueError:
            a["value"] = self.value.text()      # a bare word is the string it spells
        self._optional(a, "ramp_s", self.ramp.value())

    @staticmethod
    def _optional(a: dict[str, Any], key: str, value: float) -> None:
        if value > 0:
            a[key] = value
        else:
            a.pop(key, None)

    # -- result ----------------------------------------------------------------------------------------
    def result_action(self) -> dict[str, Any]:
        act = copy.deepcopy(self.act)
        act["at_s"] = round(self.at.value(), 1)
        for read in self.readers:
            read(act)
        return act

    def accept(self) -> None:
        why = self.check(self.result_action())
        if why:
            self.refusal.setText(why)
            return
        super().accept()
