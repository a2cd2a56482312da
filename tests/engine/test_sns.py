"""SNS topics: AWS-SEMANTICS.md, "SNS". Each test checks the message ledger too."""
from __future__ import annotations

import pytest

from engine.messaging.messages import make_message
from engine.messaging.retry import SCHEDULES
from engine.traffic import MESSAGE
from tests.engine.messaging_helpers import build, check_ledger, node


def const(v: float) -> dict:
    return {"dist": "constant", "value": v}


def publish(sim, attributes=None, body=None, group=None, topic="t", dedup=None):
    msg = make_message(sim.world, body=body, attributes=attributes, group=group, dedup_id=dedup)
    sim.world.components[topic].on_publish(msg)
    return msg


# -- fan-out and filter policies -------------------------------------------------------------------------

def test_one_copy_per_matching_subscription_and_none_when_nothing_matches():
    nodes = [node("t", "sns_topic"), node("a", "sqs_queue"), node("b", "sqs_queue"), node("c", "sqs_queue")]
    sim = build(nodes, [("t", "a", {"filter_policy": {"kind": ["x"]}}), ("t", "b", {"filter_policy": {"kind": ["x", "y"]}}),
                        ("t", "c")])
    publish(sim, {"kind": "x"})
    publish(sim, {"kind": "y"})
    assert [sim.world.components[q].n_visible for q in "abc"] == [1, 2, 2]
    t = sim.world.components["t"]
    assert (t.published, t.created, t.filtered_out) == (2, 5, 1)
    assert check_ledger(sim)["created"] == 5
    sim2 = build([node("t", "sns_topic"), node("a", "sqs_queue")], [("t", "a", {"filter_policy": {"kind": ["x"]}})])
    publish(sim2, {"kind": "z"})
    publish(sim2, {})   # no attributes: matches no policy that needs one
    assert check_ledger(sim2)["created"] == 0 and sim2.world.components["t"].filtered_out == 2


def test_each_copy_is_its_own_message():
    sim = build([node("t", "sns_topic"), node("a", "sqs_queue"), node("b", "sqs_queue")], [("t", "a"), ("t", "b")])
    publish(sim, {"k": "v"})
    [ma] = sim.world.components["a"].alive.values()
    [mb] = sim.world.components["b"].alive.values()
    assert ma is not mb and ma.id != mb.id and ma.publish_id == mb.publish_id


def test_message_body_scope_filters_on_the_json_body_built_from_the_attributes():
    nodes = [node("t", "sns_topic"), node("big", "sqs_queue"), node("attr", "sqs_queue")]
    policy = {"amount": [{"numeric": [">=", 100]}]}
    sim = build(nodes, [("t", "big", {"filter_policy": policy, "filter_policy_scope": "MessageBody"}),
                        ("t", "attr", {"filter_policy": policy})])
    msg = publish(sim, {"amount": 150})
    assert msg.body["amount"] == 150 and "message_id" in msg.body
    publish(sim, {"amount": 50})
    publish(sim, body={"amount": 500})   # a body with no attributes: only the body scope sees it
    assert sim.world.components["big"].n_visible == 2
    assert sim.world.components["attr"].n_visible == 1
    check_ledger(sim)


def test_fan_out_shares_match_the_attribute_weights_and_the_filters():
    attrs = {"kind": {"values": ["a", "b", "c"], "weights": [0.5, 0.3, 0.2]}, "amount": {"uniform": [0, 100]}}
    subs = {"qa": {"kind": ["a"]}, "qbc_big": {"kind": ["b", "c"], "amount": [{"numeric": [">=", 75]}]},
            "qnot_a": {"kind": [{"anything-but": "a"}]}, "qall": None, "qprefix": {"kind": [{"prefix": "c"}]}}
    expected = {"qa": 0.5, "qbc_big": 0.5 * 0.25, "qnot_a": 0.5, "qall": 1.0, "qprefix": 0.2}
    nodes = [node("c", "client", rate_rps=50), node("t", "sns_topic")] + [node(q, "sqs_queue") for q in subs]
    edges = [("c", "t", {"message_attributes": attrs})] + [("t", q, {"filter_policy": p}) for q, p in subs.items()]
    sim = build(nodes, edges, seed=3)
    sim.run_until(400)
    t = sim.world.components["t"]
    n = t.published
    assert n > 15_000
    for sub in t.subscriptions:
        share = sub.matched / n
        p = expected[sub.endpoint.id]
        sigma = (p * (1 - p) / n) ** 0.5
        assert abs(share - p) <= 4 * sigma + 1e-9, (sub.endpoint.id, share, p)
        assert sub.matched + sub.filtered_out == n
        assert sim.world.components[sub.endpoint.id].received_in == sub.matched
    check_ledger(sim)


