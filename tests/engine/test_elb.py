"""Application Load Balancer behaviour: AWS-SEMANTICS.md, "Elastic Load Balancing".

Constant arrivals and constant service times make most expectations exact; where the engine draws
random numbers (weighted_random, random, slow start, error_rate) the bounds are a few standard
deviations of the sampling error, and the seed is fixed.
"""
from __future__ import annotations

import math

import pytest

from engine.fileio import LoadError, from_data
from engine.simulation import Simulation
from engine.traffic import REQUEST
from tests.engine import helpers
from tests.engine.helpers import node, topology


def const(value: float) -> dict:
    return {"dist": "constant", "value": value}


HC = {"interval_s": 10, "timeout_s": 4, "healthy_threshold": 3, "unhealthy_threshold": 2}
HC5 = {"interval_s": 5, "timeout_s": 2, "healthy_threshold": 3, "unhealthy_threshold": 2}


def web(rate: float = 10, n: int = 2, group: dict | None = None, **kw):
    """helpers.web, with group props (min_size too) overriding its defaults."""
    nodes, edges = helpers.web(rate=rate, n=n, **kw)
    nodes[2]["props"].update(group or {})
    return nodes, edges


def build(nodes, edges, scenario=None, seed: int = 1) -> Simulation:
    return Simulation(from_data(topology(nodes, edges, scenario, seed)))


def fleet(n: int, rate: float, algorithm: str = "round_robin", lb: dict | None = None, inst: dict | None = None,
          client: dict | None = None, weights: list[float] | None = None, insts: list[dict] | None = None):
    """client -> ALB -> n standalone instances i0..i{n-1} (constant arrivals unless client says otherwise)."""
    nodes = [node("c", "client", rate_rps=rate, **{"arrival": "constant", **(client or {})}),
             node("lb", "load_balancer", algorithm=algorithm, **(lb or {}))]
    edges: list[tuple] = [("c", "lb")]
    for k in range(n):
        props = {"service_time_s": const(0.01), **(inst or {}), **(insts[k] if insts else {})}
        nodes.append(node(f"i{k}", "ec2_instance", **props))
        edges.append(("lb", f"i{k}", {"weight": weights[k]} if weights else {}))
    return nodes, edges


class Recorder:
    """Runs a simulation and keeps, in order, every request the load balancer sends to a target."""

    def __init__(self, sim: Simulation, lb: str = "lb") -> None:
        self.sim = sim
        self.lb_edges = {e.index for e in sim.world.edges if e.source == lb}
        self.routed: list[tuple[float, str]] = []   # (time, instance id)

    def run(self, until: float) -> "Recorder":
        self.sim.run_until(until, on_transfers=self._take)
        return self

    def _take(self, batch: list) -> None:
        by_no = {i.no: i.id for i in self.sim.world.instances.values()}
        for edge, inst_no, t0, _t1, kind in batch:
            if kind == REQUEST and edge in self.lb_edges:
                self.routed.append((t0, by_no[inst_no]))

    def count(self, inst_id: str, after: float = -1.0, before: float = math.inf) -> int:
        return sum(1 for t, i in self.routed if i == inst_id and after < t < before)


def target(sim: Simulation, inst_id: str, lb: str = "lb"):
    return next(t for t in sim.world.components[lb].targets if t.inst.id == inst_id)


def next_probe(sim: Simulation, inst_id: str, lb: str = "lb") -> float:
    """The time of the next scheduled health check of that target."""
    lbc = sim.world.components[lb]
    tg = target(sim, inst_id, lb)
    return min(t for t, _, handler, payload in sim.kernel.heap if payload is tg and handler == lbc._probe)


def health_changes(sim: Simulation, health: str) -> list[dict]:
    return [a for a in sim.world.activities if a["node"] == "lb" and a["kind"] == health]


# -- routing algorithms ---------------------------------------------------------------------------------
def test_round_robin_is_the_default_and_gives_exactly_equal_shares_in_turn():
    nodes, edges = fleet(3, rate=4)
    del nodes[1]["props"]["algorithm"]                 # the default must be round robin
    rec = Recorder(build(nodes, edges)).run(30.0)
    # arrivals every 0.25 s: 120 requests, exactly 40 each, strictly in turn
    assert len(rec.routed) == 120
    assert [rec.count(f"i{k}") for k in range(3)] == [40, 40, 40]
    order = [i for _, i in rec.routed]
    assert order[:6] == ["i0", "i1", "i2", "i0", "i1", "i2"]
    assert all(order[k] != order[k + 1] and order[k] == order[k + 3] for k in range(len(order) - 3))


