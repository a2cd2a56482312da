"""Traces (FORMAT.md 4.3) checked against the engine's own independent records: the latencies the
clients measured, the load balancer's rotation, engine.filter_policy, the queues' redrive limit,
and the run report of an untraced run."""
from __future__ import annotations

import json
import subprocess
import sys
from itertools import pairwise

import pytest

from engine import examples, fileio
from engine.filter_policy import matches
from engine.simulation import Simulation
from engine.trace import Tracer, attach
from engine.fileio import from_data
from tests.engine.helpers import topology, web

EXAMPLES = ("failure", "fan-out", "poison-message", "queue-leveling", "spike", "web-tier")


def traced(name: str, every: int = 1, until: float | None = None, keep: int | None = None) -> Simulation:
    sim = Simulation(fileio.load(examples.path(name)))
    attach(sim.world, Tracer(every, keep))
    sim.run_until(sim.doc.duration_s if until is None else until)
    return sim


def request_traces(sim: Simulation) -> list[dict]:
    return [t for t in sim.world.tracer.report() if t["kind"] == "request"]


def test_a_traces_end_minus_start_is_the_latency_its_client_recorded():
    """Every request traced: in the order they ended, the traces' end - t0 are exactly the
    latencies the client put in its record (successes, 5xx answers and client timeouts alike)."""
    sim = traced("failure", until=400)
    client = sim.world.components["users"]
    ended = [t for t in sim.world.tracer.done if t.kind == "request"]
    assert len(ended) == client.completed + client.failed
    kept = list(client.latencies)     # the client keeps its first 10,000 latencies one by one
    ended = ended[:len(kept)]
    assert [t.end - t.t0 for t in ended] == kept
    statuses = {t.status for t in ended}
    assert {"200", "502"} <= statuses, statuses


def test_hops_and_legs_are_in_time_order():
    for name in ("failure", "fan-out", "poison-message"):
        for t in traced(name, every=7, until=300).world.tracer.report():
            times = [h["arrive_s"] for h in t["hops"] if h.get("arrive_s") is not None]
            assert times == sorted(times), t
            for h in t["hops"]:
                if h.get("depart_s") is not None:
                    assert h["depart_s"] >= h["arrive_s"], t
            assert [leg[2] for leg in t["legs"]] == sorted(leg[2] for leg in t["legs"]), t
            if t["end_s"] is not None and times:
                assert t["t0_s"] <= times[0] and times[-1] <= t["end_s"], t


def test_an_instance_hop_splits_its_time_into_backlog_wait_and_service():
    """One request slot and arrivals faster than the service: requests wait in the backlog, and a
    hop's wait plus its service is its time at the instance."""
    nodes, edges = web(rate=8, n=1, instance={"concurrency": 1, "service_time_s": {"dist": "constant", "value": 0.1}})
    sim = Simulation(from_data(topology(nodes, edges)))
    attach(sim.world, Tracer(1))
    sim.run_until(60)
    hops = [h for t in request_traces(sim) for h in t["hops"] if "instance" in h and t["outcome"]["status"] == "200"]
    assert any(h["wait_s"] > 0 for h in hops)
    for h in hops:
        assert h["wait_s"] + h["service_s"] == pytest.approx(h["depart_s"] - h["arrive_s"], abs=2e-6)


def test_round_robin_over_three_instances_cycles_through_them_in_order():
    """AWS ALB round robin: consecutive requests go to the targets in turn."""
    nodes, edges = web(rate=20, n=3)
    sim = Simulation(from_data(topology(nodes, edges)))
    attach(sim.world, Tracer(1))
    sim.run_until(30)
    traces = sorted(request_traces(sim), key=lambda t: t["t0_s"])
    lb_hops = [t["hops"][0] for t in traces]
    chosen = [h["target"] for h in lb_hops]
    assert len(set(chosen)) == 3
    assert all(chosen[i] == chosen[i + 3] for i in range(len(chosen) - 3))
    assert len(set(chosen[:3])) == 3
    assert all(h["decision"].startswith(f"round robin: {h['target']} is next of 3 healthy targets") for h in lb_hops)


def test_a_filter_verdict_in_a_trace_is_what_filter_policy_matches_says():
    sim = traced("fan-out", until=200)
    edges = {e.id: e for e in sim.doc.edges.values()}
    verdicts = 0
    for t in sim.world.tracer.report():
        for d in t.get("deliveries", []):
            props = edges[d["edge"]].props
            policy = props.get("filter_policy")
            expected = True if policy is None else matches(policy, t["attributes"], body=t["body"],
                                                           scope=props.get("filter_policy_scope") or "MessageAttributes")
            assert d["matched"] is expected, (t["id"], d)
            assert d["reason"]
            verdicts += 1
    assert verdicts > 100
    statuses = {t["outcome"]["status"] for t in sim.world.tracer.report()}
    assert "filtered_out" in statuses and "deleted" in statuses


