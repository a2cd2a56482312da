"""Reading template values FlowDeck cares about: numbers and booleans that often come as strings."""
from __future__ import annotations

import json
import math
from typing import Any


def number(v: Any) -> float | None:
    """A finite number from 3, 3.5, "3" or " 3.5 "; None when the value is not a number."""
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return float(v) if math.isfinite(v) else None
    if isinstance(v, str):
        try:
            x = float(v.strip())
        except ValueError:
            return None
        return x if math.isfinite(x) else None
    return None


def whole(v: Any) -> int | None:
    x = number(v)
    return int(x) if x is not None and x.is_integer() else None


def flag(v: Any) -> bool | None:
    """true/false, also as the strings "true" and "false" (any case)."""
    if isinstance(v, bool):
        return v
    if isinstance(v, str) and v.strip().lower() in ("true", "false"):
        return v.strip().lower() == "true"
    return None


def json_object(v: Any) -> dict | None:
    """A JSON object given inline or as a JSON string (RedrivePolicy, FilterPolicy)."""
    if isinstance(v, dict):
        return v
    if isinstance(v, str):
        try:
            out = json.loads(v)
        except ValueError:
            return None
        return out if isinstance(out, dict) else None
    return None


def as_list(v: Any) -> list:
    if v is None:
        return []
    return v if isinstance(v, list) else [v]
