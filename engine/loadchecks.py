"""Checks of a topology file beyond one field at a time (used by engine.fileio).

Reading: only regular files up to MAX_FILE_BYTES, looked at with stat before anything is opened
(a named pipe would block forever, /dev/zero never ends). Values: every string valid Unicode
(no lone surrogates) and every number within float range. Topology: redrive edges (one dead-letter
queue per queue, no queue its own, no cycle), ids unique across nodes and edges, and the
combinations of props AWS refuses (engine.awsrules).
"""
from __future__ import annotations

import math
import os
import stat
from pathlib import Path
from typing import Any

from engine import awsrules
from engine.model import Document
from engine.propcheck import quote

MAX_FILE_BYTES = 20 * 1024 * 1024


class Refusal(Exception):
    def __init__(self, path: str, message: str) -> None:
        super().__init__(message)
        self.path, self.message = path, message


class FileRefusal(Exception):
    """The file itself is refused (no JSON path): `str()` says why."""


def read_limited(p: Path) -> bytes:
    """The bytes of a regular file of at most MAX_FILE_BYTES; FileRefusal or OSError otherwise."""
    info = os.stat(p)
    if stat.S_ISDIR(info.st_mode):
        raise FileRefusal("is a folder, not a topology file")
    if not stat.S_ISREG(info.st_mode):
        raise FileRefusal("is not a regular file (a device, named pipe or socket): FlowDeck reads only files")
    if info.st_size > MAX_FILE_BYTES:
        raise FileRefusal(_too_big(info.st_size))
    fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # never blocks, even if swapped for a pipe
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise FileRefusal("is not a regular file: FlowDeck reads only files")
        data = f.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise FileRefusal(_too_big(len(data)))
    return data


def _too_big(size: int) -> str:
    return (f"is {size / 2**20:.1f} MB, over the limit of {MAX_FILE_BYTES // 2**20} MB for a topology file"
            if size > MAX_FILE_BYTES else f"is over the limit of {MAX_FILE_BYTES // 2**20} MB")


