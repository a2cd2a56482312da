"""SQS queues: AWS-SEMANTICS.md, "SQS". Each test drives the engine's queue and checks the ledger."""
from __future__ import annotations

import pytest

from engine.messaging import consumers
from tests.engine.messaging_helpers import QueueBench, build, check_ledger, node


def bodies(msgs) -> list:
    return [m.body for m in msgs]


# -- send, receive, visibility timeout ---------------------------------------------------------------

def test_a_received_message_is_invisible_until_its_visibility_timeout_then_comes_back_counted():
    b = QueueBench(visibility_timeout_s=30)
    b.send("a")
    [m] = b.receive()
    assert (m.receive_count, b.q.n_visible, b.q.n_in_flight) == (1, 0, 1)
    b.advance(29.9)
    assert b.receive() == [] and b.q.n_in_flight == 1
    b.advance(0.2)
    [again] = b.receive()
    assert again is m and m.receive_count == 2
    assert b.ledger()["in_flight"] == 1


def test_a_deleted_message_never_comes_back():
    b = QueueBench(visibility_timeout_s=5)
    b.send("a")
    [m] = b.receive()
    assert b.delete(m)
    b.advance(60)
    assert b.receive() == []
    assert b.q.deleted == 1 and b.ledger()["deleted"] == 1


def test_the_top_receive_count_is_over_the_run_not_only_the_messages_still_there():
    """The summary's "top receive count" read 1 for a queue whose messages had been received
    again and deleted since (it looked only at messages still in the queue)."""
    b = QueueBench(visibility_timeout_s=5)
    b.send("a")
    b.receive()
    b.advance(6)
    [m] = b.receive()
    assert b.delete(m)
    assert b.q.totals()["max_receive_count_seen"] == 2


def test_only_the_latest_receipt_deletes():
    b = QueueBench(visibility_timeout_s=5)
    b.send("a")
    [m] = b.receive()
    old = m.receipt
    b.advance(6)
    b.receive()
    assert not b.q.delete(m, old) and b.q.delete_failures == 1
    assert b.q.delete(m, m.receipt)
    b.ledger()


def test_a_fifo_receipt_expires_with_its_visibility_timeout():
    b = QueueBench(fifo=True, visibility_timeout_s=5)
    b.send("a", group="g")
    [m] = b.receive()
    b.advance(6)
    assert not b.delete(m)   # visible again: the receipt handle has expired
    b.ledger()


def test_receive_visibility_override():
    b = QueueBench(visibility_timeout_s=30)
    b.send("a")
    b.receive(visibility=2)
    b.advance(2.1)
    assert bodies(b.receive()) == ["a"]


def test_visibility_timeout_zero_makes_a_message_visible_at_once():
    b = QueueBench(visibility_timeout_s=0)
    b.send("a")
    b.receive()
    b.advance(0)
    assert bodies(b.receive()) == ["a"]


def test_a_receive_returns_at_most_ten_messages():
    b = QueueBench()
    for i in range(25):
        b.send(i)
    assert len(b.receive(15)) == 10
    assert len(b.receive(3)) == 3
    assert b.q.receives == 13 and b.q.n_visible == 12
    b.ledger()


def test_standard_queue_returns_oldest_first_and_a_returning_message_goes_first():
    b = QueueBench(visibility_timeout_s=5)
    for i in range(4):
        b.send(i)
    assert bodies(b.receive(1)) == [0]
    b.advance(6)
    assert bodies(b.receive(10)) == [0, 1, 2, 3]


# -- polling -------------------------------------------------------------------------------------------

def test_short_poll_on_an_empty_queue_returns_nothing_at_once():
    b = QueueBench()
    assert b.q.receive(10, 0.0, lambda _: None) == []
    assert b.q.empty_receives == 1 and b.q.receive_calls == 1


