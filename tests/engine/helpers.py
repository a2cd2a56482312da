"""Building small topologies for engine tests."""
from __future__ import annotations

from typing import Any

from engine.fileio import from_data
from engine.simulation import Simulation


def topology(nodes: list[dict], edges: list[tuple] | list[dict], scenario: list[dict] | None = None,
             seed: int = 1, duration_s: float = 600) -> dict[str, Any]:
    """A topology dict; edges may be (source, target) or (source, target, props) tuples."""
    edge_dicts = []
    for i, e in enumerate(edges):
        if isinstance(e, dict):
            edge_dicts.append(e)
        else:
            edge_dicts.append({"id": f"e{i}", "source": e[0], "target": e[1], "props": e[2] if len(e) > 2 else {}})
    return {"format": "flowdeck-topology", "schema_version": 1, "title": "test",
            "simulation": {"seed": seed, "duration_s": duration_s},
            "nodes": nodes, "edges": edge_dicts, "scenario": scenario or []}


def node(node_id: str, kind: str, **props: Any) -> dict:
    return {"id": node_id, "kind": kind, "props": props}


def simulate(nodes, edges, scenario=None, until: float = 600, seed: int = 1, series_interval: float = 10.0) -> Simulation:
    sim = Simulation(from_data(topology(nodes, edges, scenario, seed)), series_interval=series_interval)
    sim.run_until(until)
    return sim


def web(rate: float = 10, n: int = 2, algorithm: str = "round_robin", lb: dict | None = None,
        group: dict | None = None, instance: dict | None = None, client: dict | None = None):
    """client -> ALB -> Auto Scaling group of n instances: (nodes, edges)."""
    nodes = [node("c", "client", rate_rps=rate, **(client or {})),
             node("lb", "load_balancer", algorithm=algorithm, **(lb or {})),
             node("g", "auto_scaling_group", min_size=n, desired_capacity=n, max_size=max(n, 10),
                  instance=instance or {}, **(group or {}))]
    return nodes, [("c", "lb"), ("lb", "g")]
