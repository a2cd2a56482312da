"""The engine bridge stops cleanly, with no thread left, after any sequence of controls."""
from __future__ import annotations

import subprocess
import sys
import textwrap

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtWidgets import QApplication

from engine import examples, fileio
from gui.run.bridge import EngineBridge
from tests.gui.conftest import engine_threads

ACTIONS = st.lists(st.one_of(
    st.just(("play",)), st.just(("pause",)), st.just(("step",)), st.just(("reset",)),
    st.tuples(st.just("speed"), st.sampled_from([0.1, 1.0, 10.0, 100.0])),
    st.tuples(st.just("frames"), st.integers(1, 4)),
), max_size=12)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actions=ACTIONS, close_window=st.booleans())
def test_bridge_stops_cleanly_after_any_sequence(make_window, qtbot, actions, close_window):
    window = make_window("web-tier")
    for action in actions:
        name = action[0]
        if name == "play" and window.paused or name == "pause" and not window.paused:
            window.toggle_play()
        elif name == "step":
            window.step()
        elif name == "reset":
            window.reset()
        elif name == "speed":
            window.bridge.set_speed(action[1])
        elif name == "frames":
            frames = []
            window.bridge.frame.connect(frames.append)
            qtbot.waitUntil(lambda: len(frames) >= action[1], timeout=3000)
            window.bridge.frame.disconnect(frames.append)
    if close_window:
        window.close()
    else:
        window.bridge.stop()
    assert not window.bridge.is_running()
    assert not engine_threads()
    assert window.bridge.error is None


def test_about_to_quit_stops_the_engine(qtbot):
    bridge = EngineBridge(fileio.load(examples.path("web-tier")))
    bridge.start()
    bridge.play()
    qtbot.waitUntil(lambda: bridge.runner.now > 0.2, timeout=5000)
    QApplication.instance().aboutToQuit.emit()
    assert not bridge.is_running() and not engine_threads()


def test_quitting_the_app_while_running_leaves_no_thread_and_no_abort(tmp_path):
    """The whole app in a subprocess: play at 100x, quit; exit code 0 means no abort at exit."""
    script = textwrap.dedent("""
        import os, sys, threading
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QApplication
        from engine import examples, fileio
        from gui.window import MainWindow
        app = QApplication([])
        window = MainWindow(fileio.load(examples.path("spike")))
        window.show()
        window.toolbar.speed_slider.setValue(9)
        QTimer.singleShot(100, window.toggle_play)
        QTimer.singleShot(1500, app.quit)
        code = app.exec()
        alive = [t.name for t in threading.enumerate() if t is not threading.main_thread()]
        print("alive:", alive, "t:", round(window.engine_t, 1))
        sys.exit(code if not alive else 3)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "alive: []" in done.stdout


def test_cycles_are_collected_on_the_gui_thread_only(make_window, qtbot):
    """A cycle collection in the engine thread once freed Qt objects there and deadlocked against
    the GUI thread (a full test run hung). With an engine thread running, Python's automatic
    collection is off and the GUI thread collects on a timer: garbage cycles still go."""
    import gc
    import threading
    import weakref
    make_window("web-tier")
    assert not gc.isenabled()

    class Node:
        pass
    seen = []

    def collect_and_note(*_):
        seen.append(threading.current_thread() is threading.main_thread())
    a, b = Node(), Node()
    a.other, b.other = b, a
    gone = weakref.ref(a)
    del a, b
    gc.callbacks.append(collect_and_note)
    try:
        for _ in range(800):
            [[] for _ in range(2)]     # allocations, so a generation-0 collection is due
        qtbot.waitUntil(lambda: gone() is None, timeout=5000)
    finally:
        gc.callbacks.remove(collect_and_note)
    assert seen and all(seen), "collections ran on the GUI thread only"
