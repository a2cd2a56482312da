"""Reading and writing topology files (FORMAT.md section 1).

Loading parses the JSON, migrates older schema versions step by step, checks everything against
the registry and only then builds a Document: a refused file yields one LoadError naming the
file and the JSON path, and nothing half-built. Saving writes sorted, indented JSON atomically.
"""
from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any, Callable

from engine import awsrules, filter_policy, loadchecks, registry
from engine.loadchecks import Refusal as _Refusal
from engine.model import ACCOUNT_CONCURRENCY, UNRESERVED_MINIMUM, Document, Edge, Node
from engine.propcheck import PropError, number, quote

FORMAT_NAME = "flowdeck-topology"
NAME_LIMIT = 200            # characters of an id, a name or the title
DESCRIPTION_LIMIT = 20_000  # characters of the description
SCHEMA_VERSION = 1

# version n -> function that turns a version-n document into version n+1.
MIGRATIONS: dict[int, Callable[[dict], dict]] = {}

SCENARIO_FIELDS = {
    "set": ({"target", "prop", "value"}, {"ramp_s"}),
    "fail": ({"target", "mode"}, {"count", "factor", "duration_s"}),
    "recover": ({"target"}, set()),
    "caption": ({"text"}, {"duration_s"}),
    "pause": (set(), {"text"}),
}
FAIL_MODES = ("crash", "hang", "slow", "error")
MAX_DURATION_S = 30 * 86400.0  # 30 simulated days: the longest run, from a file or the command line
MAX_SEED = 2**63 - 1
FAILABLE_KINDS = ("ec2_instance", "auto_scaling_group")


class LoadError(ValueError):
    """A file FlowDeck refuses: `str()` is the one message shown to the user."""

    def __init__(self, source: str, path: str, message: str) -> None:
        path, message = _printable(_shorten(path, 200)), _printable(_shorten(message, 500))
        where = f"{source}: {path}: " if path else f"{source}: "
        super().__init__(where + message)
        self.source, self.path, self.message = source, path, message


def _shorten(text: str, limit: int) -> str:
    """A backstop for values quoted in full somewhere: a refusal stays one readable line."""
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _printable(text: str) -> str:
    """Control characters from a file's keys or values written as escapes: the message stays one line."""
    return "".join(c if c.isprintable() else json.dumps(c)[1:-1] for c in text)


def load(path: str | os.PathLike) -> Document:
    """Read a topology file; raises LoadError (with file and JSON path) if it is refused."""
    p = Path(path)
    try:
        text = loadchecks.read_limited(p).decode("utf-8-sig")   # a byte order mark (Notepad) is fine
    except FileNotFoundError:
        raise LoadError(str(p), "", "no such file") from None
    except loadchecks.FileRefusal as e:
        raise LoadError(str(p), "", str(e)) from None
    except UnicodeDecodeError as e:
        raise LoadError(str(p), "", f"is not UTF-8 text (byte {e.start})") from None
    except OSError as e:
        raise LoadError(str(p), "", e.strerror or str(e)) from None
    return loads(text, str(p))


def loads(text: str, source: str = "<text>") -> Document:
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as e:
        raise LoadError(source, "", f"invalid JSON at line {e.lineno}, column {e.colno}: {e.msg}") from None
    except RecursionError:
        raise LoadError(source, "", "is nested too deeply to be a topology file") from None
    except ValueError as e:
        if "integer string conversion" in str(e):  # Python refuses to read integers of over 4300 digits
            raise LoadError(source, "", "holds a whole number of thousands of digits, "
                                        "beyond the range FlowDeck can hold (about ±1.8e308)") from None
        raise LoadError(source, "", f"invalid JSON: {e}") from None
    return from_data(data, source)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed in a topology file")


def from_data(data: Any, source: str = "<data>") -> Document:
    try:
        loadchecks.check_values(data)
        data = _migrate(data)
        return _build(data)
    except _Refusal as r:
        raise LoadError(source, r.path, r.message) from None


