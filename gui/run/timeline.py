"""The timeline under the canvas: the run's length, the played-so-far band, scenario cues as markers,
and a head that can be dragged to any moment of what was played (or clicked ahead to run there)."""
from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QColor, QKeySequence, QMouseEvent, QPainter, QPaintEvent, QPen, QPolygonF, QShortcut
from PySide6.QtWidgets import QToolTip, QWidget

from gui import theme
from gui.panels.activity import clock_text

MARGIN = 10.0
MARKER_W, MARKER_H = 12.0, 10.0   # a cue's triangle above the track
LABEL_W = 64.0            # room for "00:00.0" at each end of the track
CUE_COLOURS = {"caption": "accent", "pause": "accent", "fail": "unhealthy", "recover": "healthy",
               "set": "warning"}
MARK_TONES = {"scale_out": "healthy", "scale_in": "draining", "unhealthy": "unhealthy", "failure": "unhealthy"}
SEEK_COALESCE_MS = 40     # while dragging, at most one seek this often: each restores and replays


def cues_of(scenario: list[dict[str, Any]]) -> list[tuple[float, str, str]]:
    """(time, action, words) for each scenario action, in time order."""
    return [cue[:3] for cue in indexed_cues(scenario)]


def indexed_cues(scenario: list[dict[str, Any]]) -> list[tuple[float, str, str, int]]:
    """(time, action, words, index in the scenario) for each scenario action, in time order."""
    out = []
    for i, act in enumerate(scenario):
        kind = act["action"]
        words = act.get("text") or " ".join(str(act.get(k, "")) for k in ("target", "prop", "mode", "value")).strip()
        out.append((float(act["at_s"]), kind, f"{clock_text(act['at_s'])}  {kind}: {words}", i))
    return sorted(out, key=lambda c: c[0])


