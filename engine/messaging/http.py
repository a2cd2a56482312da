"""HTTP/S subscriptions: each delivery try is a request handled by a web tier.

To a load balancer, the try goes through its routing like a client's request; to a standalone
instance or a group (an instance picked round robin among those in service) it goes straight to
the instance. A 2xx answer within the timeout is a successful delivery; anything else (500, 502,
503, 504, no answer in HTTP_TIMEOUT_S) is a failed try that SNS retries. The request is marked
closed: it is accounted as a message copy being delivered, not in the client request ledger.
"""
from __future__ import annotations

from typing import Any, Callable

from engine.components.instance import RUNNING
from engine.messaging.consumers import Port
from engine.traffic import GATEWAY_TIMEOUT, MESSAGE, OK, Request

HTTP_TIMEOUT_S = 15.0   # SNS gives an HTTP/S endpoint 15 seconds to answer


class HttpTry(Request):
    __slots__ = ("delivery", "done")

    def __init__(self, sender: "HttpSender", t0: float, edge: Any, delivery: Any) -> None:
        super().__init__(sender, t0, edge)
        self.closed = True
        self.delivery, self.done = delivery, False


class HttpSender:
    """Sends the tries of one HTTP/S subscription and reports each outcome."""

    def __init__(self, world: Any, edge: Any, target: Any, on_outcome: Callable[[Any, bool], None]) -> None:
        self.world, self.kernel, self.edge, self.target = world, world.kernel, edge, target
        self.on_outcome = on_outcome
        self.port = Port(self, edge)
        self._rr = -1

    def send(self, delivery: Any) -> None:
        now = self.kernel.now
        r = HttpTry(self, now, self.edge, delivery)
        self.kernel.at(now + HTTP_TIMEOUT_S, self._timeout, r)
        if self.target.kind == "load_balancer":
            self.world.hop(self.edge, -1, MESSAGE, self.target.on_request, r)
            return
        inst = self._pick()
        if inst is None:   # nothing in service: the connection is refused
            self._finish(r, False)
            return
        r.target, r.deadline = self.port, now + HTTP_TIMEOUT_S
        self.world.hop(self.edge, inst.no, MESSAGE, inst.accept, r)

    def _pick(self) -> Any:
        if self.target.kind == "ec2_instance":
            return self.target.inst
        live = [i for i in self.target.instances if i.state == RUNNING]
        if not live:
            return None
        self._rr = (self._rr + 1) % len(live)
        return live[self._rr]

    def _finish(self, r: HttpTry, ok: bool) -> None:
        if r.done:
            return
        r.done = True
        self.on_outcome(r.delivery, ok)

    def _timeout(self, r: HttpTry) -> None:
        self._finish(r, False)

    # -- the roles the instance and the load balancer call -------------------------------------------
    def on_response(self, r: HttpTry) -> None:
        self._finish(r, r.status == OK)

    def watch(self, r: HttpTry) -> None:
        self.kernel.at(r.deadline, self.idle_timeout, r)

    def idle_timeout(self, r: HttpTry) -> None:
        if r.answered or r.status:
            return
        r.answered, r.status = True, GATEWAY_TIMEOUT   # the instance skips it if it still waits
        self._finish(r, False)
