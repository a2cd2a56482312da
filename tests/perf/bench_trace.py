"""What tracing costs: tracing off vs --trace-every 100 vs --trace-every 1, side by side, and
(with --against REV) the engine of another commit with no tracing code at all, on the same model.

    python tests/perf/bench_trace.py [--requests N] [--rounds K] [--against main]

Each figure is one run in a fresh process (alternating the variants each round, keeping each one's
fastest round), on the M/M/4 model of bench_engine.py plus the failure example. Prints one JSON line.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Runs in the child process: argv = [root, model, requests, every]; prints wall seconds and requests.
CHILD = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1]); sys.path.insert(1, sys.argv[1] + "/tests/perf")
from engine import examples, fileio
from engine.fileio import from_data
from engine.simulation import Simulation
model, requests, every = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
if model == "mm4":
    from bench_engine import topology
    from simpy_mm4 import LAMBDA
    sim, duration = Simulation(from_data(topology(7)), series_interval=10.0), requests / LAMBDA
else:
    sim = Simulation(fileio.load(sys.argv[1] + "/resources/examples/" + model + ".flowdeck.json"))
    duration = sim.doc.duration_s
if every >= 0:
    from engine.trace import Tracer, attach
    attach(sim.world, Tracer(every, keep=2000))
start = time.perf_counter()
sim.run_until(duration)
wall = time.perf_counter() - start
sent = sum(c.sent for c in sim.world.components.values() if c.kind == "client")
print(json.dumps({"wall_s": wall, "requests": sent}))
"""


def run(root: Path, model: str, requests: int, every: int) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, str(root), model, str(requests), str(every)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def export(rev: str, into: Path) -> Path:
    """The tree of another commit (engine, tests/perf, resources) in a temporary folder."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "engine", "tests/perf", "resources"],
                             capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def bench(model: str, requests: int, rounds: int, old: Path | None) -> dict:
    variants = {"off": (ROOT, -1), "every_100": (ROOT, 100), "every_1": (ROOT, 1)}
    if old is not None:
        variants = {"before_tracing": (old, -1), **variants}
    best: dict[str, dict] = {}
    for _ in range(rounds):
        for name, (root, every) in variants.items():
            r = run(root, model, requests, every)
            if name not in best or r["wall_s"] < best[name]["wall_s"]:
                best[name] = r
    base = best["off"]["wall_s"]
    out = {name: {"requests_per_s": round(r["requests"] / r["wall_s"]), "wall_s": round(r["wall_s"], 3),
                  "vs_off_pct": round(100 * (r["wall_s"] - base) / base, 1)} for name, r in best.items()}
    return {"model": model, **out}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=200_000, help="requests of the M/M/4 model")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--against", default=None, help="a commit without tracing, e.g. main")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        old = export(args.against, Path(tmp)) if args.against else None
        results = [bench(m, args.requests, args.rounds, old) for m in ("mm4", "failure")]
    print(json.dumps({"rounds": args.rounds, "results": results}))


if __name__ == "__main__":
    main()
