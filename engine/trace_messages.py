"""The trace of one message copy: filter verdicts, SNS tries, queue receives, dead-letter moves,
Lambda starts and throttles, and its final state (FORMAT.md 4.3). The messaging components call
these hooks only when `msg.trace` is not None."""
from __future__ import annotations

from typing import Any

from engine import filter_policy
from engine.trace import legs_out


class MessageTrace:
    __slots__ = ("tracer", "id", "origin", "t0", "end", "status", "reason", "attributes", "hops", "legs",
                 "deliveries", "receives", "copies", "sampled", "body")

    kind = "message"

    def __init__(self, tracer: Any, trace_id: str, origin: str, t0: float, attributes: dict, body: Any = None) -> None:
        self.tracer, self.id, self.origin, self.t0 = tracer, trace_id, origin, t0
        self.attributes = dict(attributes)
        self.body = body
        self.end: float | None = None
        self.status = self.reason = ""
        self.hops: list[dict[str, Any]] = []
        self.legs: list[tuple] = []
        self.deliveries: list[dict[str, Any]] | None = None
        self.receives: list[dict[str, Any]] = []
        self.copies = 0
        self.sampled = True

    def leg(self, edge: Any, instance_no: int, now: float, kind: int) -> None:
        self.legs.append((edge.index, instance_no, now, now + edge.latency, kind))   # rounded when reported

    def event(self, node: str, now: float, text: str, **extra: Any) -> None:
        self.hops.append({"node": node, "arrive_s": now, "depart_s": now, "decision": text, **extra})

    def finish(self, status: str, reason: str, now: float) -> None:
        if self.end is not None:
            return
        self.end, self.status, self.reason = now, status, reason
        self.tracer.finished(self, None)

    # -- SNS ---------------------------------------------------------------------------------------------
    def verdict(self, sub: Any, matched: bool, msg: Any) -> None:
        if self.deliveries is None:
            self.deliveries = []
        self.deliveries.append({"edge": sub.edge.id, "endpoint": sub.endpoint.id, "matched": matched,
                                "reason": filter_reason(sub.edge.props, msg, matched), "attempts": 0})

    def for_copy(self, copy_id: int, sub: Any, now: float) -> "MessageTrace":
        """The trace of the copy this publish made for sub: it shares the verdicts of the publish."""
        self.copies += 1
        tr = MessageTrace(self.tracer, f"{self.id}.{self.copies}", self.origin, self.t0, self.attributes, self.body)
        tr.hops, tr.legs, tr.deliveries = list(self.hops), list(self.legs), self.deliveries
        tr.event(sub.topic.id, now, f"copy for {sub.endpoint.name} ({sub.protocol}): the filter policy matched")
        self.tracer.active[tr.id] = tr
        return tr

    def published(self, topic: Any, now: float) -> None:
        """The fan-out is over: the publish's own trace ends (filtered_out if it made no copy)."""
        self.tracer.active.pop(self.id, None)
        if self.copies == 0:
            self.event(topic.id, now, "no subscription's filter policy matched")
            self.finish("filtered_out", f"no subscription of {topic.name} matched", now)

    def attempt(self, sub: Any, tries: int, now: float) -> None:
        for d in self.deliveries or ():
            if d["edge"] == sub.edge.id:
                d["attempts"] = tries
        if tries > 1:
            self.event(sub.topic.id, now, f"delivery try {tries} to {sub.endpoint.name}")

    def try_failed(self, sub: Any, tries: int, delay: float | None, now: float) -> None:
        if delay is None:
            self.event(sub.topic.id, now, f"{sub.schedule.name} retry policy exhausted after {tries} tries")
        else:
            self.event(sub.topic.id, now, f"{sub.endpoint.name} refused try {tries}: next try in {delay:g} s "
                                          f"({sub.schedule.name} retry policy)")

    # -- SQS -------------------------------------------------------------------------------------------------
    def enqueued(self, queue: Any, now: float, delay: float) -> None:
        text = f"in {queue.name}" + (f", delayed {delay:g} s" if delay > 0 else "")
        self.hops.append({"node": queue.id, "arrive_s": now, "depart_s": None, "decision": text})

    def received(self, queue: Any, m: Any, now: float) -> None:
        self._end_receive("visible again: the visibility timeout ran out", now)
        self._left(queue, now)
        self.receives.append({"t_s": now, "queue": queue.id, "consumer": "", "receive_count": m.receive_count,
                              "visible_at_s": m.visible_at, "outcome": ""})

    def _left(self, queue: Any, now: float) -> None:
        for hop in reversed(self.hops):
            if hop["node"] == queue.id and hop["depart_s"] is None:
                hop["depart_s"] = now
                return

    def consumer(self, name: str) -> None:
        if self.receives and not self.receives[-1]["consumer"]:
            self.receives[-1]["consumer"] = name

    def receive_failed(self, why: str, now: float) -> None:
        self._end_receive(why, now)

    def _end_receive(self, outcome: str, now: float) -> None:
        if self.receives and not self.receives[-1]["outcome"]:
            self.receives[-1]["outcome"] = outcome

    def redriven(self, queue: Any, limit: int, now: float) -> None:
        self._end_receive("visible again: the visibility timeout ran out", now)
        self._left(queue, now)
        self.event(queue.id, now, f"receive count {len(self.receives)} reached maxReceiveCount {limit}: "
                                  f"moved to the dead-letter queue")
        self.leg(queue.dlq_edge, -1, now, 4)

    def deleted(self, queue: Any, now: float) -> None:
        self._end_receive("deleted", now)
        by = self.receives[-1]["consumer"] if self.receives else "a consumer"
        self.finish("deleted", f"processed by {by or 'a consumer'} and deleted from {queue.name}", now)

    # -- Lambda ----------------------------------------------------------------------------------------------
    def invoked(self, fn: Any, cold: bool, now: float) -> None:
        how = f"cold start (+{fn.props['cold_start_s']:g} s)" if cold else "warm start"
        self.event(fn.id, now, f"{fn.name} invoked: {how}, {fn.running} running")
        self.consumer(fn.id)

    def throttled(self, fn: Any, now: float) -> None:
        self.event(fn.id, now, f"{fn.name} throttled: {fn.running} running, limit {fn.concurrency_limit()}")

    def to_dict(self) -> dict[str, Any]:
        def r6(v: Any) -> Any:
            return round(v, 6) if isinstance(v, float) else v
        out = {"id": self.id, "kind": "message", "origin": self.origin, "t0_s": r6(self.t0),
               "end_s": r6(self.end), "attributes": self.attributes, "body": self.body,
               "outcome": {"status": self.status or "in_flight", "reason": self.reason},
               "hops": [{k: r6(v) for k, v in h.items()} for h in self.hops],
               "receives": [{k: r6(v) for k, v in rc.items()} for rc in self.receives],
               "legs": legs_out(self.legs)}
        if self.deliveries is not None:
            out["deliveries"] = [dict(d) for d in self.deliveries]
        return out


