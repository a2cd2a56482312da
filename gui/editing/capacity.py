"""An Auto Scaling group's three sizes: min_size <= desired_capacity <= max_size (AWS refuses
anything else). When one edit would break the order, say so in words under the field and offer the
edit that moves the other sizes along, as one undo step."""
from __future__ import annotations

from typing import Any

from engine.model import Document
from gui.editing import commands
from gui.editing.forms.labels import words

SIZES = ("min_size", "desired_capacity", "max_size")


def _sizes(doc: Document, node_id: str) -> dict[str, int]:
    node = doc.nodes[node_id]
    return {k: node.prop(k) for k in SIZES}


def proposal(doc: Document, node_id: str, prop: str, value: Any) -> tuple[str, dict[str, int]] | None:
    """(why, the sizes to set) when setting prop to value breaks min <= desired <= max, else None."""
    if node_id not in doc.nodes or doc.nodes[node_id].kind != "auto_scaling_group" or prop not in SIZES:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        return None
    old = _sizes(doc, node_id)
    new = dict(old, **{prop: value})
    if new["min_size"] <= new["desired_capacity"] <= new["max_size"]:
        return None
    if prop == "min_size":
        new["desired_capacity"], new["max_size"] = max(old["desired_capacity"], value), max(old["max_size"], value)
    elif prop == "max_size":
        new["desired_capacity"], new["min_size"] = min(old["desired_capacity"], value), min(old["min_size"], value)
    else:
        new["min_size"], new["max_size"] = min(old["min_size"], value), max(old["max_size"], value)
    broken = [k for k in SIZES if k != prop and new[k] != old[k]]
    relation = "above" if SIZES.index(prop) < SIZES.index(broken[0]) else "below"
    why = (f"{words(prop)} {value} is {relation} the {words(broken[0]).lower()} {old[broken[0]]}: "
           f"AWS needs minimum ≤ desired ≤ maximum")
    return why, {prop: value, **{k: new[k] for k in broken}}


def button_text(prop: str, sizes: dict[str, int]) -> str:
    others = [f"{words(k).lower()} to {v}" for k, v in sizes.items() if k != prop]
    return "Also set " + " and ".join(others)


def command(doc: Document, node_id: str, sizes: dict[str, int]) -> commands.Macro:
    """The sizes set together: one undo step."""
    macro = commands.Macro(f"Set the sizes of {doc.nodes[node_id].name}")
    for key in sizes:
        macro.add(commands.SetProp, doc, node_id, key, sizes[key])
    return macro