def test_long_poll_waits_and_returns_as_soon_as_a_message_arrives():
    b = QueueBench()
    got = []
    assert b.q.receive(10, 20.0, lambda msgs: got.append((b.kernel.now, bodies(msgs)))) is None
    b.kernel.at(7.0, lambda _: b.send("late"))
    b.advance(30)
    assert got == [(7.0, ["late"])]
    assert b.q.empty_receives == 0
    b.ledger()


def test_long_poll_with_nothing_ends_empty_after_wait_time():
    b = QueueBench()
    got = []
    b.q.receive(10, 20.0, lambda msgs: got.append((b.kernel.now, msgs)))
    b.advance(19.9)
    assert got == []
    b.advance(0.2)
    assert got == [(20.0, [])] and b.q.empty_receives == 1


def test_long_poll_is_answered_when_a_message_comes_back_from_flight():
    b = QueueBench(visibility_timeout_s=5)
    b.send("a")
    b.receive()
    got = []
    b.q.receive(10, 20.0, lambda msgs: got.append((b.kernel.now, bodies(msgs))))
    b.advance(10)
    assert got == [(5.0, ["a"])]


# -- delay and retention ------------------------------------------------------------------------------------

def test_delay_keeps_new_messages_invisible():
    b = QueueBench(delay_s=10)
    b.send("a")
    assert b.receive() == [] and b.q.n_delayed == 1
    assert b.ledger()["delayed"] == 1
    b.advance(10)
    assert bodies(b.receive()) == ["a"] and b.q.n_delayed == 0


def test_messages_older_than_the_retention_period_expire_in_any_state():
    b = QueueBench(message_retention_s=60, visibility_timeout_s=100)
    b.send("visible")
    b.send("in flight")
    b.receive(1)
    b.advance(30)
    b.send("young")
    b.advance(30.1)
    assert b.q.expired == 2 and list(m.body for m in b.q.alive.values()) == ["young"]
    assert b.ledger()["expired"] == 2
    b.advance(30)
    assert b.q.expired == 3


def test_retention_timer_is_one_event_not_one_per_message():
    b = QueueBench(message_retention_s=600)
    before = len(b.kernel.heap)
    for i in range(1000):
        b.send(i)
    assert len(b.kernel.heap) == before + 1
    b.advance(599)
    assert b.kernel.events <= 600 / 10 + 2   # the series sampler and nothing per message
    b.advance(2)
    assert b.q.expired == 1000
    b.ledger()


def test_oldest_age_gauge():
    b = QueueBench()
    b.send("a")
    b.advance(42)
    b.send("b")
    assert b.q.oldest_age() == pytest.approx(42)


# -- redrive ----------------------------------------------------------------------------------------------

def test_redrive_moves_a_message_when_its_receive_count_would_exceed_max_receive_count():
    b = QueueBench(dlq=True, max_receive_count=3, visibility_timeout_s=1)
    m = b.send("poison")
    for n in range(1, 4):
        assert b.receive() == [m] and m.receive_count == n
        b.advance(1.5)
    assert b.receive() == []          # the 4th receive would exceed 3: moved instead
    assert b.q.dead_lettered == 1 and b.dlq.received_in == 1
    assert b.receive(queue=b.dlq) == [m]
    assert b.ledger()["dead_lettered"] == 1


def test_without_a_redrive_edge_receive_counts_climb_for_ever():
    b = QueueBench(max_receive_count=2, visibility_timeout_s=1)
    m = b.send("x")
    for _ in range(5):
        b.receive()
        b.advance(1.5)
    assert m.receive_count == 5 and b.q.dead_lettered == 0


def test_dead_lettered_message_deleted_from_the_dlq_counts_as_deleted():
    b = QueueBench(dlq=True, max_receive_count=1, visibility_timeout_s=1)
    b.send("x")
    b.receive()
    b.advance(2)
    b.receive()
    [m] = b.receive(queue=b.dlq)
    assert b.ledger()["dead_lettered"] == 1
    b.delete(m, queue=b.dlq)
    led = b.ledger()
    assert led["dead_lettered"] == 0 and led["deleted"] == 1


