"""Whole runs: determinism, the report contract, the examples, the command line, no Qt in the engine."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from engine import examples, fileio
from engine.simulation import Simulation

REQUIRED_REPORT_KEYS = {"format", "schema_version", "title", "seed", "duration_s", "events", "wall_s", "ledger",
                        "nodes", "series", "activities"}


def flowdeck(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "engine.cli", *args], capture_output=True, text=True, timeout=300)


def report_of(name: str, seed: int | None = None, until: float = 300) -> dict:
    sim = Simulation(fileio.load(examples.path(name)), seed=seed)
    sim.run_until(until)
    return sim.report(wall_s=0.0)


def test_same_file_and_seed_give_the_same_report_byte_for_byte():
    a, b = (json.dumps(report_of("failure"), sort_keys=True) for _ in range(2))
    assert a == b
    c = json.dumps(report_of("failure", seed=99), sort_keys=True)
    assert c != a, "another seed gives another run"


@pytest.mark.parametrize("name", examples.names())
def test_every_example_runs_and_balances(name):
    doc = fileio.load(examples.path(name))
    sim = Simulation(doc)
    sim.run_until(doc.duration_s)
    report = sim.report()
    assert report["ledger"]["balanced"]
    assert report["ledger"]["requests"]["generated"] + report["ledger"]["messages"]["created"] > 0
    assert REQUIRED_REPORT_KEYS <= set(report)


def test_report_follows_the_format(tmp_path):
    out = tmp_path / "report.json"
    proc = flowdeck("run", "web-tier", "--duration", "240", "--report", str(out), "--series-interval", "20")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(out.read_text())
    assert REQUIRED_REPORT_KEYS <= set(report)
    assert report["format"] == "flowdeck-report" and report["schema_version"] == 1
    assert report["duration_s"] == 240.0
    assert report["series"]["t_s"] == [float(t) for t in range(0, 241, 20)]
    users = report["nodes"]["users"]
    assert set(users["latency_s"]) >= {"mean", "p50", "p95", "p99"}
    assert set(users["errors"]) >= {"503", "504", "500", "timeout"}
    assert set(report["nodes"]["web"]["totals"]) >= {"handled", "launched", "terminated"}
    assert set(report["series"]["web"]) >= {"in_service", "pending", "desired", "cpu_utilization"}
    led = report["ledger"]["requests"]
    assert led["generated"] == users["totals"]["sent"]
    assert led["generated"] == led["completed"] + led["failed"] + led["in_flight"]


def test_run_prints_a_readable_summary():
    proc = flowdeck("run", "failure")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    for words in ("Clients", "Load balancers", "Compute", "Ledger: balanced", "crashes", "unhealthy"):
        assert words in out, words


def test_validate_and_examples():
    assert flowdeck("validate", "spike").stdout.strip() == "ok"
    listing = flowdeck("examples").stdout
    for name in ("web-tier", "spike", "failure"):
        assert name in listing


@pytest.mark.parametrize("args, words", [
    (("run", "/no/such/file.json"), "no such file"),
    (("run", "web-tier", "--duration", "-5"), "--duration must be above 0"),
    (("run", "web-tier", "--seed", "x"), "invalid int value"),
    (("validate",), "required"),
])
def test_bad_input_exits_2_with_one_clear_message(args, words):
    proc = flowdeck(*args)
    assert proc.returncode == 2
    assert words in proc.stderr and "Traceback" not in proc.stderr


def test_engine_never_imports_qt():
    code = ("import sys, engine, engine.cli, engine.runner, engine.simulation, engine.world, engine.fileio; "
            "from engine.simulation import Simulation; from engine import examples, fileio; "
            "s = Simulation(fileio.load(examples.path('web-tier'))); s.run_until(5); "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'pyqtgraph', 'gui')]; "
            "print(bad); sys.exit(1 if bad else 0)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_app_without_a_display_runs_the_demo_headless_and_says_so():
    import os
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    proc = subprocess.run([sys.executable, "-m", "engine.cli"], capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "no display" in proc.stderr and "Ledger: balanced" in proc.stdout
