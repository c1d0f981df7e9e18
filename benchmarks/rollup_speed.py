"""Roll-up speed: `reports.py rollup` over many demo-size branches against the floor, in the same run.

    python benchmarks/rollup_speed.py [--branches 100 300] [--workers 2] [--rounds 3] [--cache /tmp/workbench-rollup-bench]

The branches are the demo branch (40 members, a year of activities) under 300 different
支部名称, each refreshed once as a branch's master would be; they are built once and kept in
the cache folder. For each count, each measurement runs in a fresh process:

- the roll-up: `reports.py rollup`'s work (read every branch in `workers` processes, count the
  copies, write the workbook and its HTML page with the charts);
- the floor: a python-calamine read of every sheet of the same files, in the same number of
  processes (and, printed beside it, of only the sheets the roll-up reads).

The three are measured in turn, `rounds` times, and the fastest of each kept (the machine may be
shared). Printed: wall and CPU times (of the process and its children: steadier on a busy machine),
the ratios roll-up ÷ floor (target ≤ 2; also against the sheets read only), and peak memory of the
main process and of its largest child (`ru_maxrss`; for the roll-up where processes fork, the
largest child is the process drawing the page, a copy of the main one; the readers stay smaller).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import multiprocessing
import os
import resource
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from python_calamine import CalamineWorkbook  # noqa: E402

from services import rollup  # noqa: E402
from services.create import build_master  # noqa: E402
from services.demo import demo_data  # noqa: E402
import sync  # noqa: E402
from workbook import layout  # noqa: E402
from workplan import pipeline  # noqa: E402

TODAY = dt.date(2026, 11, 26)
CACHE = Path("/tmp/workbench-rollup-bench")


def build_branch(path: Path, index: int) -> Path:
    """The demo branch as branch `index`, refreshed once (so it carries its generated sheets and 积分历史)."""
    if path.exists():
        return path
    data = demo_data(TODAY)
    next(row for row in data[layout.SETTINGS] if row["项目"] == "支部名称")["值"] = f"第{index:03d}中心学校党支部"
    scratch = path.with_name(f"~building-{path.name}")
    build_master(scratch, data)
    with contextlib.redirect_stdout(io.StringIO()):
        sync.run_refresh(scratch, TODAY)
    scratch.rename(path)
    return path


def branches(count: int, cache: Path, workers: int) -> list[Path]:
    cache.mkdir(parents=True, exist_ok=True)
    paths = [cache / f"branch{index:03d}.xlsx" for index in range(1, count + 1)]
    missing = [(p, i) for i, p in enumerate(paths, 1) if not p.exists()]
    if missing:
        start = time.perf_counter()
        with ProcessPoolExecutor(workers) as pool:
            list(pool.map(build_branch, *zip(*missing)))
        print(f"built {len(missing)} branches in {time.perf_counter() - start:.1f} s ({cache})", flush=True)
    return paths


def run_rollup(paths: list[Path], workers: int, out: Path) -> int:
    outcome = rollup.Rollup.of(rollup.read_branches(paths, TODAY, workers=workers))
    rollup.write_rollup(outcome, out, TODAY)
    return len(outcome.read)


def calamine_file(path: Path, only_read: bool = False) -> int:
    """Every sheet of the file (or `only_read`: the sheets the roll-up reads) as python-calamine's values."""
    book = CalamineWorkbook.from_path(str(path))
    wanted = set(pipeline.wanted_for_refresh())
    cells = 0
    for name in book.sheet_names:
        if name in wanted or not only_read:
            cells += sum(len(row) for row in book.get_sheet_by_name(name).to_python())
    return cells


def calamine_read_sheets(path: Path) -> int:
    return calamine_file(path, only_read=True)


def run_floor(paths: list[Path], workers: int, read=calamine_file) -> int:
    with ProcessPoolExecutor(workers) as pool:
        return sum(pool.map(read, paths, chunksize=4))


def measured(job, *args) -> tuple[float, float, float, float]:
    """(wall seconds, CPU seconds of the process and its children, peak MiB of the process, of its largest
    child), in a fresh process."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(_timed, job, *args).result()


def _cpu() -> float:
    return sum(u.ru_utime + u.ru_stime for u in map(resource.getrusage, (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)))


def _timed(job, *args) -> tuple[float, float, float, float]:
    multiprocessing.set_start_method(None, force=True)  # a spawned child inherits "spawn": back to the platform's own
    start, cpu = time.perf_counter(), _cpu()
    job(*args)
    seconds, cpu = time.perf_counter() - start, _cpu() - cpu
    return (seconds, cpu, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--branches", type=int, nargs="+", default=[100, 300])
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--cache", type=Path, default=CACHE)
    parser.add_argument("--rounds", type=int, default=3, help="alternate the measurements this many times, keep the fastest")
    args = parser.parse_args()
    paths = branches(max(args.branches), args.cache, args.workers)
    print(f"{args.workers} worker processes; {os.cpu_count()} cores; each measurement in a fresh process", flush=True)
    for count in args.branches:
        out = args.cache.parent / f"workbench-rollup-bench-out-{count}.xlsx"
        rounds = [(measured(run_floor, paths[:count], args.workers),
                   measured(run_floor, paths[:count], args.workers, calamine_read_sheets),
                   measured(run_rollup, paths[:count], args.workers, out)) for _ in range(args.rounds)]
        floor, only, total = (min((r[i] for r in rounds), key=lambda m: m[0]) for i in range(3))
        cpu = [min(r[i][1] for r in rounds) for i in range(3)]
        print(f"{count:4d} branches: roll-up {total[0]:6.2f} s wall, {cpu[2]:6.2f} s CPU; calamine floor {floor[0]:6.2f} s "
              f"wall, {cpu[0]:6.2f} s CPU (the sheets read only: {only[0]:.2f} s, {cpu[1]:.2f} s CPU); ratio "
              f"{total[0] / floor[0]:.2f} wall, {cpu[2] / cpu[0]:.2f} CPU ({total[0] / only[0]:.2f}, {cpu[2] / cpu[1]:.2f} "
              f"against the sheets read); peak memory: roll-up main {total[2]:.0f} MiB, largest child {total[3]:.0f} MiB; "
              f"floor main {floor[2]:.0f} MiB, worker {floor[3]:.0f} MiB  [fastest of {args.rounds} alternating rounds]",
              flush=True)

if __name__ == "__main__":
    main()
