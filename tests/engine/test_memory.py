"""Memory flat in simulated time: what a group keeps of instances it has terminated is bounded."""
from __future__ import annotations

import gc

from engine.components.instance import Instance
from engine.messaging.consumers import Worker
from engine.kernel import GC_YOUNG_THRESHOLD, Kernel
from engine.world import TERMINATED_KEPT
from tests.engine.helpers import node, simulate


def test_a_group_that_scales_in_and_out_forever_keeps_a_bounded_number_of_instances():
    """Each cycle launches 4 instances and terminates 4 (they consume a queue, so each also has a
    message worker). Before, every terminated instance stayed reachable (world.instances and the
    message workers), about 5 KB each, growing with simulated time."""
    cycles = 40
    scenario = [{"at_s": 120 * k + d, "action": "set", "target": "w", "prop": "desired_capacity", "value": v}
                for k in range(cycles) for d, v in ((0, 5), (60, 1))]
    nodes = [node("c", "client", rate_rps=5), node("q", "sqs_queue"),
             node("w", "auto_scaling_group", min_size=1, max_size=5, desired_capacity=1,
                  instance={"boot_time_s": 5}, default_cooldown_s=0)]
    sim = simulate(nodes, [("c", "q"), ("q", "w")], scenario, until=120 * cycles)
    group = sim.world.components["w"]
    assert group.terminated >= 3 * cycles
    gc.collect()
    alive = [o for o in gc.get_objects() if isinstance(o, Instance) and o.world is sim.world]
    assert len(sim.world.instances) <= TERMINATED_KEPT + len(group.instances)
    assert len(alive) <= TERMINATED_KEPT + len(group.instances) + 2, len(alive)
    workers = [o for o in gc.get_objects() if isinstance(o, Worker) and o.world is sim.world]
    assert len(workers) <= TERMINATED_KEPT + len(group.instances) + 2, len(workers)


def test_events_run_with_fewer_young_collections_and_the_thresholds_come_back():
    """Python collects young objects every 700 allocations; with a large live heap that made full
    collections a third of a heavy run's wall time. While events run the threshold is raised."""
    before = gc.get_threshold()
    seen = []
    k = Kernel()
    k.at(1.0, lambda _: seen.append(gc.get_threshold()))
    k.run_until(2.0)
    assert seen[0][0] == max(before[0], GC_YOUNG_THRESHOLD) and seen[0][1:] == before[1:]
    assert gc.get_threshold() == before