def test_raw_message_delivery_is_carried_on_the_copy():
    sim = build([node("t", "sns_topic"), node("raw", "sqs_queue"), node("env", "sqs_queue")],
                [("t", "raw", {"raw_message_delivery": True}), ("t", "env")])
    publish(sim, {"k": "v"})
    [raw] = sim.world.components["raw"].alive.values()
    [env] = sim.world.components["env"].alive.values()
    assert raw.raw and raw.delivered_body() == raw.body
    assert not env.raw and env.delivered_body()["Type"] == "Notification"
    assert env.delivered_body()["MessageAttributes"] == {"k": {"Type": "String", "Value": "v"}}
    assert (raw.delivered_form(), env.delivered_form()) == ("raw", "envelope")


def test_raw_delivery_delivers_fewer_bytes_and_the_queue_reports_both_forms():
    """AWS: raw message delivery sends the body only; otherwise SQS receives the SNS JSON envelope
    (Type, MessageId, TopicArn, Message, Timestamp, SignatureVersion, Signature, SigningCertURL,
    UnsubscribeURL, MessageAttributes) with the body as an escaped string inside it."""
    import json
    sim = build([node("t", "sns_topic"), node("raw", "sqs_queue"), node("env", "sqs_queue")],
                [("t", "raw", {"raw_message_delivery": True}), ("t", "env")])
    publish(sim, {"k": "v"})
    raw_q, env_q = sim.world.components["raw"], sim.world.components["env"]
    [raw], [env] = raw_q.alive.values(), env_q.alive.values()
    assert raw.delivered_size() == len(raw.body_text().encode())
    envelope = env.delivered_body()
    assert json.loads(envelope["Message"]) == env.body and len(envelope["Signature"]) == 344
    assert env.delivered_size() > raw.delivered_size() + 800
    raw_t, env_t = (sim.report()["nodes"][q]["totals"] for q in ("raw", "env"))
    assert (raw_t["sns_raw_in"], raw_t["sns_envelope_in"], raw_t["sns_bytes_in"]) == (1, 0, raw.delivered_size())
    assert (env_t["sns_raw_in"], env_t["sns_envelope_in"], env_t["sns_bytes_in"]) == (0, 1, env.delivered_size())


# -- publishers ------------------------------------------------------------------------------------------------

def test_instances_publish_a_share_ratio_of_the_requests_they_handle():
    nodes = [node("c", "client", rate_rps=50), node("lb", "load_balancer"),
             node("g", "auto_scaling_group", min_size=2, max_size=2, desired_capacity=2,
                  instance={"concurrency": 10, "service_time_s": const(0.01)}),
             node("t", "sns_topic"), node("q", "sqs_queue")]
    sim = build(nodes, [("c", "lb"), ("lb", "g"), ("g", "t", {"ratio": 0.3}), ("t", "q")], seed=5)
    sim.run_until(300)
    handled = sim.world.components["g"].handled()
    published = sim.world.components["t"].published
    sigma = (0.3 * 0.7 / handled) ** 0.5
    assert abs(published / handled - 0.3) < 4 * sigma
    check_ledger(sim)


def test_publishes_travel_as_message_transfers_on_their_edges():
    sim = build([node("c", "client", rate_rps=5), node("t", "sns_topic"), node("q", "sqs_queue")],
                [("c", "t", {"latency_ms": 100}), ("t", "q", {"latency_ms": 50})])
    seen: list = []
    sim.run_until(10, on_transfers=seen.extend)
    kinds = {(sim.world.edges[t[0]].id, t[4], round(t[3] - t[2], 6)) for t in seen}
    assert kinds == {("e0", MESSAGE, 0.1), ("e1", MESSAGE, 0.05)}
    check_ledger(sim)


def test_message_groups_spread_publishes_over_group_ids():
    nodes = [node("c", "client", rate_rps=50), node("q", "sqs_queue", fifo=True)]
    sim = build(nodes, [("c", "q", {"message_groups": 4})])
    sim.run_until(20)
    groups = {m.group for m in sim.world.components["q"].alive.values()}
    assert groups == {"g1", "g2", "g3", "g4"}


