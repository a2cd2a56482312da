"""The inspector's small input widgets: number boxes that refuse out-of-range values out loud and
ignore the mouse wheel unless focused, and a combo box that does the same.

A wheel turned over the inspector scrolls the panel: an input that does not have the keyboard
focus ignores the wheel event, and Qt hands an ignored wheel event on to the parent (the scroll
area). A number typed beyond the range is not cut to fit (QSpinBox drops the keystroke that would
leave the range, so 99999 becomes 9999): the box lets it be typed, and when editing finishes it
keeps its last good value and `refused` says why, with the range.
"""
from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QValidator, QWheelEvent
from PySide6.QtWidgets import (QAbstractScrollArea, QApplication, QComboBox, QDoubleSpinBox, QSizePolicy,
                               QSpinBox, QWidget)

ERROR_STYLE = "color: #e04848;"
MIN_FIELD_W = 60   # px: a number box's narrowest
BIG = 1e9


def fmt(x: float) -> str:
    """A number as a person writes it: 43,200 not 43200.000, 0.25 not 0.250."""
    if float(x).is_integer():
        return f"{int(x):,}"
    return f"{x:,.6g}" if abs(x) >= 1 else f"{x:.6g}"


def range_text(lo: float | None, hi: float | None, unit: str = "") -> str:
    u = f" {unit}" if unit else ""
    if lo is None and hi is None:
        return "any number"
    if hi is None or hi >= BIG:
        return f"{fmt(lo)}{u} or more"
    if lo is None or lo <= -BIG:
        return f"up to {fmt(hi)}{u}"
    return f"{fmt(lo)}–{fmt(hi)}{u}"