def test_a_standard_dlq_keeps_the_original_enqueue_time_so_old_messages_expire_there():
    b = QueueBench(dlq=True, max_receive_count=1, visibility_timeout_s=50)
    b.dlq.props["message_retention_s"] = 120
    b.send("x")
    b.receive()
    b.advance(100)
    b.receive()             # moved at t=100, enqueued at t=0
    b.advance(21)
    assert b.dlq.expired == 1
    assert b.ledger()["expired"] == 1


def test_redrive_edge_latency_is_a_dead_letter_transfer():
    from engine.traffic import DEAD_LETTER
    sim = build([node("q", "sqs_queue", max_receive_count=1, visibility_timeout_s=1), node("d", "sqs_queue")],
                [("q", "d", {"latency_ms": 500})])
    q = sim.world.components["q"]
    from engine.messaging.messages import make_message
    q.on_send(make_message(sim.world, body="x"))
    q.receive(1, 0, lambda _: None)
    sim.kernel.run_until(2)
    q.receive(1, 0, lambda _: None)
    assert any(t[4] == DEAD_LETTER for t in sim.world.transfers)
    assert check_ledger(sim)["dead_lettered"] == 1 and len(q.redriving) == 1
    sim.kernel.run_until(3)
    assert sim.world.components["d"].n_visible == 1


# -- FIFO ----------------------------------------------------------------------------------------------------

def test_fifo_holds_a_group_back_while_one_of_its_messages_is_in_flight():
    b = QueueBench(fifo=True, visibility_timeout_s=10)
    a1, a2 = b.send("a1", group="A"), b.send("a2", group="A")
    b.send("b1", group="B")
    assert bodies(b.receive(1)) == ["a1"]
    assert bodies(b.receive(10)) == ["b1"]      # A is held back
    assert b.receive(10) == []
    b.delete(a1)
    assert b.receive(10) == [a2]


def test_fifo_holds_back_a_message_sent_while_its_group_is_in_flight():
    b = QueueBench(fifo=True, visibility_timeout_s=10)
    a1 = b.send("a1", group="A")
    assert b.receive() == [a1]
    b.send("a2", group="A")
    b.send("b1", group="B")
    assert bodies(b.receive()) == ["b1"]
    b.advance(10.5)
    assert bodies(b.receive()) == ["a1", "a2", "b1"]   # b1 came back too


def test_fifo_keeps_order_when_a_message_comes_back():
    b = QueueBench(fifo=True, visibility_timeout_s=5)
    for i in range(3):
        b.send(f"a{i}", group="A")
    assert bodies(b.receive(2)) == ["a0", "a1"]
    b.advance(6)
    assert bodies(b.receive(10)) == ["a0", "a1", "a2"]


def test_fifo_receive_takes_as_many_of_one_group_as_it_can_first():
    b = QueueBench(fifo=True)
    for body, group in [("a1", "A"), ("b1", "B"), ("a2", "A"), ("b2", "B"), ("a3", "A")]:
        b.send(body, group=group)
    assert bodies(b.receive(10)) == ["a1", "a2", "a3", "b1", "b2"]


def test_fifo_deduplicates_by_id_for_five_minutes():
    b = QueueBench(fifo=True)
    b.send("first", group="g", dedup="order-1")
    b.send("again", group="g", dedup="order-1")
    assert b.q.received_in == 1 and b.q.deduplicated == 1
    b.advance(299)                      # AWS: a 5-minute deduplication interval
    b.send("still", group="g", dedup="order-1")
    assert b.q.deduplicated == 2
    b.advance(1.5)
    b.send("later", group="g", dedup="order-1")
    assert b.q.received_in == 2
    assert b.ledger()["created"] == 2   # a duplicate makes no copy


