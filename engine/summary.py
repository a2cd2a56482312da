"""The readable summary `flowdeck run` prints, made from a run report."""
from __future__ import annotations

from typing import Any

from engine.costs import summary as cost_summary
from engine.messaging.summary import SECTIONS as MESSAGING_SECTIONS
from engine.text_tables import ms, of_kind, pct, table

MAX_ACTIVITIES = 25


def _clients(report: dict) -> list[str]:
    rows = []
    for nid, n in of_kind(report, "client"):
        t, e, lat = n["totals"], n["errors"], n["latency_s"]
        if not t["sent"]:
            continue  # sends no HTTP requests (e.g. only publishes: see the Queues and Topics tables)
        errs = ", ".join(f"{k}: {v}" for k, v in e.items() if v) or "none"
        rows.append([n.get("name", nid), t["sent"], t["completed"], pct(t["failed"], t["sent"]),
                     ms(lat["p50"]), ms(lat["p95"]), ms(lat["p99"]), errs])
    return table("Clients", ["", "sent", "ok", "failed", "p50", "p95", "p99", "errors"], rows) if rows else []


def _load_balancers(report: dict) -> list[str]:
    rows = []
    for nid, n in of_kind(report, "load_balancer"):
        t = n["totals"]
        rows.append([n.get("name", nid), t["received"], t["answered_200"], t["answered_500"], t["answered_502"],
                     t["answered_503"], t["answered_504"]])
    return table("Load balancers", ["", "requests", "200", "500", "502", "503", "504"], rows) if rows else []


def _compute(report: dict) -> list[str]:
    rows = []
    series = report.get("series", {})
    for nid, n in of_kind(report, "auto_scaling_group"):
        t, s = n["totals"], series.get(nid, {})
        in_service = s.get("in_service", [0])
        cpu = s.get("cpu_utilization", [0.0])
        rows.append([n.get("name", nid), t["handled"], t["launched"], t["terminated"],
                     f"{min(in_service):.0f}-{max(in_service):.0f}", f"{in_service[-1]:.0f}", f"{max(cpu):.0f}%"])
    for nid, n in of_kind(report, "ec2_instance"):
        t, cpu = n["totals"], series.get(nid, {}).get("cpu_utilization", [0.0])
        rows.append([n.get("name", nid), t["handled"], "-", "-", "1", "1", f"{max(cpu):.0f}%"])
    header = ["", "handled", "launched", "terminated", "in service", "at end", "peak CPU"]
    return table("Compute", header, rows) if rows else []


def _ledger(report: dict) -> list[str]:
    led = report["ledger"]
    r, m = led["requests"], led["messages"]
    lines = [f"Ledger: {'balanced' if led['balanced'] else 'NOT BALANCED'}."]
    if r["generated"]:
        lines.append(f"  Requests: {r['generated']} sent = {r['completed']} ok + {r['failed']} failed"
                     f" + {r['in_flight']} still in flight.")
    if m["created"]:
        parts = " + ".join(f"{v} {k.replace('_', ' ')}" for k, v in m.items() if k != "created" and v)
        lines.append(f"  Messages: {m['created']} created = {parts or '0'}.")
    return lines + [""]


def _activities(report: dict) -> list[str]:
    acts = report["activities"]
    if not acts:
        return ["No scaling or health activity."]
    lines = [f"Activity ({len(acts)} entries)"]
    for a in acts[:MAX_ACTIVITIES]:
        minutes, seconds = divmod(a["t_s"], 60)
        lines.append(f"  {int(minutes):3d}:{seconds:04.1f}  {a['text']}")
    if len(acts) > MAX_ACTIVITIES:
        lines.append(f"  ... and {len(acts) - MAX_ACTIVITIES} more (see --report)")
    return lines


def render(report: dict[str, Any]) -> str:
    head = (f"{report['title']}: {report['duration_s']:g} s simulated in {report['wall_s']:.2f} s "
            f"({report['events']:,} events, seed {report['seed']})")
    parts = [head, ""] + _clients(report) + _load_balancers(report) + _compute(report)
    for section in MESSAGING_SECTIONS:
        parts += section(report)
    return "\n".join(parts + cost_summary.render(report) + _ledger(report) + _activities(report))

