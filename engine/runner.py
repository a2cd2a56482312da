"""The runner: drives a Simulation stepped or paced to the wall clock, from any thread.

Two channels cross threads and nothing else: controls go in through a queue (`post` and the
helpers built on it), batches come out through `take_batches`. In paced mode the engine thread
calls `run_paced(stop_event)`; it applies controls between slices, runs the simulation up to
wall time x speed, and publishes one batch per tick. Tests and the command line call `step`
directly in their own thread.
"""
from __future__ import annotations

import queue
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from engine import event_words, scenario, trace
from engine.model import Document
from engine.simulation import Simulation
from engine.timeline import TAIL_S, Control, Future, History

TICK_S = 1 / 60            # publish at most this often (the view draws at 60 Hz)
MAX_SLICE_WALL_S = 0.012   # leave the engine loop this often to publish and read controls
MAX_LAG_S = 0.5            # wall seconds of backlog before the runner gives up catching up
MIN_SPEED, MAX_SPEED = 0.1, 100.0
LIVE_CONTROLS = ("set", "fail", "recover", "boost")   # journaled: a seek replays them at their times
END_TEXT = "End of the run"


@dataclass
class Batch:
    """What the view needs since the previous batch."""
    sim_time: float
    transfers: list[tuple[int, int, float, float, int]]
    activities: list[dict[str, Any]]
    state: dict[str, Any]
    series_from: int                 # index of the first new series point
    series: dict[str, Any]           # the new points only: {"t_s": [...], node: {name: [...]}}
    paused: bool
    speed: float
    achieved_speed: float            # simulated seconds per wall second over the last second
    lagging: bool                    # the engine cannot keep up with the requested speed
    events: int
    reset: bool = False              # the run restarted or jumped: clear what was drawn (the batch
                                     # then holds every activity and series point up to sim_time)
    pause_text: str | None = None    # a scenario pause cue was reached
    messages: list[str] = field(default_factory=list)
    played_to: float = 0.0           # the furthest time played: the timeline's played-so-far band
    duration: float = 0.0            # the document's duration: the run stops there
    traces: list[dict[str, Any]] = field(default_factory=list)   # finished (and the watched) traces


