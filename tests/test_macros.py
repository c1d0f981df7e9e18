"""Every button action run through xlwings itself (its file-free engine), checked against sync.py.

The payload is built from a real master; the actions the macro returns are carried out on
a copy; the generated sheets must then hold what `sync.py refresh` writes for the same file.
"""

from __future__ import annotations

import shutil

import python_calamine
import pytest

import macros
import sync
from workbook import layout as L

from conftest import TODAY
from xlwings_json import apply_actions, json_book

COMPARED = ("校验结果", "个人积分", "小组积分", "积分历史", "近期提醒")


def sheet_rows(path, name):
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    rows = book.get_sheet_by_name(name).to_python()
    book.close()
    return [row for row in rows if any(v != "" for v in row)]


def run_button(action, source, target, today=TODAY):
    """Click `action` on the payload of `source`, carry its actions out on `target`: (Done, alerts and charts seen).
    Every click shows exactly one message: the one it returned, under the button's title."""
    book = json_book(source)
    done = action(book, today)
    seen = apply_actions(source, target, book.json())
    assert [s[2:4] for s in seen if s[0] == "alert"] == [(done.message, TITLES[action.__name__])]
    return done, seen


TITLES = {a.function: a.caption for a in __import__("workbook.xlsm", fromlist=["ACTIONS"]).ACTIONS}


@pytest.fixture
def master(build, data, tmp_path):
    data[L.LEDGER][0]["审核人"] = None  # one error, so 校验结果 has a row
    data[L.MEMBERS][2]["姓名"] = "=王五"  # text that looks like a formula
    data[L.ATTENDANCE_SHEET][2]["姓名"] = "=王五"
    return build(data)


def test_refresh_button_writes_what_sync_writes(master, tmp_path, capsys):
    by_file = tmp_path / "by_file.xlsx"
    shutil.copy(master, by_file)
    assert sync.main(["refresh", str(by_file), "--today", TODAY.isoformat()]) == 1
    by_button = tmp_path / "by_button.xlsx"
    done, seen = run_button(macros.refresh, master, by_button)
    assert done.result.report.codes() == [(L.LEDGER, 2, "审核人", "required")]
    assert done.message == "发现错误 1 条，警告 0 条。积分统计到 2026-11-26：3 名党员，2 个党小组；小组第一名 一组（9.50 分）。"
    for name in COMPARED:
        assert sheet_rows(by_button, name) == sheet_rows(by_file, name), name
    alerts = [s for s in seen if s[0] == "alert"]
    assert alerts == [("alert", None, "发现错误 1 条，警告 0 条。积分统计到 2026-11-26：3 名党员，2 个党小组；小组第一名 一组（9.50 分）。",
                       "刷新", "ok", "", "")]
    assert ("addChart", "小组积分") in [s[:2] for s in seen]
    names = [row[1] for row in sheet_rows(by_button, "个人积分")[3:]]
    assert "=王五" in names  # written as text, not as a formula


def test_refresh_button_replaces_generated_sheets_in_place(master, tmp_path):
    once = tmp_path / "once.xlsx"
    run_button(macros.refresh, master, once)
    twice = tmp_path / "twice.xlsx"
    run_button(macros.refresh, once, twice)
    names = python_calamine.CalamineWorkbook.from_path(str(twice)).sheet_names
    generated = names[len(L.INPUT_SHEET_NAMES) + 2:]
    assert names[: len(L.INPUT_SHEET_NAMES) + 2] == [L.GUIDE, *L.INPUT_SHEET_NAMES, L.LISTS_SHEET]
    assert generated[:6] == ["校验结果", "个人积分", "小组积分", "积分历史", "活动日历", "近期提醒"]
    assert generated == python_calamine.CalamineWorkbook.from_path(str(once)).sheet_names[len(L.INPUT_SHEET_NAMES) + 2:]
    assert sheet_rows(twice, "个人积分") == sheet_rows(once, "个人积分")


def test_validate_button_writes_only_the_findings(master, tmp_path):
    target = tmp_path / "v.xlsx"
    done, seen = run_button(macros.validate, master, target)
    names = python_calamine.CalamineWorkbook.from_path(str(target)).sheet_names
    assert names[-1] == "校验结果" and "个人积分" not in names
    assert done.message == "发现错误 1 条，警告 0 条。详见“校验结果”表。"


def test_calendar_button_writes_calendar_and_reminders(master, tmp_path):
    target = tmp_path / "c.xlsx"
    done, seen = run_button(macros.calendar, master, target)
    names = python_calamine.CalamineWorkbook.from_path(str(target)).sheet_names
    assert names[-2:] == ["活动日历", "近期提醒"]
    # the clean branch types no 三会一课: the 46 meetings due by 26 Nov are missed (counted in tests/test_report.py),
    # one 近期提醒 row for each of the 6 meetings asked for (支委会, 2 × 党小组会, 主题党日, 支部党员大会, 党课)
    assert done.message == "近期提醒 12 条：未来 14 天内 5 项活动，逾期 0 项，应开未开的会议 46 次（见“组织生活落实”）。"


