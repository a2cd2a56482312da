"""EC2 Auto Scaling behaviour: AWS-SEMANTICS.md, "EC2 Auto Scaling" (and the run's start-up).

Loads are built from constant arrivals, constant service times and round robin, so the CPU of each
instance is exact: rate x service / (instances x concurrency). Policies evaluate every
evaluation_period_s from t = 0.
"""
from __future__ import annotations

import math

import pytest

from engine.fileio import from_data
from engine.simulation import Simulation
from tests.engine import helpers
from tests.engine.helpers import node, topology


def const(value: float) -> dict:
    return {"dist": "constant", "value": value}


HC = {"interval_s": 5, "timeout_s": 2, "healthy_threshold": 2, "unhealthy_threshold": 2}
ONE_SLOT = {"concurrency": 1, "service_time_s": const(0.1)}


def build(nodes, edges, scenario=None, seed: int = 1) -> Simulation:
    return Simulation(from_data(topology(nodes, edges, scenario, seed)))


def tier(rate: float, n: int, group: dict | None = None, lb: dict | None = None, instance: dict | None = None,
         algorithm: str = "round_robin"):
    """client (constant arrivals) -> ALB -> group of n one-slot instances; group props override."""
    nodes, edges = helpers.web(rate=rate, n=n, algorithm=algorithm, client={"arrival": "constant"},
                               lb={"health_check": HC, **(lb or {})}, instance={**ONE_SLOT, **(instance or {})})
    nodes[2]["props"].update(group or {})
    return nodes, edges


def cpu_policy(target: float, **kw) -> dict:
    return {"type": "target_tracking", "metric": "cpu_utilization", "target": target, **kw}


def group(sim: Simulation, gid: str = "g"):
    return sim.world.components[gid]


def acts(sim: Simulation, kind: str, node_id: str = "g") -> list[dict]:
    return [a for a in sim.world.activities if a["kind"] == kind and a["node"] == node_id]


def desired_at(sim: Simulation, t: float) -> int:
    sim.run_until(t)
    return group(sim).desired


def lone_group(n: int, **props):
    """A group with no traffic: only its instances' life cycle matters."""
    return [node("g", "auto_scaling_group", min_size=props.pop("min_size", 1), desired_capacity=n,
                 max_size=props.pop("max_size", 10), **props)], []


# -- start-up, launch, capacity ----------------------------------------------------------------------------
def test_the_architecture_starts_up_with_desired_instances_running_registered_and_healthy():
    sim = build(*tier(1, 3))
    g, lb = group(sim), sim.world.components["lb"]
    assert [i.id for i in g.in_service()] == ["g/i-1", "g/i-2", "g/i-3"]
    assert not g.pending()
    assert all(i.in_service_at == 0.0 and i.health_label() == "healthy" for i in g.instances)
    assert [(t.inst.id, t.health) for t in lb.targets] == [(f"g/i-{k}", "healthy") for k in (1, 2, 3)]
    sim.run_until(5.5)
    assert sim.series["g"]["in_service"][0] == 3 and sim.series["g"]["pending"][0] == 0
    assert sim.world.components["c"].completed == 5 and not acts(sim, "scale_out")


def test_a_launched_instance_is_pending_for_boot_time_then_registered_and_in_service():
    sim = build(*tier(1, 1, instance={"boot_time_s": 45}),
                [{"at_s": 10, "action": "set", "target": "g", "prop": "desired_capacity", "value": 3}])
    sim.run_until(10.0)
    g, lb = group(sim), sim.world.components["lb"]
    assert [i.id for i in g.pending()] == ["g/i-2", "g/i-3"] and len(g.in_service()) == 1
    assert len(lb.targets) == 1                              # not registered while pending
    [launch] = acts(sim, "scale_out")
    assert launch == {"t_s": 10.0, "node": "g", "kind": "scale_out",
                      "text": "Launching 2 instances: desired_capacity set to 3"}
    sim.run_until(54.99)
    assert len(g.pending()) == 2 and sim.world.instances["g/i-2"].state == "pending"
    sim.run_until(55.0)
    assert not g.pending() and len(g.in_service()) == 3
    assert sim.world.instances["g/i-2"].in_service_at == 55.0
    assert [(t.inst.id, t.health) for t in lb.targets] == [("g/i-1", "healthy"), ("g/i-2", "initial"),
                                                          ("g/i-3", "initial")]
    assert [a["text"] for a in acts(sim, "in_service")] == [
        f"Instance g/i-{k} is in service after booting for 45 s and registered with the load balancer" for k in (2, 3)]
    sim.run_until(60.0)
    assert sim.series["g"]["pending"] == [0, 2, 2, 2, 2, 2, 0]     # sampled after the change at 10 s
    assert sim.series["g"]["in_service"] == [1, 1, 1, 1, 1, 1, 3]