class Runner:
    def __init__(self, doc: Document, seed: int | None = None, series_interval: float = 1.0) -> None:
        self.doc = doc.copy()
        self.seed = seed
        self.series_interval = series_interval
        self.speed = 1.0
        self.paused = True
        self._controls: queue.Queue = queue.Queue()
        self._outbox: list[Batch] = []
        self._outbox_lock = threading.Lock()
        self._reset_pending = False
        self._pause_text: str | None = None
        self._messages: list[str] = []
        self._speed_marks: list[tuple[float, float]] = []
        self._lagging = False
        self.reset()

    # -- synchronous use (the caller's thread owns the simulation) --------------------------------
    def reset(self, doc: Document | None = None) -> None:
        if doc is not None:
            self.doc = doc.copy()
        self._adopt(Simulation(self.doc, self.seed, self.series_interval))
        self.history = History(self.sim)
        self.last_fork: Future | None = None
        self._fork_undo: tuple | None = None   # (t, target, prop, value before) of a forking set
        self._replay = 0    # the journal's next control to apply again while replaying the past
        self._stop_at: float | None = None   # a presenter's 'play to the next cue': pause there

    def _adopt(self, sim: Simulation) -> None:
        """Make sim the run (new, or restored by a seek): the view starts over from its history."""
        self.sim = sim
        trace.ensure_live(sim.world)
        sim.world.on_pause = self._on_pause
        self._transfers: list = list(sim.world.transfers)   # after a seek: what is in flight there
        sim.world.transfers.clear()
        self._activity_index = 0
        self._series_index = 0
        self._trace_cursor, self.watched = 0, getattr(self, "watched", None)
        self._reset_pending = True
        self._pauses = sorted(a["at_s"] for a in self.doc.scenario if a["action"] == "pause" and a["at_s"] >= sim.now)

    def step(self, until: float) -> None:
        """Run the simulation up to `until` (simulated seconds), keeping the transfers. In the
        past (after a seek back), the journal's live controls are applied again at their times."""
        journal = self.history.journal
        while self._replay < len(journal) and journal[self._replay].t <= until:
            control = journal[self._replay]
            self.sim.run_until(control.t, on_transfers=self._transfers.extend)
            self._control(self.sim, control.command, control.args)
            self._replay += 1
        self.sim.run_until(until, on_transfers=self._transfers.extend)
        self.history.record(self.sim)

    def step_event(self) -> bool:
        """Process exactly one event (the 'single step' control)."""
        self.step(self.sim.now)    # controls due now, if replaying
        heap = self.sim.kernel.heap
        if heap:                   # the next event, in words, for the status bar
            names = {n.id: n.name for n in self.doc.nodes.values()}
            self._messages.append(f"Step: {event_words.describe(heap[0], names)}")
        done = self.sim.kernel.step()
        self._transfers.extend(self.sim.world.transfers)
        self.sim.world.transfers.clear()
        self.history.record(self.sim)
        return done

    def seek(self, t: float) -> None:
        """Go to simulated time t, back or forward: from the nearest checkpoint, replaying the
        journal; a target past what was played runs there."""
        t = min(max(0.0, t), self.doc.duration_s)
        self._stop_at = None      # a jump ends a 'play to the next cue'
        if t > self.history.played_to:
            self.step(t)
            self.sim.world.transfers[:] = [x for x in self._transfers if x[3] >= t - TAIL_S]  # for _adopt
            sim = self.sim
        else:
            sim, self._replay = self.history.seek(t, self._replay_control)
        self._adopt(sim)      # the view starts over from the run's history either way

    def step_back(self) -> None:
        """Undo one single step: the run as it was one event earlier."""
        if self.sim.kernel.events == 0:
            return
        sim, self._replay = self.history.seek_event(self.sim.kernel.events - 1, self._replay_control)
        self._adopt(sim)

    def _replay_control(self, sim: Simulation, control: Control) -> None:
        self._control(sim, control.command, control.args)

    @property
    def now(self) -> float:
        return self.sim.now

    def _on_pause(self, act: dict) -> None:
        self.paused = True
        self._pause_text = act.get("text", "Paused")

    # -- controls (any thread) ------------------------------------------------------------------------
    def post(self, command: str, *args: Any) -> None:
        self._controls.put((command, args))

    def play(self) -> None: self.post("play")
    def pause(self) -> None: self.post("pause")
    def set_speed(self, speed: float) -> None: self.post("speed", speed)
    def request_step(self) -> None: self.post("step")
    def request_reset(self, doc: Document | None = None) -> None: self.post("reset", doc)
    def request_seek(self, t: float) -> None: self.post("seek", t)
    def request_step_back(self) -> None: self.post("step_back")
    def request_stop_at(self, t: float) -> None: self.post("stop_at", t)
    def set_prop(self, target: str, prop: str, value: Any) -> None: self.post("set", target, prop, value)
    def fail(self, target: str, mode: str, factor: float = 1.0, duration_s: float | None = None) -> None:
        self.post("fail", target, mode, factor, duration_s)
    def recover(self, target: str) -> None: self.post("recover", target)
    def boost(self, client: str, factor: float, duration_s: float) -> None: self.post("boost", client, factor, duration_s)
    def trace_next(self, client: str) -> None: self.post("trace_next", client)
    def watch(self, trace_id: str | None) -> None: self.post("watch", trace_id)

    def apply_controls(self) -> bool:
        """Apply every queued control; True if the pacing must be re-based (play, speed, reset)."""
        rebase = False
        while True:
            try:
                command, args = self._controls.get_nowait()
            except queue.Empty:
                return rebase
            rebase |= self._apply(command, args)

    def _apply(self, command: str, args: tuple) -> bool:
        world = self.sim.world
        if command == "play":
            self.paused, self._pause_text = False, None
            return True
        if command == "pause":
            self.paused = True
        elif command == "speed":
            self.speed = min(MAX_SPEED, max(MIN_SPEED, float(args[0])))
            return True
        elif command == "step":
            self.paused = True
            self.step_event()
        elif command == "reset":
            self.reset(args[0])
            return True
        elif command == "seek":
            self.seek(args[0])
            return True
        elif command == "step_back":
            self.paused = True
            self.step_back()
        elif command == "stop_at":
            self._stop_at = args[0]
        elif command in LIVE_CONTROLS:
            self._live(command, args)
        elif command in ("trace_next", "watch"):
            self._trace_control(command, args[0])
        return False

    def _trace_control(self, command: str, arg: str | None) -> None:
        if command == "watch":
            self.watched = arg
        elif arg is not None:
            trace.ensure_live(self.sim.world).next_for.add(arg)

    def _live(self, command: str, args: tuple) -> None:
        """A live control, journaled at the current time; applied in the past, it forks the run
        (the old future is kept in last_fork, for an undo)."""
        now = self.sim.now
        if self._undoes_fork(command, args, now):
            self._rejoin(now)
            return
        if now < self.history.played_to:
            world = self.sim.world
            before = scenario.current(world, args[0], args[1]) if command == "set" else None
            self.last_fork = self.history.fork(now, self.sim)
            self._fork_undo = (now, args[0], args[1], before) if command == "set" else None
        refused = self._control(self.sim, command, args)
        if refused:
            self._messages.append(refused)
        self.history.note(now, command, args)
        self._replay = len(self.history.journal)

    def _undoes_fork(self, command: str, args: tuple, now: float) -> bool:
        """A set that puts back, at the moment of the fork, the value the forking set replaced:
        the edit was undone, so the old future comes back instead of a new fork."""
        undo, journal = self._fork_undo, self.history.journal
        if command != "set" or undo is None or self.last_fork is None or undo[0] != now:
            return False
        if not journal or journal[-1].t != now or undo[1:3] != tuple(args[:2]):
            return False
        try:
            return scenario.canonical(self.sim.world, args[0], args[1], args[2]) == undo[3]
        except (KeyError, ValueError):
            return False

    def _rejoin(self, now: float) -> None:
        self.history.rejoin(self.last_fork)
        self.last_fork = self._fork_undo = None
        sim, self._replay = self.history.seek(now, self._replay_control)
        self._adopt(sim)

    @staticmethod
    def _control(sim: Simulation, command: str, args: tuple) -> str | None:
        """Apply one live control to sim; a refused change returns why."""
        world = sim.world
        if command == "set":
            return scenario.set_prop(world, *args)
        if command == "fail":
            target, mode, factor, duration = args
            scenario.fail(world, target, mode, 1, factor, duration)
        elif command == "recover":
            scenario.recover(world, args[0])
        elif command == "boost":
            world.components[args[0]].boost(args[1], args[2])
        return None

    # -- the paced loop (engine thread) -------------------------------------------------------------
    def run_paced(self, stop: threading.Event) -> None:
        wall0, sim0 = time.perf_counter(), self.sim.now
        while not stop.is_set():
            if self.apply_controls():
                wall0, sim0 = time.perf_counter(), self.sim.now
            if self.paused:
                self.publish()
                self._wait_for_control(stop)
                wall0, sim0 = time.perf_counter(), self.sim.now
                continue
            target = sim0 + (time.perf_counter() - wall0) * self.speed
            target = self._run_towards(target)
            behind = (target - self.sim.now) / self.speed
            self._lagging = behind > MAX_LAG_S
            if self._lagging:  # drop the debt instead of stuttering to catch up
                wall0, sim0 = time.perf_counter(), self.sim.now
            self.publish()
            time.sleep(TICK_S)

    def _run_towards(self, target: float) -> float:
        """Advance towards target in short slices; stop early at a pause cue, when wall time is up,
        and for good at the document's duration (the end of the run pauses it)."""
        if self._pauses and self._pauses[0] <= target:
            target = max(self.sim.now, self._pauses.pop(0))
        if self._stop_at is not None and self._stop_at <= target:
            target = max(self.sim.now, self._stop_at)
        end = self.doc.duration_s
        if target >= end:
            target = end
            if self.sim.now >= end:
                self.paused, self._pause_text = True, END_TEXT
                return target
        deadline = time.perf_counter() + MAX_SLICE_WALL_S
        while self.sim.now < target and time.perf_counter() < deadline and not self.paused:
            self.step(min(target, self.sim.now + max(0.01, self.speed * 0.002)))
        if self._stop_at is not None and self.sim.now >= self._stop_at:
            self.paused, self._stop_at = True, None
        return target

    def _wait_for_control(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                command, args = self._controls.get(timeout=0.05)
            except queue.Empty:
                continue
            self._apply(command, args)
            return

    # -- batches --------------------------------------------------------------------------------------
    def publish(self) -> None:
        batch = self.make_batch()
        with self._outbox_lock:
            self._outbox.append(batch)

    def take_batches(self) -> list[Batch]:
        with self._outbox_lock:
            out, self._outbox = self._outbox, []
        return out

    def make_batch(self) -> Batch:
        sim, world = self.sim, self.sim.world
        acts = world.activities[self._activity_index:]
        self._activity_index = len(world.activities)
        series = _series_since(sim.series, self._series_index)
        first, self._series_index = self._series_index, len(sim.series["t_s"])
        transfers, self._transfers = self._transfers, []
        reset, self._reset_pending = self._reset_pending, False
        messages, self._messages = self._messages, []
        traces, self._trace_cursor, self.watched = trace.new_traces(world, self._trace_cursor, self.watched)
        return Batch(sim.now, transfers, acts, {nid: c.state() for nid, c in world.components.items()},
                     first, series, self.paused, self.speed, self._achieved_speed(), self._lagging,
                     sim.kernel.events, reset, self._pause_text, messages,
                     max(self.history.played_to, sim.now), self.doc.duration_s, traces)

    def _achieved_speed(self) -> float:
        wall = time.perf_counter()
        marks = self._speed_marks
        marks.append((wall, self.sim.now))
        while len(marks) > 2 and wall - marks[0][0] > 1.0:
            marks.pop(0)
        (w0, s0), (w1, s1) = marks[0], marks[-1]
        return (s1 - s0) / (w1 - w0) if w1 > w0 else 0.0


def _series_since(series: dict[str, Any], start: int) -> dict[str, Any]:
    out: dict[str, Any] = {"t_s": series["t_s"][start:]}
    for key, value in series.items():
        if key != "t_s":
            out[key] = {name: values[start:] for name, values in value.items()}
    return out
