"""Scaling policies of an Auto Scaling group: checking their JSON form (FORMAT.md 1.1)."""
from __future__ import annotations

import math
from typing import Any

from engine.propcheck import PropError, number, quote

METRICS = ("cpu_utilization", "request_count_per_target", "backlog_per_instance")
ADJUSTMENT_TYPES = ("change_in_capacity", "exact_capacity", "percent_change_in_capacity")
COMPARISONS = (">", ">=", "<", "<=")

TARGET_TRACKING_DEFAULTS = {"disable_scale_in": False, "evaluation_period_s": 60,
                            "scale_out_datapoints": 3, "scale_in_datapoints": 15}


def _fields(p: dict, required: tuple[str, ...], optional: tuple[str, ...], where: str) -> None:
    for key in p:
        if key not in required + optional + ("type",):
            raise PropError(f"unknown field {quote(key)} in a {p['type']} policy", f"{where}.{key}")
    for key in required:
        if key not in p:
            raise PropError(f"a {p['type']} policy needs {quote(key)}", where)


def _metric(p: dict, where: str) -> str:
    if p.get("metric") not in METRICS:
        raise PropError(f"metric must be one of {', '.join(METRICS)}, not {quote(p.get('metric'))}", where + ".metric")
    return p["metric"]


def _target_tracking(p: dict, where: str) -> dict:
    _fields(p, ("metric", "target"), tuple(TARGET_TRACKING_DEFAULTS), where)
    out = {"type": "target_tracking", "metric": _metric(p, where),
           "target": number(p["target"], 0.001, 1e9, subpath=where + ".target")}
    out.update(TARGET_TRACKING_DEFAULTS)
    if "disable_scale_in" in p:
        if not isinstance(p["disable_scale_in"], bool):
            raise PropError("disable_scale_in must be true or false", where + ".disable_scale_in")
        out["disable_scale_in"] = p["disable_scale_in"]
    if "evaluation_period_s" in p:
        out["evaluation_period_s"] = number(p["evaluation_period_s"], 1, 86400, "s",
                                            subpath=where + ".evaluation_period_s")
    for key in ("scale_out_datapoints", "scale_in_datapoints"):
        if key in p:
            out[key] = number(p[key], 1, 1000, integer=True, subpath=f"{where}.{key}")
    return out


def _step(p: dict, where: str) -> dict:
    _fields(p, ("metric", "steps"), ("adjustment_type", "evaluation_period_s"), where)
    adj = p.get("adjustment_type", "change_in_capacity")
    if adj not in ADJUSTMENT_TYPES:
        raise PropError(f"adjustment_type must be one of {', '.join(ADJUSTMENT_TYPES)}", where + ".adjustment_type")
    steps = p["steps"]
    if not isinstance(steps, list) or not steps:
        raise PropError("steps must be a non-empty list", where + ".steps")
    out_steps = []
    for i, s in enumerate(steps):
        sw = f"{where}.steps[{i}]"
        if not isinstance(s, dict) or "adjustment" not in s:
            raise PropError('a step is {"lower": L, "upper": U, "adjustment": N}', sw)
        for key in s:
            if key not in ("lower", "upper", "adjustment"):
                raise PropError(f"unknown field {quote(key)} in a step", f"{sw}.{key}")
        step = {"adjustment": number(s["adjustment"], -10000, 10000, integer=adj != "percent_change_in_capacity",
                                     subpath=sw + ".adjustment")}
        for bound in ("lower", "upper"):
            if s.get(bound) is not None:
                step[bound] = number(s[bound], subpath=f"{sw}.{bound}")
        if "lower" in step and "upper" in step and step["lower"] >= step["upper"]:
            raise PropError("lower must be below upper", sw)
        out_steps.append(step)
    _check_step_ranges(out_steps, where)
    return {"type": "step", "metric": _metric(p, where), "adjustment_type": adj, "steps": out_steps,
            "evaluation_period_s": number(p.get("evaluation_period_s", 60), 1, 86400, "s",
                                          subpath=where + ".evaluation_period_s")}


