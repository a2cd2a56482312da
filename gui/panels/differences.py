"""Help > How this model differs from AWS: the simplifications of engine.differences, by area."""
from __future__ import annotations

from html import escape

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from engine.differences import AREAS, DIFFERENCES

TITLE = "How this model differs from AWS"
INTRO = ("FlowDeck follows AWS's documented behaviour and defaults. These are the places where it is a "
         "simpler model; each prop's help text in the inspector says the same where a prop is concerned.")


def differences_html() -> str:
    parts = [f"<p>{escape(INTRO)}</p>"]
    for area in AREAS:
        items = "".join(f"<li>{escape(text)}</li>" for a, text in DIFFERENCES if a == area)
        parts.append(f"<h3>{escape(area)}</h3><ul>{items}</ul>")
    return "".join(parts)


class DifferencesDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(TITLE)
        self.browser = QTextBrowser(self)
        self.browser.setHtml(differences_html())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)
        self.resize(760, 620)
