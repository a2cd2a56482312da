"""The sentences of a trace: why the load balancer chose a target, why a request ended as it did.

Read-only: these functions look at component state at the moment of the decision and never draw
from a random stream or change anything.
"""
from __future__ import annotations

from typing import Any

ALGORITHM_WORDS = {"round_robin": "round robin", "least_outstanding_requests": "least outstanding requests",
                   "weighted_random": "weighted random", "random": "random"}


def lb_decision(lb: Any, targets: list, target: Any, now: float) -> str:
    """The load balancer's choice in words: algorithm, candidates, target, slow start, fail open."""
    algorithm = lb.props["algorithm"]
    n, name = len(targets), target.inst.id
    fail_open = all(t.health == "unhealthy" for t in targets)
    pool = f"{n} {'unhealthy (fail open: every target is unhealthy, so all get traffic)' if fail_open else 'healthy'} target{'s' if n != 1 else ''}"
    if algorithm == "least_outstanding_requests":
        loads = ", ".join(f"{t.inst.id}: {t.outstanding}" for t in targets)
        text = f"least outstanding requests: {name} had the fewest in progress of {pool} ({loads})"
    elif algorithm == "weighted_random":
        weights = ", ".join(f"{t.inst.id}: {t.weight:g}" for t in targets)
        text = f"weighted random: drew {name} among {pool} (weights {weights})"
    elif algorithm == "random":
        text = f"random: drew {name} among {pool}"
    else:
        text = f"round robin: {name} is next of {pool}"
    slow = lb.props["slow_start_s"]
    warming = [t for t in targets if slow > 0 and t.healthy_since is not None and now - t.healthy_since < slow]
    if warming:
        parts = ", ".join(f"{t.inst.id} at {100 * (now - t.healthy_since) / slow:.0f} %" for t in warming)
        text += f"; slow start of {slow:g} s ramps new targets up ({parts})"
    return text


def no_target(lb: Any) -> str:
    draining = sum(t.draining for t in lb.targets)
    if not lb.targets:
        return f"{lb.name} had no registered target to send it to"
    return f"{lb.name} had no target to send it to ({len(lb.targets)} registered, {draining} draining)"


def instance_reply(inst: Any, status: int, hop: dict[str, Any]) -> str:
    """Why an instance answered as it did, from its state at that moment."""
    name = inst.id
    if status == 200:
        return f"200: answered by {name}"
    if status == 503:
        return f"503: backlog of {name} was full at {inst.max_backlog}"
    if status == 500:
        if inst.failure == "error":
            return f"500: {name} has an injected error failure ({100 * inst.fail_factor:g} % of requests fail)"
        return f"500: the application on {name} failed (error rate {100 * inst.error_rate:g} %)"
    if status == 502:
        if inst.state == "pending":
            return f"502: {name} was still booting (pending)"
        if inst.state == "terminated":
            return f"502: {name} was terminated while it held the request"
        if inst.failure == "crash":
            late = hop["depart_s"] > hop["arrive_s"]
            return f"502: {name} {'crashed while it held the request' if late else 'had crashed (connection refused)'}"
        return f"502: {name} could not answer"
    return f"{status}: from {name}"


def gateway_timeout(lb: Any, hop: dict[str, Any]) -> str:
    idle = lb.props["idle_timeout_s"]
    where = hop.get("instance", hop["node"])
    inst = lb.world.instances.get(where)
    if inst is not None and inst.failure == "hang":
        return f"504: {where} hung (it took the request and never answered) past {lb.name}'s idle timeout of {idle:g} s"
    if "started_s" in hop or hop.get("service_s"):
        return f"504: {where} did not answer within {lb.name}'s idle timeout of {idle:g} s"
    return f"504: waited in the backlog of {where} past {lb.name}'s idle timeout of {idle:g} s"


def client_timeout(client: Any, hops: list[dict[str, Any]]) -> str:
    where = hops[-1].get("instance", hops[-1]["node"]) if hops else "the load balancer"
    return f"timeout: {client.name} gave up after {client.props['timeout_s']:g} s (the request was at {where})"


def summary_hops(tr: Any, r: Any, status: str, now: float) -> None:
    """Fill an unsampled request's short trace from what its Request holds at the end."""
    target = getattr(r, "target", None)
    if target is None or not hasattr(target, "inst"):
        tr.reason = f"{status}: the load balancer had no target to send it to"
        return
    inst = target.inst
    tr.hops.append({"node": target.lb.id, "target": inst.id, "decision": f"sent to {inst.id}"})
    tr.hops.append({"node": inst.owner.id, "instance": inst.id})
    if status == "timeout":
        tr.reason = f"timeout: the client gave up (the request was sent to {inst.id})"
    elif status == "502" and inst.failure == "crash":
        tr.reason = f"502: {inst.id} had crashed"
    elif status == "503":
        tr.reason = f"503: backlog of {inst.id} was full at {inst.max_backlog}"
    else:
        tr.reason = f"{status} from {inst.id} (not sampled: only the outcome is known)"
