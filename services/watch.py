"""The weekly refresh: a long-running loop around one `schedule` job.

`Watcher.start()` refreshes the workbook every week at the 基本设置 time (e.g. 周一 07:00).
What the `schedule` library leaves to us, we do here:
- catching up: schedule does not run missed jobs, so on start a workbook whose last
  successful refresh (by the run log) is more than a week old is refreshed at once;
- a refresh that raises is logged and the loop goes on (schedule would stop);
- a workbook open in Excel or busy is retried every 30 minutes until it works, instead of
  waiting a week; the weekly run is skipped when a refresh succeeded in the last 12 hours.

Given a `SaveTrigger` (`services.savewatch`), it also refreshes within seconds after the
workbook was saved and closed (WPS and LibreOffice have no button), once per save, never in
reaction to its own writes: on start when the file was saved after the last successful
refresh in the run log, then on every poll. A file written by another refresh (a double-clicked
刷新.cmd) is not refreshed again.

The clock and the sleep are passed in. schedule reads the time itself from
`datetime.datetime.now()`; while the loop runs, schedule is given a `datetime` that asks
the injected clock, so the same code runs on the wall clock and on a test's clock.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import schedule

from services import runlog
from services.savewatch import POLL_SECONDS, SaveTrigger
from workbook import errors

log = logging.getLogger("workbench.watch")
WEEKDAY_JOBS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
RETRY_MINUTES = 30
CATCH_UP_AFTER = dt.timedelta(days=7)
RECENT_ENOUGH = dt.timedelta(hours=12)
MAX_NAP = 60.0


@contextmanager
def schedule_clock(clock: Callable[[], dt.datetime]) -> Iterator[None]:
    """Let the schedule library read the time from `clock` while the block runs."""

    class ClockedDatetime(dt.datetime):
        @classmethod
        def now(cls, tz=None):  # noqa: D102 - the one method schedule needs
            moment = clock()
            return moment.astimezone(tz) if tz is not None and moment.tzinfo else moment

    original = schedule.datetime
    schedule.datetime = types.SimpleNamespace(
        datetime=ClockedDatetime, time=dt.time, timedelta=dt.timedelta, date=dt.date
    )
    try:
        yield
    finally:
        schedule.datetime = original


@dataclass
class Watcher:
    """Refreshes one workbook weekly; `refresh(today)` does one refresh and may raise."""

    path: Path
    weekday: int  # 0 = Monday
    at: str  # "07:00"
    refresh: Callable[[dt.date], object]
    clock: Callable[[], dt.datetime] = dt.datetime.now
    sleep: Callable[[float], None] = time.sleep
    say: Callable[[str], None] = print
    retry_minutes: int = RETRY_MINUTES
    saves: SaveTrigger | None = None
    scheduler: schedule.Scheduler = field(default_factory=schedule.Scheduler)
    _retrying: bool = False

    def start(self, keep_going: Callable[[], bool] = lambda: True) -> None:
        """Run until `keep_going()` is false (Ctrl-C also stops it, between naps)."""
        with schedule_clock(self.clock):
            getattr(self.scheduler.every(), WEEKDAY_JOBS[self.weekday]).at(self.at).do(self.weekly)
            self.say(f"自动刷新已启动：每{_weekday_name(self.weekday)} {self.at} 刷新“{self.path.name}”。按 Ctrl+C 停止。")
            if self.saves is not None:
                self._watch_saves()
            if self._missed_a_week():
                self.say("上次成功刷新已超过一周（或从未刷新），现在先补做一次。")
                self.attempt_or_retry()
            elif self.saves is not None and self._saved_since_refresh():
                self.say("台账在上次刷新之后保存过，现在先刷新一次。")
                self.attempt_or_retry()
            while keep_going():
                self.scheduler.run_pending()
                self.sleep(self._nap())

    def _watch_saves(self) -> None:
        self.saves.mark_handled()
        self.scheduler.every(POLL_SECONDS).seconds.do(self.check_saved)
        self.say(f"保存并关闭“{self.path.name}”后，约 10 秒内也会自动刷新（在 WPS、LibreOffice 中同样适用）。")

    def _saved_since_refresh(self) -> bool:
        return not self.saves.is_open(self.path) and self.saves.saved_after(runlog.last_success(self.path))

    def check_saved(self) -> None:
        """The poll job: refresh once when the workbook was saved and closed since it was last handled."""
        if not self.saves.due():
            return
        if not self.saves.saved_after(runlog.last_success(self.path)):  # another refresh wrote it
            self.saves.mark_handled()
            return
        now = self.clock()
        if self.attempt(busy=f"{now:%H:%M} 检测到“{self.path.name}”已保存，但它又被打开了，关闭后再刷新。") is False:
            return  # reopened in between: the next poll after it is closed again
        self.saves.mark_handled()  # done (our own write is handled), or failed (once per save)

    def _nap(self) -> float:
        idle = self.scheduler.idle_seconds
        return MAX_NAP if idle is None else min(MAX_NAP, max(1.0, idle))

    def _missed_a_week(self) -> bool:
        last = runlog.last_success(self.path)
        return last is None or self.clock() - last > CATCH_UP_AFTER

    def weekly(self) -> None:
        """The weekly job: refresh unless a refresh succeeded in the last 12 hours."""
        last = runlog.last_success(self.path)
        if last is not None and self.clock() - last < RECENT_ENOUGH:
            log.info("weekly run skipped: refreshed at %s", last)
            return
        self.attempt_or_retry()

    def attempt_or_retry(self) -> None:
        if self.attempt() is False and not self._retrying:
            self._retrying = True
            self.scheduler.every(self.retry_minutes).minutes.do(self._retry)

    def _retry(self):
        """The retry job: runs every 30 minutes until the workbook is free, then cancels itself."""
        if self.attempt() is False:
            return None
        self._retrying = False
        return schedule.CancelJob

    def attempt(self, busy: str | None = None) -> bool | None:
        """One refresh: True when done, False when the workbook is busy, None when it failed otherwise.

        A failure other than "busy" is logged with its traceback and the loop goes on. `busy` is what
        to say when the workbook is busy (the weekly run: it is tried again in 30 minutes).
        """
        now = self.clock()
        try:
            self.refresh(now.date())
        except (errors.WorkbookOpen, errors.WorkbookBusy) as exc:
            if busy is not None:
                self.say(busy)
                return False
            runlog.append(self.path, now, runlog.RETRY, f"工作簿正在使用中，{self.retry_minutes} 分钟后再试")
            self.say(f"{now:%Y-%m-%d %H:%M} {exc.user_message()}{self.retry_minutes} 分钟后再试。")
            return False
        except BaseException as exc:  # the loop survives a failed run (a library's panic too); the log keeps it
            if errors.is_ours(exc):
                raise
            log.exception("weekly refresh failed")
            runlog.append(self.path, now, runlog.FAILED, "程序内部错误，没有刷新，详见日志")
            self.say(f"{now:%Y-%m-%d %H:%M} 刷新出错，已记入日志；下周按时再试。")
            return None
        if self.saves is not None:
            self.saves.mark_handled()  # our own write never triggers a refresh
            if busy is not None:
                self.say(f"{now:%H:%M} 检测到“{self.path.name}”已保存并关闭，已自动刷新。")
        return True


def _weekday_name(weekday: int) -> str:
    return ("周一", "周二", "周三", "周四", "周五", "周六", "周日")[weekday]
