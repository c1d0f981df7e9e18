"""The self-test and the first-run checks: what they say here (no Excel), and their checks on the COM stand-in.

The clicks themselves need Excel (Windows or macOS); what the self-test then checks is run here
on the stand-in after real clicks through `macros`, so a check that cannot pass is noticed in CI.
"""

from __future__ import annotations

import contextlib
import io
import shutil
import tempfile

import pytest

import com_standin as cs
import macros
import sync
from macros import __main__ as cli
from macros import comread, firstrun, live, repair, selftest
from services.create import build_master
from services.demo import demo_data
from workbook import layout, xlsm

from conftest import TODAY


def test_without_excel_the_self_test_says_so_in_one_line_and_exits_2(tmp_path, capsys):
    assert cli.main(["自检", str(tmp_path / "x")]) == 2  # this machine: no Excel
    assert capsys.readouterr().out == firstrun.NO_EXCEL + "\n"
    assert not (tmp_path / "x").exists()  # nothing built


def test_with_wps_registered_as_excel_the_self_test_says_how_to_repair(tmp_path, capsys):
    assert selftest.main([str(tmp_path)], status="wps") == 2
    assert capsys.readouterr().out.startswith("这台电脑上的 WPS 接管了 Excel 的注册，程序打开台账时会打开 WPS 而不是 Excel。修复：")


@pytest.mark.parametrize("server, status", [
    (r'"C:\Program Files\Microsoft Office\Root\Office16\EXCEL.EXE" /automation', "excel"),
    (r"C:\Users\t\AppData\Local\Kingsoft\WPS Office\12.1.0\office6\et.exe /automation", "wps"),
    (r"C:\Program Files (x86)\Kingsoft\WPS Office\ksolaunch.exe /et", "wps"),
    (None, "none"),
])
def test_which_program_answers_to_excel_application(server, status):
    registry = {r"Excel.Application\CLSID": "{00024500-0000-0000-C000-000000000046}",
                r"CLSID\{00024500-0000-0000-C000-000000000046}\LocalServer32": server}
    assert firstrun.excel_status("win32", registry.get) == status
    assert firstrun.excel_status("linux", registry.get) == "none"


def test_a_vba_module_of_another_xlwings_version_is_said_with_its_fix():
    problem = firstrun.vba_version("0.30.10", "0.37.8")
    assert problem.line() == ("台账里的按钮模块是为 xlwings 0.30.10 制作的，本机安装的是 xlwings 0.37.8。"
                              "请先保存并关闭台账，在程序文件夹运行：python -m macros 修复按钮 台账路径")
    assert firstrun.vba_version("0.37.8", "0.37.8") is None and firstrun.vba_version(None, "0.37.8") is None


def test_a_conf_sheet_from_another_pc_is_found_on_the_closed_file(tmp_path):
    path = tmp_path / "t.xlsm"
    build_master(path, demo_data(TODAY))
    conf = firstrun.read_conf(path)
    assert conf["PYTHONPATH"] == str(xlsm.PROGRAM_DIR) and firstrun.module_version(path) == firstrun.installed_xlwings()
    moved = dict(conf, INTERPRETER_WIN=r"D:\Python311\python.exe", PYTHONPATH=r"D:\党建台账程序")
    lines = [p.line() for p in firstrun.conf_problems(moved, "win32", exists=lambda p: False, which=lambda p: None)]
    assert lines == [
        r"台账的 xlwings.conf 表里写的 Python（D:\Python311\python.exe）在这台电脑上找不到，按钮无法启动。这份台账可能是在另一台电脑上生成的。"
        "请先保存并关闭台账，在本机的程序文件夹运行：python -m macros 修复按钮 台账路径",
        r"台账的 xlwings.conf 表里写的程序文件夹（D:\党建台账程序）在这台电脑上找不到。这份台账可能是从另一台电脑复制来的，或程序文件夹被移动了。"
        "请先保存并关闭台账，在本机的程序文件夹运行：python -m macros 修复按钮 台账路径"]
    assert firstrun.conf_problems(conf, "linux") == []  # here the interpreter is not used; the folder exists


