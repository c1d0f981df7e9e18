"""Hostile shapes of the workbook and of its neighbours, and the last lines of defence.

A staff-made sheet named like a generated one is never replaced (file writer, collect,
buttons); a renamed sheet or header comes first with its likely old name; printed commands
survive a path with spaces; a roll-up counts a branch's copy once; a library failure that
is no `Exception` (python-calamine's PanicException is a BaseException) ends in one
Chinese line for the command, that file only for the roll-up and collect, one run only for
`watch`, one message box for a button.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import shlex
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest

import macros
import reports
import sync
from services import formfiles, rollup, watch
from workbook import errors, layout as L, reader

from conftest import TODAY
from xlwings_json import apply_actions, json_book

FOREIGN_MESSAGE = ("工作簿 {path} 里已有一张“公示表”工作表，但它不是本程序生成的（可能是手工建立的），程序没有写入任何内容。"
                   "请把这张表改名（例如“公示表（手工）”）后再运行；刷新会重新生成“公示表”。")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run(capfd, *argv, main=sync.main) -> tuple[int, str]:
    code = main([*argv, "--today", TODAY.isoformat()])
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err and "panicked" not in err and "Logging error" not in err
    return code, out


def with_staff_sheet(path: Path, name: str = "公示表") -> Path:
    """A master in which staff made their own sheet called `name` (typed by hand, no banner, no fingerprint)."""
    book = openpyxl.load_workbook(path)
    sheet = book.create_sheet(name)
    sheet["A1"], sheet["A2"] = "我们支部自己做的公示", "2026年承诺：每周家访一次"
    book.save(path)
    return path


# --- never replace a sheet we did not write ----------------------------------------------------------

@pytest.mark.parametrize("command", ["refresh", "calendar", "collect"])
def test_a_staff_sheet_named_like_ours_stops_the_write(capfd, build, data, tmp_path, command):
    master = with_staff_sheet(build(data))
    if command == "calendar":  # calendar writes 活动日历 and 近期提醒 only: a staff 活动日历 stops it
        master = with_staff_sheet(build(data, "c.xlsx"), "活动日历")
    before = digest(master)
    argv = [command, str(master)] + ([str(tmp_path / "评议表")] if command == "collect" else [])
    code, out = run(capfd, *argv)
    assert code == 2 and digest(master) == before
    expected = FOREIGN_MESSAGE.format(path=master)
    assert out.splitlines()[-1] == (expected if command != "calendar" else expected.replace("公示表", "活动日历"))
    assert not (master.parent / "备份").exists() and not (master.parent / "活动日历.ics").exists()


def test_a_button_refuses_a_staff_sheet_too(build, data, tmp_path):
    master = with_staff_sheet(build(data))
    book = json_book(master)
    done = macros.refresh(book, TODAY)
    assert done.message == FOREIGN_MESSAGE.format(path=master.name) and done.result is None
    seen = apply_actions(master, tmp_path / "after.xlsx", book.json())
    assert [s[2] for s in seen if s[0] == "alert"] == [done.message]
    assert not [s for s in seen if s[0] in ("addSheet", "deleteSheet")]


def test_python_m_macros_on_the_file_refuses_too(capfd, build, data):
    from macros.__main__ import main as macros_main

    master = with_staff_sheet(build(data))
    before = digest(master)
    assert macros_main(["刷新", str(master), "--today", TODAY.isoformat()]) == 2
    assert capfd.readouterr().out.splitlines()[-1] == FOREIGN_MESSAGE.format(path=master)
    assert digest(master) == before


def _without_fingerprints(path: Path) -> Path:
    """A master as written before fingerprints (or by the buttons of earlier versions): our banner only."""
    target = path.with_name("legacy.xlsx")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/workbook.xml":
                data = re.sub(rb'<definedName name="_workbench_fp"[^>]*>[^<]*</definedName>', b"", data)
            dst.writestr(info, data)
    return target


def test_a_legacy_master_with_our_banner_is_still_refreshed(capfd, build, data):
    master = build(data)
    assert run(capfd, "refresh", str(master))[0] == 0
    legacy = _without_fingerprints(master)
    code, out = run(capfd, "refresh", str(legacy))
    assert code == 0 and "已写入“legacy.xlsx”：更新 校验结果、个人积分" in out


# --- structural findings first, with the likely rename --------------------------------------------------

def _rename(path: Path, sheet: str, new: str) -> Path:
    book = openpyxl.load_workbook(path)
    book[sheet].title = new
    book.save(path)
    return path


def test_a_renamed_roster_is_the_first_and_only_problem_shown(capfd, build, data):
    master = _rename(build(data), L.MEMBERS, "党员名单")
    code, out = run(capfd, "validate", str(master))
    lines = out.splitlines()
    assert code == 2
    assert lines[lines.index("缺少的表或列：") + 1] == (
        "  [错误] 党员名册 缺少工作表“党员名册”；工作簿里有一张“党员名单”，可能是它被改了名。"
        "如果是，请把“党员名单”改回“党员名册”（双击工作表标签即可改名）；否则请恢复“党员名册”。")
    assert "不存在" not in out  # no flood of unknown members: references wait for the roster
    assert lines[-1] == "缺少必需的工作表或列，无法继续处理，工作簿没有改动。请按上面的建议恢复后再运行。"


def test_a_renamed_key_column_comes_first_and_the_rest_is_counted(capfd, build, data):
    master = build(data)
    book = openpyxl.load_workbook(master)
    book[L.MEMBERS]["A1"] = "编号"
    book.save(master)
    code, out = run(capfd, "validate", str(master))
    lines = out.splitlines()
    first = lines.index("缺少的表或列：") + 1
    assert lines[first].startswith("  [错误] 党员名册!A1 缺少列“党员编号”（应在第 1 行，第 1 列）；第 1 行有一列“编号”")
    assert lines[first + 1] == "缺少必需的工作表或列，无法继续处理，工作簿没有改动。请按上面的建议恢复后再运行。"
    assert code == 2 and lines[0].endswith("发现错误 1 条，警告 0 条。")  # no "unknown member" for each row


def test_other_problems_are_counted_behind_the_missing_sheet(capfd, build, data):
    data[L.LEDGER][0]["审核人"] = None
    master = _rename(build(data), L.RULES, "Sheet1")
    code, out = run(capfd, "validate", str(master))
    lines = out.splitlines()
    first = lines.index("缺少的表或列：") + 1
    assert lines[first] == "  [错误] 积分规则 缺少工作表“积分规则”。请恢复该工作表（可从“备份”文件夹中的副本复制），或新建一份总台账后把数据粘贴过去。"
    assert lines[first + 1] == "另有 1 条问题（多半是因为缺少上面的表或列），恢复后重新校验即可看到。"


def test_an_unlike_name_is_simply_missing(capfd, build, data):
    master = _rename(build(data), L.MEMBERS, "Sheet1")
    code, out = run(capfd, "validate", str(master))
    assert "  [错误] 党员名册 缺少工作表“党员名册”。" in out and "可能是它被改了名" not in out


# --- commands a user can copy -----------------------------------------------------------------------------

def test_printed_commands_survive_a_path_with_spaces(capfd, build, data, tmp_path):
    folder = tmp_path / "my docs" / "党建 台账"
    folder.mkdir(parents=True)
    master = folder / "党建 台账.xlsx"
    shutil.copy(build(data), master)
    code, out = run(capfd, "forms", str(master), "--type", "群众评议", "--raters", "2")
    command = next(line.strip() for line in out.splitlines() if " collect " in line)
    words = shlex.split(command)
    assert words[-3:] == ["collect", str(master), str(folder / "评议表" / "群众评议_2026下半年")]
    code, out = run(capfd, "collect", str(master), str(folder / "评议表"))
    assert shlex.split(out.splitlines()[1].strip())[-2:] == [str(master), str(folder / "评议表" / "群众评议_2026下半年")]


def test_the_report_names_a_copyable_validate_command(capfd, build, data, tmp_path):
    folder = tmp_path / "my docs"
    folder.mkdir()
    data[L.LEDGER][0]["审核人"] = None
    master = folder / "党建 台账.xlsx"
    shutil.copy(build(data), master)
    code, out = run(capfd, str(master), "--no-pdf", main=reports.main)
    line = next(line for line in out.splitlines() if line.startswith("注意：有错误的行没有计入报表"))
    command = line.split("请运行 ", 1)[1].split(" 查看全部问题")[0]
    assert shlex.split(command)[-2:] == ["validate", str(master)]


# --- a roll-up with a branch twice ------------------------------------------------------------------------

@pytest.fixture
def branches(build, data, tmp_path):
    folder = tmp_path / "各支部"
    folder.mkdir()
    shutil.copy(build(data), folder / "青山镇.xlsx")
    return folder


def test_a_copy_of_a_branch_is_counted_once(capfd, branches):
    shutil.copy(branches / "青山镇.xlsx", branches / "青山镇 - 副本.xlsx")
    code, out = run(capfd, "rollup", str(branches), main=reports.main)
    assert code == 1
    assert f"已跳过：{branches / '青山镇 - 副本.xlsx'} 与 青山镇.xlsx 内容相同（同一支部“测试支部”的副本），没有重复计入。" in out
    assert "（1 个支部，跳过 1 个文件）" in out


def test_two_files_of_one_branch_with_other_figures_are_both_counted(capfd, branches, build, data):
    data[L.LEDGER][0]["分值"] = 5
    shutil.copy(build(data, "other.xlsx"), branches / "青山镇（旧）.xlsx")
    code, out = run(capfd, "rollup", str(branches), main=reports.main)
    assert code == 1
    assert ("注意：青山镇.xlsx、青山镇（旧）.xlsx 的支部名称相同（测试支部）但内容不同，都已计入汇总；"
            "如其中有旧版本，请把它移出文件夹后重新汇总。") in out
    assert "（2 个支部，跳过 0 个文件）" in out


# --- the last lines of defence -----------------------------------------------------------------------------

class FakePanic(BaseException):
    """Stands for pyo3_runtime.PanicException: a BaseException, and it cannot be pickled."""

    def __reduce__(self):
        raise TypeError("cannot pickle a panic")


FakePanic.__module__ = "pyo3_runtime"


def _panic(*args, **kwargs):
    raise FakePanic("TimeDelta::milliseconds out of bounds")


def test_a_panic_while_reading_is_one_line_and_the_log(capfd, build, data, monkeypatch):
    master = build(data)
    monkeypatch.setattr(sync, "read_book", _panic)
    code, out = run(capfd, "refresh", str(master))
    assert code == 2 and out.splitlines() == [
        f"程序遇到意外问题，没有完成。详细情况已记录在 {master.parent / '党建台账日志.log'}，请把该文件发给维护人员。"]
    assert "FakePanic: TimeDelta::milliseconds out of bounds" in (master.parent / "党建台账日志.log").read_text(encoding="utf-8")


def panic_on_named(path: Path, today) -> rollup.BranchResult:
    """A worker in which the reader panics for 恐慌.xlsx (the parent's patch does not reach it: patched here)."""
    real = rollup.read_book
    if path.name == "恐慌.xlsx":
        rollup.read_book = _panic
    try:
        return rollup.read_branch(path, today)
    finally:
        rollup.read_book = real


def test_a_panic_in_a_rollup_worker_skips_that_file_only(branches):
    shutil.copy(branches / "青山镇.xlsx", branches / "恐慌.xlsx")
    results = rollup.read_branches(sorted(branches.glob("*.xlsx")), TODAY, workers=1, read=panic_on_named)
    by_name = {r.path.name: r for r in results}
    assert by_name["青山镇.xlsx"].ok and not by_name["恐慌.xlsx"].ok
    assert by_name["恐慌.xlsx"].problem.endswith("恐慌.xlsx 读取时遇到意外问题，已跳过。详细情况记录在日志中。")
    assert "FakePanic" in by_name["恐慌.xlsx"].trace


def test_a_panic_on_one_returned_form_skips_that_form_only(capfd, build, data, monkeypatch):
    from test_forms import fill

    master = build(data)
    assert run(capfd, "forms", str(master), "--type", "群众评议", "--raters", "3")[0] == 0
    folder = master.parent / "评议表" / "群众评议_2026下半年"
    for number in ("01", "02", "03"):
        fill(folder / f"群众评议_2026下半年_第{number}号.xlsx", {"D001": ("优秀", ""), "D002": ("合格", "")})
    real = reader.read_book
    monkeypatch.setattr(formfiles.reader, "read_book",
                        lambda path, *a: _panic() if path.name.endswith("第02号.xlsx") else real(path, *a))
    code, out = run(capfd, "collect", str(master), str(folder))
    assert code == 1
    assert "共 3 份表，计入 2 份，新增评议 4 条" in out
    assert ("[错误] 群众评议_2026下半年_第02号.xlsx 无法读取这份评议表：文件内容无法读取。这份表没有计入；请让评议人重新发送。"
            in out)


def test_watch_survives_a_panic_and_tries_again_next_week(tmp_path):
    said = []
    watcher = watch.Watcher(tmp_path / "台账.xlsx", 0, "07:00", _panic, clock=lambda: dt.datetime(2026, 11, 30, 7, 0),
                            sleep=lambda s: None, say=said.append)
    assert watcher.attempt() is None
    assert said == ["2026-11-30 07:00 刷新出错，已记入日志；下周按时再试。"]


def test_a_button_survives_a_panic_with_one_message(build, data, tmp_path, monkeypatch):
    master = build(data)
    monkeypatch.setattr(macros.pipeline, "refresh", _panic)
    book = json_book(master)
    done = macros.refresh(book, TODAY)
    assert done.message.startswith("程序遇到意外问题，没有完成。详细情况已记录在 ") and done.result is None


def test_ctrl_c_is_not_swallowed(capfd, build, data, monkeypatch):
    monkeypatch.setattr(sync, "read_book", lambda *a: (_ for _ in ()).throw(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        sync.main(["validate", str(build(data)), "--today", TODAY.isoformat()])


def test_desktop_excel_refuses_a_staff_sheet_made_since_the_last_save(build, data):
    """The saved file cannot vouch for a sheet made after it: the open book is asked (SHEET(), then A1)."""
    import com_standin as cs
    from macros import live

    master = build(data)  # never refreshed: the saved file has no generated sheet
    xl, wb = cs.open_book(master, (L.GUIDE, "$A$1"))
    staff = wb.Sheets.Add(After=wb.Sheets(wb.Sheets.Count))
    staff.Name = "公示表"
    staff.Range("A1").Value = "我们支部自己做的公示"
    wb.Saved = False
    shown = []
    session = live.Live(None, "com", wb=wb, com_error=cs.ComError, show=lambda hwnd, text, title: shown.append(text))
    done = macros.refresh(session, TODAY)
    assert done.message == FOREIGN_MESSAGE.format(path=master.name) and shown == [done.message]
    assert wb.Sheets("公示表").Range("A1").Value == "我们支部自己做的公示"
