"""File > Export Image and File > Export Video in the app.

An image is the live canvas as it is now, dots included, drawn by a second view of the same scene
that is never shown: at the size asked for, fitted, with the caption, the legend and a clock card
(PNG at a scale, or SVG / PDF in which everything is a shape). A video is made from a copy of the
document on a stage of its own (gui.export.stage): the live engine thread is never touched. Its
frames are drawn a slice at a time on a timer, so the window keeps painting and the progress
dialog's Cancel is heard between slices.
"""
from __future__ import annotations

import argparse
import re
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (QApplication, QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox, QFileDialog, QFormLayout,
                               QHBoxLayout, QMessageBox, QProgressDialog, QSpinBox, QWidget)

from engine.cli_export import DEFAULT_LENGTH_S, OutError, video_plan
from gui.canvas.view import CanvasView
from gui.export.image import write_widget
from gui.export.stage import ClockCard
from gui.export.video import VideoJob
from gui.files.document_io import is_example

IMAGE_FORMATS = {"PNG image": ".png", "SVG (vector)": ".svg", "PDF (vector)": ".pdf"}
VIDEO_FORMATS = {"MP4 (H.264)": ".mp4", "GIF": ".gif"}
VIDEO_SIZES = ("1280x720", "1920x1080", "960x540", "640x360")
SLICE_S = 0.05        # wall seconds of frames per timer tick: the window paints between slices


def install(window: Any) -> None:
    """Add Export Image… and Export Video… to the File menu, above Quit."""
    quit_action = window.files.quit
    menu = next(a.menu() for a in window.menuBar().actions() if a.menu() and quit_action in a.menu().actions())
    window.export_image_action = QAction("Export &Image…", window)
    window.export_image_action.setShortcut("Ctrl+Shift+E")
    window.export_image_action.triggered.connect(lambda: export_image(window))
    window.export_video_action = QAction("Export &Video…", window)
    window.export_video_action.triggered.connect(lambda: export_video(window))
    for action in (window.export_image_action, window.export_video_action):
        menu.insertAction(quit_action, action)
        window.addAction(action)
    menu.insertSeparator(quit_action)


# -- images ---------------------------------------------------------------------------------------
def write_canvas(window: Any, out: str | Path, size: tuple[int, int], scale: float = 1.0) -> None:
    """The live canvas at `size` (fitted), with its dots, caption, legend and clock, to `out`."""
    view = CanvasView(window.topology)
    view.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
    view.resize(*size)
    view.show()
    view.fit()
    live = window.view
    if live.banner.isVisible():
        view.banner.show_text(live.banner.text, live.banner.hint)
    view.legend.kinds = live.legend.kinds
    view.legend.set_stride(live.legend.stride)
    view.legend.place()
    clock = ClockCard(view, window.doc.title)
    clock.set_time(window.clock.t)
    clock.place()
    clock.show()       # a child made after its parent was shown starts hidden
    try:
        write_widget(view, out, scale, title=window.doc.title)
    finally:
        view.setScene(None)
        view.close()
        view.deleteLater()


class ImageDialog(QDialog):
    def __init__(self, parent: QWidget, size: tuple[int, int]) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export Image")
        form = QFormLayout(self)
        self.format = QComboBox()
        self.format.addItems(list(IMAGE_FORMATS))
        self.width_box, self.height_box = _side(size[0]), _side(size[1])
        pair = QHBoxLayout()
        pair.addWidget(self.width_box)
        pair.addWidget(self.height_box)
        self.scale = QComboBox()
        self.scale.addItems(["1×", "2×", "3×"])
        self.scale.setToolTip("Pixels per canvas pixel: 2× for crisp slides on a high-density screen")
        self.format.currentTextChanged.connect(lambda text: self.scale.setEnabled(IMAGE_FORMATS[text] == ".png"))
        form.addRow("Format", self.format)
        form.addRow("Size (width × height)", pair)
        form.addRow("Scale", self.scale)
        form.addRow(_buttons(self, "Export…"))

    def choice(self) -> tuple[str, tuple[int, int], float]:
        return (IMAGE_FORMATS[self.format.currentText()], (self.width_box.value(), self.height_box.value()),
                float(self.scale.currentIndex() + 1))


def export_image(window: Any) -> None:
    dialog = ImageDialog(window, (window.view.width(), window.view.height()))
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return
    suffix, size, scale = dialog.choice()
    path = _ask_path(window, "Export Image", suffix)
    if not path:
        return
    try:
        write_canvas(window, path, size, scale)
    except (OSError, ValueError) as e:
        QMessageBox.warning(window, "Export Image", f"Could not write {path}: {e}")
        return
    window.tell(f"Exported the canvas to {path}")


