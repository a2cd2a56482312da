"""Issue 14 item 14: failures for messaging, as a presenter injects them from a right-click menu.

A consumer bug on a queue: the consumers receive a message, work on it, and fail, so they never
delete it. AWS SQS makes it visible again after the visibility timeout and, once its receive
count would exceed the redrive policy's maxReceiveCount, moves it to the dead-letter queue
(AWS-SEMANTICS.md, SQS). A Lambda function's error rate: the share of its invocations that fail.
"""
from __future__ import annotations

from engine import examples, fileio, scenario
from engine.simulation import Simulation
from tests.engine.messaging_helpers import build, check_ledger, node


def poison(seed: int = 1) -> Simulation:
    doc = fileio.load(examples.path("poison-message"))
    doc.scenario = []
    doc.nodes["workers"].props["instance"]["error_rate"] = 0.0
    return Simulation(doc, seed=seed)


def test_a_consumer_bug_sends_every_message_to_the_dead_letter_queue_until_it_is_fixed():
    sim = poison()
    jobs = sim.world.components["jobs"]
    sim.run_until(60.0)
    assert jobs.dead_lettered == 0 and jobs.deleted > 300
    scenario.fail(sim.world, "jobs", "error", factor=1.0)
    deleted_then = jobs.deleted
    sim.run_until(180.0)
    # only the jobs already done when the bug came are deleted (a few seconds of work at most)
    assert jobs.deleted - deleted_then < 40
    # 3 receives, each 15 s of visibility timeout apart: the first go to the DLQ after about 30 s
    assert jobs.dead_lettered > 0.5 * 8 * (180 - 60 - 45)
    assert jobs.top_receive_count <= 3 + 1
    scenario.recover(sim.world, "jobs")
    dead_then, deleted_then = jobs.dead_lettered, jobs.deleted
    sim.run_until(240.0)
    # the jobs received 3 times under the bug still go on their next receive (as AWS moves them):
    # at most those sent in the bug's last 3 x 15 s
    assert jobs.deleted - deleted_then > 8 * 60 * 0.8 and jobs.dead_lettered - dead_then <= 8 * 45 * 1.3
    dead_then = jobs.dead_lettered
    sim.run_until(300.0)
    assert jobs.dead_lettered == dead_then, "fixed: nothing more goes to the DLQ"
    check_ledger(sim)
    kinds = [(a["node"], a["kind"], a["text"]) for a in sim.world.activities if a["node"] == "jobs"]
    assert kinds == [("jobs", "failure", "A consumer bug: every message received fails"),
                     ("jobs", "recover", "Recovered: the consumers work again")]


def test_a_lambda_error_rate_fails_that_share_of_its_invocations_for_its_duration():
    sim = build([node("f", "lambda_function", duration_s={"dist": "constant", "value": 0.1})], [])
    f = sim.world.components["f"]
    scenario.fail(sim.world, "f", "error", factor=0.5, duration_s=1000.0)
    results: list[tuple[float, bool]] = []
    for i in range(500):     # one invocation a second, 400 during the failure and 100 after it
        t = i * 1.0 if i < 400 else 1000.0 + i
        sim.world.kernel.at(t, lambda _, t=t: f.invoke(lambda p, ok: results.append((t, ok)), None))
    sim.run_until(1600.0)
    during = [ok for t, ok in results if t < 1000]
    after = [ok for t, ok in results if t > 1000]
    assert len(during) == 400 and len(after) == 100
    assert 170 <= during.count(False) <= 230, "binomial(400, 0.5): 200 +- 3 standard deviations"
    assert all(after) and f.injected_error_rate is None, "recovered after duration_s: error_rate 0 again"


def test_a_queue_or_function_fails_only_in_mode_error():
    sim = poison()
    scenario.fail(sim.world, "jobs", "crash")
    assert sim.world.activities[-1]["kind"] == "refused" and sim.world.components["jobs"].consumer_bug == 0.0