def test_desired_capacity_is_clamped_between_min_and_max():
    sim = build(*lone_group(3, min_size=2, max_size=5, instance={"boot_time_s": 0}),
                [{"at_s": 10, "action": "set", "target": "g", "prop": "desired_capacity", "value": 9},
                 {"at_s": 20, "action": "set", "target": "g", "prop": "desired_capacity", "value": 0},
                 {"at_s": 30, "action": "set", "target": "g", "prop": "min_size", "value": 4}])
    g = group(sim)
    running = lambda: len(g.in_service()) + len(g.pending())   # noqa: E731
    assert desired_at(sim, 10) == 5 and running() == 5
    assert desired_at(sim, 20) == 2 and running() == 2
    assert desired_at(sim, 30) == 4 and running() == 4
    assert g.terminated == 3 and g.launched == 3 + 2 + 2


# -- health and replacement --------------------------------------------------------------------------------
def test_ec2_health_check_replaces_a_crashed_instance():
    sim = build(*tier(2, 2), [{"at_s": 30.5, "action": "fail", "target": "g/i-1", "mode": "crash"}])
    sim.run_until(30.5)
    assert not acts(sim, "unhealthy")
    sim.run_until(40.5)                                     # the group looks every 10 s
    [seen] = acts(sim, "unhealthy")
    assert 30.5 < seen["t_s"] <= 40.5
    assert seen["text"] == ("Instance g/i-1 is unhealthy: the EC2 status check failed (instance stopped); "
                            "replacing it")
    [launch] = acts(sim, "scale_out")
    assert launch["t_s"] == seen["t_s"] and launch["text"] == "Launching 1 instance: replacing unhealthy instance g/i-1"
    g = group(sim)
    assert sim.world.instances["g/i-1"].state == "terminated" and g.desired == 2
    assert [i.id for i in g.pending()] == ["g/i-3"]


def test_ec2_health_check_does_not_replace_a_hung_instance():
    sim = build(*tier(2, 2, lb={"idle_timeout_s": 5}), [{"at_s": 30.5, "action": "fail", "target": "g/i-1",
                                                         "mode": "hang"}])
    sim.run_until(400.0)
    assert sim.world.instances["g/i-1"].state == "running"
    assert sim.world.instances["g/i-1"].health_label() == "unhealthy"     # the ALB saw it
    assert not acts(sim, "unhealthy") and group(sim).launched == 2


def test_elb_health_check_replaces_an_unhealthy_instance_after_the_grace_period_from_launch():
    sim = build(*tier(2, 2, group={"health_check_type": "ELB", "health_check_grace_period_s": 100},
                      lb={"idle_timeout_s": 5}),
                [{"at_s": 10.5, "action": "fail", "target": "g/i-1", "mode": "hang"}])
    sim.run_until(30.0)
    assert sim.world.instances["g/i-1"].health_label() == "unhealthy"    # by 10.5 + 5 + 5 + 2 at most
    sim.run_until(99.99)
    assert not acts(sim, "unhealthy")                         # launched at 0: grace until 100
    sim.run_until(110.0)
    [seen] = acts(sim, "unhealthy")
    assert 100.0 <= seen["t_s"] < 110.0
    assert seen["text"] == "Instance g/i-1 is unhealthy: the load balancer reports it unhealthy; replacing it"
    assert sim.world.instances["g/i-1"].state in ("terminating", "terminated")
    assert [i.id for i in group(sim).pending()] == ["g/i-3"]


