"""The buttons in Excel: one entry point per action, each a few lines.

Every action gets the calling book (`xw.Book.caller()`, or the book a test passes in),
reads its current contents (edits not yet saved included), runs the same core as
`sync.py`, writes the generated sheets into the open workbook (`macros.live`) and returns
a `Done`: the one short Chinese message, and what it computed. The `button` wrapper shows
that message under the button's title and returns the `Done`, so tests and the self-test
read what the user saw. A known problem is its Chinese message; anything unexpected is one
line, and the traceback goes to the log file beside the workbook.

    VBA:      RunPython "import macros; macros.refresh(vba='0.37.8')"
    terminal: python -m macros 刷新 党建工作台账.xlsm
"""

from __future__ import annotations

from services.interpreter import require_packages

require_packages()  # first: a Python without our packages (say the system's) gets one Chinese message, no traceback

import datetime as dt
import functools
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from services.cli import unexpected_line
from services.formfiles import read_returned, returned_files, round_folders, write_handouts
from services.logs import log_path, setup_logging
from services.memory import paused_gc
from workbook import errors, layout
from workplan import collect as gather
from workplan import forms as handout
from workplan import pipeline, summary
from workplan.findings import ERROR

from . import firstrun, live

log = logging.getLogger("workbench.macros")
OWNED = set(layout.GENERATED_SHEETS)


NOT_FROM_EXCEL = "这个操作要从 Excel 工作簿里的按钮运行；在命令行请运行：python -m macros 刷新 工作簿路径"


def _calling_book(book):
    """The book a test passes in, or the one whose button was clicked; None outside Excel."""
    if book is not None:
        return book
    import xlwings as xw

    try:
        return xw.Book.caller()
    except Exception:  # xlwings raises various errors when no Excel called us (AttributeError on Linux)
        log.warning("button run outside Excel", exc_info=True)
        return None


@dataclass
class Done:
    """What a button action ends with: the one message it shows, and what it computed (for tests and the self-test)."""

    message: str
    result: Any = None


def button(title: str):
    """Wrap an action: find the book, run the first-run checks, turn every failure into one Chinese
    message, show the message under the button's title and return it (a `Done`)."""

    def wrap(action):
        @functools.wraps(action)
        def run(book=None, today: dt.date | None = None, vba: str | None = None):
            book = _calling_book(book)
            if book is None:
                print(NOT_FROM_EXCEL)
                return None
            excel = book if isinstance(book, live.Live) else live.Live.of(book)
            done = _attempt(action, excel, today or dt.date.today(), title, vba)
            try:
                excel.alert(done.message, title)
            except Exception:  # the message box itself failed: the log keeps the message
                log.exception("could not show the message of %s: %s", title, done.message)
            return done

        return run

    return wrap


def _attempt(action, excel: live.Live, today: dt.date, title: str, vba: str | None) -> Done:
    """Run one action; a known problem becomes its Chinese message, anything else one line and the log."""
    log_file = log_path(Path.cwd() / "-")  # until the workbook's own folder is known
    try:
        log_file = setup_logging(excel.path)
        notes = firstrun.at_click(vba)
        done = action(excel, today)
        return Done("\n".join([done.message, *notes]), done.result) if notes else done
    except errors.WorkbenchError as exc:
        log.warning("%s: %s [%s]", title, exc.user_message(), exc.technical, exc_info=True)
        return Done(exc.user_message())
    except BaseException as exc:  # the last line of defence, a library's panic too: no traceback in a message box
        if errors.is_ours(exc):
            raise
        log.exception("button %s failed", title)
        return Done(unexpected_line(log_file))


def _read(excel: live.Live, today: dt.date, render=pipeline.ALL_SHEETS, figures: bool = True) -> pipeline.Refresh:
    """The open book's current contents through the pure pipeline: the full refresh rendering the
    sheets in `render`, or (figures=False) validation only. errors.MissingSheets when it cannot run."""
    with paused_gc():
        raw = excel.read(pipeline.wanted_for_refresh())
        result = pipeline.refresh(raw, today, render) if figures else pipeline.validate_only(raw, today)
    return pipeline.require_runnable(result, excel.name)


def _said(*lines: str) -> str:
    return "\n".join(line for line in lines if line)


def _rewrite(excel: live.Live, today: dt.date, render, message) -> Done:
    """Write the generated sheets named in `render` into the open book, then say `message(result)`."""
    result = _read(excel, today, render)
    notes = excel.write(result.sheets, OWNED)
    return Done(_said(message(result), *notes), result)


@button("校验")
def validate(excel: live.Live, today: dt.date) -> Done:
    """校验: check the open workbook and write 校验结果."""
    result = pipeline.validate_only(excel.read(pipeline.wanted_for_refresh()), today)
    notes = excel.write(result.sheets, OWNED)
    return Done(_said(f"{summary.count_line(result.report)}详见“校验结果”表。", *notes), result)


@button("刷新")
def refresh(excel: live.Live, today: dt.date) -> Done:
    """刷新: validate, then rewrite every generated sheet of the open workbook."""
    return _rewrite(excel, today, pipeline.ALL_SHEETS,
                    lambda result: summary.count_line(result.report) + summary.scores_line(result.scores))


