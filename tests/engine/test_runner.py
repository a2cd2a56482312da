"""The runner: stepping, controls through the queue, a paced run in a thread, batches for the view."""
from __future__ import annotations

import threading
import time

from engine import examples, fileio
from engine.runner import Runner
from engine.traffic import REQUEST, RESPONSE


def runner(name: str = "web-tier") -> Runner:
    return Runner(fileio.load(examples.path(name)))


def test_step_collects_transfers_and_state():
    r = runner()
    r.step(10.0)
    batch = r.make_batch()
    assert batch.sim_time == 10.0 and batch.reset
    kinds = {t[4] for t in batch.transfers}
    assert {REQUEST, RESPONSE} <= kinds
    assert all(t[2] <= t[3] for t in batch.transfers), "arrival is never before departure"
    assert batch.state["web"]["in_service"] == 2
    assert batch.series["t_s"][0] == 0.0
    assert not r.make_batch().transfers, "a batch hands transfers over once"


def test_single_step_processes_one_event():
    r = runner()
    before = r.sim.kernel.events
    assert r.step_event()
    assert r.sim.kernel.events == before + 1


def test_controls_apply_in_order_between_slices():
    r = runner("failure")
    r.set_speed(1000)
    r.fail("web/i-2", "crash")
    r.set_prop("users", "rate_rps", 80)
    r.play()
    r.apply_controls()
    assert r.speed == 100.0, "speed is capped at 100x"
    assert not r.paused
    assert r.sim.world.instances["web/i-2"].failure == "crash"
    assert r.sim.world.components["users"].props["rate_rps"] == 80.0
    r.request_reset()
    r.apply_controls()
    assert r.sim.now == 0 and r.sim.world.instances["web/i-2"].failure is None


def test_paced_run_in_a_thread_follows_the_wall_clock_and_stops():
    r = runner()
    stop = threading.Event()
    r.set_speed(20)
    r.play()
    thread = threading.Thread(target=r.run_paced, args=(stop,))
    start = time.perf_counter()
    thread.start()
    time.sleep(0.5)
    stop.set()
    thread.join(timeout=5)
    wall = time.perf_counter() - start
    assert not thread.is_alive()
    batches = r.take_batches()
    assert batches, "the runner publishes batches while it runs"
    sim_time = batches[-1].sim_time
    assert 0.5 * 20 * 0.5 < sim_time <= 20 * wall + 0.5, sim_time


def test_scenario_pause_stops_the_paced_run_at_its_time():
    doc = fileio.load(examples.path("web-tier"))
    doc.scenario.append({"at_s": 3.0, "action": "pause", "text": "Look at the queue"})
    r = Runner(doc)
    r.set_speed(50)
    r.play()
    play_until_paused(r)
    assert r.paused
    assert 3.0 <= r.sim.now < 3.5
    assert any(b.pause_text == "Look at the queue" for b in r.take_batches())


def test_stop_at_pauses_the_paced_run_exactly_there_even_at_100x():
    """A presenter's Page Down: play on and stop at the next cue's time, not a slice later."""
    r = runner("web-tier")
    r.set_speed(100)
    r.request_stop_at(7.5)
    r.play()
    play_until_paused(r)
    assert r.paused and r.sim.now == 7.5


def play_until_paused(r: Runner) -> None:
    """Run the paced loop in a thread until the runner pauses itself (5 s at most), then stop it."""
    stop = threading.Event()
    thread = threading.Thread(target=r.run_paced, args=(stop,))
    thread.start()
    deadline = time.time() + 5
    while not r.paused and time.time() < deadline:
        time.sleep(0.01)
    time.sleep(0.1)
    stop.set()
    thread.join(timeout=5)


def test_a_single_step_says_which_event_happened():
    """Issue 14 item 16: S gave no feedback. The batch's message names the event and its time."""
    r = runner()
    r.step(10.0)
    r.make_batch()
    t_next = r.sim.kernel.heap[0][0]
    said = []
    for _ in range(40):
        r.step_event()
        said += r.make_batch().messages
    assert len(said) == 40 and said[0].startswith(f"Step: 0:{t_next:06.3f} · ")
    text = " ".join(said)
    assert "Users sends a request" in text and "a request reaches ALB" in text
    assert "Web tier i-" in text and "web/i-" not in text, "names, not internal ids"