class Timeline(QWidget):
    seek_requested = Signal(float)
    cue_moved = Signal(int, float)          # a marker dragged: scenario index, new time
    cue_edit_requested = Signal(int)        # a marker double-clicked
    menu_requested = Signal(object, float, QPoint)   # right-click: scenario index or None, time, global pos

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFixedHeight(46)
        self.setMouseTracking(True)
        self.setToolTip("Drag to go back to any moment played; click a marker to jump to its cue")
        self.duration, self.now, self.played_to = 600.0, 0.0, 0.0
        self.cues: list[tuple[float, str, str]] = []
        self.cue_ids: list[int] = []      # each cue's index in the document's scenario
        self.cue_drag: CueDrag | None = None
        self.shortcuts: dict[str, QShortcut] = {}
        self.marks: dict[tuple[float, str], str] = {}   # (time, activity kind) -> its words, as ticks
        self._dragging = False
        self._pending: float | None = None
        self._timer = QTimer(self, singleShot=True, interval=SEEK_COALESCE_MS)
        self._timer.timeout.connect(self._send_seek)

    # -- what it shows ------------------------------------------------------------------------------
    def set_scenario(self, scenario: list[dict[str, Any]], duration: float) -> None:
        indexed = indexed_cues(scenario)
        self.cues, self.cue_ids = [c[:3] for c in indexed], [c[3] for c in indexed]
        self.duration = max(duration, 1e-9)
        self.update()

    def set_times(self, now: float, played_to: float) -> None:
        if (now, played_to) != (self.now, self.played_to):
            self.now, self.played_to = now, played_to
            self.update()

    def add_activities(self, activities: list[dict[str, Any]]) -> None:
        """Scaling and health activities become ticks under the track."""
        for act in activities:
            if act.get("kind") in MARK_TONES:
                self.marks[(act["t_s"], act["kind"])] = act.get("text", "")

    def forget_after(self, t: float) -> None:
        """A run restarted or forked at t: its activities after t did not happen."""
        self.marks = {key: text for key, text in self.marks.items() if key[0] <= t}

    def cue_times(self) -> list[float]:
        return sorted({t for t, _, _ in self.cues} | {0.0, self.duration})

    def cue_before(self, now: float) -> float:
        """The cue before now, with a little slack so pressing again goes further back."""
        return max((t for t in self.cue_times() if t < now - 0.5), default=0.0)

    def cue_after(self, now: float) -> float:
        return min((t for t in self.cue_times() if t > now + 1e-6), default=self.duration)

    # -- geometry -------------------------------------------------------------------------------------
    def _track(self) -> QRectF:
        return QRectF(MARGIN + LABEL_W, self.height() - 18, self.width() - 2 * (MARGIN + LABEL_W), 6)

    def x_of(self, t: float) -> float:
        track = self._track()
        return track.left() + track.width() * min(1.0, max(0.0, t / self.duration))

    def t_of(self, x: float) -> float:
        track = self._track()
        return min(self.duration, max(0.0, (x - track.left()) / max(1.0, track.width()) * self.duration))

    def _cue_near(self, x: float, y: float | None = None) -> tuple[float, str, str] | None:
        i = self.cue_index_near(x, y)
        return None if i is None else self.cues[i]

    def marker_rects(self) -> list[QRectF]:
        """Where each cue's marker is drawn: above the track, stacked when cues share a moment."""
        track, placed = self._track(), []
        for at, _, _ in self.cues:
            x = self.x_of(at)
            level = sum(1 for r in placed if abs(r.center().x() - x) < MARKER_W)
            placed.append(QRectF(x - MARKER_W / 2, track.top() - 1 - MARKER_H * (level + 1), MARKER_W, MARKER_H))
        return placed

    def cue_index_near(self, x: float, y: float | None = None) -> int | None:
        """The position in self.cues of the marker under (x, y), or nearest x within grabbing distance."""
        rects = self.marker_rects()
        if y is not None:
            hit = [i for i, r in enumerate(rects) if r.adjusted(-2, -2, 2, 2).contains(QPointF(x, y))]
            if hit:
                return hit[-1]      # the one drawn on top
        near = sorted((abs(r.center().x() - x), i) for i, r in enumerate(rects) if abs(r.center().x() - x) <= 6)
        return near[0][1] if near else None

    # -- painting ---------------------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        t = theme.current()
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor(t.window))
        track = self._track()
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(t.border))
        p.drawRoundedRect(track, 3, 3)
        played = QRectF(track.left(), track.top(), self.x_of(self.played_to) - track.left(), track.height())
        band = QColor(t.accent)
        band.setAlphaF(0.55)
        p.setBrush(band)
        p.drawRoundedRect(played, 3, 3)
        for i, ((at, kind, _), rect) in enumerate(zip(self.cues, self.marker_rects())):
            if self.cue_drag is not None and self.cue_drag.moved and self.cue_drag.cue == i:
                rect.moveCenter(QPointF(self.x_of(self.cue_drag.t), rect.center().y()))
            p.setBrush(QColor(getattr(t, CUE_COLOURS.get(kind, "muted"))))
            p.setPen(QPen(QColor(t.window), 1.0))
            p.drawPolygon(QPolygonF([rect.topLeft(), rect.topRight(), QPointF(rect.center().x(), rect.bottom())]))
        p.setPen(Qt.PenStyle.NoPen)
        for (at, kind), _ in self.marks.items():
            x = self.x_of(at)
            p.setPen(QPen(QColor(getattr(t, MARK_TONES[kind])), 1.5))
            p.drawLine(QPointF(x, track.bottom() + 2), QPointF(x, track.bottom() + 8))
        head = self.x_of(self.now)
        p.setPen(QPen(QColor(t.accent), 2))
        p.drawLine(QPointF(head, track.top() - 8), QPointF(head, track.bottom() + 8))
        p.setPen(QColor(t.muted))
        middle = Qt.AlignmentFlag.AlignVCenter
        band_y = track.center().y() - 10
        p.drawText(QRectF(MARGIN, band_y, LABEL_W - 8, 20), Qt.AlignmentFlag.AlignRight | middle, clock_text(0.0))
        p.drawText(QRectF(track.right() + 8, band_y, LABEL_W, 20), Qt.AlignmentFlag.AlignLeft | middle,
                   clock_text(self.duration))
        p.end()

    # -- gestures ---------------------------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:
        x = event.position().x()
        cue = self.cue_index_near(x, event.position().y())
        if event.button() == Qt.MouseButton.RightButton:
            index = None if cue is None else self.cue_ids[cue]
            at = self.cues[cue][0] if cue is not None else self.t_of(x)
            self.menu_requested.emit(index, at, event.globalPosition().toPoint())
            return
        if event.button() != Qt.MouseButton.LeftButton:
            return
        if cue is not None:      # a click jumps to the cue; a drag moves it (on release)
            self.cue_drag = CueDrag(cue, x, self.cues[cue][0])
            return
        self._dragging = True
        self._request(self.t_of(x))

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        cue = self.cue_index_near(event.position().x(), event.position().y())
        if cue is not None and event.button() == Qt.MouseButton.LeftButton:
            self.cue_drag = None
            self.cue_edit_requested.emit(self.cue_ids[cue])

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        x = event.position().x()
        if self._dragging:
            self._request(self.t_of(x))
            return
        if self.cue_drag is not None:
            self.cue_drag.follow(x, self.t_of(x))
            self.update()
            return
        cue = self._cue_near(x, event.position().y())
        if cue:
            QToolTip.showText(event.globalPosition().toPoint(), cue[2], self)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self.cue_drag is not None:
            drag, self.cue_drag = self.cue_drag, None
            self.update()
            if drag.moved:
                self.cue_moved.emit(self.cue_ids[drag.cue], round(self.t_of(event.position().x()), 1))
            else:
                self._request(self.cues[drag.cue][0])
            return
        if self._dragging:
            self._dragging = False
            self._request(self.t_of(event.position().x()))
            self._send_seek()

    def _request(self, t: float) -> None:
        self.now = t
        self.update()
        self._pending = t
        if not self._timer.isActive():
            self._timer.start()

    @Slot()
    def _send_seek(self) -> None:
        if self._pending is not None:
            t, self._pending = self._pending, None
            self.seek_requested.emit(t)


class CueDrag:
    """A press on a marker: a click if the mouse stays put, a move of that cue if it travels."""

    SLOP = 4.0

    def __init__(self, cue: int, x: float, t: float) -> None:
        self.cue, self.x0, self.t, self.moved = cue, x, t, False

    def follow(self, x: float, t: float) -> None:
        self.moved = self.moved or abs(x - self.x0) > self.SLOP
        self.t = t


def install_keys(window: QWidget, timeline: Timeline, seek: Callable[[float], None], now: Callable[[], float],
                 step_back: Callable[[], None], step: Callable[[], None]) -> None:
    """The presenter's keys: Home, Page Up / Down (previous / next cue), Shift+Left / Right (10 s),
    Left / Right (one event back / on)."""
    keys = (("Home", lambda: seek(0.0)), ("PgUp", lambda: seek(timeline.cue_before(now()))),
            ("PgDown", lambda: seek(timeline.cue_after(now()))),
            ("Shift+Left", lambda: seek(now() - 10.0)), ("Shift+Right", lambda: seek(now() + 10.0)),
            ("Left", step_back), ("Right", step))
    # Kept on the timeline: presentation mode lends Page Down a different meaning for a while.
    timeline.shortcuts = {key: QShortcut(QKeySequence(key), window, go) for key, go in keys}
