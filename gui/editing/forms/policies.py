"""Scaling policies as a list of forms: target tracking, step (its ranges as rows), simple and
scheduled, each with its fields, units and AWS's ranges (engine.policies checks the whole list).
"Edit as JSON" shows the same list as text; switching back reads the text into the forms again,
so both views always hold the same policies.
"""
from __future__ import annotations

import copy
import json
import re
from typing import Any, Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QCheckBox, QFormLayout, QFrame, QGridLayout, QHBoxLayout, QLabel, QMenu,
                               QPlainTextEdit, QPushButton, QToolButton, QVBoxLayout, QWidget)

from engine.policies import TARGET_TRACKING_DEFAULTS, check_policies
from gui.editing.forms import labels
from gui.editing.forms.fields import CodeCombo, FloatField, IntField, drop_widget, number_field

NEW_POLICY = {
    "target_tracking": {"type": "target_tracking", "metric": "cpu_utilization", "target": 50.0},
    "step": {"type": "step", "metric": "cpu_utilization", "adjustment_type": "change_in_capacity",
             "steps": [{"lower": 70.0, "upper": 90.0, "adjustment": 1}, {"lower": 90.0, "adjustment": 3}]},
    "simple": {"type": "simple", "metric": "cpu_utilization", "comparison": ">", "threshold": 80.0, "adjustment": 1},
    "scheduled": {"type": "scheduled", "at_s": 600.0, "desired_capacity": 2},
}
OPTIONAL = {**TARGET_TRACKING_DEFAULTS, "evaluation_period_s": 60, "adjustment_type": "change_in_capacity"}
PERIOD = (1, 86400)
JSON_MODE = {"on": False}    # the toggle's state outlives the inspector's rebuilds


class PolicyCard(QFrame):
    """One policy's form; `value()` writes back the fields it shows over the policy it was given."""

    def __init__(self, index: int, policy: dict, on_edit: Callable[[], None], on_remove: Callable[[], None]) -> None:
        super().__init__()
        self.setObjectName("policyCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.policy, self.on_edit = copy.deepcopy(policy), on_edit
        self.fields: dict[str, Any] = {}
        box = QVBoxLayout(self)
        box.setContentsMargins(8, 6, 8, 8)
        head = QHBoxLayout()
        title = QLabel(f"{index + 1}. {labels.POLICY_KINDS[policy['type']]}")
        title.setStyleSheet("font-weight: 600;")
        head.addWidget(title, 1)
        remove = QPushButton("Remove")
        remove.setToolTip("Delete this policy")
        remove.clicked.connect(on_remove)
        head.addWidget(remove)
        box.addLayout(head)
        self.form = QFormLayout()
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)    # a narrow dock: each field under its name
        box.addLayout(self.form)
        self.steps: StepRows | None = None
        getattr(self, "_build_" + policy["type"])()

    # -- field helpers ------------------------------------------------------------------------------
    def _add(self, key: str, words: str, widget: QWidget) -> None:
        self.fields[key] = widget
        if hasattr(widget, "edited"):
            widget.edited.connect(lambda *_: self.on_edit())
        elif isinstance(widget, QCheckBox):
            widget.toggled.connect(lambda _: self.on_edit())
        self.form.addRow(words, widget)

    def _get(self, key: str) -> Any:
        return self.policy.get(key, OPTIONAL.get(key))

    def _number(self, key: str, words: str, lo: float, hi: float, unit: str = "", integer: bool = False,
                nullable: bool = False, none_text: str = "none") -> None:
        self._add(key, words, number_field(integer, self.policy.get(key, OPTIONAL.get(key)), lo, hi, unit,
                                           nullable, none_text))

    def _metric(self) -> None:
        combo = MetricCombo(self._get("metric"))
        self._add("metric", "Metric", combo)

    def _period(self) -> None:
        self._number("evaluation_period_s", "Evaluation period", *PERIOD, "s")

    def _metric_unit(self) -> str:
        return labels.METRIC_UNITS[self._get("metric")]

    # -- one builder per policy type --------------------------------------------------------------------
    def _build_target_tracking(self) -> None:
        self._metric()
        self._number("target", "Keep the metric at", 0.001, 1e9, self._metric_unit())
        self.fields["metric"].follow(self.fields["target"])
        never = QCheckBox("Never scale in")
        never.setChecked(bool(self._get("disable_scale_in")))
        self._add("disable_scale_in", "", never)
        self._period()
        self._number("scale_out_datapoints", "Scale out after", 1, 1000, "periods above", integer=True)
        self._number("scale_in_datapoints", "Scale in after", 1, 1000, "periods below", integer=True)

    def _build_step(self) -> None:
        self._metric()
        adjustment = CodeCombo(labels.ADJUSTMENTS, self._get("adjustment_type"))
        self._add("adjustment_type", "Adjustment", adjustment)
        self._period()
        self.steps = StepRows(self.policy["steps"], self._get("adjustment_type"), self._metric_unit(), self.on_edit)
        self.form.addRow(self.steps)
        adjustment.currentIndexChanged.connect(lambda _: self.steps.set_adjustment_type(adjustment.code()))
        self.fields["metric"].currentIndexChanged.connect(
            lambda _: self.steps.set_metric_unit(labels.METRIC_UNITS[self.fields["metric"].code()]))

    def _build_simple(self) -> None:
        self._metric()
        self._add("comparison", "When the metric is", CodeCombo(labels.COMPARISONS, self._get("comparison")))
        self._number("threshold", "Threshold", -1e9, 1e9, self._metric_unit())
        self.fields["metric"].follow(self.fields["threshold"])
        self._number("adjustment", "Add (negative: remove)", -10000, 10000, "instances", integer=True)
        self._period()

    def _build_scheduled(self) -> None:
        self._number("at_s", "At", 0, 1e9, "s")
        for key in ("min_size", "max_size", "desired_capacity"):
            self._number(key, "Set " + labels.words(key).lower() + " to", 0, 1000, integer=True, nullable=True,
                         none_text="unchanged")

    # -- reading ----------------------------------------------------------------------------------------
    def value(self) -> dict:
        out = copy.deepcopy(self.policy)
        for key, widget in self.fields.items():
            v = _read(widget)
            if v is None or (key in OPTIONAL and key not in self.policy and v == OPTIONAL[key]):
                out.pop(key, None)
            else:
                out[key] = v
        if self.steps is not None:
            out["steps"] = self.steps.value()
        return out


