"""The built-in example topologies in resources/examples/."""
from __future__ import annotations

import json
from pathlib import Path

RESOURCES = Path(__file__).resolve().parent.parent / "resources"
EXAMPLES = RESOURCES / "examples"
SUFFIX = ".flowdeck.json"
DEMO = "web-tier"


def names() -> list[str]:
    return sorted(p.name[: -len(SUFFIX)] for p in EXAMPLES.glob(f"*{SUFFIX}"))


def path(name: str) -> Path:
    return EXAMPLES / f"{name}{SUFFIX}"


def resolve(file_or_name: str) -> Path:
    """A path as given, or the built-in example of that name when no such file exists."""
    p = Path(file_or_name)
    if not p.exists() and path(file_or_name).exists():
        return path(file_or_name)
    return p


def summary(name: str) -> tuple[str, str]:
    """(title, description) of an example, read without building the document."""
    data = json.loads(path(name).read_text(encoding="utf-8"))
    return data.get("title", name), data.get("description", "")
