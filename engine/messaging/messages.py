"""Messages: one object per message copy, attribute generators, and the producers that send them.

A producer is the source end of a client/instance/group → topic/queue edge. It does not belong to
the source (a Client or an Instance knows nothing about messaging): the topic or queue at the
target end builds it and hooks it into the source's `emitters` (clients) or `on_success` (each
instance) lists, so a topology without messaging edges pays nothing.
"""
from __future__ import annotations

import bisect
import hashlib
import json
from collections import deque
from functools import partial
from itertools import accumulate
from typing import TYPE_CHECKING, Any, Callable

from engine.traffic import MESSAGE

if TYPE_CHECKING:
    from engine.components.base import EdgeRt
    from engine.components.base import Host as World

DEDUP_WINDOW_S = 300.0  # SQS and SNS FIFO deduplication interval (5 minutes)

# The SNS envelope of a copy delivered without raw_message_delivery: the fields AWS documents for a
# notification (SNS Developer Guide, "HTTP/HTTPS notification JSON format"; SQS gets the same JSON),
# with placeholder values of the real lengths: a UUID message id, a topic ARN, an ISO-8601 timestamp,
# a SignatureVersion 1 signature (2048-bit RSA in base64: 344 characters), the signing-certificate
# and unsubscribe URLs. Laid out as AWS sends it ("Key" : "Value", one per line), it adds about 900
# bytes to a body, plus the attributes and the escaping of the body inside "Message": the size
# difference raw delivery saves.
_ENVELOPE_ARN = "arn:aws:sns:us-east-1:123456789012:topic"
_ENVELOPE_AFTER = {
    "Timestamp": "2026-01-01T00:00:00.000Z",
    "SignatureVersion": "1",
    "Signature": "A" * 344,
    "SigningCertURL": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-" + "0" * 32 + ".pem",
    "UnsubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn="
                      + _ENVELOPE_ARN + ":" + "0" * 36,
}

# Where a copy is inside a queue (Message.state); GONE once it has left every queue. Compare with
# ==, never `is`: a restored checkpoint holds copies of these strings.
VISIBLE, IN_FLIGHT, DELAYED, TRANSIT, GONE = "visible", "in_flight", "delayed", "transit", "gone"


class Message:
    """One copy of a message. A topic's fan-out makes one copy per matching subscription; a redrive
    moves the same copy on (it is not a new copy)."""

    __slots__ = ("id", "attributes", "body", "group", "dedup_id", "sent_at", "seq", "receive_count",
                 "receipt", "state", "visible_at", "queue", "dead", "raw", "publish_id", "trace")

    def __init__(self, msg_id: int, attributes: dict[str, Any], body: Any, group: str | None = None,
                 dedup_id: str | None = None, publish_id: int | None = None) -> None:
        self.id = msg_id
        self.attributes = attributes
        self.body = body                  # the decoded JSON body (a dict for generated messages)
        self.group = group                # FIFO message group id
        self.dedup_id = dedup_id          # explicit deduplication id (None: by id or content)
        self.publish_id = msg_id if publish_id is None else publish_id
        self.sent_at = 0.0                # enqueue time in the queue that holds it
        self.seq = 0                      # enqueue order in that queue
        self.receive_count = 0
        self.receipt = 0                  # bumped on every receive: stale timers and deletes see it
        self.state = TRANSIT
        self.visible_at = 0.0
        self.queue: Any = None
        self.dead = False                 # moved to a dead-letter queue (by redrive or by SNS)
        self.raw = True                   # False: an SNS delivery wrapped in the SNS envelope
        self.trace: Any = None            # its engine.trace_messages.MessageTrace when traced

    def copy(self, msg_id: int) -> "Message":
        """A new copy for one subscription; attributes and body are shared (never mutated)."""
        return Message(msg_id, self.attributes, self.body, self.group, self.dedup_id, self.publish_id)

    def body_text(self) -> str:
        return self.body if isinstance(self.body, str) else json.dumps(self.body, sort_keys=True,
                                                                       separators=(",", ":"))

    def content_hash(self) -> str:
        """What content-based deduplication compares: SHA-256 of the body, as SQS and SNS do."""
        return hashlib.sha256(self.body_text().encode("utf-8")).hexdigest()

    def delivered_body(self) -> Any:
        """What the subscriber sees: the body itself (raw delivery) or the SNS envelope around it."""
        if self.raw:
            return self.body
        envelope = {"Type": "Notification", "MessageId": f"00000000-0000-0000-0000-{self.publish_id:012d}",
                    "TopicArn": _ENVELOPE_ARN, "Message": self.body_text(), **_ENVELOPE_AFTER}
        if self.attributes:
            envelope["MessageAttributes"] = {k: {"Type": "String" if isinstance(v, str) else "Number",
                                                 "Value": str(v)} for k, v in self.attributes.items()}
        return envelope

    def delivered_size(self) -> int:
        """Bytes the subscriber receives (UTF-8): the body alone when raw, else the envelope JSON."""
        if self.raw:
            return len(self.body_text().encode("utf-8"))
        return len(json.dumps(self.delivered_body(), indent=2, separators=(",", " : ")).encode("utf-8"))

    def delivered_form(self) -> str:
        """"raw" or "envelope": which form reached the subscriber (for traces and reports)."""
        return "raw" if self.raw else "envelope"

    def __repr__(self) -> str:
        return f"Message({self.id}, {self.state}, receives={self.receive_count})"


