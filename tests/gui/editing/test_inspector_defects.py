"""The inspector defects of issue 14 (1-5, 10): each test fails on the inspector as it was."""
from __future__ import annotations

import json

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from engine import fileio


def select(window, qtbot, node_id=None, edge_id=None, prop=None):
    window.topology.select_ids([node_id] if node_id else [], [edge_id] if edge_id else [])
    owner = node_id or edge_id
    qtbot.waitUntil(lambda: window.inspector.owner_id == owner and (prop is None or prop in window.inspector.editors),
                    timeout=2000)
    return window.inspector.editors.get(prop)


def wheel(widget, steps: int = -1) -> QWheelEvent:
    """A wheel turned over the middle of widget (negative: towards the user, scrolling down)."""
    pos = QPointF(widget.rect().center())
    event = QWheelEvent(pos, QPointF(widget.mapToGlobal(pos.toPoint())), QPoint(0, 0), QPoint(0, 120 * steps),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)
    return event


def type_into(field, text: str) -> None:
    field.setFocus()
    field.lineEdit().selectAll()
    QTest.keyClicks(field.lineEdit(), text)
    QTest.keyClick(field.lineEdit(), Qt.Key.Key_Return)


def test_1_a_wheel_over_the_inspector_scrolls_the_panel_and_changes_no_field(make_window, qtbot):
    window = make_window("web-tier", start_engine=False)
    window.inspector_dock.raise_()
    spin = select(window, qtbot, node_id="web", prop="max_size").input
    qtbot.waitUntil(lambda: window.inspector.scroll_area().verticalScrollBar().maximum() > 0, timeout=2000)
    bar = window.inspector.scroll_area().verticalScrollBar()
    before, steps = spin.value(), window.undo_stack.count()
    for _ in range(4):
        wheel(spin)
    QApplication.processEvents()
    assert spin.value() == before and window.undo_stack.count() == steps, "an unfocused field ignores the wheel"
    assert bar.value() > 0, "the wheel scrolled the panel instead"
    combo = window.inspector.editors["termination_policy"].input
    code = combo.code()
    wheel(combo)
    assert combo.code() == code and window.undo_stack.count() == steps
    spin.setFocus()
    qtbot.waitUntil(spin.hasFocus, timeout=2000)
    wheel(spin, steps=1)
    assert spin.value() == before + 1, "a focused field still takes the wheel"


def test_2_a_number_out_of_range_is_refused_with_the_range_not_cut_to_fit(make_window, qtbot):
    """AWS: VisibilityTimeout is 0 to 43,200 seconds (12 hours)."""
    window = make_window("queue-leveling", start_engine=False)
    window.inspector_dock.raise_()
    queue = next(n.id for n in window.doc.nodes.values() if n.kind == "sqs_queue")
    editor = select(window, qtbot, node_id=queue, prop="visibility_timeout_s")
    before, steps = window.doc.nodes[queue].prop("visibility_timeout_s"), window.undo_stack.count()
    type_into(editor.input, "99999")
    assert window.doc.nodes[queue].prop("visibility_timeout_s") == before and window.undo_stack.count() == steps
    assert not editor.error.isHidden()
    assert "99,999 s is out of range" in editor.error.text() and "0–43,200 s" in editor.error.text()
    type_into(editor.input, "43200")
    assert window.doc.nodes[queue].props["visibility_timeout_s"] == 43200 and editor.error.isHidden()


def test_2_a_weight_above_its_maximum_is_refused_too(make_window, qtbot):
    """AWS: a target group weight in a listener rule is 0 to 999."""
    window = make_window("web-tier", start_engine=False)
    window.inspector_dock.raise_()
    editor = select(window, qtbot, edge_id="alb-web", prop="weight")
    type_into(editor.input, "1000")
    assert "weight" not in window.doc.edges["alb-web"].props
    assert "1,000 is out of range: enter 0–999" in editor.error.text()


