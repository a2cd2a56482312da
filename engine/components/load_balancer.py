"""The Application Load Balancer: routing, health checks, fail-open, timeouts, draining, slow start."""
from __future__ import annotations

from collections import deque
from functools import partial
from typing import Any, Callable

from engine import trace_evidence as evidence
from engine.components.base import Component
from engine.trace_evidence import PROBES_KEPT
from engine.traffic import ERROR, GATEWAY_TIMEOUT, OK, REQUEST, RESPONSE, UNAVAILABLE, Request

INITIAL, HEALTHY, UNHEALTHY = "initial", "healthy", "unhealthy"


class Target:
    """One instance registered with the load balancer's target group."""

    __slots__ = ("lb", "inst", "edge", "weight", "health", "ok_run", "fail_run", "outstanding",
                 "healthy_since", "draining", "active", "on_gone", "probes")

    def __init__(self, lb: "LoadBalancer", inst: Any, edge: Any, weight: float, health: str) -> None:
        self.lb, self.inst, self.edge, self.weight = lb, inst, edge, weight
        self.health = health
        self.ok_run = self.fail_run = 0
        self.outstanding = 0
        self.healthy_since = -1e18 if health == HEALTHY else None
        self.draining = False
        self.active = True          # False once deregistration has completed
        self.on_gone: Callable[[], None] | None = None
        self.probes: deque = deque(maxlen=PROBES_KEPT)   # (t, passed, why): the evidence of a verdict


