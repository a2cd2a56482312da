"""EC2 instance behaviour: AWS-SEMANTICS.md, "EC2 instances"."""
from __future__ import annotations

import math

import pytest

from engine.fileio import from_data
from engine.simulation import Simulation
from tests.engine import helpers
from tests.engine.helpers import node, topology


def const(value: float) -> dict:
    return {"dist": "constant", "value": value}


HC = {"interval_s": 5, "timeout_s": 2, "healthy_threshold": 3, "unhealthy_threshold": 2}


def build(nodes, edges, scenario=None, seed: int = 1, series_interval: float = 10.0) -> Simulation:
    return Simulation(from_data(topology(nodes, edges, scenario, seed)), series_interval=series_interval)


def single(rate: float, lb: dict | None = None, client: dict | None = None, **inst):
    """client (constant arrivals) -> ALB -> one standalone instance i0."""
    nodes = [node("c", "client", rate_rps=rate, **{"arrival": "constant", **(client or {})}),
             node("lb", "load_balancer", **(lb or {})),
             node("i0", "ec2_instance", **{"service_time_s": const(0.1), **inst})]
    return nodes, [("c", "lb"), ("lb", "i0")]


def client(sim: Simulation):
    return sim.world.components["c"]


def stop_at(t: float) -> dict:
    return {"at_s": t, "action": "set", "target": "c", "prop": "rate_rps", "value": 0}


def test_a_standalone_instance_is_running_registered_and_healthy_at_time_zero():
    sim = build(*single(1))
    inst = sim.world.instances["i0"]
    assert inst.state == "running" and inst.health_label() == "healthy"
    [tg] = sim.world.components["lb"].targets
    assert tg.inst is inst and tg.health == "healthy" and not tg.draining


def test_concurrency_slots_then_a_fifo_backlog():
    # six requests at 0.1 .. 0.6 s, three slots, 10 s each
    sim = build(*single(10, concurrency=3, service_time_s=const(10)), [stop_at(0.65)])
    sim.run_until(0.65)
    inst = sim.world.instances["i0"]
    assert inst.busy == 3 and len(inst.backlog) == 3
    assert [round(r.t0, 6) for r in inst.backlog] == [0.4, 0.5, 0.6]
    sim.run_until(10.45)      # the first finished at 10.1, 10.2, 10.3, 10.4 (three from the backlog started)
    assert inst.busy == 3 and len(inst.backlog) == 0
    sim.run_until(30.0)
    # first in, first out: each waiting request starts when the oldest in progress ends, 10 s after it;
    # all three wait 9.7 s (last in, first out would give 9.5, 9.7 and 9.9)
    assert [round(x, 6) for x in client(sim).latencies] == [10.0, 10.0, 10.0, 19.7, 19.7, 19.7]
    assert client(sim).completed == 6


def test_beyond_max_backlog_the_instance_answers_503():
    sim = build(*single(10, concurrency=2, max_backlog=3, service_time_s=const(10)), [stop_at(0.95)])
    sim.run_until(1.0)
    inst = sim.world.instances["i0"]
    assert inst.busy == 2 and len(inst.backlog) == 3
    assert client(sim).errors["503"] == 4          # nine sent by 0.9 s: 2 served, 3 waiting, 4 refused
    sim.run_until(40.0)
    assert client(sim).completed == 5


def test_no_backlog_at_all_refuses_when_every_slot_is_busy():
    sim = build(*single(10, concurrency=1, max_backlog=0, service_time_s=const(0.25)), [stop_at(1.05)])
    sim.run_until(5.0)
    # slots free at 0.35, 0.65(+), 0.95...: requests at 0.1, 0.4, 0.7, 1.0 are served, the rest refused
    assert client(sim).completed == 4 and client(sim).errors["503"] == 6


def test_service_time_is_drawn_from_service_time_s():
    sim = build(*single(20, concurrency=1000, service_time_s={"dist": "exponential", "mean": 0.2}))
    sim.run_until(100.0)
    lat = client(sim).latencies
    n = len(lat)
    assert n > 1900
    mean = sum(lat) / n
    assert abs(mean - 0.2) < 4 * 0.2 / math.sqrt(n)
    share_above_mean = sum(x > 0.2 for x in lat) / n          # exponential: e^-1 = 0.368
    assert abs(share_above_mean - math.exp(-1)) < 0.04
    sim = build(*single(20, concurrency=1000, service_time_s={"dist": "uniform", "low": 0.3, "high": 0.5}))
    sim.run_until(50.0)
    lat = client(sim).latencies
    assert 0.3 <= min(lat) < 0.31 and 0.49 < max(lat) <= 0.5


@pytest.mark.parametrize("concurrency,rate,service,cpu", [(2, 2, 0.5, 50.0), (4, 6, 0.5, 75.0), (1, 4, 0.125, 50.0)])
def test_cpu_utilization_is_busy_slots_over_concurrency(concurrency, rate, service, cpu):
    sim = build(*single(rate, concurrency=concurrency, service_time_s=const(service)))
    sim.run_until(60.0)
    series = sim.series["i0"]["cpu_utilization"]
    assert sim.series["t_s"] == [0.0, 10.0, 20.0, 30.0, 40.0, 50.0, 60.0]
    # from the second window on, exactly rate x service busy slots over concurrency
    assert series[2:] == pytest.approx([cpu] * 5, abs=1e-6)
    # the first window: requests sent at k / rate, each busy for `service` within [0, 10]
    area = sum(min(service, 10 - k / rate) for k in range(1, int(10 * rate) + 1))
    assert series[1] == pytest.approx(100 * area / (10 * concurrency), abs=1e-6)


