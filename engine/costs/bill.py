"""The bill of a run so far: per node, what was metered and what it costs (the report's `cost`
block, FORMAT.md 4.2), from the components' own counters and the world's meter."""
from __future__ import annotations

import math
from typing import Any, Callable

from engine.costs import prices
from engine.costs.meter import GB, HOUR_S, alb_usage, ec2_billed_s

SERVICES = ("ec2", "elb", "sns", "sqs", "lambda")
MILLION = 1e6
TERMINATED = "terminated"


def _ec2(world: Any, comp: Any) -> tuple[float, dict[str, Any]]:
    """Ended instances as metered when they ended; live ones (booting included: AWS bills from
    the running state, which the model's boot time is part of) up to now, at least 60 s each."""
    now = world.kernel.now
    usd = world.meter.ec2_ended.get(comp.id, 0.0)
    seconds = world.meter.ec2_ended_s.get(comp.id, 0.0)
    by_type: dict[str, int] = {}
    live = comp.instances() if callable(comp.instances) else comp.instances   # a group's list, or [the instance]
    for inst in live:
        if inst.state != TERMINATED:
            billed = ec2_billed_s(inst.launched_at, now)
            kind = inst.props["instance_type"]
            usd += billed * prices.ec2_hourly(kind) / HOUR_S
            seconds += billed
            by_type[kind] = by_type.get(kind, 0) + 1
    return usd, {"instance_seconds": round(seconds, 3), "running_by_type": by_type}


def _elb(world: Any, comp: Any) -> tuple[float, dict[str, Any]]:
    """Every hour begun is a billed hour; LCU-hours of the closed hours plus the one in progress."""
    hours = max(1, math.ceil(world.kernel.now / HOUR_S - 1e-9))
    usage = alb_usage(world, comp.id)
    current = world.meter.hour_so_far(comp.id, usage)
    lcu_hours = world.meter.lcu_hours[comp.id] + current.lcu()
    usd = hours * prices.value("elb", "alb_hour") + lcu_hours * prices.value("elb", "lcu_hour")
    return usd, {"alb_hours": hours, "lcu_hours": round(lcu_hours, 6),
                 "lcu_this_hour": {k: round(v, 6) for k, v in current.lcu_dimensions().items()},
                 "new_connections": int(usage.new_connections), "processed_gb": round(usage.bytes / GB, 6)}


def _sns(world: Any, comp: Any) -> tuple[float, dict[str, Any]]:
    deliveries: dict[str, int] = {}
    for sub in comp.subscriptions:
        deliveries[sub.protocol] = deliveries.get(sub.protocol, 0) + sub.delivered
    usd = comp.published * prices.value("sns", "publish") / MILLION
    usd += sum(n * prices.value("sns", "delivery", proto) / MILLION for proto, n in deliveries.items())
    return usd, {"publishes": comp.published, "deliveries": deliveries}


def _sqs(world: Any, comp: Any) -> tuple[float, dict[str, Any]]:
    """Sends (by 64 KB chunk, SNS deliveries included), every ReceiveMessage call (empty ones too)
    and every DeleteMessage."""
    deletes = comp.deleted + comp.delete_failures
    requests = comp.send_chunks + comp.receive_calls + deletes
    price = prices.value("sqs", "fifo_request" if comp.fifo else "standard_request")
    return requests * price / MILLION, {"requests": requests, "send_chunks": comp.send_chunks,
                                        "receives": comp.receive_calls, "empty_receives": comp.empty_receives,
                                        "deletes": deletes}


def _lambda(world: Any, comp: Any) -> tuple[float, dict[str, Any]]:
    gb_s = comp.mb_ms / 1024.0 / 1000.0
    usd = comp.invocations * prices.value("lambda", "request") / MILLION + gb_s * prices.value("lambda", "gb_second")
    return usd, {"requests": comp.invocations, "gb_seconds": round(gb_s, 6)}


METERS: dict[str, tuple[str, Callable[[Any, Any], tuple[float, dict[str, Any]]]]] = {
    "ec2_instance": ("ec2", _ec2), "auto_scaling_group": ("ec2", _ec2), "load_balancer": ("elb", _elb),
    "sns_topic": ("sns", _sns), "sqs_queue": ("sqs", _sqs), "lambda_function": ("lambda", _lambda),
}


def node_costs(world: Any) -> dict[str, tuple[str, float, dict[str, Any]]]:
    """node id -> (service, USD so far, what was metered), for every billed node."""
    out = {}
    for node_id, comp in world.components.items():
        meter = METERS.get(comp.kind)
        if meter is not None:
            usd, usage = meter[1](world, comp)
            out[node_id] = (meter[0], usd, usage)
    return out


def cost_block(world: Any) -> dict[str, Any]:
    """The report's `cost` (FORMAT.md 4.2)."""
    nodes = node_costs(world)
    by_service = {s: 0.0 for s in SERVICES}
    for service, usd, _ in nodes.values():
        by_service[service] += usd
    return {"currency": "USD", "prices": prices.label(), "total_usd": round(sum(by_service.values()), 6),
            "by_node": {nid: round(usd, 6) for nid, (_, usd, _) in nodes.items()},
            "by_service": {s: round(v, 6) for s, v in by_service.items()}}


def metering(world: Any) -> dict[str, Any]:
    """What was metered per node (the report's `metering`, beside `cost`)."""
    return {nid: {"service": service, **usage} for nid, (service, _, usage) in node_costs(world).items()}


def hourly_now(world: Any) -> float:
    """The time-based part of the bill, in USD per hour: instances alive now and load balancers."""
    usd = 0.0
    for inst in world.instances.values():
        if inst.state != TERMINATED:
            usd += prices.ec2_hourly(inst.props["instance_type"])
    lbs = sum(1 for c in world.components.values() if c.kind == "load_balancer")
    return usd + lbs * prices.value("elb", "alb_hour")


COST_SERIES = "cost/run"   # the run's own series: no node id holds a '/'


def time_based_usd(world: Any, nodes: dict[str, tuple[str, float, dict[str, Any]]]) -> float:
    """The part of the bill that accrues with time, not use: instances and load balancer hours."""
    usd = sum(cost for service, cost, _ in nodes.values() if service == "ec2")
    return usd + sum(m["alb_hours"] * prices.value("elb", "alb_hour") for s, _, m in nodes.values() if s == "elb")


def sample(world: Any, interval: float, usage_before: float) -> tuple[dict[str, dict[str, float]], float]:
    """The cost series of one sample: each billed node's `cost_usd` so far, and the run's
    `total_usd` and `per_hour_usd` (what it costs an hour now: the instances and load balancers
    alive, plus the use-based charges of the interval that just ended, per hour). Returns them
    with the use-based total to pass as usage_before next time."""
    nodes = node_costs(world)
    total = sum(usd for _, usd, _ in nodes.values())
    usage = total - time_based_usd(world, nodes)
    rate = hourly_now(world) + max(0.0, usage - usage_before) / interval * HOUR_S if interval > 0 else 0.0
    out = {nid: {"cost_usd": usd} for nid, (_, usd, _) in nodes.items()}
    out[COST_SERIES] = {"total_usd": total, "per_hour_usd": rate}
    return out, usage