def test_weighted_random_shares_follow_edge_weights():
    nodes, edges = fleet(3, rate=200, algorithm="weighted_random", weights=[1, 3, 0])
    rec = Recorder(build(nodes, edges)).run(20.001)
    n = len(rec.routed)
    assert n == 4000
    share = rec.count("i1") / n
    sigma = math.sqrt(0.25 * 0.75 / n)                 # about 0.007
    assert abs(share - 0.75) < 4 * sigma
    assert rec.count("i2") == 0                        # weight 0: never chosen
    # it is random, not a fixed 1:3 pattern: runs of the heavy target vary in length
    order = [i for _, i in rec.routed]
    runs = {len(r) for r in "".join("a" if i == "i0" else "b" for i in order).split("a") if r}
    assert len(runs) > 5


def test_an_edge_weight_takes_awss_weighted_target_group_range_0_to_999():
    """AWS: a forward action's target group weights are 0-999 (weighted target groups)."""
    from_data(topology(*fleet(2, rate=1, algorithm="weighted_random", weights=[0, 999])))
    with pytest.raises(LoadError) as info:
        from_data(topology(*fleet(2, rate=1, algorithm="weighted_random", weights=[1, 1000])))
    assert info.value.path == "$.edges[2].props.weight" and "above the maximum of 999" in str(info.value)


def test_least_outstanding_requests_sends_each_request_to_the_idle_target():
    # i0 is slow (5.5 s), i1 fast (0.5 s), one slot each, one request a second. LOR only sends to i0
    # when it has nothing outstanding, so no request ever waits for a slot.
    insts = [{"concurrency": 1, "service_time_s": const(5.5)}, {"concurrency": 1, "service_time_s": const(0.5)}]
    lor = build(*fleet(2, rate=1, algorithm="least_outstanding_requests", insts=insts))
    lor.run_until(61.0)
    lat = list(lor.world.components["c"].latencies)
    assert len(lat) >= 55
    assert all(x == pytest.approx(0.5) or x == pytest.approx(5.5) for x in lat)
    assert lor.world.instances["i0"].accepted <= 11    # at most one per 6 s
    assert lor.world.instances["i1"].accepted >= 49
    # the same load under round robin makes requests queue behind the slow target
    rr = build(*fleet(2, rate=1, algorithm="round_robin", insts=insts))
    rr.run_until(61.0)
    assert max(rr.world.components["c"].latencies) > 20.0
    assert rr.world.instances["i0"].accepted == 31


def test_least_outstanding_requests_picks_the_target_with_fewest_in_progress():
    insts = [{"concurrency": 1, "service_time_s": const(100)}] * 3
    sim = build(*fleet(3, rate=1, algorithm="least_outstanding_requests", insts=insts, lb={"idle_timeout_s": 1000}))
    sim.run_until(3.5)          # three requests: one each (ties shared out)
    assert sorted(t.outstanding for t in sim.world.components["lb"].targets) == [1, 1, 1]
    sim.run_until(6.5)          # three more: again one each, never two on one while another has one
    assert sorted(t.outstanding for t in sim.world.components["lb"].targets) == [2, 2, 2]


def test_random_is_uniform_and_not_a_rotation():
    nodes, edges = fleet(4, rate=400, algorithm="random")
    rec = Recorder(build(nodes, edges)).run(20.001)
    n = len(rec.routed)
    assert n == 8000
    sigma = math.sqrt(0.25 * 0.75 / n)
    for k in range(4):
        assert abs(rec.count(f"i{k}") / n - 0.25) < 4 * sigma
    order = [i for _, i in rec.routed]
    repeats = sum(order[k] == order[k + 1] for k in range(n - 1)) / (n - 1)
    assert abs(repeats - 0.25) < 0.03               # independent picks: the same target 1 time in 4


