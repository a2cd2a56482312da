"""Queue consumers on EC2: each running instance polls, processes in its request slots, deletes.

A received message becomes a Job: a Request the instance serves like any other (so message work
shares the request slots, the service time, `error_rate`, CPU utilization and the injected failure
modes), whose answer comes back to the poller instead of a load balancer. A 200 answer deletes the
message; anything else leaves it to reappear when its visibility timeout ends. Jobs are marked
closed: they belong to the message ledger, not to the client request ledger.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine.components.instance import PENDING, RUNNING, TERMINATED
from engine.traffic import MESSAGE, OK, Request

if TYPE_CHECKING:
    from engine.messaging.messages import Message
    from engine.messaging.sqs import SqsQueue

SHORT_POLL_IDLE_S = 1.0   # a worker whose short poll found nothing asks again after this long
DORMANT_RECHECK_S = 5.0   # a crashed or hung worker looks this often whether it may poll again


class Job(Request):
    """One received message being processed by an instance."""

    __slots__ = ("message", "receipt")

    def __init__(self, poller: "InstancePoller", t0: float, message: "Message") -> None:
        super().__init__(poller, t0, poller.edge)
        self.closed = True          # not a client request: the request ledger skips it
        self.target = poller.port
        self.deadline = message.visible_at   # waiting for a slot beyond this is pointless
        self.message, self.receipt = message, message.receipt


class Port:
    """What the instance sees as the load balancer of a job: where its answer goes."""

    __slots__ = ("lb", "edge")

    def __init__(self, lb: Any, edge: Any) -> None:
        self.lb, self.edge = lb, edge


class Worker:
    """The message side of one instance, shared by its pollers (one per queue).

    Free slots are read from the instance itself (busy slots and its backlog, which HTTP requests
    share), less what the pollers have in progress: receives not yet answered and jobs still on
    the edge. Nothing else is counted, so a crash, a hang or a recovery cannot leave a count wrong.
    """

    def __init__(self, world: Any, inst: Any) -> None:
        self.world, self.kernel, self.inst = world, world.kernel, inst
        self.reserved = 0       # slots asked for by receives still waiting
        self.in_transit = 0     # jobs on their way to the instance
        self.pollers: list[InstancePoller] = []
        self._sleeping = False
        self.kernel.after(0.0, self._start)

    def can_poll(self) -> bool:
        inst = self.inst
        return inst.state == RUNNING and inst.failure not in ("crash", "hang")

    def free(self) -> int:
        inst = self.inst
        return inst.concurrency - inst.busy - len(inst.backlog) - self.in_transit - self.reserved

    def _start(self, _: object = None) -> None:
        inst = self.inst
        if inst.state == PENDING:   # in service after booting; the group's own timer runs first
            left = inst.launched_at + inst.props["boot_time_s"] - self.kernel.now
            self.kernel.after(left if left > 0 else DORMANT_RECHECK_S, self._start)
            return
        self.wake()

    def wake(self) -> None:
        for poller in self.pollers:
            poller.poll()

    def sleep(self) -> None:
        """Cannot poll now (crashed, hung, draining): look again later unless the instance is gone."""
        if self._sleeping or self.inst.state == TERMINATED:
            return
        self._sleeping = True
        self.kernel.after(DORMANT_RECHECK_S, self._recheck)

    def _recheck(self, _: object) -> None:
        self._sleeping = False
        if self.can_poll():
            self.wake()
        else:
            self.sleep()


class InstancePoller:
    """One instance's receive loop on one queue (an sqs_queue → instance/group edge)."""

    def __init__(self, worker: Worker, queue: "SqsQueue", edge: Any) -> None:
        self.worker, self.queue, self.edge = worker, queue, edge
        self.world, self.kernel = worker.world, worker.kernel
        self.port = Port(self, edge)
        self.waiting = self.backing_off = self._recheck_pending = False
        self._reserved = 0
        self.received = self.succeeded = self.failed = self.abandoned = 0


    def poll(self) -> None:
        w = self.worker
        while not self.waiting and not self.backing_off:
            if not w.can_poll():
                w.sleep()
                return
            batch, wait = self.queue.consumer_settings(self.edge, 1)
            n = min(batch, w.free())
            if n <= 0:
                self._recheck_later()   # slots busy: our own jobs' answers wake us, requests' do not
                return
            w.reserved += n
            msgs = self.queue.receive(n, wait, self._answer, w.can_poll)
            if msgs is None:
                self.waiting, self._reserved = True, n
                return
            w.reserved -= n
            if not msgs:
                self.backing_off = True
                self.kernel.after(SHORT_POLL_IDLE_S, self._retry)
                return
            self._dispatch(msgs)

    def _answer(self, msgs: list["Message"]) -> None:
        """A long poll ends: messages, or nothing after wait_time_s (then the loop polls again)."""
        self.waiting = False
        self.worker.reserved -= self._reserved
        if msgs:
            self._dispatch(msgs)
        self.poll()

    def _retry(self, _: object) -> None:
        self.backing_off = False
        self.poll()

    def _recheck_later(self) -> None:
        if not self._recheck_pending:
            self._recheck_pending = True
            self.kernel.after(SHORT_POLL_IDLE_S, self._recheck)

    def _recheck(self, _: object) -> None:
        self._recheck_pending = False
        self.poll()

    def _dispatch(self, msgs: list["Message"]) -> None:
        inst, now = self.worker.inst, self.kernel.now
        self.received += len(msgs)
        self.worker.in_transit += len(msgs)
        for m in msgs:
            if m.trace is not None:
                m.trace.consumer(inst.id)
                m.trace.leg(self.edge, inst.no, now, MESSAGE)
            self.world.hop(self.edge, inst.no, MESSAGE, self._arrive, Job(self, now, m))

    def _arrive(self, job: Job) -> None:
        self.worker.in_transit -= 1
        self.worker.inst.accept(job)

    # -- the instance's answers (the Port's load balancer role) ------------------------------------------
    def on_response(self, job: Job) -> None:
        if job.status == OK and not self.queue.consumer_fails():
            self.succeeded += 1
            self.queue.delete(job.message, job.receipt)
        else:
            self.failed += 1   # not deleted: the message reappears after its visibility timeout
            if job.message.trace is not None:
                job.message.trace.receive_failed(f"failed: {job.status} from {self.worker.inst.id}; it reappears "
                                                 "when its visibility timeout ends", self.kernel.now)
        self.worker.wake()

    def watch(self, job: Job) -> None:
        """The instance warns that a job may outlive its deadline: nothing to do, the queue's
        visibility timeout already makes the message reappear, and a late delete may still work."""

    def idle_timeout(self, job: Job) -> None:
        """The job waited in the instance's backlog past its message's visibility timeout."""
        job.answered = True     # the instance skips it; the message is back in the queue
        self.abandoned += 1


def attach(world: Any, inst: Any, queue: "SqsQueue", edge: Any) -> InstancePoller:
    """Make inst consume queue along edge (one Worker per instance, one poller per queue)."""
    # The instance holds its worker, so a terminated instance's worker goes with it (memory flat as
    # groups scale, and no weak references: a checkpoint pickles the world).
    worker = inst.message_worker
    if worker is None:
        worker = inst.message_worker = Worker(world, inst)
    poller = InstancePoller(worker, queue, edge)
    worker.pollers.append(poller)
    return poller
