"""The roll-up: every branch workbook of a folder read in parallel, compared in one workbook.

`branch_files` picks the workbooks of a folder (.xlsx and .xlsm; not Office owner files
`~$…`, not our temporary files, not reports and roll-ups we wrote ourselves — they carry
our document properties); old or foreign spreadsheets (.xls, .et, …) are picked too, so
that they are reported rather than silently missed. `read_branches` reads them in worker
processes (ProcessPoolExecutor), each computing the branch's yearly figures exactly as
`reports.py PATH` would. A worker never raises: a broken, encrypted, locked or incomplete
workbook comes back as a `BranchResult` with a Chinese `problem`, and the others go on.

Limits: the folder is not searched recursively; each branch is counted up to its own
积分截止日期 (or `today`).
"""

from __future__ import annotations

import datetime as dt
import os
import traceback
import zipfile
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from workplan import pipeline
from workplan.report import YearReport, year_report
from workplan.sheets.report import rollup_sheets

from . import errors
from .errors import NotAFolder
from .reader import READABLE_SUFFIXES, read_book
from .render_xlsx import write_standalone
from .report_html import REPORT_DIR, REPORT_MARK, document_properties, publish

ROLLUP_NAME = "各支部党建工作汇总.xlsx"
ROLLUP_TITLE = "各支部党建工作汇总"
OTHER_SPREADSHEETS = (".xls", ".et", ".ett", ".xlsb", ".ods")  # reported as not readable, with the fix
OWNER_PREFIXES = ("~", ".~lock.")  # ~$ (Excel/WPS owner files), ~workbench- (our temporary files), LibreOffice locks


@dataclass(frozen=True)
class BranchResult:
    """One file of the folder: its figures, or why it was skipped."""

    path: Path
    report: YearReport | None = None
    problem: str = ""  # Chinese, for the user
    trace: str = ""  # the traceback of an unexpected failure, for the log

    @property
    def ok(self) -> bool:
        return self.report is not None


@dataclass(frozen=True)
class Rollup:
    results: list[BranchResult]

    @property
    def read(self) -> list[BranchResult]:
        return [r for r in self.results if r.ok]

    @property
    def skipped(self) -> list[BranchResult]:
        return [r for r in self.results if not r.ok]

    @property
    def exit_code(self) -> int:
        """0 all read, 1 some skipped, 2 none readable."""
        if not self.read:
            return errors.EXIT_CANNOT_RUN
        return errors.EXIT_FINDINGS if self.skipped else errors.EXIT_OK


def check_folder(folder: Path) -> Path:
    if not folder.exists():
        raise errors.NoSuchFile(folder)
    if not folder.is_dir():
        raise NotAFolder(folder)
    return folder


def branch_files(folder: Path, exclude: Sequence[Path] = ()) -> list[Path]:
    """The workbooks of `folder` to read, by name: owner files, temporary files and our own outputs left out."""
    skip = {p.resolve() for p in exclude}
    found = []
    for path in sorted(check_folder(folder).iterdir()):
        suffix = path.suffix.lower()
        if not path.is_file() or path.name.startswith(OWNER_PREFIXES) or path.resolve() in skip:
            continue
        if suffix in OTHER_SPREADSHEETS or (suffix in READABLE_SUFFIXES and not is_our_output(path)):
            found.append(path)
    return found


def is_our_output(path: Path) -> bool:
    """A report or roll-up written by this program (its document properties carry our mark)."""
    try:
        with zipfile.ZipFile(path) as package:
            core = package.read("docProps/core.xml").decode("utf-8", "replace")
    except (zipfile.BadZipFile, KeyError, OSError):
        return False  # not ours: reading it will say what is wrong
    return REPORT_MARK in core


def read_branch(path: Path, today: dt.date) -> BranchResult:
    """The yearly figures of one workbook; never raises (the worker of `read_branches`)."""
    try:
        result = pipeline.refresh(read_book(path, pipeline.wanted_for_refresh()), today, pipeline.NO_SHEETS)
        if not result.runnable:
            missing = "；".join(f.message for f in result.report.structural[:5])
            raise errors.MissingSheets(path, missing)
        return BranchResult(path, year_report(result))
    except errors.WorkbenchError as exc:
        return BranchResult(path, problem=exc.user_message())
    except OSError as exc:
        return BranchResult(path, problem=f"{path} 无法读取（{errors.os_reason(exc)}）：文件可能正被其他程序独占，"
                                          "或没有读取权限。请关闭占用它的程序、检查权限后重新汇总。")
    except Exception:  # a worker must hand back every failure; the parent logs the traceback
        return BranchResult(path, problem=f"{path} 读取时遇到意外问题，已跳过。详细情况记录在日志中。",
                            trace=traceback.format_exc())


def read_branches(
    paths: Sequence[Path],
    today: dt.date,
    workers: int | None = None,
    progress: Callable[[BranchResult], None] | None = None,
) -> list[BranchResult]:
    """Every file's result, in the order of `paths`; `progress` is called as each one finishes."""
    if not paths:
        return []
    workers = workers or min(len(paths), os.cpu_count() or 1)
    results: dict[Path, BranchResult] = {}
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(read_branch, path, today): path for path in paths}
        for future in as_completed(futures):
            result = _outcome(future, futures[future])
            results[result.path] = result
            if progress:
                progress(result)
    return [results[path] for path in paths]


def _outcome(future, path: Path) -> BranchResult:
    """The worker's result; a crashed worker process is reported for its file."""
    try:
        return future.result()
    except BrokenProcessPool:
        return BranchResult(path, problem=f"{path} 读取时程序异常退出（可能文件过大或内存不足），已跳过。"
                                          f"请单独运行 python reports.py {path} 查看原因。", trace=traceback.format_exc())


def output_path(folder: Path, out: str | None) -> Path:
    """Where the roll-up goes: --out (an .xlsx file, else a folder to put 各支部党建工作汇总.xlsx in), else 报表/ in the folder."""
    if not out:
        return folder / REPORT_DIR / ROLLUP_NAME
    target = Path(out)
    return target if target.suffix.lower() == ".xlsx" and not target.is_dir() else target / ROLLUP_NAME


def write_rollup(rollup: Rollup, target: Path, today: dt.date) -> Path:
    """The summary workbook: one row per branch read, then the files skipped and why."""
    rows = [(r.path.name, r.report) for r in rollup.read]
    failures = [(r.path.name, r.problem) for r in rollup.skipped]
    subtitle = f"汇总 {len(rows)} 个支部，跳过 {len(failures)} 个文件；生成于 {today.isoformat()}。"
    sheets = rollup_sheets(rows, failures, subtitle)
    return publish(target, lambda new: write_standalone(new, sheets, properties=document_properties(ROLLUP_TITLE)))
