"""Metering inside a run: what the bill needs but no counter of a component keeps.

Most billed quantities are counters the components keep anyway (requests received, publishes,
deliveries, receive calls, invocations); engine.costs.bill reads them at the end. This module keeps
the rest: the billed seconds of instances that have ended (they leave the world), the usage of each
load balancer hour as it closes (an LCU-hour is priced per hour, by the largest of its four
dimensions), and the two per-message helpers components call. It draws no random numbers and is
plain data, so it pickles with a checkpoint.
"""
from __future__ import annotations

import math
from typing import Any

from engine.costs import prices

HOUR_S = 3600.0
GB = 1024 ** 3   # AWS bills data in GB of 2**30 bytes
CHUNK_BYTES = int(prices.value("sqs", "chunk_bytes"))


def billed_ms(run_s: float) -> int:
    """Lambda rounds each invocation's duration up to the next millisecond (0.2 s is 200 ms, not 201)."""
    return math.ceil(run_s * 1000.0 - 1e-6)


def sqs_chunks(size_bytes: int) -> int:
    """SQS bills every started 64 KB chunk of a request's payload as one request."""
    return 1 + max(0, size_bytes - 1) // CHUNK_BYTES


def message_chunks(msg: Any) -> int:
    """The billed requests of sending msg's body. A flat object of short values (what generated
    messages are) is far under 64 KB: counted without encoding it, which would cost every send."""
    body = msg.body
    if isinstance(body, dict) and len(body) < 100:
        size = 0
        for key, value in body.items():
            if isinstance(value, str):
                size += len(value)
            elif not isinstance(value, (int, float, bool, type(None))):
                break
            size += len(key) + 32
        else:
            if size * 4 < CHUNK_BYTES:   # 4: the most bytes a character takes in UTF-8, escaped or not
                return 1
    return sqs_chunks(len(msg.body_text().encode("utf-8")))


def ec2_billed_s(launched_at: float, ended_at: float) -> float:
    """Per-second billing with a minimum of 60 s from the launch."""
    return max(prices.value("ec2", "billing"), ended_at - launched_at)


class AlbUsage:
    """Cumulative usage of one load balancer: new connections, connection-seconds, bytes processed,
    rule evaluations beyond the free ones. The model has no keep-alive: each request is a connection."""

    __slots__ = ("new_connections", "connection_s", "bytes", "rule_evaluations")

    def __init__(self, new_connections: float = 0.0, connection_s: float = 0.0, bytes_: float = 0.0,
                 rule_evaluations: float = 0.0) -> None:
        self.new_connections, self.connection_s = new_connections, connection_s
        self.bytes, self.rule_evaluations = bytes_, rule_evaluations

    def minus(self, other: "AlbUsage") -> "AlbUsage":
        return AlbUsage(self.new_connections - other.new_connections, self.connection_s - other.connection_s,
                        self.bytes - other.bytes, self.rule_evaluations - other.rule_evaluations)

    def lcu_dimensions(self) -> dict[str, float]:
        """The LCUs each dimension alone would need for this hour's usage (AWS's LCU definition)."""
        lcu = ("elb", "lcu")
        return {
            "new_connections": self.new_connections / HOUR_S / prices.value(*lcu, "new_connections_per_s"),
            "active_connections": self.connection_s / HOUR_S / prices.value(*lcu, "active_connections_per_min"),
            "processed_bytes": self.bytes / GB / prices.value(*lcu, "processed_gb_per_hour"),
            "rule_evaluations": self.rule_evaluations / HOUR_S / prices.value(*lcu, "rule_evaluations_per_s"),
        }

    def lcu(self) -> float:
        """An hour's LCUs: the LARGEST dimension, not the sum."""
        return max(self.lcu_dimensions().values())

    def __getstate__(self) -> tuple:
        return (self.new_connections, self.connection_s, self.bytes, self.rule_evaluations)

    def __setstate__(self, state: tuple) -> None:
        self.new_connections, self.connection_s, self.bytes, self.rule_evaluations = state


class Meter:
    """One per world (world.meter)."""

    def __init__(self, world: Any) -> None:
        self.world = world
        self.ec2_ended: dict[str, float] = {}      # node id -> USD of its instances that have ended
        self.ec2_ended_s: dict[str, float] = {}    # node id -> their billed seconds
        self.lcu_hours: dict[str, float] = {}      # load balancer id -> LCU-hours of the closed hours
        self._hour_start: dict[str, AlbUsage] = {}
        self.hours_closed = 0

    def start(self) -> None:
        lbs = [c for c in self.world.components.values() if c.kind == "load_balancer"]
        if lbs:
            self._hour_start = {lb.id: AlbUsage() for lb in lbs}
            self.lcu_hours = {lb.id: 0.0 for lb in lbs}
            self.world.kernel.every(HOUR_S, self._close_hour)

    def instance_ended(self, node_id: str, inst: Any) -> None:
        """An instance of node_id has terminated: its bill is final."""
        seconds = ec2_billed_s(inst.launched_at, self.world.kernel.now)
        price = prices.ec2_hourly(inst.props["instance_type"])
        self.ec2_ended[node_id] = self.ec2_ended.get(node_id, 0.0) + seconds * price / HOUR_S
        self.ec2_ended_s[node_id] = self.ec2_ended_s.get(node_id, 0.0) + seconds

    def _close_hour(self) -> None:
        for lb_id, start in self._hour_start.items():
            now = alb_usage(self.world, lb_id)
            self.lcu_hours[lb_id] += now.minus(start).lcu()
            self._hour_start[lb_id] = now
        self.hours_closed += 1

    def hour_so_far(self, lb_id: str, usage: AlbUsage | None = None) -> AlbUsage:
        """Usage of the hour in progress (billed as a whole hour: 'or partial hour'), from the
        cumulative usage now (given, or measured)."""
        return (usage or alb_usage(self.world, lb_id)).minus(self._hour_start[lb_id])


def alb_usage(world: Any, lb_id: str) -> AlbUsage:
    """Cumulative usage of a load balancer, from the counters of the load balancer and its clients."""
    lb = world.components[lb_id]
    connection_s = bytes_ = 0.0
    for client in world.components.values():
        if client.kind != "client" or not client.lb_edges:
            continue
        share = sum(1 for _, target in client.lb_edges if target is lb) / len(client.lb_edges)
        if share:
            connection_s += share * client.latency_total()
            bytes_ += share * (client.sent * client.props["request_bytes"]
                               + client.completed * client.props["response_bytes"])
    rules = 1   # one listener with its default rule: within the free ones
    free = prices.value("elb", "lcu", "free_rules")
    return AlbUsage(float(lb.received), connection_s, bytes_, lb.received * max(0.0, rules - free))
