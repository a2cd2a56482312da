"""The inspector refuses invalid values in place; the palette lists every kind and carries it in a drag."""
from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QPlainTextEdit, QSpinBox

from engine import examples, fileio, registry
from gui.editing.inspector import Inspector
from gui.editing.palette import GROUPS, KIND_ROLE, Palette, kind_from, mime_for


def test_palette_lists_every_registry_kind_in_groups(qtbot):
    palette = Palette()
    qtbot.addWidget(palette)
    assert set(palette.entries) == set(registry.KINDS)
    headers = [palette.topLevelItem(i).text(0) for i in range(palette.topLevelItemCount())]
    assert headers == [g.upper() for g in GROUPS]
    with qtbot.waitSignal(palette.add_requested) as signal:
        palette.itemDoubleClicked.emit(palette.entries["sqs_queue"], 0)
    assert signal.args == ["sqs_queue"]
    assert palette.entries["sqs_queue"].data(0, KIND_ROLE) == "sqs_queue"


def test_drag_mime_round_trip_and_foreign_data_refused():
    assert kind_from(mime_for("lambda_function")) == "lambda_function"
    assert kind_from(mime_for("teleporter")) is None
    from PySide6.QtCore import QMimeData
    plain = QMimeData()
    plain.setText("sqs_queue")
    assert kind_from(plain) is None


def test_inspector_form_follows_the_registry_and_emits_checked_values(qtbot):
    doc = fileio.load(examples.path("web-tier"))
    inspector = Inspector()
    qtbot.addWidget(inspector)
    inspector.show_node(doc, "alb")
    assert set(inspector.editors) == {p.name for p in registry.KINDS["load_balancer"].props}
    combo = inspector.editors["algorithm"].input
    assert isinstance(combo, QComboBox) and combo.code() == "round_robin" and combo.currentText() == "Round robin"
    with qtbot.waitSignal(inspector.edited) as signal:
        combo.set_code("least_outstanding_requests")
    assert signal.args == ["alb", "algorithm", "least_outstanding_requests"]
    spin = inspector.editors["idle_timeout_s"].input
    assert isinstance(spin, QDoubleSpinBox) and spin.maximum() == 4000 and spin.suffix() == " s"


def test_inspector_refuses_an_invalid_json_value_in_place(qtbot):
    doc = fileio.load(examples.path("fan-out"))
    inspector = Inspector()
    qtbot.addWidget(inspector)
    inspector.show()
    inspector.show_edge(doc, "events-payments")
    editor = inspector.editors["filter_policy"]
    emitted = []
    inspector.edited.connect(lambda *a: emitted.append(a))
    box = editor.input.text
    assert isinstance(box, QPlainTextEdit)
    box.setPlainText('{"event_type": "order_placed"}')      # AWS wants a list of values
    assert not editor.error.isHidden() and "is not a valid filter policy" in editor.error.text()
    editor._commit()
    assert emitted == [], "nothing invalid reaches the model"
    box.setPlainText('{"event_type": ["order_placed"')
    assert "Not valid JSON" in editor.error.text(), "checked as it is typed"
    box.setPlainText('{"event_type": ["order_placed", "order_cancelled"]}')
    editor._commit()
    assert emitted == [("events-payments", "filter_policy", {"event_type": ["order_placed", "order_cancelled"]})]
    assert editor.error.isHidden()


def test_health_check_form_refuses_a_timeout_not_shorter_than_the_interval(qtbot):
    """AWS: the health check timeout must be smaller than the interval (ALB target group health checks)."""
    doc = fileio.load(examples.path("web-tier"))
    inspector = Inspector()
    qtbot.addWidget(inspector)
    inspector.show()
    inspector.show_node(doc, "alb")
    editor = inspector.editors["health_check"]
    emitted = []
    inspector.edited.connect(lambda *a: emitted.append(a))
    form = editor.input
    shown = doc.nodes["alb"].prop("health_check")
    assert {k: f.value() for k, f in form.fields.items()} == shown and form.fields["interval_s"].suffix() == " s"
    form.fields["timeout_s"].setValue(40)
    assert emitted == [] and "shorter than interval_s" in editor.error.text()
    form.fields["interval_s"].setValue(60)
    assert emitted[-1] == ("alb", "health_check", {**shown, "interval_s": 60, "timeout_s": 40})


def test_edge_inspector_and_nullable_numbers(qtbot):
    doc = fileio.load(examples.path("web-tier"))
    inspector = Inspector()
    qtbot.addWidget(inspector)
    inspector.show_edge(doc, "users-alb")
    assert set(inspector.editors) == {"latency_ms"}
    inspector.show_node(doc, "users")
    timeout = inspector.editors["timeout_s"].input
    assert timeout.specialValueText() == "none" and timeout.value() == timeout.minimum()
    with qtbot.waitSignal(inspector.edited) as signal:
        timeout.setValue(30)
    assert signal.args == ["users", "timeout_s", 30.0]
    with qtbot.waitSignal(inspector.edited) as signal:
        timeout.setValue(timeout.minimum())
    assert signal.args == ["users", "timeout_s", None]
    inspector.show_node(doc, "web")
    assert isinstance(inspector.editors["min_size"].input, QSpinBox)
