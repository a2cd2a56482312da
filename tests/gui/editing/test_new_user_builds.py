"""Issue 14's 'done when': a new user builds the Cloud Practitioner architecture from an empty canvas
(users -> ALB -> web group -> SNS topic -> two SQS queues with workers and a Lambda, plus email),
with a target tracking and a step policy, a filter policy and a dead-letter queue, typing no JSON
but the filter policy; each change one undo step; the file saved is the one loaded again."""
from __future__ import annotations

import json

from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QLineEdit

from engine import fileio
from engine.model import Document
from engine.policies import check_policies
from gui.editing.palette import mime_for
from tests.gui.editing.test_editing import at, drag, drop, play_fast

LAYOUT = [("client", "Users", 0.06, 0.5), ("load_balancer", "ALB", 0.2, 0.5), ("auto_scaling_group", "Web", 0.36, 0.5),
          ("sns_topic", "Orders", 0.52, 0.5), ("sqs_queue", "Shipping", 0.68, 0.25),
          ("sqs_queue", "Billing", 0.68, 0.55), ("sqs_queue", "Failed", 0.68, 0.85),
          ("auto_scaling_group", "Workers", 0.88, 0.2), ("lambda_function", "Charge", 0.88, 0.55),
          ("email_endpoint", "Ops email", 0.52, 0.85)]
WIRES = [("Users", "ALB"), ("ALB", "Web"), ("Web", "Orders"), ("Orders", "Shipping"), ("Orders", "Billing"),
         ("Orders", "Ops email"), ("Shipping", "Workers"), ("Billing", "Charge")]


def test_a_new_user_builds_the_cloud_practitioner_architecture_with_forms(make_window, qtbot, tmp_path):
    window = make_window(Document(), size=(1600, 1000))
    view, ids = window.view, {}
    w, h = view.viewport().width(), view.viewport().height()
    for kind, name, fx, fy in LAYOUT:
        before = set(window.doc.nodes)
        drop(window, mime_for(kind), QPoint(int(w * fx), int(h * fy)))
        (new,) = set(window.doc.nodes) - before
        ids[name] = new
        inspect(window, qtbot, node_id=new)
        rename(window, qtbot, new, name)
    for source, target in WIRES:
        drag(window, at(window, ids[source], port=True), at(window, ids[target]))
        assert f"{ids[source]}-{ids[target]}" in window.doc.edges, window.statusBar().currentMessage()
    steps = window.undo_stack.count()

    # the web group: sizes as numbers, a target tracking and a step policy as forms
    web = ids["Web"]
    editor = inspect(window, qtbot, node_id=web, prop="max_size")
    editor.input.setValue(6)
    window.inspector.editors["desired_capacity"].input.setValue(2)
    policies = window.inspector.editors["policies"].input
    policies.as_json.setChecked(False)
    policies.add("target_tracking")
    policies.card_list[-1].fields["target"].setValue(60)
    policies.add("step")
    policies.card_list[-1].steps.rows[0][2].setValue(2)
    assert window.undo_stack.count() == steps + 6, "each change is one undo step"
    saved_policies = window.doc.nodes[web].props["policies"]
    assert [p["type"] for p in check_policies(saved_policies)] == ["target_tracking", "step"]
    assert saved_policies[0]["target"] == 60 and saved_policies[1]["steps"][0]["adjustment"] == 2

    # messages carry an attribute (a form), one subscription filters on it (the only JSON typed)
    attributes = inspect(window, qtbot, edge_id=f"{web}-{ids['Orders']}", prop="message_attributes").input
    attributes.add()
    (first, _), (second, second_weight) = attributes.cards[0].rows
    for box, text in ((first, "standard"), (second, "express")):
        box.setText(text)
        box.editingFinished.emit()
    second_weight.setValue(0.25)
    sub = f"{ids['Orders']}-{ids['Shipping']}"
    policy = inspect(window, qtbot, edge_id=sub, prop="filter_policy")
    policy.input.text.setPlainText('{"event_type": ["express"]}')
    policy.input.text.setPlainText('{"event_type": ["express", "standard"]}')
    policy.input.edited.emit()            # leaving the box
    assert window.doc.edges[sub].props["filter_policy"] == {"event_type": ["express", "standard"]}

    # the email subscription's dead-letter queue: picked by its name
    picker = inspect(window, qtbot, edge_id=f"{ids['Orders']}-{ids['Ops email']}", prop="dead_letter_queue").input
    picker.setCurrentIndex(picker.findText("Failed"))
    assert window.doc.edges[f"{ids['Orders']}-{ids['Ops email']}"].props["dead_letter_queue"] == ids["Failed"]

    # the instance template and the client's traffic pattern: fields, not JSON
    template = inspect(window, qtbot, node_id=ids["Workers"], prop="instance").input
    concurrency = next(e for e in template.findChildren(type(window.inspector.editors["instance"]))
                       if e.spec.name == "concurrency")
    concurrency.input.setValue(4)
    assert window.doc.nodes[ids["Workers"]].props["instance"] == {"concurrency": 4}
    pattern = inspect(window, qtbot, node_id=ids["Users"], prop="pattern").input
    pattern.kind.set_code("sine")
    assert window.doc.nodes[ids["Users"]].props["pattern"]["type"] == "sine"

    path = tmp_path / "cloud-practitioner.flowdeck.json"
    assert window.files.save_to(str(path))
    assert json.dumps(fileio.to_data(fileio.load(str(path))), sort_keys=True) == json.dumps(
        fileio.to_data(window.doc), sort_keys=True)
    play_fast(window, qtbot)       # requests flow to the end: the Lambda function is invoked
    qtbot.waitUntil(lambda: window.bridge.runner.sim.world.components[ids["Charge"]].invocations > 0, timeout=20000)


def inspect(window, qtbot, node_id=None, edge_id=None, prop=None):
    window.topology.select_ids([node_id] if node_id else [], [edge_id] if edge_id else [])
    owner = node_id or edge_id
    qtbot.waitUntil(lambda: window.inspector.owner_id == owner and (prop is None or prop in window.inspector.editors),
                    timeout=2000)
    return window.inspector.editors.get(prop)


def rename(window, qtbot, node_id: str, name: str) -> None:
    box = window.inspector.findChild(QLineEdit, "nameEdit")
    box.setText(name)
    box.editingFinished.emit()
    qtbot.waitUntil(lambda: window.doc.nodes[node_id].name == name, timeout=2000)
