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
    sim, f = lone_function(error_rate=0.25, duration_s=const(0.01))
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
    """AWS: the mapping starts with 5 concurrent batches and adds up to 300 concurrent invocations
    per minute while messages wait; idle pollers go back down to the first 5."""
    sim, q, f = esm_sim({"duration_s": const(5)}, queue={"receive_wait_time_s": 20}, n=50000)
    mapping = f.mappings[0]
    assert len(mapping.pollers) == 5
    sim.run_until(59)
    assert f.peak_running == 5
    sim.run_until(119)
    assert len(mapping.pollers) == 5 + 300 and f.peak_running == 5 + 300   # after 1 minute of backlog
    sim.run_until(179)
    assert f.peak_running == 5 + 2 * 300
    sim.run_until(2000)
    assert q.deleted == 50000 and len(mapping.pollers) == 5
    check_ledger(sim)


def test_pollers_stop_at_1250_concurrent_batches():
    """AWS: the mapping scales up to 1,250 concurrent invocations (when the function may run that many)."""
    sim = build([node("q", "sqs_queue", receive_wait_time_s=20), node("f", "lambda_function", duration_s=const(60))],
                [("q", "f", {"batch_size": 1})], account_concurrency=3000)
    q, f = sim.world.components["q"], sim.world.components["f"]
    for i in range(100000):
        q.on_send(make_message(sim.world, body=i))
    sim.run_until(60 * 6)
    assert len(f.mappings[0].pollers) == 1250 and f.peak_running == 1250


def test_maximum_concurrency_caps_the_mapping():
    """AWS: maximum_concurrency (2-1,000) limits the concurrent invocations of one event source mapping."""
    sim, q, f = esm_sim({"duration_s": const(5)}, edge={"maximum_concurrency": 2, "batch_size": 1}, n=200)
    sim.run_until(200)
    assert f.peak_running == 2 and f.throttles == 0 and len(f.mappings[0].pollers) == 2
    sim, q, f = esm_sim({"duration_s": const(5)}, edge={"maximum_concurrency": 40, "batch_size": 1}, n=20000)
    sim.run_until(200)
    assert f.peak_running == 40


def test_pollers_grow_only_to_the_functions_reserved_concurrency():
    """AWS: the mapping scales up to the function's concurrency."""
    sim, q, f = esm_sim({"duration_s": const(5), "reserved_concurrency": 50}, n=20000)
    sim.run_until(200)
    assert len(f.mappings[0].pollers) == 50 and f.peak_running == 50


def test_a_batch_above_10_gathers_several_receives():
    """AWS: batch size up to 10,000 on a standard queue; one ReceiveMessage returns at most 10."""
    sim, q, f = esm_sim({"duration_s": const(1)}, edge={"batch_size": 1000}, n=2500)
    sizes, invoke = [], f.invoke
    f.invoke = lambda on_done, batch: sizes.append(len(batch)) or invoke(on_done, batch)
    sim.run_until(0.5)
    assert sorted(sizes) == [500, 1000, 1000] and q.n_in_flight == 2500
    sim.run_until(10)
    assert q.deleted == 2500
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


def _try_times(sim, f) -> list:
    times, invoke = [], f.invoke
    f.invoke = lambda on_done, payload: times.append(sim.kernel.now) or invoke(on_done, payload)
    return times


def test_a_throttled_sns_event_waits_in_lambdas_queue_with_backoff_up_to_5_minutes():
    """AWS: a throttled asynchronous event goes back to Lambda's event queue and is retried with
    exponential backoff from 1 s up to 5 minutes, for up to maximum_event_age_s (default 6 hours);
    only then is it dropped. Meanwhile the ledger shows it being delivered, never lost. (Each wait
    is drawn between half and all of its step: 1, 2, 4 ... 256, then 300 s.)"""
    sim, t, f = sns_to_lambda(reserved_concurrency=0)
    times = _try_times(sim, f)
    t.on_publish(make_message(sim.world, attributes={"k": "v"}))
    sim.run_until(21599)
    m = check_ledger(sim)
    assert m["being_delivered"] == 1 and m["dropped"] == 0 and t.delivered == 1   # SNS handed it over
    assert f.queued_events() == 1
    gaps = [b - a for a, b in zip(times, times[1:])]
    steps = [min(300.0, 2.0 ** k) for k in range(len(gaps))]
    assert all(step / 2 <= gap <= step for gap, step in zip(gaps, steps))
    assert max(gaps) <= 300 and 21600 / 300 < len(times) < 21600 / 150 + 10
    sim.run_until(21601)        # 6 hours old: dropped
    m = check_ledger(sim)
    assert m["dropped"] == 1 and m["being_delivered"] == 0 and f.dropped_old == 1


