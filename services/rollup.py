"""The roll-up: every branch workbook of a folder read in parallel, compared in one workbook.

`branch_files` picks the workbooks of a folder by name (.xlsx and .xlsm; not Office owner
files `~$…`, not our temporary files); old or foreign spreadsheets (.xls, .et, …) are picked
too, so that they are reported rather than silently missed. `read_branches` reads them in
worker processes (ProcessPoolExecutor), each computing the branch's yearly figures exactly
as `reports.py PATH` would; a report or roll-up we wrote ourselves (it carries our document
properties) is recognised there and left out. A worker never raises: a broken, encrypted,
locked or incomplete workbook comes back as a `BranchResult` with a Chinese `problem`, and
the others go on. A worker process that dies (out of memory, a crash in a library) breaks
the whole pool: the files it left unread are read again, each alone in a fresh process, so
only the file that crashed is reported.

Limits: the folder is not searched recursively; each branch is counted up to its own
积分截止日期 (or `today`); after a crash the remaining files are read one at a time.
"""

from __future__ import annotations

import datetime as dt
import errno
import multiprocessing
import os
import traceback
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from pathlib import Path

from services.interpreter import invocation
from services.memory import paused_gc
from services.charts import chart_png, cjk_font, no_font_notice
from services.report_html import REPORT_DIR, REPORT_MARK, document_properties, publish, publish_bytes, render_html
from workbook import errors
from workbook.errors import NotAFolder
from workbook.reader import OTHER_KINDS, READABLE_SUFFIXES, read_book
from workbook.render_xlsx import write_standalone
from workplan import pipeline
from workplan.report import YearReport, year_report
from workplan.report_tables import Section, Table, rollup_sections
from workplan.sheets.report import rollup_sheets
from workplan.sheets.scores import GROUP_HEADERS, MEMBER_HEADERS, group_rows, member_rows

ROLLUP_NAME = "各支部党建工作汇总.xlsx"
ROLLUP_TITLE = "各支部党建工作汇总"
OTHER_SPREADSHEETS = (".xls", ".et", ".ett", ".xlsb", ".ods")  # reported as not readable, with the fix
OWNER_PREFIXES = ("~", ".~lock.")  # ~$ (Excel/WPS owner files), ~workbench- (our temporary files), LibreOffice locks
SPREADSHEET_SUFFIXES = frozenset(READABLE_SUFFIXES + OTHER_SPREADSHEETS + tuple(OTHER_KINDS))  # --out: a file
# What a worker sends of each 个人积分 and 小组积分 row (plain tuples: pickled cheaply, no pandas in the workers).
MEMBER_FIELDS = MEMBER_HEADERS[:5]  # 党员编号, 姓名, 党小组, 总分, 排名
GROUP_FIELDS = GROUP_HEADERS[:6]  # 小组名称, 人数, 成员平均分, 活动得分, 总分, 排名
READ_REASONS = {
    errno.EACCES: "没有读取权限，或文件正被其他程序独占",
    errno.EPERM: "没有读取权限，或文件正被其他程序独占",
    errno.ENOENT: "文件已被移走或删除",
    errno.EIO: "磁盘读取出错",
}


@dataclass(frozen=True)
class BranchResult:
    """One file of the folder: its figures, or why it was skipped, or that it is one of our own outputs."""

    path: Path
    report: YearReport | None = None
    problem: str = ""  # Chinese, for the user
    trace: str = ""  # for the log: the technical detail, or the traceback of an unexpected failure
    ours: bool = False  # a report or roll-up this program wrote: neither read nor skipped
    members: tuple[tuple, ...] = ()  # its 个人积分 rows (MEMBER_FIELDS)
    groups: tuple[tuple, ...] = ()  # its 小组积分 rows (GROUP_FIELDS)
    frames: dict | None = None  # every frame (`services.frames.frames_of`), when read for an export

    @property
    def ok(self) -> bool:
        return self.report is not None

    @property
    def reason(self) -> str:
        """The problem without the file's path as its subject, for a table whose 文件 column names the file."""
        text = self.problem
        for subject in (f"工作簿 {self.path} ", f"{self.path} "):
            text = text.removeprefix(subject)
        return text


