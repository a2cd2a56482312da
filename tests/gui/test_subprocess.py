"""`flowdeck screenshot` in a subprocess for both themes, and the PySide6 void-call trap (DESIGN.md 6)."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

FLOWDECK = Path(sys.executable).with_name("flowdeck")


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_flowdeck_screenshot_writes_a_png_of_the_right_size(tmp_path, theme):
    out = tmp_path / f"shot-{theme}.png"
    cmd = [str(FLOWDECK), "screenshot", "web-tier", str(out), "--at", "150", "--size", "960x600", "--theme", theme]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    image = QImage(str(out))
    assert (image.width(), image.height()) == (960, 600)
    sample = {image.pixel(x, y) for x in range(0, 960, 7) for y in range(0, 600, 7)}
    assert len(sample) > 100, "the picture is (nearly) blank"
    corner = image.pixelColor(300, 300)   # the canvas
    assert (corner.lightness() > 180) == (theme == "light")


def test_flowdeck_screenshot_refuses_a_bad_size(tmp_path):
    done = subprocess.run([str(FLOWDECK), "screenshot", "web-tier", str(tmp_path / "x.png"), "--size", "big"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "--size" in done.stderr


def test_ten_thousand_void_calls_and_emits_do_not_abort():
    """PySide6 6.12.0 on Python 3.11 loses a reference to None on every void call or emit and
    aborts after a few thousand; the project pins PySide6 < 6.12 there."""
    script = textwrap.dedent("""
        import os
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        from PySide6.QtCore import QObject, QTimer, Signal
        from PySide6.QtWidgets import QApplication, QLabel
        class Emitter(QObject):
            ping = Signal()
            value = Signal(int)
        app = QApplication([])
        e, label, timer = Emitter(), QLabel(), QTimer()
        got = []
        e.value.connect(got.append)
        for i in range(10_000):
            e.ping.emit()
            e.value.emit(i)
            label.setText("x")
            label.update()
            timer.stop()
        print("survived", len(got))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "survived 10000" in done.stdout
