"""The main window's docks and menus.

The canvas stays the main thing: the palette and, below it, the undo history make a narrow column
on the left; the inspector and the charts share the right column as tabs (the inspector comes
forward when something is selected while paused); the activity log is the strip below the canvas.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Protocol

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QDockWidget, QLabel, QScrollArea, QUndoView, QWidget

from gui import theme
from gui.editing.inspector import Inspector
from gui.editing.palette import Palette
from gui.files import cfn_menu
from gui.panels import differences
from gui.panels.activity import ActivityLog

if TYPE_CHECKING:
    from PySide6.QtGui import QUndoGroup
    from PySide6.QtWidgets import QUndoView

    from engine.model import Document
    from gui.canvas.view import CanvasView
    from gui.editing.actions import EditActions
    from gui.files.document_io import FileActions
    from gui.panels.charts import ChartsPanel
    from gui.run.scenario_editor import ScenarioEditor
    from gui.run.toolbar import RunToolbar

PALETTE_W, SIDE_W, BOTTOM_H = 250, 340, 170
PALETTE_H, HISTORY_H = 560, 120
LEFT, RIGHT, BOTTOM = (Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea,
                       Qt.DockWidgetArea.BottomDockWidgetArea)


class DockHost(Protocol):
    """The main window as the docks and menus see it: what they read, then what they add to it."""

    doc: "Document"
    undo_group: "QUndoGroup"
    files: "FileActions"
    edit: "EditActions"
    scenario: "ScenarioEditor"
    toolbar: "RunToolbar"
    view: "CanvasView"
    select_node: Callable[[str], None]
    set_theme: Callable[[str], None]
    palette: Palette
    palette_dock: QDockWidget
    history: "QUndoView"
    history_dock: QDockWidget
    inspector: Inspector
    inspector_dock: QDockWidget
    charts: "ChartsPanel | None"
    charts_dock: QDockWidget
    activity: ActivityLog
    activity_dock: QDockWidget
    theme_actions: dict[str, QAction]
    presentation_action: QAction
    differences_action: QAction


def dock(window: DockHost, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
    d = QDockWidget(title, window)
    d.setObjectName(title)       # saveState/restoreState find docks by name
    d.setWidget(widget)
    d.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetClosable | QDockWidget.DockWidgetFeature.DockWidgetMovable)
    window.addDockWidget(area, d)
    return d


def scrolled(widget: QWidget) -> QScrollArea:
    scroll = QScrollArea()
    scroll.setWidget(widget)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QScrollArea.Shape.NoFrame)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)   # the form wraps instead
    return scroll


def make_docks(w: DockHost) -> None:
    w.setCorner(Qt.Corner.BottomRightCorner, RIGHT)
    w.setCorner(Qt.Corner.BottomLeftCorner, LEFT)
    w.palette = Palette()
    w.palette_dock = dock(w, "Components", w.palette, LEFT)
    # The history fills the palette's column below its entries. (Not a tab beside the activity log:
    # Qt 6.11 leaves a stray tab bar on screen when a second pair of docks is tabified before show.)
    w.history = QUndoView(w.undo_group)
    w.history.setEmptyLabel("Opened")
    w.history.setTextElideMode(Qt.TextElideMode.ElideRight)
    w.history.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    w.history_dock = dock(w, "History", w.history, LEFT)
    w.inspector = Inspector()
    w.inspector_dock = dock(w, "Inspector", scrolled(w.inspector), RIGHT)
    w.charts = None      # built after the first paint (it imports pyqtgraph)
    w.charts_dock = dock(w, "Charts", QLabel(""), RIGHT)
    w.tabifyDockWidget(w.inspector_dock, w.charts_dock)
    (w.charts_dock if w.doc.nodes else w.inspector_dock).raise_()
    w.activity = ActivityLog(w.doc)
    w.activity.node_clicked.connect(w.select_node)
    w.activity_dock = dock(w, "Activity", w.activity, BOTTOM)
    w.resizeDocks([w.palette_dock, w.inspector_dock], [PALETTE_W, SIDE_W], Qt.Orientation.Horizontal)
    w.resizeDocks([w.palette_dock, w.history_dock, w.activity_dock], [PALETTE_H, HISTORY_H, BOTTOM_H],
                  Qt.Orientation.Vertical)


def _open_sweep(w: DockHost) -> None:
    from gui.panels.sweep_dialog import open_sweep_dialog   # imports Dask only when asked for
    w.sweep_dialog = open_sweep_dialog(w)


def make_menus(w: DockHost) -> None:
    bar = w.menuBar()
    file_menu = bar.addMenu("&File")
    w.files.fill_menu(file_menu)
    w.cfn = cfn_menu.CfnActions(w, w.files)
    w.cfn.add_to(file_menu, before=w.files.quit)
    w.edit.fill_menu(bar.addMenu("&Edit"))
    run = bar.addMenu("&Run")
    for action in (w.toolbar.play_action, w.toolbar.step_action, w.toolbar.reset_action, *w.toolbar.speed_actions):
        run.addAction(action)
    run.addSeparator()
    w.sweep_action = run.addAction("S&weep...", lambda: _open_sweep(w))
    w.sweep_action.setToolTip("Run the document for several values of one or two props, on a local Dask cluster")
    w.scenario.fill_menu(bar.addMenu("&Scenario"))
    view = bar.addMenu("&View")
    group = QActionGroup(w)
    w.theme_actions: dict[str, QAction] = {}
    for name, label in (("light", "&Light theme"), ("dark", "&Dark theme")):
        action = view.addAction(label, lambda n=name: w.set_theme(n))
        action.setCheckable(True)
        action.setChecked(theme.current().name == name)
        group.addAction(action)
        w.theme_actions[name] = action
    view.addSeparator()
    view.addAction(w.toolbar.fit_action)
    w.presentation_action = view.addAction("&Presentation mode", lambda: set_presentation(w, w.presentation_action.isChecked()))
    w.presentation_action.setCheckable(True)
    w.presentation_action.setShortcut("F11")
    w.presentation_action.setToolTip("Hide the editing docks: the canvas, the charts and the activity log only (F11)")
    view.addSeparator()
    for d in (w.palette_dock, w.inspector_dock, w.charts_dock, w.activity_dock, w.history_dock):
        view.addAction(d.toggleViewAction())
    help_menu = bar.addMenu("&Help")
    w.differences_action = help_menu.addAction(f"{differences.TITLE}...", lambda: differences.DifferencesDialog(w).exec())
    w.differences_action.setToolTip("What FlowDeck simplifies, one line each, by service")


def editing_docks(w: DockHost) -> list[QDockWidget]:
    return [w.palette_dock, w.history_dock, w.inspector_dock]


def set_presentation(w: DockHost, on: bool) -> None:
    """Presentation mode: the editing docks step aside so the canvas fills a projector; leaving it
    brings back the docks that were open before."""
    if on:
        w._docks_before_presentation = [d for d in editing_docks(w) if d.isVisible()]
        for d in editing_docks(w):
            d.hide()
        w.charts_dock.show()
        w.charts_dock.raise_()
    else:
        for d in getattr(w, "_docks_before_presentation", editing_docks(w)):
            d.show()
    if w.presentation_action.isChecked() != on:
        w.presentation_action.setChecked(on)
    w.view.fit()