def test_fifo_content_based_deduplication_compares_bodies():
    b = QueueBench(fifo=True, content_based_deduplication=True)
    b.send({"order": 1}, group="g")
    b.send({"order": 1}, group="h")
    b.send({"order": 2}, group="g")
    assert b.q.received_in == 2 and b.q.deduplicated == 1


def test_standard_queues_do_not_deduplicate():
    b = QueueBench(content_based_deduplication=True)
    b.send("same", dedup="x")
    b.send("same", dedup="x")
    assert b.q.received_in == 2


def test_fifo_dlq_after_max_receives_keeps_the_group_moving():
    b = QueueBench(fifo=True, dlq=True, max_receive_count=1, visibility_timeout_s=1)
    b.send("bad", group="A")
    b.send("good", group="A")
    b.receive(1)
    b.advance(1.5)
    assert bodies(b.receive(10)) == ["good"]
    assert bodies(b.receive(10, queue=b.dlq)) == ["bad"]
    b.ledger()


# -- in-flight limit ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("fifo, limit", [(False, 120_000), (True, 20_000)])
def test_in_flight_limits_are_aws_quotas(fifo, limit):
    assert QueueBench(fifo=fifo).q.in_flight_limit == limit


def test_receives_beyond_the_in_flight_limit_get_nothing():
    b = QueueBench()
    b.q.in_flight_limit = 3
    for i in range(5):
        b.send(i)
    assert len(b.receive(10)) == 3
    assert b.receive(10) == [] and b.q.over_limit == 1
    b.ledger()


# -- gauges, counters, report -------------------------------------------------------------------------------

def test_report_totals_and_series_have_the_format_names():
    sim = build([node("c", "client", rate_rps=5), node("q", "sqs_queue")], [("c", "q")])
    sim.run_until(30)
    rep = sim.report()
    totals = rep["nodes"]["q"]["totals"]
    assert {"received_in", "receives", "deleted", "dead_lettered", "expired"} <= set(totals)
    assert {"visible", "in_flight", "delayed"} <= set(rep["series"]["q"])
    assert rep["series"]["q"]["visible"][-1] == totals["received_in"] == sim.world.components["q"].n_visible
    check_ledger(sim)


# -- consumers on EC2 --------------------------------------------------------------------------------------------

def const(v: float) -> dict:
    return {"dist": "constant", "value": v}


def worker_sim(instance: dict, queue: dict | None = None, edge: dict | None = None, scenario=None, n: int = 1,
               group: dict | None = None, seed: int = 1):
    nodes = [node("q", "sqs_queue", **(queue or {})),
             node("w", "auto_scaling_group", min_size=0, max_size=10, desired_capacity=n,
                  instance={"boot_time_s": 0, **instance}, **(group or {}))]
    return build(nodes, [("q", "w", edge or {})], scenario, seed=seed)


def fill(sim, n: int) -> None:
    """n messages in queue q before the first poll."""
    from engine.messaging.messages import make_message
    q = sim.world.components["q"]
    for i in range(n):
        q.on_send(make_message(sim.world, body=i))


def test_instances_process_in_their_request_slots_and_delete_on_success():
    sim = worker_sim({"concurrency": 2, "service_time_s": const(10)})
    fill(sim, 10)
    sim.run_until(1)
    q = sim.world.components["q"]
    assert (q.n_in_flight, q.n_visible) == (2, 8)
    sim.run_until(10.5)
    assert q.deleted == 2 and q.n_in_flight == 2
    sim.run_until(60)
    assert q.deleted == 10 and sim.world.components["w"].handled() == 10
    check_ledger(sim)


def test_batch_size_is_limited_by_free_slots():
    sim = worker_sim({"concurrency": 3, "service_time_s": const(5)}, edge={"batch_size": 10})
    fill(sim, 20)
    sim.run_until(1)
    q = sim.world.components["q"]
    assert q.n_in_flight == 3 and q.receive_calls == 1
    check_ledger(sim)


