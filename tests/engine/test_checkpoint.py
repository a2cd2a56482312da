"""Checkpoints (FORMAT.md 4.4): a simulation restored from a checkpoint taken at time t and run on
to a later time gives the same report as the original run to that time, in the same process or in
another one."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import examples, fileio
from engine.simulation import Simulation

ROOT = Path(__file__).resolve().parents[2]


def example_names() -> list[str]:
    return sorted(p.name.removesuffix(".flowdeck.json") for p in (ROOT / "resources" / "examples").glob("*.flowdeck.json"))


def report_without_wall(sim: Simulation) -> dict:
    report = sim.report()
    report.pop("wall_s")
    return report


def run_on(sim: Simulation, until: float) -> dict:
    sim.run_until(until)
    return report_without_wall(sim)


@pytest.mark.parametrize("name", example_names())
def test_a_restored_run_continues_exactly_like_the_original(name):
    original = Simulation(fileio.load(examples.path(name)))
    original.run_until(137.5)
    data = original.checkpoint()
    expected = run_on(original, 420.0)
    restored = Simulation.restore(data)
    assert restored.now == 137.5
    assert run_on(restored, 420.0) == expected


def test_one_checkpoint_restores_any_number_of_times_and_does_not_disturb_the_original():
    sim = Simulation(fileio.load(examples.path("failure")))
    sim.run_until(250.0)
    data = sim.checkpoint()
    first, second = Simulation.restore(data), Simulation.restore(data)
    expected = run_on(sim, 500.0)
    assert run_on(first, 500.0) == expected == run_on(second, 500.0)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(["spike", "poison-message", "queue-leveling"]),
       at=st.floats(0.0, 300.0), seed=st.integers(1, 50))
def test_checkpoints_at_any_moment_and_seed(name, at, seed):
    original = Simulation(fileio.load(examples.path(name)), seed=seed)
    original.run_until(at)
    restored = Simulation.restore(original.checkpoint())
    assert run_on(restored, 360.0) == run_on(original, 360.0)


def test_a_checkpoint_restores_in_another_process(tmp_path):
    """String hashing differs between processes: nothing in a run may depend on it."""
    sim = Simulation(fileio.load(examples.path("fan-out")))
    sim.run_until(200.0)
    (tmp_path / "fan-out.ckpt").write_bytes(sim.checkpoint())
    script = ("import json, sys; from engine.simulation import Simulation\n"
              "sim = Simulation.restore(open(sys.argv[1], 'rb').read()); sim.run_until(480.0)\n"
              "r = sim.report(); r.pop('wall_s'); print(json.dumps(r))")
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path / "fan-out.ckpt")], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, env={"PYTHONHASHSEED": "123"})
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == json.loads(json.dumps(run_on(sim, 480.0)))


def test_restore_refuses_what_is_not_a_simulation():
    import pickle
    with pytest.raises(TypeError, match="not a FlowDeck simulation checkpoint"):
        Simulation.restore(pickle.dumps({"a": 1}))
