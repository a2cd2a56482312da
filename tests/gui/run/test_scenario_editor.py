"""The scenario editor: actions added from the menus, dragged on the timeline, edited and deleted;
each change is one undo step and what is saved loads back the same (FORMAT.md 1.3)."""
from __future__ import annotations

import json

from PySide6.QtCore import QPoint, Qt

from engine import fileio
from gui.run import scenario_actions as sa
from gui.run.scenario_dialog import ActionDialog


def entry(menu, prefix: str):
    """The menu's action (or submenu's action) whose text starts with prefix."""
    found = next((a for a in menu.actions() if a.text().startswith(prefix)), None)
    assert found is not None, f"no entry {prefix!r} in {[a.text() for a in menu.actions()]}"
    return found


def test_moving_a_spike_moves_the_spike_itself():
    scenario = [sa.spike(100.0, "users")]
    moved = sa.moved(scenario, 0, 160.0)
    assert moved[0]["at_s"] == 160.0 and moved[0]["value"]["at_s"] == 160.0
    assert scenario[0]["at_s"] == 100.0, "the original list is left alone (undo keeps it)"


def test_menu_adds_drag_moves_and_each_is_one_undo_step(make_window, qtbot, tmp_path):
    window = make_window("web-tier", size=(1400, 900))
    doc, stack = window.doc, window.undo_stack
    before = [dict(a) for a in doc.scenario]
    menu = window.scenario.popup_menu(None, 42.0)            # right-click on the bare track at 0:42
    entry(menu, "Add pause cue at 0:42").trigger()
    entry(entry(menu, "Fail at 0:42: Web tier").menu(), "Crash").trigger()
    assert doc.scenario[-2:] == [{"at_s": 42.0, "action": "pause"},
                                 {"at_s": 42.0, "action": "fail", "target": "web", "mode": "crash", "count": 1}]
    assert stack.count() == 2
    bar = window.timeline
    qtbot.waitUntil(lambda: len(bar.cues) == len(before) + 2)
    y = int(bar.height() / 2 - 5)
    x0, x1 = int(bar.x_of(42.0)), int(bar.x_of(300.0))
    qtbot.mousePress(bar, Qt.MouseButton.LeftButton, pos=QPoint(x0 + 1, y))
    qtbot.mouseMove(bar, QPoint((x0 + x1) // 2, y))
    qtbot.mouseMove(bar, QPoint(x1, y))
    qtbot.mouseRelease(bar, Qt.MouseButton.LeftButton, pos=QPoint(x1, y))
    pixel_s = doc.duration_s / bar._track().width()
    times = sorted(a["at_s"] for a in doc.scenario[-2:])
    assert times[0] == 42.0 and abs(times[1] - 300.0) <= pixel_s + 0.1, "one of the two markers moved"
    assert stack.count() == 3 and "Move" in stack.text(2)
    path = tmp_path / "talk.flowdeck.json"
    assert window.files.save_to(str(path))
    assert fileio.load(path).scenario == doc.scenario
    for _ in range(3):
        stack.undo()
    assert doc.scenario == before


def test_the_small_editor_changes_a_caption_and_delete_removes_it(make_window, qtbot, monkeypatch):
    window = make_window("failure")
    doc, stack = window.doc, window.undo_stack
    index = next(i for i, a in enumerate(doc.scenario) if a["action"] == "caption" and a["at_s"] == 60)

    def typed(dialog):
        dialog.text.setText("The crash, now")
        dialog.duration.setValue(8.0)
        dialog.accept()
        return dialog.result() == ActionDialog.DialogCode.Accepted
    monkeypatch.setattr(ActionDialog, "exec", typed)
    window.timeline.cue_edit_requested.emit(index)
    assert doc.scenario[index] == {"at_s": 60, "action": "caption", "text": "The crash, now", "duration_s": 8.0}
    count = len(doc.scenario)
    entry(window.scenario.popup_menu(index, 60.0), "Delete").trigger()
    assert len(doc.scenario) == count - 1 and stack.count() == 2
    stack.undo()
    assert doc.scenario[index]["text"] == "The crash, now"


def test_a_refused_edit_stays_in_the_dialog_with_the_reason(make_window, monkeypatch):
    window = make_window("web-tier")
    doc = window.doc
    index = next(i for i, a in enumerate(doc.scenario) if a["action"] == "set")
    seen = {}

    def typed(dialog):
        dialog.value.setText("-5")          # rate_rps below its range: the loader refuses it
        dialog.accept()
        seen["refusal"] = dialog.refusal.text()
        return dialog.result() == ActionDialog.DialogCode.Accepted
    monkeypatch.setattr(ActionDialog, "exec", typed)
    old = dict(doc.scenario[index])
    window.scenario.edit(index)
    assert "below the minimum" in seen["refusal"] and doc.scenario[index] == old
    assert window.undo_stack.count() == 0


def test_the_canvas_menu_offers_the_node_under_the_mouse(make_window, qtbot):
    window = make_window("spike")
    item = window.topology.items_by_id["shoppers"]
    pos = window.view.mapFromScene(item.sceneBoundingRect().center())
    menu = window.view.extend_menu(None, pos)
    story = entry(menu, "Scenario at").menu()
    entry(entry(story, "Spike traffic").menu(), "×5").trigger()
    act = window.doc.scenario[-1]
    assert sa.is_spike(act) and act["target"] == "shoppers" and act["at_s"] == 0.0
    assert not any(a.text().startswith("Fail at") for a in story.actions()), "a client cannot fail"


def test_a_caption_added_from_the_menu_is_written_first_and_is_one_step(make_window, monkeypatch):
    window = make_window("web-tier")
    doc, stack = window.doc, window.undo_stack
    count = len(doc.scenario)
    answers = iter([False, True])     # Cancel first, then OK

    def typed(dialog):
        dialog.text.setText("Watch the queue")
        ok = next(answers)
        if ok:
            dialog.accept()
        return ok and dialog.result() == ActionDialog.DialogCode.Accepted
    monkeypatch.setattr(ActionDialog, "exec", typed)
    entry(window.scenario.popup_menu(None, 30.0), "Add caption").trigger()
    assert len(doc.scenario) == count and stack.count() == 0, "Cancel adds nothing"
    entry(window.scenario.popup_menu(None, 30.0), "Add caption").trigger()
    assert doc.scenario[-1] == {"at_s": 30.0, "action": "caption", "text": "Watch the queue"}
    assert stack.count() == 1 and stack.text(0).startswith("Add 0:30 caption")


def test_the_run_follows_an_edited_story(make_window, qtbot):
    """A pause cue added in the editor stops the live run at its time: the engine got the new story."""
    window = make_window("web-tier")
    entry(window.scenario.popup_menu(None, 4.0), "Add pause cue at 0:04").trigger()
    qtbot.waitUntil(lambda: any(a["action"] == "pause" for a in window.bridge.runner.doc.scenario), timeout=5000)
    window.toolbar.speed_slider.setValue(6)   # 10x
    window.toggle_play()
    qtbot.waitUntil(lambda: window.bridge.runner.paused and window.engine_t >= 4.0, timeout=10000)
    assert window.engine_t == 4.0, "paused exactly at the new cue"


def test_choosing_another_setting_starts_from_its_value(make_window):
    window = make_window("web-tier", start_engine=False)
    act = sa.set_prop(30.0, "alb", "algorithm", "round_robin")
    dialog = ActionDialog(None, window.doc, act, lambda a: None)
    dialog.prop.setCurrentText("idle_timeout_s")
    assert json.loads(dialog.value.text()) == 60 and dialog.result_action()["value"] == 60   # the default, 60 s
