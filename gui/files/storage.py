"""Files for the app: atomic saving with QSaveFile, recent files, and autosave with crash recovery."""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QObject, QSaveFile, QSettings, QStandardPaths, QTimer, Slot

from engine import fileio
from engine.model import Document

MAX_RECENT = 8
AUTOSAVE_MS = 60_000
SUFFIX = ".flowdeck.json"


class SaveError(OSError):
    """A document that could not be saved; the message names the file and the reason."""


def surrogate_path(value: Any, where: str = "$") -> str | None:
    """The JSON path of the first string holding a lone surrogate (which UTF-8 cannot encode), or None."""
    if isinstance(value, str):
        return where if any("\ud800" <= c <= "\udfff" for c in value) else None
    if isinstance(value, dict):
        pairs = [(f"{where} (a key)", k) for k in value] + [(f"{where}.{k}", v) for k, v in value.items()]
    elif isinstance(value, (list, tuple)):
        pairs = [(f"{where}[{i}]", v) for i, v in enumerate(value)]
    else:
        return None
    return next((p for p in (surrogate_path(v, w) for w, v in pairs) if p), None)


def encoded(doc: Document, path: str | os.PathLike) -> bytes:
    """The file's bytes, or a SaveError saying which text cannot be written."""
    data = fileio.to_data(doc)
    where = surrogate_path(data)
    if where:
        raise SaveError(f"{path}: cannot save: the text at {where} holds a lone surrogate, a broken character "
                        "that a UTF-8 file cannot hold; retype that text and save again")
    try:
        return fileio.dumps(doc).encode("utf-8")
    except (ValueError, TypeError) as e:
        raise SaveError(f"{path}: cannot save: {e}") from e


def save_atomic(doc: Document, path: str | os.PathLike) -> None:
    """Write through QSaveFile: the old file stays whole until the new one is complete."""
    data = encoded(doc, path)       # before opening: a document that cannot be written leaves no trace
    f = QSaveFile(str(path))
    if not f.open(QSaveFile.OpenModeFlag.WriteOnly):
        raise SaveError(f"{path}: cannot write: {f.errorString()}")
    f.write(data)
    if not f.commit():
        raise SaveError(f"{path}: cannot write: {f.errorString()}")


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


def source_of(autosave: Path) -> Path:
    """The file beside an autosave that names the document's own file (absent for an untitled one)."""
    return autosave.with_name(autosave.name[:-len(SUFFIX)] + ".source")


def saved_file_of(autosave: Path) -> str | None:
    """The file the autosaved document belongs to, or None for untitled work."""
    try:
        return source_of(autosave).read_text(encoding="utf-8").strip() or None
    except (OSError, ValueError):
        return None


def is_stale(autosave: Path) -> bool:
    """True when the file the autosave belongs to was saved after it: the autosave holds nothing newer."""
    own = saved_file_of(autosave)
    try:
        return own is not None and Path(own).stat().st_mtime_ns >= autosave.stat().st_mtime_ns
    except OSError:
        return False


def remove_autosave(autosave: Path) -> None:
    autosave.unlink(missing_ok=True)
    source_of(autosave).unlink(missing_ok=True)


def _to_stderr(text: str) -> None:
    print(text, file=sys.stderr)


class Autosaver(QObject):
    """Every minute, writes the document (if it changed) to the app data folder, with the name of
    the file it belongs to beside it; a save or a clean close removes them, so one left behind
    means the app crashed. A failure is reported once through `report`, until a save succeeds."""

    def __init__(self, doc_getter, is_dirty, parent: QObject | None = None,
                 source: Callable[[], str | None] = lambda: None, report: Callable[[str], None] = _to_stderr) -> None:
        super().__init__(parent)
        self._doc, self._dirty, self._source, self._report = doc_getter, is_dirty, source, report
        self.path = autosave_dir() / f"session-{os.getpid()}{SUFFIX}"
        self.failure: str | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(AUTOSAVE_MS)
        self.timer.timeout.connect(self.save_now)
        self.timer.start()

    @Slot()
    def save_now(self) -> None:
        if not self._dirty():
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            save_atomic(self._doc(), self.path)
            self._write_source()
        except OSError as e:
            self._failed(str(e))
            return
        self.failure = None

    def _write_source(self) -> None:
        own = self._source()
        if own:
            source_of(self.path).write_text(own, encoding="utf-8")
        else:
            source_of(self.path).unlink(missing_ok=True)

    def _failed(self, why: str) -> None:
        # autosave is a safety net: say once that it is torn, never interrupt the user with a dialog
        if why != self.failure:
            self.failure = why
            self._report(f"Autosave failed: {why}")

    def clear(self) -> None:
        """The document was saved: the autosave holds nothing the file does not."""
        remove_autosave(self.path)

    def discard(self) -> None:
        self.timer.stop()
        self.clear()
