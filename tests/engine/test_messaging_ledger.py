"""The message ledger: every copy in exactly one state, counted where it is, at any moment of any run."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import examples, fileio, summary
from engine.simulation import MESSAGE_STATES, Simulation
from tests.engine.messaging_helpers import QueueBench, build, check_ledger, node

MESSAGING_EXAMPLES = ("fan-out", "queue-leveling", "poison-message")


def run_in_steps(name: str, step: float = 15.0, seed: int | None = None) -> Simulation:
    doc = fileio.load(examples.path(name))
    sim = Simulation(doc, seed=seed)
    t = 0.0
    while t < doc.duration_s:
        t = min(doc.duration_s, t + step)
        sim.run_until(t)
        check_ledger(sim)
    return sim


@pytest.mark.parametrize("name", MESSAGING_EXAMPLES)
def test_examples_balance_at_every_step(name):
    sim = run_in_steps(name)
    text = summary.render(sim.report())
    assert "Ledger: balanced" in text and "Queues" in text


def test_fan_out_example_tells_its_story():
    sim = run_in_steps("fan-out", step=60)
    rep = sim.report()
    topic = rep["nodes"]["events"]["totals"]
    assert topic["filtered_out"] > 0 and topic["failed"] == 0
    subs = {s["endpoint"]: s for s in topic["subscriptions"].values()}
    placed = subs["Payments queue"]["matched"]
    assert subs["Shipping queue"]["matched"] < placed and 0 < subs["Sales team"]["matched"] < placed / 5
    assert rep["nodes"]["charge"]["totals"]["invocations"] > 0
    assert rep["nodes"]["sales"]["totals"]["delivered"] > 0
    assert max(rep["series"]["warehouse"]["in_service"]) > 2       # scaled on the Shipping backlog
    assert rep["ledger"]["messages"]["dropped"] == 0


def test_queue_leveling_example_loses_nothing_while_every_worker_is_down():
    sim = run_in_steps("queue-leveling", step=30)
    rep = sim.report()
    m = rep["ledger"]["messages"]
    assert m["dropped"] == m["expired"] == m["dead_lettered"] == 0
    assert m["created"] == m["deleted"] + m["in_queues"] + m["in_flight"] + m["delayed"]
    assert min(rep["series"]["workers"]["in_service"]) == 0        # the outage happened
    assert max(rep["series"]["jobs"]["visible"]) > 200             # and the queue held the jobs
    assert rep["nodes"]["jobs"]["totals"]["receives"] > rep["nodes"]["jobs"]["totals"]["received_in"]


def test_poison_message_example_fills_the_dlq_during_the_bad_deploy():
    sim = run_in_steps("poison-message", step=60)
    rep = sim.report()
    dlq = rep["series"]["dlq"]["visible"]
    t = rep["series"]["t_s"]
    at = dict(zip(t, dlq))
    assert at[120.0] <= 5 < at[360.0]
    assert at[600.0] - at[400.0] <= 5                                # rolled back: the DLQ stops filling
    assert rep["ledger"]["messages"]["dead_lettered"] == rep["nodes"]["dlq"]["totals"]["visible"]


def test_same_seed_same_messaging_run():
    a = run_in_steps("fan-out", step=200).report()
    b = run_in_steps("fan-out", step=100).report()
    for r in (a, b):
        r.pop("wall_s")
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def test_engine_messaging_loads_no_qt():
    code = "import sys, engine.world, engine.messaging; print(any(m.startswith('PySide6') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_ledger_states_are_the_format_names():
    sim = build([node("c", "client", rate_rps=3), node("q", "sqs_queue")], [("c", "q")])
    sim.run_until(10)
    assert set(sim.ledger()["messages"]) == {"created", *MESSAGE_STATES}


# -- any sequence of queue operations keeps the books ------------------------------------------------------

ops = st.lists(st.one_of(
    st.tuples(st.just("send"), st.integers(0, 3), st.integers(0, 2)),
    st.tuples(st.just("receive"), st.integers(1, 10), st.sampled_from([None, 0, 1, 5])),
    st.tuples(st.just("delete"), st.integers(0, 50), st.booleans()),
    st.tuples(st.just("advance"), st.sampled_from([0.0, 0.5, 1.0, 3.0, 10.0, 70.0]), st.just(0)),
), max_size=40)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fifo=st.booleans(), dlq=st.booleans(), delay=st.sampled_from([0, 2]), script=ops)
def test_any_queue_script_keeps_the_ledger_balanced(fifo, dlq, delay, script):
    b = QueueBench(fifo=fifo, dlq=dlq, delay_s=delay, visibility_timeout_s=2, max_receive_count=2,
                   message_retention_s=60, content_based_deduplication=fifo)
    received = []
    for op, x, y in script:
        if op == "send":
            b.send({"n": x}, group=f"g{y}")
        elif op == "receive":
            received += b.receive(x, visibility=y)
            if b.dlq is not None:
                received += b.receive(x, queue=b.dlq)
        elif op == "delete" and received:
            m = received[x % len(received)]
            b.delete(m, queue=m.queue) if m.queue is not None else None
        else:
            b.advance(x)
        b.ledger()


# -- random small architectures with failures keep the books ------------------------------------------------

@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(error=st.sampled_from([0.0, 0.3, 1.0]), fifo=st.booleans(), latency=st.sampled_from([0, 200]),
       failure=st.sampled_from([None, "crash", "hang", "error"]), lam_conc=st.sampled_from([None, 0, 2, 20]),
       seed=st.integers(1, 5), stop=st.floats(5, 120))
def test_random_architectures_balance_at_any_moment(error, fifo, latency, failure, lam_conc, seed, stop):
    nodes = [node("c", "client", rate_rps=20), node("lb", "load_balancer"),
             node("web", "auto_scaling_group", min_size=1, desired_capacity=2, instance={"error_rate": error / 3}),
             node("t", "sns_topic", fifo=fifo), node("q", "sqs_queue", fifo=fifo, visibility_timeout_s=5,
                                                     max_receive_count=2, content_based_deduplication=fifo),
             node("d", "sqs_queue", fifo=fifo), node("w", "auto_scaling_group", min_size=1, desired_capacity=2,
                                                     instance={"error_rate": error, "boot_time_s": 5}),
             node("f", "lambda_function", reserved_concurrency=lam_conc, error_rate=error),
             node("q2", "sqs_queue"), node("m", "email_endpoint")]
    edges = [("c", "lb"), ("lb", "web"), ("web", "t", {"latency_ms": latency, "message_groups": 3}),
             ("t", "q", {"latency_ms": latency}), ("q", "d"), ("q", "w", {"latency_ms": latency}),
             ("c", "q2", {"latency_ms": latency}), ("q2", "f", {"latency_ms": latency})]
    if not fifo:
        edges += [("t", "f", {"filter_policy": {"x": [{"exists": False}]}}), ("t", "m"),
                  ("t", "lb", {"dead_letter_queue": "q2"})]
    scenario = [] if failure is None else [
        {"at_s": 10, "action": "fail", "target": "w", "mode": failure, "factor": 0.9, "count": 2},
        {"at_s": 10, "action": "fail", "target": "web", "mode": failure, "factor": 0.9, "count": 1},
        {"at_s": 40, "action": "recover", "target": "w"}]
    sim = build(nodes, edges, scenario, seed=seed)
    for t in (stop / 3, stop / 2, stop):
        sim.run_until(t)
        check_ledger(sim)


def test_sns_events_waiting_in_lambdas_queue_are_being_delivered_never_lost():
    """AWS: Lambda queues asynchronous events it cannot run yet (throttled) and retries them; the
    ledger shows them being delivered until they run, and the books balance all along."""
    from engine.messaging.messages import make_message
    sim = build([node("t", "sns_topic"), node("f", "lambda_function", reserved_concurrency=2,
                                              duration_s={"dist": "constant", "value": 1})], [("t", "f")])
    topic, fn = sim.world.components["t"], sim.world.components["f"]
    for _ in range(200):
        topic.on_publish(make_message(sim.world, attributes={"k": "v"}))
    sim.run_until(5)
    m = check_ledger(sim)
    assert m["being_delivered"] > 150 and m["dropped"] == 0 and fn.queued_events() + fn.running == m["being_delivered"]
    for t in (60, 300, 900):
        sim.run_until(t)
        check_ledger(sim)
    sim.run_until(3000)
    m = check_ledger(sim)
    assert m["deleted"] == 200 and m["dropped"] == 0 and fn.throttles > 0

