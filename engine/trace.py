"""Traces: the life of one request or message, with the reason for every decision (FORMAT.md 4.3).

Tracing observes, never decides. A run holds at most one Tracer (`world.tracer`, None when off):
the components call it only through the `trace` slot of a Request or a Message, which is None for
every untraced one, so a run without tracing pays one None check per hook. Sampling counts
(every N-th request of each client, every N-th message of each producer) and never draws from the
simulation's random streams, so a traced run gives the same numbers as an untraced one.

Besides the head samples, the tracer keeps, for each client, the last few errors and the slowest
requests (ring buffers). A request that was not sampled gets a short trace made from what its
Request holds when it ends (its load balancer, its instance, its status), marked `sampled: false`.
"""
from __future__ import annotations

import heapq
from collections import deque
from typing import Any

from engine import trace_words as words

ERRORS_KEPT = 5         # per client: the last errors
SLOWEST_KEPT = 5        # per client: the slowest requests
LIVE_KEPT = 200         # the app keeps this many finished traces (the command line keeps them all)
STATUS_OF = {200: "200", 500: "500", 502: "502", 503: "503", 504: "504"}


def legs_out(legs: list) -> list[list]:
    """Legs as reported: [edge index, instance no, depart, arrive, kind], times to the nanosecond."""
    return [[e, i, round(d, 9), round(a, 9), k] for e, i, d, a, k in legs]


class RequestTrace:
    """The trace of one request; the components' hooks fill it in as the request moves."""

    __slots__ = ("id", "origin", "t0", "end", "status", "reason", "hops", "legs", "tracer", "_inst", "sampled",
                 "_in", "_back")

    def __init__(self, tracer: "Tracer", trace_id: str, origin: str, t0: float, sampled: bool = True) -> None:
        self.tracer, self.id, self.origin, self.t0 = tracer, trace_id, origin, t0
        self.end: float | None = None
        self.status, self.reason = "", ""
        self.hops: list[dict[str, Any]] = []
        self.legs: list[tuple] = []          # (edge index, instance no, depart, arrive, kind): the dots it made
        self._inst: dict[str, Any] | None = None
        self.sampled = sampled
        self._in = self._back = None   # the client's edge, and the edge to the chosen target

    kind = "request"

    # -- hooks ---------------------------------------------------------------------------------------
    def leg(self, edge: Any, instance_no: int, now: float, kind: int) -> None:
        self.legs.append((edge.index, instance_no, now, now + edge.latency, kind))   # rounded when reported

    def routed(self, lb: Any, targets: list, target: Any, now: float) -> None:
        self.hops.append({"node": lb.id, "arrive_s": now, "depart_s": now,
                          "decision": words.lb_decision(lb, targets, target, now), "target": target.inst.id})
        self._back = target.edge
        self.leg(target.edge, target.inst.no, now, 0)

    def unrouted(self, lb: Any, now: float) -> None:
        why = words.no_target(lb)
        self.hops.append({"node": lb.id, "arrive_s": now, "depart_s": now, "decision": why})
        self.reason = f"503: {why}"

    def arrive(self, inst: Any, now: float) -> None:
        hop = {"node": inst.owner.id, "instance": inst.id, "arrive_s": now, "depart_s": None,
               "wait_s": 0.0, "service_s": 0.0}
        if inst.failure is None and inst.busy >= inst.concurrency:
            hop["note"] = (f"all {inst.concurrency} request slots busy; "
                           f"{len(inst.backlog)} request(s) ahead in the backlog")
        self.hops.append(hop)
        self._inst = hop

    def start(self, now: float) -> None:
        hop = self._inst
        if hop is not None:
            hop["wait_s"] = now - hop["arrive_s"]
            hop["started_s"] = now

    def reply(self, inst: Any, status: int, now: float) -> None:
        hop = self._inst
        if hop is None or hop["depart_s"] is not None:
            return
        self._close_instance_hop(hop, now)
        self.reason = words.instance_reply(inst, status, hop)
        if self._back is not None:
            self.leg(self._back, inst.no, now, 1 if status == 200 else 2)

    def answered(self, lb: Any, status: int, now: float) -> None:
        """The load balancer answers the client; a 504 is decided here."""
        hop = self._inst
        if status == 504 and hop is not None and hop["depart_s"] is None:
            self._close_instance_hop(hop, now)
            self.reason = words.gateway_timeout(lb, hop)
        if self._in is not None:
            self.leg(self._in, -1, now, 1 if status == 200 else 2)

    def closed(self, client: Any, status: str, now: float) -> None:
        self.end, self.status = now, status
        if status == "timeout":
            self.reason = words.client_timeout(client, self.hops)
        elif not self.reason:
            self.reason = f"{status}"
        self.tracer.finished(self, client)

    # -- helpers --------------------------------------------------------------------------------------
    @staticmethod
    def _close_instance_hop(hop: dict[str, Any], now: float) -> None:
        hop["depart_s"] = now
        started = hop.pop("started_s", None)
        if started is None:
            hop["wait_s"] = now - hop["arrive_s"]
        else:
            hop["service_s"] = now - started

    def to_dict(self) -> dict[str, Any]:
        hops = [{k: (round(v, 6) if isinstance(v, float) else v) for k, v in h.items() if k != "started_s"}
                for h in self.hops]
        out = {"id": self.id, "kind": "request", "origin": self.origin, "t0_s": round(self.t0, 6),
               "end_s": None if self.end is None else round(self.end, 6),
               "outcome": {"status": self.status or "in_flight", "reason": self.reason},
               "hops": hops, "legs": legs_out(self.legs)}
        if not self.sampled:
            out["sampled"] = False
        return out


