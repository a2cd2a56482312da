""""How this model differs from AWS" (engine/differences.py): one line per entry, in the README too."""
from __future__ import annotations

from pathlib import Path

from engine.differences import AREAS, DIFFERENCES

README = Path(__file__).resolve().parents[2] / "README.md"


def test_each_difference_is_one_sentence_under_a_known_area_in_area_order():
    texts = [text for _, text in DIFFERENCES]
    assert len(set(texts)) == len(texts)
    assert all("\n" not in t and t.endswith(".") and len(t) <= 250 for t in texts)
    areas = [area for area, _ in DIFFERENCES]
    assert set(areas) == set(AREAS)
    assert areas == sorted(areas, key=AREAS.index)


def test_the_readme_lists_exactly_the_differences():
    text = README.read_text(encoding="utf-8")
    section = text.split("## How this model differs from AWS", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("- ")]
    assert lines == [f"- **{area}**: {text}" for area, text in DIFFERENCES]