def test_elb_grace_period_counts_from_each_instances_launch():
    # g/i-2 is launched at 50 s (boot 0) and hangs at 70 s; grace 100 s: not replaced before 150 s
    sim = build(*tier(2, 1, group={"health_check_type": "ELB", "health_check_grace_period_s": 100},
                      lb={"idle_timeout_s": 5}, instance={"boot_time_s": 0}),
                [{"at_s": 50, "action": "set", "target": "g", "prop": "desired_capacity", "value": 2},
                 {"at_s": 70.5, "action": "fail", "target": "g/i-2", "mode": "hang"}])
    sim.run_until(90.0)
    assert sim.world.instances["g/i-2"].health_label() == "unhealthy"
    sim.run_until(149.99)
    assert not acts(sim, "unhealthy")
    sim.run_until(160.0)
    [seen] = acts(sim, "unhealthy")
    assert 150.0 <= seen["t_s"] < 160.0 and "g/i-2" in seen["text"]


def test_elb_health_check_replaces_a_launched_instance_that_never_becomes_healthy():
    sim = build(*tier(2, 1, group={"health_check_type": "ELB", "health_check_grace_period_s": 60},
                      lb={"idle_timeout_s": 5}, instance={"boot_time_s": 0}),
                [{"at_s": 20, "action": "set", "target": "g", "prop": "desired_capacity", "value": 2},
                 {"at_s": 20, "action": "fail", "target": "g/i-2", "mode": "hang"}])
    sim.run_until(90.0)
    [seen] = acts(sim, "unhealthy")
    assert 80.0 <= seen["t_s"] < 90.0 and "g/i-2" in seen["text"]


def test_a_replacement_serves_within_one_health_check_interval_of_entering_service_with_aws_defaults():
    """AWS: a newly registered target must pass ONE health check (defaults: every 30 s, 5 s timeout)
    to get traffic. A lone instance crashes; its replacement boots 60 s, and the 503s end within
    30 + 5 s of it entering service (not after healthy_threshold = 5 checks, about 2 minutes)."""
    nodes, edges = helpers.web(rate=1, n=1, client={"arrival": "constant"}, instance={"service_time_s": const(0.01)})
    sim = build(nodes, edges, [{"at_s": 10.5, "action": "fail", "target": "g/i-1", "mode": "crash"}])
    sim.run_until(300.0)
    new = sim.world.instances["g/i-2"]
    c = sim.world.components["c"]
    # requests at t = 11, 12, ... fail until the replacement's first passed check, then all succeed
    first_ok = next(a["t_s"] for a in acts(sim, "healthy", "lb"))
    assert 0 < first_ok - new.in_service_at <= 30 + 5
    assert c.completed == 10 + (299 - math.ceil(first_ok) + 1)     # the one sent at 300 s is in flight


def test_replacement_ignores_the_cooldown():
    # a simple policy scales out at 60 s: its activity runs until the instance is in service, then a
    # 300 s cooldown; a crash at 70.5 s is still replaced at the group's next health sweep
    policy = {"type": "simple", "metric": "cpu_utilization", "comparison": ">", "threshold": 10, "adjustment": 1}
    sim = build(*tier(10, 2, group={"policies": [policy], "max_size": 3}),
                [{"at_s": 70.5, "action": "fail", "target": "g/i-1", "mode": "crash"}])
    sim.run_until(60.0)
    assert group(sim).desired == 3 and group(sim).cooldown_until == math.inf
    sim.run_until(80.5)
    [seen] = acts(sim, "unhealthy")
    assert 70.5 < seen["t_s"] <= 80.5
    assert [a["t_s"] for a in acts(sim, "scale_out")] == [60.0, seen["t_s"]]


# -- target tracking ----------------------------------------------------------------------------------------
def test_target_tracking_scales_out_after_scale_out_datapoints_periods_to_ceil_n_metric_over_target():
    # two instances at 80 % CPU (16 req/s of 0.1 s over two slots), target 50: 3 periods of 60 s
    # above target -> at 180 s desired = ceil(2 x 80 / 50) = 4
    sim = build(*tier(16, 2, group={"policies": [cpu_policy(50)]}))
    assert desired_at(sim, 179.99) == 2
    assert desired_at(sim, 180.0) == 4
    [launch] = acts(sim, "scale_out")
    assert launch["t_s"] == 180.0
    assert launch["text"] == ("Launching 2 instances: average CPU 80% stayed above the target of 50 "
                              "for 3 periods of 60 s")