class Tracer:
    """Decides which requests and messages are traced and keeps the finished traces."""

    def __init__(self, every: int = 0, keep: int | None = None, in_report: bool = True) -> None:
        self.every = every
        self.in_report = in_report              # the run report lists the traces (the app's tracer: no)                      # 0: no head sampling (the ring buffers still fill)
        self.counts: dict[str, int] = {}        # messages created per producer edge
        self.next_for: set[str] = set()         # clients whose next request is traced (the app)
        self.next_started: dict[str, str] = {}  # and the id of that trace, once sent
        self.done: deque = deque(maxlen=keep)   # finished traces in the order they ended
        self.active: dict[str, Any] = {}        # traces started and not finished yet
        self.errors: dict[str, deque] = {}
        self.slowest: dict[str, list] = {}
        self.floor: dict[str, float] = {}       # per client: the latency a request must beat to be kept
        self.finished_count = 0                 # how many traces have ended (the app's cursor)

    def __getstate__(self) -> dict[str, Any]:
        """The app's tracer leaves its finished traces out of checkpoints (the app already has them,
        and the timeline takes many checkpoints); a report's tracer keeps them."""
        state = dict(self.__dict__)
        if not self.in_report:
            state["done"] = deque(maxlen=self.done.maxlen)
        return state

    # -- requests -----------------------------------------------------------------------------------
    def on_send(self, client: Any, r: Any, edge: Any) -> None:
        """A client sent its request number client.sent: trace it if it is sampled."""
        n = client.sent
        if (self.every and (n - 1) % self.every == 0) or client.id in self.next_for:
            tr = RequestTrace(self, f"{client.id}#{n}", client.id, r.t0)
            if client.id in self.next_for:
                self.next_for.discard(client.id)
                self.next_started[client.id] = tr.id
            tr.leg(edge, -1, r.t0, 0)
            tr._in = edge
            r.trace = tr
            self.active[tr.id] = tr

    def resolve(self, watched: Any) -> Any:
        """A watch by dot or by 'next request' becomes a trace id once that trace exists."""
        if not isinstance(watched, tuple):
            return watched
        if watched[0] == "next":
            return self.next_started.get(watched[1], watched)
        _, edge, inst, kind, depart = watched
        for tr in (*self.active.values(), *reversed(self.done)):
            if any(leg[0] == edge and leg[1] == inst and leg[4] == kind and abs(leg[2] - depart) < 1e-6
                   for leg in tr.legs):
                return tr.id
        return watched

    def slow_floor(self, client_id: str) -> float:
        return self.floor.get(client_id, 0.0)

    def untraced_end(self, client: Any, r: Any, status: str, now: float) -> None:
        """An unsampled request ended with an error or among the slowest: keep a short trace."""
        tr = RequestTrace(self, f"{client.id}@{r.t0:.6f}", client.id, r.t0, sampled=False)
        words.summary_hops(tr, r, status, now)
        tr.end, tr.status = now, status
        self._keep(tr, client.id)

    def finished(self, tr: Any, client: Any | None) -> None:
        self.active.pop(tr.id, None)
        self.done.append(tr)
        self.finished_count += 1
        if client is not None:
            self._keep(tr, client.id)

    def _keep(self, tr: RequestTrace, client_id: str) -> None:
        if tr.status != "200":
            self.errors.setdefault(client_id, deque(maxlen=ERRORS_KEPT)).append(tr)
        slow = self.slowest.setdefault(client_id, [])
        latency = tr.end - tr.t0
        item = (latency, tr.id, tr)
        if len(slow) < SLOWEST_KEPT:
            heapq.heappush(slow, item)
        elif latency > slow[0][0]:
            heapq.heapreplace(slow, item)
        if len(slow) >= SLOWEST_KEPT:
            self.floor[client_id] = slow[0][0]

    # -- messages ------------------------------------------------------------------------------------
    def on_message(self, producer: Any, msg: Any, instance_no: int, now: float) -> None:
        key = producer.edge.id
        n = self.counts[key] = self.counts.get(key, 0) + 1
        if self.every and (n - 1) % self.every == 0:
            from engine.trace_messages import MessageTrace
            tr = MessageTrace(self, f"{producer.edge.source}>{producer.edge.target}#{n}", producer.edge.source,
                              now, msg.attributes, msg.body)
            tr.leg(producer.edge, instance_no, now, 3)
            msg.trace = tr
            self.active[tr.id] = tr

    # -- what a report or the app reads ------------------------------------------------------------------
    def kept(self) -> list[Any]:
        """The ring buffers' traces of every client."""
        out = [t for ring in self.errors.values() for t in ring]
        out += [t for ring in self.slowest.values() for _, _, t in ring]
        return out

    def report(self) -> list[dict[str, Any]]:
        """Every finished trace, the kept ones among them, each once, in order of start."""
        seen: dict[str, Any] = {}
        for tr in (*self.done, *self.kept()):
            seen.setdefault(tr.id, tr)
        return [t.to_dict() for t in sorted(seen.values(), key=lambda t: (t.t0, t.id))]

    def since(self, count: int) -> list[Any]:
        """The finished traces after the first `count` (the app asks for the new ones per frame)."""
        new = self.finished_count - count
        if new <= 0:
            return []
        done = self.done
        return list(done)[-min(new, len(done)):]


