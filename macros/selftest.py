"""`python -m macros 自检 [文件夹]`: prove on this PC that the buttons work, and how fast.

On Windows or macOS with Microsoft Excel: builds the demo .xlsm in the folder (with this PC's
paths), refreshes a copy of it with `sync.py` as the reference, opens the demo in a separate
Excel (the teacher's open books are not touched) and clicks every button as a user would
(Windows: `Application.OnTime`, so Excel runs the macro itself; macOS: `Book.macro`). Each
click's message is collected from a file beside the workbook instead of a message box
(`live.selftest_messages`), which is also how the end of a click is seen. After each 刷新 it
checks: every generated sheet holds what `sync.py refresh` writes (fingerprints), no link to
the temporary file and no temporary file left, the copies' buttons run this book's macro (and
what Excel made of them, printed as it is), Excel's calculation, events, alerts and screen
updating as before, the selected cell as before; and that a staff formula, a staff sheet and a
defined name pointing at 个人积分 survive a click on a book changed since its save and on a
saved one. Last (Windows), the button's reader against the file reader: two sign-ins' 活动编号
merged and a name `=NA()`, saved; both must give the same merges, findings and scores
(`check_reading`). It prints a table 按钮 | 用时 | 结果 and writes 自检报告-*.txt to send back.

Without Excel (Linux, WPS only) it says so in one line and exits 2. Exit 0: all passed; 1: not.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import platform
import shutil
import struct
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbook import layout, xlsm
from workbook.fingerprints import FINGERPRINT_NAME, fingerprint_rows, read_owned_fingerprints
from workbook.reader import read_book
from workplan.scoring import score
from workplan.validate import load, wanted_sheets

from . import comread, desktop, firstrun, live

BOOK_NAME, REFERENCE_NAME = "自检-党建工作台账.xlsm", "自检-对照.xlsm"
STAFF_SHEET, STAFF_NAME = "自检引用", "自检积分"
STAFF_FORMULA, STAFF_REFERS = "=个人积分!D5", "=个人积分!$D$5"
CLICK_TIMEOUT = 180.0
UNEXPECTED = "程序遇到意外问题"
READING_CHECK = "按钮读到的与文件相同（合并单元格、错误值）"


@dataclass
class Check:
    """One thing the self-test looked at."""

    name: str
    ok: bool
    detail: str = ""


@dataclass
class Row:
    """One click: the button, how long the user waited, the message, and what was checked after it."""

    button: str
    seconds: float | None
    message: str
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.seconds is not None and not self.message.startswith(UNEXPECTED) and all(c.ok for c in self.checks)

    def result(self) -> str:
        if self.seconds is None:
            return "未通过：超时（Excel 可能弹出了对话框，请切换到 Excel 窗口查看）"
        failed = [c for c in self.checks if not c.ok]
        if self.message.startswith(UNEXPECTED):
            return "未通过：" + self.message
        return "通过" if not failed else "未通过：" + "；".join(f"{c.name}（{c.detail}）" for c in failed)


# --- checks on the open workbook (COM objects: Excel on a PC, the stand-in in tests) ---------------------

def app_state(app) -> dict[str, Any]:
    return {key: getattr(app, key) for key in ("Calculation", "EnableEvents", "DisplayAlerts", "ScreenUpdating")}


def check_state(app, before: dict[str, Any]) -> Check:
    after = app_state(app)
    changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
    return Check("Excel 设置已恢复", not changed, f"改变了：{changed}" if changed else "计算、事件、提示、屏幕更新与点击前相同")


def sheet_rows(wb, name: str) -> list[list[Any]]:
    """A generated sheet's values from A1, as the file reader has them."""
    grid = wb.Sheets(name).UsedRange.Value
    grid = grid if isinstance(grid, tuple) else ((grid,),)
    return [[comread.clean(v) for v in row] for row in grid]


def check_values(wb, reference: Path, names: list[str]) -> Check:
    """Each generated sheet holds what sync.py wrote into the reference, and carries that fingerprint; no
    second copy of one ("个人积分 (2)") and no old one ("旧~个人积分") is left in the book."""
    expected = read_owned_fingerprints(reference)
    wrong = []
    for name in names:
        stored = str(wb.Sheets(name).Names(FINGERPRINT_NAME).RefersTo).strip('="')
        if not fingerprint_rows(sheet_rows(wb, name)) == stored == expected.get(name):
            wrong.append(name)
    strays = [str(sheet.Name) for sheet in wb.Sheets if str(sheet.Name) not in names
              and any(str(sheet.Name).startswith((desktop.PREFIX + name, name + " (")) for name in names)]
    detail = "；".join([*(["不一致：" + "、".join(wrong)] if wrong else []), *(["多余的表：" + "、".join(strays)] if strays else [])])
    return Check("生成表与 sync.py 写入的一致", not wrong and not strays, detail or f"{len(names)} 张表一致")


