"""A sweep running in the background for the app: a plain (non-daemon) thread drives the Dask
cluster and hands finished rows over through a queue; the dialog drains it on its own timer.
Nothing of Qt is touched from the thread, and it stops cooperatively (a flag, cancel, join)."""
from __future__ import annotations

import queue
import threading
import traceback
from typing import Any

from engine import cli_sweep, sweep

JOIN_TIMEOUT_S = 30.0


class SweepJob:
    """Runs the variants; `take()` gives ("row", index, row), ("error", text) and ("done", None)."""

    def __init__(self, variants: list[sweep.Variant], workers: int | None = None,
                 scheduler: str | None = None) -> None:
        self.variants = variants
        self.workers, self.scheduler = workers, scheduler
        self._out: queue.Queue = queue.Queue()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="flowdeck-sweep", daemon=False)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Cancel what has not run and wait for the cluster to close; safe to call more than once."""
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(JOIN_TIMEOUT_S)

    def running(self) -> bool:
        return self._thread.is_alive()

    def take(self) -> list[tuple]:
        items = []
        while True:
            try:
                items.append(self._out.get_nowait())
            except queue.Empty:
                return items

    def _run(self) -> None:
        try:
            self._drive()
        except Exception as e:   # noqa: BLE001 - told to the dialog, never raised into Qt
            text = str(e) if isinstance(e, sweep.SweepError) else traceback.format_exc().strip().splitlines()[-1]
            self._out.put(("error", text))
        self._out.put(("done", None))

    def _drive(self) -> None:
        from distributed import as_completed
        client, closers = cli_sweep.connect(self.scheduler, self.workers)
        futures: list[Any] = []
        try:
            cli_sweep.check_versions(client)
            futures = [client.submit(sweep.run_variant, v.data, v.seed, v.duration_s, pure=False)
                       for v in self.variants]
            index = {f.key: v.index for f, v in zip(futures, self.variants)}
            done = as_completed(futures)
            for future in done:
                if self._stop.is_set():
                    client.cancel(futures)
                    return
                self._out.put(("row", index[future.key], cli_sweep.result_of(future)))
        finally:
            for close in closers:
                close()
