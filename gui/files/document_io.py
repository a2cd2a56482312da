"""The File menu: New, Open, Save, Save As, recent files, examples, Quit; the unsaved-changes
prompt, autosave and crash recovery, and what the window keeps in QSettings.

Dialogs go through the module functions `ask_save`, `warn`, `choose_open_path` and
`choose_save_path`, so tests replace them instead of clicking through modal boxes.
"""
from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QByteArray, QObject, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox, QWidget

from engine import examples, fileio
from engine.model import Document
from gui.files import storage

if TYPE_CHECKING:
    from gui.editing.actions import EditActions

FILTER = "FlowDeck topology (*.flowdeck.json *.json)"
SAVE, DISCARD, CANCEL = "save", "discard", "cancel"


# -- dialogs (replaced in tests) --------------------------------------------------------------------
def ask_save(parent: QWidget, name: str) -> str:
    box = QMessageBox(QMessageBox.Icon.Warning, "Unsaved changes", f"Save the changes to {name}?",
                      QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                      | QMessageBox.StandardButton.Cancel, parent)
    box.setInformativeText("If you don't save, your changes are lost.")
    box.setDefaultButton(QMessageBox.StandardButton.Save)
    box.exec()
    button = box.standardButton(box.clickedButton())
    return {QMessageBox.StandardButton.Save: SAVE, QMessageBox.StandardButton.Discard: DISCARD}.get(button, CANCEL)


def warn(parent: QWidget, title: str, text: str) -> None:
    QMessageBox.warning(parent, title, text)


def choose_open_path(parent: QWidget, folder: str) -> str:
    return QFileDialog.getOpenFileName(parent, "Open topology", folder, FILTER)[0]


def choose_save_path(parent: QWidget, suggested: str) -> str:
    return QFileDialog.getSaveFileName(parent, "Save topology as", suggested, FILTER)[0]


def ask_recover(parent: QWidget, paths: list[Path]) -> str:
    """'recover', 'discard' or 'later' for autosaves left by a session that did not close cleanly."""
    box = QMessageBox(QMessageBox.Icon.Question, "Recover unsaved work?",
                      "FlowDeck did not close cleanly last time. Open the work it saved automatically?",
                      QMessageBox.StandardButton.NoButton, parent)
    box.setInformativeText(recovery_text(paths))
    recover = box.addButton("Recover", QMessageBox.ButtonRole.AcceptRole)
    discard = box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
    box.addButton("Later", QMessageBox.ButtonRole.RejectRole)
    box.exec()
    return "recover" if box.clickedButton() is recover else "discard" if box.clickedButton() is discard else "later"


def recovery_text(paths: list[Path]) -> str:
    """One line per autosave: the file it belongs to (or Untitled) and when it was saved."""
    lines = []
    for p in paths:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(p.stat().st_mtime))
        own = storage.saved_file_of(p)
        lines.append(f"Changes to {own}, autosaved {when}" if own else f"Untitled work, autosaved {when}")
    return "\n".join(lines)


def is_example(path: str | os.PathLike) -> bool:
    return Path(path).resolve().parent == examples.EXAMPLES.resolve()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except (OSError, ValueError):
        return False
    return True


def orphaned_autosaves() -> list[Path]:
    """Autosaves of sessions that are gone (another FlowDeck still running keeps its own)."""
    out = []
    for path in storage.pending_recoveries():
        pid = path.name[len("session-"):].split(".", 1)[0]
        if not (pid.isdigit() and int(pid) != os.getpid() and _alive(int(pid))):
            out.append(path)
    return out


class FileHost(Protocol):
    """What the File menu needs of the window (a QMainWindow, whose geometry and dock state are kept)."""

    doc: Document
    theme_name: str
    edit: "EditActions"       # its snap-to-grid setting is kept

    def set_document(self, doc: Document, path: str | None, dirty: bool = False) -> None: ...

    def is_dirty(self) -> bool: ...

    def mark_saved(self) -> None: ...

    def tell(self, text: str) -> None: ...

    def close(self) -> bool: ...

    def addAction(self, action: QAction) -> None: ...

    def saveGeometry(self) -> QByteArray: ...

    def restoreGeometry(self, geometry: QByteArray) -> bool: ...

    def saveState(self) -> QByteArray: ...

    def restoreState(self, state: QByteArray) -> bool: ...