def test_target_tracking_waits_for_its_datapoints_and_period():
    sim = build(*tier(16, 2, group={"policies": [cpu_policy(50, scale_out_datapoints=5, evaluation_period_s=30)]}))
    assert desired_at(sim, 149.99) == 2
    assert desired_at(sim, 150.0) == 4


def test_target_tracking_scale_out_is_capped_by_max_size():
    sim = build(*tier(16, 2, group={"policies": [cpu_policy(50)], "max_size": 3}))
    assert desired_at(sim, 180.0) == 3
    assert len(group(sim).pending()) == 1


def test_target_tracking_does_not_scale_in_just_below_target():
    # 20 instances at 47 % of a 50 % target: 19 would do (ceil(20 x 47 / 50) = 19), but 47 is not
    # below 90 % of the target (45 %), so nothing happens
    sim = build(*tier(94, 20, group={"policies": [cpu_policy(50, evaluation_period_s=10, scale_in_datapoints=3)],
                                     "min_size": 1}))
    sim.run_until(200.0)
    assert group(sim).desired == 20 and not acts(sim, "scale_in")


def test_target_tracking_scales_in_below_ninety_percent_of_target_one_instance_at_a_time():
    # 20 instances at 44 % (< 45 %): after 3 periods of 10 s, one instance goes (not the three that
    # ceil(20 x 44 / 50) = 18 would allow); 19 instances then run at 46.3 %, above 45 %: it stops
    sim = build(*tier(88, 20, group={"policies": [cpu_policy(50, evaluation_period_s=10, scale_in_datapoints=3)],
                                     "min_size": 1}))
    assert desired_at(sim, 29.99) == 20
    assert desired_at(sim, 30.0) == 19
    sim.run_until(200.0)
    assert group(sim).desired == 19
    [scale_in] = acts(sim, "scale_in")
    assert scale_in["text"].endswith("average CPU 44% stayed below the target of 50 for 3 periods of 10 s")


def test_target_tracking_scales_in_gradually():
    # four instances at 10 %: one instance per period once the datapoints are in, down to min_size
    sim = build(*tier(4, 4, group={"policies": [cpu_policy(50, evaluation_period_s=10, scale_in_datapoints=3)],
                                    "min_size": 1}))
    assert [desired_at(sim, t) for t in (29.99, 30.0, 39.99, 40.0, 50.0, 200.0)] == [4, 3, 3, 2, 1, 1]


def test_disable_scale_in():
    spec = cpu_policy(50, evaluation_period_s=10, scale_in_datapoints=3, disable_scale_in=True)
    sim = build(*tier(4, 4, group={"policies": [spec], "min_size": 1}))
    sim.run_until(200.0)
    assert group(sim).desired == 4 and not acts(sim, "scale_in")
    # it still scales out
    sim = build(*tier(16, 2, group={"policies": [cpu_policy(50, disable_scale_in=True)]}))
    assert desired_at(sim, 180.0) == 4


def warmup_run(warmup: float) -> Simulation:
    # g/i-1 is up at 0; g/i-2 is launched at 0.5 s (no boot time) and slowed x4 from 1 s: i-1 runs at
    # 20 % and i-2 at 80 %. Counting both the average is 50 % > 40 %; counting i-1 alone, 20 %.
    spec = cpu_policy(40, scale_out_datapoints=1)
    return build(*tier(4, 1, group={"policies": [spec], "default_instance_warmup_s": warmup},
                       instance={"boot_time_s": 0}),
                 [{"at_s": 0.5, "action": "set", "target": "g", "prop": "desired_capacity", "value": 2},
                  {"at_s": 1, "action": "fail", "target": "g/i-2", "mode": "slow", "factor": 4}])


def test_instances_in_warm_up_do_not_count_in_the_metric():
    sim = warmup_run(300)
    # warm at 300.5 s: the first whole period that counts it is [360, 420]
    assert desired_at(sim, 419.99) == 2
    assert desired_at(sim, 420.0) == 3
    [_, launch] = acts(sim, "scale_out")
    assert "average CPU 50%" in launch["text"]
    sim = warmup_run(0)
    assert desired_at(sim, 119.99) == 2
    assert desired_at(sim, 120.0) == 3


