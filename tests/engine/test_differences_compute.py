"""The compute entries of "How this model differs from AWS" (engine/differences_compute.py)."""
from __future__ import annotations

from pathlib import Path

from engine.differences_compute import COMPUTE_DIFFERENCES

README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_compute_difference_is_one_line_in_the_readme():
    text = README.read_text(encoding="utf-8")
    section = text.split("## How this model differs from AWS", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("- ")]
    for area, entry in COMPUTE_DIFFERENCES:
        assert area in ("ELB", "EC2", "Auto Scaling")
        assert "\n" not in entry and entry.endswith(".")
        assert f"- **{area}**: {entry}" in lines, entry