def new_id(world: "World") -> int:
    """Message ids, unique in the world and the same on every run of the same file."""
    world.message_ids += 1
    return world.message_ids


def make_message(world: "World", body: Any = None, attributes: dict | None = None, group: str | None = None,
                 dedup_id: str | None = None) -> Message:
    """A message as a test or a producer sends it (the body defaults to the attributes as JSON)."""
    attributes = attributes or {}
    msg_id = new_id(world)
    return Message(msg_id, attributes, {"message_id": msg_id, **attributes} if body is None else body,
                   group, dedup_id)


class DedupWindow:
    """FIFO deduplication: a key seen within the last 5 minutes is a duplicate. The window runs
    from the first send; a duplicate does not extend it (as in SQS and SNS)."""

    def __init__(self, span_s: float = DEDUP_WINDOW_S) -> None:
        self.span = span_s
        self.until: dict[str, float] = {}
        self.order: deque[tuple[float, str]] = deque()

    def is_duplicate(self, key: str, now: float) -> bool:
        order, until = self.order, self.until
        while order and order[0][0] <= now:
            t, old = order.popleft()
            if until.get(old) == t:
                del until[old]
        if key in until:
            return True
        until[key] = now + self.span
        order.append((now + self.span, key))
        return False


def dedup_key(msg: Message, content_based: bool) -> str:
    if msg.dedup_id is not None:
        return msg.dedup_id            # an explicit id wins over content-based deduplication
    return msg.content_hash() if content_based else f"id:{msg.publish_id}"


class AttributeGenerator:
    """Draws message attributes from an edge's `message_attributes` spec (FORMAT.md 1.1)."""

    def __init__(self, spec: dict | None, rng: Any) -> None:
        self.spec, self.rng = spec, rng
        self._parts: list[tuple[str, Any, Any]] = []
        for name, gen in (spec or {}).items():
            if "uniform" in gen:
                self._parts.append((name, None, tuple(gen["uniform"])))
            else:
                self._parts.append((name, gen["values"], list(accumulate(gen["weights"]))))

    def __call__(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        rand = self.rng.random
        for name, values, extra in self._parts:
            if values is None:
                lo, hi = extra
                out[name] = round(lo + (hi - lo) * rand(), 2)
            else:
                i = bisect.bisect_right(extra, rand() * extra[-1])
                out[name] = values[min(i, len(values) - 1)]
        return out


class Producer:
    """Sends one message per event along a client/instance → topic/queue edge."""

    def __init__(self, world: "World", edge: "EdgeRt", deliver: Callable[[Message], None]) -> None:
        self.world, self.edge, self.deliver = world, edge, deliver
        self.rng = world.kernel.stream(f"edge:{edge.id}")
        self._attrs = AttributeGenerator(edge.props.get("message_attributes"), self.rng)
        self.sent = 0

    def from_client(self, now: float) -> None:
        self.send(-1)

    def for_instance(self, inst: Any) -> Callable[[], None]:
        return partial(self.send, inst.no)

    def attach_to(self, inst: Any) -> None:
        """A group launched inst: it publishes too."""
        inst.on_success.append(self.for_instance(inst))

    def send(self, instance_no: int) -> None:
        props = self.edge.props
        ratio = props.get("ratio", 1.0)
        if ratio < 1.0 and self.rng.random() >= ratio:
            return
        if props.get("message_attributes") is not self._attrs.spec:  # changed live
            self._attrs = AttributeGenerator(props.get("message_attributes"), self.rng)
        groups = props.get("message_groups", 1)
        group = "g1" if groups <= 1 else f"g{int(self.rng.random() * groups) + 1}"
        msg = make_message(self.world, attributes=self._attrs(), group=group)
        self.sent += 1
        if self.world.tracer is not None:
            self.world.tracer.on_message(self, msg, instance_no, self.world.kernel.now)
        self.world.hop(self.edge, instance_no, MESSAGE, self.deliver, msg)


def attach_producer(world: "World", edge: "EdgeRt", source: Any, deliver: Callable[[Message], None]) -> Producer | None:
    """Hook a producer into a client, a standalone instance or every instance of a group."""
    producer = Producer(world, edge, deliver)
    if source.kind == "client":
        source.emitters.append(producer.from_client)
    elif source.kind == "ec2_instance":
        source.inst.on_success.append(producer.for_instance(source.inst))
    elif source.kind == "auto_scaling_group":
        source.on_launch.append(producer.attach_to)
    else:
        return None
    return producer


def hop_batch(world: "World", edge: "EdgeRt", instance_no: int, kind: int, handler: Callable[[Any], None],
              payload: Any, n: int) -> None:
    """Move a batch of n messages along edge: n transfers for the view, one delivery."""
    now = world.kernel.now
    for _ in range(n - 1):
        world.rec((edge.index, instance_no, now, now + edge.latency, kind))
    world.hop(edge, instance_no, kind, handler, payload)
