"""Parameter sweeps (FORMAT.md 4.1, 4.5): the variants of a topology and one headless run of each.

A run is a pure function of (topology data, seed, duration): `run_variant` is what a Dask worker
calls, and its row equals what `flowdeck run` reports for the same file, values and seed. Nothing
here knows of Dask (engine.cli_sweep spreads the runs).
"""
from __future__ import annotations

import copy
import hashlib
import itertools
import json
import time
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

from engine import fileio
from engine.model import Document
from engine.stats import LatencyHistogram

RESULT_COLUMNS = ("requests", "error_rate", "latency_p50_s", "latency_p95_s", "latency_p99_s", "max_instances",
                  "dead_lettered", "cost_usd", "balanced", "wall_s", "error")
SIMULATION_KEYS = ("duration_s", "seed")


class SweepError(ValueError):
    """A --vary the sweep cannot use: one clear line (exit code 2)."""


@dataclass(frozen=True)
class Vary:
    path: str                 # TARGET.PROP[.nested...], or simulation.duration_s / simulation.seed
    values: tuple[Any, ...]


@dataclass(frozen=True)
class Variant:
    index: int                # its place in the stable order of the results
    values: tuple[Any, ...]   # one per Vary, in --vary order
    seed: int
    data: dict                # the topology with the values applied (plain JSON data)
    duration_s: float


# -- --vary ----------------------------------------------------------------------------------------------
def parse_vary(text: str) -> Vary:
    """"web.max_size=2,4,8" -> Vary("web.max_size", (2, 4, 8)); values are JSON where they parse."""
    path, eq, values = text.partition("=")
    path = path.strip()
    if not eq or "." not in path or not values.strip():
        raise SweepError(f"--vary {text!r}: expected TARGET.PROP=V1,V2,... (e.g. web.max_size=2,4,8)")
    parsed = tuple(_value(v.strip()) for v in _split_values(values))
    if len(set(map(json.dumps, parsed))) != len(parsed):
        raise SweepError(f"--vary {text!r}: a value is listed twice")
    return Vary(path, parsed)


def _split_values(text: str) -> list[str]:
    """Split on commas outside brackets and quotes, so a value may be a JSON object or list."""
    parts, depth, quoted, start = [], 0, False, 0
    for i, ch in enumerate(text):
        if ch == '"' and (i == 0 or text[i - 1] != "\\"):
            quoted = not quoted
        elif not quoted and ch in "[{":
            depth += 1
        elif not quoted and ch in "]}":
            depth -= 1
        elif not quoted and depth == 0 and ch == ",":
            parts.append(text[start:i])
            start = i + 1
    return parts + [text[start:]]