# -- health: only healthy targets, fail open, 503 --------------------------------------------------------
def test_only_healthy_targets_get_requests_after_a_crash():
    sim = build(*fleet(3, rate=3, lb={"health_check": HC}),
                [{"at_s": 41.3, "action": "fail", "target": "i0", "mode": "crash"}])
    rec = Recorder(sim).run(41.3)
    first_failed_check = next_probe(sim, "i0")
    rec.run(120.0)
    t_unhealthy = first_failed_check + (HC["unhealthy_threshold"] - 1) * HC["interval_s"]
    [change] = health_changes(sim, "unhealthy")
    assert change["t_s"] == pytest.approx(t_unhealthy)
    assert rec.count("i0", after=t_unhealthy) == 0
    # the other two share the rest equally (round robin)
    assert abs(rec.count("i1", after=t_unhealthy) - rec.count("i2", after=t_unhealthy)) <= 1
    # while still counted healthy, the crashed instance got its third of the requests, answered 502
    refused = rec.count("i0", after=41.3, before=t_unhealthy)
    assert refused >= 1
    assert sim.world.components["c"].errors["502"] == refused


def test_only_healthy_targets_get_requests_after_a_hang():
    sim = build(*fleet(3, rate=3, lb={"health_check": HC, "idle_timeout_s": 5}),
                [{"at_s": 20.7, "action": "fail", "target": "i1", "mode": "hang"}])
    rec = Recorder(sim).run(80.0)
    [change] = health_changes(sim, "unhealthy")
    hung = sim.world.instances["i1"].accepted
    rec.run(140.0)
    assert sim.world.instances["i1"].accepted == hung     # no new request after it was marked unhealthy
    assert rec.count("i1", after=change["t_s"]) == 0
    assert rec.count("i0", after=80) == rec.count("i2", after=80) == 90


def test_fail_open_when_every_registered_target_is_unhealthy():
    sim = build(*fleet(2, rate=1, lb={"health_check": HC, "idle_timeout_s": 5}),
                [{"at_s": 10.3, "action": "fail", "target": "i0", "mode": "hang"},
                 {"at_s": 10.3, "action": "fail", "target": "i1", "mode": "hang"}])
    rec = Recorder(sim).run(40.5)
    lb = sim.world.components["lb"]
    assert [t.health for t in lb.targets] == ["unhealthy", "unhealthy"]
    rec.run(60.5)
    # still routed to both, in turn: 20 requests, 10 each, and none answered 503
    assert rec.count("i0", after=40.5) == rec.count("i1", after=40.5) == 10
    errors = sim.world.components["c"].errors
    assert errors["503"] == 0 and errors["504"] > 0


def test_no_fail_open_while_one_target_is_healthy():
    sim = build(*fleet(2, rate=1, lb={"health_check": HC, "idle_timeout_s": 5}),
                [{"at_s": 10.3, "action": "fail", "target": "i0", "mode": "hang"}])
    rec = Recorder(sim).run(40.5)
    rec.run(60.5)
    assert rec.count("i0", after=40.5) == 0 and rec.count("i1", after=40.5) == 20


def test_503_with_no_registered_targets():
    sim = build([node("c", "client", rate_rps=2, arrival="constant"), node("lb", "load_balancer")], [("c", "lb")])
    sim.run_until(10.0)
    c = sim.world.components["c"]
    assert c.sent == 20 and c.errors["503"] == 20 and c.completed == 0
    assert set(c.latencies) == {0.0}                # answered at once
    # a group with nothing in it: the same
    nodes, edges = web(rate=2, n=0, client={"arrival": "constant"})
    sim = build(nodes, edges)
    sim.run_until(10.0)
    assert sim.world.components["c"].errors["503"] == 20


