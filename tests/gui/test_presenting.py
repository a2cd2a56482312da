"""Presenting: document properties (one undo step, saved), 'About this demo', presentation mode's
keys (Page Down plays to the next cue, B blanks, Esc leaves), the spotlight and the Help sheets."""
from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QFontMetricsF

from engine import fileio
from gui import theme
from gui.files.properties import PropertiesDialog
from gui.present.help import ShortcutsDialog, shipped_packages


def present(window, qtbot) -> None:
    """F11, as the presenter does it: the window is the active one (keys go to active windows)."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    qtbot.keyClick(window, Qt.Key.Key_F11)
    assert window.stage.presenter.presenting


def test_properties_are_one_undo_step_shown_in_the_title_and_saved(make_window, qtbot, tmp_path, monkeypatch):
    window = make_window("web-tier")
    doc, props = window.doc, window.stage.properties
    old = doc.properties()

    def typed(dialog):
        dialog.title.setText("Black Friday, rehearsed")
        dialog.description.setPlainText("Watch the group grow when the rush starts.")
        dialog.duration.setValue(300.0)
        dialog.seed.setText("42")
        dialog.accept()
        return dialog.result() == PropertiesDialog.DialogCode.Accepted
    monkeypatch.setattr(PropertiesDialog, "exec", typed)
    props.action.trigger()
    assert doc.properties() == {"title": "Black Friday, rehearsed", "seed": 42, "duration_s": 300.0,
                                "description": "Watch the group grow when the rush starts."}
    assert window.undo_stack.count() == 1
    assert window.toolbar.title.text() == "Black Friday, rehearsed"
    assert window.windowTitle().startswith("Black Friday, rehearsed — ")
    assert window.timeline.duration == 300.0
    qtbot.waitUntil(lambda: window.bridge.runner.doc.seed == 42, timeout=5000)   # the run restarted with it
    path = tmp_path / "talk.flowdeck.json"
    assert window.files.save_to(str(path))
    assert fileio.load(path).properties() == doc.properties()
    window.undo_stack.undo()
    assert doc.properties() == old and window.toolbar.title.text() == old["title"]


def test_a_bad_seed_is_refused_in_the_dialog(make_window, monkeypatch):
    window = make_window("web-tier")
    seen = {}

    def typed(dialog):
        dialog.seed.setText("one")
        dialog.accept()
        seen["why"] = dialog.refusal.text()
        return False
    monkeypatch.setattr(PropertiesDialog, "exec", typed)
    window.stage.properties.action.trigger()
    assert "whole number" in seen["why"] and window.undo_stack.count() == 0


def test_about_this_demo_shows_the_description_when_an_example_opens(make_window, qtbot):
    window = make_window("web-tier")
    panel = window.stage.about_demo
    qtbot.waitUntil(panel.isVisible)
    assert panel.body.text() == window.doc.description.strip()
    panel.hide()
    window.files.open_example("failure")
    assert panel.isVisible() and panel.title.text() == window.doc.title
    window.toggle_play()
    qtbot.waitUntil(lambda: not panel.isVisible(), timeout=3000)   # the run takes the stage


def test_page_down_plays_to_the_next_cue_and_stops_there(make_window, qtbot):
    window = make_window("failure")
    window.stage.properties.apply({"duration_s": 200.0})
    window.toolbar.speed_slider.setValue(window.toolbar.speed_slider.maximum())   # 100x
    present(window, qtbot)
    assert window.stage.presenter.presenting and window.isFullScreen()
    assert not window.palette_dock.isVisible() and theme.stage_scale() == 1.5
    qtbot.keyClick(window, Qt.Key.Key_PageDown)
    assert not window.paused, "Page Down plays"
    qtbot.waitUntil(lambda: window.paused and window.engine_t >= 60.0, timeout=20000)
    assert window.engine_t < 62.0, "it stopped at the caption and crash at 1:00"
    qtbot.waitUntil(lambda: window.bridge.runner.paused, timeout=5000)
    qtbot.keyClick(window, Qt.Key.Key_PageDown)
    qtbot.waitUntil(lambda: window.paused and window.engine_t >= 200.0, timeout=20000)
    assert window.engine_t <= 200.0 + 1e-9, "the next cue after 1:00 within 200 s is the end"


def test_b_blanks_and_esc_leaves(make_window, qtbot):
    window = make_window("web-tier")
    present(window, qtbot)
    qtbot.keyClick(window, Qt.Key.Key_B)
    blank = window.stage.presenter.blank
    assert blank.isVisible() and blank.geometry() == window.rect()
    assert QColor(blank.grab().toImage().pixel(10, 10)) == QColor("black")
    qtbot.keyClick(window, Qt.Key.Key_B)
    assert not blank.isVisible()
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert not window.stage.presenter.presenting and not window.presentation_action.isChecked()
    assert window.palette_dock.isVisible() and theme.stage_scale() == 1.0 and not window.isFullScreen()
    qtbot.keyClick(window, Qt.Key.Key_PageDown)      # the timeline's own Page Down again: a jump
    qtbot.waitUntil(lambda: window.engine_t == 20.0 or window.engine_t == 120.0, timeout=10000)


def test_a_click_on_a_component_while_presenting_spotlights_it(make_window, qtbot):
    window = make_window("web-tier", start_engine=False)
    present(window, qtbot)
    qtbot.waitUntil(lambda: window.view.viewport().width() > 800)
    qtbot.wait(50)           # the fit after going full screen
    item = window.topology.items_by_id["alb"]
    centre = window.view.mapFromScene(item.sceneBoundingRect().center())
    corner = QPoint(8, window.view.viewport().height() - 8)

    def lightness(at: QPoint) -> float:
        return window.view.viewport().grab().toImage().pixelColor(at).lightnessF()
    before = lightness(corner), lightness(centre)
    qtbot.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    light = window.stage.presenter.spotlight
    assert light.isVisible() and light.lit_rect().contains(centre.toPointF())
    assert lightness(corner) < 0.5 * before[0], "the rest of the canvas is dimmed"
    assert abs(lightness(centre) - before[1]) < 0.1, "the component stays lit"


def test_text_size_scales_captions_and_clock(make_window, qtbot):
    window = make_window("web-tier")
    window.view.banner.show_text("A caption for the back row")
    normal_h, clock_pt = window.view.banner.height(), window.toolbar.clock.font().pointSizeF()
    line_h = QFontMetricsF(theme.ui_font(15, bold=True)).height()
    window.stage.presenter.set_size(2.0)
    window.presentation_action.trigger()
    assert window.view.banner.height() - normal_h >= 0.9 * line_h, "one line of text twice as high"
    assert window.toolbar.clock.font().pointSizeF() == 2.0 * clock_pt


def test_the_shortcuts_sheet_lists_menu_keys_and_filters(make_window):
    window = make_window("web-tier")
    sheet = ShortcutsDialog(window)
    everything = sheet.visible_rows()
    assert "Presentation mode" in everything and "Undo" in everything and "Blank the screen (again: show it)" in everything
    sheet.search.setText("blank")
    assert sheet.visible_rows() == ["Blank the screen (again: show it)"]


def test_about_lists_what_ships_with_its_licence():
    names = {name.lower().replace("_", "-"): licence for name, _, licence in shipped_packages()}
    assert {"networkx", "numpy", "pyqtgraph", "pyside6-essentials", "shiboken6"} <= set(names)
    assert "LGPL-3.0" in names["pyside6-essentials"] and names["networkx"] == "BSD-3-Clause"


def test_the_pointer_hides_when_idle_and_comes_back_when_moved(make_window, qtbot):
    from PySide6.QtWidgets import QApplication
    window = make_window("web-tier", start_engine=False)
    presenter = window.stage.presenter
    presenter._idle.setInterval(50)
    present(window, qtbot)
    qtbot.waitUntil(lambda: QApplication.overrideCursor() is not None, timeout=3000)
    assert QApplication.overrideCursor().shape() == Qt.CursorShape.BlankCursor
    qtbot.mouseMove(window.view.viewport(), QPoint(100, 100))
    qtbot.waitUntil(lambda: QApplication.overrideCursor() is None or not presenter._cursor_hidden, timeout=3000)
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert QApplication.overrideCursor() is None, "leaving gives the pointer back"


def test_about_this_demo_follows_the_theme(make_window, qtbot):
    window = make_window("web-tier", start_engine=False)
    panel = window.stage.about_demo
    panel.show_for(window.doc)
    window.theme_actions["dark"].trigger()
    qtbot.waitUntil(lambda: theme.DARK.surface in panel.styleSheet(), timeout=2000)


def test_about_this_demo_lets_clicks_through_to_the_canvas_and_closes(make_window, qtbot):
    window = make_window("web-tier", start_engine=False)
    panel = window.stage.about_demo
    panel.show_for(window.doc)
    item = window.topology.items_by_id["alb"]
    at = window.view.mapFromScene(item.sceneBoundingRect().center())
    assert panel.geometry().contains(at), "the card covers the load balancer at this size"
    qtbot.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton, pos=at)
    assert not panel.isVisible() and window.topology.selected_ids()[0] == ["alb"]


def test_f11_again_leaves_with_the_menu_bar_hidden(make_window, qtbot):
    window = make_window("web-tier", start_engine=False)
    present(window, qtbot)
    assert not window.menuBar().isVisible()
    qtbot.keyClick(window, Qt.Key.Key_F11)
    assert not window.stage.presenter.presenting and window.menuBar().isVisible()


def test_about_this_demo_is_tall_enough_for_its_words(make_window):
    window = make_window("web-tier", start_engine=False)
    panel = window.stage.about_demo
    panel.show_for(window.doc)
    body = panel.body
    assert body.height() >= body.heightForWidth(body.width()), "no line of the description is cut off"
