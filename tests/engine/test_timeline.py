"""Time travel in the runner: checkpoints as it runs, live controls journaled, seeks that replay the
past exactly, and forks when the past is changed (engine/timeline.py)."""
from __future__ import annotations

import json
import threading

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import examples, fileio
from engine.runner import END_TEXT, Runner
from engine.timeline import History


def runner(name: str, seed: int | None = None, interval_s: float = 5.0) -> Runner:
    r = Runner(fileio.load(examples.path(name)), seed=seed)
    r.history.interval_s = interval_s
    return r


def report(r: Runner) -> dict:
    """The report as it is now (a copy: the live one's series keep growing)."""
    out = json.loads(json.dumps(r.sim.report()))
    out.pop("wall_s")
    return out


def play(r: Runner, controls: list[tuple[float, str, tuple]], until: float) -> None:
    """Run in slices as the engine thread does, applying each control when its time comes."""
    for t, command, args in sorted(controls, key=lambda c: c[0]):
        r.step(t)
        r.post(command, *args)
        r.apply_controls()
    r.step(until)


def test_a_seek_back_replays_the_crash_identically():
    """The presenter's case: crash an instance live, watch the recovery, go back before the crash
    and play again: the same crash (journaled at its time) and the same recovery."""
    r = runner("failure")
    play(r, [(150.0, "fail", ("web/i-2", "crash", 1.0, None))], 400.0)
    first = report(r)
    assert any("crashes" in a["text"] for a in first["activities"])
    r.seek(120.0)
    assert r.now == 120.0 and r.make_batch().reset
    r.step(400.0)
    assert report(r) == first


def test_a_seek_lands_on_the_moment_as_it_was_played():
    r = runner("spike")
    r.step(100.0)
    at_100 = report(r)
    r.step(300.0)
    r.seek(100.0)
    assert report(r) == at_100
    batch = r.make_batch()
    assert batch.series["t_s"][-1] <= 100.0 and batch.played_to == 300.0


# Each example's client and group, so every control reaches something.
ACTORS = {"web-tier": ("users", "web"), "failure": ("users", "web"), "spike": ("shoppers", "shop"),
          "queue-leveling": ("uploads", "workers"), "poison-message": ("orders", "workers"),
          "fan-out": ("shoppers", "warehouse")}


def live_control(kind: str, client: str, group: str) -> tuple[str, tuple]:
    return {"crash": ("fail", (group, "crash", 1.0, None)), "slow": ("fail", (group, "slow", 4.0, 30.0)),
            "recover": ("recover", (group,)), "boost": ("boost", (client, 5.0, 60.0)),
            "rate": ("set", (client, "rate_rps", 3.0))}[kind]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(sorted(ACTORS)), seed=st.integers(1, 20),
       controls=st.lists(st.tuples(st.floats(1.0, 290.0),
                                   st.sampled_from(["crash", "slow", "recover", "boost", "rate"])),
                         min_size=1, max_size=5),
       back=st.floats(0.0, 1.0))
def test_any_seek_back_then_forward_gives_the_same_report(name, seed, controls, back):
    """Live controls journaled at random times; a seek to before some of them (a share `back` of
    the way to the first) and a replay to the end gives the report of the run as first played."""
    r = runner(name, seed)
    play(r, [(t, *live_control(kind, *ACTORS[name])) for t, kind in controls], 300.0)
    expected = report(r)
    r.seek(back * min(t for t, _ in controls))
    r.step(300.0)
    assert report(r) == expected


def test_a_change_in_the_past_forks_and_undo_brings_the_old_future_back():
    r = runner("failure")
    r.step(300.0)
    original = report(r)
    r.seek(100.0)
    r.set_prop("users", "rate_rps", 5.0)
    r.apply_controls()
    assert r.history.played_to == 100.0 and r.last_fork is not None
    r.step(300.0)
    forked = report(r)
    assert forked != original
    assert forked["nodes"]["users"]["totals"]["sent"] < original["nodes"]["users"]["totals"]["sent"]
    r.history.rejoin(r.last_fork)
    r.seek(300.0)
    assert report(r) == original


def test_checkpoints_stay_within_their_budget_and_keep_the_start():
    r = runner("web-tier", interval_s=1.0)
    r.history.budget_bytes = 20 * len(r.history.checkpoints[0].data)
    r.history.max_overhead = 1.0
    for t in range(1, 400):
        r.step(float(t))
    h = r.history
    assert h.nbytes <= h.budget_bytes + len(h.checkpoints[-1].data)
    assert h.checkpoints[0].t == 0.0
    gaps = [b.t - a.t for a, b in zip(h.checkpoints, h.checkpoints[1:])]
    assert gaps[0] > gaps[-1]          # the distant past is sparse, the recent past dense
    r.seek(17.5)
    assert r.now == 17.5


