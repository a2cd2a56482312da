"""EC2 instances: request slots, a FIFO backlog, CPU, failure modes; standalone or in a group."""
from __future__ import annotations

from collections import deque
from heapq import heappush
from typing import Any, Callable

from engine import distributions
from engine.components.base import Component
from engine.traffic import BAD_GATEWAY, ERROR, OK, RESPONSE, SERVER_ERROR, UNAVAILABLE, Request

PENDING, RUNNING, TERMINATING, TERMINATED = "pending", "running", "terminating", "terminated"


class Instance:
    """One running (or booting, or draining) EC2 instance."""

    # Slots: the hot path reads and writes these for every request, and a fixed layout is faster
    # than an instance dict (which, past 30 attributes, no longer shares its keys).
    __slots__ = ("world", "kernel", "owner", "_rec", "no", "id", "props", "rng", "state", "failure",
                 "fail_factor", "launched_at", "in_service_at", "warm_at", "busy", "area", "area_t", "epoch",
                 "message_worker", "targets_draining", "backlog", "hung", "_watchdog_at", "accepted", "handled",
                 "errors", "queued", "targets", "on_success", "_finish_handler", "concurrency", "max_backlog",
                 "error_rate", "_service")

    def __init__(self, world: Any, owner: Any, no: int, instance_id: str, props: dict, rng: Any) -> None:
        self.world, self.kernel, self.owner = world, world.kernel, owner
        self._rec = world.rec
        self.no, self.id, self.props, self.rng = no, instance_id, props, rng
        self.state = PENDING
        self.failure: str | None = None
        self.fail_factor = 1.0
        self.launched_at = self.kernel.now
        self.in_service_at: float | None = None
        self.warm_at = 0.0                          # counts in scaling metrics from then
        self.busy = 0
        self.area, self.area_t = 0.0, self.kernel.now   # integral of busy slots over time
        self.epoch = 0   # bumped when the process dies: completions of an older epoch are void
        self.message_worker: Any = None   # its SQS consumer side, if it consumes a queue (engine.messaging)
        self.targets_draining = 0         # load balancers still draining it while it terminates
        self.backlog: deque[Request] = deque()
        self.hung: list[Request] = []
        self._watchdog_at: float | None = None
        self.accepted = self.handled = self.errors = self.queued = 0
        self.targets: list[Any] = []                    # load balancer registrations
        self.on_success: list[Callable[[], None]] = []  # e.g. publish a message per handled request
        self._finish_handler = self._finish   # made once: every request's completion event holds it
        self._configure()

    def _configure(self) -> None:
        p = self.props
        self.concurrency, self.max_backlog = p["concurrency"], p["max_backlog"]
        self.error_rate = p["error_rate"]
        self._service = distributions.sampler(p["service_time_s"], self.rng)

    def set_prop(self, name: str, value: Any) -> None:
        self.props = {**self.props, name: value}
        self._configure()
        while self.backlog and self.busy < self.concurrency and self.failure is None:
            self._start_next()

    # -- requests ------------------------------------------------------------------------------------
    def accept(self, r: Request) -> None:
        if r.trace is not None:
            r.trace.arrive(self, self.kernel.now)
        failure = self.failure
        if failure is not None or self.state in (PENDING, TERMINATED):
            if failure == "crash" or self.state in (PENDING, TERMINATED):
                self.reply(r, BAD_GATEWAY)
                return
            if failure == "hang":
                self.accepted += 1
                self.hung.append(r)
                r.target.lb.watch(r)
                return
        self.accepted += 1
        if self.busy < self.concurrency:
            self._start(r)
        elif len(self.backlog) < self.max_backlog:
            self.queued += 1
            self.backlog.append(r)
            if self._watchdog_at is None:
                self._watchdog_at = r.deadline
                self.kernel.at(r.deadline, self._watchdog)
        else:
            self.reply(r, UNAVAILABLE)

    def _start(self, r: Request) -> None:
        kernel = self.kernel
        now, busy = kernel.now, self.busy
        self.area += busy * (now - self.area_t)
        self.area_t = now
        self.busy = busy + 1
        r.epoch = self.epoch
        draws = self._service.values   # Sampler.__call__, inlined: every request passes here
        service = draws.pop() if draws else self._service.refill()
        failure = self.failure
        if failure is not None and failure == "slow":
            service *= self.fail_factor
        done = now + service
        heappush(kernel.heap, (done, next(kernel.seq), self._finish_handler, r))
        if r.trace is not None:
            r.trace.start(now)
        if done > r.deadline:
            r.target.lb.watch(r)

    def _finish(self, r: Request) -> None:
        if r.epoch != self.epoch:
            return  # failed when the instance crashed or terminated
        now, busy = self.kernel.now, self.busy
        self.area += busy * (now - self.area_t)
        self.area_t = now
        self.busy = busy - 1
        failure = self.failure
        if failure is not None and failure == "hang":
            self.hung.append(r)
            if now <= r.deadline:  # no idle-timeout watch yet (it was due to finish in time): 504 then
                r.target.lb.watch(r)
            return
        self.handled += 1
        rate = self.fail_factor if failure is not None and failure == "error" else self.error_rate
        if rate and self.rng.random() < rate:
            self.errors += 1
            self.reply(r, SERVER_ERROR)
        else:
            self.reply(r, OK)
            if self.on_success:
                for publish in self.on_success:
                    publish()
        if self.backlog:
            self._start_next()

    def _watchdog(self, _: object) -> None:
        """Time out waiting requests whose idle timeout has passed. The backlog is in arrival order,
        so one timer at the oldest deadline replaces a timer per waiting request."""
        self._watchdog_at = None
        backlog, now = self.backlog, self.kernel.now
        while backlog and (backlog[0].answered or backlog[0].deadline <= now):
            r = backlog.popleft()
            if not r.answered:
                r.target.lb.idle_timeout(r)
        if backlog:
            self._watchdog_at = backlog[0].deadline
            self.kernel.at(self._watchdog_at, self._watchdog)

    def _start_next(self) -> None:
        backlog = self.backlog
        while backlog:
            r = backlog.popleft()
            if not r.answered:  # skip requests the load balancer already timed out
                self._start(r)
                return

    def reply(self, r: Request, status: int) -> None:
        r.status = status
        if r.trace is not None:
            r.trace.reply(self, status, self.kernel.now)
        # world.hop, inlined
        target, now = r.target, self.kernel.now
        edge = target.edge
        latency = edge.latency
        if latency:
            self._rec((edge.index, self.no, now, now + latency, RESPONSE if status == OK else ERROR))
            self.kernel.at(now + latency, target.lb.on_response, r)
        else:   # no event, and the transfer arrives as it leaves
            self._rec((edge.index, self.no, now, now, RESPONSE if status == OK else ERROR))
            target.lb.on_response(r)

    # -- health, failures, life cycle ----------------------------------------------------------------
    def probe(self) -> str:
        """A load balancer health check: 'ok', 'refused' or 'timeout'. Probes take no request slot."""
        if self.state == TERMINATED or self.failure == "crash":
            return "refused"
        return "timeout" if self.failure == "hang" else "ok"

    def fail(self, mode: str, factor: float = 1.0) -> None:
        self.failure, self.fail_factor = mode, factor
        if mode == "crash":
            self._drop_all()

    def recover(self) -> None:
        self.failure, self.fail_factor = None, 1.0
        self.hung.clear()  # the load balancer has answered (or will answer) those with 504
        while self.backlog and self.busy < self.concurrency:
            self._start_next()

    def terminate(self) -> None:
        self.state = TERMINATED
        self._drop_all()

    def _drop_all(self) -> None:
        """The process is gone: everything in progress or waiting gets a 502."""
        now = self.kernel.now
        self.area += self.busy * (now - self.area_t)
        lost = self.serving() + list(self.backlog) + self.hung
        self.area_t, self.busy = now, 0
        self.epoch += 1
        self.hung = []
        self.backlog.clear()
        for r in lost:
            if not r.answered and not r.status:
                self.reply(r, BAD_GATEWAY)

    def busy_area(self) -> float:
        return self.area + self.busy * (self.kernel.now - self.area_t)

    def pending_requests(self) -> list[Request]:
        return self.serving() + list(self.backlog) + self.hung

    def serving(self) -> list[Request]:
        """Requests in a request slot now: found through their completion events (only a crash or a
        termination asks, so the hot path keeps no set of them)."""
        if not self.busy:   # the usual case of a drained instance: no scan of the whole heap
            return []
        finish, epoch = self._finish, self.epoch
        return [p for _, _, h, p in self.kernel.heap if h == finish and p.epoch == epoch]

    def health_label(self) -> str:
        """One word for the live view: pending, healthy, unhealthy, initial, draining, failed."""
        if self.state != RUNNING:
            return {TERMINATING: "draining"}.get(self.state, self.state)
        if self.failure == "crash":
            return "crashed"
        health = [t.health for t in self.targets if t.active]
        if "unhealthy" in health:
            return "unhealthy"
        if "initial" in health:
            return "initial"
        return "healthy"

    def state_dict(self) -> dict[str, Any]:
        return {"id": self.id, "no": self.no, "state": self.state, "health": self.health_label(),
                "failure": self.failure, "busy": self.busy, "concurrency": self.concurrency,
                "busy_s": self.busy_area(), "backlog": len(self.backlog)}


