"""Scenario actions (FORMAT.md 1.3) and the live controls that share their effects."""
from __future__ import annotations

import json
from functools import partial
from typing import Any, Callable

from engine import registry
from engine.components.autoscaling import AutoScalingGroup
from engine.components.instance import RUNNING, Instance
from engine.world import World

RAMP_STEPS_PER_S = 4  # a ramped set changes the value this many times a second


def schedule(world: World, actions: list[dict[str, Any]], on_pause: Callable[[dict], None] | None = None) -> None:
    """Put every scenario action on the kernel's clock. The heap holds partials of this module's
    functions and plain data, never closures, so a checkpoint pickles it; the pause hook (the live
    view's) lives on the world and is left out of checkpoints."""
    world.on_pause = on_pause
    for act in sorted(actions, key=lambda a: a["at_s"]):
        world.kernel.at(act["at_s"], partial(_apply_scheduled, world), act)


def _apply_scheduled(world: World, act: dict[str, Any]) -> None:
    apply(world, act, world.on_pause)


def apply(world: World, act: dict[str, Any], on_pause: Callable[[dict], None] | None = None) -> None:
    kind = act["action"]
    if kind == "set":
        set_prop(world, act["target"], act["prop"], act["value"], act.get("ramp_s", 0.0))
    elif kind == "fail":
        fail(world, act["target"], act["mode"], act.get("count", 1), act.get("factor", 1.0), act.get("duration_s"))
    elif kind == "recover":
        recover(world, act["target"])
    elif kind == "caption":
        world.log("", "caption", act["text"])
    elif kind == "pause":
        world.log("", "pause", act.get("text", "Paused"))
        if on_pause:
            on_pause(act)


def set_prop(world: World, target: str, prop: str, value: Any, ramp_s: float = 0.0) -> str | None:
    """Change a node or edge prop now, or linearly over ramp_s for numbers. A change the engine
    refuses (see _refusal) is logged and returned, and the prop keeps its value."""
    refused = _refusal(world, target, prop, value)
    if refused:
        world.log(target, "refused", refused)
        return refused
    start = current(world, target, prop)
    numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (start, value))
    if ramp_s > 0 and numeric:
        steps = max(1, int(ramp_s * RAMP_STEPS_PER_S))
        low, high = min(start, value), max(start, value)
        for i in range(1, steps + 1):
            frac = i / steps
            v = start + (value - start) * frac
            v = round(v) if isinstance(value, int) and isinstance(start, int) else v
            v = min(high, max(low, v))   # rounding must not step past the end (and out of range)
            world.kernel.after(ramp_s * frac, partial(_write_unless_refused, world, target, prop), v)
        world.log(target, "set", f"{prop} ramps from {start:g} to {value:g} over {ramp_s:g} s")
    else:
        _write(world, target, prop, value)
        world.log(target, "set", f"{prop} set to {_show(value)}")
    return None


def _refusal(world: World, target: str, prop: str, value: Any) -> str | None:
    """Why the engine refuses this change, or None. A weighted_random load balancer must keep a
    weight above zero (AWS refuses a listener rule whose target group weights are all zero)."""
    if target in world.components:
        lb = world.components[target]
        if prop != "algorithm" or value != "weighted_random":
            return None
        weights = [e.props["weight"] for e in world.edges if e.source == target and "weight" in e.props]
    elif prop == "weight":
        edge = world.edge_by_id[target]
        lb = world.components[edge.source]
        if lb.props.get("algorithm") != "weighted_random":
            return None
        weights = [value if e is edge else e.props["weight"]
                   for e in world.edges if e.source == edge.source and "weight" in e.props]
    else:
        return None
    if any(w > 0 for w in weights):
        return None
    return (f"Refused: {prop} {_show(value)} would leave every weight of {lb.id} at 0 under weighted_random "
            "(AWS refuses weights that are all zero); the weights stay as they were")


def _write_unless_refused(world: World, target: str, prop: str, value: Any) -> None:
    """One step of a ramp: written unless a change made since would make it refused."""
    refused = _refusal(world, target, prop, value)
    if refused:
        world.log(target, "refused", refused)
    else:
        _write(world, target, prop, value)


def current(world: World, target: str, prop: str) -> Any:
    if target in world.components:
        return world.components[target].props.get(prop)
    return world.edge_by_id[target].props.get(prop)


def canonical(world: World, target: str, prop: str, value: Any) -> Any:
    """value as the engine holds it for target's prop (defaults filled in, numbers as floats)."""
    if target in world.components:
        return registry.KINDS[world.components[target].kind].prop(prop).check(value)
    edge = world.edge_by_id[target]
    kinds = (world.doc.nodes[edge.source].kind, world.doc.nodes[edge.target].kind)
    return registry.connection(*kinds).prop(prop).check(value)