@pytest.mark.parametrize("cpu_first", [True, False])
def test_several_policies_the_largest_capacity_wins(cpu_first):
    # 80 % CPU wants ceil(2 x 80 / 50) = 4; 480 requests a minute per target wants ceil(2 x 480 / 160) = 6
    policies = [cpu_policy(50), {"type": "target_tracking", "metric": "request_count_per_target", "target": 160}]
    sim = build(*tier(16, 2, group={"policies": policies if cpu_first else policies[::-1]}))
    assert desired_at(sim, 179.99) == 2
    assert desired_at(sim, 180.0) == 6


@pytest.mark.parametrize("cpu_first", [True, False])
def test_a_policy_cannot_scale_in_while_another_needs_the_capacity(cpu_first):
    # 4 instances at 10 % CPU: the CPU policy would scale in; 60 requests a minute per target against
    # a target of 64 is above 90 % of it, so the request-count policy holds 4
    cpu = cpu_policy(50, scale_in_datapoints=2)
    rc = {"type": "target_tracking", "metric": "request_count_per_target", "target": 64, "scale_in_datapoints": 2}
    sim = build(*tier(4, 4, group={"policies": [cpu, rc] if cpu_first else [rc, cpu], "min_size": 1}))
    sim.run_until(600.0)
    assert group(sim).desired == 4 and not acts(sim, "scale_in")
    alone = build(*tier(4, 4, group={"policies": [cpu], "min_size": 1}))
    assert desired_at(alone, 120.0) == 3


@pytest.mark.parametrize("cpu_first", [True, False])
def test_several_target_tracking_policies_scale_in_only_when_all_are_ready(cpu_first):
    """AWS (multiple dynamic scaling policies): the group scales out if ANY target tracking policy is
    ready to, but scales in only when ALL target tracking policies with scale-in enabled are ready.
    Both metrics are low (CPU 10 % vs 50; 60 requests a minute per target vs 200); the CPU policy is
    ready after 2 periods (120 s), the request-count one after 5 (300 s): nothing scales in before."""
    cpu = cpu_policy(50, scale_in_datapoints=2)
    rc = {"type": "target_tracking", "metric": "request_count_per_target", "target": 200, "scale_in_datapoints": 5}
    sim = build(*tier(4, 4, group={"policies": [cpu, rc] if cpu_first else [rc, cpu], "min_size": 1}))
    assert desired_at(sim, 299.99) == 4
    assert desired_at(sim, 300.0) == 3              # one instance at a time
    assert desired_at(sim, 360.0) == 2


def test_a_policy_with_scale_in_disabled_does_not_block_scale_in():
    """AWS: only target tracking policies with scale-in enabled take part in the scale-in decision.
    The request-count policy is above 90 % of its target (60 vs 64) but has scale-in disabled."""
    cpu = cpu_policy(50, scale_in_datapoints=2)
    rc = {"type": "target_tracking", "metric": "request_count_per_target", "target": 64, "disable_scale_in": True}
    sim = build(*tier(4, 4, group={"policies": [rc, cpu], "min_size": 1}))
    assert desired_at(sim, 119.99) == 4
    assert desired_at(sim, 120.0) == 3


def test_no_scale_in_while_instances_are_warming_up():
    """AWS (default instance warmup): dynamic scaling "blocks scale-in activities ... until the new
    instances finish warming up". Four instances at 10 % CPU would scale in at 30 s; a fifth is
    launched at 5 s (no boot time) and warms up for 300 s, so the first scale-in waits until 310 s."""
    spec = cpu_policy(50, evaluation_period_s=10, scale_in_datapoints=3)
    sim = build(*tier(4, 4, group={"policies": [spec], "min_size": 1, "default_instance_warmup_s": 300},
                      instance={"boot_time_s": 0}),
                [{"at_s": 5, "action": "set", "target": "g", "prop": "desired_capacity", "value": 5}])
    assert desired_at(sim, 304.99) == 5 and not acts(sim, "scale_in")
    assert desired_at(sim, 310.0) == 4
    # without the launch, the same group scales in at 30 s
    alone = build(*tier(4, 4, group={"policies": [spec], "min_size": 1, "default_instance_warmup_s": 300}))
    assert desired_at(alone, 30.0) == 3


