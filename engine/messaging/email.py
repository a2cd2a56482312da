"""Email subscribers: a notification takes `delivery_latency_s` to reach the inbox.

Ledger: a copy accepted for delivery is being_delivered until it arrives, then counts as deleted
(consumed: it reached its final reader).
"""
from __future__ import annotations

from typing import Any

from engine.components.base import Component
from engine.messaging.messages import Message


class EmailEndpoint(Component):
    kind = "email_endpoint"

    def __init__(self, world, node) -> None:
        super().__init__(world, node)
        self.available = True       # False: the mail server refuses (SNS then retries)
        self.arriving: dict[int, Message] = {}
        self.delivered = 0
        self.last_subjects: list[dict] = []   # the newest few notifications, for the live view

    def accept(self, msg: Message) -> bool:
        if not self.available:
            return False
        self.arriving[msg.id] = msg
        self.kernel.after(self.props["delivery_latency_s"], self._arrived, msg)
        return True

    def _arrived(self, msg: Message) -> None:
        del self.arriving[msg.id]
        self.delivered += 1
        self.last_subjects = (self.last_subjects + [msg.attributes])[-3:]

    def message_counts(self) -> dict[str, int]:
        return {"deleted": self.delivered, "being_delivered": len(self.arriving)}

    def totals(self) -> dict[str, Any]:
        return {"delivered": self.delivered, "arriving": len(self.arriving)}

    def state(self) -> dict[str, Any]:
        return {"address": self.props["address"], "delivered": self.delivered, "latest": self.last_subjects}