def filter_reason(props: dict, msg: Any, matched: bool) -> str:
    """Which key of a subscription's filter policy decided, in words (engine.filter_policy decides)."""
    policy = props.get("filter_policy")
    if policy is None:
        return "no filter policy: every message matches"
    scope = props.get("filter_policy_scope") or "MessageAttributes"
    where = "body" if scope == "MessageBody" else "attributes"
    for key, spec in policy.items():
        single = {key: spec}
        if not filter_policy.matches(single, msg.attributes, body=msg.body, scope=scope):
            if key == filter_policy.OR_KEY:
                return f"none of the $or alternatives matched the {where}"
            value = _value(msg, key, scope)
            return f"key {key!r}: {value} does not match {_short(spec)}"
    keys = ", ".join(repr(k) for k in policy)
    if not matched:
        return f"each key matched alone ({keys}), but no one object of the {where} matched them all"
    return f"every key of the policy matched the {where} ({keys})"


def _value(msg: Any, key: str, scope: str) -> str:
    source = msg.body if scope == "MessageBody" else msg.attributes
    if isinstance(source, dict) and key in source:
        return repr(source[key])
    return "the key is absent"


def _short(spec: Any) -> str:
    text = repr(spec)
    return text if len(text) <= 80 else text[:77] + "..."
