"""Small forms for the props that are JSON objects in the file: a traffic pattern, a distribution
spec, a load balancer's health check, a group's instance template, and the dead-letter queue picked
from the topology's queues by name.

Each form has `edited` (the user changed something; read `value()`) and, for its number boxes,
`refused(text)` (a number out of range, with the range). Ranges come from engine.propcheck, the
checks the file loader applies.
"""
from __future__ import annotations

import copy
from typing import Any, Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QLabel, QWidget

from engine import propcheck, registry
from engine.model import Document
from gui.editing.forms import labels
from gui.editing.forms.fields import CodeCombo, FloatField, IntField, number_field

# (words, unit) of each field of a pattern, a distribution and a health check
FIELD_WORDS = {
    "period_s": ("Period", "s"), "amplitude": ("Swing (share of the rate, 0–1)", ""),
    "to_rps": ("Rate at the end", "req/s"), "over_s": ("Over", "s"), "at_s": ("Starts at", "s"),
    "duration_s": ("Lasts", "s"), "factor": ("Rate times", "×"),
    "mean": ("Mean", "s"), "value": ("Value", "s"), "low": ("From", "s"), "high": ("To", "s"),
    "cv": ("Variation (standard deviation ÷ mean)", ""),
    "interval_s": ("Probe every", "s"), "timeout_s": ("Probe timeout", "s"),
    "healthy_threshold": ("Passed probes to become healthy", "probes"),
    "unhealthy_threshold": ("Failed probes to become unhealthy", "probes"),
}
STARTING = {"period_s": 600.0, "amplitude": 0.5, "to_rps": 100.0, "over_s": 600.0, "at_s": 60.0, "duration_s": 60.0,
            "factor": 5.0, "mean": 0.1, "value": 0.1, "low": 0.05, "high": 0.2, "cv": 0.5}


def _form(parent: QWidget, wrap: QFormLayout.RowWrapPolicy = QFormLayout.RowWrapPolicy.WrapLongRows) -> QFormLayout:
    form = QFormLayout(parent)
    form.setContentsMargins(8, 2, 0, 2)
    form.setRowWrapPolicy(wrap)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    return form


class VariantForm(QWidget):
    """A kind chosen from a list and the number fields of that kind: `{key: kind, field: number, ...}`.
    Without a key, one kind whose fields all show (a health check)."""

    edited = Signal()
    refused = Signal(str)

    def __init__(self, key: str | None, kinds: dict[str, dict[str, tuple[float, float, bool]]],
                 kind_words: dict[str, str], value: dict, unit: str = "") -> None:
        super().__init__()
        self.key, self.kinds = key, kinds
        form = _form(self)
        self.kind = CodeCombo(kind_words, value.get(key) if key else None)
        if key:
            form.addRow("Kind", self.kind)
            self.kind.currentIndexChanged.connect(self._kind_changed)
        self.fields: dict[str, IntField | FloatField] = {}
        self._form = form
        for name in dict.fromkeys(f for fields in kinds.values() for f in fields):
            lo, hi, integer = next(fields[name] for fields in kinds.values() if name in fields)
            words, field_unit = FIELD_WORDS.get(name, (labels.words(name), ""))
            field = number_field(integer, value.get(name, STARTING.get(name, lo)), lo, hi, field_unit or unit)
            field.edited.connect(self.edited)
            field.refused.connect(self.refused)
            self.fields[name] = field
            form.addRow(words, field)
        self._show_fields()

    def current_kind(self) -> str:
        return self.kind.code() if self.key else next(iter(self.kinds))

    def _show_fields(self) -> None:
        wanted = self.kinds[self.current_kind()]
        for name, field in self.fields.items():
            self._form.setRowVisible(field, name in wanted)

    def _kind_changed(self) -> None:
        self._show_fields()
        self.edited.emit()

    def value(self) -> dict:
        out: dict[str, Any] = {self.key: self.current_kind()} if self.key else {}
        out.update({name: self.fields[name].value() for name in self.kinds[self.current_kind()]})
        return out


def pattern_form(value: dict) -> VariantForm:
    kinds = {k: {f: (lo, hi, False) for f, (lo, hi) in fields.items()} for k, fields in propcheck.PATTERN_FIELDS.items()}
    return VariantForm("type", kinds, labels.PATTERNS, value)


def distribution_form(value: dict, unit: str = "s") -> VariantForm:
    lo, hi = propcheck.DIST_LIMITS
    kinds = {k: {f: (lo, hi, False) for f in fields} for k, fields in propcheck.DIST_FIELDS.items()}
    form = VariantForm("dist", kinds, labels.DISTRIBUTIONS, value, unit)
    form.fields["cv"].setSuffix("")
    return form


def health_check_form(value: dict) -> VariantForm:
    fields = {f: (lo, hi, integer) for f, (lo, hi, integer) in propcheck.HEALTH_CHECK_LIMITS.items()}
    return VariantForm(None, {"health_check": fields}, {}, {**propcheck.HEALTH_CHECK_DEFAULT, **value})


EditorFactory = Callable[[registry.PropSpec, Any, bool], QWidget]


class TemplateForm(QWidget):
    """A group's launch template: each EC2 instance prop with its own editor, showing the default
    until it is set; the value holds only the props set."""

    edited = Signal()
    refused = Signal(str)

    def __init__(self, value: dict, make_editor: EditorFactory) -> None:
        super().__init__()
        self.template = copy.deepcopy(value)
        form = _form(self, QFormLayout.RowWrapPolicy.WrapAllRows)    # a narrow dock: each field under its name
        for spec in registry.KINDS["ec2_instance"].props:
            editor = make_editor(spec, spec.default if spec.name not in value else value[spec.name], spec.name in value)
            editor.changed.connect(lambda v, name=spec.name: self._child_changed(name, v))
            title = QLabel(labels.label(spec))
            title.setToolTip(spec.help)
            form.addRow(title, editor)

    def _child_changed(self, name: str, value: Any) -> None:
        if value is None:
            self.template.pop(name, None)
        else:
            self.template[name] = value
        self.edited.emit()

    def value(self) -> dict:
        return copy.deepcopy(self.template)


class QueuePicker(CodeCombo):
    """The dead-letter queue: one of the topology's SQS queues, by name (the file keeps its id)."""

    def __init__(self, doc: Document | None, current: str | None) -> None:
        queues = {None: "None: drop what runs out of tries"}
        if doc is not None:
            queues.update({n.id: n.name for n in doc.nodes.values() if n.kind == "sqs_queue"})
        if current is not None and current not in queues:
            queues[current] = f"{current} (not a queue here)"
        super().__init__(queues, current)

    def value(self) -> str | None:
        return self.code()

