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
    assert isinstance(combo, QComboBox) and combo.currentText() == "round_robin"
    with qtbot.waitSignal(inspector.edited) as signal:
        combo.setCurrentText("least_outstanding_requests")
    assert signal.args == ["alb", "algorithm", "least_outstanding_requests"]
    spin = inspector.editors["idle_timeout_s"].input
    assert isinstance(spin, QDoubleSpinBox) and spin.maximum() == 4000 and spin.suffix() == " s"


def test_inspector_refuses_an_invalid_json_value_in_place(qtbot):
    doc = fileio.load(examples.path("web-tier"))
    inspector = Inspector()
    qtbot.addWidget(inspector)
    inspector.show()
    inspector.show_node(doc, "alb")
    editor = inspector.editors["health_check"]
    emitted = []
    inspector.edited.connect(lambda *a: emitted.append(a))
    assert isinstance(editor.input, QPlainTextEdit)
    editor.input.setPlainText('{"interval_s": 2}')
    editor._commit()
    assert emitted == [], "nothing invalid reaches the model"
    assert not editor.error.isHidden() and "below the minimum of 5" in editor.error.text()
    editor.input.setPlainText('{"interval_s": 20')
    assert "Not valid JSON" in editor.error.text()
    editor.input.setPlainText('{"interval_s": 20}')
    editor._commit()
    assert emitted == [("alb", "health_check", {"interval_s": 20})]
    assert editor.error.isHidden()


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
