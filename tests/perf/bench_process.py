"""Whole processes side by side: `flowdeck run` of the M/M/4 topology against the SimPy script.

    python tests/perf/bench_process.py [--requests 770000] [--rounds 5] [--seed 7]

Writes bench_engine.py's M/M/4 topology (every metric and transfer recording on) with a duration
of requests / lambda to a temporary file, then times, as the shell would, alternating rounds of
`flowdeck run FILE` and `python simpy_mm4.py` with the same number of customers: each wall time
is that of the whole process, start-up, imports and the summary or result line included. Prints
one row per round, then one JSON line with the medians, ranges and the median ratio.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_engine import topology  # noqa: E402
from simpy_mm4 import LAMBDA  # noqa: E402


def flowdeck_command(file: Path) -> list[str]:
    """The installed `flowdeck` next to this Python (the README's command), else the module."""
    script = Path(sys.executable).with_name("flowdeck")
    return [str(script), "run", str(file)] if script.exists() else [sys.executable, "-m", "engine.cli", "run", str(file)]


def wall_time(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd=HERE.parents[1])
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=770_000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        file = Path(tmp) / "mm4.flowdeck.json"
        doc = topology(args.seed)
        doc["simulation"]["duration_s"] = args.requests / LAMBDA
        file.write_text(json.dumps(doc), encoding="utf-8")
        flowdeck = flowdeck_command(file)
        simpy = [sys.executable, str(HERE / "simpy_mm4.py"), "--requests", str(args.requests), "--seed", str(args.seed)]
        print("round  flowdeck_s  simpy_s  ratio")
        rows = []
        for i in range(args.rounds):   # alternate, so a busy moment on the machine hits both alike
            fd, sp = wall_time(flowdeck), wall_time(simpy)
            rows.append((fd, sp))
            print(f"{i + 1:5d}  {fd:10.2f}  {sp:7.2f}  {sp / fd:5.2f}")
    fds, sps = [r[0] for r in rows], [r[1] for r in rows]
    print(json.dumps({
        "model": "M/M/4 at 80% load, whole processes", "requests": args.requests, "rounds": args.rounds,
        "flowdeck_wall_s_median": round(statistics.median(fds), 3), "flowdeck_wall_s_range": [round(min(fds), 3), round(max(fds), 3)],
        "simpy_wall_s_median": round(statistics.median(sps), 3), "simpy_wall_s_range": [round(min(sps), 3), round(max(sps), 3)],
        "ratio_median": round(statistics.median(sp / fd for fd, sp in rows), 2),
        "ratio_range": [round(min(sp / fd for fd, sp in rows), 2), round(max(sp / fd for fd, sp in rows), 2)],
    }))


if __name__ == "__main__":
    main()