class FileActions(QObject):
    def __init__(self, window: FileHost, path: str | None) -> None:
        super().__init__(window)
        self.w = window
        self.path = path
        self.persist = False        # the app keeps geometry and theme; screenshots and tests do not
        self.autosaver = storage.Autosaver(lambda: window.doc, window.is_dirty, self,
                                         source=lambda: self.path, report=window.tell)
        self._make_actions()

    # -- menu ---------------------------------------------------------------------------------------
    def _make_actions(self) -> None:
        self.new = self._action("&New", self.new_document, QKeySequence.StandardKey.New)
        self.open = self._action("&Open…", self.open_dialog, QKeySequence.StandardKey.Open)
        self.save = self._action("&Save", self.save_document, QKeySequence.StandardKey.Save)
        self.save_as = self._action("Save &As…", self.save_as_dialog, QKeySequence.StandardKey.SaveAs)
        self.quit = self._action("&Quit", self.w.close, QKeySequence("Ctrl+Q"))

    def _action(self, text: str, slot, key) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(key))
        action.triggered.connect(slot)
        self.w.addAction(action)
        return action

    def fill_menu(self, menu: QMenu) -> None:
        menu.addAction(self.new)
        menu.addAction(self.open)
        self.recent_menu = menu.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        self.examples_menu = menu.addMenu("&Examples")
        for name in examples.names():
            title, _ = examples.summary(name)
            action = self.examples_menu.addAction(f"{name}  —  {title}")
            action.triggered.connect(lambda _=False, n=name: self.open_example(n))
        menu.addSeparator()
        menu.addAction(self.save)
        menu.addAction(self.save_as)
        menu.addSeparator()
        menu.addAction(self.quit)

    @Slot()
    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        recent = storage.recent_files()
        for path in recent:
            action = self.recent_menu.addAction(Path(path).name)
            action.setToolTip(path)
            action.triggered.connect(lambda _=False, p=path: self.open_path(p))
        if not recent:
            self.recent_menu.addAction("No recent files").setEnabled(False)

    def display_name(self) -> str:
        return Path(self.path).name if self.path else "Untitled"

    # -- unsaved changes ------------------------------------------------------------------------------
    def maybe_save(self) -> bool:
        """True when the current document may be replaced or closed (saved, discarded or clean)."""
        if not self.w.is_dirty():
            return True
        answer = ask_save(self.w, self.display_name())
        if answer == SAVE:
            return self.save_document()
        return answer == DISCARD

    # -- new and open ---------------------------------------------------------------------------------
    @Slot()
    def new_document(self) -> None:
        if self.maybe_save():
            self.w.set_document(Document(), None)

    @Slot()
    def open_dialog(self) -> None:
        if not self.maybe_save():
            return
        folder = str(Path(self.path).parent) if self.path else str(Path.home())
        path = choose_open_path(self.w, folder)
        if path:
            self.open_path(path, confirm=False)

    def open_path(self, path: str, confirm: bool = True) -> bool:
        """Open a file; a file the loader refuses shows its message and changes nothing."""
        if confirm and not self.maybe_save():
            return False
        try:
            doc = fileio.load(path)
        except fileio.LoadError as e:
            warn(self.w, "Cannot open the file", str(e))
            return False
        untitled = is_example(path)
        self.w.set_document(doc, None if untitled else str(Path(path).resolve()))
        if not untitled:
            storage.add_recent(path)
        return True

    def open_example(self, name: str) -> bool:
        """A built-in example, as an untitled copy (saving asks where)."""
        if not self.maybe_save():
            return False
        self.w.set_document(fileio.load(examples.path(name)), None)
        return True

    # -- saving ---------------------------------------------------------------------------------------
    @Slot()
    def save_document(self) -> bool:
        return self.save_to(self.path) if self.path else self.save_as_dialog()

    @Slot()
    def save_as_dialog(self) -> bool:
        stem = re.sub(r"[^\w\- ]+", "", self.w.doc.title).strip() or "untitled"
        suggested = self.path or str(Path.home() / (stem + storage.SUFFIX))
        path = choose_save_path(self.w, suggested)
        if not path:
            return False
        if not path.endswith(".json"):
            path += storage.SUFFIX
        return self.save_to(path)

    def save_to(self, path: str) -> bool:
        try:
            storage.save_atomic(self.w.doc, path)
        except OSError as e:   # storage.SaveError included: the message names the file and the reason
            warn(self.w, "Cannot save", str(e))
            return False
        self.autosaver.clear()
        self.path = str(Path(path).resolve())
        self.w.mark_saved()
        storage.add_recent(self.path)
        self.w.tell(f"Saved {self.path}")
        return True

    # -- closing, settings, recovery ------------------------------------------------------------------------
    def closing(self) -> None:
        """The window closes for good: a clean close leaves no autosave behind."""
        self.autosaver.discard()
        if self.persist:
            self.save_settings()

    def save_settings(self) -> None:
        s = storage.settings()
        s.setValue("window/geometry", self.w.saveGeometry())
        s.setValue("window/state", self.w.saveState())
        s.setValue("theme", self.w.theme_name)
        s.setValue("snap_to_grid", self.w.edit.snap)

    def restore_settings(self) -> bool:
        """Turn persistence on and restore what was kept; True if the window geometry was restored."""
        self.persist = True
        s = storage.settings()
        self.w.edit.snap_action.setChecked(str(s.value("snap_to_grid", "false")).lower() == "true")
        state = s.value("window/state")
        if isinstance(state, QByteArray):
            self.w.restoreState(state)
        geometry = s.value("window/geometry")
        return isinstance(geometry, QByteArray) and self.w.restoreGeometry(geometry)

    def offer_recovery(self) -> None:
        paths = orphaned_autosaves()
        for stale in [p for p in paths if storage.is_stale(p)]:
            storage.remove_autosave(stale)     # its file was saved after it: nothing to recover
            paths.remove(stale)
        if not paths or os.environ.get("FLOWDECK_NO_RECOVERY") == "1":
            return
        answer = ask_recover(self.w, paths)
        if answer == "discard":
            for p in paths:
                storage.remove_autosave(p)
        elif answer == "recover":
            self.recover(max(paths, key=lambda p: p.stat().st_mtime), paths)

    def recover(self, newest: Path, all_paths: list[Path]) -> None:
        try:
            doc = fileio.load(newest)
        except fileio.LoadError as e:
            warn(self.w, "Cannot recover", str(e))
            return
        own = storage.saved_file_of(newest)
        self.w.set_document(doc, own, dirty=True)
        for p in all_paths:
            storage.remove_autosave(p)
        self.w.tell(f"Recovered unsaved changes to {own or 'Untitled'} from {newest.name}: save them to keep them")


def saved_theme(default: str = "light") -> str:
    value = str(storage.settings().value("theme", default))
    return value if value in ("light", "dark") else default
