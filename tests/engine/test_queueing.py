"""The engine against queueing theory: Erlang C, M/M/1, and the order of the routing algorithms."""
from __future__ import annotations

import math

import pytest

from tests.engine.helpers import node, simulate

MU = 10.0  # service rate of one request slot (mean service time 0.1 s)
EXP = {"dist": "exponential", "mean": 1 / MU}
NO_TIMEOUTS = {"idle_timeout_s": 4000}


def erlang_c(c: int, lam: float, mu: float) -> tuple[float, float]:
    """(probability of waiting, mean time in system) of an M/M/c queue."""
    a = lam / mu
    rho = a / c
    top = a ** c / math.factorial(c) / (1 - rho)
    p_wait = top / (sum(a ** k / math.factorial(k) for k in range(c)) + top)
    return p_wait, p_wait / (c * mu - lam) + 1 / mu


def mean_latency(sim) -> float:
    return sim.world.components["c"].latency_summary()["mean"]


def one_instance(c: int, lam: float, until: float, seed: int):
    nodes = [node("c", "client", rate_rps=lam), node("lb", "load_balancer", **NO_TIMEOUTS),
             node("s", "ec2_instance", concurrency=c, max_backlog=10**6, service_time_s=EXP)]
    return simulate(nodes, [("c", "lb"), ("lb", "s")], until=until, seed=seed)


def single_slot_group(k: int, lam: float, algorithm: str, until: float, seed: int = 3):
    nodes = [node("c", "client", rate_rps=lam), node("lb", "load_balancer", algorithm=algorithm, **NO_TIMEOUTS),
             node("g", "auto_scaling_group", min_size=k, max_size=k, desired_capacity=k,
                  instance={"concurrency": 1, "max_backlog": 10**6, "service_time_s": EXP})]
    return simulate(nodes, [("c", "lb"), ("lb", "g")], until=until, seed=seed)


def test_mmc_mean_time_matches_erlang_c():
    c, lam = 4, 32.0  # 80 % load
    _, theory = erlang_c(c, lam, MU)
    means = [mean_latency(one_instance(c, lam, until=6000, seed=s)) for s in (11, 12)]
    observed = sum(means) / len(means)  # about 380,000 requests
    assert abs(observed - theory) / theory < 0.03, (observed, theory)


def test_mmc_waiting_probability_and_wait_match_erlang_c():
    c, lam = 3, 21.0  # 70 % load
    p_wait, _ = erlang_c(c, lam, MU)
    sim = one_instance(c, lam, until=3000, seed=5)
    inst = sim.world.instances["s"]
    assert inst.queued / inst.accepted == pytest.approx(p_wait, rel=0.04)
    mean_service = inst.busy_area() / inst.handled
    mean_wait = mean_latency(sim) - mean_service
    assert mean_service == pytest.approx(1 / MU, rel=0.02)
    assert mean_wait == pytest.approx(p_wait / (c * MU - lam), rel=0.08)


def test_random_routing_is_mm1_per_instance():
    k, lam = 3, 21.0  # each instance sees a Poisson stream of 7/s: M/M/1 at 70 %
    sim = single_slot_group(k, lam, "random", until=8000)
    theory = 1 / (MU - lam / k)
    assert abs(mean_latency(sim) - theory) / theory < 0.05, (mean_latency(sim), theory)
    shares = [i.accepted for i in sim.world.instances.values()]
    assert max(shares) / min(shares) < 1.03, "random routing spreads evenly on average"


def test_round_robin_beats_random_and_least_outstanding_beats_round_robin():
    k, lam = 3, 24.0  # 80 % load
    rnd, rr, lor = (mean_latency(single_slot_group(k, lam, a, until=2500))
                    for a in ("random", "round_robin", "least_outstanding_requests"))
    assert rr < 0.8 * rnd, (rr, rnd)
    assert lor < 0.8 * rr, (lor, rr)


def test_littles_law_holds_for_the_instance():
    """Mean number in the instance = arrival rate x mean time in it (L = lambda W)."""
    c, lam = 2, 15.0
    sim = one_instance(c, lam, until=3000, seed=9)
    inst = sim.world.instances["s"]
    mean_busy = inst.busy_area() / sim.now
    assert mean_busy == pytest.approx(lam / MU, rel=0.03)
