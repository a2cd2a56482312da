"""`flowdeck sweep` (FORMAT.md 4.1, 4.5): every variant's run on a Dask cluster, rows to a CSV.

Rows are appended to the CSV as runs finish (a crash or Ctrl+C loses no finished run); when the
sweep ends, stopped or not, the file is rewritten in the stable order: the --vary values in the
order given (the last --vary changing fastest), then the seeds.
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import logging
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable, Iterable

from engine import examples, fileio, sweep
from engine.fileio import MAX_DURATION_S

MAX_RUNS = 100_000
NUMERIC = ("requests", "error_rate", "latency_p50_s", "latency_p95_s", "latency_p99_s", "max_instances",
           "dead_lettered", "cost_usd")


def add_parser(sub: Any, bounded: Callable[..., Callable[[str], float]]) -> None:
    p = sub.add_parser("sweep", help="one run per combination of values and seeds, on a Dask cluster")
    p.add_argument("file", help="a .flowdeck.json file or the name of a built-in example")
    p.add_argument("--vary", action="append", required=True, metavar="TARGET.PROP=V1,V2,...",
                   help="a node or edge prop (dotted path for nested values) and its values; repeat for more")
    p.add_argument("--seeds", type=bounded(1, 10_000, integer=True), default=1,
                   help="runs per combination, with the file's seed, seed+1, ... (default 1)")
    p.add_argument("--duration", type=bounded(0, MAX_DURATION_S, "s", above=True),
                   help="simulated seconds of each run (default: the file's duration_s)")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--workers", type=bounded(1, 1024, integer=True),
                       help="worker processes of the local Dask cluster (default: the number of cores)")
    where.add_argument("--scheduler", metavar="ADDRESS", help="an existing Dask scheduler, e.g. tcp://host:8786")
    p.add_argument("--out", required=True, help="the CSV of results (one row per run)")
    p.add_argument("--plot", help="also draw a heatmap and a cost vs latency Pareto front into this PNG")
    p.add_argument("--metric", choices=NUMERIC, default="latency_p99_s", help="what the heatmap shows")


def cmd_sweep(args: argparse.Namespace) -> int:
    path = examples.resolve(args.file)
    doc = fileio.load(path)
    varies = [sweep.parse_vary(v) for v in args.vary]
    runs = 1
    for v in varies:
        runs *= len(v.values)
    if runs * args.seeds > MAX_RUNS:
        raise sweep.SweepError(f"the sweep would make {runs * args.seeds:,} runs, over the limit of {MAX_RUNS:,}")
    todo = sweep.variants(doc, str(path), varies, args.seeds, args.duration)
    out = Path(args.out)
    _check_writable(out, "--out")
    if args.plot:
        _check_writable(Path(args.plot), "--plot")
    header = [v.path for v in varies] + ["seed", *sweep.RESULT_COLUMNS]
    rows, stopped = _run_all(args, todo, header, out)
    _write(out, header, [rows[i] for i in sorted(rows)])
    failed = sum(1 for r in rows.values() if r["error"])
    print(f"{len(rows)} of {len(todo)} runs written to {out}" + (f" ({failed} failed)" if failed else ""))
    if stopped:
        print("flowdeck: the sweep was stopped (Ctrl+C); the runs that finished are in the file", file=sys.stderr)
        return 1
    if args.plot:
        from engine.sweep_plot import plot
        plot([rows[i] for i in sorted(rows)], [v.path for v in varies], args.metric, args.plot)
        print(f"plot written to {args.plot}")
    return 0


def _check_writable(path: Path, flag: str) -> None:
    if path.is_dir():
        raise sweep.SweepError(f"{flag} {path}: it is a folder")
    if not path.parent.is_dir():
        raise sweep.SweepError(f"{flag} {path}: no folder {path.parent}")


def _run_all(args: argparse.Namespace, todo: list[sweep.Variant], header: list[str],
             out: Path) -> tuple[dict[int, dict], bool]:
    """Run every variant on the cluster; rows by their index in the stable order, and whether stopped."""
    client, closers = connect(args.scheduler, args.workers)
    rows: dict[int, dict] = {}
    progress: Progress | None = None
    futures: list[Any] = []
    try:
        check_versions(client)
        progress = Progress(len(todo))
        futures = [client.submit(sweep.run_variant, v.data, v.seed, v.duration_s, pure=False,
                                 key=f"flowdeck-run-{v.index}-{time.time_ns()}") for v in todo]
        by_key = {f.key: v for f, v in zip(futures, todo)}
        with out.open("w", newline="", encoding="utf-8") as stream:
            writer = csv.DictWriter(stream, header)
            writer.writeheader()
            for future in _as_completed(futures):
                variant = by_key[future.key]
                rows[variant.index] = _row(variant, header, result_of(future))
                writer.writerow(rows[variant.index])
                stream.flush()
                progress.step(failed=bool(rows[variant.index]["error"]))
        return rows, False
    except KeyboardInterrupt:
        client.cancel(futures)
        return rows, True
    finally:
        if progress is not None:
            progress.done()
        for close in closers:
            close()


def connect(scheduler: str | None, workers: int | None) -> tuple[Any, list[Callable[[], None]]]:
    """A Dask client of the scheduler at that address, or of a new local cluster of worker
    processes; with the functions that close what was opened."""
    from distributed import Client, LocalCluster
    if scheduler:
        try:
            client = Client(scheduler, timeout="10s")
        except (OSError, TimeoutError) as e:
            raise sweep.SweepError(f"--scheduler {scheduler}: cannot reach it ({e})") from None
        return client, [client.close]
    workers = workers or os.cpu_count() or 1
    # The worker processes start with Ctrl+C ignored (a terminal sends it to the whole process
    # group): this process alone stops the sweep, then closes the cluster.
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
    try:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0",
                               silence_logs=logging.ERROR)
    finally:
        if main:
            signal.signal(signal.SIGINT, previous)
    client = Client(cluster)
    return client, [client.close, cluster.close]


def check_versions(client: Any) -> None:
    """Every worker must run this FlowDeck: the same release and the same engine code and prices."""
    mine = sweep.version()
    theirs = client.run(sweep.version)
    if not theirs:
        raise sweep.SweepError("the Dask cluster has no workers")
    wrong = {addr: v for addr, v in theirs.items() if v != mine}
    if wrong:
        addr, v = sorted(wrong.items())[0]
        raise VersionMismatch(f"the Dask worker {addr} runs FlowDeck {v}, this one is {mine}"
                              f"{f' (and {len(wrong) - 1} more workers differ)' if len(wrong) > 1 else ''}: "
                              "install the same FlowDeck on every worker; no run was started")


class VersionMismatch(sweep.SweepError):
    """A worker runs another FlowDeck."""


def _as_completed(futures: list[Any]) -> Iterable[Any]:
    from distributed import as_completed
    return as_completed(futures)


def result_of(future: Any) -> dict[str, Any]:
    try:
        return future.result()
    except Exception as e:   # the worker died or the task could not run: a row that says so
        row = {c: "" for c in sweep.RESULT_COLUMNS}
        row["error"] = f"{type(e).__name__}: {e}"
        return row


def _row(variant: sweep.Variant, header: list[str], result: dict[str, Any]) -> dict[str, Any]:
    values = [v if isinstance(v, str) else json.dumps(v) for v in variant.values]
    row = dict(zip(header, values))
    row["seed"] = variant.seed
    row.update(result)
    return row


def _write(out: Path, header: list[str], rows: list[dict]) -> None:
    """The whole file in the stable order, replaced in one step (never half written)."""
    text = io.StringIO(newline="")
    writer = csv.DictWriter(text, header)
    writer.writeheader()
    writer.writerows(rows)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(text.getvalue(), encoding="utf-8", newline="")
    os.replace(tmp, out)


class Progress:
    """A one-line progress bar on stderr."""

    WIDTH = 30

    def __init__(self, total: int) -> None:
        self.total, self.n, self.failed = total, 0, 0
        self.start = time.monotonic()
        self._draw()

    def step(self, failed: bool) -> None:
        self.n += 1
        self.failed += failed
        self._draw()

    def _draw(self) -> None:
        filled = self.WIDTH * self.n // max(1, self.total)
        elapsed = int(time.monotonic() - self.start)
        note = f", {self.failed} failed" if self.failed else ""
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (self.WIDTH - filled)}] {self.n}/{self.total} runs"
                         f"{note}  {elapsed // 60}:{elapsed % 60:02d}")
        sys.stderr.flush()

    def done(self) -> None:
        sys.stderr.write("\n")
        sys.stderr.flush()
