"""Timing a step in a fresh process: wall time and peak resident memory, printed in one line."""

from __future__ import annotations

import multiprocessing
import resource
import time
from concurrent.futures import ProcessPoolExecutor


def measure(label: str, job, *args) -> float:
    """Run job(*args) in a fresh process; print its wall time and peak resident memory."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        seconds, peak_kib = pool.submit(_timed, job, *args).result()
    print(f"{label:<44} {seconds:8.2f} s   peak {peak_kib / 1024:8.1f} MiB", flush=True)
    return seconds


def _timed(job, *args) -> tuple[float, int]:
    start = time.perf_counter()
    job(*args)
    return time.perf_counter() - start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
