"""`flowdeck` and `flowdeck FILE`: the desktop app on the built-in demo or on a topology file."""
from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from engine import examples, fileio

DEFAULT_SIZE = (1440, 900)


def main(path: str | None = None, theme_name: str | None = None) -> int:
    """Open the app on `path` (or the demo), paused at time 0; returns the exit code.

    A built-in example opens as an untitled copy, so saving never overwrites it.
    """
    sys.setswitchinterval(0.001)   # a busy engine thread must not starve the GUI thread
    source = path or str(examples.path(examples.DEMO))
    doc = fileio.load(source)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("FlowDeck")
    app.setApplicationDisplayName("FlowDeck")
    from gui.files.document_io import is_example, saved_theme
    from gui.window import MainWindow
    window = MainWindow(doc, theme_name or saved_theme(),
                        path=None if is_example(source) else str(Path(source).resolve()))
    if window.files.path:
        from gui.files import storage
        storage.add_recent(window.files.path)
    if not window.files.restore_settings():
        screen = app.primaryScreen().availableGeometry()      # a 1280x800 projector gets all of it
        window.resize(min(DEFAULT_SIZE[0], screen.width()), min(DEFAULT_SIZE[1], screen.height()))
    window.show()
    window.raise_()
    window.activateWindow()        # keyboard shortcuts work before the first click
    QTimer.singleShot(0, window.files.offer_recovery)
    code = app.exec()
    window.bridge.stop()
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else None))