def check_no_links(wb) -> Check:
    links = wb.LinkSources(desktop.XL_LINK_EXCEL) or ()
    return Check("没有外部链接", not links, "、".join(map(str, links)) if links else "LinkSources 为空")


SELECTED = ("as-saved", "again", "unsaved", "saved")  # the 刷新 clicks made with the user on 个人积分!C5


def check_no_temp(folder: Path | None = None) -> Check:
    left = sorted((folder or desktop.temp_folder()).glob(f"{desktop.TEMP_PREFIX}*.xlsx"))
    return Check("没有遗留临时文件", not left, "、".join(p.name for p in left) if left else "临时文件已删除")


def check_buttons(wb, names: list[str], own: str) -> Check:
    """Every copy's 刷新 button runs this book's macro; the first one's OnAction is shown as Excel has it."""
    actions = {name: str(wb.Sheets(name).Buttons().OnAction) for name in names}
    wrong = [n for n, a in actions.items() if not desktop.is_local(a, xlsm.REFRESH.sub, own)]
    return Check("生成表上的按钮指向本台账", not wrong,
                 f"第一张表按钮的 OnAction：{actions[names[0]]!r}" + (f"；不对的：{'、'.join(wrong)}" if wrong else ""))


def check_selection(app, sheet: str, address: str) -> Check:
    where = (str(app.ActiveSheet.Name), str(app.ActiveCell.Address))
    return Check("回到点击前的单元格", where == (sheet, address), f"现在在 {where[0]}!{where[1]}")


def add_staff_references(wb) -> None:
    """What staff do: a sheet of their own with a formula on 个人积分, and a defined name on it."""
    sheets = wb.Sheets
    sheet = sheets.Add(After=sheets(sheets.Count))
    sheet.Name = STAFF_SHEET
    sheet.Range("A1").Formula = STAFF_FORMULA
    wb.Names.Add(Name=STAFF_NAME, RefersTo=STAFF_REFERS)


def check_staff_references(wb) -> Check:
    formula = str(wb.Sheets(STAFF_SHEET).Range("A1").Formula)
    refers = str(wb.Names(STAFF_NAME).RefersTo)
    ok = formula == STAFF_FORMULA and refers == STAFF_REFERS
    return Check("引用生成表的公式和名称保留", ok, f"公式 {formula}，名称 {STAFF_NAME} = {refers}")


def prepare_reading(wb) -> None:
    """What staff do that the button must read as a file does: the 活动编号 of the first two sign-ins
    merged (Excel keeps the first), a name looked up by a formula showing #N/A; then saved."""
    sheet, app = wb.Sheets(layout.ATTENDANCE_SHEET), wb.Application
    alerts = app.DisplayAlerts
    app.DisplayAlerts = False  # Merge asks whether to keep only the top-left value
    try:
        sheet.Range("A2:A3").Merge()
    finally:
        app.DisplayAlerts = alerts
    sheet.Range("C2").Formula = "=NA()"
    wb.Save()


def check_reading(wb, path: Path, com_error: type, today: dt.date) -> Check:
    """The button's reader (comread) gives the saved file's merges, findings and scores."""
    def outcome(raw):
        branch, report = load(raw, today)
        totals = {m.member_id: m.total for m in score(branch, report, branch.settings.cutoff_for(today)).members}
        return sorted(report.codes()), totals, {name: sheet.merges for name, sheet in raw.sheets.items()}

    live_codes, live_totals, live_merges = outcome(comread.read_raw(wb, wanted_sheets(), path, com_error, merges_from_file=False)[0])
    file_codes, file_totals, file_merges = outcome(read_book(path, wanted_sheets()))
    wrong = [what for what, same in (("合并单元格", live_merges == file_merges), ("校验结果", live_codes == file_codes),
                                     ("积分", live_totals == file_totals)) if not same]
    found = live_merges.get(layout.ATTENDANCE_SHEET, [])
    return Check(READING_CHECK, not wrong,
                 "不同：" + "、".join(wrong) if wrong else f"活动签到合并区域 {found}，{len(live_codes)} 条校验结果，"
                                                         f"{len(live_totals)} 名党员的积分都相同")