def _migrate(data: Any) -> dict:
    if not isinstance(data, dict):
        raise _Refusal("$", "the file must hold a JSON object")
    if data.get("format") != FORMAT_NAME:
        raise _Refusal("$.format", f"must be {quote(FORMAT_NAME)}, not {quote(data.get('format'))}: this is not a FlowDeck topology")
    version = data.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise _Refusal("$.schema_version", f"must be a whole number from 1, not {quote(version)}")
    if version > SCHEMA_VERSION:
        raise _Refusal("$.schema_version", f"is {version}, newer than this FlowDeck knows ({SCHEMA_VERSION}); "
                                           "update FlowDeck to open it")
    while version < SCHEMA_VERSION:
        data = MIGRATIONS[version](dict(data))
        version += 1
        data["schema_version"] = version
    return data


def _build(data: dict) -> Document:
    doc = Document()
    doc.title = _string(data.get("title", "Untitled"), "$.title", NAME_LIMIT)
    doc.description = _string(data.get("description", ""), "$.description", DESCRIPTION_LIMIT)
    sim = data.get("simulation", {})
    if not isinstance(sim, dict):
        raise _Refusal("$.simulation", "must be an object with seed and duration_s")
    doc.seed = _checked(lambda: number(sim.get("seed", 1), 0, MAX_SEED, integer=True), "$.simulation.seed")
    doc.duration_s = _checked(lambda: number(sim.get("duration_s", 600.0), 0.001, MAX_DURATION_S, "s"), "$.simulation.duration_s")
    doc.account_concurrency = int(_checked(lambda: number(sim.get("account_concurrency", ACCOUNT_CONCURRENCY), 1,
                                                          1_000_000, integer=True), "$.simulation.account_concurrency"))
    for i, raw in enumerate(_list(data.get("nodes", []), "$.nodes")):
        node = _node(raw, f"$.nodes[{i}]")
        if node.id in doc.nodes:
            raise _Refusal(f"$.nodes[{i}].id", f"duplicate node id {quote(node.id)}")
        doc.nodes[node.id] = node
    pairs: set[tuple[str, str]] = set()
    edge_index: dict[str, int] = {}
    for i, raw in enumerate(_list(data.get("edges", []), "$.edges")):
        edge = _edge(raw, f"$.edges[{i}]", doc)
        if edge.id in doc.edges:
            raise _Refusal(f"$.edges[{i}].id", f"duplicate edge id {quote(edge.id)}")
        if (edge.source, edge.target) in pairs:
            raise _Refusal(f"$.edges[{i}]", f"a second connection from {quote(edge.source)} to {quote(edge.target)}")
        pairs.add((edge.source, edge.target))
        doc.edges[edge.id] = edge
        edge_index[edge.id] = i
    _check_fifo_rules(doc)
    _check_reservations(doc)
    loadchecks.check_topology(doc, edge_index, {node_id: i for i, node_id in enumerate(doc.nodes)})
    doc.scenario = [_action(raw, f"$.scenario[{i}]", doc)
                    for i, raw in enumerate(_list(data.get("scenario", []), "$.scenario"))]
    loadchecks.check_scenario_sets(doc)
    return doc


def _checked(fn: Callable[[], Any], path: str) -> Any:
    try:
        return fn()
    except PropError as e:
        raise _Refusal(path + e.subpath, e.message) from None


def _string(value: Any, path: str, limit: int = 1000) -> str:
    """A string of at most `limit` characters: names, titles and captions are shown on the canvas
    and in lists, where a megabyte of text would stall the app."""
    if not isinstance(value, str):
        raise _Refusal(path, f"must be a string, not {quote(value)}")
    if len(value) > limit:
        raise _Refusal(path, f"is {len(value):,} characters long, over the limit of {limit:,}")
    return value


def _list(value: Any, path: str) -> list:
    if not isinstance(value, list):
        raise _Refusal(path, "must be a list")
    return value