def test_request_count_per_target_metric():
    # 10 requests a second over two targets: 300 a minute each; target 100 -> ceil(2 x 300 / 100) = 6
    spec = {"type": "target_tracking", "metric": "request_count_per_target", "target": 100, "scale_out_datapoints": 1}
    sim = build(*tier(10, 2, group={"policies": [spec]}))
    assert desired_at(sim, 59.99) == 2
    assert desired_at(sim, 60.0) == 6
    [launch] = acts(sim, "scale_out")
    assert launch["text"] == ("Launching 4 instances: requests per target 300/min stayed above the target of 100 "
                              "for 1 periods of 60 s")


def test_target_tracking_ignores_the_cooldown():
    # saturated (40 req/s for 2 x 10 req/s of capacity): out to ceil(2 x 100 / 50) = 4 at 60 s; the
    # two new ones count from the period [120, 180]: still 100 %, out to 8 at 180 s, less than
    # default_cooldown_s (300) later
    spec = cpu_policy(50, scale_out_datapoints=1)
    sim = build(*tier(40, 2, group={"policies": [spec], "default_instance_warmup_s": 0},
                      instance={"boot_time_s": 0}, lb={"idle_timeout_s": 30}))
    sim.run_until(240.0)
    assert [(a["t_s"], a["text"].split(":")[0]) for a in acts(sim, "scale_out")] == [
        (60.0, "Launching 2 instances"), (180.0, "Launching 4 instances")]
    assert group(sim).desired == 8


# -- step and simple scaling ----------------------------------------------------------------------------------
STEPS = [{"lower": 70, "upper": 90, "adjustment": 1}, {"lower": 90, "adjustment": 3}]


@pytest.mark.parametrize("rate,desired", [(12, 2), (16, 3), (19, 5)])
def test_step_scaling_the_breach_size_selects_the_step(rate, desired):
    # two one-slot instances: 12, 16 and 19 req/s give 60, 80 and 95 % CPU
    spec = {"type": "step", "metric": "cpu_utilization", "steps": STEPS}
    sim = build(*tier(rate, 2, group={"policies": [spec]}))
    assert desired_at(sim, 59.99) == 2
    assert desired_at(sim, 60.0) == desired
    if desired > 2:
        [launch] = acts(sim, "scale_out")
        step = "[70, 90) (adjustment +1)" if desired == 3 else "[90, ) (adjustment +3)"
        assert launch["text"].endswith(f"is in the step {step}")


@pytest.mark.parametrize("kind,steps,rate,n,desired", [
    ("change_in_capacity", [{"lower": 70, "adjustment": 2}], 32, 4, 6),
    ("change_in_capacity", [{"upper": 30, "adjustment": -2}], 4, 4, 2),
    ("exact_capacity", [{"lower": 70, "adjustment": 7}], 32, 4, 7),
    ("exact_capacity", [{"upper": 30, "adjustment": 2}], 4, 4, 2),
    ("percent_change_in_capacity", [{"lower": 70, "adjustment": 50}], 32, 4, 6),
    ("percent_change_in_capacity", [{"lower": 70, "adjustment": 10}], 32, 4, 5),   # 0.4 rounds up to 1
    ("percent_change_in_capacity", [{"upper": 30, "adjustment": -50}], 4, 4, 2),
    ("percent_change_in_capacity", [{"upper": 30, "adjustment": -10}], 4, 4, 3),   # -0.4 rounds to -1
])
def test_step_scaling_adjustment_types(kind, steps, rate, n, desired):
    # four one-slot instances: 32 req/s is 80 % CPU, 4 req/s is 10 %
    spec = {"type": "step", "metric": "cpu_utilization", "adjustment_type": kind, "steps": steps}
    sim = build(*tier(rate, n, group={"policies": [spec], "min_size": 1}))
    assert desired_at(sim, 59.99) == n
    assert desired_at(sim, 60.0) == desired