def test_wait_time_defaults_to_the_queue_receive_wait_time():
    sim = worker_sim({"concurrency": 1}, queue={"receive_wait_time_s": 20})
    sim.run_until(100)
    assert sim.world.components["q"].receive_calls == 6     # one long poll every 20 s: 0, 20, ... 100
    sim2 = worker_sim({"concurrency": 1}, queue={"receive_wait_time_s": 20}, edge={"wait_time_s": 5})
    sim2.run_until(100)
    assert sim2.world.components["q"].receive_calls == 21


def test_short_polling_workers_count_empty_receives():
    sim = worker_sim({"concurrency": 1})
    sim.run_until(10)
    q = sim.world.components["q"]
    assert q.empty_receives == q.receive_calls == round(10 / consumers.SHORT_POLL_IDLE_S) + 1


def test_failed_jobs_are_not_deleted_and_come_back_after_the_visibility_timeout():
    sim = worker_sim({"concurrency": 1, "error_rate": 1.0, "service_time_s": const(1)},
                     queue={"visibility_timeout_s": 10})
    fill(sim, 1)
    sim.run_until(5)
    q = sim.world.components["q"]
    [m] = q.alive.values()
    assert (m.receive_count, q.n_in_flight, q.deleted) == (1, 1, 0)
    sim.run_until(10.5)
    assert m.receive_count == 2
    check_ledger(sim)


def test_a_crashed_worker_stops_polling_and_its_messages_come_back():
    sim = build([node("q", "sqs_queue", visibility_timeout_s=30),
                 node("w", "ec2_instance", concurrency=2, service_time_s=const(100))],
                [("q", "w")], [{"at_s": 5, "action": "fail", "target": "w", "mode": "crash"}])
    fill(sim, 5)
    sim.run_until(6)
    q = sim.world.components["q"]
    calls = q.receive_calls
    assert q.n_in_flight == 2
    sim.run_until(100)
    assert q.receive_calls == calls and q.deleted == 0
    assert q.n_visible == 5 and max(m.receive_count for m in q.alive.values()) == 1
    check_ledger(sim)


def test_a_hung_worker_holds_its_messages_until_the_visibility_timeout_then_resumes_after_recovery():
    sim = build([node("q", "sqs_queue", visibility_timeout_s=30),
                 node("w", "ec2_instance", concurrency=2, service_time_s=const(2))],
                [("q", "w")], [{"at_s": 1, "action": "fail", "target": "w", "mode": "hang"},
                               {"at_s": 60, "action": "recover", "target": "w"}])
    fill(sim, 4)
    sim.run_until(29)
    q = sim.world.components["q"]
    assert q.n_in_flight == 2 and q.deleted == 0
    sim.run_until(31)
    assert q.n_in_flight == 0 and q.n_visible == 4
    sim.run_until(120)
    assert q.deleted == 4
    worker = sim.world.instances["w"].message_worker
    assert worker.reserved == worker.in_transit == 0 and worker.free() == 2
    check_ledger(sim)


def test_group_instances_poll_only_once_in_service_and_stop_when_terminated():
    sim = worker_sim({"concurrency": 1, "boot_time_s": 30, "service_time_s": const(0.5)}, n=0,
                     scenario=[{"at_s": 10, "action": "set", "target": "w", "prop": "desired_capacity", "value": 1},
                               {"at_s": 100, "action": "set", "target": "w", "prop": "desired_capacity", "value": 0}])
    fill(sim, 500)
    q = sim.world.components["q"]
    sim.run_until(39.9)
    assert q.receive_calls == 0
    sim.run_until(41)
    assert q.receives > 0
    sim.run_until(101)
    calls = q.receive_calls
    sim.run_until(200)
    assert q.receive_calls == calls and q.n_in_flight == 0
    check_ledger(sim)


