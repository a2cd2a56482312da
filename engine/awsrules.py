"""Combinations of props that AWS refuses, though each value alone is in range.

One function, `prop_problems`, for every caller: the loader refuses a file with any of these, and
the app's inspector can ask it before applying an edit. It takes props as written (defaults
filled in here) and returns (prop name, message) pairs, empty when AWS would accept them.
"""
from __future__ import annotations

from typing import Any, Iterable

from engine import registry

SLOW_START_MIN_S = 30.0  # AWS: 0 (off) or 30-900 seconds
RAW_DELIVERY_TARGETS = ("sqs_queue", "load_balancer", "ec2_instance", "auto_scaling_group")  # SQS, HTTP/S


def prop_problems(kind: str, props: dict[str, Any], target_kind: str | None = None,
                  edges: Iterable[dict[str, Any]] = ()) -> list[tuple[str, str]]:
    """What AWS would refuse in the props of one node or one connection.

    A node: `kind` and its `props`; `edges` are the props of its outgoing edges (a load balancer's
    target weights). A connection: `kind` → `target_kind` and the edge's `props`.
    """
    if target_kind is not None:
        return _connection_problems(kind, target_kind, props)
    if kind == "load_balancer":
        return _load_balancer_problems(props, list(edges))
    return []


def _value(props: dict[str, Any], spec: registry.PropSpec | None, name: str) -> Any:
    if name in props:
        return props[name]
    return spec.default if spec else None


def _load_balancer_problems(props: dict[str, Any], edges: list[dict[str, Any]]) -> list[tuple[str, str]]:
    kind = registry.KINDS["load_balancer"]
    algorithm = _value(props, kind.prop("algorithm"), "algorithm")
    slow_start = _value(props, kind.prop("slow_start_s"), "slow_start_s")
    out = []
    if 0 < slow_start < SLOW_START_MIN_S:
        out.append(("slow_start_s", f"slow_start_s {slow_start:g} s is refused by AWS: "
                                    f"0 (off) or {SLOW_START_MIN_S:g}-900 s"))
    if slow_start and algorithm == "least_outstanding_requests":
        out.append(("slow_start_s", f"slow start ({slow_start:g} s) cannot be combined with the "
                                    "least_outstanding_requests algorithm (AWS does not allow it): "
                                    "set slow_start_s to 0 or choose another algorithm"))
    weights = [e.get("weight", 1.0) for e in edges]
    if algorithm == "weighted_random" and weights and not any(weights):
        out.append(("algorithm", f"weighted_random with every target weight 0 "
                                 f"({len(weights)} target{'s' if len(weights) > 1 else ''}): "
                                 "AWS refuses a rule whose weights are all zero"))
    return out


def _connection_problems(source: str, target: str, props: dict[str, Any]) -> list[tuple[str, str]]:
    if source == "sns_topic" and props.get("raw_message_delivery") and target not in RAW_DELIVERY_TARGETS:
        return [("raw_message_delivery", "raw message delivery is only for SQS and HTTP/S subscriptions, "
                                         f"not for a subscription to {target} (AWS refuses it)")]
    return []
