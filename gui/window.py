"""The main window: the canvas in the middle, the palette on the left, the inspector and the
charts on the right, the activity log and the undo history below, the run toolbar on top.

Each tick of the bridge's 60 Hz timer brings the batches published since the last tick; the
window applies them (dots, state, log, series) and draws one frame on the view's own clock.
Editing lives in gui.editing.actions (Edit menu, gestures' host), gui.files.document_io (File
menu) and gui.editing.session (document -> inspector and engine); the window owns one undo stack
per document. This module composes the app and nothing but the entry points (gui.app,
gui.screenshot) imports it: each part gets the narrow thing it needs, or declares what it needs
of its host as a small Protocol that this window satisfies.
"""
from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtGui import QCloseEvent, QUndoGroup, QUndoStack
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QVBoxLayout, QWidget

from engine.model import Document
from engine.runner import Batch
from gui import theme
from gui.canvas.scene import TopologyScene
from gui.canvas.view import CanvasView
from gui.editing.actions import EditActions
from gui.editing.session import DocumentSession
from gui.export import app_export
from gui.files.document_io import FileActions
from gui.files.geometry_file import GeometryReporter, requested_path
from gui.panels import docks, trace_docks
from gui.present import Stage
from gui.run.animation import DotAnimator, ViewClock
from gui.run.bridge import EngineBridge
from gui.run.scenario_editor import ScenarioEditor
from gui.run.timeline import Timeline, install_keys
from gui.run.cost_meter import CostMeter
from gui.run.toolbar import RunToolbar, speed_text

BADGE_PERIOD_S = 0.25      # badges and the status bar change at most this often (wall seconds)
CHART_PERIOD_S = 0.25     # one plot redrawn per period (each costs several ms of the GUI thread)
CAPTION_DEFAULT_S = 12.0   # simulated seconds a caption without duration_s stays
CAPTION_MIN_WALL_S = 3.0   # and at least this long on the wall clock, so it can be read at 100x
STATUS_MESSAGE_MS = 10_000
SETTLE_FRAMES = 30