def test_step_scaling_ignores_the_cooldown():
    spec = {"type": "step", "metric": "cpu_utilization", "steps": [{"lower": 90, "adjustment": 1}]}
    sim = build(*tier(40, 2, group={"policies": [spec], "default_instance_warmup_s": 0},
                      instance={"boot_time_s": 0}, lb={"idle_timeout_s": 30}))
    assert desired_at(sim, 60.0) == 3
    assert desired_at(sim, 120.0) == 4          # 60 s later, inside the 300 s default cooldown


def test_simple_scaling_cooldown_counts_from_the_end_of_the_activity():
    """AWS (CreateAutoScalingGroup, DefaultCooldown): "The amount of time, in seconds, between one
    scaling activity ending and another one starting due to simple scaling policies. Default: 300
    seconds." A scale-out activity ends when its instance is InService: launched at 60 s, it boots
    60 s (in service at 120 s), so the next simple scaling can act at 120 + 300 = 420 s, not 360 s."""
    spec = {"type": "simple", "metric": "cpu_utilization", "comparison": ">", "threshold": 50, "adjustment": 1}
    sim = build(*tier(20, 1, group={"policies": [spec], "max_size": 3}, lb={"idle_timeout_s": 30},
                      instance={"boot_time_s": 60}))
    assert group(sim).props["default_cooldown_s"] == 300
    sim.run_until(119.99)
    assert group(sim).cooldown_until == math.inf          # the activity is still in progress
    sim.run_until(120.0)
    assert group(sim).cooldown_until == 420.0
    sim.run_until(600.0)
    outs = acts(sim, "scale_out")
    assert [a["t_s"] for a in outs] == [60.0, 420.0]      # saturated at 100 % CPU all along
    assert outs[0]["text"] == ("Launching 1 instance: average CPU 100% > 50; "
                               "a cooldown of 300 s follows once this activity completes")
    assert group(sim).desired == 3


def test_simple_scaling_with_a_shorter_cooldown():
    # cooldown 120 s after each launched instance is in service (60 s boot): 60, 60+60+120, 240+60+120
    spec = {"type": "simple", "metric": "cpu_utilization", "comparison": ">=", "threshold": 50, "adjustment": 1}
    sim = build(*tier(40, 1, group={"policies": [spec], "max_size": 4, "default_cooldown_s": 120},
                      lb={"idle_timeout_s": 30}, instance={"boot_time_s": 60}))
    sim.run_until(500.0)
    assert [a["t_s"] for a in acts(sim, "scale_out")] == [60.0, 240.0, 420.0]


def test_a_simple_scale_in_cooldown_starts_when_the_instance_has_drained():
    """AWS: the cooldown follows the end of the activity; a scale-in ends when the instance has been
    deregistered, has drained (up to deregistration_delay_s) and is terminated. One request arrives
    at 50 s on g/i-1 and takes 50 s; the scale-in at 60 s picks g/i-1 (oldest), which drains until
    100 s: the 100 s cooldown runs to 200 s (counted from the decision, it would end at 160 s)."""
    spec = {"type": "simple", "metric": "cpu_utilization", "comparison": "<", "threshold": 101, "adjustment": -1}
    sim = build(*tier(0.02, 2, group={"policies": [spec], "min_size": 0, "default_cooldown_s": 100,
                                      "termination_policy": "oldest_instance"},
                      instance={"service_time_s": const(50.0)}, lb={"idle_timeout_s": 4000}))
    sim.run_until(60.0)
    [scale_in] = acts(sim, "scale_in")
    assert scale_in["text"].startswith("Terminating g/i-1:") and sim.world.instances["g/i-1"].busy == 1
    assert group(sim).cooldown_until == math.inf
    sim.run_until(100.0)
    assert group(sim).cooldown_until == 200.0
    sim.run_until(239.99)
    assert len(acts(sim, "scale_in")) == 1        # evaluations at 120, 180 fall in the cooldown
    sim.run_until(240.0)
    assert [a["t_s"] for a in acts(sim, "scale_in")] == [60.0, 240.0]