def _object(value: Any, path: str, required: set[str], optional: set[str]) -> dict:
    if not isinstance(value, dict):
        raise _Refusal(path, "must be an object")
    for key in required:
        if key not in value:
            raise _Refusal(path, f"missing {quote(key)}")
    for key in value:
        if key not in required | optional:
            raise _Refusal(f"{path}.{key}", f"unknown field {quote(key)}")
    return value


def _node(raw: Any, path: str) -> Node:
    raw = _object(raw, path, {"id", "kind"}, {"name", "pos", "props"})
    node_id = raw["id"]
    if not isinstance(node_id, str) or not node_id.strip() or "/" in node_id:
        raise _Refusal(path + ".id", f"must be a non-empty string without '/', not {quote(node_id)}")
    kind = raw["kind"]
    if not isinstance(kind, str) or kind not in registry.KINDS:
        raise _Refusal(path + ".kind", f"unknown kind {quote(kind)} (known: {', '.join(registry.KINDS)})")
    if len(node_id) > NAME_LIMIT:
        raise _Refusal(path + ".id", f"is {len(node_id):,} characters long, over the limit of {NAME_LIMIT}")
    name = _string(raw.get("name", node_id), path + ".name", NAME_LIMIT)
    pos = raw.get("pos", [0, 0])
    if not (isinstance(pos, list) and len(pos) == 2):
        raise _Refusal(path + ".pos", "must be [x, y]")
    xy = tuple(_checked(lambda v=v: number(v, -1e7, 1e7), f"{path}.pos[{j}]") for j, v in enumerate(pos))
    props = _props(raw.get("props", {}), path + ".props", registry.KINDS[kind].prop, registry.KINDS[kind].label)
    if kind == "auto_scaling_group":
        _check_group_sizes(props, path + ".props")
    return Node(node_id, kind, name, xy, props)


def _props(raw: Any, path: str, lookup: Callable[[str], Any], owner: str) -> dict:
    if not isinstance(raw, dict):
        raise _Refusal(path, "must be an object")
    out = {}
    for key, value in raw.items():
        spec = lookup(key)
        if spec is None:
            raise _Refusal(f"{path}.{key}", f"unknown prop {quote(key)} for {owner}")
        _checked(lambda s=spec, v=value: s.check(v), f"{path}.{key}")
        out[key] = value  # kept as written: saving must not add defaults the author left out
    return out


def _check_group_sizes(props: dict, path: str) -> None:
    spec = registry.KINDS["auto_scaling_group"]
    lo, want, hi = (props.get(k, spec.prop(k).default) for k in ("min_size", "desired_capacity", "max_size"))
    if not lo <= hi:
        raise _Refusal(path + ".min_size", f"min_size {lo} is above max_size {hi}")
    if not lo <= want <= hi:
        raise _Refusal(path + ".desired_capacity", f"desired_capacity {want} is outside min_size {lo} .. max_size {hi}")


def _edge(raw: Any, path: str, doc: Document) -> Edge:
    raw = _object(raw, path, {"id", "source", "target"}, {"props"})
    if not isinstance(raw["id"], str) or not raw["id"].strip():
        raise _Refusal(path + ".id", f"must be a non-empty string, not {quote(raw['id'])}")
    if len(raw["id"]) > NAME_LIMIT:
        raise _Refusal(path + ".id", f"is {len(raw['id']):,} characters long, over the limit of {NAME_LIMIT}")
    for end in ("source", "target"):
        if not isinstance(raw[end], str) or raw[end] not in doc.nodes:
            raise _Refusal(f"{path}.{end}", f"no node with id {quote(raw[end])}")
    src, dst = doc.nodes[raw["source"]], doc.nodes[raw["target"]]
    conn = registry.connection(src.kind, dst.kind)
    if conn is None:
        raise _Refusal(path, registry.refusal(src.kind, dst.kind))
    _check_consumer_edge(src, dst, raw["id"], raw.get("props", {}), lambda prop: f"{path}.props.{prop}")
    props = _props(raw.get("props", {}), path + ".props", conn.prop, f"a {src.kind} → {dst.kind} connection")
    if props.get("filter_policy") is not None:
        _check_policy_scope(props, path + ".props")
    dlq = props.get("dead_letter_queue")
    if dlq is not None and (not isinstance(dlq, str) or dlq not in doc.nodes or doc.nodes[dlq].kind != "sqs_queue"):
        raise _Refusal(path + ".props.dead_letter_queue", f"{quote(dlq)} is not an SQS queue of this topology")
    return Edge(raw["id"], raw["source"], raw["target"], props)


