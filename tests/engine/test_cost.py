"""What a run costs (FORMAT.md 4.2), checked against costs computed by hand from AWS's published
us-east-1 on-demand prices and billing rules:

- EC2: per second with a 60 s minimum; t3.micro $0.0104 an hour.
- ALB: $0.0225 per hour or partial hour plus $0.008 per LCU-hour; an LCU is 25 new connections a
  second, 3,000 active connections a minute, 1 GB processed an hour (EC2 targets) or 1,000 rule
  evaluations a second, and an hour is billed by the LARGEST dimension only.
- Lambda: $0.20 per million requests and $0.0000166667 per GB-second, durations rounded up to 1 ms.
- SQS: every started 64 KB of a payload is one request.
"""
from __future__ import annotations

import pytest

from engine.costs import meter
from engine.fileio import LoadError, from_data
from engine.simulation import Simulation
from tests.engine.helpers import node, simulate, topology, web
from tests.engine.messaging_helpers import build

T3_MICRO_HOUR = 0.0104
ALB_HOUR, LCU_HOUR = 0.0225, 0.008
LAMBDA_REQUEST, LAMBDA_GB_S = 0.20 / 1e6, 0.0000166667
GB = 2 ** 30


def const(v: float) -> dict:
    return {"dist": "constant", "value": v}


def test_two_t3_micro_for_an_hour():
    """Two instances up for 3,600 s at $0.0104 an hour: $0.0208."""
    sim = simulate([node("a", "ec2_instance"), node("b", "ec2_instance", instance_type="t3.micro")], [], until=3600)
    cost = sim.report()["cost"]
    assert cost["total_usd"] == pytest.approx(2 * T3_MICRO_HOUR, abs=1e-6)
    assert cost["by_service"]["ec2"] == cost["total_usd"] and cost["by_node"]["a"] == pytest.approx(0.0104, abs=1e-6)
    assert cost["currency"] == "USD" and cost["prices"].startswith("us-east-1, ")


def test_an_instance_that_ends_after_10_s_pays_the_60_s_minimum():
    """Scaled in at 10 s, each of two instances is billed 60 s (AWS's minimum), not 10 s."""
    group = node("g", "auto_scaling_group", min_size=0, desired_capacity=2, max_size=2,
                 instance={"instance_type": "m5.large"})
    sim = simulate([group], [], [{"at_s": 10, "action": "set", "target": "g", "prop": "desired_capacity", "value": 0}],
                   until=600)
    m5_large_hour = 0.096
    assert sim.report()["cost"]["by_node"]["g"] == pytest.approx(2 * 60 * m5_large_hour / 3600, abs=1e-6)
    assert sim.report()["metering"]["g"]["instance_seconds"] == pytest.approx(120)


def test_lambda_at_a_million_requests_of_200_ms_at_512_mb():
    """1,000,000 x $0.20/M = $0.20, plus 1,000,000 x 0.2 s x 0.5 GB = 100,000 GB-s x $0.0000166667 = $1.66667."""
    sim = build([node("f", "lambda_function", memory_mb=512, duration_s=const(0.2), cold_start_s=0.0,
                      reserved_concurrency=10000)], [], account_concurrency=20000)
    f = sim.world.components["f"]
    for _ in range(100):
        for i in range(10_000):
            assert f.invoke(lambda p, ok: None, i)
        sim.run_until(sim.now + 0.25)
    report = sim.report()
    assert report["metering"]["f"]["requests"] == 1_000_000
    assert report["metering"]["f"]["gb_seconds"] == pytest.approx(100_000)
    expected = 1_000_000 * LAMBDA_REQUEST + 100_000 * LAMBDA_GB_S
    assert report["cost"]["by_node"]["f"] == pytest.approx(expected, abs=1e-5)
    assert expected == pytest.approx(1.86667, abs=1e-5)


def test_lambda_rounds_each_duration_up_to_the_millisecond():
    assert meter.billed_ms(0.2) == 200 and meter.billed_ms(0.2001) == 201 and meter.billed_ms(0.0000001) == 1


def _alb_hour(rate: float, request_bytes: int, response_bytes: int) -> dict:
    """One hour of evenly spaced requests through an ALB to two fast instances."""
    nodes, edges = web(rate=rate, n=2, client={"arrival": "constant", "request_bytes": request_bytes,
                                              "response_bytes": response_bytes},
                       instance={"concurrency": 50, "service_time_s": const(0.01)})
    return simulate(nodes, edges, until=3600).report()


def test_alb_lcu_driven_by_new_connections():
    """50 requests a second, 200 bytes each way: 50 / 25 = 2 LCU from new connections; bytes give
    only 50 x 3,600 x 200 B = 0.034 GB; the hour costs $0.0225 + 2 x $0.008 = $0.0385."""
    report = _alb_hour(50, 100, 100)
    m = report["metering"]["lb"]
    n = m["new_connections"]
    assert abs(n - 180_000) <= 1
    dims = {"new_connections": n / 3600 / 25, "processed_bytes": n * 200 / GB}
    assert m["lcu_hours"] == pytest.approx(max(dims.values()), rel=1e-4)
    assert m["lcu_hours"] == pytest.approx(2.0, rel=1e-4)
    assert report["cost"]["by_node"]["lb"] == pytest.approx(ALB_HOUR + 2.0 * LCU_HOUR, abs=1e-5)


