"""A live run's past: checkpoints taken as it runs and the journal of live controls, so the runner
can go back to any moment and replay to it exactly, and can fork the past (DESIGN.md 2, FORMAT.md 4.4).

A seek restores the latest checkpoint at or before the target and runs on to the target, applying
every journaled control at the simulated time it was applied the first time: the engine is
deterministic, so the moment is the one that was played. A control applied in the past forks:
the checkpoints and journal entries after that moment are cut off (and handed back, so an undo can
put that future back).

Checkpoints cost wall time and memory, so both are bounded. They are evenly spaced in simulated
time: every `interval_s` at most, and further apart when the run goes so fast that one checkpoint
per `interval_s` would cost more than `max_overhead` of the wall time (the gap is the last
checkpoint's cost over max_overhead, in simulated seconds at the run's pace; a replay then takes
about cost / max_overhead of wall time at most). When they hold more than `budget_bytes`, the
older half is thinned (every other one dropped, never the first), so the recent past stays dense
and the distant past sparse.
"""
from __future__ import annotations

import time
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Any, Callable

from engine.simulation import Simulation

INTERVAL_S = 5.0              # simulated seconds between checkpoints, at most this dense
MAX_OVERHEAD = 0.04           # share of wall time checkpoints may take (the goal: within 5 % of a run without)
BUDGET_BYTES = 150_000_000    # memory the checkpoints of one run may hold
TAIL_S = 10.0                 # a seek keeps the transfers that arrive this close before the target,
                              # so the view draws the dots in flight at that moment (at up to 20x)


@dataclass
class Control:
    """A live control as the runner applied it: at simulated time t, command(*args)."""
    t: float
    command: str
    args: tuple


@dataclass
class Checkpoint:
    t: float
    journaled: int      # how many controls the journal held when it was taken
    data: bytes         # the simulation without its series and activity log (History._graft)
    events: int = 0     # events the run had processed
    series_len: int = 0
    activities_len: int = 0


@dataclass
class Future:
    """What a fork cut off: checkpoints and controls after the fork's moment (for undo)."""
    t: float
    played_to: float
    journaled: int      # the journal's length at the fork: what an undo truncates it to
    furthest: Simulation | None = None   # the run that had gone furthest, for its series and log
    checkpoints: list[Checkpoint] = field(default_factory=list)
    journal: list[Control] = field(default_factory=list)