def _value(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text   # a bare word: a string ("least_outstanding_requests", "m5.large")


def apply(data: dict, path: str, value: Any) -> None:
    """Set TARGET.PROP[.nested...] in topology data (in place); nested dicts are made as needed."""
    target, _, rest = path.partition(".")
    if target == "simulation":
        if rest not in SIMULATION_KEYS:
            raise SweepError(f"--vary {path}: of the simulation only {', '.join(SIMULATION_KEYS)} can vary")
        data.setdefault("simulation", {})[rest] = value
        return
    owner = next((x for x in data.get("nodes", []) + data.get("edges", []) if x.get("id") == target), None)
    if owner is None:
        raise SweepError(f"--vary {path}: no node or edge {target!r} in the file")
    keys = rest.split(".")
    holder = owner.setdefault("props", {})
    for depth, key in enumerate(keys[:-1]):
        holder = _step(holder, key, path, depth == 0, owner)
    _set(holder, keys[-1], value, path)


def _step(holder: Any, key: str, path: str, top: bool, owner: dict) -> Any:
    if isinstance(holder, list):
        return holder[_index(holder, key, path)]
    if key not in holder or holder[key] is None:
        holder[key] = _default_of(owner, key) if top else {}
    return holder[key]


def _default_of(owner: dict, prop: str) -> Any:
    """An unset prop that a nested path goes into starts as its default (e.g. an instance template)."""
    from engine import registry
    spec = registry.KINDS.get(owner.get("kind", ""))
    p = spec.prop(prop) if spec else None
    return copy.deepcopy(p.default) if p is not None and isinstance(p.default, (dict, list)) else {}


def _set(holder: Any, key: str, value: Any, path: str) -> None:
    if isinstance(holder, list):
        holder[_index(holder, key, path)] = value
    elif isinstance(holder, dict):
        holder[key] = value
    else:
        raise SweepError(f"--vary {path}: {key!r} is inside a value that is not an object or a list")


def _index(items: list, key: str, path: str) -> int:
    if not key.isdigit() or int(key) >= len(items):
        raise SweepError(f"--vary {path}: {key!r} is not an index of a list of {len(items)}")
    return int(key)


# -- the variants ----------------------------------------------------------------------------------------
def variants(doc: Document, source: str, varies: list[Vary], seeds: int,
             duration_s: float | None) -> list[Variant]:
    """Every combination of the values times the seeds (the file's seed, +1, ...), each checked as
    the loader checks a file: a refused value raises fileio.LoadError naming it."""
    base = fileio.to_data(doc)
    out = []
    for values in itertools.product(*(v.values for v in varies)):
        data = copy.deepcopy(base)
        for vary, value in zip(varies, values):
            apply(data, vary.path, value)
        where = f"{source} with " + ", ".join(f"{v.path}={json.dumps(x)}" for v, x in zip(varies, values))
        checked = fileio.from_data(data, where)
        duration = checked.duration_s if duration_s is None else duration_s
        for k in range(seeds):
            out.append(Variant(len(out), tuple(values), checked.seed + k, data, duration))
    return out


# -- one run -----------------------------------------------------------------------------------------------
def run_variant(data: dict, seed: int, duration_s: float) -> dict[str, Any]:
    """The result columns of one headless run (what a worker computes); errors become the row's error."""
    from engine.simulation import Simulation
    start = time.perf_counter()
    try:
        sim = Simulation(fileio.from_data(data), seed=seed)
        sim.run_until(duration_s)
        row = row_of(sim.report(), _all_clients(sim))
    except Exception as e:   # a failed run is a row that says why, not a lost sweep
        row = {c: "" for c in RESULT_COLUMNS}
        row["error"] = f"{type(e).__name__}: {e}"
    row["wall_s"] = round(time.perf_counter() - start, 3)
    return row


def _all_clients(sim: Any) -> LatencyHistogram:
    merged = LatencyHistogram()
    for comp in sim.world.components.values():
        if comp.kind == "client":
            merged.merge(comp.latency_histogram())
    return merged


def row_of(report: dict, latencies: LatencyHistogram) -> dict[str, Any]:
    led = report["ledger"]
    sent, failed = led["requests"]["generated"], led["requests"]["failed"]
    p50, p95, p99 = latencies.percentiles((50, 95, 99))
    return {"requests": sent, "error_rate": round(failed / sent, 6) if sent else 0.0,
            "latency_p50_s": round(p50, 6), "latency_p95_s": round(p95, 6), "latency_p99_s": round(p99, 6),
            "max_instances": max_instances(report), "dead_lettered": led["messages"]["dead_lettered"],
            "cost_usd": report["cost"]["total_usd"], "balanced": led["balanced"], "error": ""}


def max_instances(report: dict) -> int:
    """The most instances in service at one sample: groups' in_service plus standalone instances."""
    standalone = sum(1 for n in report["nodes"].values() if n["kind"] == "ec2_instance")
    series = report["series"]
    groups = [series.get(nid, {}).get("in_service", []) for nid, n in report["nodes"].items()
              if n["kind"] == "auto_scaling_group"]
    totals = [sum(vals) for vals in zip(*groups)] if groups else [0]
    return int(max(totals, default=0)) + standalone


# -- the same FlowDeck everywhere ----------------------------------------------------------------------------
@lru_cache(maxsize=1)
def version() -> str:
    """FlowDeck's version and a fingerprint of the engine's code and prices: a worker must match it.
    Taken once per process, so a worker started before the code changed keeps the old fingerprint."""
    return fingerprint(Path(__file__).resolve().parent)


def fingerprint(root: Path) -> str:
    try:
        release = metadata.version("flowdeck")
    except metadata.PackageNotFoundError:
        release = "unknown"
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.suffix in (".py", ".json") and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return f"{release} (engine {digest.hexdigest()[:12]})"
