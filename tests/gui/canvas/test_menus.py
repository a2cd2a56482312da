"""Issue 14 item 14: right-click menus name what they act on and offer the error failure, a
queue's consumer bug and a Lambda function's failing invocations."""
from __future__ import annotations

from gui.screenshot import snapshot


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def fail(self, target, mode, factor=1.0, duration_s=None):
        self.calls.append(("fail", target, mode, factor))

    def recover(self, target):
        self.calls.append(("recover", target))

    def boost(self, client_id, factor, duration_s):
        self.calls.append(("boost", client_id, factor))


def menu_for(window, item):
    return window.view.menu_at(window.view.mapFromScene(item.sceneBoundingRect().center()))


def pick(menu, starts: str) -> None:
    next(a for a in menu.actions() if a.text().startswith(starts)).trigger()


def test_the_instance_menu_names_the_instance_and_offers_errors(make_window):
    window = make_window("web-tier", start_engine=False)
    snapshot(window, 30.0)
    window.view.controls = controls = Recorder()
    tile = window.topology.items_by_id["web"].by_id["web/i-1"]
    menu = menu_for(window, tile)
    heading = menu.actions()[0]
    assert heading.text() == "Web tier i-1" and not heading.isEnabled() and heading.font().bold()
    pick(menu, "Fail all of its requests")
    assert controls.calls == [("fail", "web/i-1", "error", 1.0)]


def test_queues_and_functions_have_failure_options(make_window):
    window = make_window("fan-out", start_engine=False)
    window.view.controls = controls = Recorder()
    items = window.topology.items_by_id
    queue = next(i for i in items.values() if i.kind == "sqs_queue")
    function = next(i for i in items.values() if i.kind == "lambda_function")
    menu = menu_for(window, queue)
    assert menu.actions()[0].text() == queue.name
    pick(menu, "Consumer bug: all of the messages fail")
    pick(menu, "Fix the consumers")
    pick(menu_for(window, function), "Fail a quarter of the invocations")
    assert controls.calls == [("fail", queue.node_id, "error", 1.0), ("recover", queue.node_id),
                              ("fail", function.node_id, "error", 0.25)]


def test_a_consumer_bug_from_the_menu_reaches_the_engine_and_the_log(make_window, qtbot):
    window = make_window("poison-message")
    queue = window.topology.items_by_id["jobs"]
    pick(menu_for(window, queue), "Consumer bug: all")
    window.bridge.step()
    qtbot.waitUntil(lambda: any(r.get("kind") == "failure" and r.get("node") == "jobs"
                                for r in window.activity.model.rows), timeout=5000)