def test_throttled_events_do_not_retry_in_lockstep():
    """Events throttled together spread out, so a small reservation keeps working through a burst."""
    sim, t, f = sns_to_lambda(reserved_concurrency=2, duration_s=const(1))
    for _ in range(200):
        t.on_publish(make_message(sim.world, attributes={"k": "v"}))
    sim.run_until(3600)
    assert f.deleted == 200 and f.dropped_old == 0


def test_maximum_event_age_drops_older_events():
    """AWS: maximum_event_age_s (60-21,600) bounds how long Lambda keeps an event it cannot run."""
    sim, t, f = sns_to_lambda(reserved_concurrency=0, maximum_event_age_s=60)
    t.on_publish(make_message(sim.world, attributes={"k": "v"}))
    sim.run_until(59.9)
    assert check_ledger(sim)["being_delivered"] == 1
    sim.run_until(60.1)
    assert check_ledger(sim)["dropped"] == 1 and f.dropped_old == 1


def test_maximum_retry_attempts_zero_drops_after_the_first_error():
    """AWS: maximum_retry_attempts 0 means a failed asynchronous invocation is not retried."""
    sim, t, f = sns_to_lambda(error_rate=1.0, duration_s=const(1), maximum_retry_attempts=0)
    t.on_publish(make_message(sim.world, attributes={"k": "v"}))
    sim.run_until(600)
    assert f.invocations == 1 and f.dropped_failed == 1 and check_ledger(sim)["dropped"] == 1


def test_a_throttled_sns_event_runs_once_concurrency_frees_up():
    sim, t, f = sns_to_lambda(reserved_concurrency=1, duration_s=const(0.4), cold_start_s=0)
    for _ in range(2):   # the second waits at least 0.5 s (half of the first 1 s step): the first is done
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
    assert f.invocations == 3 and f.dropped_failed == 0
    sim.run_until(183.5)
    assert f.dropped_failed == 1
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


# -- the account's concurrency pool ----------------------------------------------------------------------------

def test_a_function_without_reservation_runs_up_to_the_accounts_1000():
    """AWS: by default a function reserves nothing and shares the account's concurrency, 1,000."""
    sim, f = lone_function(duration_s=const(1))
    assert [f.invoke(lambda p, ok: None, i) for i in range(1001)].count(True) == 1000 and f.throttles == 1


def test_unreserved_functions_share_the_pool_and_reservations_are_carved_out_of_it():
    """AWS: reserved concurrency caps a function and is taken out of the account's pool; the other
    functions share the rest (here an account of 300 with one reservation of 150)."""
    sim = build([node("a", "lambda_function", duration_s=const(1)), node("b", "lambda_function", duration_s=const(1)),
                 node("r", "lambda_function", duration_s=const(1), reserved_concurrency=150)], [],
                account_concurrency=300)
    a, b, r = (sim.world.components[k] for k in "abr")
    assert sum(a.invoke(lambda p, ok: None, i) for i in range(100)) == 100
    assert sum(b.invoke(lambda p, ok: None, i) for i in range(100)) == 50     # 300 - 150 reserved - 100 of a
    assert sum(r.invoke(lambda p, ok: None, i) for i in range(200)) == 150
    sim.run_until(2)
    assert sum(b.invoke(lambda p, ok: None, i) for i in range(200)) == 150


def test_reservations_must_leave_100_unreserved():
    """AWS: reserved concurrency may total at most the account's concurrency minus 100."""
    from engine.fileio import LoadError, from_data
    from tests.engine.helpers import topology
    data = topology([node("a", "lambda_function", reserved_concurrency=500),
                     node("b", "lambda_function", reserved_concurrency=401)], [])
    with pytest.raises(LoadError, match=r"nodes\[1\]\.props\.reserved_concurrency"):
        from_data(data)
    data["nodes"][1]["props"]["reserved_concurrency"] = 400
    from_data(data)