# -- health-check timing -------------------------------------------------------------------------------
@pytest.mark.parametrize("interval,threshold", [(10, 2), (30, 2), (5, 4)])
def test_a_crashed_target_becomes_unhealthy_after_unhealthy_threshold_failed_checks(interval, threshold):
    hc = {"interval_s": interval, "timeout_s": 2, "healthy_threshold": 3, "unhealthy_threshold": threshold}
    t_crash = 100.37
    sim = build(*fleet(1, rate=1, lb={"health_check": hc}),
                [{"at_s": t_crash, "action": "fail", "target": "i0", "mode": "crash"}])
    sim.run_until(t_crash)
    first = next_probe(sim, "i0")
    assert t_crash < first <= t_crash + interval
    sim.run_until(t_crash + (threshold + 1) * interval)
    [change] = health_changes(sim, "unhealthy")
    assert change["t_s"] == pytest.approx(first + (threshold - 1) * interval)
    assert (threshold - 1) * interval <= change["t_s"] - t_crash < threshold * interval
    assert change["text"] == (f"Target i0 is unhealthy: {threshold} consecutive health checks failed "
                              "(connection refused)")
    assert target(sim, "i0").health == "unhealthy"


def test_a_hung_target_becomes_unhealthy_when_the_checks_time_out():
    t_hang = 50.61
    sim = build(*fleet(1, rate=1, lb={"health_check": HC, "idle_timeout_s": 5}),
                [{"at_s": t_hang, "action": "fail", "target": "i0", "mode": "hang"}])
    sim.run_until(t_hang)
    first = next_probe(sim, "i0")
    expected = first + (HC["unhealthy_threshold"] - 1) * HC["interval_s"] + HC["timeout_s"]
    sim.run_until(expected - 1e-6)
    assert target(sim, "i0").health == "healthy"
    sim.run_until(expected + 1e-6)
    [change] = health_changes(sim, "unhealthy")
    assert change["t_s"] == pytest.approx(expected)
    assert HC["interval_s"] + HC["timeout_s"] <= change["t_s"] - t_hang < 2 * HC["interval_s"] + HC["timeout_s"]
    assert change["text"].endswith("2 consecutive health checks failed (timed out after 4 s)")


@pytest.mark.parametrize("mode", ["crash", "hang"])
def test_a_recovered_target_is_healthy_again_after_healthy_threshold_passes(mode):
    t_recover = 90.43
    sim = build(*fleet(1, rate=1, lb={"health_check": HC, "idle_timeout_s": 5}),
                [{"at_s": 20.2, "action": "fail", "target": "i0", "mode": mode},
                 {"at_s": t_recover, "action": "recover", "target": "i0"}])
    sim.run_until(t_recover)
    assert target(sim, "i0").health == "unhealthy"
    first_ok = next_probe(sim, "i0")
    expected = first_ok + (HC["healthy_threshold"] - 1) * HC["interval_s"]
    sim.run_until(expected - 1e-6)
    assert target(sim, "i0").health == "unhealthy"
    sim.run_until(expected + 1e-6)
    healthy = health_changes(sim, "healthy")
    assert len(healthy) == 1 and healthy[0]["t_s"] == pytest.approx(expected)
    assert healthy[0]["text"] == "Target i0 is healthy: 3 consecutive health checks passed"
    assert 2 * HC["interval_s"] <= expected - t_recover < 3 * HC["interval_s"]