def test_alb_lcu_driven_by_processed_bytes_is_the_largest_dimension_not_the_sum():
    """5 requests a second with 1 MB answers: 5 x 3,600 x 1,001,000 B = 16.78 GB -> 16.78 LCU;
    new connections alone would be 5 / 25 = 0.2 LCU. Billed: the larger, 16.78, not 16.98."""
    report = _alb_hour(5, 1000, 1_000_000)
    m = report["metering"]["lb"]
    n = m["new_connections"]
    sent, answered = report["nodes"]["c"]["totals"]["sent"], report["nodes"]["c"]["totals"]["completed"]
    by_bytes, by_connections = (sent * 1000 + answered * 1_000_000) / GB, n / 3600 / 25
    assert by_bytes > 16 and by_connections == pytest.approx(0.2, rel=1e-3)
    assert m["lcu_hours"] == pytest.approx(by_bytes, rel=1e-4)
    assert report["cost"]["by_node"]["lb"] == pytest.approx(ALB_HOUR + by_bytes * LCU_HOUR, rel=1e-5)


def test_a_partial_alb_hour_is_billed_as_an_hour():
    report = _alb_hour(1, 100, 100)   # the whole hour
    short = simulate(*web(rate=1, n=2), until=600).report()
    assert short["metering"]["lb"]["alb_hours"] == 1 == report["metering"]["lb"]["alb_hours"]


def test_sqs_bills_every_started_64_kb_chunk():
    assert [meter.sqs_chunks(s) for s in (1, 65536, 65537, 262144)] == [1, 1, 2, 4]


def test_sqs_requests_count_sends_receives_empty_ones_included_and_deletes():
    """A consumer that polls an idle queue pays for its empty receives (AWS: every ReceiveMessage is a request)."""
    nodes = [node("c", "client", rate_rps=0), node("q", "sqs_queue"), node("w", "ec2_instance")]
    sim = simulate(nodes, [("c", "q"), ("q", "w", {"wait_time_s": 20})], until=600)
    m = sim.report()["metering"]["q"]
    assert m["requests"] == m["receives"] == 600 // 20 + 1   # 30 long polls ended empty, one still waits
    assert m["empty_receives"] == 30


def test_metering_survives_a_checkpoint():
    """Restored at 1,800 s and run on, a run bills what the uninterrupted run bills."""
    nodes, edges = web(rate=20, n=2)
    straight = Simulation(from_data(topology(nodes, edges)))
    straight.run_until(4000)
    first = Simulation(from_data(topology(nodes, edges)))
    first.run_until(1800)
    again = Simulation.restore(first.checkpoint())
    again.run_until(4000)
    assert again.report()["cost"] == straight.report()["cost"]
    assert again.report()["metering"] == straight.report()["metering"]


def test_metering_draws_no_random_numbers():
    """The report apart from cost is the same whether or not anything reads the bill midway."""
    nodes, edges = web(rate=20, n=2)
    a = Simulation(from_data(topology(nodes, edges)))
    b = Simulation(from_data(topology(nodes, edges)))
    for t in range(100, 1000, 100):
        a.run_until(t)
        b.run_until(t)
        b.report()
    assert a.report()["series"] == b.report()["series"] and a.report()["nodes"] == b.report()["nodes"]


@pytest.mark.parametrize("props, words", [
    ({"memory_mb": 127}, ["memory_mb", "128"]),
    ({"memory_mb": 10241}, ["memory_mb", "10240"]),
])
def test_lambda_memory_out_of_range_is_refused(props, words):
    data = topology([node("f", "lambda_function", **props)], [])
    with pytest.raises(LoadError) as e:
        from_data(data)
    assert all(w in str(e.value) for w in words)


def test_unknown_instance_type_is_refused_with_the_types_it_can_price():
    with pytest.raises(LoadError) as e:
        from_data(topology([node("i", "ec2_instance", instance_type="z9.huge")], []))
    assert "instance_type" in str(e.value) and "t3.micro" in str(e.value)


def test_a_send_is_billed_by_the_64_kb_chunks_of_its_body():
    """A generated message is one request; a body of 100,000 characters is two (AWS: each 64 KB chunk)."""
    from engine.messaging.messages import Message
    small = Message(1, {}, {"event_type": "order_placed", "amount": 12.5})
    big = Message(2, {}, {"note": "x" * 100_000})
    nested = Message(3, {}, {"items": ["y" * 70_000]})
    assert [meter.message_chunks(m) for m in (small, big, nested)] == [1, 2, 2]
