"""The inspector's forms: scaling policies, instance template, pattern, attributes, filter policy,
dead-letter queue, labels. Values they emit are checked by the engine's own prop checks."""
from __future__ import annotations

import json

import pytest

from engine import examples, fileio, filter_policy, registry
from engine.policies import check_policies
from gui.editing.forms import filter_box
from gui.editing.forms.policies import PoliciesEditor
from gui.editing.inspector import Inspector


def inspector_on(qtbot, example: str, node_id: str | None = None, edge_id: str | None = None):
    doc = fileio.load(examples.path(example))
    inspector = Inspector()
    qtbot.addWidget(inspector)
    inspector.show()
    (inspector.show_node(doc, node_id) if node_id else inspector.show_edge(doc, edge_id))
    emitted: list[tuple] = []
    inspector.edited.connect(lambda *a: emitted.append(a))
    return doc, inspector, emitted


def test_labels_are_words_with_their_unit(qtbot):
    from PySide6.QtWidgets import QLabel
    _, inspector, _ = inspector_on(qtbot, "fan-out", node_id="payments")
    labels = [w.text() for w in inspector.form_host.findChildren(QLabel) if w.parent() is inspector.form_host]
    assert "Visibility timeout (s)" in labels and "Receives before dead-lettering" in labels
    assert not any("_" in text for text in labels), labels


def test_scaling_policies_as_forms_add_target_tracking_and_step(qtbot):
    """AWS: step adjustments must not overlap or leave gaps, and one end stays open (PutScalingPolicy)."""
    doc, inspector, emitted = inspector_on(qtbot, "web-tier", node_id="web")
    editor = inspector.editors["policies"].input
    assert isinstance(editor, PoliciesEditor)
    editor.as_json.setChecked(False)
    before = len(editor.card_list)
    editor.add("target_tracking")
    editor.add("step")
    assert len(emitted) == 2 and len(emitted[-1][2]) == before + 2
    check_policies(emitted[-1][2])
    step_card = editor.card_list[-1]
    step_card.steps._add()                       # a third, highest step: the ranges still touch
    steps = emitted[-1][2][-1]["steps"]
    assert [s.get("lower") for s in steps] == [70.0, 90.0, 100.0] and "upper" not in steps[-1]
    check_policies(emitted[-1][2])
    target = editor.card_list[-2].fields["target"]
    assert target.suffix() == " %"
    target.setValue(60)
    assert emitted[-1][2][-2] == {"type": "target_tracking", "metric": "cpu_utilization", "target": 60.0}
    lower = step_card.steps.rows[0][0]
    lower.setValue(95)                          # above its upper bound (90): refused in place
    editor_error = inspector.editors["policies"].error
    assert not editor_error.isHidden() and editor_error.text().startswith("Policy ")
    count = len(emitted)
    lower.setValue(70)
    assert len(emitted) == count, "back to the value last recorded: nothing to record"
    assert editor_error.isHidden()


def test_edit_as_json_shows_the_same_policies_and_reads_them_back(qtbot):
    doc, inspector, emitted = inspector_on(qtbot, "web-tier", node_id="web")
    editor = inspector.editors["policies"].input
    editor.as_json.setChecked(False)
    shown = editor.value()
    editor.as_json.setChecked(True)
    assert json.loads(editor.text.toPlainText()) == shown
    changed = shown + [{"type": "scheduled", "at_s": 900, "desired_capacity": 3}]
    editor.text.setPlainText(json.dumps(changed))
    editor.edited.emit()                         # leaving the text
    assert emitted[-1][2] == changed
    editor.as_json.setChecked(False)
    assert editor.card_list[-1].fields["desired_capacity"].value() == 3 and editor.value() == changed
    editor.as_json.setChecked(True)
    editor.text.setPlainText('[{"type": "simple"}]')
    editor.as_json.setChecked(False)             # not a valid list: stays in JSON and says why
    assert editor.as_json.isChecked() and "not a valid policy list" in inspector.editors["policies"].error.text()
    editor.text.setPlainText(json.dumps(changed))
    editor.as_json.setChecked(False)
    assert not editor.as_json.isChecked()


