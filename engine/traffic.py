"""What moves through the simulated architecture: requests, and the transfer kinds the view draws."""
from __future__ import annotations

from typing import Any

# Transfer kinds. A transfer is (edge_index, instance_no, t_depart, t_arrive, kind): REQUEST,
# MESSAGE and DEAD_LETTER travel from the edge's source to its target; RESPONSE and ERROR travel
# back from target to source. instance_no is the runtime instance at the group end (-1: none).
REQUEST, RESPONSE, ERROR, MESSAGE, DEAD_LETTER = 0, 1, 2, 3, 4
TRANSFER_KINDS = ("request", "response", "error", "message", "dead_letter")
BACKWARD_KINDS = frozenset((RESPONSE, ERROR))

# HTTP outcomes a client can see (besides a client-side timeout).
OK, SERVER_ERROR, BAD_GATEWAY, UNAVAILABLE, GATEWAY_TIMEOUT = 200, 500, 502, 503, 504


class Request:
    """One HTTP request from a client, followed until the client has its outcome."""

    __slots__ = ("client", "t0", "in_edge", "target", "status", "answered", "closed", "deadline", "epoch",
                 "trace")

    def __init__(self, client: Any, t0: float, in_edge: Any) -> None:
        self.client = client
        self.t0 = t0
        self.in_edge = in_edge      # the client -> load balancer edge it came by
        self.target = None          # the load balancer's Target it was sent to
        self.status = 0
        self.answered = False       # the load balancer has sent the client an answer
        self.closed = False         # the client has its outcome (answer or its own timeout)
        self.deadline = 0.0         # the load balancer's idle timeout for this request
        self.trace = None           # its engine.trace.RequestTrace when it is traced