class History:
    def __init__(self, sim: Simulation, interval_s: float = INTERVAL_S, max_overhead: float = MAX_OVERHEAD,
                 budget_bytes: int = BUDGET_BYTES) -> None:
        self.interval_s, self.max_overhead, self.budget_bytes = interval_s, max_overhead, budget_bytes
        self.checkpoints: list[Checkpoint] = []
        self.journal: list[Control] = []      # in time order
        self.played_to = sim.now              # the furthest simulated time reached (played-so-far band)
        self._furthest = sim                  # the run that reached it: its series and log are the past's
        self._gap = interval_s                # simulated seconds to the next checkpoint
        self.clock: Callable[[], float] = time.perf_counter   # wall seconds (a bench may pace it)
        self._last_wall = self.clock()
        self._take(sim)

    # -- recording --------------------------------------------------------------------------------
    @property
    def nbytes(self) -> int:
        return sum(len(c.data) for c in self.checkpoints)

    def record(self, sim: Simulation) -> None:
        """Called as the run advances: a checkpoint when one is due and affordable. Replaying the
        past (before played_to) takes none: the past already has its checkpoints."""
        if sim.now <= self.played_to:
            return
        self.played_to, self._furthest = sim.now, sim
        if sim.now - self.checkpoints[-1].t >= self._gap:
            self._take(sim)

    def note(self, t: float, command: str, args: tuple) -> None:
        """A live control was applied at t, after everything up to t had run. Applied in the past
        (before played_to) it forks: call fork(t) first."""
        self.journal.append(Control(t, command, args))
        self.played_to = max(self.played_to, t)

    def _take(self, sim: Simulation) -> None:
        start = self.clock()
        since = self.checkpoints[-1].t if self.checkpoints else sim.now
        # The series and the log only grow, and every checkpoint lies on the furthest run's past:
        # they are left out and grafted back from that run on restore (cheaper checkpoints, so
        # more of them, so shorter replays).
        series, activities = sim.series, sim.world.activities
        sim.series, sim.world.activities = {}, []
        try:
            data = sim.checkpoint()
        finally:
            sim.series, sim.world.activities = series, activities
        self.checkpoints.append(Checkpoint(sim.now, len(self.journal), data, sim.kernel.events,
                                           len(series.get("t_s", ())), len(activities)))
        end = self.clock()
        pace = (sim.now - since) / max(1e-9, start - self._last_wall)   # simulated s per wall s
        self._gap = max(self.interval_s, (end - start) / self.max_overhead * pace)
        self._last_wall = end
        if self.nbytes > self.budget_bytes:
            self._thin()

    def _thin(self) -> None:
        """Drop every other checkpoint of the older half; the first (0:00) always stays."""
        older = len(self.checkpoints) // 2
        kept = [c for i, c in enumerate(self.checkpoints[:older]) if i % 2 == 0]
        self.checkpoints = kept + self.checkpoints[older:]

    # -- going back ------------------------------------------------------------------------------
    def seek(self, target: float, apply: Callable[[Simulation, Control], Any]) -> tuple[Simulation, int]:
        """A simulation at `target`: the latest checkpoint at or before it, run on with the
        journal's later controls applied at their times (`apply(sim, control)` applies one).
        Returns it with the index of the first journal entry not applied yet."""
        times = [c.t for c in self.checkpoints]
        start = self.checkpoints[max(0, bisect_right(times, target) - 1)]
        sim = self._restore(start)
        tail = _Tail(sim, target - TAIL_S)
        index = start.journaled
        while index < len(self.journal) and self.journal[index].t <= target:
            control = self.journal[index]
            sim.run_until(control.t, on_transfers=tail)
            apply(sim, control)
            index += 1
        sim.run_until(target, on_transfers=tail)
        tail.leave_in_world()
        return sim, index

    def seek_event(self, events: int, apply: Callable[[Simulation, Control], Any]) -> tuple[Simulation, int]:
        """A simulation just after its `events`-th event (one event back: the single step undone),
        from the latest checkpoint before it, replaying events one by one with the journal."""
        start = max((c for c in self.checkpoints if c.events <= events), key=lambda c: c.events)
        sim = self._restore(start)
        index, kernel = start.journaled, sim.kernel
        while kernel.events < events and kernel.heap:
            next_t = kernel.heap[0][0]
            while index < len(self.journal) and self.journal[index].t < next_t:
                sim.run_until(self.journal[index].t)    # no event before it: only the clock moves
                apply(sim, self.journal[index])
                index += 1
            kernel.step()
        _Tail(sim, sim.now - TAIL_S).leave_in_world()
        return sim, index

    def _restore(self, checkpoint: Checkpoint) -> Simulation:
        """The checkpoint's simulation with its series and log grafted from the furthest run."""
        sim = Simulation.restore(checkpoint.data)
        n, past = checkpoint.series_len, self._furthest
        sim.series = {key: values[:n] if key == "t_s" else {name: v[:n] for name, v in values.items()}
                      for key, values in past.series.items()}
        sim.world.activities = past.world.activities[:checkpoint.activities_len]
        return sim

    # -- forking ---------------------------------------------------------------------------------
    def fork(self, t: float, sim: Simulation) -> Future:
        """Cut off the future after t (a control is about to be applied to sim at t); returns it."""
        n = sum(1 for c in self.journal if c.t <= t)
        cut = Future(t, self.played_to, n, self._furthest, self._cut(t, n), self.journal[n:])
        self.journal = self.journal[:n]
        self.played_to, self._furthest = t, sim
        return cut

    def _cut(self, t: float, journaled: int) -> list[Checkpoint]:
        """Remove and return the checkpoints after t or after the journal's first `journaled` entries."""
        late = [c for c in self.checkpoints if c.t > t or c.journaled > journaled]
        self.checkpoints = [c for c in self.checkpoints if not (c.t > t or c.journaled > journaled)]
        return late

    def rejoin(self, future: Future) -> None:
        """Put back a future that fork cut off (undoing the edit that forked): what was recorded
        after the fork since is dropped."""
        self._cut(future.t, future.journaled)
        self.journal = self.journal[:future.journaled]
        self.checkpoints += future.checkpoints
        self.journal += future.journal
        self.played_to, self._furthest = future.played_to, future.furthest


class _Tail:
    """Collects a replay's transfers that arrive after `cutoff`: what is still in flight near the
    target. Left in the world's transfer list, the runner hands them to the view with the jump."""

    def __init__(self, sim: Simulation, cutoff: float) -> None:
        self.sim, self.cutoff, self.kept = sim, cutoff, []

    def __call__(self, transfers: list) -> None:
        if self.sim.now >= self.cutoff:     # a slice ending before the cutoff holds nothing still flying
            self.kept.extend(transfers)

    def leave_in_world(self) -> None:
        pending = self.sim.world.transfers
        self.kept.extend(pending)
        pending[:] = [x for x in self.kept if x[3] >= self.cutoff]