def _check_consumer_edge(src: Node, dst: Node, edge_id: str, props: Any, path_of: Callable[[str], str]) -> None:
    problem = awsrules.consumer_edge_problem(src.kind, bool(src.prop("fifo")), dst.kind, edge_id,
                                             props if isinstance(props, dict) else {})
    if problem is not None:
        raise _Refusal(path_of(problem[0]), problem[1])


def _check_policy_scope(props: dict, path: str) -> None:
    scope = props.get("filter_policy_scope", "MessageAttributes")
    try:
        filter_policy.validate(props["filter_policy"], scope)
    except ValueError as e:
        raise _Refusal(path + ".filter_policy", f"is not a valid filter policy for scope {scope}: {e}") from None


def _check_fifo_rules(doc: Document) -> None:
    for i, edge in enumerate(doc.edges.values()):
        src, dst = doc.nodes[edge.source], doc.nodes[edge.target]
        if src.kind == "sns_topic" and src.prop("fifo") and dst.kind != "sqs_queue":
            raise _Refusal(f"$.edges[{i}]", f"FIFO topic {quote(src.id)} can deliver only to SQS queues, not to {dst.kind}")
        if src.kind == "sqs_queue" and dst.kind == "sqs_queue" and src.prop("fifo") != dst.prop("fifo"):
            raise _Refusal(f"$.edges[{i}]", f"dead-letter queue {quote(dst.id)} must be of the same type "
                                            f"(FIFO or standard) as {quote(src.id)}")
        dlq = edge.props.get("dead_letter_queue")
        if dlq is not None and doc.nodes[dlq].prop("fifo") != src.prop("fifo"):
            raise _Refusal(f"$.edges[{i}].props.dead_letter_queue",
                           f"dead-letter queue {quote(dlq)} must be of the same type (FIFO or standard) as topic {quote(src.id)}")


def _check_reservations(doc: Document) -> None:
    """AWS keeps 100 of the account's concurrency unreserved: reservations may total at most the rest."""
    room, total = max(0, doc.account_concurrency - UNRESERVED_MINIMUM), 0
    for i, node in enumerate(doc.nodes.values()):
        total += node.props.get("reserved_concurrency") or 0
        if total > room:
            raise _Refusal(f"$.nodes[{i}].props.reserved_concurrency",
                           f"reservations total {total}, more than the account's {doc.account_concurrency} "
                           f"minus the {UNRESERVED_MINIMUM} AWS keeps unreserved (simulation.account_concurrency)")


def _action(raw: Any, path: str, doc: Document) -> dict:
    if not isinstance(raw, dict):
        raise _Refusal(path, "must be an object")
    kind = raw.get("action")
    if not isinstance(kind, str) or kind not in SCENARIO_FIELDS:
        raise _Refusal(path + ".action", f"must be one of {', '.join(SCENARIO_FIELDS)}, not {quote(kind)}")
    required, optional = SCENARIO_FIELDS[kind]
    _object(raw, path, required | {"at_s", "action"}, optional)
    act = dict(raw)
    act["at_s"] = _checked(lambda: number(raw["at_s"], 0, 1e9, "s"), path + ".at_s")
    for key in ("ramp_s", "duration_s"):
        if key in raw:
            act[key] = _checked(lambda k=key: number(raw[k], 0, 1e9, "s"), f"{path}.{key}")
    if kind in ("caption", "pause") and "text" in raw:
        _string(raw["text"], path + ".text")
    if kind == "set":
        _set_value(raw, path, doc)
    if kind in ("fail", "recover"):
        _failure_target(raw["target"], path + ".target", doc)
    if kind == "fail":
        _fail_fields(raw, act, path)
    return act


