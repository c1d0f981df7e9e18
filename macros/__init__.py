"""The buttons in Excel: one entry point per action, each a few lines.

Every action gets the calling book (`xw.Book.caller()`, or the book a test passes in),
reads its current contents (edits not yet saved included), runs the same core as
`sync.py`, writes the generated sheets live into the open workbook through xlwings, and
shows one short Chinese message. A known problem shows its Chinese message; anything
unexpected shows one line and goes to the log file beside the workbook.

    VBA:      RunPython "import macros; macros.refresh()"
    terminal: python -m macros 刷新 党建工作台账.xlsm
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from pathlib import Path

from workbook import errors, layout
from workbook.formfiles import read_returned, returned_files, write_handouts
from workbook.logs import setup_logging
from workplan import collect as gather
from workplan import forms as handout
from workplan import pipeline, summary

from . import live

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


def button(title: str):
    """Wrap an action: find the book, turn every failure into one Chinese message box."""

    def wrap(action):
        @functools.wraps(action)
        def run(book=None, today: dt.date | None = None):
            book = _calling_book(book)
            if book is None:
                print(NOT_FROM_EXCEL)
                return None
            log_file = setup_logging(Path(book.fullname or book.name))
            try:
                return action(book, today or dt.date.today())
            except errors.WorkbenchError as exc:
                log.warning("%s: %s [%s]", title, exc.user_message(), exc.technical, exc_info=True)
                live.alert(book, exc.user_message(), title)
            except Exception:  # the last line of defence: no traceback in a message box
                log.exception("button %s failed", title)
                live.alert(book, f"程序遇到意外问题，没有完成。详细情况已记录在 {log_file}，请把该文件发给维护人员。", title)
            return None

        return run

    return wrap


def _read(book, today: dt.date, render=pipeline.ALL_SHEETS, figures: bool = True) -> pipeline.Refresh:
    """The open book's current contents through the pure pipeline: the full refresh rendering the
    sheets in `render`, or (figures=False) validation only. errors.MissingSheets when it cannot run."""
    raw = live.read_raw(book, pipeline.wanted_for_refresh())
    result = pipeline.refresh(raw, today, render) if figures else pipeline.validate_only(raw, today)
    if not result.runnable:
        raise errors.MissingSheets(book.name, "\n".join(f.describe() for f in result.report.structural[:5]))
    return result


def _rewrite(book, today: dt.date, render, title: str, message) -> pipeline.Refresh:
    """Write the generated sheets named in `render` into the open book, then say `message(result)`."""
    result = _read(book, today, render)
    live.write_sheets(book, result.sheets, OWNED)
    live.alert(book, message(result), title)
    return result


@button("校验")
def validate(book, today: dt.date):
    """校验: check the open workbook and write 校验结果."""
    result = pipeline.validate_only(live.read_raw(book, pipeline.wanted_for_refresh()), today)
    live.write_sheets(book, result.sheets, OWNED)
    live.alert(book, f"{summary.count_line(result.report)}详见“校验结果”表。", "校验")
    return result


@button("刷新")
def refresh(book, today: dt.date):
    """刷新: validate, then rewrite every generated sheet of the open workbook."""
    return _rewrite(book, today, pipeline.ALL_SHEETS, "刷新",
                    lambda result: summary.count_line(result.report) + summary.scores_line(result.scores))


@button("日历")
def calendar(book, today: dt.date):
    """日历: rewrite 活动日历 and 近期提醒 of the open workbook."""
    return _rewrite(book, today, pipeline.CALENDAR_SHEETS, "日历", lambda result: summary.reminders_line(result.reminders))


@button("生成评议表")
def forms(book, today: dt.date):
    """生成评议表: this round's 群众评议 forms (numbered, 群众评议份数 of them) and one 党员评议支部 form per member."""
    loaded = _read(book, today, figures=False)
    round_label, parent = handout.default_round(today), _folder(book) / handout.FORMS_FOLDER
    counts = []
    for kind, raters in ((handout.MASS, loaded.branch.settings.mass_raters), (handout.BRANCH, None)):
        copies = handout.prepare_handouts(loaded.branch, loaded.report, kind, round_label, today, raters)
        write_handouts(parent / handout.forms_folder_name(kind, round_label), copies)
        counts.append(f"{kind.title} {len(copies)} 份")
    live.alert(book, f"已生成{round_label}评议表：{'，'.join(counts)}，在“{parent}”中。"
                     "发给评议人填写，交回后放回原文件夹，再点“回收评议表”。", "生成评议表")
    return counts


@button("回收评议表")
def collect(book, today: dt.date):
    """回收评议表: check this round's returned forms and add their answers to the open book's 评议记录."""
    loaded = _read(book, today, figures=False)
    round_label, parent = handout.default_round(today), _folder(book) / handout.FORMS_FOLDER
    folders = [parent / handout.forms_folder_name(kind, round_label) for kind in (handout.MASS, handout.BRANCH)]
    files = [f for folder in folders if folder.is_dir() for f in returned_files(folder)[0]]
    result = gather.collect([read_returned(f) for f in files], loaded.branch, round_label, today)
    for finding in result.report.sorted():
        log.info("form finding %s %s", finding.code, finding.describe())
    columns = loaded.branch.table(layout.EVALUATIONS).columns
    if result.rows:
        live.append_rows(book, layout.EVALUATIONS, result.sheet_rows(columns), len(layout.SPECS[layout.EVALUATIONS].columns))
    live.alert(book, _collect_message(result, len(files)), "回收评议表")
    return result


def _collect_message(result, files: int) -> str:
    problems = result.report
    text = f"共 {files} 份表，新增评议 {len(result.rows)} 条，此前已录入 {result.already} 条。"
    if problems.findings:
        text += f"有问题 {len(problems.errors)} 处（错误）、{len(problems.warnings)} 处（警告），详见日志；例如：{problems.sorted()[0].describe()}"
    return text + ("再点“刷新”更新评议汇总和积分。" if result.rows else "")


@button("生成报表")
def reports(book, today: dt.date):
    """生成报表: the yearly report of the open workbook's current contents, in 报表/ beside it."""
    from workbook.report_html import REPORT_DIR, write_report
    from workplan.report import year_report

    result = _read(book, today, pipeline.NO_SHEETS)
    folder = _folder(book) / REPORT_DIR
    files = write_report(year_report(result), folder, want_pdf=True)
    made = "、".join(p.name for p in (files.workbook, files.html, files.pdf) if p)
    live.alert(book, f"报表已生成在“{folder}”：{made}。" + "".join(files.notices), "生成报表")
    return files


def _folder(book) -> Path:
    """The folder of the open workbook (the current folder for a book never saved)."""
    full = Path(book.fullname or "")
    return full.parent if full.parent != Path("") and full.parent.exists() else Path.cwd()
