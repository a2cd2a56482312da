"""The Help menu's sheets: every keyboard shortcut on one searchable page, and About (the version
and the licences of what ships, read from the installed packages' own metadata)."""
from __future__ import annotations

import re
import sys
from html import escape
from importlib import metadata

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import qVersion
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QDialogButtonBox, QHeaderView, QLineEdit,
                               QTableWidget, QTableWidgetItem, QTextBrowser, QVBoxLayout, QWidget)

APP = "flowdeck"
# Keys with no menu entry (QShortcut or gestures); menu actions are read from the window itself.
KEYS_WITHOUT_MENU = (
    ("Home", "Timeline", "Go to 0:00"),
    ("Page Up", "Timeline", "Back to the previous cue"),
    ("Page Down", "Timeline", "On to the next cue (presenting: play on to it and stop there)"),
    ("Shift+Left / Shift+Right", "Timeline", "10 s back / on"),
    ("Left / Right", "Timeline", "While paused: one event back / on"),
    ("B or .", "Presenting", "Blank the screen (again: show it)"),
    ("Esc", "Presenting", "Leave presentation mode"),
    ("Click a component", "Presenting", "Spotlight it for a few seconds"),
    ("Right-click", "Canvas", "Crash, hang, slow down or recover; spike a client; add to the scenario"),
    ("Right-click a marker", "Timeline", "Edit, move to now or delete a scenario action"),
    ("Drag a marker", "Timeline", "Move a scenario action to another time"),
    ("Double-click a marker", "Timeline", "Edit a scenario action"),
    ("Middle-drag or Alt+drag", "Canvas", "Pan"),
    ("Wheel", "Canvas", "Zoom"),
)


SPECIAL_KEYS = re.compile(r"F(1[3-9]|2\d|3[0-5])|[A-Z][a-z]+")   # F13–F35 and named keys (Copy, Undo)


def _plain(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip(".…")


def shortcut_rows(window: QWidget) -> list[tuple[str, str, str]]:
    """(keys, where, what) for every action of the window that has a shortcut, then the rest."""
    rows: dict[tuple[str, str], str] = {}
    for action in window.findChildren(QAction):
        keys = [k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts() if not k.isEmpty()]
        keys = [k for k in keys if not SPECIAL_KEYS.fullmatch(k)][:2]   # what a keyboard has, not Sun's Copy key
        if keys and action.text():
            rows[(" or ".join(keys), _plain(action.text()))] = _where(action)
    out = [(keys, where, what) for (keys, what), where in rows.items()]
    out += list(KEYS_WITHOUT_MENU)
    return sorted(out, key=lambda r: (r[1], r[2]))


def _where(action: QAction) -> str:
    menus = [o for o in action.associatedObjects() if hasattr(o, "title") and callable(o.title) and o.title()]
    return _plain(menus[0].title()) if menus else "Canvas"


class ShortcutsDialog(QDialog):
    """Type to filter: a row stays when its keys, place or words contain what was typed."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setWindowTitle("Keyboard shortcuts")
        self.resize(860, 680)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search: a key, a word…")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.filter)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["Keys", "Where", "What it does"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        for row, cells in enumerate(shortcut_rows(window)):
            self.table.insertRow(row)
            for col, text in enumerate(cells):
                self.table.setItem(row, col, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.setWordWrap(True)
        self.table.resizeRowsToContents()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        column = QVBoxLayout(self)
        column.addWidget(self.search)
        column.addWidget(self.table)
        column.addWidget(buttons)
        self.search.setFocus()

    def filter(self, text: str) -> None:
        needle = text.strip().lower()
        for row in range(self.table.rowCount()):
            words = " ".join(self.table.item(row, c).text().lower() for c in range(3))
            self.table.setRowHidden(row, bool(needle) and needle not in words)

    def visible_rows(self) -> list[str]:
        return [self.table.item(r, 2).text() for r in range(self.table.rowCount()) if not self.table.isRowHidden(r)]


# -- About ----------------------------------------------------------------------------------------------

def _runtime_requirements(name: str) -> list[str]:
    """Names a distribution needs at run time (no extras; markers for another Python are skipped later)."""
    out = []
    for req in metadata.requires(name) or []:
        if "extra ==" in req:
            continue
        match = re.match(r"[A-Za-z0-9_.\-]+", req)
        if match:
            out.append(match.group(0))
    return out


def shipped_packages() -> list[tuple[str, str, str]]:
    """(name, version, licence) of FlowDeck's run-time dependencies and theirs, as installed."""
    seen: dict[str, tuple[str, str, str]] = {}
    todo = _runtime_requirements(APP)
    while todo:
        name = todo.pop(0)
        key = name.lower().replace("_", "-")
        if key in seen:
            continue
        try:
            meta = metadata.metadata(name)
        except metadata.PackageNotFoundError:
            continue     # a requirement whose marker does not apply to this Python
        seen[key] = (meta["Name"], meta["Version"], licence_of(meta))
        todo += _runtime_requirements(name)
    return sorted(seen.values(), key=lambda r: r[0].lower())


def licence_of(meta: metadata.PackageMetadata) -> str:
    expression = meta.get("License-Expression")
    if expression:
        return expression
    text = (meta.get("License") or "").strip()
    if text and len(text) < 80 and "\n" not in text:
        return text
    classifiers = [c.rsplit("::", 1)[-1].strip() for c in meta.get_all("Classifier") or [] if c.startswith("License ::")]
    return ", ".join(classifiers) or "see the package"


def about_html() -> str:
    version = metadata.version(APP)
    rows = "".join(f"<tr><td>{escape(n)}</td><td>{escape(v)}</td><td>{escape(lic)}</td></tr>"
                   for n, v, lic in shipped_packages())
    python = sys.version.split()[0]
    return (f"<h2>FlowDeck {escape(version)}</h2>"
            "<p>Simulates and animates AWS architectures: load balancers, Auto Scaling groups, SNS, SQS, "
            "Lambda and e-mail, with AWS's documented behaviour and defaults.</p>"
            f"<p>Python {escape(python)} · Qt {escape(qVersion())} · PySide6 {escape(pyside_version)}</p>"
            "<h3>What ships with it</h3>"
            "<table cellpadding='4'><tr><th align='left'>Package</th><th align='left'>Version</th>"
            f"<th align='left'>Licence</th></tr>{rows}</table>"
            "<p>Qt and PySide6 are used under the GNU LGPL version 3: they are installed as separate "
            "libraries, which you may replace with your own build.</p>")


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About FlowDeck")
        self.browser = QTextBrowser()
        self.browser.setHtml(about_html())
        self.browser.setOpenExternalLinks(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        column = QVBoxLayout(self)
        column.addWidget(self.browser)
        column.addWidget(buttons)
        self.resize(620, 560)