def _check_step_ranges(steps: list[dict], where: str) -> None:
    """AWS's rules for step adjustments (PutScalingPolicy), on FlowDeck's absolute metric bounds.

    Not both bounds open in one step; at most one step with no lower bound and one with no upper
    bound; sorted by lower bound, each step starts where the one before ends (no gap, no overlap);
    and the steps reach to one side of the alarm threshold without end (a range closed at both
    ends would leave AWS a bound beyond the threshold with no open-ended step after it).
    """
    lowest = -math.inf
    order = sorted(range(len(steps)), key=lambda i: steps[i].get("lower", lowest))
    for name in ("lower", "upper"):
        open_ended = [i for i in order if name not in steps[i]]
        if len(open_ended) > 1:
            raise PropError(f"steps [{open_ended[0]}] and [{open_ended[1]}] both have no {name} bound; "
                            "AWS allows that for one step only", f"{where}.steps[{open_ended[1]}]")
    for i in order:
        if "lower" not in steps[i] and "upper" not in steps[i]:
            raise PropError("a step needs a lower or an upper bound (AWS refuses a step with neither)",
                            f"{where}.steps[{i}]")
    for before, after in zip(order, order[1:]):
        end, start = steps[before].get("upper", math.inf), steps[after]["lower"]
        if end != start:
            problem = "overlaps" if end > start else "leaves a gap after"
            raise PropError(f"step [{after}] (from {start:g}) {problem} step [{before}] "
                            f"(to {_bound(end)}): AWS needs step ranges that touch, with no gap and no overlap",
                            f"{where}.steps[{after}]")
    first, last = steps[order[0]], steps[order[-1]]
    if "lower" in first and "upper" in last:
        raise PropError(f"the steps cover {first['lower']:g} to {last['upper']:g} only: AWS needs the step "
                        "with the highest range to have no upper bound or the lowest to have no lower bound",
                        f"{where}.steps[{order[-1]}]")


def _bound(x: float) -> str:
    return "no upper bound" if math.isinf(x) else f"{x:g}"


def _simple(p: dict, where: str) -> dict:
    _fields(p, ("metric", "comparison", "threshold", "adjustment"), ("evaluation_period_s",), where)
    if p["comparison"] not in COMPARISONS:
        raise PropError(f"comparison must be one of {', '.join(COMPARISONS)}", where + ".comparison")
    return {"type": "simple", "metric": _metric(p, where), "comparison": p["comparison"],
            "threshold": number(p["threshold"], subpath=where + ".threshold"),
            "adjustment": number(p["adjustment"], -10000, 10000, integer=True, subpath=where + ".adjustment"),
            "evaluation_period_s": number(p.get("evaluation_period_s", 60), 1, 86400, "s",
                                          subpath=where + ".evaluation_period_s")}


def _scheduled(p: dict, where: str) -> dict:
    _fields(p, ("at_s",), ("min_size", "max_size", "desired_capacity"), where)
    out: dict[str, Any] = {"type": "scheduled", "at_s": number(p["at_s"], 0, 1e9, "s", subpath=where + ".at_s")}
    for key in ("min_size", "max_size", "desired_capacity"):
        if key in p:
            out[key] = number(p[key], 0, 1000, integer=True, subpath=f"{where}.{key}")
    if len(out) == 2:
        raise PropError("a scheduled action sets at least one of min_size, max_size, desired_capacity", where)
    return out


_BUILDERS = {"target_tracking": _target_tracking, "step": _step, "simple": _simple, "scheduled": _scheduled}


def check_policies(value: Any) -> list[dict]:
    if not isinstance(value, list):
        raise PropError(f"must be a list of policies, not {quote(value)}")
    out = []
    for i, p in enumerate(value):
        where = f"[{i}]"
        if not isinstance(p, dict) or not isinstance(p.get("type"), str) or p["type"] not in _BUILDERS:
            raise PropError(f"a policy is an object whose type is one of {', '.join(_BUILDERS)}", where)
        out.append(_BUILDERS[p["type"]](p, where))
    return out
