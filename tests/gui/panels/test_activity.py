"""Issue 14 item 13: the activity log and the history speak of names, never internal ids."""
from __future__ import annotations

from engine import examples, fileio
from gui.editing import commands
from gui.panels.activity import ActivityLog


def test_instances_and_connections_are_named(qtbot):
    doc = fileio.load(examples.path("web-tier"))
    log = ActivityLog(doc)
    qtbot.addWidget(log)
    log.append([{"t_s": 5.0, "node": "web", "kind": "scale_in", "text": "Terminating web/i-3, web/i-4: quiet"},
                {"t_s": 6.0, "node": "alb-web", "kind": "set", "text": "weight set to 2"}])
    model = log.model
    assert model.data(model.index(0, 3)) == "Terminating Web tier i-3, Web tier i-4: quiet"
    assert model.data(model.index(1, 1)) == "ALB → Web tier"
    header = log.table.horizontalHeader()
    assert header.sectionSize(2) >= log.table.fontMetrics().horizontalAdvance("in service") + 8


def test_the_history_names_the_connection_and_the_setting():
    doc = fileio.load(examples.path("web-tier"))
    command = commands.SetProp(doc, "alb-web", "latency_ms", 5)
    assert command.text() == "Set latency ms of connection ALB → Web tier"
