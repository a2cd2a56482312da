"""File > Import CloudFormation... and Export CloudFormation... (issue 16), through the real window."""
from __future__ import annotations

import json
from pathlib import Path

from engine import fileio
from engine.cfn.import_ import import_template
from engine.cfn.parse import parse
from gui.files import cfn_menu

DATA = Path(__file__).resolve().parents[2] / "data" / "cfn"


def test_import_opens_an_unsaved_document_and_reports_what_was_left_out(make_window, monkeypatch):
    reports, warnings = [], []
    monkeypatch.setattr(cfn_menu, "show_report", lambda parent, title, heading, lines: reports.append(lines))
    monkeypatch.setattr(cfn_menu, "warn", lambda parent, title, text: warnings.append(text))
    monkeypatch.setattr(cfn_menu, "choose_template_path", lambda parent, folder: str(DATA / "alb-asg-alarms.yaml"))
    w = make_window("web-tier", start_engine=False)
    file_menu = w.menuBar().actions()[0].menu()
    labels = [a.text() for a in file_menu.actions()]
    assert "Import &CloudFormation…" in labels and "E&xport CloudFormation…" in labels
    assert labels.index("E&xport CloudFormation…") < labels.index("&Quit")
    w.cfn.import_action.trigger()
    assert warnings == []
    assert "WebServerGroup" in w.doc.nodes and w.files.path is None and w.is_dirty()
    assert w.topology.items_by_id.keys() == w.doc.nodes.keys()
    lines = reports[0]
    assert any(line.startswith("  LoadBalancerSecurityGroup (AWS::EC2::SecurityGroup)") for line in lines)
    assert any(line.startswith("Left out 3 resources") for line in lines)


def test_a_refused_template_warns_and_keeps_the_document(make_window, monkeypatch, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("not: a template\n")
    warnings = []
    monkeypatch.setattr(cfn_menu, "warn", lambda parent, title, text: warnings.append(text))
    w = make_window("web-tier", start_engine=False)
    before = w.doc
    assert not w.cfn.import_path(str(bad))
    assert w.doc is before and warnings and warnings[0].startswith(f"{bad}: ")


def test_export_writes_a_template_that_imports_back(make_window, monkeypatch, tmp_path):
    reports = []
    monkeypatch.setattr(cfn_menu, "show_report", lambda parent, title, heading, lines: reports.append(lines))
    out = tmp_path / "fan.template.json"
    monkeypatch.setattr(cfn_menu, "choose_export_path", lambda parent, suggested: str(out))
    w = make_window("fan-out", start_engine=False)
    w.cfn.export_action.trigger()
    template = json.loads(out.read_text())
    back = fileio.from_data(import_template(parse(json.dumps(template)), "x").data)
    assert {n for n in w.doc.nodes if w.doc.nodes[n].kind != "client"} <= set(back.nodes)
    assert any("latency_ms" in line for line in reports[0])