def test_a_groups_cpu_is_the_average_over_its_in_service_instances():
    nodes, edges = helpers.web(rate=2, n=2, client={"arrival": "constant"},
                               instance={"concurrency": 2, "service_time_s": const(0.5)})
    sim = build(nodes, edges)
    sim.run_until(40.0)
    # each instance gets one request a second of 0.5 s: 0.5 busy slots of 2 = 25 %
    assert sim.series["g"]["cpu_utilization"][2:] == pytest.approx([25.0] * 3, abs=1e-6)
    assert sim.series["g"]["in_service"][-1] == 2


def test_crash_stops_the_instance_and_its_requests_in_progress_fail():
    sim = build(*single(1, concurrency=4, service_time_s=const(2.5), lb={"health_check": HC}),
                [{"at_s": 5.5, "action": "fail", "target": "i0", "mode": "crash"}])
    sim.run_until(5.49)
    inst = sim.world.instances["i0"]
    assert inst.busy == 3                                 # sent at 3, 4, 5 s
    sim.run_until(5.5)
    assert inst.busy == 0 and inst.pending_requests() == []
    assert inst.failure == "crash" and inst.health_label() == "crashed"
    assert inst.probe() == "refused"
    c = client(sim)
    assert c.completed == 2 and c.errors["502"] == 3      # 1 and 2 finished; 3, 4, 5 failed at 5.5 s
    assert sorted(round(x, 6) for x in c.latencies[2:]) == [0.5, 1.5, 2.5]
    handled = inst.handled
    sim.run_until(9.0)
    assert inst.handled == handled and c.completed == 2   # nothing served after the crash


def test_hang_stops_answering_and_requests_time_out():
    # one request a second, 2 s each; the instance hangs at 1.5 s with the first request in progress
    sim = build(*single(1, concurrency=4, service_time_s=const(2.0), lb={"idle_timeout_s": 5, "health_check": HC}),
                [{"at_s": 1.5, "action": "fail", "target": "i0", "mode": "hang"}, stop_at(10.5)])
    sim.run_until(30.0)
    c = client(sim)
    assert c.sent == 10 and c.completed == 0
    # every one, including the one that was being served, gets a 504 exactly 5 s after it was sent
    assert c.errors["504"] == 10
    assert all(x == pytest.approx(5.0) for x in c.latencies)
    assert sim.world.instances["i0"].probe() == "timeout"


def test_requests_hung_when_the_instance_recovers_still_get_their_504():
    sim = build(*single(1, concurrency=4, service_time_s=const(2.0), lb={"idle_timeout_s": 5, "health_check": HC}),
                [{"at_s": 1.5, "action": "fail", "target": "i0", "mode": "hang"},
                 {"at_s": 4.5, "action": "recover", "target": "i0"}, stop_at(8.5)])
    sim.run_until(30.0)
    c = client(sim)
    # sent at 1..4 s: answered 504 at +5 s; sent at 5..8 s (after recovery): served in 2 s
    assert c.errors["504"] == 4 and c.completed == 4
    assert sorted(round(x, 6) for x in c.latencies) == [2.0] * 4 + [5.0] * 4


def test_slow_multiplies_the_service_time_by_factor_for_duration_s():
    sim = build(*single(1, concurrency=4, service_time_s=const(0.1)),
                [{"at_s": 3.5, "action": "fail", "target": "i0", "mode": "slow", "factor": 4, "duration_s": 3},
                 stop_at(8.5)])
    sim.run_until(20.0)
    # sent at 1..8 s; 4, 5 and 6 s fall in the slow window [3.5, 6.5)
    assert [round(x, 6) for x in client(sim).latencies] == [0.1, 0.1, 0.1, 0.4, 0.4, 0.4, 0.1, 0.1]


def test_error_mode_fails_that_share_of_requests_with_500():
    sim = build(*single(100, concurrency=100, service_time_s=const(0.01)),
                [{"at_s": 0, "action": "fail", "target": "i0", "mode": "error", "factor": 0.3, "duration_s": 40}])
    sim.run_until(40.0)
    c = client(sim)
    n = c.completed + c.failed
    assert n >= 3990 and c.failed == c.errors["500"]
    assert abs(c.errors["500"] / n - 0.3) < 4 * math.sqrt(0.3 * 0.7 / n)
    failed = c.failed
    sim.run_until(60.0)
    assert c.failed == failed                              # recovered: error_rate 0 again


def test_error_rate_prop_gives_500_and_counts_as_handled():
    sim = build(*single(100, concurrency=100, service_time_s=const(0.01), error_rate=0.5))
    sim.run_until(20.0)
    c = client(sim)
    inst = sim.world.instances["i0"]
    assert inst.errors == c.errors["500"] and inst.handled == c.completed + c.errors["500"]
    assert abs(inst.errors / inst.handled - 0.5) < 0.05


def test_health_check_probes_take_no_request_slot():
    # one slot busy for 1000 s and a full backlog: requests are refused, but health checks still pass
    sim = build(*single(1, concurrency=1, max_backlog=1, service_time_s=const(1000),
                        lb={"health_check": HC, "idle_timeout_s": 4000}))
    sim.run_until(100.0)
    inst = sim.world.instances["i0"]
    [tg] = sim.world.components["lb"].targets
    assert inst.busy == 1 and len(inst.backlog) == 1
    assert client(sim).errors["503"] == 98
    assert tg.health == "healthy" and tg.ok_run >= 19 and tg.fail_run == 0
    assert not [a for a in sim.world.activities if a["kind"] == "unhealthy"]
