"""Run by test_inspector_wheel in a real X server: the app's window on an example with a group
selected, a real mouse wheel (xdotool) turned over an unfocused number field of the inspector;
prints what changed as one JSON line. Each step waits for a condition, never for a fixed time."""
from __future__ import annotations

import json
import subprocess
import sys
import time

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from engine import examples, fileio
from gui.files import document_io
from gui.window import MainWindow

NODE, FIELD, CLICKS = "orders", "max_size", 4


def main() -> None:
    app = QApplication(sys.argv[:1])
    document_io.ask_save = lambda parent, name: document_io.DISCARD
    window = MainWindow(fileio.load(examples.path("fan-out")), "light", start_engine=False)
    window.resize(1600, 1000)
    window.move(0, 0)
    window.show()
    state: dict = {"step": 0, "deadline": time.monotonic() + 20}

    def bar():
        return window.inspector.scroll_area().verticalScrollBar()

    def tick() -> None:
        if time.monotonic() > state["deadline"]:
            finish("timed out at step %d" % state["step"])
        elif state["step"] == 0:
            window.inspector_dock.raise_()
            window.topology.select_ids([NODE], [])
            state["step"] = 1
        elif state["step"] == 1 and window.inspector.owner_id == NODE and bar().maximum() > 0 and \
                window.inspector.editors[FIELD].isVisible():
            spin = window.inspector.editors[FIELD].input
            state["before"] = (spin.value(), bar().value(), window.undo_stack.count())
            centre = spin.mapToGlobal(spin.rect().center())
            subprocess.run(["xdotool", "mousemove", str(centre.x()), str(centre.y())], check=True)
            subprocess.run(["xdotool", "click", "--repeat", str(CLICKS), "5"], check=True)
            state["step"] = 2
        elif state["step"] == 2 and bar().value() > 0:
            state["deadline"] = min(state["deadline"], time.monotonic() + 1)   # let the last clicks land
            state["step"] = 3
        elif state["step"] == 3 and time.monotonic() > state["deadline"] - 0.5:
            finish(None)

    def finish(problem: str | None) -> None:
        spin = window.inspector.editors[FIELD].input
        print(json.dumps({"problem": problem, "before": state.get("before"),
                          "after": (spin.value(), bar().value(), window.undo_stack.count()),
                          "focused": spin.hasFocus()}), flush=True)
        timer.stop()
        window.close()
        app.quit()

    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(50)
    app.exec()


if __name__ == "__main__":
    main()
