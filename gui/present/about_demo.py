"""'About this demo': the document's title and description on a card in the middle of the canvas,
like a talk's title slide, shown when a file or an example opens (what to watch, in the author's
words); it steps aside when the run plays, at a click on the canvas or an edit, and comes back from
Help > About this demo."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QFrame, QGraphicsDropShadowEffect, QLabel, QVBoxLayout, QWidget

from engine.model import Document
from gui import theme

WIDTH, MARGIN = 620, 40
HINT = "Space plays · Page Down plays to the next cue · F11 presents · a click closes this"


class AboutDemoPanel(QFrame):
    def __init__(self, canvas: QWidget) -> None:
        super().__init__(canvas)
        self.setObjectName("AboutDemo")
        column = QVBoxLayout(self)
        column.setContentsMargins(32, 22, 22, 26)
        column.setSpacing(10)
        # Click-through: a press or a drop lands on the canvas below (and closes the card), so
        # the card never stands between the author and the diagram.
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.heading = QLabel("About this demo")
        column.addWidget(self.heading)
        self.title = QLabel()
        self.title.setWordWrap(True)
        column.addWidget(self.title)
        self.body = QLabel()
        self.body.setWordWrap(True)
        column.addWidget(self.body)
        self.hint = QLabel(HINT)
        self.hint.setWordWrap(True)
        column.addSpacing(6)
        column.addWidget(self.hint)
        shadow = QGraphicsDropShadowEffect(self)
        shadow.setBlurRadius(40)
        shadow.setOffset(0, 8)
        shadow.setColor(QColor(0, 0, 0, 70))
        self.setGraphicsEffect(shadow)
        self.restyle()
        self.hide()

    def show_for(self, doc: Document) -> bool:
        """Show the document's description; a document without one shows nothing."""
        if not doc.description.strip():
            self.hide()
            return False
        self.title.setText(doc.title)
        self.body.setText(doc.description.strip())
        self.restyle()
        self.place()
        self.show()
        self.raise_()
        return True

    def restyle(self) -> None:
        t = theme.current()
        self.setStyleSheet(f"#AboutDemo {{ background: {t.surface}; border: 1px solid {t.border}; border-radius: 16px; }}"
                           f"#AboutDemo QLabel {{ background: transparent; border: none; }}")
        self.heading.setFont(theme.stage_font(10, bold=True))
        self.heading.setStyleSheet(f"color: {t.accent}; letter-spacing: 1px;")
        self.title.setFont(theme.stage_font(20, bold=True))
        self.title.setStyleSheet(f"color: {t.text};")
        self.body.setFont(theme.stage_font(13))
        self.body.setStyleSheet(f"color: {t.text};")
        self.hint.setFont(theme.stage_font(10))
        self.hint.setStyleSheet(f"color: {t.muted};")
        self.place()

    def place(self) -> None:
        parent = self.parentWidget()
        if parent is None:
            return
        width = max(200, min(int(WIDTH * theme.stage_scale()), parent.width() - 2 * MARGIN))
        self.layout().activate()
        # The wrapped labels' height for this width (adjustSize alone can go by a stale wrap).
        self.setFixedSize(width, self.layout().totalHeightForWidth(width))
        self.move((parent.width() - self.width()) // 2, max(MARGIN // 2, (parent.height() - self.height()) // 2))