def trace_end(client: Any, r: Any, status: str) -> None:
    """A client has the outcome of request r: finish its trace, or keep a short one if it matters."""
    now, tracer = client.kernel.now, client.world.tracer
    tr = r.trace
    if tr is not None:
        if tr.end is None:
            tr.closed(client, status, now)
    elif tracer is not None:
        tracer.untraced_end(client, r, status, now)
    if tracer is not None:
        client._slow_floor = tracer.slow_floor(client.id)


def attach(world: Any, tracer: "Tracer | None") -> None:
    """Turn tracing on (or off, with None) for a run, from now on."""
    world.tracer = tracer
    for comp in world.components.values():
        if comp.kind == "client":
            comp._slow_floor = float("inf") if tracer is None else tracer.slow_floor(comp.id)


LIVE_TRACES_PER_S = 100.0   # the app traces about this many requests per simulated second
PER_BATCH = 20              # finished traces a batch hands over at most (the newest; at high speed
                            # the Events view shows a sample, and a clicked dot's trace is asked for)


def live_every(world: Any) -> int:
    """The app's head sampling: every request at modest rates, fewer as the clients get busier."""
    total = sum(c.props.get("rate_rps", 0.0) for c in world.components.values() if c.kind == "client")
    return max(1, int(total / LIVE_TRACES_PER_S))


def ensure_live(world: Any) -> "Tracer":
    """The live run's tracer (a restored run brings its own)."""
    if world.tracer is None:
        attach(world, Tracer(live_every(world), keep=LIVE_KEPT, in_report=False))
    return world.tracer


def new_traces(world: Any, cursor: int, watched: Any) -> tuple[list[dict[str, Any]], int, Any]:
    """The traces finished since `cursor` as plain data, the watched one too while it is in flight,
    the new cursor and the watched trace's id: what a batch hands to the app. `watched` is a trace
    id, ("leg", edge, instance, kind, departure) for the trace that made a dot, or ("next", client)."""
    tracer = ensure_live(world)
    out = [t.to_dict() for t in tracer.since(cursor)[-PER_BATCH:]]
    watched = tracer.resolve(watched)
    if isinstance(watched, str):
        live = tracer.active.get(watched)
        if live is None:       # it has finished: hand it over once more, then stop watching
            live = next((t for t in reversed(tracer.done) if t.id == watched), None)
            watched = None
        if live is not None:
            out.append({**live.to_dict(), "watched": True})
    return out, tracer.finished_count, watched
