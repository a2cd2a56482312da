"""EC2 Auto Scaling groups: launch, register, health replacement, scaling policies, termination."""
from __future__ import annotations

import math
from functools import partial
from typing import Any

from engine import registry
from engine import trace_evidence as evidence
from engine.components.base import Component
from engine.components.instance import PENDING, RUNNING, TERMINATING, Instance
from engine.components.scaling import make_policies

HEALTH_SWEEP_S = 10.0     # how often the group looks at its instances' health
BILLING_HOUR_S = 3600.0


class AutoScalingGroup(Component):
    kind = "auto_scaling_group"

    def __init__(self, world, node) -> None:
        super().__init__(world, node)
        template = {p.name: p.default for p in registry.KINDS["ec2_instance"].props}
        self.template = {**template, **self.props["instance"]}
        self.instances: list[Instance] = []
        self.lb_links: list[tuple[Any, Any]] = []
        self.source_queues: list[Any] = []     # queues the group consumes (messaging)
        self.launched = self.terminated = 0
        self.handled_by_gone = 0               # requests handled by instances already terminated
        self.cooldown_until = -math.inf
        self._activity: set[Instance] = set()  # the simple scaling activity the cooldown waits for
        self.on_launch: list[Any] = []         # hooks for new instances (e.g. start polling a queue)
        self._n = 0
        self._area_at_sample: dict[int, float] = {}
        self.policies = make_policies(self, self.props["policies"])

    @property
    def desired(self) -> int:
        return self.props["desired_capacity"]

    def connect_in(self, edge, source) -> None:
        if source.kind == "load_balancer":
            self.lb_links.append((source, edge))

    def start(self) -> None:
        for _ in range(self.desired):
            self._launch(up_at_start=True)
        # Each group checks at its own phase, so a failure is not always noticed at once.
        self.kernel.every(HEALTH_SWEEP_S, self._health_sweep, first=self.rng.uniform(0, HEALTH_SWEEP_S))
        for policy in self.policies:
            policy.window.restart()  # the instances up at time 0 are measured from time 0
            self.kernel.every(policy.period, self._evaluate, args=(policy,))
        for spec in self.props["policies"]:
            if spec["type"] == "scheduled":
                self.kernel.at(spec["at_s"], self._scheduled, spec)

    # -- the instances ----------------------------------------------------------------------------
    def in_service(self) -> list[Instance]:
        return [i for i in self.instances if i.state == RUNNING]

    def pending(self) -> list[Instance]:
        return [i for i in self.instances if i.state == PENDING]

    def counts_in_metric(self, inst: Instance, since: float) -> bool:
        return inst.warm_at <= since

    def counted_capacity(self) -> int:
        now = self.kernel.now
        return sum(1 for i in self.in_service() if i.warm_at <= now)

    def backlog(self) -> int:
        return sum(q.visible_count() for q in self.source_queues)

    def _launch(self, up_at_start: bool = False) -> Instance:
        self._n += 1
        inst = Instance(self.world, self, self.world.next_instance_no(), f"{self.id}/i-{self._n}",
                        dict(self.template), self.kernel.stream(f"{self.id}/i-{self._n}"))
        self.instances.append(inst)
        self.world.instances[inst.id] = inst
        self.launched += 1
        for hook in self.on_launch:
            hook(inst)
        if up_at_start:
            inst.state, inst.in_service_at, inst.warm_at = RUNNING, 0.0, 0.0
            self._register(inst, healthy=True)
        else:
            inst.warm_at = math.inf
            self.kernel.after(self.template["boot_time_s"], self._booted, inst)
        return inst

    def _booted(self, inst: Instance) -> None:
        if inst.state != PENDING:
            return
        inst.state, inst.in_service_at = RUNNING, self.kernel.now
        inst.warm_at = self.kernel.now + self.props["default_instance_warmup_s"]
        self._register(inst, healthy=False)
        self.log("in_service", f"Instance {inst.id} is in service after booting for {self.template['boot_time_s']:g} s"
                 + (" and registered with the load balancer" if self.lb_links else ""))
        self._activity_step_done(inst)

    def _register(self, inst: Instance, healthy: bool) -> None:
        for lb, edge in self.lb_links:
            inst.targets.append(lb.register(inst, edge, self.world.edge_prop(edge, "weight"), healthy))

    def _terminate(self, inst: Instance) -> None:
        """Deregister and drain first; the instance ends when every load balancer has let it go."""
        inst.state = TERMINATING
        waiting = [t for t in inst.targets if t.active]
        if not waiting:
            self._ended(inst)
            return
        inst.targets_draining = len(waiting)
        for target in waiting:
            target.lb.deregister(target, partial(self._target_gone, inst))

    def _target_gone(self, inst: Instance) -> None:
        """One load balancer has let inst go; it ends when the last one has."""
        inst.targets_draining -= 1
        if inst.targets_draining == 0:
            self._ended(inst)

    def _ended(self, inst: Instance) -> None:
        inst.terminate()
        self.world.meter.instance_ended(self.id, inst)
        self.instances.remove(inst)
        self.world.instance_gone(inst)
        self.handled_by_gone += inst.handled
        self.terminated += 1
        self._activity_step_done(inst)

    # -- capacity ---------------------------------------------------------------------------------------
    def set_capacity(self, desired: int, reason: str, min_size: int | None = None,
                     max_size: int | None = None) -> list[Instance]:
        """Set min, max and desired; returns the instances the activity launches or terminates."""
        if min_size is not None:
            self.props["min_size"] = min_size
        if max_size is not None:
            self.props["max_size"] = max_size
        lo, hi = self.props["min_size"], self.props["max_size"]
        self.props["desired_capacity"] = max(lo, min(hi, desired))
        return self._reconcile(reason)

    def _reconcile(self, reason: str) -> list[Instance]:
        active = [i for i in self.instances if i.state in (PENDING, RUNNING)]
        gap = self.desired - len(active)
        if gap > 0:
            launched = [self._launch() for _ in range(gap)]
            self.log("scale_out", f"Launching {_count(gap)}: {reason}")
            return launched
        if gap < 0:
            victims = self._choose_victims(active, -gap)
            for inst in victims:
                self._terminate(inst)
            self.log("scale_in", f"Terminating {', '.join(i.id for i in victims)}: {reason}")
            return victims
        return []

    def _choose_victims(self, active: list[Instance], n: int) -> list[Instance]:
        policy, now = self.props["termination_policy"], self.kernel.now
        if policy == "oldest_instance":
            key = lambda i: (i.launched_at, i.no)
        elif policy == "newest_instance":
            key = lambda i: (-i.launched_at, -i.no)
        else:  # default: one launch template, so the instance closest to its next billing hour
            key = lambda i: (-((now - i.launched_at) % BILLING_HOUR_S), self.rng.random())
        return sorted(active, key=key)[:n]

    def _evaluate(self, policy) -> None:
        result = policy.evaluate()
        if result is None:
            return
        proposal, reason = result
        if proposal < self.desired:
            proposal = self._scale_in_to(policy, proposal)
        if proposal != self.desired:
            scale_out = proposal > self.desired
            activity = self.set_capacity(proposal, reason)
            evidence.attach(self.world, self.id, ("scale_out", "scale_in"), evidence.policy_evidence(policy, scale_out))
            if policy.uses_cooldown:
                self._start_activity(activity)

    def _scale_in_to(self, policy, proposal: int) -> int:
        """The capacity a policy's scale-in may go to (the current one: no scale-in). AWS: no dynamic
        scale-in while instances warm up; with several policies, scale in only when every target
        tracking policy with scale-in enabled is ready to, and to the largest capacity any asks for."""
        if any(self.warming(i) for i in self.instances):
            return self.desired
        others = [p for p in self.policies if p is not policy]
        if any(p.holds_capacity(self.desired) for p in others):
            return self.desired
        return max([proposal] + [p.last_proposal for p in others if p.last_proposal is not None])

    def warming(self, inst: Instance) -> bool:
        return inst.state == PENDING or (inst.state == RUNNING and inst.warm_at > self.kernel.now)

    def _start_activity(self, instances: list[Instance]) -> None:
        """AWS: simple scaling's cooldown counts from the END of the scaling activity: launched
        instances in service, terminated ones gone (after draining)."""
        self._activity = {i for i in instances if i.state in (PENDING, TERMINATING)}  # not over yet
        self.cooldown_until = math.inf
        if not self._activity:
            self.cooldown_until = self.kernel.now + self.props["default_cooldown_s"]

    def _activity_step_done(self, inst: Instance) -> None:
        if inst in self._activity:
            self._activity.discard(inst)
            if not self._activity:
                self.cooldown_until = self.kernel.now + self.props["default_cooldown_s"]

    def _scheduled(self, spec: dict) -> None:
        lo = spec.get("min_size", self.props["min_size"])
        hi = spec.get("max_size", self.props["max_size"])
        desired = spec.get("desired_capacity", max(lo, min(hi, self.desired)))
        self.set_capacity(desired, f"scheduled action at {spec['at_s']:g} s (min {lo}, max {hi}, desired {desired})",
                          lo, hi)

    # -- health ------------------------------------------------------------------------------------------
    def _health_sweep(self) -> None:
        now = self.kernel.now
        for inst in list(self.instances):
            if inst.state != RUNNING:
                continue
            if inst.failure == "crash":
                self._replace(inst, "the EC2 status check failed (instance stopped)")
            elif (self.props["health_check_type"] == "ELB"
                  and now - inst.in_service_at >= self.props["health_check_grace_period_s"]
                  and any(t.active and t.health == "unhealthy" for t in inst.targets)):
                self._replace(inst, "the load balancer reports it unhealthy")

    def _replace(self, inst: Instance, why: str) -> None:
        self.log("unhealthy", f"Instance {inst.id} is unhealthy: {why}; replacing it")
        self._terminate(inst)
        self._reconcile(f"replacing unhealthy instance {inst.id}")
        evidence.attach(self.world, self.id, ("unhealthy", "scale_out"), evidence.probe_evidence(inst.targets))

    # -- live changes and reporting ---------------------------------------------------------------------
    def on_prop_changed(self, name: str) -> None:
        if name in ("min_size", "max_size", "desired_capacity"):
            self.set_capacity(self.desired, f"{name} set to {self.props[name]}")
        elif name == "instance":
            self.template = {**self.template, **self.props["instance"]}
            for inst in self.instances:
                for key, value in self.props["instance"].items():
                    inst.set_prop(key, value)

    def handled(self) -> int:
        return self.handled_by_gone + sum(i.handled for i in self.instances)

    def totals(self) -> dict[str, Any]:
        return {"handled": self.handled(), "launched": self.launched, "terminated": self.terminated}

    def sample(self, interval: float) -> dict[str, float]:
        live = self.in_service()
        areas = {i.no: i.busy_area() for i in live}
        cpus = [100.0 * (a - self._area_at_sample.get(no, a)) / (interval * i.concurrency)
                for (no, a), i in zip(areas.items(), live) if no in self._area_at_sample]
        self._area_at_sample = areas
        return {"in_service": len(live), "pending": len(self.pending()), "desired": self.desired,
                "cpu_utilization": sum(cpus) / len(cpus) if cpus else 0.0}

    def state(self) -> dict[str, Any]:
        return {"desired": self.desired, "min": self.props["min_size"], "max": self.props["max_size"],
                "in_service": len(self.in_service()), "instances": [i.state_dict() for i in self.instances]}


def _count(n: int) -> str:
    return f"{n} instance" + ("" if n == 1 else "s")
