"""The FIFO store against a plain model of AWS's FIFO order (AWS-SEMANTICS.md, "SQS"): messages of a
group come out in enqueue order, a group with a message in flight is held back, and a receive takes
as many messages of one group as it can, starting with the group whose first visible message is the
oldest. Random sends, receives, returns from flight, deletes and expiries, checked step by step."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.messaging.messages import GONE, IN_FLIGHT, VISIBLE, Message
from engine.messaging.stores import FifoStore


class Model:
    """The order the store must give, computed the slow, obvious way."""

    def __init__(self) -> None:
        self.visible: list[Message] = []
        self.flight: list[Message] = []

    def take(self, n: int) -> list[Message]:
        out: list[Message] = []
        while len(out) < n:
            held = {m.group for m in self.flight} | {m.group for m in out}
            free = sorted((m for m in self.visible if m.group not in held), key=lambda m: m.seq)
            if not free:
                break
            group = free[0].group
            mine = [m for m in free if m.group == group][:n - len(out)]
            out += mine
            self.visible = [m for m in self.visible if m not in mine]
        self.flight += out
        return out


ops = st.lists(st.tuples(st.sampled_from(["send", "receive", "return", "delete", "expire"]),
                         st.integers(0, 3), st.integers(1, 10)), max_size=120)


@settings(max_examples=300, deadline=None)
@given(ops)
def test_fifo_store_gives_the_model_order(steps):
    store, model, seq = FifoStore("q"), Model(), 0
    for op, group, n in steps:
        if op == "send":
            m = Message(seq, {}, seq, group=f"g{group}")
            m.queue, m.seq, m.state = "q", seq, VISIBLE
            seq += 1
            model.visible.append(m)
            store.add(m)
        elif op == "receive":
            got: list[Message] = []
            store.take(n, lambda m: (setattr(m, "state", IN_FLIGHT), got.append(m)) is not None)
            assert got == model.take(n)
        elif op in ("return", "delete") and model.flight:
            m = model.flight.pop(n % len(model.flight))
            store.left_flight(m)
            if op == "return":
                m.state = VISIBLE
                model.visible.append(m)
                store.add(m)
            else:
                m.state = GONE
        elif op == "expire" and model.visible:
            m = model.visible.pop(n % len(model.visible))
            store.discard(m)
            m.state = GONE
    got = []
    store.take(10_000, lambda m: (setattr(m, "state", IN_FLIGHT), got.append(m)) is not None)
    assert got == model.take(10_000)


class CountingSeq(int):
    """A sequence number that counts the comparisons made on it (the store's steps)."""
    steps = 0

    def __lt__(self, other):
        CountingSeq.steps += 1
        return int.__lt__(self, other)

    def __gt__(self, other):
        CountingSeq.steps += 1
        return int.__gt__(self, other)


def steps_per_cycle(backlog: int, groups: int = 4, cycles: int = 200) -> float:
    """Mean comparisons for one failing consumer's cycle (receive, back from flight, receive,
    delete, send) with `backlog` visible messages."""
    store, seq = FifoStore("q"), [0]

    def send():
        m = Message(seq[0], {}, None, group=f"g{seq[0] % groups}")
        m.queue, m.seq, m.state = "q", CountingSeq(seq[0]), VISIBLE
        seq[0] += 1
        store.add(m)

    def receive():
        got = []
        store.take(1, lambda m: (setattr(m, "state", IN_FLIGHT), got.append(m)) is not None)
        return got[0]

    for _ in range(backlog):
        send()
    CountingSeq.steps = 0
    for _ in range(cycles):
        m = receive()
        store.left_flight(m)
        m.state = VISIBLE
        store.add(m)
        m = receive()
        store.left_flight(m)
        m.state = GONE
        send()
    return CountingSeq.steps / cycles


def test_fifo_steps_grow_with_the_log_of_the_backlog_not_the_backlog():
    """Issue 8: a message back from flight was placed by walking its group from the tail, so the
    steps grew with the backlog (100 times more at 100,000 than at 1,000). A heap grows with log n:
    log(100,000) / log(1,000) is 1.67."""
    small, big = steps_per_cycle(1_000), steps_per_cycle(100_000)
    assert big <= 2.0 * small, (small, big)