def _read(widget: QWidget) -> Any:
    if isinstance(widget, QCheckBox):
        return widget.isChecked()
    if isinstance(widget, CodeCombo):
        return widget.code()
    return widget.value_or_none()


class MetricCombo(CodeCombo):
    def __init__(self, metric: str) -> None:
        super().__init__(labels.METRICS, metric)

    def follow(self, field: IntField | FloatField) -> None:
        """A number measured in this metric shows its unit."""
        self.currentIndexChanged.connect(lambda _: field.setSuffix(" " + labels.METRIC_UNITS[self.code()]))


class StepRows(QWidget):
    """Step adjustments as rows: from, to (blank ends: no bound) and the adjustment."""

    def __init__(self, steps: list[dict], adjustment_type: str, unit: str, on_edit: Callable[[], None]) -> None:
        super().__init__()
        self.steps, self.adjustment_type, self.unit, self.on_edit = copy.deepcopy(steps), adjustment_type, unit, on_edit
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setHorizontalSpacing(4)
        self._build()

    def _build(self) -> None:
        while self.grid.count():
            drop_widget(self.grid.takeAt(0).widget())
        by = {"change_in_capacity": "Instances ±", "exact_capacity": "Capacity",
              "percent_change_in_capacity": "Percent ±"}[self.adjustment_type]
        for col, head in enumerate(("Metric from", "to", by)):
            self.grid.addWidget(QLabel(head), 0, col)
        self.rows: list[tuple[FloatField, FloatField, IntField | FloatField]] = []
        for i, step in enumerate(self.steps, start=1):
            row = (number_field(False, step.get("lower"), -1e9, 1e9, self.unit, True, "−∞"),
                   number_field(False, step.get("upper"), -1e9, 1e9, self.unit, True, "+∞"),
                   number_field(self.adjustment_type != "percent_change_in_capacity", step["adjustment"], -10000,
                                10000))
            row[0].setToolTip("The metric value where this step starts; −∞: no lower bound (the lowest step)")
            row[1].setToolTip("The metric value where this step ends; +∞: no upper bound (the highest step)")
            for col, field in enumerate(row):
                field.edited.connect(self.on_edit)
                self.grid.addWidget(field, i, col)
            remove = QToolButton()
            remove.setText("✕")
            remove.setToolTip("Remove this step")
            remove.clicked.connect(lambda _=False, k=i - 1: self._remove(k))
            self.grid.addWidget(remove, i, 3)
            self.rows.append(row)
        add = QPushButton("Add a step above")
        add.setToolTip("A new highest step; the step that had no upper bound ends where it starts")
        add.clicked.connect(self._add)
        self.grid.addWidget(add, len(self.steps) + 1, 0, 1, 3)

    def value(self) -> list[dict]:
        out = []
        for lower, upper, adjustment in self.rows:
            step = {"adjustment": adjustment.value()}
            for name, field in (("lower", lower), ("upper", upper)):
                if field.value_or_none() is not None:
                    step[name] = field.value_or_none()
            out.append(step)
        return out

    def _add(self) -> None:
        self.steps = self.value()
        top = max(self.steps, key=lambda s: s.get("lower", -1e18), default=None)
        start = 0.0
        if top is not None:
            start = top.get("upper", top.get("lower", 0.0) + 10.0)
            top["upper"] = start
        self.steps.append({"lower": start, "adjustment": 1})
        self._build()
        self.on_edit()

    def _remove(self, index: int) -> None:
        self.steps = self.value()
        del self.steps[index]
        self._build()
        self.on_edit()

    def set_adjustment_type(self, adjustment_type: str) -> None:
        self.steps, self.adjustment_type = self.value(), adjustment_type
        self._build()

    def set_metric_unit(self, unit: str) -> None:
        self.steps, self.unit = self.value(), unit
        self._build()