def test_a_new_target_is_healthy_after_one_passed_check_and_gets_no_traffic_before():
    """AWS (ELB user guide, target group health checks): "After your target is registered, it must
    pass one health check to be considered healthy"; until then it is `initial` and gets no requests.
    healthy_threshold (3 here) does not apply to a new target."""
    # one instance up at t=0; a second launched at 20 s boots 10 s and registers at 30 s
    nodes, edges = web(rate=2, n=1, lb={"health_check": HC5}, client={"arrival": "constant"},
                       instance={"boot_time_s": 10, "service_time_s": const(0.01)})
    sim = build(nodes, edges, [{"at_s": 20, "action": "set", "target": "g", "prop": "desired_capacity", "value": 2}])
    rec = Recorder(sim).run(30.0)
    first_check = next_probe(sim, "g/i-2")
    assert 30.0 <= first_check < 30.0 + HC5["interval_s"]     # within one interval of registering
    rec.run(first_check - 1e-6)
    assert target(sim, "g/i-2").health == "initial"
    rec.run(first_check)
    assert target(sim, "g/i-2").health == "healthy"
    rec.run(first_check + 20.0)
    assert rec.count("g/i-2", before=first_check) == 0
    assert rec.count("g/i-2", after=first_check) == rec.count("g/i-1", after=first_check) == 20
    [became] = health_changes(sim, "healthy")
    assert became["t_s"] == pytest.approx(first_check)
    assert became["text"] == "Target g/i-2 is healthy: its first health check passed after registration"


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_a_scale_out_instance_gets_traffic_within_one_health_check_interval_with_aws_defaults(seed):
    """AWS defaults (ELB health checks): interval 30 s, timeout 5 s, healthy threshold 5; a newly
    registered target needs ONE passed check. So a scale-out instance gets its first request within
    interval + timeout = 35 s of registering, not after 5 checks (about 2 minutes)."""
    nodes, edges = web(rate=40, n=2, client={"arrival": "constant"},
                       instance={"concurrency": 1, "service_time_s": const(0.04)},
                       group={"policies": [{"type": "target_tracking", "metric": "cpu_utilization", "target": 50}]})
    del nodes[1]["props"]["algorithm"]
    sim = build(nodes, edges, seed=seed)
    assert sim.world.components["lb"].props["health_check"] == {"interval_s": 30, "timeout_s": 5,
                                                                "healthy_threshold": 5, "unhealthy_threshold": 2}
    rec = Recorder(sim).run(400.0)
    new = sim.world.instances["g/i-3"]            # 80 % CPU > 50 %: the group scales out at 180 s
    assert new.in_service_at is not None
    first = min(t for t, i in rec.routed if i == "g/i-3")
    assert 0 < first - new.in_service_at <= 30 + 5


def test_a_lone_initial_target_gets_no_traffic():
    # an empty group scales to one instance: before it passes its first check there is nothing to route to
    nodes, edges = web(rate=1, n=0, lb={"health_check": HC5}, client={"arrival": "constant"},
                       instance={"boot_time_s": 10.5, "service_time_s": const(0.01)})
    sim = build(nodes, edges, [{"at_s": 20, "action": "set", "target": "g", "prop": "desired_capacity", "value": 1}])
    sim.run_until(30.5)
    first_check = next_probe(sim, "g/i-1")
    sim.run_until(60.5)
    c = sim.world.components["c"]
    # arrivals at t = 1, 2, ...: those before the first passed check get 503, the rest succeed
    assert c.errors["503"] == math.ceil(first_check) - 1
    assert c.completed == 60 - c.errors["503"]


def hung_new_target() -> tuple[Simulation, float]:
    """g/i-2 is launched at 20 s, hangs while booting (25 s) and registers at 30.5 s: the simulation
    at that moment and the time of the new target's first health check."""
    nodes, edges = web(rate=1, n=1, lb={"health_check": HC5, "idle_timeout_s": 5}, client={"arrival": "constant"},
                       instance={"boot_time_s": 10.5, "service_time_s": const(0.01)})
    sim = build(nodes, edges, [{"at_s": 20, "action": "set", "target": "g", "prop": "desired_capacity", "value": 2},
                               {"at_s": 25, "action": "fail", "target": "g/i-2", "mode": "hang"}])
    sim.run_until(30.5)
    return sim, next_probe(sim, "g/i-2")


def test_a_new_target_whose_first_check_fails_stays_initial_until_the_unhealthy_threshold():
    """AWS: a newly registered target whose first check fails stays `initial` until it reaches the
    unhealthy threshold (2 consecutive failures), then it is unhealthy."""
    sim, first_check = hung_new_target()
    second_fails = first_check + HC5["interval_s"] + HC5["timeout_s"]
    sim.run_until(first_check + HC5["timeout_s"] + 1e-6)
    assert target(sim, "g/i-2").health == "initial" and target(sim, "g/i-2").fail_run == 1
    sim.run_until(second_fails - 1e-6)
    assert target(sim, "g/i-2").health == "initial"
    sim.run_until(second_fails + 1e-6)
    assert target(sim, "g/i-2").health == "unhealthy"


def test_a_new_target_that_failed_one_check_needs_only_one_pass():
    """AWS: healthy_threshold applies to an unhealthy target coming back; a target still `initial`
    after one failed check becomes healthy with its next passed check."""
    sim, first_check = hung_new_target()
    sim.run_until(first_check + 1.0)
    sim.world.instances["g/i-2"].recover()
    sim.run_until(first_check + HC5["interval_s"] - 1e-6)
    assert target(sim, "g/i-2").health == "initial"
    sim.run_until(first_check + HC5["interval_s"] + 1e-6)
    assert target(sim, "g/i-2").health == "healthy"