@button("日历")
def calendar(excel: live.Live, today: dt.date) -> Done:
    """日历: rewrite 活动日历 and 近期提醒 of the open workbook."""
    return _rewrite(excel, today, pipeline.CALENDAR_SHEETS, summary.reminders_line)


@button("生成评议表")
def forms(excel: live.Live, today: dt.date) -> Done:
    """生成评议表: this round's 群众评议 forms (numbered, 群众评议份数 of them) and one 党员评议支部 form per member.

    Everything is prepared before anything is written, so a refused second click writes nothing.
    """
    loaded = _read(excel, today, figures=False)
    round_label, parent = handout.default_round(today), _folder(excel) / handout.FORMS_FOLDER
    plans = [(kind, parent / handout.forms_folder_name(kind, round_label),
              handout.prepare_handouts(loaded.branch, loaded.report, kind, round_label, today, raters))
             for kind, raters in ((handout.MASS, loaded.branch.settings.mass_raters), (handout.BRANCH, None))]
    taken = [folder.name for _, folder, _ in plans if folder.is_dir() and any(folder.iterdir())]
    if taken:
        return Done(f"本轮（{round_label}）的评议表已经生成过：{'、'.join(taken)}（在“{parent}”中），没有重新生成。"
                    "如需重新生成，请先把这些文件夹移走或改名。")
    for _, folder, copies in plans:
        write_handouts(folder, copies)
    counts = [f"{kind.title} {len(copies)} 份" for kind, _, copies in plans]
    return Done(f"已生成{round_label}评议表：{'，'.join(counts)}，在“{parent}”中。"
                "发给评议人填写，交回后放回原文件夹，再点“回收评议表”。", counts)


@button("回收评议表")
def collect(excel: live.Live, today: dt.date) -> Done:
    """回收评议表: check the returned forms of every round folder and add new answers to the open book's 评议记录."""
    loaded = _read(excel, today, figures=False)
    foreign = excel.foreign_sheets(layout.GENERATED_SHEETS)  # the refresh it asks for next would refuse
    if foreign:
        raise errors.ForeignSheet(excel.name, foreign)
    parent = _folder(excel) / handout.FORMS_FOLDER
    folders = round_folders(parent) if parent.is_dir() else []
    if not folders:
        return Done(f"在“{parent}”中没有找到评议表文件夹。请先点“生成评议表”，交回的表放回原来的文件夹。")
    results = [_collect_folder(loaded, folder, today) for folder in folders]
    columns = loaded.branch.table(layout.EVALUATIONS).columns
    rows = [row for result in results for row in result.sheet_rows(columns)]
    if rows:
        excel.append_rows(layout.EVALUATIONS, rows, columns.values())
    return Done(_collect_message(folders, results, log_path(excel.path)), results)


def _collect_folder(loaded: pipeline.Refresh, folder: Path, today: dt.date):
    """Check one round folder's returned copies against the master as it stands."""
    files, _ = returned_files(folder)
    round_label = handout.round_from_folder(folder.name) or handout.default_round(today)
    result = gather.collect([read_returned(f) for f in files], loaded.branch, round_label, today, report=loaded.report)
    for finding in result.report.sorted():
        log.info("form finding %s %s %s", folder.name, finding.code, finding.describe())
    return result


def _collect_message(folders: list[Path], results: list, log_file: Path) -> str:
    lines = [f"{folder.name}：共 {len(result.results)} 份表，新增评议 {len(result.rows)} 条，此前已录入 {result.already} 条。"
             for folder, result in zip(folders, results)]
    problems = [f for result in results for f in result.report.sorted()]
    if problems:
        errors_count = sum(1 for f in problems if f.level == ERROR)
        lines.append(f"有问题 {errors_count} 处错误、{len(problems) - errors_count} 处警告，全部列在日志 {log_file} 中；例如：")
        lines += ["  " + f.describe() for f in problems[:3]]
    lines += [note for result in results if (note := result.date_note())]
    if any(result.rows for result in results):
        lines.append("再点“刷新”更新评议汇总和积分。")
    return "\n".join(lines)


@button("生成报表")
def reports(excel: live.Live, today: dt.date) -> Done:
    """生成报表: the yearly report of the open workbook's current contents, in 报表/ beside it."""
    from services.report_html import REPORT_DIR, write_report
    from workplan.report import year_report

    result = _read(excel, today, pipeline.NO_SHEETS)
    folder = _folder(excel) / REPORT_DIR
    files = write_report(year_report(result), folder, want_pdf=True)
    made = "、".join(p.name for p in (files.workbook, files.html, files.pdf) if p)
    lines = [f"报表已生成在“{folder}”：{made}。", *files.notices]
    if result.report.errors:
        lines.append(f"注意：{summary.count_line(result.report)}有错误的行没有计入报表，请点“校验”查看并改正后重新生成。")
    return Done("\n".join(lines), files)


def _folder(excel: live.Live) -> Path:
    """The folder of the open workbook (the current folder for a book never saved)."""
    full = excel.path
    return full.parent if full.parent != Path("") and full.parent.exists() else Path.cwd()