def test_the_instance_template_shows_its_fields_with_their_defaults(qtbot):
    doc, inspector, emitted = inspector_on(qtbot, "web-tier", node_id="web")
    template = inspector.editors["instance"].input
    shown = doc.nodes["web"].prop("instance")
    children = {e.spec.name: e for e in template.findChildren(type(inspector.editors["instance"]))}
    assert set(children) == {p.name for p in registry.KINDS["ec2_instance"].props}
    concurrency = children["concurrency"].input
    assert concurrency.value() == shown.get("concurrency", 2)
    assert children["boot_time_s"].input.suffix() == " s"
    concurrency.setValue(concurrency.value() + 3)
    assert emitted[-1] == ("web", "instance", {**shown, "concurrency": shown.get("concurrency", 2) + 3})


def test_pattern_and_distribution_forms(qtbot):
    doc, inspector, emitted = inspector_on(qtbot, "web-tier", node_id="users")
    pattern = inspector.editors["pattern"].input
    pattern.kind.set_code("spike")
    assert emitted[-1][2]["type"] == "spike" and set(emitted[-1][2]) == {"type", "at_s", "duration_s", "factor"}
    factor = pattern.fields["factor"]
    assert factor.maximum() == 1000 and factor.suffix() == " ×"
    inspector.show_node(doc, "users")
    _, inspector2, emitted2 = inspector_on(qtbot, "fan-out", node_id="charge")
    duration = inspector2.editors["duration_s"].input
    duration.kind.set_code("uniform")
    assert emitted2[-1][2]["dist"] == "uniform" and emitted2[-1][2]["low"] <= emitted2[-1][2]["high"]


def test_message_attributes_form_round_trips_the_file_value(qtbot):
    doc, inspector, emitted = inspector_on(qtbot, "fan-out", edge_id="orders-events")
    form = inspector.editors["message_attributes"].input
    assert form.value() == doc.edges["orders-events"].props["message_attributes"]
    amount = next(c for c in form.cards if c.name.text() == "amount")
    amount.high.setValue(2000)
    assert emitted[-1][2]["amount"] == {"uniform": [5, 2000]}
    form.remove(0)
    assert "event_type" not in emitted[-1][2]


def test_the_dead_letter_queue_is_picked_by_name(qtbot):
    doc, inspector, emitted = inspector_on(qtbot, "fan-out", edge_id="events-sales")
    picker = inspector.editors["dead_letter_queue"].input
    names = [picker.itemText(i) for i in range(picker.count())]
    assert names[1:] == ["Payments queue", "Shipping queue"] and names[0].startswith("None")
    picker.setCurrentIndex(2)
    assert emitted[-1] == ("events-sales", "dead_letter_queue", "shipping")


@pytest.mark.parametrize("name", list(filter_box.EXAMPLES))
def test_every_filter_policy_example_is_one_aws_accepts(name):
    filter_policy.validate(filter_box.EXAMPLES[name], "MessageAttributes")


def test_a_sample_message_says_matched_or_not_and_why():
    """AWS: keys are ANDed, values ORed; a missing attribute matches no rule but exists: false."""
    policy = {"event_type": ["order_placed"], "amount": [{"numeric": [">", 400]}]}
    assert explain_ok(policy, {"event_type": "order_placed", "amount": 500})
    ok, why = filter_box.explain(policy, {"event_type": "order_placed", "amount": 100})
    assert not ok and why == 'Not matched: amount is 100, the policy wants [{"numeric": [">", 400]}]'
    ok, why = filter_box.explain(policy, {"amount": 500})
    assert not ok and "has no event_type" in why
    ok, why = filter_box.explain({"$or": [{"a": ["x"]}, {"b": ["y"]}]}, {"a": "z"})
    assert not ok and "$or" in why


def explain_ok(policy, sample) -> bool:
    ok, why = filter_box.explain(policy, sample)
    assert why.startswith("Matched" if ok else "Not matched")
    return ok


def test_the_filter_box_inserts_an_example_and_tests_a_sample(qtbot):
    doc, inspector, emitted = inspector_on(qtbot, "fan-out", edge_id="events-payments")
    box = inspector.editors["filter_policy"].input
    box.insert(filter_box.EXAMPLES["Numeric range"])
    assert emitted[-1][2] == {"amount": [{"numeric": [">=", 100, "<", 500]}]}
    box.sample.setPlainText('{"amount": 700}')
    assert box.result.text().startswith("Not matched: amount is 700")
    box.sample.setPlainText('{"amount": 120}')
    assert box.result.text().startswith("Matched")