# -- videos ---------------------------------------------------------------------------------------
class VideoDialog(QDialog):
    def __init__(self, parent: QWidget, now: float, duration: float) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export Video")
        form = QFormLayout(self)
        start = min(now, max(0.0, duration - 1.0))
        self.start = _seconds(start, duration)
        self.end = _seconds(min(duration, start + DEFAULT_LENGTH_S), duration)
        self.speed = QDoubleSpinBox()
        self.speed.setRange(0.1, 100.0)
        self.speed.setValue(1.0)
        self.speed.setSuffix(" ×")
        self.speed.setToolTip("Simulated seconds per second of video")
        self.fps = QComboBox()
        self.fps.addItems(["30", "60", "24", "15"])
        self.size = QComboBox()
        self.size.addItems(list(VIDEO_SIZES))
        self.format = QComboBox()
        self.format.addItems(list(VIDEO_FORMATS))
        form.addRow("From (simulated s)", self.start)
        form.addRow("To (simulated s)", self.end)
        form.addRow("Speed", self.speed)
        form.addRow("Frames per second", self.fps)
        form.addRow("Size", self.size)
        form.addRow("Format", self.format)
        form.addRow(_buttons(self, "Export…"))

    def settings(self, out: str, theme_name: str) -> argparse.Namespace:
        return argparse.Namespace(out=out, start=self.start.value(), end=self.end.value(),
                                  fps=int(self.fps.currentText()), speed=self.speed.value(),
                                  size=self.size.currentText(), theme=theme_name)


class VideoExport(QObject):
    """One video being made while the window runs on: a timer draws slices of frames."""

    finished = Signal(bool)     # True: the file is written; False: cancelled or failed

    def __init__(self, window: Any, plan: dict) -> None:
        super().__init__(window)
        self.window, self.plan = window, plan
        self.job = VideoJob(window.doc.copy(), plan)     # the document as edited now; a run of its own
        self.progress = QProgressDialog(f"Rendering {Path(plan['out']).name}…", "Cancel", 0, plan["frames"], window)
        self.progress.setWindowTitle("Export Video")
        self.progress.setWindowModality(Qt.WindowModality.WindowModal)
        self.progress.setMinimumDuration(0)
        self.progress.canceled.connect(self.cancel)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._tick)
        QApplication.instance().aboutToQuit.connect(self.cancel)     # no half video left behind on quit

    def start(self) -> None:
        self.progress.setValue(0)
        self.timer.start(0)

    def _tick(self) -> None:
        if self.progress.wasCanceled():
            self.cancel()
            return
        deadline = time.perf_counter() + SLICE_S
        try:
            while time.perf_counter() < deadline:
                if not self.job.step():
                    self._end(True)
                    return
        except OSError as e:
            self._end(False)
            QMessageBox.warning(self.window, "Export Video", f"Could not write {self.plan['out']}: {e}")
            return
        self.progress.setValue(self.job.done)

    def cancel(self) -> None:
        if self.timer.isActive():
            self.job.cancel()
            self._end(False)

    def _end(self, ok: bool) -> None:
        self.timer.stop()
        self.progress.canceled.disconnect(self.cancel)
        QApplication.instance().aboutToQuit.disconnect(self.cancel)
        self.progress.close()
        if ok:
            self.window.tell(f"Exported {self.plan['frames']} frames to {self.plan['out']}")
        self.finished.emit(ok)
        self.deleteLater()


def export_video(window: Any) -> VideoExport | None:
    dialog = VideoDialog(window, window.clock.t, window.doc.duration_s)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    suffix = VIDEO_FORMATS[dialog.format.currentText()]
    path = _ask_path(window, "Export Video", suffix)
    if not path:
        return None
    try:
        plan = video_plan(dialog.settings(path, window.theme_name), window.doc.duration_s)
    except OutError as e:
        QMessageBox.warning(window, "Export Video", str(e))
        return None
    export = VideoExport(window, plan)
    export.start()
    return export


# -- small parts ----------------------------------------------------------------------------------
def _ask_path(window: Any, title: str, suffix: str) -> str:
    path = window.files.path
    if path and is_example(path):
        path = None                 # not into the package's own folder
    folder = Path(path).parent if path else Path.home()
    stem = Path(path).name.split(".")[0] if path else re.sub(r"\W+", "-", window.doc.title.lower()).strip("-")
    suggested = str(folder / f"{stem or 'flowdeck'}{suffix}")
    path, _ = QFileDialog.getSaveFileName(window, title, suggested, f"{suffix[1:].upper()} (*{suffix})")
    if path and not path.lower().endswith(suffix):
        path += suffix
    return path


def _side(value: int) -> QSpinBox:
    box = QSpinBox()
    box.setRange(100, 8000)
    box.setValue(max(100, min(8000, value)))
    box.setSuffix(" px")
    return box


def _seconds(value: float, duration: float) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(0.0, duration)
    box.setDecimals(1)
    box.setValue(value)
    box.setSuffix(" s")
    return box


def _buttons(dialog: QDialog, ok_text: str) -> QDialogButtonBox:
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    buttons.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons
