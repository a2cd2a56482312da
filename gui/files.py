"""Files for the app: atomic saving with QSaveFile, recent files, and autosave with crash recovery."""
from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QObject, QSaveFile, QSettings, QStandardPaths, QTimer, Slot

from engine import fileio
from engine.model import Document

MAX_RECENT = 8
AUTOSAVE_MS = 60_000
SUFFIX = ".flowdeck.json"


def save_atomic(doc: Document, path: str | os.PathLike) -> None:
    """Write through QSaveFile: the old file stays whole until the new one is complete."""
    f = QSaveFile(str(path))
    if not f.open(QSaveFile.OpenModeFlag.WriteOnly):
        raise OSError(f"{path}: cannot write: {f.errorString()}")
    f.write(fileio.dumps(doc).encode("utf-8"))
    if not f.commit():
        raise OSError(f"{path}: cannot write: {f.errorString()}")


def settings() -> QSettings:
    # INI everywhere (the native format is INI on Linux anyway): tests redirect it with QSettings.setPath.
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "FlowDeck", "FlowDeck")


def recent_files() -> list[str]:
    value = settings().value("recent_files", [])
    if isinstance(value, str):  # QSettings gives a lone string for a one-item list on some back-ends
        value = [value]
    return [p for p in (value or []) if Path(p).exists()]


def add_recent(path: str) -> list[str]:
    path = str(Path(path).resolve())
    files = [path] + [p for p in recent_files() if p != path]
    settings().setValue("recent_files", files[:MAX_RECENT])
    return files[:MAX_RECENT]


def autosave_dir() -> Path:
    base = os.environ.get("FLOWDECK_DATA_DIR") or QStandardPaths.writableLocation(
        QStandardPaths.StandardLocation.AppDataLocation) or str(Path.home() / ".flowdeck")
    return Path(base) / "autosave"


def pending_recoveries() -> list[Path]:
    """Autosaves left behind by a session that did not close cleanly."""
    folder = autosave_dir()
    return sorted(folder.glob(f"*{SUFFIX}")) if folder.is_dir() else []


class Autosaver(QObject):
    """Every minute, writes the document (if it changed) to the app data folder; a clean close
    removes the file, so one left behind means the app crashed."""

    def __init__(self, doc_getter, is_dirty, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._doc, self._dirty = doc_getter, is_dirty
        self.path = autosave_dir() / f"session-{os.getpid()}{SUFFIX}"
        self.timer = QTimer(self)
        self.timer.setInterval(AUTOSAVE_MS)
        self.timer.timeout.connect(self.save_now)
        self.timer.start()

    @Slot()
    def save_now(self) -> None:
        if not self._dirty():
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            save_atomic(self._doc(), self.path)
        except OSError:
            pass  # autosave is a safety net; a full disk must not interrupt the user

    def discard(self) -> None:
        self.timer.stop()
        self.path.unlink(missing_ok=True)