class LoadBalancer(Component):
    kind = "load_balancer"

    def __init__(self, world, node) -> None:
        super().__init__(world, node)
        self.targets: list[Target] = []
        self._routable: list[Target] | None = None
        self._rr = -1
        self.received = self._unrouted = 0   # routed is derived (a property): the hot path counts less
        self.answers = {200: 0, 500: 0, 502: 0, 503: 0, 504: 0}
        self._received_at_sample = 0
        self._cache_props()

    # -- registration ---------------------------------------------------------------------------
    def register(self, inst: Any, edge: Any, weight: float, healthy: bool) -> Target:
        """Register an instance; at time 0 the architecture is up, so targets start healthy. A new
        target is `initial` until a check passes; each target's checks run at their own phase."""
        target = Target(self, inst, edge, weight, HEALTHY if healthy else INITIAL)
        self.targets.append(target)
        self._routable = None
        interval = self.props["health_check"]["interval_s"]
        self.kernel.at(self.kernel.now + self.rng.uniform(0, interval), self._probe, target)
        return target

    def deregister(self, target: Target, on_gone: Callable[[], None]) -> None:
        """Stop sending new requests at once; let those in progress finish for up to the delay."""
        if target.draining or not target.active:
            return
        target.draining, target.on_gone = True, on_gone
        self._routable = None
        if target.outstanding == 0:
            self._gone(target)
        else:
            self.kernel.after(self.props["deregistration_delay_s"], self._delay_over, target)

    def _delay_over(self, target: Target) -> None:
        if target.active:
            self._gone(target)

    def _gone(self, target: Target) -> None:
        target.active = False
        self.targets.remove(target)
        self._routable = None
        if target.on_gone:
            target.on_gone()

    # -- health checks ------------------------------------------------------------------------------
    def _probe(self, target: Target) -> None:
        if not target.active:
            return
        hc = self.props["health_check"]
        result = target.inst.probe()
        if result == "ok":
            self._probe_result(target, True, "")
        elif result == "refused":
            self._probe_result(target, False, "connection refused")
        else:  # no answer: the check fails when its timeout runs out
            self.kernel.after(hc["timeout_s"], partial(self._probe_failed, f"timed out after {hc['timeout_s']:g} s"), target)
        self.kernel.after(hc["interval_s"], self._probe, target)

    def _probe_failed(self, why: str, target: Target) -> None:
        self._probe_result(target, False, why)

    def _probe_result(self, target: Target, ok: bool, why: str) -> None:
        if not target.active:
            return
        hc = self.props["health_check"]
        target.probes.append((self.kernel.now, ok, why or "passed"))
        if ok:
            target.ok_run, target.fail_run = target.ok_run + 1, 0
            if target.health == INITIAL:  # AWS: a new target must pass one check to be healthy
                self._set_health(target, HEALTHY, "its first health check passed after registration")
            elif target.health == UNHEALTHY and target.ok_run >= hc["healthy_threshold"]:
                self._set_health(target, HEALTHY, f"{target.ok_run} consecutive health checks passed")
        else:
            target.fail_run, target.ok_run = target.fail_run + 1, 0
            if target.health != UNHEALTHY and target.fail_run >= hc["unhealthy_threshold"]:
                self._set_health(target, UNHEALTHY, f"{target.fail_run} consecutive health checks failed ({why})")

    def _set_health(self, target: Target, health: str, why: str) -> None:
        target.health = health
        target.healthy_since = self.kernel.now if health == HEALTHY else None
        self._routable = None
        self.log(health, f"Target {target.inst.id} is {health}: {why}")
        evidence.attach(self.world, self.id, (health,), evidence.probe_evidence([target]))

    # -- routing -------------------------------------------------------------------------------------
    def routable(self) -> list[Target]:
        """Healthy targets; if every registered target is unhealthy, all of them (fail open)."""
        if self._routable is None:
            live = [t for t in self.targets if not t.draining]
            healthy = [t for t in live if t.health == HEALTHY]
            self._routable = healthy or [t for t in live if t.health == UNHEALTHY]
        return self._routable

    def on_request(self, r: Request) -> None:
        self.received += 1
        targets = self._routable or self.routable()
        if not targets:
            self._unrouted += 1
            if r.trace is not None:
                r.trace.unrouted(self, self.kernel.now)
            self.answer(r, UNAVAILABLE)
            return
        if self._plain_rr:
            self._rr = rr = (self._rr + 1) % len(targets)
            target = targets[rr]
        else:
            target = self._pick(targets)
        if r.trace is not None:
            r.trace.routed(self, targets, target, self.kernel.now)
        target.outstanding += 1
        r.target = target
        now = self.kernel.now
        r.deadline = now + self._idle
        # world.hop, inlined
        edge, inst = target.edge, target.inst
        latency = edge.latency
        if latency:
            self._rec((edge.index, inst.no, now, now + latency, REQUEST))
            self.kernel.at(now + latency, inst.accept, r)
        else:   # no event, and the transfer arrives as it leaves
            self._rec((edge.index, inst.no, now, now, REQUEST))
            inst.accept(r)

    def on_prop_changed(self, name: str) -> None:
        self._cache_props()

    def _cache_props(self) -> None:
        self._idle = self.props["idle_timeout_s"]
        self._algorithm = self.props["algorithm"]
        self._slow = self.props["slow_start_s"]
        self._plain_rr = self._algorithm == "round_robin" and self._slow <= 0
        self._rec = self.world.rec

    def _pick(self, targets: list[Target]) -> Target:
        algorithm = self._algorithm
        n = len(targets)
        if algorithm == "round_robin":
            self._rr = (self._rr + 1) % n
            target = targets[self._rr]
        elif algorithm == "least_outstanding_requests":
            self._rr = (self._rr + 1) % n  # rotate the start so ties are shared out
            target = min(targets[self._rr:] + targets[:self._rr], key=_outstanding)
        elif algorithm == "weighted_random":
            target = self._weighted(targets)
        else:
            target = targets[int(self.rng.random() * n)]
        slow = self._slow
        if slow > 0 and n > 1:
            target = self._slow_start(target, targets, slow)
        return target

    def _weighted(self, targets: list[Target]) -> Target:
        """By weight. When every routable target weighs 0, the weighted ones are all unhealthy: like
        a target group with only unhealthy targets, they fail open (AWS). With no weight above 0 at
        all (refused on load and on change), evenly, rather than stopping the run."""
        weights = [t.weight for t in targets]
        if not any(weights):
            targets = [t for t in self.targets if t.weight > 0 and t.health == UNHEALTHY and not t.draining] or targets
            weights = [t.weight for t in targets] if any(t.weight for t in targets) else None
        return self.rng.choices(targets, weights)[0]

    def _slow_start(self, target: Target, targets: list[Target], slow: float) -> Target:
        """A target in slow start keeps a request with a probability that ramps from 0 to 1."""
        since = target.healthy_since
        if since is None or self.kernel.now - since >= slow:
            return target
        if self.rng.random() < (self.kernel.now - since) / slow:
            return target
        others = [t for t in targets if t is not target]
        return others[int(self.rng.random() * len(others))]

    # -- answers ---------------------------------------------------------------------------------------
    def watch(self, r: Request) -> None:
        """The request may outlive the idle timeout: answer 504 at the deadline if still silent."""
        self.kernel.at(r.deadline, self.idle_timeout, r)

    def idle_timeout(self, r: Request) -> None:
        if r.answered or r.status:
            return
        self._release(r)
        self.answer(r, GATEWAY_TIMEOUT)

    def on_response(self, r: Request) -> None:
        """The target's answer arrives back at the load balancer."""
        if r.answered:
            return  # the client was already given a 504
        self._release(r)
        self.answer(r, r.status)

    def _release(self, r: Request) -> None:
        target = r.target
        target.outstanding -= 1
        if target.draining and target.outstanding == 0 and target.active:
            self._gone(target)

    def answer(self, r: Request, status: int) -> None:
        r.status, r.answered = status, True
        if r.trace is not None:
            r.trace.answered(self, status, self.kernel.now)
        self.answers[status] += 1
        # world.hop, inlined: every request's answer passes here
        edge, now = r.in_edge, self.kernel.now
        latency = edge.latency
        if latency:
            self._rec((edge.index, -1, now, now + latency, RESPONSE if status == OK else ERROR))
            self.kernel.at(now + latency, r.client.on_response, r)
        else:   # no event, and the transfer arrives as it leaves
            self._rec((edge.index, -1, now, now, RESPONSE if status == OK else ERROR))
            r.client.on_response(r)

    # -- reporting -------------------------------------------------------------------------------------
    @property
    def routed(self) -> int:
        return self.received - self._unrouted

    def totals(self) -> dict[str, Any]:
        return {"received": self.received, "routed": self.routed,
                **{f"answered_{code}": n for code, n in sorted(self.answers.items())}}

    def sample(self, interval: float) -> dict[str, float]:
        rps = (self.received - self._received_at_sample) / interval
        self._received_at_sample = self.received
        return {"requests_rps": rps, "healthy_targets": sum(t.health == HEALTHY and not t.draining for t in self.targets)}

    def state(self) -> dict[str, Any]:
        return {"received": self.received,
                "targets": {t.inst.id: ("draining" if t.draining else t.health) for t in self.targets}}


def _outstanding(t: Target) -> int:
    return t.outstanding