@dataclass(frozen=True)
class Rollup:
    results: list[BranchResult]
    notes: tuple[str, ...] = ()  # Chinese notices about what was read (two branches of the same name)

    @classmethod
    def of(cls, results: list[BranchResult]) -> "Rollup":
        """The roll-up of what was read, a branch's copies counted once (`without_copies`)."""
        kept, notes = without_copies(results)
        return cls(kept, notes)

    @property
    def read(self) -> list[BranchResult]:
        return [r for r in self.results if r.ok]

    @property
    def skipped(self) -> list[BranchResult]:
        return [r for r in self.results if not r.ok and not r.ours]

    @property
    def exit_code(self) -> int:
        """0 all read, 1 some skipped (or a notice), 2 none readable."""
        if not self.read:
            return errors.EXIT_CANNOT_RUN
        return errors.EXIT_FINDINGS if self.skipped or self.notes else errors.EXIT_OK


def without_copies(results: list[BranchResult]) -> tuple[list[BranchResult], tuple[str, ...]]:
    """A branch read twice counts once; two different files of one 支部名称 both count, with a notice.

    Files of the same 支部名称 whose figures are all equal are copies: the one with the shortest
    name is kept ("X.xlsx" before "X - 副本.xlsx") and the others are skipped, saying whose copy they are. Figures that differ
    (say an old version beside the new one) are both counted: which one is current cannot
    be told from file dates after copying, so the notice asks to move the old one out.
    """
    by_name: dict[str, list[BranchResult]] = {}
    for result in sorted((r for r in results if r.ok), key=lambda r: (len(r.path.name), r.path.name)):
        by_name.setdefault(_branch_name(result), []).append(result)
    copies: dict[Path, BranchResult] = {}
    notes = []
    for name, same in by_name.items():
        firsts: list[BranchResult] = []
        for result in same:
            original = next((f for f in firsts if repr(f.report) == repr(result.report)), None)
            if original is None:
                firsts.append(result)
            else:
                copies[result.path] = BranchResult(
                    result.path, problem=f"{result.path} 与 {original.path.name} 内容相同（同一支部“{name}”的副本），没有重复计入。",
                    trace=f"duplicate of {original.path}")
        if len(firsts) > 1:
            files = "、".join(r.path.name for r in firsts)
            notes.append(f"注意：{files} 的支部名称相同（{name}）但内容不同，都已计入汇总；"
                         "如其中有旧版本，请把它移出文件夹后重新汇总。")
    return [copies.get(r.path, r) for r in results], tuple(notes)


def _branch_name(result: BranchResult) -> str:
    return result.report.branch


def check_folder(folder: Path) -> Path:
    if not folder.exists():
        raise errors.NoSuchFile(folder)
    if not folder.is_dir():
        raise NotAFolder(folder)
    return folder


def branch_files(folder: Path, exclude: Sequence[Path] = ()) -> list[Path]:
    """The spreadsheets of `folder` to read, by name: owner files and temporary files left out."""
    skip = {p.resolve() for p in exclude}
    found = []
    for path in sorted(check_folder(folder).iterdir()):
        suffix = path.suffix.lower()
        if not path.is_file() or path.name.startswith(OWNER_PREFIXES) or path.resolve() in skip:
            continue
        if suffix in OTHER_SPREADSHEETS or suffix in READABLE_SUFFIXES:
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
    """The yearly figures of one workbook and its scored members and groups; never raises (the worker of
    `read_branches`)."""
    return _guarded_read(path, today, _figures)


def read_branch_frames(path: Path, today: dt.date) -> BranchResult:
    """The yearly figures and every frame of one workbook (`services.frames`, phones left out); never raises
    (the worker of `reports.py export FOLDER`)."""
    return _guarded_read(path, today, _with_frames)


def _figures(path: Path, result: pipeline.Refresh) -> BranchResult:
    members = tuple(tuple(row[: len(MEMBER_FIELDS)]) for row in member_rows(result.scores))
    groups = tuple(tuple(row[: len(GROUP_FIELDS)]) for row in group_rows(result.scores))
    return BranchResult(path, year_report(result), members=members, groups=groups)


