"""Scenario actions (FORMAT.md 1.3): set (with ramp_s), fail, recover, caption, pause."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.fileio import from_data
from engine.simulation import Simulation
from tests.engine import helpers
from tests.engine.helpers import node, topology


def const(value: float) -> dict:
    return {"dist": "constant", "value": value}


def build(nodes, edges, scenario=None, seed: int = 1, **kw) -> Simulation:
    return Simulation(from_data(topology(nodes, edges, scenario, seed)), **kw)


def tier(rate: float = 2, n: int = 4, **group):
    nodes, edges = helpers.web(rate=rate, n=n, client={"arrival": "constant"},
                               instance={"service_time_s": const(0.1), "boot_time_s": 30},
                               lb={"idle_timeout_s": 5, "health_check": {"interval_s": 5, "timeout_s": 2,
                                                                          "healthy_threshold": 2,
                                                                          "unhealthy_threshold": 2}})
    nodes[2]["props"].update(group)
    return nodes, edges


def acts(sim: Simulation, kind: str) -> list[dict]:
    return [a for a in sim.world.activities if a["kind"] == kind]


def prop_at(sim: Simulation, t: float, target: str, prop: str):
    sim.run_until(t)
    return sim.world.components[target].props[prop]


# -- set -----------------------------------------------------------------------------------------------------
def test_set_changes_a_prop_at_its_time():
    sim = build(*tier(rate=2), [{"at_s": 10, "action": "set", "target": "c", "prop": "rate_rps", "value": 4}])
    assert prop_at(sim, 9.99, "c", "rate_rps") == 2
    assert prop_at(sim, 10.0, "c", "rate_rps") == 4
    sim.run_until(20.0)
    # 2 a second until 9.5 s; the arrival due at 10 s is re-planned at the new rate: 10.25 .. 20 s
    assert sim.world.components["c"].sent == 19 + 40
    [change] = acts(sim, "set")
    assert change == {"t_s": 10.0, "node": "c", "kind": "set", "text": "rate_rps set to 4"}


def test_set_with_ramp_s_changes_a_number_linearly():
    sim = build(*tier(rate=0), [{"at_s": 10, "action": "set", "target": "c", "prop": "rate_rps", "value": 8,
                                 "ramp_s": 4}])
    values = [prop_at(sim, t, "c", "rate_rps") for t in (9.99, 10.0, 11.0, 12.0, 13.0, 14.0, 20.0)]
    assert values == pytest.approx([0, 0, 2, 4, 6, 8, 8])
    # the steps are small: a quarter of a second each
    sim = build(*tier(rate=0), [{"at_s": 10, "action": "set", "target": "c", "prop": "rate_rps", "value": 8,
                                 "ramp_s": 4}])
    assert prop_at(sim, 10.3, "c", "rate_rps") == pytest.approx(0.5)
    assert prop_at(sim, 12.6, "c", "rate_rps") == pytest.approx(5.0)
    [change] = acts(sim, "set")
    assert change["t_s"] == 10.0 and change["text"] == "rate_rps ramps from 0 to 8 over 4 s"


def test_a_ramped_integer_prop_stays_an_integer():
    sim = build(*tier(rate=0, n=2, max_size=10), [{"at_s": 10, "action": "set", "target": "g",
                                                   "prop": "desired_capacity", "value": 6, "ramp_s": 4}])
    values = [prop_at(sim, t, "g", "desired_capacity") for t in (10.0, 11.0, 12.0, 13.0, 14.0)]
    assert values == [2, 3, 4, 5, 6] and all(isinstance(v, int) for v in values)
    g = sim.world.components["g"]
    assert len(g.in_service()) + len(g.pending()) == 6


def test_a_ramp_on_a_non_number_sets_it_at_once():
    sim = build(*tier(rate=0), [{"at_s": 10, "action": "set", "target": "lb", "prop": "algorithm",
                                 "value": "random", "ramp_s": 30}])
    assert prop_at(sim, 10.0, "lb", "algorithm") == "random"


def test_set_an_edge_prop():
    nodes = [node("c", "client", rate_rps=10, arrival="constant"),
             node("lb", "load_balancer", algorithm="weighted_random"),
             node("a", "ec2_instance", service_time_s=const(0.01)),
             node("b", "ec2_instance", service_time_s=const(0.01))]
    edges = [("c", "lb"), ("lb", "a"), ("lb", "b")]
    sim = build(nodes, edges, [{"at_s": 10, "action": "set", "target": "e2", "prop": "weight", "value": 0},
                               {"at_s": 10, "action": "set", "target": "e0", "prop": "latency_ms", "value": 250}])
    sim.run_until(10.0)
    b = sim.world.instances["b"].accepted
    assert b > 20
    sim.run_until(30.0)
    assert sim.world.instances["b"].accepted == b               # weight 0: nothing more to b
    assert sim.world.edge_by_id["e0"].latency == 0.25
    lat = sim.world.components["c"].latencies
    assert lat[-1] == pytest.approx(0.5 + 0.01)                  # 250 ms each way plus service


# -- fail and recover ------------------------------------------------------------------------------------------
def test_fail_a_group_with_count_hits_that_many_running_instances():
    sim = build(*tier(), [{"at_s": 10, "action": "fail", "target": "g", "mode": "crash", "count": 2},
                          {"at_s": 11, "action": "fail", "target": "g", "mode": "hang", "count": 1}])
    sim.run_until(11.0)
    failures = {i.id: i.failure for i in sim.world.components["g"].instances}
    assert failures == {"g/i-1": "crash", "g/i-2": "crash", "g/i-3": "hang", "g/i-4": None}
    assert [(a["t_s"], a["text"]) for a in acts(sim, "failure")] == [
        (10.0, "Instance g/i-1 crashes"), (10.0, "Instance g/i-2 crashes"),
        (11.0, "Instance g/i-3 hangs (stops answering)")]


def test_fail_without_count_hits_one_instance():
    sim = build(*tier(), [{"at_s": 10, "action": "fail", "target": "g", "mode": "slow", "factor": 3}])
    sim.run_until(10.0)
    failed = [i for i in sim.world.components["g"].instances if i.failure]
    assert [(i.id, i.failure, i.fail_factor) for i in failed] == [("g/i-1", "slow", 3)]
    assert acts(sim, "failure")[0]["text"] == "Instance g/i-1 slows down x3"


def test_fail_one_runtime_instance_by_its_id():
    sim = build(*tier(), [{"at_s": 10, "action": "fail", "target": "g/i-3", "mode": "error", "factor": 0.25}])
    sim.run_until(10.0)
    assert {i.id: i.failure for i in sim.world.components["g"].instances} == {
        "g/i-1": None, "g/i-2": None, "g/i-3": "error", "g/i-4": None}
    assert sim.world.instances["g/i-3"].fail_factor == 0.25
    assert acts(sim, "failure")[0]["text"] == "Instance g/i-3 fails 25% of its requests"


def test_fail_a_standalone_instance():
    nodes = [node("c", "client", rate_rps=1, arrival="constant"), node("lb", "load_balancer"),
             node("web1", "ec2_instance", service_time_s=const(0.1))]
    sim = build(nodes, [("c", "lb"), ("lb", "web1")],
                [{"at_s": 5.5, "action": "fail", "target": "web1", "mode": "crash"}])
    sim.run_until(8.0)
    assert sim.world.instances["web1"].failure == "crash"
    assert sim.world.components["c"].errors["502"] == 3         # sent at 6, 7, 8 s


def test_fail_with_duration_s_recovers_by_itself():
    sim = build(*tier(), [{"at_s": 10, "action": "fail", "target": "g/i-2", "mode": "hang", "duration_s": 20}])
    sim.run_until(29.99)
    assert sim.world.instances["g/i-2"].failure == "hang"
    sim.run_until(30.0)
    assert sim.world.instances["g/i-2"].failure is None
    assert [(a["t_s"], a["kind"], a["text"]) for a in sim.world.activities if a["node"] == "g"] == [
        (10.0, "failure", "Instance g/i-2 hangs (stops answering) for 20 s"),
        (30.0, "recover", "Instance g/i-2 recovered")]


def test_recover_ends_a_failure():
    sim = build(*tier(), [{"at_s": 10, "action": "fail", "target": "g", "mode": "slow", "factor": 5, "count": 3},
                          {"at_s": 20, "action": "recover", "target": "g/i-1"},
                          {"at_s": 30, "action": "recover", "target": "g"}])
    sim.run_until(20.0)
    assert [i.failure for i in sim.world.components["g"].instances] == [None, "slow", "slow", None]
    sim.run_until(30.0)
    assert [i.failure for i in sim.world.components["g"].instances] == [None, None, None, None]
    assert [a["text"] for a in acts(sim, "recover")] == ["Instance g/i-1 recovered", "Instance g/i-2 recovered",
                                                         "Instance g/i-3 recovered"]


def test_a_recovered_instance_serves_again():
    sim = build(*tier(n=1), [{"at_s": 10.5, "action": "fail", "target": "g/i-1", "mode": "slow", "factor": 10},
                             {"at_s": 20.5, "action": "recover", "target": "g/i-1"}])
    sim.run_until(30.2)
    lat = [round(x, 6) for x in sim.world.components["c"].latencies]
    # two a second: sent 0.5 .. 10 s: 0.1 s; 10.5 .. 20 s: 1.0 s; from 20.5 s: 0.1 s again
    assert len(lat) == 60 and lat[:20] == [0.1] * 20
    assert lat.count(1.0) == 20 and lat.count(0.1) == 40


def test_fail_with_nothing_to_fail_says_so():
    sim = build(*tier(n=0, min_size=0), [{"at_s": 5, "action": "fail", "target": "g", "mode": "crash"}])
    sim.run_until(5.0)
    [a] = acts(sim, "failure")
    assert a["text"] == "No running instance of g to fail (crash)"


# -- caption and pause -----------------------------------------------------------------------------------------
def test_caption_is_logged_at_its_time():
    sim = build(*tier(), [{"at_s": 7.5, "action": "caption", "text": "Morning traffic", "duration_s": 10}])
    sim.run_until(20.0)
    assert acts(sim, "caption") == [{"t_s": 7.5, "node": "", "kind": "caption", "text": "Morning traffic"}]


def test_pause_is_a_no_op_headless():
    scenario = [{"at_s": 30, "action": "fail", "target": "g", "mode": "crash"}]
    plain = build(*tier(rate=10), scenario)
    plain.run_until(120.0)
    paused = build(*tier(rate=10), scenario + [{"at_s": 20, "action": "pause", "text": "Watch this"}])
    paused.run_until(120.0)
    assert paused.now == 120.0
    a, b = plain.report(), paused.report()
    assert [x for x in b["activities"] if x["kind"] != "pause"] == a["activities"]
    assert [x for x in b["activities"] if x["kind"] == "pause"] == [
        {"t_s": 20.0, "node": "", "kind": "pause", "text": "Watch this"}]
    for key in ("nodes", "series", "ledger"):
        assert b[key] == a[key]


def test_pause_calls_the_live_views_hook():
    seen = []
    sim = build(*tier(), [{"at_s": 20, "action": "pause"}], on_pause=seen.append)
    sim.run_until(60.0)
    assert seen == [{"at_s": 20, "action": "pause"}] and sim.now == 60.0


# -- refused and clamped changes -----------------------------------------------------------------------------
def weighted(scenario=None, algorithm: str = "weighted_random", **kw):
    """Two weighted targets. The scenario is handed to the engine as it is, past the loader (which
    refuses a file whose sets zero every weight): the run must survive what reaches it another way,
    such as a live change from the app."""
    nodes = [node("c", "client", rate_rps=10, arrival="constant"),
             node("lb", "load_balancer", algorithm=algorithm),
             node("a", "ec2_instance", service_time_s=const(0.01)),
             node("b", "ec2_instance", service_time_s=const(0.01))]
    doc = from_data(topology(nodes, [("c", "lb", {"latency_ms": 5}), ("lb", "a"), ("lb", "b")], None,
                             kw.pop("seed", 1)))
    doc.scenario = [dict(a) for a in scenario or []]
    return Simulation(doc, **kw)


def test_a_set_that_would_zero_every_weight_is_refused_and_logged():
    """AWS refuses a weighted forward action whose target group weights are all zero
    (ELBv2 ModifyListener/ModifyRule: at least one weight must be above 0); before, random.choices
    raised ValueError and the run died."""
    sim = weighted([{"at_s": 5, "action": "set", "target": "e1", "prop": "weight", "value": 0},
                    {"at_s": 10, "action": "set", "target": "e2", "prop": "weight", "value": 0}])
    sim.run_until(30.0)
    [refused] = acts(sim, "refused")
    assert refused["t_s"] == 10 and refused["node"] == "e2" and "every weight of lb" in refused["text"]
    assert sim.world.edge_by_id["e2"].props["weight"] == 1.0
    assert sim.world.instances["b"].accepted >= 250      # b keeps its weight and all the traffic


def test_switching_to_weighted_random_with_all_weights_zero_is_refused():
    sim = weighted([{"at_s": 5, "action": "set", "target": "e1", "prop": "weight", "value": 0},
                    {"at_s": 5, "action": "set", "target": "e2", "prop": "weight", "value": 0},
                    {"at_s": 10, "action": "set", "target": "lb", "prop": "algorithm", "value": "weighted_random"}],
                   algorithm="round_robin")
    sim.run_until(20.0)
    assert [a["node"] for a in acts(sim, "refused")] == ["lb"]
    assert sim.world.components["lb"].props["algorithm"] == "round_robin"


def test_a_live_change_that_zeroes_every_weight_comes_back_as_a_message():
    from engine.runner import Runner
    r = Runner(weighted().doc)
    r.set_prop("e1", "weight", 0.0)
    r.set_prop("e2", "weight", 0.0)
    r.apply_controls()
    r.step(5.0)
    batch = r.make_batch()
    assert len(batch.messages) == 1 and "every weight of lb" in batch.messages[0]
    assert any(a["kind"] == "refused" for a in batch.activities)
    assert r.make_batch().messages == []


def test_a_ramp_to_a_bound_ends_on_it_not_past_it():
    """3 + (0.001 - 3) * 1.0 is 0.0009999999999998899 in floating point, below timeout_s's minimum
    of 0.001: the ramp used to die with PropError on its last step."""
    sim = weighted([{"at_s": 1, "action": "set", "target": "c", "prop": "timeout_s", "value": 3, "ramp_s": 0},
                    {"at_s": 2, "action": "set", "target": "c", "prop": "timeout_s", "value": 0.001, "ramp_s": 7}])
    sim.run_until(12.0)
    assert sim.world.components["c"].props["timeout_s"] == 0.001


ranged = [("c", "rate_rps", 0.0, 1_000_000.0), ("c", "timeout_s", 0.001, 86400.0),
          ("e0", "latency_ms", 0.0, 60000.0), ("e1", "weight", 0.0, 999.0), ("e2", "weight", 0.0, 999.0)]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(
    st.tuples(st.sampled_from(ranged), st.sampled_from(["min", "max"]), st.floats(0, 5), st.floats(0, 20)),
    st.tuples(st.just(("lb", "algorithm", None, None)), st.sampled_from(["weighted_random", "round_robin"]),
              st.just(0.0), st.floats(0, 20))), max_size=12), st.integers(1, 3))
def test_random_sets_with_zero_weights_and_ramps_to_the_bounds_never_kill_the_run(sets, seed):
    scenario = []
    for (target, prop, lo, hi), to, ramp, at in sets:
        value = to if prop == "algorithm" else {"min": lo, "max": hi}[to]
        if prop == "rate_rps" and to == "max":
            value = 50.0     # the top of the range would only make the example slow
        scenario.append({"at_s": at, "action": "set", "target": target, "prop": prop, "value": value,
                         "ramp_s": ramp})
    sim = weighted(scenario, seed=seed)
    sim.run_until(30.0)
    lb = sim.world.components["lb"]
    weights = [sim.world.edge_by_id[e].props["weight"] for e in ("e1", "e2")]
    assert lb.props["algorithm"] != "weighted_random" or max(weights) > 0
    for target, prop, lo, hi in ranged:
        owner = sim.world.components.get(target) or sim.world.edge_by_id[target]
        value = owner.props[prop]
        assert value is None or lo <= value <= hi
    assert sim.ledger()["balanced"]


def test_weighted_targets_all_unhealthy_fail_open_instead_of_killing_the_run():
    """a weighs 0, b weighs 1 and crashes: once b is unhealthy the only healthy target weighs 0.
    AWS: a target group with only unhealthy targets fails open ("the load balancer routes requests
    to all those targets, regardless of their health status"), and a weight of 0 gets no traffic.
    Before, random.choices raised ValueError (every weight 0) and the run died."""
    nodes = [node("c", "client", rate_rps=10, arrival="constant"),
             node("lb", "load_balancer", algorithm="weighted_random",
                  health_check={"interval_s": 5, "timeout_s": 2, "healthy_threshold": 2, "unhealthy_threshold": 2}),
             node("a", "ec2_instance", service_time_s=const(0.01)),
             node("b", "ec2_instance", service_time_s=const(0.01))]
    sim = build(nodes, [("c", "lb"), ("lb", "a", {"weight": 0}), ("lb", "b")],
                [{"at_s": 5, "action": "fail", "target": "b", "mode": "crash"}])
    sim.run_until(60.0)
    assert [a["text"] for a in acts(sim, "unhealthy")][0].startswith("Target b is unhealthy")
    assert sim.world.instances["a"].accepted == 0
    assert sim.world.components["c"].errors["502"] > 500     # fail open: on to the crashed b
    assert sim.ledger()["balanced"]


def test_a_set_logs_its_value_as_json_not_a_python_repr():
    """Issue 14 item 13: the log showed {'dist': 'constant', ...} and True."""
    from engine import scenario
    sim = build(*tier(rate=2))
    sim.run_until(1.0)
    scenario.set_prop(sim.world, "g", "instance", {"service_time_s": const(0.2)})
    [change] = acts(sim, "set")
    assert change["text"] == 'instance set to {"service_time_s": {"dist": "constant", "value": 0.2}}'
