"""Plain-text tables and number formats shared by the printed summaries."""
from __future__ import annotations


def table(title: str, header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows)]
    line = lambda cells: "  " + "  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w)
                                          for i, (c, w) in enumerate(zip(cells, widths)))
    return [title, line(header), "  " + "  ".join("-" * w for w in widths), *(line(r) for r in rows), ""]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


def pct(part: int, whole: int) -> str:
    return f"{100.0 * part / whole:.1f}%" if whole else "-"


def of_kind(report: dict, kind: str) -> list[tuple[str, dict]]:
    return [(nid, n) for nid, n in report["nodes"].items() if n["kind"] == kind]
