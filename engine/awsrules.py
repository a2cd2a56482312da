"""Combinations of props that AWS refuses, though each value alone is in range.

`prop_problems` for a node or a connection and `consumer_edge_problem` for an SQS consumer edge
(whose limits depend on the queue's type too), for every caller: the loader refuses a file with
any of these, and the app's inspector can ask them before applying an edit. It takes props as written (defaults
filled in here) and returns (prop name, message) pairs, empty when AWS would accept them.
"""
from __future__ import annotations

from typing import Any, Iterable

from engine import registry
from engine.propcheck import quote

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


RECEIVE_MAX = 10   # messages one SQS ReceiveMessage returns; the batch limit of EC2 consumers and FIFO sources


def consumer_edge_problem(source_kind: str, source_fifo: bool, target_kind: str, edge_id: str,
                          props: dict[str, Any]) -> tuple[str, str] | None:
    """(prop, why) when an SQS consumer edge asks for what AWS refuses, else None. The edge is named
    because the limit depends on both of its ends; values of the wrong type are left to PropSpec.check."""
    if source_kind != "sqs_queue" or target_kind == "sqs_queue":
        return None
    batch = props.get("batch_size")
    if not isinstance(batch, (int, float)) or isinstance(batch, bool):
        batch = None
    if target_kind != "lambda_function":
        if "maximum_concurrency" in props:
            return "maximum_concurrency", (f"edge {quote(edge_id)}: maximum_concurrency is a setting of a Lambda event "
                                           "source mapping (SQS queue → Lambda function) only")
        if batch is not None and batch > RECEIVE_MAX:
            return "batch_size", (f"edge {quote(edge_id)}: batch_size {batch} is above {RECEIVE_MAX}, the most one "
                                  "ReceiveMessage returns to an EC2 consumer")
    elif source_fifo and batch is not None and batch > RECEIVE_MAX:
        return "batch_size", (f"edge {quote(edge_id)}: batch_size {batch} is above {RECEIVE_MAX}, the most Lambda takes "
                              "from a FIFO queue (up to 10,000 only for a standard queue)")
    return None