# -- answers: 504, 502, 503, 500 ---------------------------------------------------------------------------
def test_idle_timeout_gives_504_at_exactly_idle_timeout_s():
    sim = build(*fleet(1, rate=1, lb={"idle_timeout_s": 3}, inst={"concurrency": 10, "service_time_s": const(10)}))
    sim.run_until(30.0)
    c = sim.world.components["c"]
    assert c.errors["504"] == 27 and c.completed == 0   # sent at 1..27 s, each timed out 3 s later
    assert all(x == pytest.approx(3.0) for x in c.latencies)


def test_a_request_waiting_in_the_backlog_times_out_at_idle_timeout_s():
    # one slot, 2.5 s each, a request every second: the backlog grows; requests that would start
    # after waiting 4 s time out at exactly 4 s, the rest succeed
    sim = build(*fleet(1, rate=1, lb={"idle_timeout_s": 4}, inst={"concurrency": 1, "service_time_s": const(2.5)}))
    sim.run_until(40.0)
    c = sim.world.components["c"]
    assert c.errors["504"] > 0 and c.completed > 0
    assert all(x == pytest.approx(4.0) or x <= 4.0 for x in c.latencies)
    assert sum(1 for x in c.latencies if x == pytest.approx(4.0)) >= c.errors["504"]


def test_a_crashed_instance_gives_502():
    sim = build(*fleet(1, rate=1, lb={"health_check": HC}, inst={"concurrency": 10, "service_time_s": const(3.2)}),
                [{"at_s": 10.5, "action": "fail", "target": "i0", "mode": "crash"}])
    sim.run_until(10.49)
    assert sim.world.instances["i0"].busy == 3           # sent at 8, 9, 10
    sim.run_until(13.0)
    c = sim.world.components["c"]
    assert c.completed == 7                             # 1..7 finished before the crash
    # in progress at the crash (sent at 8, 9, 10 s): 502 at once; sent at 11, 12, 13 s: 502 at once
    assert c.errors["502"] == 6
    assert sorted(round(x, 6) for x in c.latencies[7:]) == [0.0, 0.0, 0.0, 0.5, 1.5, 2.5]


def test_a_full_backlog_gives_503():
    sim = build(*fleet(1, rate=1, inst={"concurrency": 1, "max_backlog": 2, "service_time_s": const(100)},
                       lb={"idle_timeout_s": 1000}))
    sim.run_until(6.0)
    c = sim.world.components["c"]
    # 1 s: served; 2, 3 s: wait; 4, 5, 6 s: refused with 503 at once
    assert c.errors["503"] == 3 and c.failed == 3
    assert list(c.latencies) == [0.0, 0.0, 0.0]
    assert len(sim.world.instances["i0"].backlog) == 2


def test_error_rate_gives_500_with_that_share():
    sim = build(*fleet(2, rate=200, inst={"error_rate": 0.2, "concurrency": 10}))
    sim.run_until(20.0)
    c = sim.world.components["c"]
    n = c.completed + c.failed
    assert n >= 3990
    assert c.failed == c.errors["500"]
    assert abs(c.errors["500"] / n - 0.2) < 4 * math.sqrt(0.2 * 0.8 / n)


# -- deregistration ----------------------------------------------------------------------------------------
def draining_group(delay: float):
    # two instances, round robin, one request a second each taking 7 s: i-1 gets the odd seconds.
    nodes, edges = web(rate=1, n=2, client={"arrival": "constant"},
                       lb={"deregistration_delay_s": delay, "health_check": HC},
                       group={"termination_policy": "oldest_instance", "min_size": 1},
                       instance={"concurrency": 8, "service_time_s": const(7)})
    return build(nodes, edges, [{"at_s": 10.5, "action": "set", "target": "g", "prop": "desired_capacity", "value": 1}])


