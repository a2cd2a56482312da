"""The cost table `flowdeck run` prints, from the report's `cost` and `metering`."""
from __future__ import annotations

from typing import Any

from engine.text_tables import table

SERVICE_NAMES = {"ec2": "EC2", "elb": "ELB", "sns": "SNS", "sqs": "SQS", "lambda": "Lambda"}


def _metered(m: dict[str, Any]) -> str:
    service = m["service"]
    if service == "ec2":
        return f"{m['instance_seconds'] / 3600:,.2f} instance-hours"
    if service == "elb":
        return f"{m['alb_hours']} h + {m['lcu_hours']:,.3f} LCU-h ({m['new_connections']:,} connections, " \
               f"{m['processed_gb']:,.2f} GB)"
    if service == "sns":
        sent = ", ".join(f"{n:,} {proto}" for proto, n in sorted(m["deliveries"].items()) if n)
        return f"{m['publishes']:,} publishes" + (f", deliveries {sent}" if sent else "")
    if service == "sqs":
        return f"{m['requests']:,} requests ({m['empty_receives']:,} empty receives)"
    return f"{m['requests']:,} requests, {m['gb_seconds']:,.1f} GB-s"


def usd(value: float) -> str:
    return f"${value:,.4f}" if value < 100 else f"${value:,.2f}"


def render(report: dict[str, Any]) -> list[str]:
    cost, metering = report.get("cost"), report.get("metering", {})
    if not cost or not cost["by_node"]:
        return []
    rows = []
    for node_id, value in cost["by_node"].items():
        m = metering.get(node_id, {})
        name = report["nodes"].get(node_id, {}).get("name", node_id)
        rows.append([name, SERVICE_NAMES.get(m.get("service"), "?"), _metered(m) if m else "", usd(value)])
    rows.append(["Total", "", "", usd(cost["total_usd"])])
    title = f"Cost ({cost['prices']} on-demand list prices, no free tier)"
    return table(title, ["", "service", "metered", "USD"], rows)
