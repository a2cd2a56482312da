"""One prop's editor in the inspector: the right input for its type, a reset button, a line under
it for refusals (and, for a refusal that has one, a button that fixes it).

It commits only a value that differs from the one it was shown with: leaving a box unchanged
records nothing. A value the prop spec refuses stays where it was typed, with the reason in words.
"""
from __future__ import annotations

import json
from typing import Any, Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from engine import registry
from engine.model import Document
from engine.propcheck import PropError
from gui.editing.forms import labels, records
from gui.editing.forms.attributes import AttributesForm
from gui.editing.forms.fields import ERROR_STYLE, CodeCombo, fmt, number_field, range_text
from gui.editing.forms.filter_box import FilterPolicyEditor
from gui.editing.forms.policies import PoliciesEditor, where_words
from gui.files.storage import surrogate_path

CHOICE_WORDS = {
    "round_robin": "Round robin", "least_outstanding_requests": "Least outstanding requests",
    "random": "Random (a teaching baseline)", "weighted_random": "Weighted random", "poisson": "Random (Poisson)",
    "constant": "Evenly spaced", "EC2": "EC2 (crashed instances)", "ELB": "ELB (also failed health checks)",
    "default": "Default", "oldest_instance": "Oldest instance first", "newest_instance": "Newest instance first",
    "MessageAttributes": "Message attributes", "MessageBody": "Message body",
}


def show(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return fmt(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else str(value)


class Context:
    """What some editors need beyond their value: the document (queues to pick from) and the
    owner's other props (a filter policy's scope)."""

    def __init__(self, doc: Document | None = None, props: dict[str, Any] | None = None) -> None:
        self.doc, self.props = doc, props or {}


class PropEditor(QWidget):
    changed = Signal(object)   # a checked value, or None for 'back to the default'

    def __init__(self, spec: registry.PropSpec, value: Any, is_set: bool, context: Context | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec, self.context = spec, context or Context()
        self._shown = self._canonical(value)
        self.error = QLabel()
        self.error.setObjectName("propError")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.hide()
        self.fix = QPushButton()
        self.fix.hide()
        self._fix_action: Callable[[], None] | None = None
        self.fix.clicked.connect(lambda: self._fix_action and self._fix_action())
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        self.input, self._read = self._make_input(value)
        self.input.setToolTip(self._tooltip())
        row.addWidget(self.input, 1)
        self.reset = QPushButton("↺")
        self.reset.setFixedWidth(28)
        self.reset.setToolTip(f"Back to the default ({show(spec.default)})")
        self.reset.setEnabled(is_set)
        self.reset.clicked.connect(lambda: self.changed.emit(None))
        row.addWidget(self.reset, 0, Qt.AlignmentFlag.AlignTop)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addLayout(row)
        box.addWidget(self.error)
        box.addWidget(self.fix)

    def _tooltip(self) -> str:
        spec = self.spec
        text = f"{spec.help}\nDefault: {show(spec.default)}" + (f" {spec.unit}" if spec.unit else "")
        if spec.type in ("int", "float") and (spec.min is not None or spec.max is not None):
            text += f"\nAllowed: {range_text(spec.min, spec.max, spec.unit)}"
        return text + ("" if spec.live else "\nChanging it restarts a running simulation.")

    # -- widgets per type -------------------------------------------------------------------------
    def _make_input(self, value: Any) -> tuple[QWidget, Callable[[], Any]]:
        t, spec = self.spec.type, self.spec
        if t in ("int", "float"):
            w = number_field(t == "int", value, spec.min, spec.max, spec.unit, spec.nullable, step=spec.step)
            return self._hook(w), w.value_or_none
        if t == "choice":
            w = CodeCombo({c: CHOICE_WORDS.get(c, c) for c in spec.choices}, value)
            w.edited.connect(self._commit)
            return w, w.code
        if t == "bool":
            w = QCheckBox()
            w.setChecked(bool(value))
            w.toggled.connect(lambda _: self._commit())
            return w, w.isChecked
        form = self._form(t, value)
        if form is not None:
            return self._hook(form), form.value
        w = QLineEdit("" if value is None else str(value))
        w.editingFinished.connect(self._commit)
        return w, lambda: w.text().strip() or (None if spec.nullable else "")

    def _form(self, t: str, value: Any) -> QWidget | None:
        if t == "distribution":
            return records.distribution_form(value, self.spec.unit or "s")
        if t == "pattern":
            return records.pattern_form(value)
        if t == "health_check":
            return records.health_check_form(value)
        if t == "template":
            return records.TemplateForm(value, lambda s, v, is_set: PropEditor(s, v, is_set, self.context))
        if t == "policies":
            return PoliciesEditor(value)
        if t == "attributes":
            return AttributesForm(value)
        if t == "filter_policy":
            return FilterPolicyEditor(value, self.context.props.get("filter_policy_scope", "MessageAttributes"))
        if t == "node_ref":
            return records.QueuePicker(self.context.doc, value)
        return None

    def _hook(self, w: QWidget) -> QWidget:
        w.edited.connect(self._commit)
        if hasattr(w, "refused"):
            w.refused.connect(self._refuse)
        if hasattr(w, "typing"):
            w.typing.connect(self._checked)    # checked as it is typed, committed when left
        return w

    # -- checking -----------------------------------------------------------------------------------
    def _canonical(self, value: Any) -> Any:
        try:
            return self.spec.check(value)
        except (PropError, TypeError):
            return value

    def _checked(self) -> tuple[bool, Any]:
        try:
            value = self._read()
            self.spec.check(value)
            where = surrogate_path(value, self.spec.name)
        except json.JSONDecodeError as e:
            return self._refuse(f"Not valid JSON: {e.msg} (line {e.lineno}, column {e.colno})")
        except PropError as e:
            return self._refuse(self._words(e))
        if where:
            return self._refuse(f"{where} holds a lone surrogate (a \\ud800-\\udfff escape alone), "
                                "a broken character a file cannot hold")
        self.error.hide()
        self.fix.hide()
        return True, value

    def _words(self, e: PropError) -> str:
        where = e.subpath.lstrip(".")
        if self.spec.type == "policies" and where:
            return f"{where_words(where)[:1].upper()}{where_words(where)[1:]}: {e.message}"
        if where:
            return f"{labels.words(where.split('.')[-1])}: {e.message}"
        return f"{labels.words(self.spec.name)} {e.message}"

    def _refuse(self, text: str, fix: tuple[str, Callable[[], None]] | None = None) -> tuple[bool, Any]:
        self.error.setText(text)
        self.error.show()
        self.fix.setVisible(fix is not None)
        if fix is not None:
            self.fix.setText(fix[0])
            self._fix_action = fix[1]
        return False, None

    def _commit(self) -> None:
        ok, value = self._checked()
        if not ok:
            return
        canonical = self._canonical(value)
        if canonical == self._shown:
            return        # nothing changed: nothing to record
        self._shown = canonical
        self.changed.emit(value)
