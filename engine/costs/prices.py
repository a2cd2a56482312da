"""The price table that ships with FlowDeck (prices.json): us-east-1 on-demand list prices, dated,
with the AWS page of every number and what was done to confirm it."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

PRICES_FILE = Path(__file__).with_name("prices.json")
DEFAULT_INSTANCE_TYPE = "t3.micro"


@lru_cache(maxsize=1)
def table() -> dict[str, Any]:
    return json.loads(PRICES_FILE.read_text(encoding="utf-8"))


@lru_cache(maxsize=None)   # the bill asks for the same few numbers at every sample
def value(*path: str) -> float:
    """The number at a path of the table, e.g. value("elb", "alb_hour")."""
    node: Any = table()
    for key in path:
        node = node[key]
    return float(node["value"])


def instance_types() -> tuple[str, ...]:
    """The EC2 instance types FlowDeck can price, cheapest first."""
    hours = table()["ec2"]["instance_hour"]
    return tuple(sorted(hours, key=lambda t: (hours[t]["value"], t)))


@lru_cache(maxsize=None)
def ec2_hourly(instance_type: str) -> float:
    return value("ec2", "instance_hour", instance_type)


def label() -> str:
    """What the report's cost block names as its prices: "<region>, <date of the table>"."""
    return f"{table()['region']}, {table()['date']}"