def _set_value(raw: dict, path: str, doc: Document) -> Any:
    target, prop = raw["target"], raw["prop"]
    if not isinstance(target, str) or not isinstance(prop, str):
        raise _Refusal(path, "target and prop must be strings")
    if target in doc.nodes:
        node = doc.nodes[target]
        spec, owner = registry.KINDS[node.kind].prop(prop), registry.KINDS[node.kind].label
    elif target in doc.edges:
        edge = doc.edges[target]
        src, dst = doc.nodes[edge.source], doc.nodes[edge.target]
        conn = registry.connection(src.kind, dst.kind)
        spec, owner = conn.prop(prop), "this connection"
        _check_consumer_edge(src, dst, edge.id, {prop: raw.get("value")}, lambda _: path + ".value")
    else:
        raise _Refusal(path + ".target", f"no node or edge with id {quote(target)}")
    if spec is None:
        raise _Refusal(path + ".prop", f"unknown prop {quote(prop)} for {owner}")
    return _checked(lambda: spec.check(raw["value"]), path + ".value")


def _failure_target(target: Any, path: str, doc: Document) -> None:
    if not isinstance(target, str):
        raise _Refusal(path, f"must be a node id, not {quote(target)}")
    group_id = target.split("/", 1)[0] if "/" in target else target
    node = doc.nodes.get(group_id)
    if node is None:
        raise _Refusal(path, f"no node with id {quote(group_id)}")
    if node.kind not in FAILABLE_KINDS or ("/" in target and node.kind != "auto_scaling_group"):
        raise _Refusal(path, f"{quote(target)} is a {node.kind}; only EC2 instances and Auto Scaling groups "
                             "(or one instance of a group, 'group/i-N') can fail")


def _fail_fields(raw: dict, act: dict, path: str) -> None:
    if not isinstance(raw["mode"], str) or raw["mode"] not in FAIL_MODES:
        raise _Refusal(path + ".mode", f"must be one of {', '.join(FAIL_MODES)}, not {quote(raw['mode'])}")
    if "count" in raw:
        act["count"] = _checked(lambda: number(raw["count"], 1, 1000, integer=True), path + ".count")
    if "factor" in raw:
        hi = 1.0 if raw["mode"] == "error" else 1000.0
        act["factor"] = _checked(lambda: number(raw["factor"], 0, hi), path + ".factor")
    elif raw["mode"] in ("slow", "error"):
        raise _Refusal(path, f"a {raw['mode']} failure needs 'factor'")


# -- saving ------------------------------------------------------------------------------------

def to_data(doc: Document) -> dict:
    nodes = [{"id": n.id, "kind": n.kind, "name": n.name, "pos": [_num(n.pos[0]), _num(n.pos[1])],
              "props": n.props} for n in doc.nodes.values()]
    edges = [{"id": e.id, "source": e.source, "target": e.target, "props": e.props} for e in doc.edges.values()]
    return {"format": FORMAT_NAME, "schema_version": SCHEMA_VERSION, "title": doc.title,
            "description": doc.description, "simulation": _simulation(doc),
            "nodes": nodes, "edges": edges, "scenario": doc.scenario}


def _simulation(doc: Document) -> dict:
    sim = {"seed": doc.seed, "duration_s": doc.duration_s}
    if doc.account_concurrency != ACCOUNT_CONCURRENCY:   # files that never set it stay as they were
        sim["account_concurrency"] = doc.account_concurrency
    return sim


def _num(x: float) -> float | int:
    return int(x) if math.isfinite(x) and float(x).is_integer() else x


def dumps(doc: Document) -> str:
    return json.dumps(to_data(doc), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def save(doc: Document, path: str | os.PathLike) -> None:
    """Write atomically: a temporary file in the same folder, flushed, then renamed over the target."""
    target = Path(path)
    text = dumps(doc)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