def test_a_worker_group_scales_on_backlog_per_instance():
    policy = {"type": "target_tracking", "metric": "backlog_per_instance", "target": 10,
              "evaluation_period_s": 10, "scale_out_datapoints": 2}
    nodes = [node("c", "client", rate_rps=20),
             node("q", "sqs_queue", receive_wait_time_s=20),
             node("w", "auto_scaling_group", min_size=1, max_size=10, desired_capacity=1,
                  instance={"concurrency": 1, "service_time_s": const(0.5), "boot_time_s": 10},
                  default_instance_warmup_s=10, policies=[policy])]
    sim = build(nodes, [("c", "q"), ("q", "w")])
    assert sim.world.components["w"].source_queues == [sim.world.components["q"]]
    sim.run_until(300)
    group = sim.world.components["w"]
    assert group.desired >= 10
    assert any("backlog per instance" in a["text"] for a in sim.world.activities)
    check_ledger(sim)


def test_workers_share_slots_across_two_queues():
    nodes = [node("q", "sqs_queue"), node("r", "sqs_queue"),
             node("w", "ec2_instance", concurrency=2, service_time_s=const(10))]
    sim = build(nodes, [("q", "w", {"batch_size": 10}), ("r", "w", {"batch_size": 10})])
    from engine.messaging.messages import make_message
    for qid in "qr":
        q = sim.world.components[qid]
        sim.kernel.at(0, lambda _, q=q: [q.on_send(make_message(sim.world, body=i)) for i in range(5)])
    sim.run_until(1)
    inflight = sum(sim.world.components[q].n_in_flight for q in "qr")
    assert inflight == 2
    check_ledger(sim)


@pytest.mark.parametrize("p, k", [(0.5, 3), (0.3, 2), (0.7, 1)])
def test_dead_lettered_share_is_p_to_the_k(p, k):
    nodes = [node("c", "client", rate_rps=40), node("q", "sqs_queue", visibility_timeout_s=2, max_receive_count=k),
             node("d", "sqs_queue"),
             node("w", "auto_scaling_group", min_size=4, max_size=4, desired_capacity=4,
                  instance={"concurrency": 10, "error_rate": p, "service_time_s": const(0.05)})]
    sim = build(nodes, [("c", "q"), ("q", "d"), ("q", "w", {"wait_time_s": 20})], seed=k)
    sim.run_until(600)
    m = check_ledger(sim)
    done = m["deleted"] + m["dead_lettered"]
    share = m["dead_lettered"] / done
    sigma = (p ** k * (1 - p ** k) / done) ** 0.5
    assert done > 20_000
    assert abs(share - p ** k) < 4 * sigma + 1e-9, (share, p ** k)


# -- black box: the same script through boto3 on moto and through the engine's queue ----------------------

VT = 2        # seconds; moto counts visibility in whole seconds
STEP = 3      # an advance that lets a VT-second visibility timeout pass


class EngineSqs:
    """The script's operations on the engine's queue, on the kernel's clock."""

    def __init__(self, fifo: bool, content_based: bool = False, max_receive_count: int | None = None) -> None:
        props = {"fifo": fifo, "content_based_deduplication": content_based}
        if max_receive_count:
            props["max_receive_count"] = max_receive_count
        self.bench = QueueBench(dlq=max_receive_count is not None, **props)
        self.held: dict[str, object] = {}

    def send(self, body: str, group: str | None = None, dedup: str | None = None) -> None:
        self.bench.send(body, group=group, dedup=dedup)

    def receive(self, n: int, dlq: bool = False) -> list[tuple[str, int]]:
        msgs = self.bench.receive(n, visibility=VT, queue=self.bench.dlq if dlq else None)
        self.held.update({m.body: m for m in msgs})
        return [(m.body, m.receive_count) for m in msgs]

    def delete(self, body: str) -> None:
        assert self.bench.delete(self.held[body])

    def advance(self, seconds: float) -> None:
        self.bench.advance(seconds)


