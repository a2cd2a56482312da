"""'About this demo': the document's title and description on a card over the canvas, shown when a
file or an example opens (what to watch, in the author's words); it steps aside when the run plays
and comes back from Help > About this demo."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QPushButton, QVBoxLayout, QHBoxLayout, QWidget

from engine.model import Document
from gui import theme

WIDTH, MARGIN = 400, 16


class AboutDemoPanel(QFrame):
    def __init__(self, canvas: QWidget) -> None:
        super().__init__(canvas)
        self.setObjectName("AboutDemo")
        column = QVBoxLayout(self)
        column.setContentsMargins(20, 14, 14, 18)
        column.setSpacing(8)
        top = QHBoxLayout()
        self.heading = QLabel("About this demo")
        top.addWidget(self.heading, 1)
        self.close_button = QPushButton("✕")
        self.close_button.setFlat(True)
        self.close_button.setToolTip("Close (Help > About this demo shows it again)")
        self.close_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.close_button.clicked.connect(self.hide)
        top.addWidget(self.close_button)
        column.addLayout(top)
        self.title = QLabel()
        self.title.setWordWrap(True)
        column.addWidget(self.title)
        self.body = QLabel()
        self.body.setWordWrap(True)
        self.body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        column.addWidget(self.body)
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
        scale = theme.stage_scale()
        self.setStyleSheet(f"#AboutDemo {{ background: {t.surface}; border: 1px solid {t.border}; border-radius: 12px; }}"
                           f"#AboutDemo QLabel {{ background: transparent; border: none; }}")
        self.heading.setFont(theme.stage_font(9.5, bold=True))
        self.heading.setStyleSheet(f"color: {t.accent}; letter-spacing: 1px;")
        self.title.setFont(theme.stage_font(14, bold=True))
        self.title.setStyleSheet(f"color: {t.text};")
        self.body.setFont(theme.stage_font(11))
        self.body.setStyleSheet(f"color: {t.text};")
        self.close_button.setStyleSheet(f"color: {t.muted}; border: none; font-size: {int(14 * scale)}px;")
        self.setFixedWidth(int(WIDTH * scale))

    def place(self) -> None:
        parent = self.parentWidget()
        if parent is None:
            return
        self.setFixedWidth(min(int(WIDTH * theme.stage_scale()), parent.width() - 2 * MARGIN))
        self.adjustSize()
        self.move(parent.width() - self.width() - MARGIN, MARGIN + int(70 * theme.stage_scale()))