class PoliciesEditor(QWidget):
    """The list of policies: a card each, an Add menu, and the Edit as JSON switch."""

    edited = Signal()
    refused = Signal(str)
    typing = Signal()      # the JSON text changed: check it as it is typed

    def __init__(self, policies: list[dict]) -> None:
        super().__init__()
        self.policies = copy.deepcopy(policies)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        self.add_button = QToolButton()
        self.add_button.setText("Add a policy")
        self.add_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.add_button)
        for kind, words in labels.POLICY_KINDS.items():
            menu.addAction(words, lambda k=kind: self.add(k))
        self.add_button.setMenu(menu)
        bar.addWidget(self.add_button)
        bar.addStretch(1)
        self.as_json = QCheckBox("Edit as JSON")
        self.as_json.setToolTip("The same policies as text, as the file holds them")
        bar.addWidget(self.as_json)
        box.addLayout(bar)
        self.cards_host = QWidget()
        self.cards = QVBoxLayout(self.cards_host)
        self.cards.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.cards_host)
        self.text = QPlainTextEdit()
        self.text.setMinimumHeight(160)
        self.text.textChanged.connect(self.typing)
        self.text.focusOutEvent = self._text_left
        box.addWidget(self.text)
        self.card_list: list[PolicyCard] = []
        self._build_cards()
        if JSON_MODE["on"]:
            self.text.setPlainText(json.dumps(self._cards_value(), indent=1))
        self.as_json.setChecked(JSON_MODE["on"])
        self._show_mode(JSON_MODE["on"])
        self.as_json.toggled.connect(self._toggle)

    def _build_cards(self) -> None:
        while self.cards.count():
            drop_widget(self.cards.takeAt(0).widget())
        self.card_list = [PolicyCard(i, p, self.edited.emit, lambda k=i: self.remove(k))
                          for i, p in enumerate(self.policies)]
        for card in self.card_list:
            self.cards.addWidget(card)
        if not self.card_list:
            empty = QLabel("No scaling policy: the group keeps its desired capacity.")
            empty.setWordWrap(True)
            self.cards.addWidget(empty)

    def _show_mode(self, as_json: bool) -> None:
        self.text.setVisible(as_json)
        self.cards_host.setVisible(not as_json)
        self.add_button.setEnabled(not as_json)

    def _toggle(self, as_json: bool) -> None:
        if as_json:
            self.text.setPlainText(json.dumps(self._cards_value(), indent=1))
        else:
            try:
                parsed = json.loads(self.text.toPlainText() or "[]")
                check_policies(parsed)
            except ValueError as e:   # JSONDecodeError and PropError: stay with the text until it reads
                self.as_json.blockSignals(True)
                self.as_json.setChecked(True)
                self.as_json.blockSignals(False)
                self.refused.emit(f"The text is not a valid policy list yet, so the forms cannot show it: {e}")
                return
            self.policies = parsed
            self._build_cards()
        JSON_MODE["on"] = as_json
        self._show_mode(as_json)

    def _text_left(self, event: Any) -> None:
        QPlainTextEdit.focusOutEvent(self.text, event)
        self.edited.emit()

    def value(self) -> Any:
        if self.as_json.isChecked():
            text = self.text.toPlainText().strip()
            return json.loads(text) if text else []
        return self._cards_value()

    def _cards_value(self) -> list[dict]:
        return [card.value() for card in self.card_list]

    def add(self, kind: str) -> None:
        self.policies = self.value() + [copy.deepcopy(NEW_POLICY[kind])]
        self._build_cards()
        self.edited.emit()

    def remove(self, index: int) -> None:
        self.policies = self.value()
        del self.policies[index]
        self._build_cards()
        self.edited.emit()


def where_words(subpath: str) -> str:
    """'[1].steps[0].lower' -> 'policy 2, step 1, lower'."""
    text = re.sub(r"^\[(\d+)\]", lambda m: f"policy {int(m.group(1)) + 1}", subpath.lstrip("."))
    text = re.sub(r"\.steps\[(\d+)\]", lambda m: f", step {int(m.group(1)) + 1}", text)
    return text.replace(".", ", ")