def test_3_min_size_above_desired_is_said_under_the_field_and_the_fix_is_one_undo_step(make_window, qtbot):
    """AWS: MinSize <= DesiredCapacity <= MaxSize, or CreateAutoScalingGroup/UpdateAutoScalingGroup fails."""
    window = make_window("web-tier", start_engine=False)
    window.inspector_dock.raise_()
    node = window.doc.nodes["web"]
    lo, want, hi = node.prop("min_size"), node.prop("desired_capacity"), node.prop("max_size")
    editor = select(window, qtbot, node_id="web", prop="min_size")
    steps = window.undo_stack.count()
    editor.input.setValue(want + 1)
    qtbot.waitUntil(lambda: not window.inspector.editors["min_size"].error.isHidden(), timeout=2000)
    editor = window.inspector.editors["min_size"]
    assert f"Minimum size {want + 1} is above the desired capacity {want}" in editor.error.text()
    assert not editor.fix.isHidden() and editor.fix.text() == f"Also set desired capacity to {want + 1}"
    assert node.prop("min_size") == lo and window.undo_stack.count() == steps
    editor.fix.click()
    assert (node.prop("min_size"), node.prop("desired_capacity"), node.prop("max_size")) == (want + 1, want + 1, hi)
    assert window.undo_stack.count() == steps + 1
    window.undo_stack.undo()
    assert (node.prop("min_size"), node.prop("desired_capacity")) == (lo, want)


def test_4_leaving_an_unchanged_box_records_nothing(make_window, qtbot):
    window = make_window("fan-out", start_engine=False)
    window.inspector_dock.raise_()
    editor = select(window, qtbot, edge_id="events-payments", prop="filter_policy")
    editor.input.text.setFocus()
    qtbot.waitUntil(editor.input.text.hasFocus, timeout=2000)
    window.inspector.editors["latency_ms"].input.setFocus()      # leave the JSON box as it was
    qtbot.waitUntil(lambda: not editor.input.text.hasFocus(), timeout=2000)
    editor = select(window, qtbot, node_id="orders", prop="instance")
    template = editor.input
    template_before = json.dumps(fileio.to_data(window.doc), sort_keys=True)
    for child in template.findChildren(type(editor)):
        child._commit()              # what leaving each of its fields does
    editor._commit()
    assert window.undo_stack.count() == 0 and not window.isWindowModified()
    assert json.dumps(fileio.to_data(window.doc), sort_keys=True) == template_before


def test_5_an_edit_before_the_run_started_changes_the_starting_state_as_the_saved_file(make_window, qtbot, tmp_path):
    """Setting desired capacity at 0:00, before anything played, starts the run as the saved file
    does: every instance in service from the start, none booting."""
    window = make_window("web-tier")
    window.inspector_dock.raise_()
    node = window.doc.nodes["web"]
    new = node.prop("desired_capacity") + 1
    editor = select(window, qtbot, node_id="web", prop="desired_capacity")
    editor.input.setValue(new)

    def group():
        return window.bridge.runner.sim.world.components["web"]
    qtbot.waitUntil(lambda: len(group().instances) == new, timeout=5000)
    assert len(group().in_service()) == new and not group().pending()
    path = tmp_path / "edited.flowdeck.json"
    assert window.files.save_to(str(path))
    from engine.simulation import Simulation
    saved = Simulation(fileio.load(str(path)))
    saved_group = saved.world.components["web"]
    assert len(saved_group.in_service()) == new == len(group().in_service())


def test_10_the_panel_keeps_its_scroll_position_and_scrolls_a_refusal_into_view(make_window, qtbot):
    window = make_window("web-tier", start_engine=False)
    window.inspector_dock.raise_()
    select(window, qtbot, node_id="web", prop="max_size")
    bar = window.inspector.scroll_area().verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 100, timeout=2000)
    bar.setValue(bar.maximum() // 2)
    kept = bar.value()
    window.inspector.editors["max_size"].input.setValue(window.doc.nodes["web"].prop("max_size") + 1)
    window.undo_stack.undo()          # the document changes under the inspector: it is built anew
    qtbot.waitUntil(lambda: window.inspector.editors["max_size"].input.value() == window.doc.nodes["web"].prop("max_size"),
                    timeout=2000)
    qtbot.waitUntil(lambda: bar.value() == kept, timeout=2000)   # once the rebuilt form has its height
    bar.setValue(0)
    area = window.inspector.scroll_area()
    editor = window.inspector.editors["policies"]
    window.inspector.show_refusal("policies", "A refusal far below the top of the panel")
    QApplication.processEvents()
    top = editor.error.mapTo(area.viewport(), QPoint(0, 0)).y()
    assert bar.value() > 0 and 0 <= top and top + editor.error.height() <= area.viewport().height()