class MotoSqs:
    """The same operations through boto3 on moto, with moto's clock under the test's control."""

    def __init__(self, client, clock, fifo: bool, content_based: bool = False,
                 max_receive_count: int | None = None) -> None:
        self.sqs, self.clock = client, clock
        suffix = ".fifo" if fifo else ""
        attrs = {"FifoQueue": "true"} if fifo else {}
        if content_based:
            attrs["ContentBasedDeduplication"] = "true"
        self.url = self.sqs.create_queue(QueueName=f"q{suffix}", Attributes=attrs)["QueueUrl"]
        self.dlq_url = None
        if max_receive_count:
            self.dlq_url = self.sqs.create_queue(QueueName=f"dlq{suffix}", Attributes=dict(attrs))["QueueUrl"]
            arn = self.sqs.get_queue_attributes(QueueUrl=self.dlq_url, AttributeNames=["QueueArn"])
            policy = {"deadLetterTargetArn": arn["Attributes"]["QueueArn"], "maxReceiveCount": str(max_receive_count)}
            import json
            self.sqs.set_queue_attributes(QueueUrl=self.url, Attributes={"RedrivePolicy": json.dumps(policy)})
        self.receipts: dict[str, str] = {}

    def send(self, body: str, group: str | None = None, dedup: str | None = None) -> None:
        kw = {}
        if group is not None:
            kw["MessageGroupId"] = group
        if dedup is not None:
            kw["MessageDeduplicationId"] = dedup
        self.sqs.send_message(QueueUrl=self.url, MessageBody=body, **kw)

    def receive(self, n: int, dlq: bool = False) -> list[tuple[str, int]]:
        got = self.sqs.receive_message(QueueUrl=self.dlq_url if dlq else self.url, MaxNumberOfMessages=n,
                                       VisibilityTimeout=VT, WaitTimeSeconds=0,
                                       MessageSystemAttributeNames=["ApproximateReceiveCount"])
        msgs = got.get("Messages", [])
        self.receipts.update({m["Body"]: m["ReceiptHandle"] for m in msgs})
        return [(m["Body"], int(m["Attributes"]["ApproximateReceiveCount"])) for m in msgs]

    def delete(self, body: str) -> None:
        self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=self.receipts[body])

    def advance(self, seconds: float) -> None:
        self.clock[0] += seconds


def play(driver, script: list[tuple]) -> list:
    """Run the script; the outcome is every receive's (body, receive count) list, in order."""
    out = []
    for op, *args in script:
        result = getattr(driver, op)(*args)
        if op == "receive":
            out.append(result)
    return out


STANDARD_SCRIPT = [
    ("send", "m1"), ("send", "m2"), ("send", "m3"),
    ("receive", 10),                     # all three, receive count 1
    ("delete", "m2"),                    # m2 succeeded; m1 and m3 failed (not deleted)
    ("receive", 10),                     # nothing: m1 and m3 are in flight
    ("advance", STEP),
    ("receive", 10),                     # m1 and m3 again, receive count 2
    ("advance", STEP),
    ("receive", 10),                     # a 3rd receive would exceed 2: both go to the DLQ
    ("receive", 10, True),               # the DLQ holds m1 and m3
]

FIFO_SCRIPT = [
    ("send", "a1", "A", "a1"), ("send", "a2", "A", "a2"), ("send", "b1", "B", "b1"),
    ("receive", 1),                      # a1
    ("receive", 10),                     # b1 only: group A is held back while a1 is in flight
    ("receive", 10),                     # nothing
    ("delete", "a1"),
    ("receive", 10),                     # a2
    ("advance", STEP),
    ("receive", 10),                     # a2 and b1 again, in order, receive count 2
    ("delete", "a2"), ("delete", "b1"),
    ("send", "c1", "C", "same-id"), ("send", "c2", "C", "same-id"),   # c2 is a duplicate of c1
    ("receive", 10),                     # c1 only
    ("advance", STEP),
    ("receive", 10),                     # c1 again, receive count 2: the DLQ limit is 2
    ("advance", STEP),
    ("receive", 10),                     # moved to the DLQ
    ("receive", 10, True),
]