def test_a_dead_lettered_copy_has_exactly_max_receive_count_receives():
    """SQS redrive policy: a message moves to the DLQ when its receive count would exceed
    maxReceiveCount, so its trace holds exactly maxReceiveCount receives."""
    sim = traced("poison-message")
    limit = sim.world.components["jobs"].props["max_receive_count"]
    dead = [t for t in sim.world.tracer.report() if t["outcome"]["status"] == "dead_lettered"]
    assert dead
    for t in dead:
        assert len(t["receives"]) == limit, t
        assert [r["receive_count"] for r in t["receives"]] == list(range(1, limit + 1))
        assert "maxReceiveCount" in t["hops"][-2]["decision"]


def test_lambda_starts_are_told_cold_then_warm():
    sim = traced("fan-out", until=120)
    decisions = [h.get("decision", "") for t in sim.world.tracer.report() for h in t["hops"]]
    assert any("cold start" in d for d in decisions) and any("warm start" in d for d in decisions)


def report_text(sim: Simulation) -> str:
    report = sim.report()
    report.pop("wall_s")
    report.pop("traces", None)
    return json.dumps(report, sort_keys=True)


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_same_seed_with_and_without_tracing_gives_byte_identical_reports(name):
    plain = Simulation(fileio.load(examples.path(name)))
    plain.run_until(300)
    every_request = traced(name, every=1, until=300)
    assert every_request.world.tracer.report()
    assert report_text(plain) == report_text(every_request)


def test_a_checkpoint_carries_the_traces_and_the_restored_run_traces_on_alike():
    whole = traced("failure", every=10, until=320)
    half = traced("failure", every=10, until=230)
    restored = Simulation.restore(half.checkpoint())
    restored.run_until(320)
    assert restored.world.tracer.report() == whole.world.tracer.report()


def test_the_ring_buffers_keep_the_last_errors_and_the_slowest_of_each_client_without_sampling():
    sim = traced("failure", every=0, until=400)
    tracer = sim.world.tracer
    assert not tracer.done
    errors = list(tracer.errors["users"])
    assert len(errors) == 5 and all(t.status != "200" for t in errors)
    assert all(not t.sampled and t.reason for t in errors)
    slowest = sorted((t.end - t.t0 for _, _, t in tracer.slowest["users"]), reverse=True)
    client = sim.world.components["users"]
    assert slowest == sorted(client.latencies, reverse=True)[:5]


def test_the_command_line_writes_traces_and_refuses_a_bad_trace_every(tmp_path):
    out = tmp_path / "r.json"
    done = subprocess.run([sys.executable, "-m", "engine.cli", "run", "web-tier", "--duration", "30",
                           "--trace-every", "25", "--report", str(out)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    report = json.loads(out.read_text())
    ids = [t["id"] for t in report["traces"] if t.get("sampled", True)]
    assert ids and all(int(i.split("#")[1]) % 25 == 1 for i in ids)
    bad = subprocess.run([sys.executable, "-m", "engine.cli", "run", "web-tier", "--trace-every", "0"],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and "--trace-every" in bad.stderr and "Traceback" not in bad.stderr


def test_a_target_tracking_scale_out_carries_the_breaching_datapoints_and_the_target():
    """AWS target tracking scales out after scale_out_datapoints consecutive periods above the
    target: the activity's evidence holds those periods (each above the target) and the target."""
    sim = Simulation(fileio.load(examples.path("spike")))
    sim.run_until(400)
    outs = [a for a in sim.world.activities if a["kind"] == "scale_out" and "evidence" in a]
    assert outs
    ev = outs[0]["evidence"]
    spec = sim.world.components["shop"].props["policies"][0]
    assert ev["threshold"] == spec["target"] and ev["metric"] == spec["metric"]
    breaching = ev["datapoints"][-ev["breaching"]:]
    assert ev["breaching"] >= spec.get("scale_out_datapoints", 3)
    assert all(v > ev["threshold"] for _, _, v in breaching)
    assert breaching[-1][1] == pytest.approx(outs[0]["t_s"])
    assert all("evidence" not in a for a in sim.report()["activities"])   # the report keeps its four fields


def test_an_unhealthy_target_carries_the_failed_health_checks_that_decided_it():
    """ELB: a target is unhealthy after unhealthy_threshold consecutive failed checks."""
    sim = Simulation(fileio.load(examples.path("failure")))
    sim.run_until(300)
    verdict = next(a for a in sim.world.activities if a["kind"] == "unhealthy" and a["node"] == "alb")
    threshold = sim.world.components["alb"].props["health_check"]["unhealthy_threshold"]
    probes = verdict["evidence"]["probes"]
    failed_run = probes[-threshold:]
    assert all(not ok and why.startswith("timed out") for _, _, _, ok, why in failed_run)
    assert probes[-threshold - 1][3] is True
    assert failed_run[-1][0] == pytest.approx(verdict["t_s"])