def test_sns_to_lambda_at_100_per_second_with_every_default_loses_nothing(tmp_path):
    """Issue 9 acceptance (AWS: asynchronous invocations are queued by Lambda and a function shares
    the account's 1,000 concurrency): 100 publishes a second for 10 minutes, nothing dropped, through
    the command line on the hand-run file tests/data/sns-lambda-100rps.flowdeck.json."""
    import json
    import subprocess
    import sys
    from pathlib import Path
    path = Path(__file__).parent.parent / "data" / "sns-lambda-100rps.flowdeck.json"
    out = tmp_path / "report.json"
    proc = subprocess.run([sys.executable, "-m", "engine.cli", "run", str(path), "--report", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(out.read_text())
    led = report["ledger"]
    assert led["balanced"] and led["messages"]["dropped"] == 0 and led["messages"]["created"] > 55000
    assert report["nodes"]["fn"]["totals"]["throttles"] == 0
    assert led["messages"]["deleted"] + led["messages"]["being_delivered"] == led["messages"]["created"]


# -- what AWS refuses on SQS consumer edges ---------------------------------------------------------------------

def _consumer_file(consumer: str, fifo: bool, edge_props: dict, scenario: list | None = None) -> dict:
    from tests.engine.helpers import topology
    return topology([node("q", "sqs_queue", fifo=fifo), node("c", consumer)],
                    [{"id": "poll", "source": "q", "target": "c", "props": edge_props}], scenario)


@pytest.mark.parametrize("consumer, fifo, props, path, words", [
    ("lambda_function", True, {"batch_size": 11}, r"edges\[0\]\.props\.batch_size", "FIFO"),
    ("ec2_instance", False, {"batch_size": 11}, r"edges\[0\]\.props\.batch_size", "EC2 consumer"),
    ("auto_scaling_group", False, {"batch_size": 100}, r"edges\[0\]\.props\.batch_size", "EC2 consumer"),
    ("ec2_instance", False, {"maximum_concurrency": 5}, r"edges\[0\]\.props\.maximum_concurrency", "Lambda"),
    ("lambda_function", False, {"batch_size": 10001}, r"edges\[0\]\.props\.batch_size", "maximum of 10000"),
    ("lambda_function", False, {"maximum_concurrency": 1}, r"maximum_concurrency", "below the minimum of 2"),
    ("lambda_function", False, {"maximum_concurrency": 1001}, r"maximum_concurrency", "above the maximum of 1000"),
])
def test_consumer_edges_refuse_what_aws_refuses(consumer, fifo, props, path, words):
    """AWS: Lambda takes batches of up to 10,000 from a standard queue but at most 10 from a FIFO
    queue; one ReceiveMessage (an EC2 consumer) returns at most 10; an event source mapping's
    maximum concurrency is 2-1,000 and exists only on the mapping."""
    from engine.fileio import LoadError, from_data
    with pytest.raises(LoadError, match=path) as err:
        from_data(_consumer_file(consumer, fifo, props))
    assert words in str(err.value)
    if "edges" in path and words != "maximum of 10000":
        assert "'poll'" in str(err.value)   # the edge is named


def test_consumer_edges_accept_aws_limits():
    from engine.fileio import from_data
    from_data(_consumer_file("lambda_function", False, {"batch_size": 10000, "maximum_concurrency": 1000}))
    from_data(_consumer_file("lambda_function", True, {"batch_size": 10, "maximum_concurrency": 2}))


def test_a_scenario_cannot_raise_a_fifo_sources_batch_above_10():
    from engine.fileio import LoadError, from_data
    set_batch = [{"at_s": 5, "action": "set", "target": "poll", "prop": "batch_size", "value": 50}]
    with pytest.raises(LoadError, match=r"scenario\[0\]\.value: edge 'poll'"):
        from_data(_consumer_file("lambda_function", True, {}, set_batch))
    from_data(_consumer_file("lambda_function", False, {}, set_batch))


def test_account_concurrency_is_a_simulation_setting_saved_only_when_set():
    from engine.fileio import LoadError, from_data, to_data
    from tests.engine.helpers import topology
    data = topology([node("f", "lambda_function")], [])
    assert "account_concurrency" not in to_data(from_data(data))["simulation"]
    data["simulation"]["account_concurrency"] = 3000
    assert to_data(from_data(data))["simulation"]["account_concurrency"] == 3000
    data["simulation"]["account_concurrency"] = 0
    with pytest.raises(LoadError, match=r"simulation\.account_concurrency"):
        from_data(data)