CONTENT_SCRIPT = [
    ("send", "hello", "G"), ("send", "hello", "G"), ("send", "world", "G"),
    ("receive", 10),
]


@pytest.fixture
def moto_sqs(monkeypatch):
    boto3 = pytest.importorskip("boto3")
    moto = pytest.importorskip("moto")
    import moto.sqs.models as models
    clock = [1_700_000_000.0]
    monkeypatch.setattr(models, "unix_time", lambda *a: clock[0])
    monkeypatch.setattr(models, "unix_time_millis", lambda *a: clock[0] * 1000.0)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with moto.mock_aws():
        yield boto3.client("sqs", region_name="us-east-1"), clock


@pytest.mark.parametrize("fifo, script, content, max_receives", [
    (False, STANDARD_SCRIPT, False, 2),
    (True, FIFO_SCRIPT, False, 2),
    (True, CONTENT_SCRIPT, True, None),
], ids=["standard-redrive", "fifo-groups-dedup-redrive", "fifo-content-dedup"])
def test_the_engine_queue_answers_a_script_like_moto(moto_sqs, fifo, script, content, max_receives):
    client, clock = moto_sqs
    expected = play(MotoSqs(client, clock, fifo, content, max_receives), script)
    engine = EngineSqs(fifo, content, max_receives)
    assert play(engine, script) == expected
    assert any(expected), "the script receives something"
    engine.bench.ledger()


def test_the_scripts_say_what_aws_says():
    """The expectations spelled out, so a moto change cannot silently change what the test means."""
    assert play(EngineSqs(False, max_receive_count=2), STANDARD_SCRIPT) == [
        [("m1", 1), ("m2", 1), ("m3", 1)], [], [("m1", 2), ("m3", 2)], [], [("m1", 3), ("m3", 3)]]
    assert play(EngineSqs(True, max_receive_count=2), FIFO_SCRIPT) == [
        [("a1", 1)], [("b1", 1)], [], [("a2", 1)], [("a2", 2), ("b1", 2)], [("c1", 1)], [("c1", 2)], [],
        [("c1", 3)]]
    assert play(EngineSqs(True, content_based=True), CONTENT_SCRIPT) == [[("hello", 1), ("world", 1)]]


def test_a_busy_worker_that_hangs_and_recovers_gets_back_to_work():
    sim = build([node("q", "sqs_queue", visibility_timeout_s=30),
                 node("w", "ec2_instance", concurrency=2, service_time_s=const(10))],
                [("q", "w")], [{"at_s": 5, "action": "fail", "target": "w", "mode": "hang"},
                               {"at_s": 20, "action": "recover", "target": "w"}])
    fill(sim, 6)
    sim.run_until(29)
    q = sim.world.components["q"]
    assert q.deleted == 0 and q.n_in_flight == 2 + 2   # the two held by the hang, two new ones
    sim.run_until(200)
    assert q.deleted == 6
    check_ledger(sim)


def test_requests_and_jobs_share_an_instances_slots():
    nodes = [node("c", "client", rate_rps=0.0001), node("lb", "load_balancer"), node("q", "sqs_queue"),
             node("i", "ec2_instance", concurrency=3, service_time_s=const(10))]
    sim = build(nodes, [("c", "lb"), ("lb", "i"), ("q", "i", {"batch_size": 10})])
    q = sim.world.components["q"]
    for _ in range(2):
        sim.world.components["c"].send_one()   # two web requests take two of the three slots
    fill(sim, 5)
    sim.run_until(1)
    assert q.n_in_flight == 1 and sim.world.instances["i"].busy == 3
    sim.run_until(100)
    assert q.deleted == 5
    check_ledger(sim)
