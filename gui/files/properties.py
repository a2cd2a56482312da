"""File > Properties: the document's title, description, duration and seed, as one undo step.

The title shows in the run toolbar and the window title; a new duration or seed starts the run
over (the same file and seed give the same run, so a new seed is a new run).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Protocol

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QDoubleSpinBox, QFormLayout, QLabel, QLineEdit, QMenu,
                               QPlainTextEdit, QWidget)

from engine.fileio import MAX_DURATION_S
from engine.model import Document
from gui import theme
from gui.editing import commands
from gui.editing.actions import first_error, sentence
from gui.editing.listening import FollowsDocument

if TYPE_CHECKING:
    from PySide6.QtGui import QUndoStack

    from gui.run.toolbar import RunToolbar

RESTARTS = ("seed", "duration_s")


class PropertiesHost(Protocol):
    doc: Document
    toolbar: "RunToolbar"

    @property
    def undo_stack(self) -> "QUndoStack": ...

    def tell(self, text: str) -> None: ...

    def restart_run(self) -> None: ...

    def load_captions(self) -> None: ...


class PropertiesDialog(QDialog):
    """The four fields; OK checks them with the file loader and stays open on a refusal."""

    def __init__(self, parent: QWidget | None, values: dict[str, Any],
                 check: Callable[[dict[str, Any]], str | None]) -> None:
        super().__init__(parent)
        self.setWindowTitle("Document properties")
        self.setMinimumWidth(560)
        self.check = check
        form = QFormLayout(self)
        self.title = QLineEdit(values["title"])
        form.addRow("Title", self.title)
        self.description = QPlainTextEdit(values["description"])
        self.description.setPlaceholderText("What to watch, in your words: shown in “About this demo” when the "
                                            "file opens")
        self.description.setMinimumHeight(150)
        form.addRow("Description", self.description)
        self.duration = QDoubleSpinBox()
        self.duration.setRange(1.0, MAX_DURATION_S)
        self.duration.setDecimals(1)
        self.duration.setSuffix(" s")
        self.duration.setValue(float(values["duration_s"]))
        self.duration.setToolTip("Simulated seconds: the run ends here")
        form.addRow("Duration", self.duration)
        self.seed = QLineEdit(str(values["seed"]))
        self.seed.setToolTip("The same file and seed give the same run, event for event")
        form.addRow("Seed", self.seed)
        self.refusal = QLabel("")
        self.refusal.setWordWrap(True)
        self.refusal.setStyleSheet(f"color: {theme.current().unhealthy};")
        form.addRow(self.refusal)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def values(self) -> dict[str, Any]:
        seed: Any = self.seed.text().strip()
        seed = int(seed) if seed.lstrip("-").isdigit() else seed
        return {"title": self.title.text(), "description": self.description.toPlainText(),
                "duration_s": round(self.duration.value(), 1), "seed": seed}

    def accept(self) -> None:
        why = self.check(self.values())
        if why:
            self.refusal.setText(why)
            return
        super().accept()


def refusal(doc: Document, values: dict[str, Any]) -> str | None:
    """What the loader says of the document with these properties (the seed must be a whole number)."""
    if "seed" in values and not isinstance(values["seed"], int):
        return "The seed must be a whole number (0 or more)"
    why = first_error(doc, lambda d: d.set_properties(values))
    return sentence(why) if why else None


class DocumentProperties(QObject, FollowsDocument):
    """The File > Properties action, and what follows a change: toolbar, window title, run."""

    def __init__(self, window: PropertiesHost, on_title: Callable[[], None]) -> None:
        super().__init__(window)
        self.w, self.on_title = window, on_title
        self.action = QAction("P&roperties…", self)
        self.action.setToolTip("Title, description, duration and seed of this document")
        self.action.triggered.connect(self.open_dialog)
        self.dialog: PropertiesDialog | None = None
        self.run_values: dict[str, Any] = {}     # seed and duration of the run on screen
        self.attach(window.doc)

    def add_to(self, menu: QMenu, before: QAction | None = None) -> None:
        menu.insertSeparator(before) if before else menu.addSeparator()
        menu.insertAction(before, self.action) if before else menu.addAction(self.action)

    def attach(self, doc: Document) -> None:
        super().attach(doc)
        self.run_values = {name: getattr(doc, name) for name in RESTARTS}

    def open_dialog(self) -> None:
        doc = self.w.doc
        self.dialog = PropertiesDialog(self.w, doc.properties(), lambda values: refusal(doc, values))
        if self.dialog.exec():
            self.apply(self.dialog.values())
        self.dialog = None

    def apply(self, values: dict[str, Any]) -> bool:
        doc = self.w.doc
        why = refusal(doc, values)
        if why:
            self.w.tell(why)
            return False
        if values == {k: v for k, v in doc.properties().items() if k in values}:
            return False
        self.w.undo_stack.push(commands.SetProperties(doc, values))
        return True

    def _on_doc(self, what: str, payload: Any) -> None:
        if what != "properties_changed":
            return
        self.w.toolbar.title.setText(payload["title"])
        self.on_title()
        self.w.load_captions()        # the timeline's length
        if any(self.run_values[name] != payload[name] for name in RESTARTS):
            self.run_values = {name: payload[name] for name in RESTARTS}
            self.w.restart_run()
