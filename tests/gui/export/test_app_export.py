"""File > Export Image and File > Export Video in the app (issue 13)."""
from __future__ import annotations

import argparse
import time
import xml.etree.ElementTree as ET

import imageio_ffmpeg
from PySide6.QtCore import QTimer
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QDialog, QFileDialog, QPushButton

from engine.cli_export import video_plan
from gui.export import app_export
from gui.screenshot import snapshot


def file_menu_texts(window) -> list[str]:
    menu = next(a.menu() for a in window.menuBar().actions() if a.menu() and window.files.quit in a.menu().actions())
    return [a.text() for a in menu.actions()]


def test_the_file_menu_offers_both_exports_above_quit(make_window):
    window = make_window("failure", start_engine=False)
    texts = file_menu_texts(window)
    assert texts.index("Export &Image…") < texts.index("Export &Video…") < texts.index("&Quit")


def test_export_image_writes_the_live_canvas_at_the_size_asked(make_window, tmp_path, dot_circles):
    window = make_window("failure", start_engine=False)
    snapshot(window, 62.0)          # the crash caption is up, errors are flying
    svg, png = tmp_path / "canvas.svg", tmp_path / "canvas.png"
    app_export.write_canvas(window, svg, (800, 450))
    app_export.write_canvas(window, png, (800, 450), scale=2.0)
    root = ET.parse(svg).getroot()
    assert root.get("viewBox") == "0 0 800 450"
    assert dot_circles(svg) == window.animator.in_flight + len(window.view.legend.kinds)
    words = " ".join(t.text or "" for t in root.iter() if t.tag.endswith("text"))
    assert "crashes" in words and "01:02.0" in words     # the caption and the clock card, as text
    image = QImage(str(png))
    assert (image.width(), image.height()) == (1600, 900)
    assert len(window.topology.views()) == 1, "the export's view is gone from the live scene"


def plan_for(window, out, start=60.0, end=62.0, fps=15, size="320x180") -> dict:
    args = argparse.Namespace(out=str(out), start=start, end=end, fps=fps, speed=1.0, size=size, theme="light")
    return video_plan(args, window.doc.duration_s)


def test_a_video_is_made_while_the_window_keeps_running(make_window, qtbot, tmp_path):
    """The frames are drawn in slices between which the event loop runs: a 10 ms timer keeps firing
    while the video is made. An export done in one call would let it fire once at most."""
    window = make_window("failure", start_engine=True)
    qtbot.waitUntil(lambda: window.charts is not None, timeout=30_000)   # its one-off start-up is done
    qtbot.wait(200)
    out = tmp_path / "v.mp4"
    export = app_export.VideoExport(window, plan_for(window, out, end=68.0))
    assert export.job.stage.runner is not window.bridge.runner and export.job.stage.doc is not window.doc
    ticks, results = [], []
    beat = QTimer()
    beat.timeout.connect(lambda: ticks.append(time.perf_counter()))
    export.finished.connect(results.append)
    beat.start(10)
    started = time.perf_counter()
    export.start()
    qtbot.waitUntil(lambda: bool(results), timeout=60_000)
    ended = time.perf_counter()
    beat.stop()
    assert results == [True]
    assert imageio_ffmpeg.count_frames_and_secs(str(out))[0] == 120
    during = [started] + [t for t in ticks if started < t < ended] + [ended]
    longest = max(b - a for a, b in zip(during, during[1:]))
    assert len(during) >= 5 and longest < 0.25, \
        f"the event loop ran {len(during) - 2} times in {ended - started:.2f} s of export; longest freeze {longest:.2f} s"


def test_cancel_leaves_no_file(make_window, qtbot, tmp_path):
    window = make_window("failure", start_engine=False)
    export = app_export.VideoExport(window, plan_for(window, tmp_path / "v.mp4", start=0.0, end=400.0, fps=30))
    results = []
    export.finished.connect(results.append)
    export.start()
    qtbot.waitUntil(lambda: export.job.done >= 3, timeout=30_000)
    button = export.progress.findChild(QPushButton)
    assert button.text() == "Cancel"
    button.click()
    qtbot.waitUntil(lambda: bool(results), timeout=10_000)
    assert results == [False]
    assert list(tmp_path.iterdir()) == []


def test_the_dialogs_defaults_start_at_the_current_time(make_window, qtbot, tmp_path, monkeypatch):
    window = make_window("failure", start_engine=False)
    snapshot(window, 100.0)
    seen = {}

    def accept(dialog):
        seen["from"], seen["to"] = dialog.start.value(), dialog.end.value()
        dialog.end.setValue(dialog.start.value() + 1.0)
        dialog.size.setCurrentText("640x360")
        dialog.format.setCurrentText("GIF")
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(app_export.VideoDialog, "exec", accept)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "talk"), ""))
    export = app_export.export_video(window)
    results = []
    export.finished.connect(results.append)
    qtbot.waitUntil(lambda: bool(results), timeout=60_000)
    assert seen == {"from": 100.0, "to": 120.0}
    assert (tmp_path / "talk.gif").read_bytes()[:6] == b"GIF89a"
    assert imageio_ffmpeg.count_frames_and_secs(str(tmp_path / "talk.gif"))[0] == 30
