"""`flowdeck` and `flowdeck FILE`: the desktop app on the built-in demo or on a topology file."""
from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from engine import examples, fileio
from engine.model import Document
from gui.files.document_io import warn

DEFAULT_SIZE = (1440, 900)


def main(path: str | None = None, theme_name: str | None = None, error: str | None = None) -> int:
    """Open the app on `path` (or the demo), paused at time 0; returns the exit code.

    A built-in example opens as an untitled copy, so saving never overwrites it. With `error` (the
    file given could not be opened) the app opens on an empty document and shows the error.
    """
    sys.setswitchinterval(0.001)   # a busy engine thread must not starve the GUI thread
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("FlowDeck")
    app.setApplicationDisplayName("FlowDeck")
    window = make_window(path, theme_name, error)
    if not window.files.restore_settings():
        screen = app.primaryScreen().availableGeometry()      # a 1280x800 projector gets all of it
        window.resize(min(DEFAULT_SIZE[0], screen.width()), min(DEFAULT_SIZE[1], screen.height()))
    window.show()
    window.raise_()
    window.activateWindow()        # keyboard shortcuts work before the first click
    if error:
        QTimer.singleShot(0, lambda: warn(window, "Cannot open the file", error))
    QTimer.singleShot(0, window.files.offer_recovery)
    code = app.exec()
    window.bridge.stop()
    return code


def make_window(path: str | None, theme_name: str | None = None, error: str | None = None):
    """The main window on `path`, the demo, or (after `error`) an empty document."""
    from gui.files.document_io import is_example, saved_theme
    from gui.window import MainWindow
    source = path or str(examples.path(examples.DEMO))
    doc = Document() if error else fileio.load(source)
    own = None if error or is_example(source) else str(Path(source).resolve())
    window = MainWindow(doc, theme_name or saved_theme(), path=own)
    if own:
        from gui.files import storage
        storage.add_recent(own)
    return window


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else None))