# -- delivery and retries ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("protocol, total", [("sqs", 100_015), ("lambda", 100_015), ("email", 50), ("http", 4)])
def test_retry_policies_have_aws_numbers_of_tries(protocol, total):
    assert SCHEDULES[protocol].total == total


def test_retry_schedules_follow_the_phases():
    sqs = SCHEDULES["sqs"].offsets()
    assert sqs[:5] == [0, 0, 0, 1, 2]                       # 3 immediate, then 2 at 1 s
    gaps = [b - a for a, b in zip(sqs[4:16], sqs[5:16])]
    assert gaps[0] == pytest.approx(1) and gaps[-1] == pytest.approx(20)    # backoff 1 .. 20 s
    assert all(x < y for x, y in zip(gaps, gaps[1:]))
    assert sqs[16] - sqs[15] == 20 and sqs[-1] / 86400 == pytest.approx(23.15, abs=0.05)   # about 23 days
    assert SCHEDULES["http"].offsets() == [0, 20, 40, 60]
    email = SCHEDULES["email"].offsets()
    assert email[:2] == [0, 10] and 6 * 3600 <= email[-1] <= 7 * 3600   # 50 tries over about 6 hours


def failing_endpoint_sim(kind: str, dlq: bool):
    endpoint = node("x", kind)
    nodes = [node("t", "sns_topic"), endpoint, node("d", "sqs_queue")]
    sim = build(nodes, [("t", "x", {"dead_letter_queue": "d" if dlq else None})], series_interval=1e6)
    sim.world.components["x"].available = False
    return sim


@pytest.mark.parametrize("kind, protocol", [("sqs_queue", "sqs"), ("lambda_function", "lambda"),
                                            ("email_endpoint", "email")])
@pytest.mark.parametrize("dlq", [True, False])
def test_a_refusing_endpoint_gets_every_try_then_the_copy_goes_to_the_dlq_or_is_dropped(kind, protocol, dlq):
    sim = failing_endpoint_sim(kind, dlq)
    publish(sim, {"k": "v"})
    schedule = SCHEDULES[protocol]
    end = schedule.offsets()[-1]
    sim.run_until(end - 0.001)
    sub = sim.world.components["t"].subscriptions[0]
    assert sub.tries == schedule.total - 1
    assert check_ledger(sim)["being_delivered"] == 1
    sim.run_until(end + 0.001)
    assert sub.tries == schedule.total and sub.failed == 1
    m = check_ledger(sim)
    assert (m["dead_lettered"], m["dropped"]) == ((1, 0) if dlq else (0, 1))


def test_a_delivery_succeeds_when_the_endpoint_comes_back():
    sim = failing_endpoint_sim("sqs_queue", False)
    publish(sim, {"k": "v"})
    sim.run_until(1.5)
    assert sim.world.components["t"].subscriptions[0].tries == 4     # 3 immediate + 1 after 1 s
    sim.world.components["x"].available = True
    sim.run_until(3)
    assert sim.world.components["x"].n_visible == 1 and sim.world.components["t"].retries == 4
    check_ledger(sim)


def http_sim(target: str, instance: dict, scenario=None):
    nodes = [node("t", "sns_topic"), node("d", "sqs_queue")]
    edges = [("t", target, {"dead_letter_queue": "d"})]
    if target == "lb":
        nodes += [node("lb", "load_balancer"), node("g", "auto_scaling_group", min_size=2, desired_capacity=2,
                                                     instance=instance)]
        edges.append(("lb", "g"))
    elif target == "g":
        nodes.append(node("g", "auto_scaling_group", min_size=2, desired_capacity=2, instance=instance))
    else:
        nodes.append(node("i", "ec2_instance", **instance))
    return build(nodes, edges, scenario)


@pytest.mark.parametrize("target", ["lb", "g", "i"])
def test_http_delivery_is_a_request_handled_by_the_web_tier(target):
    sim = http_sim(target, {"service_time_s": const(0.2)})
    for _ in range(10):
        publish(sim, {"k": "v"})
    sim.run_until(1)
    t = sim.world.components["t"]
    assert t.delivered == 10 and t.retries == 0
    handled = sum(i.handled for i in sim.world.instances.values())
    assert handled == 10
    if target == "lb":
        assert sim.world.components["lb"].answers[200] == 10
    m = check_ledger(sim)
    assert m["deleted"] == 10
    assert sim.ledger()["requests"]["generated"] == 0   # deliveries are messages, not client requests


