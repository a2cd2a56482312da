"""Tracing in the live window: clicking a dot opens the trace of the request that dot is drawing;
an event's row opens its trace and jumps the view; a scaling activity shows its datapoints."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

from gui.canvas.dots import DotKind
from gui.run.animation import positions_via
from gui.canvas.groups import InstanceItem
from gui.canvas.items import NodeItem
from gui.run.tracing import leg_key


def play_until(window, qtbot, t: float, speed_index: int = 7) -> None:
    window.toolbar.speed_slider.setValue(speed_index)
    window.toggle_play()
    qtbot.waitUntil(lambda: window.engine_t > t, timeout=30000)
    window.toggle_play()
    qtbot.waitUntil(lambda: window._expect_paused is None and window.paused, timeout=5000)
    qtbot.wait(100)   # the last batches drawn


def a_dot(window, kind: DotKind):
    """A dot of that kind drawn now, away from any node: (viewport point, the transfer it draws)."""
    animator, view = window.animator, window.view
    buf, n = animator.buffer, animator.buffer.count
    x, y, flying = positions_via(buf.ends[:n], buf.t0[:n], buf.t1[:n], window.clock.t)
    for i in np.flatnonzero(flying & (buf.kind[:n] == kind)):
        point = view.mapFromScene(QPointF(x[i], y[i]))
        if not view.viewport().rect().contains(point):
            continue
        if any(isinstance(item, (NodeItem, InstanceItem)) for item in view.items(point)):
            continue
        edge, inst = animator._route_keys[int(buf.route[i])]
        return point, leg_key(edge, inst, buf.t0[i], int(buf.kind[i]))
    return None


def test_clicking_a_red_dot_during_the_crash_opens_the_trace_that_says_why_it_failed(make_window, qtbot):
    window = make_window("failure")
    play_until(window, qtbot, 64.0)
    found = None
    for _ in range(20):
        found = a_dot(window, DotKind.ERROR)
        if found:
            break
        window.step()          # one event on: more dots in flight
        qtbot.wait(50)
    assert found, "no red dot on screen during the crash"
    point, key = found
    controller = window.trace_docks.controller
    QTest.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    qtbot.waitUntil(lambda: controller.followed is not None, timeout=5000)
    trace = controller.followed
    assert key in [leg_key(e, i, d, k) for e, i, d, _, k in trace["legs"]]
    assert trace["outcome"]["status"] == "502"
    assert "web/i-1" in trace["outcome"]["reason"] and "crash" in trace["outcome"]["reason"]
    panel = window.trace_docks.panel
    assert trace["id"] in panel.heading.text() and "502" in panel.heading.text()
    assert "crash" in panel.text.toPlainText()
    assert controller.path.isVisible()


def test_clicking_empty_canvas_opens_no_trace(make_window, qtbot):
    window = make_window("failure")
    play_until(window, qtbot, 5.0)
    corner = window.view.mapFromScene(window.topology.content_rect().bottomRight() + QPointF(200, 200))
    assert not window.trace_docks.controller.click_at(corner)
    assert window.trace_docks.controller.followed is None


def test_an_event_row_opens_its_trace_and_jumps_the_view_to_its_moment(make_window, qtbot):
    window = make_window("failure")
    play_until(window, qtbot, 70.0)
    events = window.trace_docks.events
    qtbot.waitUntil(lambda: events.model.rowCount() > 50, timeout=5000)
    events.status_box.setCurrentIndex(events.status_box.findData("errors"))
    assert events.proxy.rowCount() > 0
    index = events.proxy.index(0, 0)
    row = events.model.rows[events.proxy.mapToSource(index).row()]
    assert row["outcome"]["status"] != "200"
    rect = events.table.visualRect(index)
    QTest.mouseClick(events.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    controller = window.trace_docks.controller
    qtbot.waitUntil(lambda: controller.followed is not None and controller.followed["id"] == row["id"], timeout=3000)
    qtbot.waitUntil(lambda: abs(window.engine_t - row["t0_s"]) < 0.05, timeout=10000)


@pytest.mark.parametrize("speed_index", [9])
def test_clicking_a_scale_out_activity_marks_its_datapoints_and_target_on_the_chart(make_window, qtbot, speed_index):
    window = make_window("spike")
    qtbot.waitUntil(lambda: window.charts is not None, timeout=5000)
    window.toolbar.speed_slider.setValue(speed_index)
    window.toggle_play()
    log = window.activity
    qtbot.waitUntil(lambda: any(r["kind"] == "scale_out" and r.get("evidence") for r in log.model.rows), timeout=30000)
    window.toggle_play()
    row = next(i for i, r in enumerate(log.model.rows) if r["kind"] == "scale_out" and r.get("evidence"))
    activity = log.model.rows[row]
    rect = log.table.visualRect(log.proxy.mapFromSource(log.model.index(row, 0)))
    QTest.mouseClick(log.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    import pyqtgraph as pg
    items = [item for _, item in getattr(window.charts, "_evidence_items", [])]
    regions = [i for i in items if isinstance(i, pg.LinearRegionItem)]
    lines = [i for i in items if isinstance(i, pg.InfiniteLine)]
    ev = activity["evidence"]
    assert len(regions) == ev["breaching"] and len(lines) == 1 and lines[0].value() == ev["threshold"]
    assert [tuple(r.getRegion()) for r in regions] == [(a, b) for a, b, _ in ev["datapoints"][-ev["breaching"]:]]
    assert "breaching" in window.trace_docks.panel.text.toPlainText()