def test_button_shows_chinese_message_for_a_broken_workbook(build, data, tmp_path):
    import openpyxl

    path = build(data)
    book = openpyxl.load_workbook(path)
    book.remove(book[L.RULES])
    book.save(path)
    done, seen = run_button(macros.refresh, path, tmp_path / "x.xlsx")
    assert done.result is None
    assert done.message.startswith("工作簿 master.xlsx 缺少必需的工作表或列，没有写入任何内容：") and "缺少工作表“积分规则”" in done.message


def test_unexpected_error_becomes_one_line_and_the_log(master, tmp_path, monkeypatch):
    monkeypatch.setattr(macros.pipeline, "refresh", lambda *a: 1 / 0)
    done, seen = run_button(macros.refresh, master, tmp_path / "x.xlsx")
    assert done.message.startswith("程序遇到意外问题，没有完成。详细情况已记录在 ") and done.result is None


def test_reports_button_writes_the_report_beside_the_workbook(master, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the remote engine knows the book by name only: its folder is the current one
    done, seen = run_button(macros.reports, master, tmp_path / "r.xlsx")
    files = done.result
    assert files.workbook.parent == tmp_path / "报表" and files.workbook.exists() and files.html.exists()
    assert done.message.startswith(f"报表已生成在“{tmp_path / '报表'}”：") and files.html.name in done.message


def test_forms_and_collect_buttons_close_the_loop(master, tmp_path, monkeypatch):
    from test_forms import fill

    monkeypatch.chdir(tmp_path)  # the folder of the (remote) open book
    done, seen = run_button(macros.forms, master, tmp_path / "f.xlsx")
    assert done.result == ["群众评议党员表 20 份", "党员评议支部工作表 3 份"]  # 群众评议份数 20; one per scored member
    assert done.message == (f"已生成2026下半年评议表：群众评议党员表 20 份，党员评议支部工作表 3 份，在“{tmp_path / '评议表'}”中。"
                            "发给评议人填写，交回后放回原文件夹，再点“回收评议表”。")
    folder = tmp_path / "评议表" / "群众评议_2026下半年"
    fill(folder / "群众评议_2026下半年_第01号.xlsx", {"D001": ("优秀", "好"), "D002": ("合格", ""), "D003": ("优秀", "")})
    done, seen = run_button(macros.collect, master, tmp_path / "c.xlsx")
    assert [len(r.rows) for r in done.result] == [0, 3]  # 党员评议支部 (nothing filled), 群众评议
    rows = sheet_rows(tmp_path / "c.xlsx", "评议记录")
    assert [r[:4] for r in rows[-3:]] == [["群众评议党员", "群众01（2026下半年）", "D001", "优秀"],
                                         ["群众评议党员", "群众01（2026下半年）", "D002", "合格"],
                                         ["群众评议党员", "群众01（2026下半年）", "D003", "优秀"]]
    message = done.message.splitlines()
    assert message[:2] == ["党员评议支部_2026下半年：共 3 份表，新增评议 0 条，此前已录入 0 条。",
                           "群众评议_2026下半年：共 20 份表，新增评议 3 条，此前已录入 0 条。"]
    assert message[2].startswith("有问题 0 处错误、") and "全部列在日志" in message[2]
    assert message[-1] == "再点“刷新”更新评议汇总和积分。"


def test_a_second_forms_click_writes_nothing_and_collect_without_forms_says_what_to_do(master, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    done, _ = run_button(macros.collect, master, tmp_path / "c.xlsx")
    assert done.message == f"在“{tmp_path / '评议表'}”中没有找到评议表文件夹。请先点“生成评议表”，交回的表放回原来的文件夹。"
    run_button(macros.forms, master, tmp_path / "f.xlsx")
    before = sorted(p.name for p in (tmp_path / "评议表").rglob("*.xlsx"))
    done, _ = run_button(macros.forms, master, tmp_path / "f.xlsx")
    assert done.result is None and done.message.startswith("本轮（2026下半年）的评议表已经生成过：群众评议_2026下半年、党员评议支部_2026下半年（")
    assert sorted(p.name for p in (tmp_path / "评议表").rglob("*.xlsx")) == before


def test_a_button_action_run_outside_excel_says_how_to_run_it(capsys):
    assert macros.refresh() is None  # no calling workbook on this machine
    out = capsys.readouterr()
    assert out.out.strip() == macros.NOT_FROM_EXCEL and "Traceback" not in out.err