def test_checkpoints_are_spaced_out_when_they_would_cost_too_much_wall_time():
    """Played flat out, a checkpoint every second of simulated time would cost far more than the
    allowed share of wall time: after the first ones the gap grows to keep within it."""
    r = runner("web-tier", interval_s=1.0)
    r.history.max_overhead = 1e-6
    for t in range(1, 101):
        r.step(float(t))
    assert len(r.history.checkpoints) <= 2
    r.seek(50.0)
    assert r.now == 50.0


def test_the_paced_run_stops_at_the_documents_duration():
    doc = fileio.load(examples.path("web-tier"))
    doc.duration_s = 30.0
    r = Runner(doc)
    r.speed = 100.0
    r.paused = False
    stop = threading.Event()
    thread = threading.Thread(target=r.run_paced, args=(stop,))
    thread.start()
    try:
        for _ in range(200):
            if r.paused:
                break
            stop.wait(0.05)
    finally:
        stop.set()
        thread.join()
    assert r.paused and r.now == 30.0
    assert r.make_batch().pause_text == END_TEXT


def test_history_seek_applies_controls_noted_after_the_checkpoint_at_its_time():
    r = runner("web-tier")
    r.step(10.0)
    r.history._take(r.sim)             # a checkpoint at 10.0, then a control at 10.0
    r.post("set", "users", "rate_rps", 100.0)
    r.apply_controls()
    r.step(20.0)
    expected = report(r)
    r.seek(10.0)
    assert r.sim.world.components["users"].props["rate_rps"] == 100.0
    r.step(20.0)
    assert report(r) == expected
    assert isinstance(r.history, History)


def test_one_step_back_undoes_one_single_step_exactly():
    """Left / Right while paused: a step back is the run as it was one event earlier."""
    r = runner("failure")
    play(r, [(40.0, "fail", ("web", "crash", 1.0, None))], 60.0)
    before = report(r)
    events = r.sim.kernel.events
    for _ in range(3):
        r.step_event()
    r.step_back()
    r.step_back()
    r.step_back()
    assert r.sim.kernel.events == events
    assert report(r)["events"] == before["events"] and report(r)["activities"] == before["activities"]
    r.step_event()
    r.step_back()
    assert r.sim.kernel.events == events


def test_setting_the_old_value_back_at_the_fork_brings_the_old_future_back():
    """Undo of an edit made in the past: the app sends the old value at the same moment; the run
    rejoins the future it had (same report, no second fork) instead of forking again."""
    r = runner("failure")
    r.step(300.0)
    original = report(r)
    r.seek(100.0)
    old = r.sim.world.components["users"].props["rate_rps"]
    r.set_prop("users", "rate_rps", 5.0)
    r.apply_controls()
    assert r.last_fork is not None and r.history.played_to == 100.0
    r.set_prop("users", "rate_rps", old)
    r.apply_controls()
    assert r.last_fork is None and r.history.played_to == 300.0 and r.now == 100.0
    r.step(300.0)
    assert report(r) == original


def test_a_second_change_at_the_fork_is_not_taken_for_an_undo():
    r = runner("failure")
    r.step(300.0)
    r.seek(100.0)
    r.set_prop("users", "rate_rps", 5.0)
    r.apply_controls()
    r.set_prop("users", "rate_rps", 7.0)
    r.apply_controls()
    assert r.history.played_to == 100.0 and r.sim.world.components["users"].props["rate_rps"] == 7.0


def in_flight(transfers: list, t: float) -> list:
    return sorted(tuple(x) for x in transfers if x[2] <= t <= x[3])


def test_a_seek_hands_the_view_the_transfers_in_flight_at_that_moment():
    """Dots where they were: the batch after a jump back (and after a jump forward) holds the
    transfers in flight at the target, the same ones the straight run had in flight then."""
    straight = runner("fan-out")
    straight.step(97.3)
    flying = in_flight(straight.make_batch().transfers, 97.3)
    assert flying, "the example has traffic in flight at 97.3 s"

    r = runner("fan-out")
    r.step(200.0)
    r.make_batch()
    r.seek(97.3)
    batch = r.make_batch()
    assert batch.reset and in_flight(batch.transfers, 97.3) == flying
    assert min(x[3] for x in batch.transfers) >= 97.3 - 10.0   # only the tail, not the replay's whole past

    r.seek(150.0)       # back to 97.3 was a jump; 150 s was played too
    again = runner("fan-out")
    again.step(150.0)
    assert in_flight(r.make_batch().transfers, 150.0) == in_flight(again.make_batch().transfers, 150.0)


def test_a_jump_forward_past_what_was_played_hands_over_what_is_in_flight_there():
    r = runner("web-tier")
    r.step(10.0)
    r.make_batch()
    r.seek(60.0)
    straight = runner("web-tier")
    straight.step(60.0)
    expected = in_flight(straight.make_batch().transfers, 60.0)
    assert expected and in_flight(r.make_batch().transfers, 60.0) == expected
