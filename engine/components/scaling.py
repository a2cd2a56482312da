"""Scaling policies: each evaluates the group's metric and proposes a desired capacity, with a reason.

The group owns the instances; a policy only reads metrics and proposes. Metrics (FORMAT.md 1.1):
cpu_utilization (busy request slots in percent), request_count_per_target (per minute) and
backlog_per_instance (visible messages of the queues the group consumes), measured over the
policy's evaluation period on in-service instances past their warm-up.
"""
from __future__ import annotations

import math
from collections import deque
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from engine.components.autoscaling import AutoScalingGroup

METRIC_WORDS = {"cpu_utilization": ("average CPU", "%"), "request_count_per_target": ("requests per target", "/min"),
                "backlog_per_instance": ("backlog per instance", " messages")}
POINTS_KEPT = 20       # datapoints a policy remembers, for the evidence of its activities
SCALE_IN_MARGIN = 0.9  # AWS scales in only when the metric is somewhat below the target


def describe(metric: str, value: float) -> str:
    words, unit = METRIC_WORDS[metric]
    return f"{words} {value:.0f}{unit}"


class MetricWindow:
    """Measures a group's metric over the time since the previous measurement."""

    def __init__(self, group: "AutoScalingGroup") -> None:
        self.group = group
        self.points: deque = deque(maxlen=POINTS_KEPT)   # (start, end, value): the evidence of an activity
        self.restart()

    def restart(self) -> None:
        """Start a window now, from the instances in service now."""
        g = self.group
        self.t = g.kernel.now
        self.marks: dict[int, tuple[float, int]] = {i.no: (i.busy_area(), i.accepted) for i in g.in_service()}

    def measure(self, metric: str) -> tuple[float | None, float]:
        """(metric value or None without data, the total it averages) and start a new window."""
        g, now = self.group, self.group.kernel.now
        span = now - self.t
        counted = [i for i in g.in_service() if i.no in self.marks and g.counts_in_metric(i, self.t)]
        value: float | None = None
        total = 0.0
        if metric == "backlog_per_instance":
            total = float(g.backlog())
            value = total / max(1, len(g.in_service()))
        elif counted and span > 0:
            if metric == "cpu_utilization":
                each = [(i.busy_area() - self.marks[i.no][0]) / (span * i.concurrency) for i in counted]
                value = 100.0 * sum(each) / len(each)
            else:
                reqs = sum(i.accepted - self.marks[i.no][1] for i in counted)
                value = reqs / len(counted) * 60.0 / span
            total = value * len(counted)
        self.points.append((self.t, now, value))
        self.t = now
        self.marks = {i.no: (i.busy_area(), i.accepted) for i in g.in_service()}
        return value, total


class Policy:
    def __init__(self, group: "AutoScalingGroup", spec: dict) -> None:
        self.group, self.spec = group, spec
        self.window = MetricWindow(group)
        self.last_proposal: int | None = None

    uses_cooldown = False   # only simple scaling waits for the group's cooldown

    @property
    def period(self) -> float:
        return self.spec.get("evaluation_period_s", 60.0)

    def evaluate(self) -> tuple[int, str] | None:
        raise NotImplementedError

    def holds_capacity(self, desired: int) -> bool:
        """True if this policy keeps another policy from scaling in below `desired`."""
        return self.last_proposal is not None and self.last_proposal >= desired


class TargetTracking(Policy):
    def __init__(self, group, spec) -> None:
        super().__init__(group, spec)
        self.above = self.below = 0
        self.needed = 0

    def evaluate(self) -> tuple[int, str] | None:
        s, g = self.spec, self.group
        value, total = self.window.measure(s["metric"])
        if value is None:
            self.above = self.below = 0
            return None
        target = s["target"]
        self.above = self.above + 1 if value > target else 0
        self.below = self.below + 1 if value < SCALE_IN_MARGIN * target else 0
        self.needed = needed = math.ceil(total / target - 1e-9)
        span = f"{self.period:g} s"
        self.last_proposal = None
        if self.above >= s["scale_out_datapoints"] and needed > g.desired:
            self.last_proposal = needed
            return needed, (f"{describe(s['metric'], value)} stayed above the target of {target:g} "
                            f"for {self.above} periods of {span}")
        if self.ready_to_scale_in(g.desired):
            self.last_proposal = max(needed, g.desired - 1)  # scale in gradually, one at a time
            return self.last_proposal, (f"{describe(s['metric'], value)} stayed below the target of {target:g} "
                                        f"for {self.below} periods of {span}")
        return None

    def ready_to_scale_in(self, desired: int) -> bool:
        s = self.spec
        return not s["disable_scale_in"] and self.below >= s["scale_in_datapoints"] and self.needed < desired

    def holds_capacity(self, desired: int) -> bool:
        """AWS: the group scales in only when every target tracking policy with scale-in enabled is
        ready to; a policy with scale-in disabled has no say."""
        return not self.spec["disable_scale_in"] and not self.ready_to_scale_in(desired)


class StepScaling(Policy):
    def evaluate(self) -> tuple[int, str] | None:
        s, g = self.spec, self.group
        value, _ = self.window.measure(s["metric"])
        if value is None:
            return None
        step = next((st for st in s["steps"] if st.get("lower", -math.inf) <= value < st.get("upper", math.inf)), None)
        if step is None:
            self.last_proposal = None
            return None
        adj, kind = step["adjustment"], s["adjustment_type"]
        # Capacity still warming up is not counted, so one breach does not add capacity twice.
        base = g.counted_capacity() if adj > 0 else g.desired
        if kind == "exact_capacity":
            new = int(adj)
        elif kind == "percent_change_in_capacity":
            change = base * adj / 100.0
            new = base + (max(1, math.floor(change)) if adj > 0 else -max(1, math.floor(-change)))
        else:
            new = base + int(adj)
        new = max(new, g.desired) if adj > 0 and kind != "exact_capacity" else new
        self.last_proposal = new
        if new == g.desired:
            return None
        return new, f"{describe(s['metric'], value)} is in the step {_bounds(step)} (adjustment {adj:+g})"


class SimpleScaling(Policy):
    uses_cooldown = True

    def evaluate(self) -> tuple[int, str] | None:
        s, g = self.spec, self.group
        value, _ = self.window.measure(s["metric"])
        if value is None or g.kernel.now < g.cooldown_until:
            return None
        op = s["comparison"]
        hit = {">": value > s["threshold"], ">=": value >= s["threshold"],
               "<": value < s["threshold"], "<=": value <= s["threshold"]}[op]
        if not hit:
            return None
        return g.desired + s["adjustment"], (f"{describe(s['metric'], value)} {op} {s['threshold']:g}; "
                                             f"a cooldown of {g.props['default_cooldown_s']:g} s follows "
                                             "once this activity completes")


def _bounds(step: dict) -> str:
    lo, hi = step.get("lower"), step.get("upper")
    return f"[{'' if lo is None else f'{lo:g}'}, {'' if hi is None else f'{hi:g}'})"


POLICY_CLASSES: dict[str, type[Policy]] = {"target_tracking": TargetTracking, "step": StepScaling,
                                           "simple": SimpleScaling}


def make_policies(group: "AutoScalingGroup", specs: list[dict[str, Any]]) -> list[Policy]:
    return [POLICY_CLASSES[s["type"]](group, s) for s in specs if s["type"] in POLICY_CLASSES]