# --- the run ------------------------------------------------------------------------------------------

def main(argv: list[str], status: str | None = None, today: dt.date | None = None) -> int:
    folder = Path(argv[0]) if argv else Path.cwd() / "台账自检"
    problem = firstrun.excel_problem(status or firstrun.excel_status())
    if problem is not None:
        print(problem.line())
        return 2
    return SelfTest(folder.resolve(), today or dt.date.today()).run()


@dataclass
class SelfTest:
    folder: Path
    today: dt.date
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def book(self) -> Path:
        return self.folder / BOOK_NAME

    def run(self) -> int:
        self.prepare()
        problems = firstrun.workbook_problems(self.book)
        self.notes += [p.line() for p in problems]
        if any(p.blocking for p in problems):
            return self.finish()
        self.notes.append(f"Python 启动并载入程序：{self.startup():.1f} 秒（每次点击都包含这段时间）")
        import xlwings as xw

        app = xw.App(visible=True, add_book=False)
        timed_out = False
        try:
            opened = app.books.open(str(self.book))
            self.environment(app)
            timed_out = self.clicks(app, opened)
            opened.close()
        finally:
            live.selftest_messages(self.book).unlink(missing_ok=True)
            app.kill() if timed_out else app.quit()
        return self.finish()

    def prepare(self) -> None:
        """The demo workbook with this PC's paths, and the reference refreshed by sync.py."""
        import sync
        from services.create import build_master
        from services.demo import demo_data

        self.folder.mkdir(parents=True, exist_ok=True)
        reference = self.folder / REFERENCE_NAME
        for path in (self.book, reference):
            path.unlink(missing_ok=True)
        print(f"正在准备自检台账：{self.book}")
        build_master(self.book, demo_data(self.today))
        shutil.copy(self.book, reference)
        with contextlib.redirect_stdout(io.StringIO()):
            sync.run_refresh(reference, self.today)

    def startup(self) -> float:
        started = time.perf_counter()
        subprocess.run([sys.executable, "-B", "-c", "import xlwings, macros"], cwd=str(xlsm.PROGRAM_DIR), check=False,
                       capture_output=True)
        return time.perf_counter() - started

    def environment(self, app) -> None:
        self.notes += [f"系统：{platform.platform()}；Excel {app.version}，{excel_bits(app)}",
                       f"Python {platform.python_version()}（{struct.calcsize('P') * 8} 位）；xlwings {firstrun.installed_xlwings()}；"
                       f"台账按钮模块为 xlwings {firstrun.module_version(self.book)} 制作"]

    def clicks(self, app, opened) -> bool:
        """Every button in turn, with the checks after each 刷新; True when a click timed out.

        刷新 five times: the first (no generated sheet yet), after a save and again without one (nothing
        points at a generated sheet: the old sheets are moved out in one call, `desktop._swap`), then with
        a staff sheet and a name pointing at 个人积分, unsaved and saved (the rename-and-re-target way)."""
        wb, api = opened.api, app.api
        messages = live.selftest_messages(self.book)
        messages.write_text("", encoding="utf-8")
        generated = [n for n in layout.GENERATED_SHEETS]
        plan = [("校验", None), ("刷新", "first"), ("刷新", "as-saved"), ("刷新", "again"), ("刷新", "unsaved"),
                ("刷新", "saved"), ("日历", None), ("生成评议表", None), ("回收评议表", None), ("生成报表", None)]
        for caption, refresh in plan:
            if refresh == "unsaved":
                add_staff_references(wb)
            if refresh in SELECTED:
                wb.Sheets("个人积分").Activate()
                wb.Sheets("个人积分").Range("C5").Select()
            if refresh in ("as-saved", "saved"):
                wb.Save()
            before = app_state(api)
            row = self.click(opened, caption, messages)
            self.rows.append(row)
            if row.seconds is None:
                return True
            if refresh:
                row.checks += [check_values(wb, self.folder / REFERENCE_NAME, generated), check_no_links(wb),
                               check_no_temp(), check_buttons(wb, generated, opened.name), check_state(api, before)]
            if refresh in SELECTED:
                row.checks.append(check_selection(api, "个人积分", "$C$5"))
            if refresh in ("unsaved", "saved"):
                row.checks.append(check_staff_references(wb))
        if sys.platform == "win32":
            import pywintypes

            started = time.perf_counter()
            try:
                prepare_reading(wb)
                check = check_reading(wb, self.book, pywintypes.com_error, self.today)
            except Exception as exc:  # a failed check is a line of the report, not the end of the self-test
                check = Check(READING_CHECK, False, f"出错：{exc}")
            self.rows.append(Row("读取", time.perf_counter() - started, "", [check]))
        return False

    def click(self, opened, caption: str, messages: Path) -> Row:
        """One click as a user makes it; ends when its message arrives."""
        action = next(a for a in xlsm.ACTIONS if a.caption == caption)
        seen = len(messages.read_text(encoding="utf-8").splitlines())
        started = time.perf_counter()
        if sys.platform == "win32":
            opened.app.api.OnTime(dt.datetime.now(), f"'{opened.name}'!{xlsm.MODULE_NAME}.{action.sub}")
        else:
            opened.macro(f"{xlsm.MODULE_NAME}.{action.sub}")()
        while time.perf_counter() - started < CLICK_TIMEOUT:
            lines = messages.read_text(encoding="utf-8").splitlines()
            if len(lines) > seen:
                seconds = time.perf_counter() - started
                time.sleep(0.5)  # let the button's Python end before we ask Excel again
                return Row(caption, seconds, json.loads(lines[seen])["message"])
            time.sleep(0.05)
        return Row(caption, None, "")

    def finish(self) -> int:
        lines = self.table()
        report = self.folder / f"自检报告-{dt.datetime.now():%Y%m%d-%H%M}.txt"
        details = [f"{row.button}：{row.message}" + "".join(f"\n    [{'通过' if c.ok else '未通过'}] {c.name}：{c.detail}"
                                                          for c in row.checks) for row in self.rows]
        log = self.folder / "党建台账日志.log"
        tail = log.read_text(encoding="utf-8", errors="replace").splitlines()[-200:] if log.exists() else []
        if case := buttons_case(tail):
            self.notes.append(case)
        report.write_text("\n".join([*lines, "", *self.notes, "", *details, "", "按钮日志（最后 200 行）：", *tail]) + "\n",
                          encoding="utf-8")
        print("\n".join([*lines, *self.notes]))
        print(f"请把这个文件发给维护人员：{report}")
        return 0 if self.rows and all(row.ok for row in self.rows) else 1

    def table(self) -> list[str]:
        lines = ["按钮 | 用时 | 结果", "--- | --- | ---"]
        lines += [f"{row.button} | {'–' if row.seconds is None else f'{row.seconds:.1f} 秒'} | {row.result()}" for row in self.rows]
        verdict = "全部通过" if self.rows and all(r.ok for r in self.rows) else "有未通过的项目，详见下面和自检报告"
        return [*lines, verdict]