def _write(world: World, target: str, prop: str, value: Any) -> None:
    if target in world.components:
        world.components[target].set_prop(prop, value)
    else:
        edge = world.edge_by_id[target]
        value = canonical(world, target, prop, value)
        edge.props[prop] = value
        if prop == "latency_ms":
            edge.latency = value / 1000.0
        elif prop == "weight":  # load balancers keep each target's weight: change theirs too
            for tg in getattr(world.components[edge.source], "targets", ()):
                if tg.edge is edge:
                    tg.weight = value


def _show(value: Any) -> str:
    """A value as the topology file writes it (JSON), never a Python repr."""
    return f"{value:g}" if isinstance(value, float) else value if isinstance(value, str) else json.dumps(value)


def _instances_for(world: World, target: str, count: int) -> list[Instance]:
    if target in world.instances:
        return [world.instances[target]]
    group = world.components.get(target)
    if isinstance(group, AutoScalingGroup):
        live = [i for i in group.instances if i.state == RUNNING and i.failure is None]
        return live[:count]
    return []


def fail(world: World, target: str, mode: str, count: int = 1, factor: float = 1.0,
         duration_s: float | None = None) -> list[str]:
    """Inject a failure into an instance, a group's first `count` healthy instances, or one runtime
    instance; or (mode "error") into a Lambda function or the consumers of a queue."""
    if _fail_messaging(world, target, mode, factor, duration_s):
        return []
    victims = _instances_for(world, target, count)
    words = {"crash": "crashes", "hang": "hangs (stops answering)", "slow": f"slows down x{factor:g}",
             "error": f"fails {factor:.0%} of its requests"}[mode]
    for inst in victims:
        inst.fail(mode, factor)
        world.log(inst.owner.id, "failure", f"Instance {inst.id} {words}"
                  + (f" for {duration_s:g} s" if duration_s else ""))
        if duration_s:
            world.kernel.after(duration_s, partial(_recover_instance, world), inst)
    if not victims:
        world.log(target, "failure", f"No running instance of {target} to fail ({mode})")
    return [i.id for i in victims]


def _fail_messaging(world: World, target: str, mode: str, factor: float, duration_s: float | None) -> bool:
    """A Lambda function's invocations fail (its error rate becomes factor), or a consumer bug makes
    factor of the messages received from a queue fail (not deleted, they come back after the
    visibility timeout and, past the redrive policy's receive count, go to the dead-letter queue).
    True when target is one of those."""
    comp = world.components.get(target)
    kind = getattr(comp, "kind", None)
    if kind not in ("lambda_function", "sqs_queue"):
        return False
    if mode != "error":
        world.log(target, "refused", f"Refused: a {kind.replace('_', ' ')} fails only in mode error, not {mode}")
        return True
    if kind == "lambda_function":
        comp.injected_error_rate = factor
        words = "Every invocation fails" if factor >= 1 else f"{factor:.0%} of the invocations fail"
    else:
        comp.consumer_bug = factor
        words = "A consumer bug: " + ("every message received fails" if factor >= 1 else
                                      f"{factor:.0%} of the messages received fail")
    world.log(target, "failure", words + (f" for {duration_s:g} s" if duration_s else ""))
    if duration_s:
        world.kernel.after(duration_s, partial(_recover_messaging, world), target)
    return True


def _recover_messaging(world: World, target: str) -> bool:
    comp = world.components.get(target)
    if getattr(comp, "kind", None) == "lambda_function" and comp.injected_error_rate is not None:
        comp.injected_error_rate = None
    elif getattr(comp, "kind", None) == "sqs_queue" and comp.consumer_bug:
        comp.consumer_bug = 0.0
    else:
        return False
    world.log(target, "recover", "Recovered: " + ("invocations fail at the function's own error rate"
                                                  if comp.kind == "lambda_function" else "the consumers work again"))
    return True


def recover(world: World, target: str) -> None:
    if _recover_messaging(world, target):
        return
    if target in world.instances:
        insts = [world.instances[target]]
    else:
        group = world.components.get(target)
        insts = list(group.instances) if isinstance(group, AutoScalingGroup) else []
    for inst in insts:
        if inst.failure is not None:
            _recover_instance(world, inst)


def _recover_instance(world: World, inst: Instance) -> None:
    if inst.failure is None or inst.state not in (RUNNING, "terminating"):
        return
    inst.recover()
    world.log(inst.owner.id, "recover", f"Instance {inst.id} recovered")
