"""`sync.py watch` refreshing after a save-and-close, with real files: owner files, saves, our own writes.

The loop runs on a clock that moves only when it sleeps; each sleep also plays the user's steps
due by then on the real workbook (open it: an owner file appears; save: new bytes and time
stamp; close: the owner file goes). The refresh is the real one (`sync.run_refresh`), so the
file it writes is a real write the watcher must not react to.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os

import pytest

import sync
from services import runlog
from services.savewatch import SaveTrigger
from services.watch import Watcher
from workbook import errors, safety

from conftest import TODAY

START = dt.datetime.now().replace(microsecond=0)
NO_WEEKLY_RUN = (START.weekday() + 3) % 7  # the weekly job is days away: only saves refresh here


class Script:
    """The clock, and the user's steps at their moments (seconds after START)."""

    def __init__(self, steps):
        self.now = START
        self.steps = sorted(steps, key=lambda step: step[0])

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += dt.timedelta(seconds=seconds)
        while self.steps and START + dt.timedelta(seconds=self.steps[0][0]) <= self.now:
            self.steps.pop(0)[1]()


def stamp(path, moment):
    os.utime(path, (moment.timestamp(), moment.timestamp()))


def save(path, clock):
    """What a save does to the file: new bytes (a zip comment appended, so it still opens) and a new time stamp."""
    with path.open("ab") as handle:
        handle.write(b" ")
    stamp(path, clock())


@pytest.fixture
def book(build, data):
    path = build(data)
    stamp(path, START - dt.timedelta(minutes=2))
    runlog.append(path, START - dt.timedelta(minutes=1), runlog.SUCCESS, "上次")
    return path


def successes(path):
    return [line for line in runlog.run_log_path(path).read_text(encoding="utf-8").splitlines() if "\t成功\t" in line]


@pytest.mark.parametrize("owner", ["~${name}", ".~lock.{name}#"], ids=["Excel/WPS", "LibreOffice"])
def test_a_save_while_open_does_nothing_the_close_refreshes_once_our_write_never(book, owner):
    lock, clock = book.with_name(owner.format(name=book.name)), Script([])
    steps = [(10, lambda: lock.write_bytes(b"teacher")),  # opened in WPS
             (15, lambda: save(book, clock)),  # saved while open
             (20, lambda: save(book, clock)),  # and again
             (40, lambda: lock.unlink())]  # closed
    runs, said = watch_with(book, steps, 120, clock)
    assert len(runs) == 1 and 40 <= runs[0] <= 47  # one refresh, within two polls of the close
    assert len(successes(book)) == 2  # the one before, and this one: our own write triggered none
    assert said[-1] == f"{(START + dt.timedelta(seconds=runs[0])):%H:%M} 检测到“master.xlsx”已保存并关闭，已自动刷新。"


def watch_with(path, steps, seconds, clock):
    """Run the watcher for `seconds` of `clock`'s time, the user's `steps` played on the way; (refresh moments, said)."""
    clock.steps = sorted(steps, key=lambda step: step[0])
    runs, said = [], []

    def refresh(day):
        runs.append((clock() - START).total_seconds())
        with contextlib.redirect_stdout(io.StringIO()):
            assert sync.run_refresh(path, TODAY) in (0, 1)

    watcher = Watcher(path, NO_WEEKLY_RUN, "07:00", refresh, clock=clock, sleep=clock.sleep, say=said.append,
                      saves=SaveTrigger(path))
    watcher.start(keep_going=lambda: clock() < START + dt.timedelta(seconds=seconds))
    return runs, said


def test_a_time_stamp_touched_alone_is_no_save(book):
    clock = Script([])
    runs, _ = watch_with(book, [(10, lambda: stamp(book, clock() + dt.timedelta(seconds=5)))], 60, clock)
    assert runs == []


def test_a_workbook_reopened_before_the_refresh_waits_for_the_next_close(book):
    owner = book.with_name("~$" + book.name)
    clock, runs, said = Script([]), [], []

    def refresh(day):
        if safety.is_open_elsewhere(book):
            raise errors.WorkbookOpen(book)
        runs.append((clock() - START).total_seconds())

    clock.steps = [(10, lambda: save(book, clock)), (11, lambda: owner.write_bytes(b"x")), (30, lambda: owner.unlink())]
    watcher = Watcher(book, NO_WEEKLY_RUN, "07:00", refresh, clock=clock, sleep=clock.sleep, say=said.append,
                      saves=SaveTrigger(book, is_open=lambda path: False))  # the poll misses the reopening ...
    watcher.start(keep_going=lambda: clock() < START + dt.timedelta(seconds=60))
    assert len(runs) == 1 and 30 <= runs[0] <= 33  # ... the refresh does not: it waits, then runs once
    assert any("已保存，但它又被打开了，关闭后再刷新" in line for line in said)


def test_a_save_made_while_watch_was_not_running_is_refreshed_at_start(book):
    stamp(book, START - dt.timedelta(seconds=20))  # saved after the last refresh (1 minute ago)
    clock = Script([])
    runs, said = watch_with(book, [], 30, clock)
    assert runs == [0.0] and "台账在上次刷新之后保存过，现在先刷新一次。" in said


def test_a_file_written_by_another_refresh_is_not_refreshed_again(book):
    clock = Script([])

    def other_refresh():  # a double-clicked 刷新.cmd: it writes the file and the run log
        save(book, clock)
        runlog.append(book, clock() + dt.timedelta(seconds=2), runlog.SUCCESS, "刷新.cmd")

    runs, _ = watch_with(book, [(10, other_refresh)], 40, clock)
    assert runs == []


def test_a_failed_refresh_after_a_save_is_tried_once_per_save(book):
    clock, runs = Script([]), []

    def failing(day):
        runs.append((clock() - START).total_seconds())
        raise RuntimeError("boom")

    clock.steps = [(10, lambda: save(book, clock)), (40, lambda: save(book, clock))]
    watcher = Watcher(book, NO_WEEKLY_RUN, "07:00", failing, clock=clock, sleep=clock.sleep, say=lambda line: None,
                      saves=SaveTrigger(book))
    watcher.start(keep_going=lambda: clock() < START + dt.timedelta(seconds=70))
    assert len(runs) == 2  # one attempt for each save, not one every poll
