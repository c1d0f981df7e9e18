"""The weekly loop on an injected clock: on time, catching up once, surviving, retrying.

The clock is a list of moments the loop itself advances through `sleep`; nothing patches
the real time. Each case starts on Monday 2 March 2026, 06:00, with the refresh set for
周一 07:00.
"""

from __future__ import annotations

import datetime as dt
import functools

import pytest

from workbook import errors
from services import runlog
from services.watch import Watcher

T = dt.datetime
START = T(2026, 3, 2, 6, 0)


class FakeTime:
    """A clock that moves only when the loop sleeps."""

    def __init__(self, start: dt.datetime):
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


@pytest.fixture
def workbook(tmp_path):
    path = tmp_path / "台账.xlsx"
    path.write_bytes(b"")
    return path


def recorder(workbook, clock_calls, outcomes=()):
    """A refresh that records when it ran and plays `outcomes` (exceptions) before succeeding."""
    pending = list(outcomes)

    def refresh(today):
        moment = clock_calls.now_of()
        clock_calls.append(moment)
        if pending:
            raise pending.pop(0)
        runlog.append(workbook, moment, runlog.SUCCESS, "测试")

    return refresh


class Calls(list):
    def __init__(self):
        super().__init__()
        self.clock = None

    def now_of(self):
        return self.clock()


def run_watch(workbook, until, outcomes=(), last=None):
    calls = Calls()
    if last:
        runlog.append(workbook, last, runlog.SUCCESS, "上次")
    clock = FakeTime(START)
    calls.clock = clock
    said = []
    watcher = Watcher(workbook, 0, "07:00", recorder(workbook, calls, outcomes), clock=clock, sleep=clock.sleep, say=said.append)
    watcher.start(keep_going=lambda: clock() < until)
    return [moment.replace(second=0, microsecond=0) for moment in calls], said


def test_runs_at_the_set_time_every_week(workbook):
    runs, _ = run_watch(workbook, T(2026, 3, 16, 8, 0), last=T(2026, 2, 27, 7, 0))
    assert runs == [T(2026, 3, 2, 7, 0), T(2026, 3, 9, 7, 0), T(2026, 3, 16, 7, 0)]


def test_catches_up_a_missed_week_once(workbook):
    runs, said = run_watch(workbook, T(2026, 3, 9, 8, 0), last=T(2026, 2, 20, 7, 0))
    # at start (06:00) the last success is 10 days old: refresh now; 07:00 the same day is skipped
    assert runs == [T(2026, 3, 2, 6, 0), T(2026, 3, 9, 7, 0)]
    assert "上次成功刷新已超过一周（或从未刷新），现在先补做一次。" in said


def test_survives_a_failing_run(workbook):
    runs, said = run_watch(workbook, T(2026, 3, 9, 8, 0), outcomes=[RuntimeError("boom")], last=T(2026, 2, 27, 7, 0))
    assert runs == [T(2026, 3, 2, 7, 0), T(2026, 3, 9, 7, 0)]
    assert "2026-03-02 07:00 刷新出错，已记入日志；下周按时再试。" in said
    lines = runlog.run_log_path(workbook).read_text(encoding="utf-8").splitlines()
    assert lines[1].split("\t")[:2] == ["2026-03-02 07:00:00", "出错"]


def test_retries_a_locked_workbook_every_half_hour(workbook):
    busy = [errors.WorkbookOpen(workbook), errors.WorkbookBusy(workbook)]
    runs, said = run_watch(workbook, T(2026, 3, 9, 8, 0), outcomes=busy, last=T(2026, 2, 27, 7, 0))
    assert runs == [T(2026, 3, 2, 7, 0), T(2026, 3, 2, 7, 30), T(2026, 3, 2, 8, 0), T(2026, 3, 9, 7, 0)]
    statuses = [line.split("\t")[1] for line in runlog.run_log_path(workbook).read_text(encoding="utf-8").splitlines()]
    assert statuses == ["成功", "稍后重试", "稍后重试", "成功", "成功"]


def test_never_refreshed_workbook_is_refreshed_at_start(workbook):
    runs, _ = run_watch(workbook, T(2026, 3, 2, 6, 30))
    assert runs == [T(2026, 3, 2, 6, 0)]


def test_watch_command_refreshes_a_real_workbook_and_stops_on_ctrl_c(build, data, capsys, monkeypatch):
    import sync

    path = build(data)

    def interrupt(seconds):
        raise KeyboardInterrupt

    monkeypatch.setattr(sync, "Watcher", functools.partial(Watcher, sleep=interrupt))  # stop after the first nap
    assert sync.main(["watch", str(path), "--at", "周三 18:30"]) == 0
    out = capsys.readouterr().out
    assert "自动刷新已启动：每周三 18:30 刷新“master.xlsx”" in out
    assert "现在先补做一次" in out and "已写入“master.xlsx”" in out and "已停止自动刷新。" in out
    assert runlog.last_success(path) is not None