def check_values(data: Any) -> None:
    """Refuse lone surrogates in any key or string and numbers beyond float range, with the JSON path."""
    stack: list[tuple[str, Any]] = [("$", data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            _check_text(value, path, "holds")
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            _check_number(value, path)
        elif isinstance(value, dict):
            for key, item in value.items():
                child = f"{path}.{key}"
                if isinstance(key, str):
                    _check_text(key, path, "has a key that holds")
                stack.append((child, item))
        elif isinstance(value, list):
            stack.extend((f"{path}[{i}]", item) for i, item in enumerate(value))


def _check_text(text: str, path: str, what: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as e:
        code = ord(text[e.start])
        raise Refusal(path, f"{what} a lone surrogate (\\u{code:04x}) at character {e.start}: "
                            "not valid Unicode text, so it could not be shown or saved") from None


def _check_number(value: int | float, path: str) -> None:
    try:
        finite = math.isfinite(value)
    except OverflowError:
        finite = False
    if not finite:
        if isinstance(value, float) and math.isnan(value):
            raise Refusal(path, "NaN (not a number) is not a value FlowDeck can use")
        shown = "this number" if isinstance(value, float) else f"the number {quote(value)}"
        raise Refusal(path, f"{shown} is beyond the range FlowDeck can hold (about ±1.8e308)")


def check_topology(doc: Document, edge_index: dict[str, int], node_index: dict[str, int]) -> None:
    """Checks that need the whole graph; `*_index` give each id's position in the file."""
    for edge_id, i in edge_index.items():
        if edge_id in node_index:
            raise Refusal(f"$.edges[{i}].id", f"edge id {quote(edge_id)} is also the id of a node "
                                              f"($.nodes[{node_index[edge_id]}]): ids must be unique")
    _check_redrive(doc, edge_index)
    _check_aws_rules(doc, edge_index, node_index)


def _check_redrive(doc: Document, edge_index: dict[str, int]) -> None:
    dead_letter: dict[str, str] = {}  # queue -> its dead-letter queue
    for edge in doc.edges.values():
        where = f"$.edges[{edge_index[edge.id]}]"
        if edge.source == edge.target:
            raise Refusal(where, f"queue {quote(edge.source)} cannot be its own dead-letter queue "
                                 "(a redrive edge to itself; AWS refuses it)")
        if doc.nodes[edge.source].kind != "sqs_queue" or doc.nodes[edge.target].kind != "sqs_queue":
            continue
        if edge.source in dead_letter:
            raise Refusal(where, f"queue {quote(edge.source)} already has the dead-letter queue "
                                 f"{quote(dead_letter[edge.source])}: AWS allows one dead-letter queue per queue")
        dead_letter[edge.source] = edge.target
    done: set[str] = set()
    for start in dead_letter:
        walked: dict[str, int] = {}  # queue -> position on this walk
        queue = start
        while queue in dead_letter and queue not in done and queue not in walked:
            walked[queue] = len(walked)
            queue = dead_letter[queue]
        if queue in walked:
            cycle = list(walked)[walked[queue]:]
            edge = next(e for e in doc.edges.values() if e.source == cycle[-1] and e.target == queue)
            raise Refusal(f"$.edges[{edge_index[edge.id]}]",
                          f"redrive cycle {' → '.join(map(quote, cycle + [queue]))}: a message that keeps "
                          "failing would move between these dead-letter queues for ever")
        done.update(walked)


def _check_aws_rules(doc: Document, edge_index: dict[str, int], node_index: dict[str, int]) -> None:
    out_edges = _by_source(doc, {e.id: e.props for e in doc.edges.values()})
    for node in doc.nodes.values():
        for prop, message in awsrules.prop_problems(node.kind, node.props, edges=out_edges.get(node.id, [])):
            raise Refusal(f"$.nodes[{node_index[node.id]}].props.{prop}", f"{quote(node.id)}: {message}")
    for edge in doc.edges.values():
        src, dst = doc.nodes[edge.source].kind, doc.nodes[edge.target].kind
        for prop, message in awsrules.prop_problems(src, edge.props, target_kind=dst):
            raise Refusal(f"$.edges[{edge_index[edge.id]}].props.{prop}", f"edge {quote(edge.id)}: {message}")


def _by_source(doc: Document, edge_props: dict[str, dict]) -> dict[str, list[dict]]:
    """Each node's outgoing edges' props (what prop_problems needs for a load balancer's weights)."""
    out: dict[str, list[dict]] = {}
    for edge in doc.edges.values():
        out.setdefault(edge.source, []).append(edge_props[edge.id])
    return out


def check_scenario_sets(doc: Document) -> None:
    """`set` actions, applied in time order, must not make a combination AWS refuses (the value after
    any ramp is what is checked)."""
    nodes = {n.id: dict(n.props) for n in doc.nodes.values()}
    edges = {e.id: dict(e.props) for e in doc.edges.values()}
    out_edges = _by_source(doc, edges)
    order = sorted(range(len(doc.scenario)), key=lambda i: doc.scenario[i]["at_s"])
    for i in order:
        act = doc.scenario[i]
        if act["action"] != "set":
            continue
        owner = nodes[act["target"]] if act["target"] in nodes else edges[act["target"]]
        owner[act["prop"]] = act["value"]
        node_id = act["target"] if act["target"] in nodes else doc.edges[act["target"]].source
        problems = awsrules.prop_problems(doc.nodes[node_id].kind, nodes[node_id],
                                          edges=out_edges.get(node_id, []))
        if act["target"] in edges:
            edge = doc.edges[act["target"]]
            problems += awsrules.prop_problems(doc.nodes[edge.source].kind, edges[edge.id],
                                               target_kind=doc.nodes[edge.target].kind)
        for _prop, message in problems:
            raise Refusal(f"$.scenario[{i}].value", f"at {act['at_s']:g} s this sets {quote(act['target'])}.{act['prop']} "
                                                    f"to {quote(act['value'])}, and then {message}")
