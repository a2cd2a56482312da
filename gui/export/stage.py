"""The stage a video is filmed on: a run of its own, drawn offscreen at simulated times of our choosing.

A `Stage` owns a copy of the document, a `Runner` stepped in the caller's thread (never the live
engine thread's objects), a scene and a canvas view that is never shown on screen. `frame(t)`
runs the simulation to t and draws that instant: dots in flight, badges, the caption and a clock
card. Every duration that the live window measures on the wall clock (fades, how long a caption
stays, how often badges change) is measured here on the video's own clock, so the same document
and seed give the same frames on any machine, however slow.
"""
from __future__ import annotations

import math

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFontMetricsF, QImage, QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget

from engine.model import Document
from engine.runner import Runner
from gui import theme
from gui.canvas.scene import TopologyScene
from gui.canvas.view import CanvasView
from gui.panels.activity import clock_text
from gui.run.animation import DotAnimator

BASE_HEIGHT = 720          # the canvas is laid out at this height and scaled to the video's
MIN_SCALE = 0.75           # below it, text would be too small to read: small videos get a tighter layout
BADGE_PERIOD_S = 0.25      # video seconds between badge updates, as the live window does on the wall clock
CAPTION_DEFAULT_S = 12.0   # simulated seconds a caption without duration_s stays (as the live window)
CAPTION_MIN_VIDEO_S = 3.0  # and at least this long in the video, so it can be read at high speed
PRIME_S = 5.0              # simulated seconds run before the first frame, so the badges' rates are known
PRIME_CHUNK_S = 10.0       # simulated seconds run per call while getting to the first frame


class ClockCard(QWidget):
    """The document's title and the simulated time, bottom right of the canvas."""

    def __init__(self, parent: QWidget, title: str) -> None:
        super().__init__(parent)
        self.title, self.text = title, clock_text(0.0)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)

    def set_time(self, t: float) -> None:
        self.text = clock_text(t)
        self.update()

    def place(self) -> None:
        parent = self.parentWidget()
        title_w = QFontMetricsF(theme.ui_font(10)).horizontalAdvance(self.title)
        clock_w = QFontMetricsF(theme.ui_font(17, bold=True)).horizontalAdvance("00:00.0")
        w = math.ceil(min(max(title_w, clock_w) + 36, parent.width() * 0.45))
        self.setGeometry(parent.width() - w - 16, parent.height() - 66 - 16, w, 66)

    def paintEvent(self, event: QPaintEvent) -> None:
        t = theme.current()
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(t.color("border"))
        p.setBrush(t.color("surface", 0.92))
        p.drawRoundedRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5), 10, 10)
        body = QRectF(self.rect()).adjusted(16, 8, -16, -8)
        p.setPen(t.color("muted"))
        p.setFont(theme.ui_font(10))
        title = QFontMetricsF(p.font()).elidedText(self.title, Qt.TextElideMode.ElideRight, body.width())
        p.drawText(body, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop, title)
        p.setPen(t.color("text"))
        p.setFont(theme.ui_font(17, bold=True))
        p.drawText(body, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom, self.text)


class Stage:
    """An offscreen canvas on a run of its own; `frame(t)` draws simulated time t, `image()` returns it."""

    def __init__(self, doc: Document, size: tuple[int, int], speed: float = 1.0, fps: int = 30) -> None:
        self.size, self.speed, self.dt = size, speed, 1.0 / fps
        self.runner = Runner(doc)                  # its own copy of the document and its own simulation
        self.doc = doc.copy()
        self.scene = TopologyScene(self.doc)
        self.view = CanvasView(self.scene)
        self.view.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
        self.scale = max(MIN_SCALE, size[1] / BASE_HEIGHT)
        self.view.resize(math.ceil(size[0] / self.scale), math.ceil(size[1] / self.scale))
        self.clock = ClockCard(self.view, doc.title)
        self.view.show()
        self.view.fit()
        self.clock.place()
        self.animator = DotAnimator(self.scene)
        self._captions = {(a.get("at_s"), a.get("text")): a.get("duration_s", CAPTION_DEFAULT_S)
                          for a in self.doc.scenario if a.get("action") == "caption"}
        self._caption: tuple[float, float, float] | None = None    # sim start, sim duration, video start
        self.video_t = 0.0
        self._badge_t = -math.inf
        self._state_t = 0.0
        self._geometry = self.scene.geometry_version
        self._image = QImage(size[0], size[1], QImage.Format.Format_RGB32)
        self._image.setDevicePixelRatio(self.scale)

    def prime(self, t0: float, chunk_s: float = PRIME_CHUNK_S) -> bool:
        """Run towards just before t0, at most `chunk_s` simulated seconds per call, without drawing;
        True once there: the first frame then has rates, instances and the caption of its moment."""
        target = max(0.0, t0 - PRIME_S)
        until = min(target, self.runner.now + chunk_s)
        if until > self.runner.now:
            self.runner.step(until)
        batch = self.runner.make_batch()       # also lets go of the transfers of the time skipped
        self._take_captions(batch.activities, t0)
        if until < target:
            return False
        if target > 0:
            self.scene.apply_state(batch.state, target, target, True)
            self._state_t = target
            self.scene.settle()
        return True

    def start(self, t0: float) -> None:
        while not self.prime(t0):
            pass

    def frame(self, t: float) -> None:
        """Run the stage's simulation to t and draw that instant."""
        self.runner.step(t)
        batch = self.runner.make_batch()
        badges = self.video_t - self._badge_t >= BADGE_PERIOD_S - 1e-9
        self.scene.apply_state(batch.state, t, t - self._state_t, badges)
        self._state_t = t
        if badges:
            self._badge_t = self.video_t
        self.animator.ingest(batch.transfers, self.speed)
        self._take_captions(batch.activities, t)
        self._expire_caption(t)
        self.scene.animate(self.dt)
        self._keep_in_view()
        self.animator.frame(t)
        self.view.legend.set_stride(self.animator.stride)
        self.clock.set_time(t)
        self.video_t += self.dt

    def _keep_in_view(self) -> None:
        """Fit again when a group has grown past the edge of the frame (the live view leaves that to
        the presenter; a video has no one to press F)."""
        if self.scene.geometry_version == self._geometry:
            return
        self._geometry = self.scene.geometry_version
        seen = self.view.mapToScene(self.view.viewport().rect()).boundingRect()
        if not seen.contains(self.scene.content_rect()):
            self.view.fit()

    def image(self) -> QImage:
        """The current frame, `size` pixels, in a buffer reused from frame to frame."""
        self._image.fill(theme.current().color("canvas"))
        QWidget.render(self.view, self._image)
        return self._image

    def close(self) -> None:
        self.scene.detach()
        self.view.close()
        self.view.deleteLater()

    def _take_captions(self, activities: list[dict], now: float) -> None:
        for act in activities:
            if act.get("kind") != "caption":
                continue
            start = act.get("t_s", now)
            duration = self._captions.get((start, act.get("text")), CAPTION_DEFAULT_S)
            if now - start < duration:
                self._caption = (start, duration, self.video_t)
                self.view.banner.show_text(act.get("text", ""))

    def _expire_caption(self, now: float) -> None:
        if self._caption is None:
            return
        start, duration, shown = self._caption
        if now - start >= duration and self.video_t - shown >= CAPTION_MIN_VIDEO_S:
            self._caption = None
            self.view.banner.dismiss()
