"""The real app in a real X server (Xvfb), driven with the mouse and the keyboard through xdotool.

The app runs as a subprocess on a copy of an example with FLOWDECK_GEOMETRY_FILE set, which tells
the test where the palette entries, the canvas and each node's centre and port are on the screen.
Everything waits for a condition (a node in the geometry file, a change in the saved file), never
for a fixed time; Xvfb and the app are stopped whatever happens.
"""
from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

import pytest

from engine import examples, fileio

XVFB, XDOTOOL = shutil.which("Xvfb"), shutil.which("xdotool")
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not (XVFB and XDOTOOL), reason="the real-window test needs Xvfb and xdotool "
                                                      "(apt-get install -y xvfb xdotool)"),
]
ROOT = Path(__file__).resolve().parents[2]
SCREEN = "1600x1000x24"
EXAMPLE = "web-tier"


def wait_for(condition: Callable[[], Any], timeout: float = 15.0, what: str = "a condition") -> Any:
    """Poll until condition() is truthy; returns its value or fails saying what it waited for."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(f"timed out after {timeout:g} s waiting for {what}")


def snapshot(path: Path) -> str | None:
    """The document in a file, as the loader reads it (None while it is missing or being replaced)."""
    try:
        return json.dumps(fileio.to_data(fileio.load(path)), sort_keys=True)
    except fileio.LoadError:
        return None


@pytest.fixture
def display():
    """A private X server on a display number it picks itself (-displayfd)."""
    read_end, write_end = os.pipe()
    xvfb = subprocess.Popen([XVFB, "-displayfd", str(write_end), "-screen", "0", SCREEN, "-nolisten", "tcp"],
                            pass_fds=(write_end,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_end)
    try:
        ready, _, _ = select.select([read_end], [], [], 15.0)
        number = os.read(read_end, 16).decode().strip() if ready else ""
        if not number:
            pytest.fail("Xvfb did not report a display number")
        yield f":{number}"
    finally:
        os.close(read_end)
        xvfb.terminate()
        try:
            xvfb.wait(10)
        except subprocess.TimeoutExpired:
            xvfb.kill()
            xvfb.wait()


class App:
    """The app's process, its file, its geometry file and the X display it draws on."""

    def __init__(self, display: str, tmp: Path) -> None:
        self.display, self.tmp = display, tmp
        self.path = tmp / "topology.flowdeck.json"
        shutil.copy(examples.path(EXAMPLE), self.path)
        self.geometry_path = tmp / "geometry.json"
        self.log = tmp / "app.log"
        runtime = tmp / "runtime"
        runtime.mkdir(mode=0o700)
        env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb",
               "FLOWDECK_GEOMETRY_FILE": str(self.geometry_path), "FLOWDECK_NO_RECOVERY": "1",
               "HOME": str(tmp / "home"), "XDG_CONFIG_HOME": str(tmp / "config"),
               "XDG_DATA_HOME": str(tmp / "data"), "XDG_RUNTIME_DIR": str(runtime),
               "FLOWDECK_DATA_DIR": str(tmp / "flowdeck-data")}
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen([sys.executable, "-m", "engine.cli", str(self.path)], cwd=ROOT, env=env,
                                         stdout=log, stderr=subprocess.STDOUT)

    # -- what the app says about itself ---------------------------------------------------------------
    def geometry(self) -> dict | None:
        try:
            return json.loads(self.geometry_path.read_text())
        except (OSError, ValueError):
            return None

    def settled_geometry(self) -> dict:
        """The geometry once it stopped changing (the window is laid out and fitted)."""
        def settled() -> dict | None:
            first = self.geometry()
            time.sleep(0.4)
            return first if first and first.get("nodes") and first == self.geometry() else None
        return wait_for(settled, 20.0, "the app to show its window and write the geometry file")

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]

    # -- the mouse and the keyboard ------------------------------------------------------------------------
    def xdotool(self, *args: Any) -> None:
        subprocess.run([XDOTOOL, *map(str, args)], env={**os.environ, "DISPLAY": self.display},
                       check=True, timeout=10)

    def drag(self, start: list[int], end: list[int], steps: int = 12) -> None:
        """Press, move in small steps (so Qt sees a drag start and moves), release."""
        x0, y0 = start
        x1, y1 = end
        self.xdotool("mousemove", x0, y0)
        time.sleep(0.05)
        self.xdotool("mousedown", 1)
        for i in range(1, steps + 1):
            self.xdotool("mousemove", round(x0 + (x1 - x0) * i / steps), round(y0 + (y1 - y0) * i / steps))
            time.sleep(0.03)
        time.sleep(0.1)
        self.xdotool("mouseup", 1)

    def key(self, keys: str) -> None:
        self.xdotool("key", "--clearmodifiers", keys)

    def save_and_wait(self, condition: Callable[[], Any], what: str) -> Any:
        self.key("ctrl+s")
        return wait_for(condition, 10.0, f"the saved file to show {what}\n{self.output()}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture
def app(display, tmp_path):
    running = App(display, tmp_path)
    try:
        yield running
    finally:
        running.stop()


def saved(app: App) -> Any:
    return fileio.load(app.path) if snapshot(app.path) else None


def test_build_connect_undo_move_save_and_quit_in_the_real_window(app):
    original = snapshot(app.path)
    geo = app.settled_geometry()
    x, y, w, h = geo["canvas"]

    # 1. Drag an SQS queue from the palette onto the canvas.
    app.drag(geo["palette"]["sqs_queue"], [x + w // 2, y + int(h * 0.78)])
    geo = wait_for(lambda: (g := app.geometry()) and "queue1" in g["nodes"] and g, 10.0,
                   f"the dropped queue to appear\n{app.output()}")

    # 2. Connect the client to it: from the client's port to the queue's centre.
    app.drag(geo["nodes"]["users"]["port"], geo["nodes"]["queue1"]["center"])
    doc = app.save_and_wait(lambda: (d := saved(app)) and "users-queue1" in d.edges and d,
                            "the new queue and its edge")
    assert doc.nodes["queue1"].kind == "sqs_queue"
    assert (doc.edges["users-queue1"].source, doc.edges["users-queue1"].target) == ("users", "queue1")

    # 3. Undo both, save: the file is the original topology again.
    app.key("ctrl+z")
    app.key("ctrl+z")
    app.save_and_wait(lambda: snapshot(app.path) == original, "the original topology after two undos")

    # 4. Move a node with the mouse: its saved position follows the drag, in scene units.
    geo = app.settled_geometry()
    before = fileio.load(app.path)
    nodes = geo["nodes"]
    zoom = (nodes["alb"]["center"][0] - nodes["users"]["center"][0]) / (
        before.nodes["alb"].pos[0] - before.nodes["users"].pos[0])
    start = nodes["alb"]["center"]
    app.drag(start, [start[0] + 90, start[1] + 60])
    after = app.save_and_wait(lambda: (d := saved(app)) and d.nodes["alb"].pos != before.nodes["alb"].pos and d,
                              "the moved load balancer")
    dx = after.nodes["alb"].pos[0] - before.nodes["alb"].pos[0]
    dy = after.nodes["alb"].pos[1] - before.nodes["alb"].pos[1]
    assert abs(dx - 90 / zoom) <= 2 + 2 / zoom and abs(dy - 60 / zoom) <= 2 + 2 / zoom, (dx, dy, zoom)
    assert {n: d.pos for n, d in after.nodes.items() if n != "alb"} == \
           {n: d.pos for n, d in before.nodes.items() if n != "alb"}

    # 5. Quit with Ctrl+Q: everything was saved, so no question, and a clean exit.
    app.key("ctrl+q")
    try:
        code = app.proc.wait(20)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the app did not quit on Ctrl+Q\n{app.output()}")
    assert code == 0, app.output()


def test_play_then_go_back_on_the_timeline_with_the_mouse_and_keys(app):
    """The presenter's gesture: play, pause, click back on the timeline, then Home and Page Down."""
    app.settled_geometry()
    app.key("plus")
    app.key("plus")
    app.key("space")                                  # play (at 4x or so)
    wait_for(lambda: (g := app.geometry()) and g["sim_time_s"] >= 40.0, 30.0, f"the run to reach 0:40\n{app.output()}")
    app.key("space")
    geo = wait_for(lambda: (g := app.geometry()) and g["paused"] and g, 10.0, "the run to pause")
    x, y, w, h = geo["timeline"]
    duration = fileio.load(app.path).duration_s
    label = 10 + 64                                   # gui/run/timeline.py: MARGIN + LABEL_W
    target = 10.0
    click_x = round(x + label + (w - 2 * label) * target / duration)
    app.xdotool("mousemove", click_x, y + h - 5)
    app.xdotool("click", 1)
    wait_for(lambda: (g := app.geometry()) and abs(g["sim_time_s"] - target) < 2.0, 10.0,
             f"the clock to go back to about 0:10\n{app.output()}")
    app.key("Home")
    wait_for(lambda: (g := app.geometry()) and g["sim_time_s"] == 0.0, 10.0, f"Home to go to 0:00\n{app.output()}")


def test_present_with_page_down_only(app):
    """The talk with a clicker: F11, then Page Down plays to each cue and stops there (web-tier's
    cues are at 2:00 and 8:00), at 100x so the test is short."""
    app.settled_geometry()
    for _ in range(6):
        app.key("plus")                               # 1x -> 100x
    app.key("F11")
    for cue in (120.0, 480.0):
        app.key("Next")                               # Page Down
        wait_for(lambda: (g := app.geometry()) and not g["paused"], 10.0, f"Page Down to play\n{app.output()}")
        geo = wait_for(lambda: (g := app.geometry()) and g["paused"] and g["sim_time_s"] >= cue - 1e-6 and g,
                       30.0, f"Page Down to play on to {cue:g} s and stop\n{app.output()}")
        assert abs(geo["sim_time_s"] - cue) < 1e-6, geo["sim_time_s"]
    app.key("Escape")
    app.key("Next")                                   # out of presentation: the timeline's jump to the end
    wait_for(lambda: (g := app.geometry()) and g["sim_time_s"] == fileio.load(app.path).duration_s, 15.0,
             f"Page Down outside presentation mode to jump to the end\n{app.output()}")


def test_click_a_moving_dot_and_its_trace_opens(app):
    """Issue 12: pause with requests in flight, click one dot with the mouse: the trace of the
    request it draws opens (the geometry file names the trace the view follows)."""
    app.settled_geometry()
    app.key("space")                                  # play
    wait_for(lambda: (g := app.geometry()) and g["sim_time_s"] >= 5.0, 30.0, f"the run to reach 0:05\n{app.output()}")
    app.key("space")
    geo = wait_for(lambda: (g := app.geometry()) and g["paused"] and g.get("dots") and g, 10.0,
                   f"the run to pause with dots on screen\n{app.output()}")
    assert geo.get("trace") is None
    x, y = geo["dots"][0]
    app.xdotool("mousemove", x, y)
    app.xdotool("click", 1)
    trace = wait_for(lambda: (g := app.geometry()) and g.get("trace"), 10.0,
                     f"a trace to open after clicking the dot at {x}, {y}\n{app.output()}")
    assert trace.startswith("users#") or ">" in trace, trace
