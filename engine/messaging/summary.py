"""The messaging tables of the printed summary: queues, topics, Lambda functions, email."""
from __future__ import annotations

from typing import Any

from engine.text_tables import of_kind, pct, table


def _peak(report: dict, node_id: str, name: str) -> float:
    values = report.get("series", {}).get(node_id, {}).get(name, [])
    return max(values, default=0.0)


def publishers(report: dict[str, Any]) -> list[str]:
    rows = []
    nodes = report["nodes"]
    for nid, n in report["nodes"].items():
        if n["kind"] in ("sns_topic", "sqs_queue"):
            for source, sent in n["totals"].get("sent_by", {}).items():
                rows.append([nodes.get(source, {}).get("name", source), n.get("name", nid), sent])
    return table("Publishers", ["", "to", "messages"], rows) if rows else []


def queues(report: dict[str, Any]) -> list[str]:
    rows = []
    for nid, n in of_kind(report, "sqs_queue"):
        t = n["totals"]
        rows.append([n.get("name", nid), t["received_in"], t["receives"], t["deleted"], t["dead_lettered"],
                     t["expired"], f"{_peak(report, nid, 'visible'):.0f}",
                     f"{_peak(report, nid, 'oldest_age_s'):.0f} s", t["visible"], t["in_flight"],
                     t["max_receive_count_seen"]])
    header = ["", "arrived", "received", "deleted", "to DLQ", "expired", "peak waiting", "max age",
              "waiting now", "in flight", "top receive count"]
    return table("Queues (received counts every receive, so a retried message counts again)", header, rows) \
        if rows else []


def topics(report: dict[str, Any]) -> list[str]:
    rows = []
    for nid, n in of_kind(report, "sns_topic"):
        t = n["totals"]
        rows.append([n.get("name", nid), t["published"], t["copies"], t["delivered"], t["filtered_out"],
                     t["retries"], t["failed"], t["deduplicated"]])
        for eid, s in t.get("subscriptions", {}).items():
            rows.append([f"  -> {s.get('endpoint', eid)} ({s['protocol']})", "", s["matched"], s["delivered"],
                         s["filtered_out"], s["retries"], s["failed"], ""])
    header = ["", "published", "copies", "delivered", "filtered out", "retries", "failed", "duplicates"]
    return table("Topics (one copy per subscription whose filter policy matches)", header, rows) if rows else []


def functions(report: dict[str, Any]) -> list[str]:
    rows = []
    for nid, n in of_kind(report, "lambda_function"):
        t = n["totals"]
        rows.append([n.get("name", nid), t["invocations"], t["succeeded"], pct(t["errors"], t["invocations"]),
                     t["throttles"], t["cold_starts"], t["peak_concurrency"], t["async_dropped"]])
    header = ["", "invocations", "ok", "failed", "throttles", "cold starts", "peak running", "events dropped"]
    title = ("Lambda functions (throttles counts tries: a throttled event or batch is tried again; "
             "events dropped: SNS events whose retries or age ran out)")
    return table(title, header, rows) if rows else []


def emails(report: dict[str, Any]) -> list[str]:
    rows = [[n.get("name", nid), n["totals"]["delivered"], n["totals"]["arriving"]]
            for nid, n in of_kind(report, "email_endpoint")]
    return table("Email subscribers", ["", "delivered", "on the way"], rows) if rows else []


SECTIONS = (publishers, queues, topics, functions, emails)
