"""Checks one prop value against its PropSpec and returns it in canonical form.

Every refusal raises PropError with a message in plain words and, for nested values, the path
inside the value (".mean", "[2].target") so the loader can name the exact JSON path.
"""
from __future__ import annotations

import copy
import math
from typing import Any, Callable


class PropError(ValueError):
    def __init__(self, message: str, subpath: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.subpath = subpath


QUOTE_CHARS = 60  # a refusal quotes at most this much of a bad value


def quote(value: Any) -> str:
    """repr() of a value for a refusal message, cut to QUOTE_CHARS with an ellipsis."""
    try:
        text = repr(value)
    except ValueError:  # an integer too long for Python to print
        text = f"<a whole number of about {int(value.bit_length() * 0.30103)} digits>"
    return text if len(text) <= QUOTE_CHARS else text[:QUOTE_CHARS - 1] + "…"


def copy_value(value: Any) -> Any:
    return copy.deepcopy(value)


def _is_number(value: Any) -> bool:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # a whole number beyond the range of a float
        return False


def number(value: Any, lo: float | None = None, hi: float | None = None, unit: str = "",
           integer: bool = False, subpath: str = "") -> float:
    kind = "a whole number" if integer else "a number"
    if isinstance(value, float) and not math.isfinite(value):
        kind = "a finite number"
    if not _is_number(value) or (integer and isinstance(value, float) and not value.is_integer()):
        raise PropError(f"must be {kind}, not {quote(value)}", subpath)
    u = f" {unit}" if unit else ""
    if lo is not None and value < lo:
        raise PropError(f"{value}{u} is below the minimum of {_fmt(lo)}{u}", subpath)
    if hi is not None and value > hi:
        raise PropError(f"{value}{u} is above the maximum of {_fmt(hi)}{u}", subpath)
    return int(value) if integer else float(value)


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _mapping(value: Any, what: str, subpath: str = "") -> dict:
    if not isinstance(value, dict):
        raise PropError(f"must be an object ({what}), not {quote(value)}", subpath)
    return value


def _only_keys(value: dict, allowed: set[str], subpath: str = "") -> None:
    for key in value:
        if key not in allowed:
            raise PropError(f"unknown field {quote(key)} (expected {', '.join(sorted(allowed))})", f"{subpath}.{key}")


DIST_FIELDS = {"exponential": ("mean",), "constant": ("value",), "uniform": ("low", "high"), "lognormal": ("mean", "cv")}
DIST_LIMITS = (0.0, 86400.0)   # every field of a distribution spec
PATTERN_FIELDS = {"steady": {}, "sine": {"period_s": (1.0, 1e7), "amplitude": (0.0, 1.0)},
                  "ramp": {"to_rps": (0.0, 1e6), "over_s": (0.0, 1e7)},
                  "spike": {"at_s": (0.0, 1e7), "duration_s": (0.0, 1e7), "factor": (0.0, 1000.0)}}


def check_distribution(value: Any, subpath: str = "") -> dict:
    d = _mapping(value, 'e.g. {"dist": "exponential", "mean": 0.1}', subpath)
    fields = DIST_FIELDS
    name = d.get("dist")
    if not isinstance(name, str) or name not in fields:
        raise PropError(f"dist must be one of {', '.join(fields)}, not {quote(name)}", subpath + ".dist")
    _only_keys(d, {"dist", *fields[name]}, subpath)
    out: dict[str, Any] = {"dist": name}
    for f in fields[name]:
        if f not in d:
            raise PropError(f"a {name} distribution needs {quote(f)}", subpath)
        out[f] = number(d[f], *DIST_LIMITS, subpath=f"{subpath}.{f}")
    if name == "uniform" and out["low"] > out["high"]:
        raise PropError("low must not be above high", subpath)
    if name == "exponential" and out["mean"] <= 0:
        raise PropError("mean must be above 0", subpath + ".mean")
    return out


def check_pattern(value: Any, subpath: str = "") -> dict:
    d = _mapping(value, 'e.g. {"type": "sine", "period_s": 600, "amplitude": 0.5}', subpath)
    spec = PATTERN_FIELDS
    name = d.get("type")
    if not isinstance(name, str) or name not in spec:
        raise PropError(f"type must be one of {', '.join(spec)}, not {quote(name)}", subpath + ".type")
    _only_keys(d, {"type", *spec[name]}, subpath)
    out: dict[str, Any] = {"type": name}
    for f, (lo, hi) in spec[name].items():
        if f not in d:
            raise PropError(f"a {name} pattern needs {quote(f)}", subpath)
        out[f] = number(d[f], lo, hi, subpath=f"{subpath}.{f}")
    return out


HEALTH_CHECK_LIMITS = {"interval_s": (5, 300, False), "timeout_s": (2, 120, False),
                       "healthy_threshold": (2, 10, True), "unhealthy_threshold": (2, 10, True)}
HEALTH_CHECK_DEFAULT = {"interval_s": 30, "timeout_s": 5, "healthy_threshold": 5, "unhealthy_threshold": 2}


def check_health_check(value: Any, subpath: str = "") -> dict:
    d = _mapping(value, "interval_s, timeout_s, healthy_threshold, unhealthy_threshold", subpath)
    _only_keys(d, set(HEALTH_CHECK_LIMITS), subpath)
    out = dict(HEALTH_CHECK_DEFAULT)
    for f, (lo, hi, integer) in HEALTH_CHECK_LIMITS.items():
        if f in d:
            out[f] = number(d[f], lo, hi, "s" if f.endswith("_s") else "", integer, f"{subpath}.{f}")
    if out["timeout_s"] >= out["interval_s"]:
        raise PropError("timeout_s must be shorter than interval_s", subpath + ".timeout_s")
    return out


def check_attributes(value: Any, subpath: str = "") -> dict:
    d = _mapping(value, 'e.g. {"event_type": {"values": ["a", "b"], "weights": [0.8, 0.2]}}', subpath)
    out = {}
    for name, gen in d.items():
        p = f"{subpath}.{name}"
        g = _mapping(gen, '{"values": [...], "weights": [...]} or {"uniform": [low, high]}', p)
        if "uniform" in g:
            _only_keys(g, {"uniform"}, p)
            lo_hi = g["uniform"]
            if not (isinstance(lo_hi, list) and len(lo_hi) == 2):
                raise PropError("uniform must be [low, high]", p + ".uniform")
            lo, hi = (number(x, subpath=p + ".uniform") for x in lo_hi)
            if lo > hi:
                raise PropError("uniform low must not be above high", p + ".uniform")
            out[name] = {"uniform": [lo, hi]}
            continue
        _only_keys(g, {"values", "weights"}, p)
        values = g.get("values")
        if not isinstance(values, list) or not values:
            raise PropError("values must be a non-empty list", p + ".values")
        for i, v in enumerate(values):
            if not (isinstance(v, str) or _is_number(v)):
                raise PropError(f"a value must be a string or a number, not {quote(v)}", f"{p}.values[{i}]")
        weights = g.get("weights", [1.0] * len(values))
        if not isinstance(weights, list) or len(weights) != len(values):
            raise PropError("weights must be a list as long as values", p + ".weights")
        weights = [number(w, 0.0, subpath=p + ".weights") for w in weights]
        if sum(weights) <= 0:
            raise PropError("weights must not all be 0", p + ".weights")
        out[name] = {"values": list(values), "weights": weights}
    return out


def check_node_ref(value: Any, subpath: str = "") -> str:
    if not isinstance(value, str) or not value:
        raise PropError(f"must be a node id, not {quote(value)}", subpath)
    return value


def check(spec: Any, value: Any) -> Any:
    if value is None:
        if spec.nullable:
            return None
        raise PropError("must have a value (null is not allowed here)")
    return _CHECKERS[spec.type](spec, value)


def _check_choice(spec: Any, value: Any) -> str:
    if value not in spec.choices:
        raise PropError(f"must be one of {', '.join(spec.choices)}, not {quote(value)}")
    return value


def _check_bool(spec: Any, value: Any) -> bool:
    if not isinstance(value, bool):
        raise PropError(f"must be true or false, not {quote(value)}")
    return value


def _check_str(spec: Any, value: Any) -> str:
    if not isinstance(value, str):
        raise PropError(f"must be a string, not {quote(value)}")
    return value


_CHECKERS: dict[str, Callable[[Any, Any], Any]] = {
    "int": lambda s, v: number(v, s.min, s.max, s.unit, integer=True),
    "float": lambda s, v: number(v, s.min, s.max, s.unit),
    "bool": _check_bool,
    "choice": _check_choice,
    "str": _check_str,
    "distribution": lambda s, v: check_distribution(v),
    "pattern": lambda s, v: check_pattern(v),
    "health_check": lambda s, v: check_health_check(v),
    "attributes": lambda s, v: check_attributes(v),
    "node_ref": lambda s, v: check_node_ref(v),
}


def register_checker(type_name: str, checker: Callable[[Any, Any], Any]) -> None:
    """Add a checker for a prop type that needs more than this module knows (engine.registry adds
    the instance template, scaling policies and filter policies)."""
    _CHECKERS[type_name] = checker