class _WheelGuard:
    """Shared by the inputs below: a wheel changes the value only when the input has the focus."""

    def _guard_init(self) -> None:
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)   # not WheelFocus: a wheel never takes the focus

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 (Qt's name)
        if self.hasFocus():
            super().wheelEvent(event)
            return
        area = self.parentWidget()
        while area is not None and not isinstance(area, QAbstractScrollArea):
            area = area.parentWidget()
        if area is None:
            event.ignore()       # Qt hands it on to the parent
            return
        QApplication.sendEvent(area.verticalScrollBar(), event)   # the panel scrolls
        event.accept()


class Combo(_WheelGuard, QComboBox):
    def __init__(self, items: list[str] | tuple[str, ...] = (), parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._guard_init()
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(6)     # a narrow dock may shrink it; the list opens full width
        self.addItems(list(items))


class _StrictNumber(_WheelGuard):
    """Number box behaviour: a strict range, a unit suffix, None as the special text 'none'."""

    def _strict_init(self, lo: float | None, hi: float | None, unit: str, nullable: bool, none_text: str) -> None:
        self._guard_init()
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)   # may shrink to its minimum
        self.lo, self.hi, self.unit, self.nullable = lo, hi, unit, nullable
        self._typed = ""
        self.setKeyboardTracking(False)
        low = -BIG if lo is None else lo
        high = BIG if hi is None else hi
        if isinstance(self, QSpinBox):
            low, high = int(max(low, -2**31 + 2)), int(min(high, 2**31 - 1))
        self.setRange(low - (self._null_gap() if nullable else 0), high)
        if nullable:
            self.setSpecialValueText(none_text)
        if unit:
            self.setSuffix(f" {unit}")
        self.lineEdit().textEdited.connect(self._remember)
        self.editingFinished.connect(self._finished)
        self.valueChanged.connect(lambda _: self.edited.emit())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        """Narrow enough for the dock: Qt sizes a spin box for its longest possible text (-1e9...)."""
        hint = super().minimumSizeHint()
        return QSize(min(hint.width(), MIN_FIELD_W), hint.height())

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        hint = super().sizeHint()
        return QSize(min(hint.width(), 2 * MIN_FIELD_W), hint.height())

    def _null_gap(self) -> float:
        return 1 if isinstance(self, QSpinBox) else 10 ** -self.decimals()

    def _remember(self, text: str) -> None:
        self._typed = text

    def _number_in(self, text: str) -> float | None:
        t = text
        if self.suffix() and t.endswith(self.suffix().strip()):
            t = t[: len(t) - len(self.suffix().strip())]
        try:
            x = float(t.strip().replace(",", ""))
        except ValueError:
            return None
        return x if math.isfinite(x) else None

    def _out_of_range(self, x: float) -> bool:
        if not hasattr(self, "lo"):
            return False    # Qt validates while the box is being set up
        return (self.lo is not None and x < self.lo) or (self.hi is not None and x > self.hi)

    def validate(self, text: str, pos: int) -> object:
        x = self._number_in(text)
        if x is not None and self._out_of_range(x):
            return QValidator.State.Intermediate, text, pos    # typed in full, refused when confirmed
        return super().validate(text, pos)

    def _finished(self) -> None:
        typed, self._typed = self._typed, ""
        x = self._number_in(typed) if typed else None
        if x is not None and self._out_of_range(x):
            u = f" {self.unit}" if self.unit else ""
            self.refused.emit(f"{fmt(x)}{u} is out of range: enter {range_text(self.lo, self.hi, self.unit)}")

    def value_or_none(self) -> Any:
        if self.nullable and self.value() == self.minimum():
            return None
        return self.value()

    def set_value_or_none(self, value: Any) -> None:
        self.blockSignals(True)
        self.setValue(self.minimum() if value is None else value)
        self.blockSignals(False)


class IntField(_StrictNumber, QSpinBox):
    refused = Signal(str)     # why the number typed was not taken (out of range), with the range
    edited = Signal()         # a new value the user chose (typed and confirmed, arrows, keys)

    def __init__(self, value: Any, lo: float | None = None, hi: float | None = None, unit: str = "",
                 nullable: bool = False, none_text: str = "none", step: float | None = None) -> None:
        super().__init__()
        self._strict_init(lo, hi, unit, nullable, none_text)
        if step:
            self.setSingleStep(int(step))
        self.set_value_or_none(value)


class FloatField(_StrictNumber, QDoubleSpinBox):
    refused = Signal(str)
    edited = Signal()

    def __init__(self, value: Any, lo: float | None = None, hi: float | None = None, unit: str = "",
                 nullable: bool = False, none_text: str = "none", step: float | None = None, decimals: int = 3) -> None:
        super().__init__()
        self.setDecimals(decimals)
        self._strict_init(lo, hi, unit, nullable, none_text)
        if step:
            self.setSingleStep(step)
        self.set_value_or_none(value)

    def textFromValue(self, value: float) -> str:  # noqa: N802 (Qt's name): 30 s, not 30.000 s
        return f"{round(value, self.decimals()):.{self.decimals()}f}".rstrip("0").rstrip(".")


def number_field(integer: bool, value: Any, lo: float | None, hi: float | None, unit: str = "",
                 nullable: bool = False, none_text: str = "none", step: float | None = None) -> IntField | FloatField:
    cls = IntField if integer else FloatField
    return cls(value, lo, hi, unit, nullable, none_text, step)


class CodeCombo(Combo):
    """A list that shows words and stands for a code of the file ('Average CPU utilization' is
    cpu_utilization); codes without words show as they are."""

    edited = Signal()     # the user chose another entry

    def __init__(self, codes: dict[str, str] | tuple[str, ...] | list[str], current: Any = None) -> None:
        super().__init__()
        items = codes.items() if isinstance(codes, dict) else ((c, c) for c in codes)
        for code, text in items:
            self.addItem(text, code)
        self.set_code(current)
        self.currentIndexChanged.connect(lambda _: self.edited.emit())

    def code(self) -> Any:
        return self.currentData()

    def set_code(self, code: Any) -> None:
        index = self.findData(code)
        if index >= 0:
            self.setCurrentIndex(index)


def drop_widget(widget: QWidget) -> None:
    """A row taken out of a form: hidden at once (deleteLater waits for the event loop)."""
    widget.hide()
    widget.deleteLater()

