"""A subscription's filter policy: JSON, as in AWS's console, checked as it is typed, with examples
from a menu and a box that tests the policy against a sample message and says why it matches or not.
"""
from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMenu, QPlainTextEdit, QToolButton, QVBoxLayout, QWidget

from engine import filter_policy

# AWS's own kinds of rule (SNS developer guide, "Filter policy examples"), one each
EXAMPLES = {
    "Exact values (either one)": {"event_type": ["order_placed", "order_cancelled"]},
    "Prefix of a string": {"customer": [{"prefix": "premium-"}]},
    "Anything but": {"event_type": [{"anything-but": ["order_cancelled"]}]},
    "Numeric range": {"amount": [{"numeric": [">=", 100, "<", 500]}]},
    "Attribute exists": {"store": [{"exists": True}]},
    "Two keys (both must match)": {"event_type": ["order_placed"], "amount": [{"numeric": [">", 400]}]},
    "Either of two ($or)": {"$or": [{"event_type": ["order_cancelled"]}, {"amount": [{"numeric": [">", 400]}]}]},
}
SAMPLE_HINT = '{"event_type": "order_placed", "amount": 250}'


def _pretty(policy: dict) -> str:
    """One key a line: short enough to read in a narrow panel, as AWS's console shows it."""
    lines = [f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in policy.items()]
    return "{\n" + ",\n".join(lines) + "\n}" if lines else "{}"


def _show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def explain(policy: dict, sample: Any, scope: str = "MessageAttributes") -> tuple[bool, str]:
    """Whether a message passes `policy` and why, key by key (keys are ANDed, so the first key that
    fails is the reason). `sample` is the message's attributes, or its body for scope MessageBody."""
    attrs, body = (None, sample) if scope == "MessageBody" else (sample if isinstance(sample, dict) else {}, None)
    if filter_policy.matches(policy, attrs, body, scope):
        keys = ", ".join(k for k in policy if k != "$or") or "one of the $or alternatives"
        return True, f"Matched: {keys} {'match' if ',' in keys else 'matches'} the policy"
    seen = sample if isinstance(sample, dict) else {}
    for key, rule in policy.items():
        if filter_policy.matches({key: rule}, attrs, body, scope):
            continue
        if key == "$or":
            return False, "Not matched: none of the $or alternatives matches"
        if key not in seen:
            return False, f"Not matched: the message has no {key!s}, which the policy needs"
        return False, f"Not matched: {key} is {_show(seen[key])}, the policy wants {_show(rule)}"
    return False, "Not matched"


class FilterPolicyEditor(QWidget):
    edited = Signal()     # leaving the text, or an example inserted: commit
    typing = Signal()     # the text changed: check it as it is typed

    def __init__(self, value: dict | None, scope: str) -> None:
        super().__init__()
        self.scope = scope
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        self.text = QPlainTextEdit(_pretty(value) if value is not None else "")
        self.text.setPlaceholderText("Empty: every message is delivered")
        self.text.setFixedHeight(96)
        self.text.textChanged.connect(self.typing)
        self.text.textChanged.connect(self._test)
        self.text.focusOutEvent = self._left
        box.addWidget(self.text)
        self.examples = QToolButton()
        self.examples.setText("Insert an example")
        self.examples.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.examples)
        for words, example in EXAMPLES.items():
            menu.addAction(words, lambda e=example: self.insert(e))
        self.examples.setMenu(menu)
        row = QHBoxLayout()
        row.addWidget(self.examples)
        row.addStretch(1)
        box.addLayout(row)
        looks_at = "attributes" if scope == "MessageAttributes" else "body"
        hint = QLabel(f"Test against a sample message {looks_at} (JSON):")
        hint.setWordWrap(True)
        box.addWidget(hint)
        self.sample = QPlainTextEdit()
        self.sample.setPlaceholderText(SAMPLE_HINT)
        self.sample.setFixedHeight(52)
        self.sample.textChanged.connect(self._test)
        box.addWidget(self.sample)
        self.result = QLabel("")
        self.result.setObjectName("filterTestResult")
        self.result.setWordWrap(True)
        box.addWidget(self.result)

    def _left(self, event: Any) -> None:
        QPlainTextEdit.focusOutEvent(self.text, event)
        self.edited.emit()

    def setPlainText(self, text: str) -> None:  # noqa: N802 (as the plain text box it replaces)
        self.text.setPlainText(text)

    def value(self) -> dict | None:
        text = self.text.toPlainText().strip()
        return json.loads(text) if text else None

    def insert(self, example: dict) -> None:
        self.text.setPlainText(_pretty(example))
        self.edited.emit()

    def _test(self) -> None:
        sample_text = self.sample.toPlainText().strip()
        if not sample_text:
            self.result.setText("")
            return
        try:
            sample = json.loads(sample_text)
            policy = self.value()
        except json.JSONDecodeError as e:
            self.result.setText(f"Not valid JSON yet: {e.msg}")
            return
        if policy is None:
            self.result.setText("Matched: without a filter policy every message is delivered")
            return
        try:
            filter_policy.validate(policy, self.scope)
        except (filter_policy.FilterPolicyError, TypeError) as e:
            self.result.setText(f"The policy is not valid yet: {e}")
            return
        ok, why = explain(policy, sample, self.scope)
        self.result.setStyleSheet("color: #24a05a; font-weight: 600;" if ok else "color: #e04848; font-weight: 600;")
        self.result.setText(why)
