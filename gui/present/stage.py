"""Presentation mode for a projector: text at the chosen size, docks out of the way, full screen,
the cursor hidden when idle, and a clicker's keys.

While presenting: Page Down plays on to the next cue (a caption, a pause cue, the end) and stops
there, or, pressed while playing, jumps there; Page Up goes back a cue (the timeline's key); B (or
'.', what clickers send) blanks the screen; Esc leaves. A click on a component puts it in a
spotlight for a few seconds.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Protocol

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Slot
from PySide6.QtGui import QAction, QActionGroup, QCursor, QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QMenu, QWidget

from gui import theme
from gui.present.overlays import BlankScreen, Spotlight

if TYPE_CHECKING:
    from PySide6.QtWidgets import QDockWidget

    from engine.model import Document
    from gui.canvas.scene import TopologyScene
    from gui.canvas.view import CanvasView
    from gui.run.bridge import EngineBridge
    from gui.run.timeline import Timeline
    from gui.run.toolbar import RunToolbar

TEXT_SIZES = (("&Normal", 1.0), ("&Large", 1.5), ("&Extra large", 2.0))
DEFAULT_SIZE = 1.5
IDLE_CURSOR_MS = 2500
SPOTLIGHT_MS = 4000
CLOCK_PT = 17.0


class StageHost(Protocol):
    """What presentation mode needs of the window (a QMainWindow)."""

    doc: "Document"
    view: "CanvasView"
    topology: "TopologyScene"
    timeline: "Timeline"
    toolbar: "RunToolbar"
    bridge: "EngineBridge"
    presentation_action: QAction
    charts_dock: "QDockWidget"
    activity_dock: "QDockWidget"
    paused: bool
    engine_t: float

    def toggle_play(self) -> None: ...

    def seek(self, t: float) -> None: ...


class Presenter(QObject):
    def __init__(self, window: StageHost, restyle: Callable[[], None]) -> None:
        super().__init__(window)
        self.w, self.restyle_more = window, restyle
        self.size = DEFAULT_SIZE
        self.presenting = False
        self._was_maximized = self._was_full = False
        self.blank = BlankScreen(window)
        self.spotlight = Spotlight(window.view)
        self._idle = QTimer(self, singleShot=True, interval=IDLE_CURSOR_MS)
        self._idle.timeout.connect(self._hide_cursor)
        self._cursor_hidden = False
        self.keys = self._make_keys()
        self._viewport = window.view.viewport()
        window.presentation_action.toggled.connect(self.set_presenting)

    def _make_keys(self) -> dict[str, QShortcut]:
        keys = {"PgDown": self.next_cue, "Esc": self.leave, "B": self.toggle_blank, ".": self.toggle_blank}
        made = {}
        for key, go in keys.items():
            shortcut = QShortcut(QKeySequence(key), self.w, go)
            shortcut.setEnabled(False)
            made[key] = shortcut
        return made

    def fill_size_menu(self, menu: QMenu) -> None:
        group = QActionGroup(self)
        for label, scale in TEXT_SIZES:
            action = menu.addAction(label, lambda s=scale: self.set_size(s))
            action.setCheckable(True)
            action.setChecked(scale == self.size)
            group.addAction(action)

    def set_size(self, scale: float) -> None:
        self.size = scale
        if self.presenting:
            self._apply_scale(scale)

    # -- entering and leaving -----------------------------------------------------------------------------
    @Slot(bool)
    def set_presenting(self, on: bool) -> None:
        if on == self.presenting:
            return
        self.presenting = on
        for shortcut in self.keys.values():
            shortcut.setEnabled(on)
        own_page_down = self.w.timeline.shortcuts.get("PgDown")
        if own_page_down is not None:
            own_page_down.setEnabled(not on)
        self._full_screen(on)
        self._apply_scale(self.size if on else 1.0)
        if on:
            QApplication.instance().installEventFilter(self)
            self._idle.start()
        else:
            QApplication.instance().removeEventFilter(self)
            self._idle.stop()
            self._show_cursor()
            self.blank.hide()
            self.spotlight.hide()

    def _full_screen(self, on: bool) -> None:
        w: Any = self.w
        if on:
            self._was_full, self._was_maximized = w.isFullScreen(), w.isMaximized()
            w.menuBar().hide()
            w.showFullScreen()
        else:
            w.menuBar().show()
            if not self._was_full:
                w.showMaximized() if self._was_maximized else w.showNormal()

    def _apply_scale(self, scale: float) -> None:
        theme.set_stage_scale(scale)
        self.w.toolbar.clock.setFont(theme.stage_font(CLOCK_PT, bold=True))
        self.w.toolbar.clock.setMinimumWidth(int(110 * scale))
        self.w.view.banner.place()
        self.w.view.banner.update()
        self.w.view.legend.place()
        self.w.view.legend.update()
        self.restyle_more()
        QTimer.singleShot(0, self.w.view.fit)      # after the docks and full screen settle

    @Slot()
    def leave(self) -> None:
        if self.blank.isVisible():
            self.blank.hide()
            return
        if self.w.presentation_action.isChecked():
            self.w.presentation_action.trigger()      # as F11 does: the docks come back (gui.panels.docks)

    # -- the clicker ------------------------------------------------------------------------------------
    @Slot()
    def next_cue(self) -> None:
        """Paused: play on and stop at the next cue. Playing: go to that cue now and stay there."""
        w = self.w
        if self.blank.isVisible():
            self.blank.hide()
            return
        target = w.timeline.cue_after(w.engine_t)
        if w.paused:
            if target <= w.engine_t:
                return
            w.bridge.stop_at(target)      # the engine pauses itself there, exactly
            w.toggle_play()
        else:
            w.toggle_play()
            w.seek(target)

    @Slot()
    def toggle_blank(self) -> None:
        if self.blank.isVisible():
            self.blank.hide()
        else:
            self.blank.cover()

    # -- cursor and spotlight -----------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.MouseMove:
            self._show_cursor()
            self._idle.start()
        elif kind == QEvent.Type.MouseButtonPress and watched is self._viewport:
            self._show_cursor()
            self._spotlight_at(event.position().toPoint())
        return False

    def _spotlight_at(self, pos: Any) -> None:
        item = self.w.topology.node_at(self.w.view.mapToScene(pos))
        if item is None:
            self.spotlight.hide()
            return
        self.spotlight.shine(item, SPOTLIGHT_MS)

    def _hide_cursor(self) -> None:
        if not self._cursor_hidden:
            QApplication.setOverrideCursor(QCursor(Qt.CursorShape.BlankCursor))
            self._cursor_hidden = True

    def _show_cursor(self) -> None:
        if self._cursor_hidden:
            QApplication.restoreOverrideCursor()
            self._cursor_hidden = False


def menu_named(bar: Any, title: str) -> QMenu | None:
    """A menu of the menu bar by its title ('&View'), so additions need no edit of the menu code."""
    return next((a.menu() for a in bar.actions() if a.text() == title and a.menu() is not None), None)