def test_the_repair_command_rebuilds_modules_and_conf_and_keeps_every_sheet(tmp_path, capsys):
    import openpyxl

    path = tmp_path / "t.xlsm"
    build_master(path, demo_data(TODAY))
    book = openpyxl.load_workbook(path, keep_vba=True)
    book[xlsm.CONF_SHEET]["B3"] = r"D:\别的电脑\程序"
    book.save(path)
    assert firstrun.read_conf(path)["PYTHONPATH"] == r"D:\别的电脑\程序"
    assert cli.main(["修复按钮", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"已修复“t.xlsm”的按钮：按钮模块与本机的 xlwings {firstrun.installed_xlwings()} 配套") and "备份" in out
    assert firstrun.read_conf(path) == dict(repair.conf_rows())
    assert firstrun.workbook_problems(path, platform="linux") == []


def test_a_workbook_opened_from_a_cloud_address_is_refused_before_anything_is_read(tmp_path):
    path = tmp_path / "t.xlsm"
    build_master(path, demo_data(TODAY))
    xl, wb = cs.open_book(path)
    object.__setattr__(wb, "fullname", "https://d.docs.live.net/abc123/党建/台账.xlsm")
    shown = []
    done = macros.refresh(live.Live(None, "com", wb=wb, com_error=cs.ComError, show=lambda h, m, t: shown.append(m)), TODAY)
    assert done.message.startswith("这份台账是从 OneDrive/SharePoint 网址打开的（https://d.docs.live.net/abc123/党建/台账.xlsm），"
                                   "程序找不到它在本机的文件，没有读取或写入任何内容。")
    assert shown == [done.message] and {m for _, _, m, _ in xl.log} == {"FullName", "Application", "Hwnd"}


# --- the self-test's checks, after real clicks on the stand-in -------------------------------------------

def save_like_excel(path):
    """What Excel's Save puts on disk that the button reads back: the staff sheet, its formula, the name."""
    import openpyxl
    from openpyxl.workbook.defined_name import DefinedName

    book = openpyxl.load_workbook(path, keep_vba=True)
    book.create_sheet(selftest.STAFF_SHEET)["A1"] = selftest.STAFF_FORMULA
    book.defined_names[selftest.STAFF_NAME] = DefinedName(selftest.STAFF_NAME, attr_text=selftest.STAFF_REFERS[1:])
    book.save(path)


@pytest.fixture
def clicked(tmp_path, monkeypatch):
    """The self-test's sequence of 刷新 clicks on the stand-in: (Excel, book, rows of checks, reference).
    The temporary workbooks go to a folder of this test's own, so that clicks of tests running beside it
    in other processes are not taken for a file left behind."""
    (tmp_path / "temp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "temp"))
    path, reference = tmp_path / selftest.BOOK_NAME, tmp_path / selftest.REFERENCE_NAME
    build_master(path, demo_data(TODAY))
    shutil.copy(path, reference)
    with contextlib.redirect_stdout(io.StringIO()):
        sync.run_refresh(reference, TODAY)
    xl, wb = cs.open_book(path)
    session = lambda: live.Live(None, "com", wb=wb, com_error=cs.ComError, show=lambda h, m, t: None)  # noqa: E731
    messages = live.selftest_messages(path)
    messages.write_text("", encoding="utf-8")
    checks, ways = [], []
    for step in ("first", "as-saved", "again", "unsaved", "saved"):
        if step == "unsaved":
            selftest.add_staff_references(wb)
        if step in selftest.SELECTED:
            wb.Sheets("个人积分").Range("$C$5").Select()
        if step == "as-saved":  # what Excel's Save puts on disk now: the generated sheets as sync.py writes them
            shutil.copy(reference, path)
        if step == "saved":
            save_like_excel(path)
        if step in ("as-saved", "saved"):
            wb.Save()
        before = selftest.app_state(xl.app)
        xl.log.clear()
        macros.refresh(session(), TODAY)
        ways.append("moved" if xl.members("Move") else "renamed" if xl.members("Delete") else "added")
        generated = list(layout.GENERATED_SHEETS)
        found = [selftest.check_values(wb, reference, generated), selftest.check_no_links(wb), selftest.check_no_temp(),
                 selftest.check_buttons(wb, generated, path.name), selftest.check_state(xl.app, before)]
        if step in selftest.SELECTED:
            found.append(selftest.check_selection(xl.app, "个人积分", "$C$5"))
        if step in ("unsaved", "saved"):
            found.append(selftest.check_staff_references(wb))
        checks.append(found)
    return xl, wb, checks, messages, ways


def test_the_self_tests_checks_pass_on_the_stand_in(clicked):
    _, _, checks, messages, ways = clicked
    assert [[(c.name, c.ok) for c in found if not c.ok] for found in checks] == [[], [], [], [], []]
    assert ways == ["added", "moved", "moved", "renamed", "renamed"]  # both ways of the copy-in are clicked
    assert checks[3][-1].detail == "公式 =个人积分!D5，名称 自检积分 = =个人积分!$D$5"
    assert checks[0][3].detail == "第一张表按钮的 OnAction：'Workbench_Refresh'"
    import json

    said = [json.loads(line) for line in messages.read_text(encoding="utf-8").splitlines()]
    assert [m["title"] for m in said] == ["刷新"] * 5 and said[0]["message"].startswith("发现错误 11 条，警告 1 条。")


def save_reading_like_excel(path):
    """What Excel's Save writes after `prepare_reading`: 活动签到 A2:A3 merged, C2 showing #N/A."""
    import openpyxl

    book = openpyxl.load_workbook(path, keep_vba=True)
    book[layout.ATTENDANCE_SHEET].merge_cells("A2:A3")
    book[layout.ATTENDANCE_SHEET]["C2"] = "#N/A"
    book.save(path)


def test_the_reading_check_compares_the_button_reader_with_the_file(clicked, tmp_path):
    xl, wb, *_ = clicked
    path = tmp_path / selftest.BOOK_NAME
    selftest.prepare_reading(wb)
    save_reading_like_excel(path)
    assert xl.app.state["DisplayAlerts"] is True  # turned off for Merge only
    check = selftest.check_reading(wb, path, cs.ComError, TODAY)
    assert check.ok, check.detail
    assert check.detail.startswith("活动签到合并区域 [(2, 0, 3, 0)]，")


def test_the_reading_check_fails_when_the_button_misses_merges(clicked, tmp_path, monkeypatch):
    xl, wb, *_ = clicked
    path = tmp_path / selftest.BOOK_NAME
    selftest.prepare_reading(wb)
    save_reading_like_excel(path)
    monkeypatch.setattr(comread, "read_merges", lambda book, name: [])
    check = selftest.check_reading(wb, path, cs.ComError, TODAY)
    assert (check.ok, check.detail) == (False, "不同：合并单元格、校验结果")  # A3 read blank: 活动编号不能为空


def test_a_sheet_that_differs_from_sync_is_named(clicked, tmp_path):
    _, wb, *_ = clicked
    target = next(s for s in wb.sheets if s.name == "小组积分")
    target.cells[(5, 2)] = 999.0
    check = selftest.check_values(wb, tmp_path / selftest.REFERENCE_NAME, list(layout.GENERATED_SHEETS))
    assert (check.ok, check.detail) == (False, "不一致：小组积分")


def test_the_table_and_the_report(tmp_path, capsys):
    run = selftest.SelfTest(tmp_path, TODAY)
    run.rows = [selftest.Row("刷新", 1.42, "发现错误 11 条。", [selftest.Check("没有外部链接", True)]),
                selftest.Row("日历", None, ""),
                selftest.Row("校验", 0.9, "程序遇到意外问题，没有完成。")]
    assert run.finish() == 1
    out = capsys.readouterr().out.splitlines()
    assert out[:5] == ["按钮 | 用时 | 结果", "--- | --- | ---", "刷新 | 1.4 秒 | 通过",
                       "日历 | – | 未通过：超时（Excel 可能弹出了对话框，请切换到 Excel 窗口查看）",
                       "校验 | 0.9 秒 | 未通过：程序遇到意外问题，没有完成。"]
    report = next(tmp_path.glob("自检报告-*.txt"))
    assert out[-1] == f"请把这个文件发给维护人员：{report}"


def test_the_buttons_case_is_read_from_the_log():
    line = "2026-11-26 INFO workbench.macros: copy-in: ['校验结果']; buttons local ('Workbench_Refresh'); re-targeted []"
    assert selftest.buttons_case([line]) == "复制进来的“刷新”按钮：Excel 保留了本台账的宏（local），不需要重新指向。"
    assert selftest.buttons_case([line.replace("buttons local", "buttons relinked")]).endswith("（relinked），每次点击多 3 次 Excel 调用。")
    assert selftest.buttons_case([]) is None
