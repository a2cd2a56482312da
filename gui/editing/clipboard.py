"""Copy and paste of canvas fragments: selected nodes with the edges between them, as JSON text.

Text rather than a custom QMimeData: PySide and the clipboard both believed they owned a
QMimeData set from Python, which crashed the app at exit.
"""
from __future__ import annotations

import copy
import json

from engine import fileio, registry
from engine.model import Document, Edge, Node

FRAGMENT_FORMAT = "flowdeck-fragment"


def fragment(doc: Document, node_ids: list[str]) -> dict:
    """The nodes and the edges among them, as file records; references leaving the fragment dropped."""
    chosen = set(node_ids)
    data = fileio.to_data(doc)
    nodes = [copy.deepcopy(n) for n in data["nodes"] if n["id"] in chosen]
    edges = [copy.deepcopy(e) for e in data["edges"] if e["source"] in chosen and e["target"] in chosen]
    for edge in edges:
        if edge["props"].get("dead_letter_queue") not in chosen:
            edge["props"].pop("dead_letter_queue", None)
    return {"nodes": nodes, "edges": edges}


def to_text(frag: dict) -> str:
    """The clipboard carries fragments as text: JSON that reads like part of a topology file."""
    return json.dumps({"format": FRAGMENT_FORMAT, **frag}, indent=1)


def from_text(text: str) -> tuple[list[Node], list[Edge]] | None:
    """Nodes and edges of a fragment copied as text, checked like a file; None if it is not one."""
    try:
        frag = json.loads(text)
    except ValueError:
        return None
    if not isinstance(frag, dict) or frag.get("format") != FRAGMENT_FORMAT:
        return None
    return parse(frag)


def parse(frag: dict) -> tuple[list[Node], list[Edge]] | None:
    """A fragment's nodes and edges, checked by the file loader; None if it refuses them."""
    try:
        doc = fileio.from_data({"format": fileio.FORMAT_NAME, "schema_version": fileio.SCHEMA_VERSION,
                                "nodes": frag.get("nodes", []), "edges": frag.get("edges", [])}, "clipboard")
    except (ValueError, AttributeError):   # LoadError is a ValueError
        return None
    return list(doc.nodes.values()), list(doc.edges.values())


def readable_name(doc: Document, kind: str, taken: set[str] | None = None) -> str:
    """'SQS queue 2': the kind's label and the first number no node of the document uses."""
    return numbered(registry.KINDS[kind].label, names_in(doc) | (taken or set()))


def names_in(doc: Document) -> set[str]:
    return {n.name for n in doc.nodes.values()}


def numbered(base: str, taken: set[str], first: int = 1) -> str:
    stem = base.rstrip("0123456789").rstrip() or base
    n = first
    while f"{stem} {n}" in taken:
        n += 1
    return f"{stem} {n}"


def renamed_copies(doc: Document, nodes: list[Node]) -> list[Node]:
    """Copies of pasted nodes whose names are free in doc (a name in use gets the next number)."""
    taken = names_in(doc)
    out = []
    for node in nodes:
        name = node.name if node.name not in taken else numbered(node.name, taken, first=2)
        taken.add(name)
        out.append(Node(node.id, node.kind, name, node.pos, copy.deepcopy(node.props)))
    return out
