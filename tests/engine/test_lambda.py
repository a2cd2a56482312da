"""Lambda: AWS-SEMANTICS.md, "Lambda" (concurrency, throttling, cold starts, SQS and SNS sources)."""
from __future__ import annotations

import pytest

from engine.messaging import esm, lambda_fn
from engine.messaging.messages import make_message
from tests.engine.messaging_helpers import build, check_ledger, node


def const(v: float) -> dict:
    return {"dist": "constant", "value": v}


def lone_function(**props):
    sim = build([node("f", "lambda_function", **props)], [])
    return sim, sim.world.components["f"]


def test_invocations_beyond_reserved_concurrency_are_throttled():
    sim, f = lone_function(reserved_concurrency=3, duration_s=const(1))
    done = []
    results = [f.invoke(lambda p, ok: done.append(p), i) for i in range(5)]
    assert results == [True, True, True, False, False] and f.throttles == 2 and f.running == 3
    sim.run_until(2)
    assert sorted(done) == [0, 1, 2] and f.running == 0
    assert f.invoke(lambda p, ok: None, 9)


def test_zero_reserved_concurrency_throttles_everything():
    sim, f = lone_function(reserved_concurrency=0)
    assert not f.invoke(lambda p, ok: None, 0)


def test_cold_start_only_when_no_warm_environment_is_free():
    sim, f = lone_function(duration_s=const(1), cold_start_s=0.5)
    ends = []
    f.invoke(lambda p, ok: ends.append(sim.kernel.now), 0)
    sim.run_until(10)
    f.invoke(lambda p, ok: ends.append(sim.kernel.now), 1)     # reuses the warm environment
    f.invoke(lambda p, ok: ends.append(sim.kernel.now), 2)     # the warm one is busy: a second cold start
    sim.run_until(20)
    assert ends == [1.5, 11.0, 11.5] and f.cold_starts == 2 and f.environments == 2


def test_idle_environments_are_recycled():
    sim, f = lone_function(duration_s=const(1))
    f.invoke(lambda p, ok: None, 0)
    sim.run_until(lambda_fn.WARM_IDLE_S + 10)
    f.invoke(lambda p, ok: None, 1)
    assert f.cold_starts == 2


def test_error_rate_is_the_share_of_failed_invocations():
    sim, f = lone_function(error_rate=0.25, duration_s=const(0.01), reserved_concurrency=1000)
    oks = []
    for i in range(4000):
        sim.kernel.at(i * 0.01, lambda _: f.invoke(lambda p, ok: oks.append(ok), None))
    sim.run_until(100)
    assert len(oks) == 4000 and abs(oks.count(False) / 4000 - 0.25) < 4 * (0.25 * 0.75 / 4000) ** 0.5


# -- SQS event source mapping -----------------------------------------------------------------------------

def esm_sim(fn: dict, queue: dict | None = None, edge: dict | None = None, n: int = 0, dlq: bool = False):
    nodes = [node("q", "sqs_queue", **(queue or {})), node("f", "lambda_function", **fn)]
    edges = [("q", "f", edge or {})]
    if dlq:
        nodes.append(node("d", "sqs_queue"))
        edges.append(("q", "d"))
    sim = build(nodes, edges)
    q = sim.world.components["q"]
    for i in range(n):
        q.on_send(make_message(sim.world, body=i))
    return sim, q, sim.world.components["f"]


def test_pollers_receive_batches_one_invocation_per_batch_and_delete_on_success():
    sim, q, f = esm_sim({"duration_s": const(1)}, n=95)
    sim.run_until(0.5)
    assert f.invocations == 5 and q.n_in_flight == 50          # 5 pollers, batches of 10
    sim.run_until(30)
    assert q.deleted == 95 and f.invocations == 10
    assert check_ledger(sim)["deleted"] == 95


def test_batch_size_comes_from_the_edge():
    sim, q, f = esm_sim({"duration_s": const(1)}, edge={"batch_size": 3}, n=30)
    sim.run_until(0.5)
    assert q.n_in_flight == 15 and f.invocations == 5


def test_a_failed_batch_returns_after_the_visibility_timeout():
    sim, q, f = esm_sim({"duration_s": const(1), "error_rate": 1.0}, queue={"visibility_timeout_s": 20}, n=10)
    sim.run_until(19)
    assert q.n_in_flight == 10 and q.deleted == 0
    sim.run_until(21)
    assert max(m.receive_count for m in q.alive.values()) == 2
    check_ledger(sim)


