"""The engine bridge: a plain background thread runs `Runner.run_paced`; the GUI thread drains
the runner's batches on its own 60 Hz timer and hands them over in one signal per frame.

Nothing crosses threads but the runner's control queue and its batch outbox. The thread is not a
daemon and never touches Qt; it stops cooperatively (a threading.Event, then join) on `stop()`,
which the window calls on close and the application on `aboutToQuit`.
"""
from __future__ import annotations

import threading
import traceback
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer, Signal, Slot
from pyqtgraph.util.garbage_collector import GarbageCollector

from engine.model import Document
from engine.runner import Batch, Runner

FRAME_MS = 16
IDLE_FRAME_MS = 100     # paused with nothing to draw: look for batches ten times a second
JOIN_TIMEOUT_S = 5.0


class EngineBridge(QObject):
    frame = Signal(list)     # list[Batch], possibly empty: one emission per timer tick
    failed = Signal(str)     # the engine thread died; the text says why

    def __init__(self, doc: Document, series_interval: float = 1.0, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner = Runner(doc, series_interval=series_interval)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._error: str | None = None
        self._reported = False
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(FRAME_MS)
        self._timer.timeout.connect(self._drain)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.stop)

    # -- life cycle ----------------------------------------------------------------------------------
    def start(self) -> None:
        """Start the engine thread (paused, as the runner starts) and the frame timer."""
        if self._thread is not None:
            return
        collect_on_gui_thread()
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="flowdeck-engine", daemon=False)
        self._thread.start()
        self._timer.start()

    def _run(self) -> None:
        try:
            self.runner.run_paced(self._stop)
        except BaseException:  # noqa: BLE001 - reported on the GUI thread, never raised into Qt
            self._error = traceback.format_exc()

    @Slot()
    def stop(self) -> None:
        """Ask the engine thread to stop and wait for it; safe to call more than once."""
        self._timer.stop()
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(JOIN_TIMEOUT_S)

    def is_running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def error(self) -> str | None:
        return self._error

    @Slot()
    def _drain(self) -> None:
        if self._error and not self._reported:
            self._reported = True
            self.failed.emit(self._error.strip().splitlines()[-1])
        self.frame.emit(self.runner.take_batches())

    def take_batches(self) -> list[Batch]:
        return self.runner.take_batches()

    def set_idle(self, idle: bool) -> None:
        """Paused with nothing changing: the timer slows down (a batch speeds it up again)."""
        interval = IDLE_FRAME_MS if idle else FRAME_MS
        if self._timer.interval() != interval:     # setting it restarts the timer: only on a change
            self._timer.setInterval(interval)

    # -- controls (queued to the engine thread) ------------------------------------------------------
    def play(self) -> None: self.runner.play()
    def pause(self) -> None: self.runner.pause()
    def step(self) -> None: self.runner.request_step()
    def set_speed(self, speed: float) -> None: self.runner.set_speed(speed)
    def reset(self, doc: Document | None = None) -> None: self.runner.request_reset(doc)
    def seek(self, t: float) -> None: self.runner.request_seek(t)
    def step_back(self) -> None: self.runner.request_step_back()
    def stop_at(self, t: float) -> None: self.runner.request_stop_at(t)
    def fail(self, target: str, mode: str, factor: float = 1.0, duration_s: float | None = None) -> None:
        self.runner.fail(target, mode, factor, duration_s)
    def recover(self, target: str) -> None: self.runner.recover(target)
    def boost(self, client_id: str, factor: float, duration_s: float) -> None:
        self.runner.boost(client_id, factor, duration_s)
    def set_prop(self, target: str, prop: str, value: Any) -> None: self.runner.set_prop(target, prop, value)
    def trace_next(self, client_id: str) -> None: self.runner.trace_next(client_id)
    def watch(self, trace_id: str | None) -> None: self.runner.watch(trace_id)


_collector: GarbageCollector | None = None


def collect_on_gui_thread() -> None:
    """Python's cycle collector runs in whichever thread happens to allocate. Run in the engine
    thread, it can free a window's Qt objects there, and Qt's destructor then waits for a lock the
    GUI thread holds while the GUI thread waits for the interpreter: a deadlock (seen as a hung
    test). From the first engine thread on, automatic collection is off and pyqtgraph's collector
    collects on a timer in the GUI thread instead."""
    global _collector
    if _collector is None:
        _collector = GarbageCollector(interval=1.0)
