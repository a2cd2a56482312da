"""GUI tests run offscreen; the engine thread gets the GUI's switch interval (DESIGN.md section 3)."""
from __future__ import annotations

import os
import sys
import threading

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.setswitchinterval(0.001)

import pytest  # noqa: E402

from engine import examples, fileio  # noqa: E402


@pytest.fixture(autouse=True)
def isolated_app_state(tmp_path_factory, monkeypatch):
    """Settings, autosaves and recent files of GUI tests live in a temporary folder; windows left
    with unsaved changes close without asking; the geometry file is off unless a test sets it."""
    from PySide6.QtCore import QSettings
    base = tmp_path_factory.mktemp("app-state")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(base / "settings"))
    monkeypatch.setenv("FLOWDECK_DATA_DIR", str(base / "data"))
    monkeypatch.setenv("FLOWDECK_NO_RECOVERY", "1")
    monkeypatch.delenv("FLOWDECK_GEOMETRY_FILE", raising=False)
    from gui.files import document_io
    monkeypatch.setattr(document_io, "ask_save", lambda parent, name: document_io.DISCARD)


def engine_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "flowdeck-engine" and t.is_alive()]


@pytest.fixture
def make_window(qtbot):
    """Build MainWindows on documents or example names; every one is closed (engine stopped) at the end."""
    from gui.window import MainWindow
    made = []

    def make(doc_or_name, theme: str = "light", start_engine: bool = True, size=(1280, 800)):
        doc = fileio.load(examples.path(doc_or_name)) if isinstance(doc_or_name, str) else doc_or_name
        window = MainWindow(doc, theme, start_engine=start_engine)
        window.resize(*size)
        qtbot.addWidget(window)
        window.show()
        made.append(window)
        return window

    yield make
    for window in made:
        window.close()
    assert not engine_threads(), "an engine thread outlived its window"
