"""Scenario actions (FORMAT.md 1.3) as the scenario editor makes and changes them, with no Qt.

Every function returns a new list (the document's own list is only ever replaced by an undo
command), so an edit can be checked on a copy before it is pushed.
"""
from __future__ import annotations

import copy
from typing import Any

from engine import registry
from engine.model import Document

FAILABLE = ("ec2_instance", "auto_scaling_group")
FAIL_MODES = ("crash", "hang", "slow", "error")
SLOW_FACTOR, ERROR_FACTOR = 3.0, 0.5
SPIKE_FACTOR, SPIKE_S = 5.0, 60.0
CAPTION_TEXT = "What to watch now"
ACTION_NAMES = {"caption": "caption", "pause": "pause cue", "fail": "failure", "recover": "recovery",
                "set": "setting"}


def clock(t: float) -> str:
    minutes, seconds = divmod(max(0.0, t), 60.0)
    return f"{int(minutes)}:{seconds:04.1f}" if seconds % 1 else f"{int(minutes)}:{int(seconds):02d}"


def caption(at: float, text: str = CAPTION_TEXT, duration_s: float | None = None) -> dict[str, Any]:
    act: dict[str, Any] = {"at_s": at, "action": "caption", "text": text}
    if duration_s is not None:
        act["duration_s"] = duration_s
    return act


def pause(at: float, text: str = "") -> dict[str, Any]:
    act: dict[str, Any] = {"at_s": at, "action": "pause"}
    if text:
        act["text"] = text
    return act


def fail(at: float, target: str, mode: str = "crash", count: int = 1) -> dict[str, Any]:
    act: dict[str, Any] = {"at_s": at, "action": "fail", "target": target, "mode": mode, "count": count}
    if mode == "slow":
        act["factor"] = SLOW_FACTOR
    elif mode == "error":
        act["factor"] = ERROR_FACTOR
    return act


def recover(at: float, target: str) -> dict[str, Any]:
    return {"at_s": at, "action": "recover", "target": target}


def set_prop(at: float, target: str, prop: str, value: Any) -> dict[str, Any]:
    return {"at_s": at, "action": "set", "target": target, "prop": prop, "value": copy.deepcopy(value)}


def spike(at: float, client: str, factor: float = SPIKE_FACTOR, duration_s: float = SPIKE_S) -> dict[str, Any]:
    """A client's traffic × factor for a while: its `pattern` set to a spike starting now."""
    pattern = {"type": "spike", "at_s": at, "duration_s": duration_s, "factor": factor}
    return set_prop(at, client, "pattern", pattern)


def is_spike(act: dict[str, Any]) -> bool:
    value = act.get("value")
    return act.get("action") == "set" and act.get("prop") == "pattern" and isinstance(value, dict) \
        and value.get("type") == "spike"


def describe(act: dict[str, Any], doc: Document | None = None) -> str:
    """One line for a marker's tooltip, a menu or an undo step: '1:20 crash Web tier'."""
    kind, target = act["action"], act.get("target", "")
    name = doc.nodes[target].name if doc is not None and target in doc.nodes else target
    if kind in ("caption", "pause"):
        what = f"{ACTION_NAMES[kind]} “{act.get('text', '')}”" if act.get("text") else ACTION_NAMES[kind]
    elif kind == "fail":
        what = f"{act['mode']} {name}"
    elif kind == "recover":
        what = f"recover {name}"
    elif is_spike(act):
        what = f"spike {name} ×{act['value'].get('factor', 1):g} for {act['value'].get('duration_s', 0):g} s"
    else:
        what = f"set {name} {act.get('prop')} = {act.get('value')}"
    return f"{clock(act['at_s'])} {what}"


def added(scenario: list[dict[str, Any]], act: dict[str, Any]) -> list[dict[str, Any]]:
    return copy.deepcopy(scenario) + [copy.deepcopy(act)]


def replaced(scenario: list[dict[str, Any]], index: int, act: dict[str, Any]) -> list[dict[str, Any]]:
    out = copy.deepcopy(scenario)
    out[index] = copy.deepcopy(act)
    return out


def removed(scenario: list[dict[str, Any]], index: int) -> list[dict[str, Any]]:
    out = copy.deepcopy(scenario)
    del out[index]
    return out


def moved(scenario: list[dict[str, Any]], index: int, at: float) -> list[dict[str, Any]]:
    """The action at index moved to time `at`; a spike's own start moves with it."""
    act = copy.deepcopy(scenario[index])
    shift = at - act["at_s"]
    act["at_s"] = at
    if is_spike(act) and isinstance(act["value"].get("at_s"), (int, float)):
        act["value"]["at_s"] = max(0.0, act["value"]["at_s"] + shift)
    return replaced(scenario, index, act)


def failable_nodes(doc: Document) -> list[str]:
    return [n.id for n in doc.nodes.values() if n.kind in FAILABLE]


def clients(doc: Document) -> list[str]:
    return [n.id for n in doc.nodes.values() if n.kind == "client"]


def settable_props(doc: Document, target: str) -> list[str]:
    """The props a `set` action may change on a node: those the registry lists for its kind."""
    node = doc.nodes.get(target)
    if node is None or node.kind not in registry.KINDS:
        return []
    return [p.name for p in registry.KINDS[node.kind].props]