def test_deregistration_stops_new_requests_at_once_and_lets_in_progress_ones_finish():
    sim = draining_group(300)
    rec = Recorder(sim).run(10.5)
    i1 = sim.world.instances["g/i-1"]
    tg = target(sim, "g/i-1")
    assert tg.draining and tg.outstanding == 3 and i1.state == "terminating"   # sent at 5, 7, 9 s
    rec.run(15.99)
    assert i1.state == "terminating" and tg in sim.world.components["lb"].targets
    rec.run(16.01)                                       # the last one (sent at 9 s) ends at 16 s
    assert i1.state == "terminated" and tg not in sim.world.components["lb"].targets
    rec.run(30.0)
    assert rec.count("g/i-1", after=10.5) == 0 and rec.count("g/i-2", after=10.5) == 20
    c = sim.world.components["c"]
    assert c.failed == 0 and i1.handled == 5


def test_draining_ends_after_deregistration_delay_s_even_with_requests_in_flight():
    sim = draining_group(3)
    sim.run_until(13.49)
    assert sim.world.instances["g/i-1"].state == "terminating"
    sim.run_until(13.51)
    assert sim.world.instances["g/i-1"].state == "terminated"
    sim.run_until(30.0)
    c = sim.world.components["c"]
    # sent at 7 and 9 s, still in progress when the 3 s delay ran out at 13.5 s
    assert c.failed == 2
    assert sorted(round(x, 6) for x in c.latencies if x < 7) == [4.5, 6.5]


def test_a_target_with_nothing_in_flight_leaves_at_once():
    nodes, edges = web(rate=0, n=2, group={"termination_policy": "newest_instance", "min_size": 1})
    sim = build(nodes, edges, [{"at_s": 10, "action": "set", "target": "g", "prop": "desired_capacity", "value": 1}])
    sim.run_until(10.0)
    assert sim.world.instances["g/i-2"].state == "terminated"
    assert len(sim.world.components["lb"].targets) == 1


# -- slow start ---------------------------------------------------------------------------------------------
def slow_start_run(slow: float) -> tuple[Recorder, float]:
    """One instance up; a second registers at 5 s (no boot time). Returns the recorder and the time
    the second one became healthy (its first passed check, within 5 s of registering)."""
    nodes, edges = web(rate=40, n=1, lb={"health_check": HC5, "slow_start_s": slow},
                       client={"arrival": "constant"}, instance={"boot_time_s": 0, "service_time_s": const(0.01)})
    sim = build(nodes, edges, [{"at_s": 5, "action": "set", "target": "g", "prop": "desired_capacity", "value": 2}])
    rec = Recorder(sim).run(95.0)
    [became] = health_changes(sim, "healthy")
    assert 5.0 <= became["t_s"] < 10.0
    return rec, became["t_s"]


def share(rec: Recorder, inst: str, lo: float, hi: float) -> float:
    return rec.count(inst, lo, hi) / sum(1 for t, _ in rec.routed if lo < t < hi)


def test_slow_start_ramps_a_new_targets_share_linearly():
    rec, t0 = slow_start_run(60)
    assert rec.count("g/i-2", before=t0) == 0
    # with round robin over two, the new target's share is (t - t0) / 60 / 2 during [t0, t0 + 60]
    first, middle = share(rec, "g/i-2", t0, t0 + 20), share(rec, "g/i-2", t0 + 20, t0 + 40)
    last = share(rec, "g/i-2", t0 + 40, t0 + 60)
    assert first == pytest.approx(1 / 12, abs=0.035)
    assert middle == pytest.approx(3 / 12, abs=0.045)
    assert last == pytest.approx(5 / 12, abs=0.045)
    assert share(rec, "g/i-2", t0 + 60, t0 + 80) == pytest.approx(0.5, abs=0.002)


def test_without_slow_start_a_new_target_gets_its_full_share_at_once():
    rec, t0 = slow_start_run(0)
    assert share(rec, "g/i-2", t0, t0 + 20) == pytest.approx(0.5, abs=0.002)


def test_slow_start_does_not_apply_to_targets_up_at_time_zero():
    nodes, edges = web(rate=40, n=2, lb={"slow_start_s": 60}, client={"arrival": "constant"},
                       instance={"service_time_s": const(0.01)})
    rec = Recorder(build(nodes, edges)).run(20.0)
    assert share(rec, "g/i-2", 0, 20) == pytest.approx(0.5, abs=0.002)
