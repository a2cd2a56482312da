"""Sweep speed: the same 16 runs on a local Dask cluster of 1 and of 2 worker processes, and a bare
loop of the same runs in this process (the baseline for Dask's overhead), side by side.

    python tests/perf/bench_sweep.py [--runs 16] [--duration 600] [--example web-tier]

Prints one JSON line. Cluster start-up is timed apart from the runs (a sweep pays it once);
`overhead_pct` compares 1 worker's run time with the bare loop's, `speedup` 2 workers with 1.
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from engine import examples, fileio, sweep  # noqa: E402


def the_runs(example: str, runs: int, duration: float) -> list[sweep.Variant]:
    doc = fileio.load(examples.path(example))
    vary = sweep.parse_vary("web.max_size=" + ",".join(str(2 + i % 8) for i in range(min(runs, 8))))
    return sweep.variants(doc, example, [vary], max(1, runs // len(vary.values)), duration)[:runs]


def bare_loop(todo: list[sweep.Variant]) -> float:
    start = time.perf_counter()
    for v in todo:
        sweep.run_variant(v.data, v.seed, v.duration_s)
    return time.perf_counter() - start


def on_dask(todo: list[sweep.Variant], workers: int) -> tuple[float, float, list[dict]]:
    from distributed import Client, LocalCluster, wait
    start = time.perf_counter()
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0",
                           silence_logs=logging.ERROR)
    client = Client(cluster)
    client.run(sweep.version)   # the workers are up and have imported the engine, as a sweep checks
    started = time.perf_counter()
    futures = [client.submit(sweep.run_variant, v.data, v.seed, v.duration_s, pure=False) for v in todo]
    wait(futures)
    ran = time.perf_counter() - started
    rows = [f.result() for f in futures]
    client.close()
    cluster.close()
    return started - start, ran, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=16)
    parser.add_argument("--duration", type=float, default=600.0)
    parser.add_argument("--example", default="web-tier")
    parser.add_argument("--rounds", type=int, default=2, help="each figure is the best of this many (a shared machine)")
    args = parser.parse_args()
    todo = the_runs(args.example, args.runs, args.duration)
    bares, ones, twos = [], [], []
    for _ in range(args.rounds):   # interleaved, so a busy spell of the machine hits all three alike
        bares.append(bare_loop(todo))
        ones.append(on_dask(todo, 1))
        twos.append(on_dask(todo, 2))
    bare = min(bares)
    boot1, one, rows1 = min(ones, key=lambda r: r[1])
    boot2, two, rows2 = min(twos, key=lambda r: r[1])
    same = [{k: v for k, v in r.items() if k != "wall_s"} for r in rows1] == \
           [{k: v for k, v in r.items() if k != "wall_s"} for r in rows2]
    print(json.dumps({
        "runs": len(todo), "duration_s": args.duration, "example": args.example,
        "bare_loop_s": round(bare, 2), "dask_1_worker_s": round(one, 2), "dask_2_workers_s": round(two, 2),
        "cluster_start_1_s": round(boot1, 2), "cluster_start_2_s": round(boot2, 2),
        "overhead_pct": round(100 * (one - bare) / bare, 1), "speedup_2_vs_1": round(one / two, 2),
        "per_run_bare_s": round(bare / len(todo), 3), "same_rows_1_and_2_workers": same, "rounds": args.rounds,
    }))


if __name__ == "__main__":
    main()
