"""The live window opens every example, plays and pauses, and its badges follow the engine."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor

from engine import examples, fileio
from gui import theme
from gui.canvas.groups import GroupItem

RUNNABLE = [name for name in examples.names()]


def first_batch_arrived(window) -> bool:
    return window.engine_t >= 0 and window.topology.items_by_id and window._badge_wall > 0


@pytest.mark.parametrize("name", RUNNABLE)
def test_window_opens_each_example_plays_and_pauses(make_window, qtbot, name):
    window = make_window(name)
    assert window.paused and window.engine_t == 0.0
    window.toolbar.speed_slider.setValue(6)            # 10x
    qtbot.waitUntil(lambda: window.speed == 10.0 or window.bridge.runner.speed == 10.0, timeout=3000)
    window.toggle_play()
    qtbot.waitUntil(lambda: window.engine_t > 3.0, timeout=10000)
    assert window.bridge.error is None
    window.toggle_play()
    qtbot.waitUntil(lambda: window._expect_paused is None, timeout=3000)
    t = window.engine_t
    qtbot.wait(150)   # paused: the clock must stand still (a check of stillness needs some time)
    assert window.paused and window.engine_t == t
    assert window.toolbar.clock.text() != "00:00.0"


def test_starts_paused_at_time_zero_and_shows_the_first_state(make_window, qtbot):
    window = make_window("web-tier")
    group = window.topology.items_by_id["web"]
    qtbot.waitUntil(lambda: len(group.instances) == 2, timeout=3000)
    assert window.paused and window.clock.t == 0.0
    qtbot.waitUntil(lambda: any(b.text.endswith("in service") for b in group.badges), timeout=3000)


def health_colour_at(window, item) -> QColor:
    """The instance tile's border colour as the canvas shows it (the middle of its right side: dots
    fan out inside the group's frame to the tiles' left sides)."""
    view = window.view
    image = view.viewport().grab().toImage()
    rect = item.sceneBoundingRect()
    surface = theme.current().color("surface")
    seen = []
    for inset in (1.5, 2.0, 2.5, 3.0):      # across the 2-unit border, whatever the zoom's rounding
        at = view.mapFromScene(QPointF(rect.right() - inset, rect.center().y()))
        seen.append(image.pixelColor(at.x(), at.y()))
    return max(seen, key=lambda c: sum(abs(a - b) for a, b in zip(c.getRgb()[:3], surface.getRgb()[:3])))


def close_to(a: QColor, b: QColor, tolerance: int = 40) -> bool:
    return max(abs(a.red() - b.red()), abs(a.green() - b.green()), abs(a.blue() - b.blue())) <= tolerance


def test_a_crashed_instance_shows_unhealthy_within_the_health_check_time(make_window, qtbot):
    doc = fileio.load(examples.path("failure"))
    doc.scenario = []                       # the test injects the failure itself
    window = make_window(doc)
    group: GroupItem = window.topology.items_by_id["web"]
    qtbot.waitUntil(lambda: "web/i-2" in group.by_id, timeout=3000)
    tile = group.by_id["web/i-2"]
    qtbot.waitUntil(lambda: tile.opacity() == 1.0, timeout=3000)   # faded in
    assert close_to(health_colour_at(window, tile), theme.current().color("healthy"))
    window.toolbar.speed_slider.setValue(6)
    window.toggle_play()
    qtbot.waitUntil(lambda: window.engine_t > 2.0, timeout=5000)
    crash_t = window.engine_t
    window.bridge.fail("web/i-2", "crash")
    qtbot.waitUntil(lambda: tile.health in ("crashed", "unhealthy") or tile.gone, timeout=10000)
    hc = doc.nodes["alb"].props["health_check"]
    assert window.engine_t - crash_t <= hc["interval_s"] * hc["unhealthy_threshold"] + hc["timeout_s"]
    window.toggle_play()
    assert close_to(health_colour_at(window, tile), theme.current().color("unhealthy"))
    qtbot.waitUntil(lambda: any(r.get("kind") == "failure" for r in window.activity.model.rows), timeout=3000)


def test_group_badge_and_load_balancer_badge_follow_the_state(make_window, qtbot):
    window = make_window("web-tier", start_engine=False)
    runner = window.bridge.runner
    for t in (10.0, 20.0):
        runner.step(t)
        window.apply_batches([runner.make_batch()])
        window.render_frame(t, force_badges=True)
    texts = [b.text for b in window.topology.items_by_id["web"].badges]
    assert texts[0] == "2/2 in service"
    lb = [b.text for b in window.topology.items_by_id["alb"].badges]
    rps = float(lb[0].split()[0])
    assert 20 <= rps <= 40, lb      # the demo sends 30 requests a second
    assert lb[1] == "2/2 healthy"


def test_dark_theme_changes_the_canvas(make_window, qtbot):
    window = make_window("web-tier", start_engine=False)
    window.set_theme("dark")
    assert theme.current().name == "dark"
    image = window.view.viewport().grab().toImage()
    corner = image.pixelColor(5, 5)
    assert corner.lightness() < 60
    window.set_theme("light")
    assert window.view.viewport().grab().toImage().pixelColor(5, 5).lightness() > 200


def test_scenario_pause_pauses_the_view_with_its_text(make_window, qtbot):
    doc = fileio.load(examples.path("web-tier"))
    doc.scenario.append({"at_s": 3.0, "action": "pause", "text": "Look at the queue now"})
    window = make_window(doc)
    window.toolbar.speed_slider.setValue(5)           # 5x
    window.toggle_play()
    qtbot.waitUntil(lambda: window.paused and window._expect_paused is None and window.engine_t >= 3.0,
                    timeout=10000)
    assert window.view.banner.isVisible() and window.view.banner.text == "Look at the queue now"
    assert abs(window.engine_t - 3.0) < 0.5
    window.toggle_play()
    qtbot.waitUntil(lambda: window.engine_t > 4.0, timeout=5000)
    assert not window.view.banner.hint


def test_context_menus_send_controls_that_show_in_the_log(make_window, qtbot):
    window = make_window("web-tier")
    group = window.topology.items_by_id["web"]
    qtbot.waitUntil(lambda: "web/i-1" in group.by_id, timeout=3000)
    tile = group.by_id["web/i-1"]
    menu = window.view.menu_at(window.view.mapFromScene(tile.sceneBoundingRect().center()))
    labels = [a.text() for a in menu.actions() if a.text()]
    assert labels[:1] == ["web/i-1"] or "Crash" in labels
    next(a for a in menu.actions() if a.text() == "Crash").trigger()
    users = window.topology.items_by_id["users"]
    client_menu = window.view.menu_at(window.view.mapFromScene(users.sceneBoundingRect().center()))
    next(a for a in client_menu.actions() if a.text().startswith("Spike traffic")).trigger()
    window.bridge.step()
    qtbot.waitUntil(lambda: {"failure", "spike"} <= {r.get("kind") for r in window.activity.model.rows},
                    timeout=5000)


def test_clicking_an_activity_selects_its_node_and_filters_work(make_window, qtbot):
    window = make_window("failure", start_engine=False)
    runner = window.bridge.runner
    runner.step(80)
    window.apply_batches([runner.make_batch()])
    log = window.activity
    row = next(i for i, r in enumerate(log.model.rows) if r.get("node") == "web")
    log._clicked(log.proxy.mapFromSource(log.model.index(row, 3)))
    assert window.topology.selected_node() == "web"
    log.node_box.setCurrentIndex(log.node_box.findData("alb"))
    assert all(log.model.rows[log.proxy.mapToSource(log.proxy.index(i, 0)).row()]["node"] == "alb"
               for i in range(log.proxy.rowCount()))
    log.node_box.setCurrentIndex(log.node_box.findData(""))
    assert log.proxy.rowCount() == sum(1 for r in log.model.rows if not r.get("node"))


def test_fit_zoom_and_pan(make_window, qtbot):
    window = make_window("spike", start_engine=False)
    view = window.view
    view.fit()
    content = window.topology.content_rect()
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    assert visible.contains(content)
    zoom = view.zoom()
    view.zoom_by(1.5)
    assert abs(view.zoom() - zoom * 1.5) < 1e-6 and not view.auto_fit
    view.fit()
    assert view.auto_fit and abs(view.zoom() - zoom) < 1e-6


def test_presentation_mode_hides_the_editing_docks_and_brings_them_back(make_window, qtbot):
    window = make_window("fan-out", start_engine=False)
    qtbot.waitUntil(lambda: window.palette_dock.isVisible())
    window.presentation_action.trigger()
    assert window.presentation_action.isChecked()
    assert not window.palette_dock.isVisible() and not window.inspector_dock.isVisible()
    assert not window.history_dock.isVisible()
    assert window.charts_dock.isVisible() and window.activity_dock.isVisible()
    window.presentation_action.trigger()
    qtbot.waitUntil(lambda: window.palette_dock.isVisible() and window.history_dock.isVisible())
