"""The overview shows the charts the topology has data for."""
from __future__ import annotations

from engine import examples, fileio
from gui.panels.charts import chart_specs


def titles(name: str) -> list[str]:
    return [c.title for c in chart_specs(fileio.load(examples.path(name)))]


def test_web_tier_has_latency_requests_instances_and_cpu_but_no_queues():
    assert titles("web-tier") == ["Latency at the clients (ms)", "Requests per second", "Instances", "CPU (%)",
                                  "Cost so far (US cents)"]


def test_a_queue_topology_without_http_clients_shows_no_latency_chart():
    got = titles("queue-leveling")
    assert "Latency at the clients (ms)" not in got and "Requests per second" not in got
    assert "Queue depth" in got and "Instances" in got