def test_a_throttled_batch_stays_in_the_queue_and_its_receive_count_climbs_to_the_dlq():
    sim, q, f = esm_sim({"reserved_concurrency": 0}, queue={"visibility_timeout_s": 5, "max_receive_count": 2},
                        n=10, dlq=True)
    sim.run_until(4)
    assert f.throttles > 0 and q.n_in_flight == 10 and q.deleted == 0
    sim.run_until(60)
    assert sim.world.components["d"].n_visible == 10
    assert check_ledger(sim)["dead_lettered"] == 10


def test_concurrency_caps_how_many_batches_run_at_once():
    sim, q, f = esm_sim({"duration_s": const(5), "reserved_concurrency": 2}, edge={"batch_size": 1}, n=20)
    sim.run_until(100)
    assert f.peak_running == 2 and f.throttles > 0
    check_ledger(sim)


def test_pollers_scale_up_while_messages_wait_and_down_when_idle():
    sim, q, f = esm_sim({"duration_s": const(5), "reserved_concurrency": 1000},
                        queue={"receive_wait_time_s": 20}, n=5000)
    mapping = f.mappings[0]
    assert len(mapping.pollers) == esm.INITIAL_POLLERS
    sim.run_until(61)
    assert len(mapping.pollers) == esm.INITIAL_POLLERS + esm.ADD_PER_MINUTE
    sim.run_until(2000)
    assert q.deleted == 5000 and len(mapping.pollers) == esm.INITIAL_POLLERS
    check_ledger(sim)


# -- asynchronous invocations from SNS ------------------------------------------------------------------------

def sns_to_lambda(**fn):
    sim = build([node("t", "sns_topic"), node("f", "lambda_function", **fn)], [("t", "f")])
    return sim, sim.world.components["t"], sim.world.components["f"]


def test_an_sns_event_that_succeeds_counts_as_deleted():
    sim, t, f = sns_to_lambda(duration_s=const(1))
    t.on_publish(make_message(sim.world, attributes={"k": "v"}))
    assert check_ledger(sim)["being_delivered"] == 1
    sim.run_until(5)
    assert f.invocations == 1 and check_ledger(sim)["deleted"] == 1


def test_a_throttled_sns_event_is_retried_twice_then_dropped():
    sim, t, f = sns_to_lambda(reserved_concurrency=0)
    t.on_publish(make_message(sim.world, attributes={"k": "v"}))
    sim.run_until(60)
    assert f.throttles == lambda_fn.ASYNC_TRIES == 3 and f.async_retries == 2
    m = check_ledger(sim)
    assert m["dropped"] == 1 and t.delivered == 1   # SNS delivered it; Lambda gave up


def test_a_throttled_sns_event_runs_once_concurrency_frees_up():
    sim, t, f = sns_to_lambda(reserved_concurrency=1, duration_s=const(0.5))
    for _ in range(2):
        t.on_publish(make_message(sim.world, attributes={"k": "v"}))
    sim.run_until(10)
    assert f.throttles == 1 and f.deleted == 2
    check_ledger(sim)


def test_a_failing_sns_event_is_retried_after_one_then_two_minutes():
    sim, t, f = sns_to_lambda(error_rate=1.0, duration_s=const(1), cold_start_s=0)
    t.on_publish(make_message(sim.world, attributes={"k": "v"}))
    sim.run_until(61.5)
    assert f.invocations == 2
    sim.run_until(182.5)                       # tries end at 1 and 62 s: retries at 61 and 182 s
    assert f.invocations == 3 and f.dropped == 0
    sim.run_until(183.5)
    assert f.dropped == 1
    check_ledger(sim)


def test_report_totals():
    sim, q, f = esm_sim({"duration_s": const(1)}, n=20)
    sim.run_until(5)
    totals = sim.report()["nodes"]["f"]["totals"]
    assert totals["invocations"] == 2 and totals["cold_starts"] == 2 and totals["throttles"] == 0


@pytest.mark.parametrize("seed", [1, 2])
def test_same_seed_same_lambda_run(seed):
    runs = []
    for _ in range(2):
        sim, q, f = esm_sim({"duration_s": {"dist": "exponential", "mean": 0.5}, "error_rate": 0.2}, n=300)
        sim.run_until(200)
        runs.append(sim.report()["nodes"])
    assert runs[0] == runs[1]
