"""The run log next to the workbook: one line per refresh, whoever started it.

    2026-11-30 07:00:02	成功	错误 11 条，警告 1 条；写入 6 张表
    2026-12-07 07:00:01	稍后重试	工作簿正在 Excel 中打开，30 分钟后再试

The weekly watcher reads it to know when the last successful refresh was (to catch up a
missed week); staff can open it to see that the weekly refresh really ran.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

RUN_LOG = "刷新记录.txt"
SUCCESS = "成功"
RETRY = "稍后重试"
FAILED = "出错"
STAMP = "%Y-%m-%d %H:%M:%S"


def run_log_path(workbook: str | Path) -> Path:
    return Path(workbook).parent / RUN_LOG


def append(workbook: str | Path, when: dt.datetime, status: str, detail: str) -> None:
    """Add one line; a run log that cannot be written never stops a refresh."""
    line = f"{when.strftime(STAMP)}\t{status}\t{Path(workbook).name}\t{detail}\n"
    try:
        with run_log_path(workbook).open("a", encoding="utf-8") as log:
            log.write(line)
    except OSError:
        pass  # the refresh itself succeeded or failed already; the detailed log has it too


def last_success(workbook: str | Path) -> dt.datetime | None:
    """When this workbook was last refreshed successfully, by the run log."""
    path = run_log_path(workbook)
    if not path.exists():
        return None
    latest = None
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        parts = line.split("\t")
        if len(parts) >= 3 and parts[1] == SUCCESS and parts[2] == Path(workbook).name:
            try:
                latest = max(filter(None, (latest, dt.datetime.strptime(parts[0], STAMP))))
            except ValueError:
                continue
    return latest
