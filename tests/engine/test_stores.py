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