def _with_frames(path: Path, result: pipeline.Refresh) -> BranchResult:
    from services.frames import frames_of  # pandas: only the export's workers load it

    return BranchResult(path, year_report(result), frames=frames_of(result))


def _guarded_read(path: Path, today: dt.date, make: Callable[[Path, pipeline.Refresh], BranchResult]) -> BranchResult:
    """`make(path, refresh)` of one workbook, or the Chinese reason it was skipped; our own outputs left out."""
    try:
        if is_our_output(path):
            return BranchResult(path, ours=True)
        with paused_gc():
            raw = read_book(path, pipeline.wanted_for_refresh())
            result = pipeline.refresh(raw, today, pipeline.NO_SHEETS, plan=False)
        return make(path, pipeline.require_runnable(result, str(path)))
    except errors.WorkbenchError as exc:
        return BranchResult(path, problem=exc.user_message(), trace=exc.technical)
    except OSError as exc:
        return BranchResult(path, problem=f"{path} 无法读取（{read_reason(exc)}）。请关闭占用它的程序、检查权限后重新汇总。",
                            trace=errors.technical(exc))
    except BaseException as exc:  # a worker hands back every failure, a library's panic too (it cannot be pickled)
        if errors.is_ours(exc):
            raise
        return BranchResult(path, problem=f"{path} 读取时遇到意外问题，已跳过。详细情况记录在日志中。",
                            trace=traceback.format_exc())


def read_reason(exc: OSError) -> str:
    """Why a file could not be read, in words a teacher understands."""
    return READ_REASONS.get(exc.errno, "读取文件时出错")


Reader = Callable[[Path, dt.date], BranchResult]


def read_branches(
    paths: Sequence[Path],
    today: dt.date,
    workers: int | None = None,
    progress: Callable[[BranchResult], None] | None = None,
    read: Reader = read_branch,
) -> list[BranchResult]:
    """Every file's result, in the order of `paths`; `progress` is called as each one finishes.

    `read` runs in the worker processes (a module-level function; tests pass one that crashes).
    """
    if not paths:
        return []
    results: dict[Path, BranchResult] = {}

    def finished(result: BranchResult) -> None:
        results[result.path] = result
        if progress:
            progress(result)

    for result in _pool_results(paths, today, workers or min(len(paths), os.cpu_count() or 1), read):
        finished(result)
    for path in [p for p in paths if p not in results]:  # left unread by a crashed worker: each alone now
        alone = list(_pool_results([path], today, 1, read))
        finished(alone[0] if alone else _crashed(path))
    return [results[path] for path in paths]


def _pool_results(paths: Sequence[Path], today: dt.date, workers: int, read: Reader) -> Iterator[BranchResult]:
    """Each file's result as it finishes; the files a crashed worker process left unread yield nothing."""
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = {}
        try:
            for path in paths:
                futures[pool.submit(read, path, today)] = path
        except BrokenProcessPool:
            pass  # the pool broke while files were handed out: the caller reads the rest again
        for future in as_completed(futures):
            try:
                yield future.result()
            except BrokenProcessPool:
                continue  # unread: the caller reads it again


def _crashed(path: Path) -> BranchResult:
    """A file whose reading ends its process even when read alone."""
    return BranchResult(path, problem=f"{path} 读取时程序异常退出（可能文件过大或内存不足），已跳过。"
                                      f"请单独运行 {invocation('reports.py', str(path))} 查看原因。",
                        trace="the worker process reading it ended abruptly, also when it was read alone")


def output_path(folder: Path, out: str | None) -> Path:
    """Where the roll-up goes: --out (an .xlsx file, else a folder to put 各支部党建工作汇总.xlsx in), else 报表/ in the folder.

    An --out with a spreadsheet suffix names a file, which must be .xlsx (errors.OutNotXlsx otherwise).
    """
    if not out:
        return folder / REPORT_DIR / ROLLUP_NAME
    target = Path(out)
    if target.is_dir() or target.suffix.lower() not in SPREADSHEET_SUFFIXES:
        return target / ROLLUP_NAME
    if target.suffix.lower() != ".xlsx":
        raise errors.OutNotXlsx(target)
    return target


