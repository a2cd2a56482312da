"""Scaling policies of an Auto Scaling group: checking their JSON form (FORMAT.md 1.1)."""
from __future__ import annotations

from typing import Any

from engine.propcheck import PropError, number

METRICS = ("cpu_utilization", "request_count_per_target", "backlog_per_instance")
ADJUSTMENT_TYPES = ("change_in_capacity", "exact_capacity", "percent_change_in_capacity")
COMPARISONS = (">", ">=", "<", "<=")

TARGET_TRACKING_DEFAULTS = {"disable_scale_in": False, "evaluation_period_s": 60,
                            "scale_out_datapoints": 3, "scale_in_datapoints": 15}


def _fields(p: dict, required: tuple[str, ...], optional: tuple[str, ...], where: str) -> None:
    for key in p:
        if key not in required + optional + ("type",):
            raise PropError(f"unknown field {key!r} in a {p['type']} policy", f"{where}.{key}")
    for key in required:
        if key not in p:
            raise PropError(f"a {p['type']} policy needs {key!r}", where)


def _metric(p: dict, where: str) -> str:
    if p.get("metric") not in METRICS:
        raise PropError(f"metric must be one of {', '.join(METRICS)}, not {p.get('metric')!r}", where + ".metric")
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
                raise PropError(f"unknown field {key!r} in a step", f"{sw}.{key}")
        step = {"adjustment": number(s["adjustment"], -10000, 10000, integer=adj != "percent_change_in_capacity",
                                     subpath=sw + ".adjustment")}
        for bound in ("lower", "upper"):
            if s.get(bound) is not None:
                step[bound] = number(s[bound], subpath=f"{sw}.{bound}")
        if "lower" in step and "upper" in step and step["lower"] >= step["upper"]:
            raise PropError("lower must be below upper", sw)
        out_steps.append(step)
    return {"type": "step", "metric": _metric(p, where), "adjustment_type": adj, "steps": out_steps,
            "evaluation_period_s": number(p.get("evaluation_period_s", 60), 1, 86400, "s",
                                          subpath=where + ".evaluation_period_s")}


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
        raise PropError(f"must be a list of policies, not {value!r}")
    out = []
    for i, p in enumerate(value):
        where = f"[{i}]"
        if not isinstance(p, dict) or not isinstance(p.get("type"), str) or p["type"] not in _BUILDERS:
            raise PropError(f"a policy is an object whose type is one of {', '.join(_BUILDERS)}", where)
        out.append(_BUILDERS[p["type"]](p, where))
    return out