class MainWindow(QMainWindow):
    def __init__(self, doc: Document, theme_name: str = "light", start_engine: bool = True,
                 path: str | None = None) -> None:
        super().__init__()
        self.doc = doc
        self.theme_name = theme_name
        theme.apply(QApplication.instance(), theme.THEMES[theme_name])
        self.bridge = EngineBridge(doc, series_interval=1.0, parent=self)
        self.topology = TopologyScene(doc, self)
        self.view = CanvasView(self.topology, self.bridge)
        self.animator = DotAnimator(self.topology)
        self.clock = ViewClock()
        self.timeline = Timeline()
        self.timeline.seek_requested.connect(self.seek)
        self.setCentralWidget(self._canvas_with_timeline())
        self._init_run_state()
        self.toolbar = self._make_toolbar()
        self._make_status_bar()
        self.undo_group = QUndoGroup(self)
        self.undo_group.cleanChanged.connect(self._update_title)
        self._dirty_recovery = False
        docks.make_docks(self)
        self.edit = EditActions(self)
        self.scenario = ScenarioEditor(self)
        self.files = FileActions(self, path)
        self.session = DocumentSession(self)
        self.palette.add_requested.connect(self.edit.add_at_centre)
        self.new_undo_stack()
        docks.make_menus(self)
        app_export.install(self)        # File > Export Image, Export Video
        self.stage = Stage(self, self._update_title)
        self.trace_docks = trace_docks.install(self)
        self.topology.node_selected.connect(self._on_node_selected)
        self.bridge.frame.connect(self._on_frame)
        self.bridge.failed.connect(self._on_engine_failed)
        self._update_title()
        geometry_path = requested_path()
        self.geometry_reporter = (GeometryReporter(self.view, self.topology, self.palette, geometry_path,
                                                   self.timeline, lambda: (self.clock.t, self.paused))
                                  if geometry_path else None)
        if start_engine:
            self.bridge.start()
            QTimer.singleShot(0, self.ensure_charts)   # pyqtgraph loads after the first paint

    def _init_run_state(self) -> None:
        self.engine_t = 0.0
        self.paused, self.speed, self.achieved, self.lagging = True, 1.0, 0.0, False
        self._expect_paused: bool | None = None
        self.events = 0
        self._state: dict[str, Any] | None = None
        self._state_t = 0.0
        self._series_backlog: list[tuple[int, dict]] = []
        self._last_wall = time.perf_counter()
        self._settling = SETTLE_FRAMES     # frames still drawn after the last batch (the view clock catches up)
        self._badge_wall = self._chart_wall = 0.0
        self._fps_marks: list[float] = []
        self.fps = 0.0
        self._caption: tuple[float, float, float] | None = None   # sim start, sim duration, wall start
        self.caption_min_wall_s = CAPTION_MIN_WALL_S
        self._awaiting_reset = False    # the document's structure changed: ignore the old run's batches
        self.played_to = 0.0
        self.load_captions()

    def _canvas_with_timeline(self) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.view, 1)
        column.addWidget(self.timeline)
        install_keys(self, self.timeline, self.seek, lambda: self.engine_t, self.step_back, self.step)
        return box

    @Slot(float)
    def seek(self, t: float) -> None:
        """Go to simulated time t: back into what was played, or on to a later moment."""
        t = min(max(0.0, t), self.doc.duration_s)
        self.drop_run_view()
        self.bridge.seek(t)
        self.timeline.set_times(t, max(self.played_to, t))

    def load_captions(self) -> None:
        """The scenario's captions (how long each stays) and its cues on the timeline."""
        self._captions = {(a.get("at_s"), a.get("text")): a.get("duration_s", CAPTION_DEFAULT_S)
                          for a in self.doc.scenario if a.get("action") == "caption"}
        self.timeline.set_scenario(self.doc.scenario, self.doc.duration_s)

    # -- building -------------------------------------------------------------------------------------
    def _make_toolbar(self) -> RunToolbar:
        bar = RunToolbar(self.doc.title, self)
        bar.setObjectName("RunToolbar")
        self.cost_meter = CostMeter(lambda: self.topology.items_by_id, bar)
        bar.add_meter(self.cost_meter)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
        bar.play_toggled.connect(self.toggle_play)
        bar.step_requested.connect(self.step)
        bar.reset_requested.connect(self.reset)
        bar.fit_requested.connect(self.view.fit)
        bar.speed_changed.connect(self.bridge.set_speed)
        for action in bar.speed_actions:
            self.addAction(action)
        return bar

    def _make_status_bar(self) -> None:
        bar = self.statusBar()
        bar.setSizeGripEnabled(False)
        self.status_speed, self.status_fps, self.status_dots = QLabel(), QLabel(), QLabel()
        self.status_note = QLabel()
        bar.addWidget(self.status_note, 1)
        for label in (self.status_dots, self.status_fps, self.status_speed):
            bar.addPermanentWidget(label)
        self._update_status()

    # -- the document -----------------------------------------------------------------------------------
    @property
    def undo_stack(self) -> QUndoStack:
        return self.undo_group.activeStack()

    def new_undo_stack(self) -> None:
        """A fresh, clean undo stack for a new document; the history view and Edit menu follow it."""
        old = self.undo_group.activeStack()
        stack = QUndoStack(self)
        stack.indexChanged.connect(self._edited)
        self.undo_group.addStack(stack)
        self.undo_group.setActiveStack(stack)
        if old is not None:
            self.undo_group.removeStack(old)
            old.deleteLater()

    @Slot(int)
    def _edited(self, _index: int) -> None:
        """An edit, an undo or a redo: older news in the status bar ("Copied 9 components") is stale."""
        self.statusBar().clearMessage()

    def is_dirty(self) -> bool:
        return not self.undo_stack.isClean() or self._dirty_recovery

    def mark_saved(self) -> None:
        self._dirty_recovery = False
        self.undo_stack.setClean()
        self._update_title()

    @Slot()
    def _update_title(self) -> None:
        self.setWindowTitle(f"{self.doc.title} — {self.files.display_name()}[*] — FlowDeck")
        self.setWindowModified(self.is_dirty())

    def tell(self, text: str) -> None:
        """A message in the status bar: a refusal's reason, a restart, a save."""
        if text:
            self.statusBar().showMessage(text, STATUS_MESSAGE_MS)
        else:
            self.statusBar().clearMessage()

    def set_document(self, doc: Document, path: str | None, dirty: bool = False) -> None:
        """Show another document (New, Open, an example, a recovery), paused at 0:00."""
        self.session.detach(self.doc)
        self.scenario.detach(self.doc)
        old, self.doc = self.doc, doc
        self.scenario.attach(doc)
        self.topology.set_document(doc)
        self.session.attach(doc)
        self.session.structure_pending = False
        self.new_undo_stack()
        self.files.path, self._dirty_recovery = path, dirty
        self.toolbar.title.setText(doc.title)
        self.load_captions()
        if not self.paused:
            self.bridge.pause()
            self._set_paused(True)
        self.restart_run()
        self.names_changed()
        self.session.show_selection()
        self.view.fit()
        self._update_title()
        self.stage.document_changed(old, doc)

    def names_changed(self) -> None:
        """Nodes came, went or were renamed: the log's filter, the charts and the legend follow."""
        self.activity.set_nodes(self.doc)
        if self.charts is not None:
            self.charts.set_document(self.doc)
        self.view.update_legend()
        self.view.viewport().update()

    def drop_run_view(self) -> None:
        """The run on screen no longer matches the document: draw none of it until the restart."""
        self._awaiting_reset = True
        self.animator = DotAnimator(self.topology)
        self.topology.dots.clear()

    def restart_run(self) -> None:
        self.drop_run_view()
        self.bridge.reset(self.doc.copy())   # a copy made here: the engine thread never reads ours

    def ensure_charts(self) -> None:
        """Build the charts dock (it imports pyqtgraph, so not before the first paint)."""
        if self.charts is not None:
            return
        from gui.panels.charts import ChartsPanel
        self.charts = ChartsPanel(self.doc)
        self.charts_dock.setWidget(self.charts)
        for series_from, series in self._series_backlog:
            self.charts.extend(series_from, series)
        self._series_backlog.clear()
        self.charts.set_selected(self.topology.selected_node())
        self.charts.refresh()

    # -- controls -------------------------------------------------------------------------------------
    @Slot()
    def toggle_play(self) -> None:
        if self.paused:
            self.bridge.play()
            if self.view.banner.hint:   # the pause cue's banner goes when the presenter continues
                self.view.banner.dismiss()
        else:
            self.bridge.pause()
        self._set_paused(not self.paused)

    def _set_paused(self, paused: bool) -> None:
        self.paused = self._expect_paused = paused
        self.toolbar.set_playing(not paused)

    @Slot()
    def step(self) -> None:
        self.bridge.step()
        self._set_paused(True)

    @Slot()
    def step_back(self) -> None:
        """One event back (Left): the single step undone."""
        self.drop_run_view()
        self.bridge.step_back()
        self._set_paused(True)

    @Slot()
    def reset(self) -> None:
        self.restart_run()      # with the document as edited, inspector changes included

    def set_theme(self, name: str) -> None:
        self.theme_name = name
        theme.apply(QApplication.instance(), theme.THEMES[name])
        self.theme_actions[name].setChecked(True)
        self.topology.apply_theme()
        self.toolbar.restyle()
        self.cost_meter.restyle()
        if self.charts is not None:
            self.charts.apply_theme()
        self.view.banner.update()
        self.view.legend.update()
        self._update_status()

    @Slot(str)
    def select_node(self, node_id: str) -> None:
        self.topology.select_node(node_id)
        item = self.topology.items_by_id.get(node_id)
        if item is not None:
            self.view.ensureVisible(item, 40, 40)

    @Slot(str)
    def _on_node_selected(self, node_id: str) -> None:
        if self.charts is not None:
            self.charts.set_selected(node_id)

    # -- frames ---------------------------------------------------------------------------------------
    @Slot(list)
    def _on_frame(self, batches: list[Batch]) -> None:
        """Apply the engine's batches and draw; paused with nothing new, draw nothing (near zero CPU)."""
        if batches or not self.paused or self._state is not None or self.topology.fading() or self._settling:
            self._settling = max(0, self._settling - 1) if not batches else SETTLE_FRAMES
            self.bridge.set_idle(False)
            self.apply_batches(batches)
            self.render_frame(time.perf_counter())
        else:
            self.bridge.set_idle(True)

    def apply_batches(self, batches: list[Batch]) -> None:
        for b in batches:
            if self._awaiting_reset:
                if not b.reset:
                    continue
                self._awaiting_reset = False
            if b.reset:
                self._reset_view(b.sim_time, b.played_to)
                self.topology.book.seed(b.series)      # rates on the badges at once, not 0 until played
            if b.played_to < self.played_to:     # a fork or a restart undid what came after
                self.timeline.forget_after(b.played_to)
                if self.charts is not None:
                    self.charts.forget_future_after(b.played_to)
            self.animator.ingest(b.transfers, b.speed)
            self._take_activities(b.activities, b.sim_time)
            self.timeline.add_activities(b.activities)
            self.played_to = b.played_to
            if b.series.get("t_s"):
                if self.charts is None:
                    self._series_backlog.append((b.series_from, b.series))
                else:
                    self.charts.extend(b.series_from, b.series)
                self.cost_meter.ingest(b.series)
            self.engine_t, self.speed, self.achieved, self.lagging, self.events = (
                b.sim_time, b.speed, b.achieved_speed, b.lagging, b.events)
            self._follow_pause(b)
            self._state = b.state
            for message in b.messages:     # a single step's event, a refused control
                self.tell(message)

    def _follow_pause(self, b: Batch) -> None:
        """Follow the engine's paused flag, except while it has not yet seen the user's last request."""
        if self._expect_paused is not None:
            if b.paused == self._expect_paused:
                self._expect_paused = None
            return
        if b.paused != self.paused:
            self.paused = b.paused
            self.toolbar.set_playing(not b.paused)
            if b.paused and b.pause_text:   # a scenario pause cue
                self.view.banner.show_text(b.pause_text, "Paused · press Space to continue")
                self._caption = None

    def _take_activities(self, activities: list[dict[str, Any]], now: float) -> None:
        self.activity.append(activities)
        for act in activities:
            if act.get("kind") == "caption":
                duration = self._captions.get((act.get("t_s"), act.get("text")), CAPTION_DEFAULT_S)
                if now - act.get("t_s", now) >= duration:
                    continue        # history handed over again after a seek: over already
                self._caption = (act.get("t_s", self.engine_t), duration, time.perf_counter())
                self.view.banner.show_text(act.get("text", ""))

    def _reset_view(self, t: float = 0.0, played_to: float = 0.0) -> None:
        """Clear what was drawn: a restart, or a jump (then the charts keep the played future faded)."""
        self.topology.reset()
        self.animator.reset()
        self.clock.reset(t)
        self.activity.clear()
        self._series_backlog.clear()
        self.cost_meter.reset()
        if self.charts is not None:
            self.charts.clear(keep_future=played_to > t)
        self._state, self._state_t, self._caption = None, 0.0, None
        self.view.banner.dismiss()

    def render_frame(self, wall: float, force_badges: bool = False) -> None:
        """Draw one frame: state, fades, dots on the view clock, clock and status."""
        dt_wall = max(0.0, wall - self._last_wall)
        self._last_wall = wall
        badges_due = force_badges or wall - self._badge_wall >= BADGE_PERIOD_S
        if self._state is not None:
            self.topology.apply_state(self._state, self.engine_t, self.engine_t - self._state_t, badges_due)
            self._state_t = self.engine_t
            if badges_due:
                self._state = None     # applied with badges: nothing new until the next batch
        self.topology.animate(dt_wall)
        t = self.clock.advance(wall, self.engine_t, self.speed, self.paused)
        self.animator.frame(t)
        self.toolbar.set_clock(t)
        self.timeline.set_times(t, max(self.played_to, t))
        self._expire_caption(wall)
        self._count_frame(wall)
        if badges_due:
            self._badge_wall = wall
            self.view.legend.set_stride(self.animator.stride)
            self._update_status()
        if self.charts is not None and wall - self._chart_wall >= CHART_PERIOD_S and self.charts.isVisible():
            self._chart_wall = wall
            self.charts.refresh_one()

    def _expire_caption(self, wall: float) -> None:
        if self._caption is None:
            return
        start, duration, wall0 = self._caption
        if self.engine_t - start >= duration and wall - wall0 >= self.caption_min_wall_s:
            self._caption = None
            self.view.banner.dismiss()

    def _count_frame(self, wall: float) -> None:
        marks = self._fps_marks
        marks.append(wall)
        while marks and wall - marks[0] > 1.0:
            marks.pop(0)
        self.fps = len(marks) - 1 if len(marks) > 1 else 0.0

    def _update_status(self) -> None:
        t = theme.current()
        self.status_dots.setText(f"{self.animator.in_flight:,} dots in flight")
        self.status_fps.setText(f"{self.fps:.0f} fps")
        self.status_fps.setVisible(not self.paused)
        if self.paused:
            self.status_speed.setText(f"speed {speed_text(self.speed)}")
        else:
            self.status_speed.setText(f"running at {self.achieved:.1f}× (asked {speed_text(self.speed)})")
        if self.lagging and not self.paused:
            self.status_note.setText(f"⚠  The engine cannot keep up with {speed_text(self.speed)}: it runs at "
                                     f"{self.achieved:.1f}×. Lower the speed for a faithful pace.")
            self.status_note.setStyleSheet(f"color: {t.warning}; font-weight: 600;")
        else:
            self.status_note.setText("Paused" if self.paused else "")
            self.status_note.setStyleSheet(f"color: {t.muted};")

    @Slot(str)
    def _on_engine_failed(self, why: str) -> None:
        self.status_note.setText(f"The engine stopped: {why}")
        self.status_note.setStyleSheet(f"color: {theme.current().unhealthy}; font-weight: 600;")

    # -- closing --------------------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.files.maybe_save():
            event.ignore()
            return
        self.files.closing()
        if self.geometry_reporter is not None:
            self.geometry_reporter.stop()
        self.bridge.stop()
        super().closeEvent(event)