@dataclass(frozen=True)
class RollupFiles:
    """What `write_rollup` wrote, and the notices to show (no Chinese font)."""

    workbook: Path
    html: Path
    notices: tuple[str, ...] = ()


def write_rollup(rollup: Rollup, target: Path, today: dt.date) -> RollupFiles:
    """The summary workbook and its page (beside it, .html): one row per branch read, the town-wide
    tables of members, groups and months with their charts, then the files skipped and why."""
    from services import rollup_tables as town  # pandas: in the main process only, the workers never load it

    read = rollup.read
    rows = [(r.path.name, r.report) for r in read]
    failures = [(r.path.name, r.reason) for r in rollup.skipped]
    subtitle = f"汇总 {len(rows)} 个支部，跳过 {len(failures)} 个文件；生成于 {today.isoformat()}。"
    members = town.town_members([(r.report.branch, r.members) for r in read])
    groups = town.town_groups([(r.report.branch, r.groups) for r in read])
    sections = town.town_sections([r.report for r in read], members, groups)
    shown = page_sections(rollup_sections(rows, failures, sections))
    with _aside() as pool:  # the page's charts are drawn on a second core while the workbook is rendered
        drawn = pool.submit(rollup_page, shown, subtitle) if pool else None
        sheets = rollup_sheets(rows, failures, subtitle, sections)
        workbook = publish(target, lambda new: write_standalone(new, sheets, properties=document_properties(ROLLUP_TITLE)))
        page = _drawn(drawn, shown, subtitle)
    html = publish_bytes(target.with_suffix(".html"), page.encode("utf-8"))
    return RollupFiles(workbook, html, () if cjk_font() else (no_font_notice(),))


@contextmanager
def _aside() -> Iterator[ProcessPoolExecutor | None]:
    """One more process where starting it is cheap (fork: it has every module already); else None, work here."""
    if multiprocessing.get_start_method() != "fork":
        yield None
        return
    with ProcessPoolExecutor(max_workers=1) as pool:
        yield pool


def _drawn(drawn: Future | None, shown: Sequence[Section], subtitle: str) -> str:
    """The page drawn aside, or drawn here when there was no other process or it died."""
    if drawn is not None:
        try:
            return drawn.result()
        except BrokenProcessPool:
            pass
    return rollup_page(shown, subtitle)


HTML_ROWS = 200  # the page lists this many rows of a table; the workbook has them all
HTML_CHART_ROWS = 20  # and charts this many (300 branches' bars cannot be read in a picture, and cost seconds)


def page_sections(sections: Sequence[Section]) -> list[Section]:
    """The sections as the page shows them: long tables and charts cut to their first rows (`_first_rows`)."""
    return [Section(s.name, s.title, tuple(_first_rows(part) for part in s.tables)) for s in sections]


def rollup_page(shown: Sequence[Section], subtitle: str) -> str:
    """The roll-up as one HTML page (of `page_sections`), its charts as embedded PNGs."""
    charts = {(s, t): chart_png(part) for s, section in enumerate(shown) for t, part in enumerate(section.tables)
              if part.chart_rows}
    return render_html(ROLLUP_TITLE, subtitle, shown, charts)


def _first_rows(part: Table) -> Table:
    """The table as the page shows it: at most HTML_ROWS rows, a chart of at most HTML_CHART_ROWS, saying so."""
    if part.chart_rows > HTML_CHART_ROWS:
        part = replace(part, chart=replace(part.chart, rows=HTML_CHART_ROWS),
                       note=f"{part.note}网页上的图表只画前 {HTML_CHART_ROWS} 行，工作簿中的图表画全部。")
    if len(part.rows) > HTML_ROWS:
        part = replace(part, rows=part.rows[:HTML_ROWS],
                       note=f"{part.note}网页只列前 {HTML_ROWS} 行（共 {len(part.rows)} 行），完整的表见汇总工作簿。")
    return part