class Ec2Instance(Component):
    """A standalone instance node: running and registered from time 0."""

    kind = "ec2_instance"

    def __init__(self, world, node) -> None:
        super().__init__(world, node)
        self.inst = Instance(world, self, world.next_instance_no(), node.id, dict(self.props), self.rng)
        self.inst.state, self.inst.in_service_at = RUNNING, 0.0
        self.lb_links: list[tuple[Any, Any]] = []
        self._area_at_sample = 0.0
        world.instances[node.id] = self.inst

    def connect_in(self, edge, source) -> None:
        if source.kind == "load_balancer":
            self.lb_links.append((source, edge))

    def start(self) -> None:
        for lb, edge in self.lb_links:
            self.inst.targets.append(lb.register(self.inst, edge, self.world.edge_prop(edge, "weight"), healthy=True))

    def on_prop_changed(self, name: str) -> None:
        self.inst.set_prop(name, self.props[name])

    def instances(self) -> list[Instance]:
        return [self.inst]

    def totals(self) -> dict[str, Any]:
        return {"handled": self.inst.handled, "accepted": self.inst.accepted, "errors": self.inst.errors}

    def sample(self, interval: float) -> dict[str, float]:
        area = self.inst.busy_area()
        cpu = 100.0 * (area - self._area_at_sample) / (interval * self.inst.concurrency)
        self._area_at_sample = area
        return {"cpu_utilization": cpu, "backlog": len(self.inst.backlog)}

    def state(self) -> dict[str, Any]:
        return {"instances": [self.inst.state_dict()]}