def test_scheduled_actions_set_min_max_and_desired_at_a_time():
    policies = [{"type": "scheduled", "at_s": 100, "min_size": 3, "max_size": 6, "desired_capacity": 5},
                {"type": "scheduled", "at_s": 200, "min_size": 1, "max_size": 2}]
    sim = build(*lone_group(2, min_size=1, max_size=4, policies=policies, instance={"boot_time_s": 0}))
    sim.run_until(99.99)
    assert group(sim).desired == 2
    sim.run_until(100.0)
    g = group(sim)
    assert (g.props["min_size"], g.props["max_size"], g.desired, len(g.in_service())) == (3, 6, 5, 5)
    assert acts(sim, "scale_out")[0]["text"] == ("Launching 3 instances: scheduled action at 100 s "
                                                 "(min 3, max 6, desired 5)")
    sim.run_until(200.0)
    assert (g.props["min_size"], g.props["max_size"], g.desired, len(g.in_service())) == (1, 2, 2, 2)
    assert g.terminated == 3


# -- termination -----------------------------------------------------------------------------------------------
def termination_run(policy: str, at: float, seed: int = 1) -> list[str]:
    """g/i-1, g/i-2 up at 0, g/i-3 launched at 100 s; scale in by one at `at`: who goes?"""
    sim = build(*lone_group(2, termination_policy=policy, instance={"boot_time_s": 0}),
                [{"at_s": 100, "action": "set", "target": "g", "prop": "desired_capacity", "value": 3},
                 {"at_s": at, "action": "set", "target": "g", "prop": "desired_capacity", "value": 2}], seed=seed)
    sim.run_until(at)
    return [i.id for i in sim.world.instances.values() if i.state == "terminated"]


def test_termination_policy_oldest_instance():
    assert termination_run("oldest_instance", 3650) == ["g/i-1"]


def test_termination_policy_newest_instance():
    assert termination_run("newest_instance", 1000) == ["g/i-3"]


def test_default_termination_policy_picks_the_instance_closest_to_its_next_billing_hour():
    # at 3650 s, g/i-1 and g/i-2 are 50 s into their second hour, g/i-3 is 3550 s into its first
    assert termination_run("default", 3650) == ["g/i-3"]
    # at 1000 s, g/i-1 and g/i-2 (1000 s) are closer than g/i-3 (900 s): one of them, at random
    chosen = {tuple(termination_run("default", 1000, seed)) for seed in range(1, 13)}
    assert chosen == {("g/i-1",), ("g/i-2",)}


def test_scale_in_deregisters_and_drains_the_instance_first():
    # one request a second, 7 s each, round robin over two: g/i-1 serves the odd seconds
    sim = build(*tier(1, 2, group={"min_size": 1, "termination_policy": "oldest_instance"},
                      instance={"concurrency": 8, "service_time_s": const(7)}),
                [{"at_s": 10.5, "action": "set", "target": "g", "prop": "desired_capacity", "value": 1}])
    sim.run_until(10.5)
    g = group(sim)
    i1 = sim.world.instances["g/i-1"]
    [tg] = [t for t in sim.world.components["lb"].targets if t.inst is i1]
    assert i1.state == "terminating" and tg.draining and i1.busy == 3
    assert [i.id for i in g.in_service()] == ["g/i-2"] and not g.pending()   # nothing launched to make up
    [scale_in] = acts(sim, "scale_in")
    assert scale_in["text"] == "Terminating g/i-1: desired_capacity set to 1"
    sim.run_until(16.0)                                    # the last request it took (9 s) ends at 16 s
    assert i1.state == "terminated" and g.terminated == 1
    sim.run_until(30.0)
    assert sim.world.components["c"].failed == 0 and i1.handled == 5


# -- activities ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("example,until", [("failure", 480.0), ("web-tier", 600.0)])
def test_every_activity_has_a_reason_in_words(example, until):
    from engine import examples
    from engine.fileio import load
    sim = Simulation(load(examples.path(example)))
    sim.run_until(until)
    activities = sim.world.activities
    kinds = {a["kind"] for a in activities}
    assert {"scale_out", "in_service"} <= kinds
    for a in activities:
        assert set(a) - {"evidence"} == {"t_s", "node", "kind", "text"}   # evidence: engine.trace_evidence
        assert len(a["text"].split()) >= 3, a
        if a["kind"] in ("scale_out", "scale_in"):
            action, _, reason = a["text"].partition(": ")
            assert action.split()[0] in ("Launching", "Terminating") and len(reason.split()) >= 3, a
