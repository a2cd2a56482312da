"""`flowdeck` and `flowdeck FILE`: the desktop app on the built-in demo or on a topology file."""
from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication

from engine import examples, fileio


def main(path: str | None = None, theme_name: str = "light") -> int:
    """Open the app on `path` (or the demo), paused at time 0; returns the exit code."""
    sys.setswitchinterval(0.001)   # a busy engine thread must not starve the GUI thread
    doc = fileio.load(path or examples.path(examples.DEMO))
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("FlowDeck")
    app.setApplicationDisplayName("FlowDeck")
    from gui.window import MainWindow
    window = MainWindow(doc, theme_name)
    window.resize(1440, 900)
    window.show()
    code = app.exec()
    window.bridge.stop()
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else None))