def buttons_case(log_lines: list[str]) -> str | None:
    """What Excel did to the copied 刷新 buttons, from the buttons' log ("copy-in: …; buttons local ('…')")."""
    found = [line for line in log_lines if "copy-in:" in line and "buttons " in line]
    if not found:
        return None
    case = found[-1].split("buttons ", 1)[1].split(" ", 1)[0]
    if case == "local":
        return "复制进来的“刷新”按钮：Excel 保留了本台账的宏（local），不需要重新指向。"
    if case == "relinked":
        return ("复制进来的“刷新”按钮：Excel 让它们指向了临时文件，程序用一次“更改源”（ChangeLink）让它们指向本台账"
                "（relinked），每次点击多 3 次 Excel 调用。")
    return f"复制进来的“刷新”按钮：Excel 让它们指向了临时文件，程序已逐个重新指向（{case}），每次点击多约 40 次 Excel 调用。"


def excel_bits(app) -> str:
    """Excel's bitness, for the report (Windows; elsewhere unknown)."""
    if sys.platform != "win32":
        return "位数未知"
    try:
        import win32api
        import win32con
        import win32process

        handle = win32api.OpenProcess(win32con.PROCESS_QUERY_INFORMATION, False, app.pid)
        wow = win32process.IsWow64Process(handle)
    except Exception:
        return "位数未知"
    return "32 位" if wow or not platform.machine().endswith("64") else "64 位"
