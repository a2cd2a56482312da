"""Editing on the canvas: drops, gestures, Edit menu operations, live edits and files, each one
undoable exactly (QDrag does not run offscreen: drops are synthetic QDropEvents)."""
from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QEvent, QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit

from engine import examples, fileio, registry
from engine.model import Document
from gui.canvas.scene import GRID
from gui.editing import commands
from gui.editing.palette import mime_for
from gui.editing.session import RESTARTED
from gui.files import document_io


def snapshot(doc) -> str:
    return json.dumps(fileio.to_data(doc), sort_keys=True)


# -- synthetic input ------------------------------------------------------------------------------------
def mouse(window, kind: QEvent.Type, pos: QPoint, buttons=Qt.MouseButton.LeftButton,
          modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    viewport = window.view.viewport()
    button = Qt.MouseButton.NoButton if kind == QEvent.Type.MouseMove else Qt.MouseButton.LeftButton
    event = QMouseEvent(kind, QPointF(pos), QPointF(viewport.mapToGlobal(pos)), button, buttons, modifiers)
    QApplication.sendEvent(viewport, event)


def drag(window, start: QPoint, end: QPoint, steps: int = 8, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    """Press at start, move in steps, release at end: what a hand on a mouse does."""
    mouse(window, QEvent.Type.MouseButtonPress, start, modifiers=modifiers)
    for i in range(1, steps + 1):
        p = QPointF(start) + (QPointF(end) - QPointF(start)) * (i / steps)
        mouse(window, QEvent.Type.MouseMove, p.toPoint(), modifiers=modifiers)
    mouse(window, QEvent.Type.MouseButtonRelease, end, buttons=Qt.MouseButton.NoButton, modifiers=modifiers)
    QApplication.processEvents()


def at(window, node_id: str, port: bool = False) -> QPoint:
    item = window.topology.items_by_id[node_id]
    return window.view.mapFromScene(item.port_scene_pos() if port else item.pos())


def drop(window, mime: QMimeData, pos: QPoint) -> QDropEvent:
    """Enter, move and drop as Qt delivers a drag from the palette; returns the drop event."""
    viewport = window.view.viewport()
    actions, buttons, mods = Qt.DropAction.CopyAction, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(pos, actions, mime, buttons, mods)
    QApplication.sendEvent(viewport, enter)
    move = QDragMoveEvent(pos, actions, mime, buttons, mods)
    QApplication.sendEvent(viewport, move)
    assert enter.isAccepted() == move.isAccepted()
    event = QDropEvent(QPointF(pos), actions, mime, buttons, mods)
    QApplication.sendEvent(viewport, event)
    return event


def two_nodes() -> Document:
    doc = Document(title="Two")
    doc.add_node(fileio.from_data({"format": "flowdeck-topology", "schema_version": 1, "nodes": [
        {"id": "client1", "kind": "client", "name": "Client 1", "pos": [0, 0]}]}).nodes["client1"])
    return doc


# -- drops and double-clicks from the palette --------------------------------------------------------------
def test_a_palette_drop_creates_the_node_at_the_drop_point_in_one_undoable_command(make_window, qtbot):
    window = make_window(Document(), start_engine=False)
    before = snapshot(window.doc)
    pos = QPoint(420, 260)
    event = drop(window, mime_for("sqs_queue"), pos)
    assert event.isAccepted()
    (node,) = window.doc.nodes.values()
    expected = window.view.mapToScene(pos)
    assert node.kind == "sqs_queue" and node.name == "SQS queue 1" and node.id == "queue1"
    assert abs(node.pos[0] - expected.x()) <= 1 and abs(node.pos[1] - expected.y()) <= 1
    assert window.topology.items_by_id["queue1"].pos() == QPointF(*node.pos)
    assert window.undo_stack.count() == 1 and window.topology.selected_ids() == (["queue1"], [])
    drop(window, mime_for("sqs_queue"), QPoint(200, 200))
    assert [n.name for n in window.doc.nodes.values()] == ["SQS queue 1", "SQS queue 2"]
    window.undo_stack.undo()
    window.undo_stack.undo()
    assert snapshot(window.doc) == before and not window.topology.items_by_id


def test_a_drop_of_anything_else_is_refused(make_window):
    window = make_window(Document(), start_engine=False)
    plain = QMimeData()
    plain.setText("sqs_queue")
    event = drop(window, plain, QPoint(300, 300))
    assert not event.isAccepted() and not window.doc.nodes and window.undo_stack.count() == 0


def test_double_click_in_the_palette_adds_at_the_centre_of_the_view(make_window):
    window = make_window(Document(), start_engine=False)
    window.palette.itemDoubleClicked.emit(window.palette.entries["lambda_function"], 0)
    (node,) = window.doc.nodes.values()
    centre = window.view.mapToScene(window.view.viewport().rect().center())
    assert node.kind == "lambda_function" and abs(node.pos[0] - centre.x()) <= 1
    window.palette.itemDoubleClicked.emit(window.palette.entries["lambda_function"], 0)
    second = list(window.doc.nodes.values())[1]
    assert second.pos != node.pos, "a second one goes beside the first, not on top of it"


# -- connecting by dragging ------------------------------------------------------------------------------
def test_dragging_from_a_port_to_a_node_connects_them_with_a_fresh_edge(make_window):
    window = make_window(Document(), start_engine=False)
    client = window.edit.add_node("client", QPointF(0, 0))
    queue = window.edit.add_node("sqs_queue", QPointF(300, 40))
    count = window.undo_stack.count()
    drag(window, at(window, client, port=True), at(window, queue))
    (edge,) = window.doc.edges.values()
    assert (edge.id, edge.source, edge.target) == ("client1-queue1", client, queue)
    assert window.undo_stack.count() == count + 1 and len(window.topology.edge_items) == 1
    assert "the client sends messages" in window.statusBar().currentMessage()
    drag(window, at(window, client, port=True), at(window, queue))
    assert len(window.doc.edges) == 1 and "already connected" in window.statusBar().currentMessage()
    window.undo_stack.undo()
    assert not window.doc.edges and not window.topology.edge_items


def test_a_refused_connection_says_the_registry_reason_and_changes_nothing(make_window):
    window = make_window("web-tier", start_engine=False)
    before, count = snapshot(window.doc), window.undo_stack.count()
    drag(window, at(window, "users", port=True), at(window, "web"))
    reason = registry.refusal("client", "auto_scaling_group")
    assert reason[1:] in window.statusBar().currentMessage()
    assert snapshot(window.doc) == before and window.undo_stack.count() == count


def test_while_connecting_the_allowed_targets_are_ringed_and_the_others_dimmed(make_window):
    window = make_window("web-tier", start_engine=False)
    items = window.topology.items_by_id
    gesture = window.edit.editor.gesture_for(items["users"].port_scene_pos())
    assert type(gesture).__name__ == "ConnectGesture"
    assert items["alb"].is_target and not items["web"].is_target
    assert items["web"].opacity() < 1 and items["alb"].opacity() == 1 and items["users"].opacity() == 1
    gesture.cancel()
    assert all(i.opacity() == 1 and not i.is_target for i in items.values())


def test_connection_breaking_a_fifo_rule_is_refused_with_the_loader_reason(make_window):
    window = make_window(Document(), start_engine=False)
    topic = window.edit.add_node("sns_topic", QPointF(0, 0))
    window.undo_stack.push(commands.SetProp(window.doc, topic, "fifo", True))
    fn = window.edit.add_node("lambda_function", QPointF(300, 0))
    assert not window.edit.connect_nodes(topic, fn)
    assert "FIFO topic" in window.statusBar().currentMessage() and not window.doc.edges


# -- selecting and moving ----------------------------------------------------------------------------------
def test_a_drag_of_a_node_is_one_move_command_and_undo_puts_it_back(make_window):
    window = make_window("web-tier", start_engine=False)
    before = snapshot(window.doc)
    start = at(window, "alb")
    zoom = window.view.zoom()
    drag(window, start, start + QPoint(120, 60), steps=20)
    x, y = window.doc.nodes["alb"].pos
    assert abs(x - (260 + 120 / zoom)) <= 1.5 and abs(y - 60 / zoom) <= 1.5
    assert window.undo_stack.count() == 1 and window.undo_stack.text(0) == "Move ALB"
    window.undo_stack.undo()
    assert snapshot(window.doc) == before
    assert window.topology.items_by_id["alb"].pos() == QPointF(260, 0)


def test_rubber_band_selects_and_a_group_moves_together_with_snap(make_window):
    window = make_window("web-tier", start_engine=False)
    items = window.topology.items_by_id
    left = window.view.mapFromScene(items["users"].sceneBoundingRect().topLeft()) - QPoint(10, 10)
    right = window.view.mapFromScene(items["alb"].sceneBoundingRect().bottomRight()) + QPoint(10, 10)
    drag(window, left, right)
    assert window.topology.selected_ids() == (["users", "alb"], ["users-alb"])
    window.edit.snap_action.setChecked(True)
    drag(window, at(window, "alb"), at(window, "alb") + QPoint(37, 23))
    assert window.undo_stack.count() == 1 and window.undo_stack.text(0) == "Move 2 nodes"
    assert all(v % GRID == 0 for v in window.doc.nodes["alb"].pos)
    dx = window.doc.nodes["alb"].pos[0] - 260
    assert window.doc.nodes["users"].pos == (dx, window.doc.nodes["alb"].pos[1]), "both moved by the same amount"


def test_a_click_on_an_edge_selects_it_for_the_inspector(make_window, qtbot):
    window = make_window("web-tier", start_engine=False)
    edge = window.topology.edge_items[0]
    x0, y0, x1, y1 = edge.route(-1)
    middle = window.view.mapFromScene(QPointF((x0 + x1) / 2, (y0 + y1) / 2))
    drag(window, middle, middle, steps=1)
    assert window.topology.selected_ids() == ([], ["users-alb"])
    qtbot.waitUntil(lambda: window.inspector.owner_id == "users-alb", timeout=2000)


# -- the Edit menu: every operation undoes exactly ------------------------------------------------------------
def select(window, *node_ids: str) -> None:
    window.topology.select_ids(list(node_ids))


OPERATIONS = {
    "delete": lambda w: (select(w, "events"), w.edit.delete.trigger()),
    "delete a node the scenario uses": lambda w: (select(w, "shoppers"), w.edit.delete.trigger()),
    "delete an edge": lambda w: (w.topology.select_ids([], ["events-sales"]), w.edit.delete.trigger()),
    "cut": lambda w: (select(w, "payments", "charge"), w.edit.cut.trigger()),
    "copy and paste": lambda w: (select(w, "payments", "charge"), w.edit.copy.trigger(), w.edit.paste.trigger()),
    "duplicate": lambda w: (select(w, "events", "shipping"), w.edit.duplicate.trigger()),
    "rename": lambda w: w.edit.rename_to("sales", "Big orders"),
    "select all and delete": lambda w: (w.edit.select_all.trigger(), w.edit.delete.trigger()),
    "auto layout": lambda w: w.edit.layout_action.trigger(),
}


@pytest.mark.parametrize("name", list(OPERATIONS))
def test_each_edit_operation_is_one_command_that_undoes_and_redoes_exactly(make_window, name):
    window = make_window("fan-out", start_engine=False)
    window.view.setFocus()
    before = snapshot(window.doc)
    OPERATIONS[name](window)
    after = snapshot(window.doc)
    assert after != before and window.undo_stack.count() == 1
    fileio.loads(fileio.dumps(window.doc))      # what an edit leaves can always be saved and opened
    window.undo_stack.undo()
    assert snapshot(window.doc) == before
    assert set(window.topology.items_by_id) == set(window.doc.nodes)
    assert [e.edge_id for e in window.topology.edge_items] == list(window.doc.edges)
    window.undo_stack.redo()
    assert snapshot(window.doc) == after


def test_deleting_a_node_drops_the_scenario_actions_and_references_that_need_it(make_window):
    doc = fileio.load(examples.path("fan-out"))
    doc.nodes["events"].props = {}
    window = make_window(doc, start_engine=False)
    window.undo_stack.push(commands.SetProp(window.doc, "events-shipping", "dead_letter_queue", "payments"))
    select(window, "shoppers", "payments")
    window.edit.delete.trigger()
    assert all(a.get("target") != "shoppers" for a in window.doc.scenario)
    assert "dead_letter_queue" not in window.doc.edges["events-shipping"].props
    fileio.loads(fileio.dumps(window.doc))


def test_pasted_names_and_ids_are_fresh(make_window):
    window = make_window("fan-out", start_engine=False)
    select(window, "payments", "charge")
    window.edit.copy.trigger()
    window.edit.paste.trigger()
    window.edit.paste.trigger()
    names = [n.name for n in window.doc.nodes.values()]
    assert names.count("Payments queue") == 1 and "Payments queue 2" in names and "Payments queue 3" in names
    assert len(window.doc.edges) == 8 + 2
    pasted = window.topology.selected_ids()
    assert len(pasted[0]) == 2 and len(pasted[1]) == 1


def test_f2_and_a_double_click_on_the_name_rename_in_place(make_window, qtbot):
    window = make_window("web-tier", start_engine=False)
    select(window, "alb")
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
    window.view.setFocus()
    QTest.keyClick(window.view, Qt.Key.Key_F2)
    editor = window.view.viewport().findChild(QLineEdit, "nameEditor")
    assert editor is not None and editor.text() == "ALB"
    editor.setText("Front door")
    QTest.keyClick(editor, Qt.Key.Key_Return)
    assert window.doc.nodes["alb"].name == "Front door" and window.undo_stack.text(0) == "Rename ALB to Front door"
    assert window.topology.items_by_id["alb"].name == "Front door"
    name_at = window.view.mapFromScene(window.topology.items_by_id["users"].name_rect().center())
    mouse(window, QEvent.Type.MouseButtonDblClick, name_at)
    qtbot.waitUntil(lambda: any(e.isVisible() and e.text() == "Users"
                                for e in window.view.viewport().findChildren(QLineEdit, "nameEditor")), timeout=2000)
    editor = next(e for e in window.view.viewport().findChildren(QLineEdit, "nameEditor") if e.isVisible())
    QTest.keyClick(editor, Qt.Key.Key_Escape)
    assert window.doc.nodes["users"].name == "Users" and window.undo_stack.count() == 1
    window.undo_stack.undo()
    assert window.topology.items_by_id["alb"].name == "ALB"


def test_auto_layout_puts_layers_left_to_right_along_the_traffic(make_window):
    window = make_window("fan-out", start_engine=False)
    for node in list(window.doc.nodes):
        window.doc.move_node(node, (0, 0))            # a heap in one place
    window.edit.layout_action.trigger()
    x = {n: window.doc.nodes[n].pos[0] for n in window.doc.nodes}
    assert x["shoppers"] < x["alb"] < x["orders"] < x["events"] < x["shipping"] < x["warehouse"]
    assert x["payments"] == x["shipping"] == x["sales"] and x["charge"] == x["warehouse"]
    ys = sorted(window.doc.nodes[n].pos[1] for n in ("payments", "shipping", "sales"))
    assert ys[0] < ys[1] < ys[2], "one layer is a column with no overlap"


def test_auto_layout_survives_cycles():
    from gui.editing.layout import auto_layout, layers
    doc = fileio.load(examples.path("web-tier"))
    doc.add_node(fileio.from_data({"format": "flowdeck-topology", "schema_version": 1, "nodes": [
        {"id": "t", "kind": "sns_topic", "pos": [0, 0]}]}).nodes["t"])
    for source, target in (("web", "t"), ("t", "alb")):
        doc.add_edge(fileio.from_data({"format": "flowdeck-topology", "schema_version": 1, "nodes": [
            {"id": source, "kind": doc.nodes[source].kind}, {"id": target, "kind": doc.nodes[target].kind}],
            "edges": [{"id": f"{source}-{target}", "source": source, "target": target}]}).edges[f"{source}-{target}"])
    assert sorted(map(sorted, layers(doc))) == [["alb", "t", "web"], ["users"]]
    positions = auto_layout(doc, {n: (100.0, 80.0) for n in doc.nodes})
    assert len(set(positions.values())) == 4


# -- editing while the simulation runs -------------------------------------------------------------------------
def play_fast(window, qtbot) -> None:
    window.toolbar.speed_slider.setValue(6)            # 10x
    window.toggle_play()
    qtbot.waitUntil(lambda: window.engine_t > 3.0, timeout=10000)


def test_an_inspector_edit_is_one_set_prop_and_reaches_the_running_engine(make_window, qtbot):
    window = make_window("fan-out")
    play_fast(window, qtbot)
    select(window, "shipping")
    qtbot.waitUntil(lambda: "visibility_timeout_s" in window.inspector.editors, timeout=2000)
    window.inspector.editors["visibility_timeout_s"].input.setValue(45)
    assert window.doc.nodes["shipping"].props["visibility_timeout_s"] == 45
    assert window.undo_stack.count() == 1 and isinstance(window.undo_stack.command(0), commands.SetProp)
    world = lambda: window.bridge.runner.sim.world       # noqa: E731
    qtbot.waitUntil(lambda: world().components["shipping"].props["visibility_timeout_s"] == 45.0, timeout=5000)
    assert not window._awaiting_reset and window.engine_t > 3.0, "a prop change does not restart the run"
    window.undo_stack.undo()
    qtbot.waitUntil(lambda: world().components["shipping"].props["visibility_timeout_s"] == 60.0, timeout=5000)
    qtbot.waitUntil(lambda: window.inspector.editors["visibility_timeout_s"].input.value() == 60, timeout=2000)


def test_an_inspector_value_the_document_rules_refuse_is_not_applied(make_window, qtbot):
    window = make_window("fan-out", start_engine=False)
    select(window, "events")
    qtbot.waitUntil(lambda: "fifo" in window.inspector.editors, timeout=2000)
    window.inspector.editors["fifo"].input.setChecked(True)
    assert "FIFO topic" in window.statusBar().currentMessage()
    assert "fifo" not in window.doc.nodes["events"].props and window.undo_stack.count() == 0


def test_what_aws_refuses_is_refused_under_the_field_itself(make_window, qtbot):
    """AWS allows slow start of 0 or 30-900 s: 10 is refused, and the reason stays in place under
    the field (a status-bar line alone was easy to miss)."""
    window = make_window("web-tier", start_engine=False)
    select(window, "alb")
    qtbot.waitUntil(lambda: "slow_start_s" in window.inspector.editors, timeout=2000)
    window.inspector.editors["slow_start_s"].input.setValue(10)
    qtbot.waitUntil(lambda: not window.inspector.editors["slow_start_s"].error.isHidden(), timeout=2000)
    editor = window.inspector.editors["slow_start_s"]
    assert "refused by AWS" in editor.error.text() and editor.input.value() == 0
    assert "slow_start_s" not in window.doc.nodes["alb"].props and window.undo_stack.count() == 0
    editor.input.stepUp()                  # the arrows go 0 -> 30, the first value AWS accepts
    assert window.doc.nodes["alb"].props["slow_start_s"] == 30.0


def test_a_structural_change_while_running_replays_the_run_to_the_same_moment_and_says_so(make_window, qtbot):
    """Issue 14 item 9: the run used to restart from 0:00 with only a status-bar note."""
    window = make_window("fan-out")
    play_fast(window, qtbot)
    qtbot.waitUntil(lambda: window.engine_t > 5.0, timeout=5000)
    new = window.edit.add_node("sqs_queue", QPointF(840, 480))
    qtbot.waitUntil(lambda: window.statusBar().currentMessage().startswith(RESTARTED + ", back to"), timeout=2000)
    said = window.statusBar().currentMessage()
    qtbot.waitUntil(lambda: new in window.bridge.runner.sim.world.components, timeout=5000)
    at = float(said.split("back to ")[1].split(" ")[0].split(":")[1])
    assert at >= 5.0
    qtbot.waitUntil(lambda: not window._awaiting_reset and window.engine_t >= at, timeout=5000)
    assert not window.paused, "the run goes on from where it was"
    window.undo_stack.undo()
    qtbot.waitUntil(lambda: new not in window.bridge.runner.sim.world.components, timeout=5000)


def test_a_prop_the_engine_cannot_change_live_restarts_the_run(make_window, qtbot):
    window = make_window("queue-leveling")
    play_fast(window, qtbot)
    queue = next(n.id for n in window.doc.nodes.values() if n.kind == "sqs_queue")
    window.undo_stack.push(commands.SetProp(window.doc, queue, "fifo", True))
    qtbot.waitUntil(lambda: window.statusBar().currentMessage().startswith(RESTARTED), timeout=2000)
    qtbot.waitUntil(lambda: window.bridge.runner.sim.world.components[queue].props["fifo"] is True, timeout=5000)


# -- files ------------------------------------------------------------------------------------------------
def test_dirty_marker_and_save_write_the_document(make_window, tmp_path):
    window = make_window("web-tier", start_engine=False)
    assert not window.isWindowModified() and window.windowTitle().startswith(f"{window.doc.title} — Untitled[*]")
    window.edit.add_node("sqs_queue", QPointF(300, 200))
    assert window.isWindowModified()
    path = tmp_path / "mine.flowdeck.json"
    assert window.files.save_to(str(path))
    assert not window.isWindowModified() and window.windowTitle().startswith(f"{window.doc.title} — mine.flowdeck.json[*]")
    saved = fileio.load(path)
    assert "queue1" in saved.nodes and snapshot(saved) == snapshot(window.doc)
    window.undo_stack.undo()
    assert window.isWindowModified(), "undoing past the save makes it dirty again"
    window.undo_stack.redo()
    assert not window.isWindowModified()


def test_ctrl_s_saves_to_the_file_it_was_opened_from(make_window, tmp_path):
    path = tmp_path / "copy.flowdeck.json"
    path.write_text(examples.path("web-tier").read_text())
    window = make_window(Document(), start_engine=False)
    assert window.files.open_path(str(path))
    window.edit.rename_to("alb", "Front door")
    window.files.save.trigger()
    assert fileio.load(path).nodes["alb"].name == "Front door" and not window.isWindowModified()


def test_a_file_that_fails_to_load_shows_the_message_and_changes_nothing(make_window, tmp_path, monkeypatch):
    window = make_window("web-tier", start_engine=False)
    window.edit.add_node("sqs_queue", QPointF(300, 200))
    doc, before, count = window.doc, snapshot(window.doc), window.undo_stack.count()
    bad = tmp_path / "bad.flowdeck.json"
    bad.write_text('{"format": "flowdeck-topology", "schema_version": 1, "nodes": [{"id": "x", "kind": "teleporter"}]}')
    shown = []
    monkeypatch.setattr(document_io, "warn", lambda parent, title, text: shown.append(text))
    assert not window.files.open_path(str(bad), confirm=False)
    with pytest.raises(fileio.LoadError) as refused:
        fileio.load(bad)
    assert shown == [str(refused.value)] and "teleporter" in shown[0]
    assert window.doc is doc and snapshot(window.doc) == before and window.undo_stack.count() == count
    assert window.isWindowModified()


def test_new_and_examples_ask_about_unsaved_changes(make_window, monkeypatch):
    window = make_window("web-tier", start_engine=False)
    window.edit.add_node("sqs_queue", QPointF(300, 200))
    monkeypatch.setattr(document_io, "ask_save", lambda parent, name: document_io.CANCEL)
    window.files.new.trigger()
    assert "queue1" in window.doc.nodes, "Cancel keeps the document"
    window.close()
    assert window.isVisible(), "Cancel keeps the window open"
    monkeypatch.setattr(document_io, "ask_save", lambda parent, name: document_io.DISCARD)
    window.files.new.trigger()
    assert not window.doc.nodes and window.undo_stack.count() == 0 and not window.isWindowModified()
    assert window.files.open_example("fan-out")
    assert window.files.path is None and "events" in window.topology.items_by_id
    assert window.windowTitle().startswith(f"{window.doc.title} — Untitled")


def test_theme_geometry_and_snap_persist_in_settings(make_window):
    from gui.files import storage
    window = make_window("web-tier", start_engine=False)
    window.files.restore_settings()
    window.set_theme("dark")
    window.edit.snap_action.setChecked(True)
    window.close()
    assert document_io.saved_theme() == "dark"
    assert storage.settings().value("window/state") is not None and storage.settings().value("window/geometry")
    second = make_window("web-tier", start_engine=False)
    second.files.restore_settings()
    assert second.edit.snap
    second.set_theme("light")


def test_autosave_keeps_unsaved_work_until_a_clean_close(make_window):
    from gui.files import storage
    window = make_window("web-tier", start_engine=False)
    window.files.autosaver.save_now()
    assert storage.pending_recoveries() == [], "nothing to keep while the document is clean"
    window.edit.add_node("sqs_queue", QPointF(300, 200))
    window.files.autosaver.save_now()
    assert "queue1" in fileio.load(storage.pending_recoveries()[0]).nodes
    window.close()
    assert storage.pending_recoveries() == []


def test_recovery_opens_the_autosave_as_unsaved_work(make_window, monkeypatch):
    from gui.files import storage
    crashed = storage.autosave_dir() / "session-999999999.flowdeck.json"
    crashed.parent.mkdir(parents=True, exist_ok=True)
    storage.save_atomic(fileio.load(examples.path("spike")), crashed)
    window = make_window(Document(), start_engine=False)
    monkeypatch.delenv("FLOWDECK_NO_RECOVERY")
    monkeypatch.setattr(document_io, "ask_recover", lambda parent, paths: "recover")
    window.files.offer_recovery()
    assert window.doc.nodes and window.isWindowModified() and not crashed.exists()


# -- the geometry file for end-to-end tests ------------------------------------------------------------------
def test_the_geometry_file_is_kept_up_to_date_when_asked_for(make_window, qtbot, tmp_path, monkeypatch):
    target = tmp_path / "geometry.json"
    monkeypatch.setenv("FLOWDECK_GEOMETRY_FILE", str(target))
    window = make_window("web-tier", start_engine=False)
    qtbot.waitUntil(target.exists, timeout=3000)
    data = json.loads(target.read_text())
    assert set(data) - {"dots", "trace"} == {"palette", "canvas", "nodes", "sim_time_s", "paused", "timeline"}  # + tracing
    assert data["sim_time_s"] == 0.0 and data["paused"] is True
    tx, ty, tw, th = data["timeline"]
    bar = window.timeline
    assert (tw, th) == (bar.width(), bar.height()) and [tx, ty] == [bar.mapToGlobal(QPoint(0, 0)).x(),
                                                                    bar.mapToGlobal(QPoint(0, 0)).y()]
    assert set(data["palette"]) == set(registry.KINDS)
    x, y, w, h = data["canvas"]
    viewport = window.view.viewport()
    assert (w, h) == (viewport.width(), viewport.height()) and [x, y] == [viewport.mapToGlobal(QPoint(0, 0)).x(),
                                                                          viewport.mapToGlobal(QPoint(0, 0)).y()]
    assert set(data["nodes"]) == {"users", "alb", "web"}
    port = data["nodes"]["users"]["port"]
    local = viewport.mapFromGlobal(QPoint(*port))
    assert window.topology.port_at(window.view.mapToScene(local), 4.0) is window.topology.items_by_id["users"]
    window.edit.add_node("sqs_queue", QPointF(100, 300))
    qtbot.waitUntil(lambda: "queue1" in json.loads(target.read_text())["nodes"], timeout=2000)


def test_no_geometry_file_without_the_variable(make_window, qtbot, tmp_path):
    window = make_window("web-tier", start_engine=False)
    assert window.geometry_reporter is None
    qtbot.wait(300)
    assert list(tmp_path.iterdir()) == []


def test_keyboard_delete_and_undo_on_the_canvas(make_window, qtbot):
    window = make_window("web-tier", start_engine=False)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
    before = snapshot(window.doc)
    select(window, "alb")
    window.view.setFocus()
    QTest.keyClick(window.view, Qt.Key.Key_Delete)
    assert "alb" not in window.doc.nodes and not window.doc.edges
    QTest.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert snapshot(window.doc) == before


def test_the_context_menu_offers_edits_for_what_is_under_the_mouse(make_window):
    window = make_window("web-tier", start_engine=False)
    menu = window.edit.context_menu(window.view.menu_at(at(window, "users")), at(window, "users"))
    texts = [a.text() for a in menu.actions()]
    assert "Re&name…" in texts and "&Delete" in texts and any(t.startswith("Spike traffic") for t in texts)
    assert window.topology.selected_ids() == (["users"], [])
    empty = window.edit.context_menu(None, QPoint(5, 5))
    assert [a.text() for a in empty.actions()] == ["&Paste", "Select &All", "Auto &Layout"]


def test_a_middle_drag_pans_the_view_and_edits_nothing(make_window):
    window = make_window("web-tier", start_engine=False)
    before = snapshot(window.doc)
    centre = window.view.mapToScene(window.view.viewport().rect().center())
    viewport = window.view.viewport()
    start, end = at(window, "alb"), at(window, "alb") + QPoint(-80, 0)
    for kind, pos, buttons in ((QEvent.Type.MouseButtonPress, start, Qt.MouseButton.MiddleButton),
                               (QEvent.Type.MouseMove, end, Qt.MouseButton.MiddleButton),
                               (QEvent.Type.MouseButtonRelease, end, Qt.MouseButton.NoButton)):
        button = Qt.MouseButton.NoButton if kind == QEvent.Type.MouseMove else Qt.MouseButton.MiddleButton
        QApplication.sendEvent(viewport, QMouseEvent(kind, QPointF(pos), QPointF(viewport.mapToGlobal(pos)), button,
                                                     buttons, Qt.KeyboardModifier.NoModifier))
    moved = window.view.mapToScene(window.view.viewport().rect().center())
    assert moved.x() > centre.x() + 20 and snapshot(window.doc) == before and not window.view.auto_fit


# -- the whole story: the fan-out built from nothing ----------------------------------------------------------
def test_build_the_fan_out_from_an_empty_canvas_run_edit_live_save_reopen_and_undo(make_window, qtbot, tmp_path):
    window = make_window(Document())
    view = window.view
    spots = {"client": (0.1, 0.5), "sns_topic": (0.3, 0.5), "sqs_queue": (0.5, 0.3), "lambda_function": (0.75, 0.3),
             "auto_scaling_group": (0.75, 0.62), "email_endpoint": (0.5, 0.8)}
    w, h = view.viewport().width(), view.viewport().height()
    for kind, (fx, fy) in spots.items():
        drop(window, mime_for(kind), QPoint(int(w * fx), int(h * fy)))
    drop(window, mime_for("sqs_queue"), QPoint(int(w * 0.5), int(h * 0.55)))
    assert list(window.doc.nodes) == ["client1", "topic1", "queue1", "lambda1", "asg1", "email1", "queue2"]
    for source, target in (("client1", "topic1"), ("topic1", "queue1"), ("topic1", "queue2"), ("topic1", "email1"),
                           ("queue1", "lambda1"), ("queue2", "asg1")):
        drag(window, at(window, source, port=True), at(window, target))
        assert f"{source}-{target}" in window.doc.edges, window.statusBar().currentMessage()

    def editor(edge_id: str, prop: str):
        window.topology.select_ids([], [edge_id])
        qtbot.waitUntil(lambda: window.inspector.owner_id == edge_id and prop in window.inspector.editors, timeout=2000)
        return window.inspector.editors[prop]

    attributes = editor("client1-topic1", "message_attributes").input      # a form: no JSON typed
    attributes.add()
    (first, first_weight), (second, second_weight) = attributes.cards[0].rows
    for box, text in ((first, "order_placed"), (second, "order_cancelled")):
        box.setText(text)
        box.editingFinished.emit()
    first_weight.setValue(0.8)
    second_weight.setValue(0.2)
    assert window.doc.edges["client1-topic1"].props["message_attributes"] == {
        "event_type": {"values": ["order_placed", "order_cancelled"], "weights": [0.8, 0.2]}}
    for edge_id, wanted in (("topic1-queue1", "order_placed"), ("topic1-queue2", "order_cancelled")):
        policy = editor(edge_id, "filter_policy")
        policy.input.text.setPlainText(f'{{"event_type": ["{wanted}"]}}')
        policy.input.edited.emit()            # what leaving the text does
    assert window.doc.edges["topic1-queue2"].props["filter_policy"] == {"event_type": ["order_cancelled"]}
    steps = window.undo_stack.count()
    assert steps == 7 + 6 + 5 + 2      # drops, connections, the attribute (added, two values, two weights), policies

    play_fast(window, qtbot)
    email = window.topology.items_by_id["email1"]
    qtbot.waitUntil(lambda: any(b.text.endswith("delivered") and not b.text.startswith("0 ") for b in email.badges),
                    timeout=10000)
    select(window, "queue2")
    qtbot.waitUntil(lambda: "visibility_timeout_s" in window.inspector.editors, timeout=2000)
    window.inspector.editors["visibility_timeout_s"].input.setValue(90)
    qtbot.waitUntil(lambda: window.bridge.runner.sim.world.components["queue2"].props["visibility_timeout_s"] == 90,
                    timeout=5000)

    path = tmp_path / "fan-out-mine.flowdeck.json"
    assert window.files.save_to(str(path))
    reopened = make_window(Document(), start_engine=False)
    assert reopened.files.open_path(str(path))
    assert snapshot(reopened.doc) == snapshot(window.doc)
    assert reopened.doc.nodes["queue2"].props["visibility_timeout_s"] == 90

    saved = snapshot(window.doc)
    while window.undo_stack.canUndo():
        window.undo_stack.undo()
    assert not window.doc.nodes and not window.topology.items_by_id and not window.topology.edge_items
    while window.undo_stack.canRedo():
        window.undo_stack.redo()
    assert snapshot(window.doc) == saved and not window.isWindowModified()


def test_auto_layout_without_edges_makes_a_grid_not_a_column():
    """Issue 14 item 17: nine unconnected nodes were stacked in one column."""
    from engine.model import Document, Node
    from gui.editing.layout import auto_layout
    doc = Document()
    for i in range(9):
        doc.add_node(Node(f"q{i}", "sqs_queue", f"Queue {i}", (0.0, 40.0 * i), {}))
    positions = auto_layout(doc, {n: (200.0, 130.0) for n in doc.nodes})
    xs, ys = {p[0] for p in positions.values()}, {p[1] for p in positions.values()}
    assert len(xs) == 3 and len(ys) == 3, positions
    assert len(set(positions.values())) == 9


def test_a_pasted_copy_never_lands_on_its_original_and_the_status_says_pasted(make_window):
    window = make_window("fan-out", start_engine=False)
    select(window, "payments", "charge")
    window.edit.copy.trigger()
    assert window.statusBar().currentMessage() == "Copied 2 components"
    window.edit.paste.trigger()
    items = window.topology.items_by_id
    copies = window.topology.selected_ids()[0]
    for copy_id in copies:
        for original in ("payments", "charge"):
            assert not items[copy_id].layout_rect().intersects(items[original].layout_rect()), (copy_id, original)
    assert window.statusBar().currentMessage() == "Pasted 2 components below"


def test_an_edit_clears_an_older_status_message(make_window):
    """Issue 14 item 18: "Copied 9 components" stayed after other edits."""
    window = make_window("fan-out", start_engine=False)
    select(window, "payments")
    window.edit.copy.trigger()
    assert window.statusBar().currentMessage().startswith("Copied")
    window.edit.rename_to("payments", "Payments")
    assert window.statusBar().currentMessage() == ""