@pytest.mark.parametrize("target", ["lb", "g", "i"])
def test_http_delivery_retries_three_times_20_s_apart_then_goes_to_the_dlq(target):
    sim = http_sim(target, {"error_rate": 1.0, "service_time_s": const(0.1)})
    publish(sim, {"k": "v"})
    sim.run_until(59)
    sub = sim.world.components["t"].subscriptions[0]
    assert sub.tries == 3 and check_ledger(sim)["being_delivered"] == 1
    sim.run_until(61)
    assert sub.tries == 4 and sub.failed == 1
    assert check_ledger(sim)["dead_lettered"] == 1
    assert sim.world.components["d"].n_visible == 1


def test_an_http_endpoint_that_does_not_answer_in_15_s_fails_the_try():
    sim = http_sim("i", {"service_time_s": const(0.1)}, [{"at_s": 0, "action": "fail", "target": "i", "mode": "hang"}])
    sim.run_until(0.001)
    publish(sim, {"k": "v"})
    sim.run_until(14.9)
    sub = sim.world.components["t"].subscriptions[0]
    assert sub.tries == 1 and sim.world.components["t"].retries == 0
    sim.run_until(15.1)
    assert sim.world.components["t"].retries == 1
    check_ledger(sim)


def test_email_arrives_after_its_delivery_latency():
    sim = build([node("t", "sns_topic"), node("m", "email_endpoint", delivery_latency_s=7)], [("t", "m")])
    publish(sim, {"k": "v"})
    sim.run_until(6.9)
    assert sim.world.components["m"].delivered == 0 and check_ledger(sim)["being_delivered"] == 1
    sim.run_until(7.1)
    assert sim.world.components["m"].delivered == 1 and check_ledger(sim)["deleted"] == 1


# -- FIFO topics ---------------------------------------------------------------------------------------------------

def test_fifo_topic_deduplicates_over_five_minutes():
    sim = build([node("t", "sns_topic", fifo=True, content_based_deduplication=True), node("q", "sqs_queue", fifo=True)],
                [("t", "q")])
    publish(sim, body={"order": 1}, group="g")
    publish(sim, body={"order": 1}, group="g")
    publish(sim, body={"order": 2}, group="g", dedup="x")
    publish(sim, body={"order": 3}, group="g", dedup="x")
    t = sim.world.components["t"]
    assert (t.published, t.deduplicated, t.created) == (4, 2, 2)
    sim.run_until(299)
    publish(sim, body={"order": 1}, group="g")
    assert t.created == 2 and t.deduplicated == 3
    sim.run_until(301)
    publish(sim, body={"order": 1}, group="g")
    assert t.created == 3
    check_ledger(sim)


def test_fifo_topic_keeps_order_per_group_through_retries():
    sim = build([node("t", "sns_topic", fifo=True), node("q", "sqs_queue", fifo=True)], [("t", "q")])
    q = sim.world.components["q"]
    q.available = False
    sim.kernel.at(3.2, lambda _: setattr(q, "available", True))
    for i in range(6):
        sim.kernel.at(i * 0.5, lambda _, i=i: publish(sim, body={"n": i}, group=f"g{i % 2}"))
    sim.run_until(60)
    order = {}
    for m in sorted(q.alive.values(), key=lambda m: m.seq):
        order.setdefault(m.group, []).append(m.body["n"])
    assert order == {"g0": [0, 2, 4], "g1": [1, 3, 5]}
    check_ledger(sim)


def test_a_fifo_queue_drops_a_duplicate_sns_copy_and_the_ledger_says_so():
    sim = build([node("t", "sns_topic", fifo=True), node("u", "sns_topic", fifo=True),
                 node("q", "sqs_queue", fifo=True)], [("t", "q"), ("u", "q")])
    publish(sim, body="x", group="g", dedup="same")
    publish(sim, body="x", group="g", dedup="same", topic="u")
    m = check_ledger(sim)
    assert (m["created"], m["in_queues"], m["dropped"]) == (2, 1, 1)


def test_report_totals_have_the_format_names():
    sim = build([node("c", "client", rate_rps=5), node("t", "sns_topic"), node("q", "sqs_queue")],
                [("c", "t"), ("t", "q")])
    sim.run_until(20)
    totals = sim.report()["nodes"]["t"]["totals"]
    assert {"published", "delivered", "filtered_out", "failed"} <= set(totals)
    assert totals["published"] == totals["delivered"] > 0
