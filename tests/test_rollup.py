"""The roll-up: many branch workbooks read in parallel, one comparison workbook, bad files skipped."""

from __future__ import annotations

import datetime as dt
import errno
import os
import re
import shutil
from pathlib import Path

import openpyxl
import pytest
from msoffcrypto.format.ooxml import OOXMLFile

import reports
from conftest import TODAY, clean_data
from workbook import errors, layout
from services import rollup
from services.create import build_master
from services.demo import demo_data
from services.report_html import REPORT_DIR, write_report
from workplan.report import headline

BRANCHES = ("青山镇中心学校党支部", "东山镇中心学校党支部", "西河镇中心学校党支部")


def demo_branch(path: Path, name: str) -> Path:
    """The demo branch under another 支部名称."""
    data = demo_data(TODAY)
    next(row for row in data[layout.SETTINGS] if row["项目"] == "支部名称")["值"] = name
    return build_master(path, data)


def corrupt(path: Path) -> Path:
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    return path


def encrypted(path: Path) -> Path:
    plain = path.with_name("plain-for-encryption.xlsx")
    openpyxl.Workbook().save(plain)
    with plain.open("rb") as src, path.open("wb") as dst:
        OOXMLFile(src).encrypt("secret", dst)
    plain.unlink()
    return path


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """Three demo branches, one corrupt workbook and an Excel owner file (~$)."""
    folder = tmp_path_factory.mktemp("branches")
    for index, name in enumerate(BRANCHES):
        demo_branch(folder / f"支部{index + 1}.xlsx", name)
    corrupt(folder / "坏文件.xlsx")
    (folder / "~$支部1.xlsx").write_bytes(b"owner file of Excel")
    return folder


def run(capsys, *argv):
    code = reports.main([*argv, "--today", TODAY.isoformat()])
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    return code, out.out + out.err


def test_rollup_of_three_branches_and_a_corrupt_file(capsys, folder):
    """3 rows (one per branch, same figures as each branch's own report) and one reported failure."""
    code, out = run(capsys, "rollup", str(folder))
    assert code == 1
    assert "已跳过：" in out and "坏文件.xlsx 已损坏或不是 Excel 工作簿" in out
    assert "已生成汇总：" in out and "（3 个支部，跳过 1 个文件）" in out
    book = openpyxl.load_workbook(folder / REPORT_DIR / rollup.ROLLUP_NAME)
    assert book.sheetnames == ["各支部对比", "全镇党员排名", "党小组排名", "各月出勤", "未能读取"]
    table = _table(book["各支部对比"])
    assert [row[:2] for row in table[1:]] == [(name, f"支部{i + 1}.xlsx") for i, name in enumerate(BRANCHES)]
    figures = rollup.read_branch(folder / "支部1.xlsx", TODAY).report
    assert table[0][2:] == tuple(label for label, _ in headline(figures))
    assert all(row[2:] == tuple(value for _, value in headline(figures)) for row in table[1:])
    failures = _table(book["未能读取"])
    assert len(failures) == 2 and failures[1][0] == "坏文件.xlsx" and failures[1][1].startswith("已损坏或不是 Excel 工作簿")
    assert str(folder) not in failures[1][1]  # the 文件 column names it: no full path repeated in 问题
    assert "BadZipFile" in (folder / "党建台账日志.log").read_text(encoding="utf-8")  # the technical detail is logged


def _table(sheet, first=("支部名称", "文件"), after: int = 0) -> list[tuple]:
    """The table from its header row (the first after row `after` starting with one of `first`) down to the
    first blank row."""
    rows = list(sheet.iter_rows(values_only=True))
    start = next(i for i, row in enumerate(rows) if i >= after and row[0] in first)
    width = sum(1 for value in rows[start] if value is not None)
    table = []
    for row in rows[start:]:
        if row[0] is None:
            break
        table.append(tuple(row[:width]))
    return table


def test_owner_temporary_files_and_our_own_outputs_are_not_branches(folder, tmp_path):
    """Owner files (~$) and our temporary files (~workbench-) are not picked; a report we wrote is picked by
    name, recognised by its worker (one opening of each file, in parallel) and neither read nor skipped."""
    target = tmp_path / "branches"
    target.mkdir()
    for path in folder.glob("*.xlsx"):
        target.joinpath(path.name).write_bytes(path.read_bytes())
    (target / "~workbench-0123456789ab.xlsx").write_bytes(b"half written")
    (target / "说明.docx").write_bytes(b"not a spreadsheet")
    (target / "旧台账.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    report = rollup.read_branch(target / "支部1.xlsx", TODAY).report
    written = write_report(report, target, want_pdf=False).workbook
    assert written.parent == target and rollup.is_our_output(written)
    paths = rollup.branch_files(target)
    assert [p.name for p in paths] == ["坏文件.xlsx", "支部1.xlsx", "支部2.xlsx", "支部3.xlsx", "旧台账.xls", written.name]
    outcome = rollup.Rollup(rollup.read_branches(paths, TODAY, workers=2))
    assert [r.path.name for r in outcome.results if r.ours] == [written.name]
    assert [r.path.name for r in outcome.read] == ["支部1.xlsx", "支部2.xlsx", "支部3.xlsx"]
    assert [r.path.name for r in outcome.skipped] == ["坏文件.xlsx", "旧台账.xls"]


@pytest.mark.parametrize("make, message", [
    (lambda p: corrupt(p / "坏.xlsx"), "已损坏或不是 Excel 工作簿"),
    (lambda p: encrypted(p / "加密.xlsx"), "设置了打开密码"),
    (lambda p: _bytes(p / "旧.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600), "只能读取 .xlsx 或 .xlsm"),
    (lambda p: _no_roster(p / "不完整.xlsx"), "缺少必需的工作表或列"),
])
def test_a_bad_workbook_is_reported_never_raised(tmp_path, make, message):
    result = rollup.read_branch(make(tmp_path), TODAY)
    assert not result.ok and message in result.problem and "Traceback" not in result.problem


def _bytes(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _no_roster(path: Path) -> Path:
    book = openpyxl.Workbook()
    book.active.title = layout.SETTINGS
    book.save(path)
    return path


def test_unexpected_failure_in_a_worker_comes_back_with_its_traceback(tmp_path, monkeypatch):
    monkeypatch.setattr(rollup, "year_report", lambda result: 1 / 0)
    result = rollup.read_branch(demo_branch(tmp_path / "a.xlsx", "甲支部"), TODAY)
    assert "读取时遇到意外问题，已跳过。详细情况记录在日志中。" in result.problem and "ZeroDivisionError" in result.trace
    assert "Error" not in result.problem  # the class name goes to the log, not to the teacher


def test_read_branches_keeps_the_order_and_reports_progress(folder):
    paths = sorted(folder.glob("支部*.xlsx"))
    seen = []
    results = rollup.read_branches(paths, TODAY, workers=2, progress=seen.append)
    assert [r.path for r in results] == paths and all(r.ok for r in results)
    assert sorted(r.path for r in seen) == paths
    assert [r.report.branch for r in results] == list(BRANCHES)


def test_all_fine_exits_0(capsys, tmp_path):
    demo_branch(tmp_path / "甲.xlsx", "甲支部")
    target = tmp_path / "汇总.xlsx"
    code, out = run(capsys, "rollup", str(tmp_path), "--out", str(target))
    assert code == 0 and target.exists() and "（1 个支部，跳过 0 个文件）" in out
    assert openpyxl.load_workbook(target).sheetnames == ["各支部对比", "全镇党员排名", "党小组排名", "各月出勤"]
    assert target.with_suffix(".html").exists()
    assert run(capsys, "rollup", str(tmp_path), "--out", str(tmp_path / REPORT_DIR))[0] == 0
    assert (tmp_path / REPORT_DIR / rollup.ROLLUP_NAME).exists()  # --out a folder: the default name in it


def test_none_readable_exits_2_and_writes_nothing(capsys, tmp_path):
    corrupt(tmp_path / "坏1.xlsx")
    encrypted(tmp_path / "加密.xlsx")
    code, out = run(capsys, "rollup", str(tmp_path))
    assert code == errors.EXIT_CANNOT_RUN
    assert out.count("已跳过：") == 2 and "没有一个工作簿能够读取，未生成汇总" in out
    assert not (tmp_path / REPORT_DIR).exists()


@pytest.mark.parametrize("make, message", [
    (lambda p: p, "中没有找到总台账"),
    (lambda p: p / "不存在", "找不到文件"),
    (lambda p: corrupt(p / "一个文件.xlsx"), "不是文件夹"),
])
def test_folder_problems_exit_2_in_chinese(capsys, tmp_path, make, message):
    code, out = run(capsys, "rollup", str(make(tmp_path)))
    assert code == 2 and message in out


def test_rollup_needs_its_folder(capsys):
    with pytest.raises(SystemExit) as exit_info:
        reports.main(["rollup"])
    assert exit_info.value.code == 2 and "缺少参数：文件夹" in capsys.readouterr().err


def crash_on_named(path: Path, today) -> rollup.BranchResult:
    """A worker that dies (as on running out of memory) when it reads 崩溃.xlsx."""
    if path.name == "崩溃.xlsx":
        os._exit(1)
    return rollup.read_branch(path, today)


def test_a_crashed_worker_is_reported_for_its_file_only(folder, tmp_path):
    """Regression: a dying worker breaks the whole pool; the files it left unread are read again, so only
    崩溃.xlsx is reported (one worker: it crashes first, leaving all three branches unread)."""
    crash = shutil.copy(folder / "支部1.xlsx", tmp_path / "崩溃.xlsx")
    paths = [Path(crash), *sorted(folder.glob("支部*.xlsx"))]
    seen = []
    results = rollup.read_branches(paths, TODAY, workers=1, progress=seen.append, read=crash_on_named)
    assert [r.path for r in results] == paths and sorted(r.path for r in seen) == sorted(paths)
    assert [r.ok for r in results] == [False, True, True, True]
    assert results[0].problem.startswith(f"{crash} 读取时程序异常退出")
    assert [r.report.branch for r in results[1:]] == list(BRANCHES)


def test_a_file_that_cannot_be_read_gets_a_reading_reason_in_chinese(tmp_path, monkeypatch):
    """An OSError while reading says why in words about reading (not 写入), the English only in the log."""
    def locked(path, wanted=None):
        raise PermissionError(errno.EACCES, "Permission denied", str(path))

    monkeypatch.setattr(rollup, "read_book", locked)
    path = demo_branch(tmp_path / "占用.xlsx", "甲支部")
    result = rollup.read_branch(path, TODAY)
    assert result.problem == (f"{path} 无法读取（没有读取权限，或文件正被其他程序独占）。"
                              "请关闭占用它的程序、检查权限后重新汇总。")
    assert result.reason.startswith("无法读取") and "PermissionError" in result.trace
    assert not re.search(r"[A-Za-z]", result.reason)


@pytest.mark.parametrize("name", ["汇总.xlsm", "汇总.XLS", "汇总.ods"])
def test_out_with_another_spreadsheet_suffix_is_refused_not_made_a_folder(capsys, tmp_path, name):
    demo_branch(tmp_path / "甲.xlsx", "甲支部")
    code, out = run(capsys, "rollup", str(tmp_path), "--out", str(tmp_path / name))
    assert code == 2 and "汇总工作簿只能保存为 .xlsx 文件" in out
    assert not (tmp_path / name).exists()


# --- the town-wide tables: three small branches whose figures are counted by hand ------------------

def small_branch(path: Path, name: str, change=None) -> Path:
    """conftest's clean branch (张三 D001 16 points, 王五 D003 2, 李四 D002 0) under `name`, changed by `change`."""
    data = clean_data()
    next(row for row in data[layout.SETTINGS] if row["项目"] == "支部名称")["值"] = name
    if change:
        change(data)
    return build_master(path, data)


def _yi(data) -> None:
    """乙支部: at A01 李四 出席 (not 请假, +2) and 王五 缺席 (not 出席, -1 instead of +2)."""
    data[layout.ATTENDANCE_SHEET][1]["出勤"] = "出席"
    data[layout.ATTENDANCE_SHEET][2]["出勤"] = "缺席"


def _bing(data) -> None:
    """丙支部: 李四 +20 on the ledger; A04 done on 2026-05-12, 张三 出席 (+2), 李四 缺席 (-1)."""
    data[layout.LEDGER].append({"日期": dt.date(2026, 6, 1), "党员编号": "D002", "姓名": "李四", "事项类别": "表彰奖励",
                                "事由": "市级优秀教师", "分值": 20, "审核人": "书记"})
    data[layout.ACTIVITIES].append({"活动编号": "A04", "活动名称": "红色研学", "类别": "其他", "组织者": "支部",
                                    "计划月份": "5月", "实际日期": dt.date(2026, 5, 12), "状态": "已完成"})
    data[layout.ATTENDANCE_SHEET] += [{"活动编号": "A04", "党员编号": "D001", "姓名": "张三", "出勤": "出席"},
                                      {"活动编号": "A04", "党员编号": "D002", "姓名": "李四", "出勤": "缺席"}]


@pytest.fixture(scope="module")
def town(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("town")
    small_branch(folder / "1甲.xlsx", "甲支部")
    small_branch(folder / "2乙.xlsx", "乙支部", _yi)
    small_branch(folder / "3丙.xlsx", "丙支部", _bing)
    corrupt(folder / "4坏.xlsx")
    return folder


def test_the_town_wide_member_and_group_rankings_equal_hand_counts(capsys, town):
    """Members by hand: 甲 张三 16, 王五 2, 李四 0; 乙 张三 16, 李四 0 + 2 = 2, 王五 2 - 3 = -1; 丙 李四 0 + 20 - 1 = 19,
    张三 16 + 2 = 18, 王五 2. Groups (成员平均分 + 3 for 一组's A02 done): 丙一组 (19 + 18) / 2 + 3 = 21.5,
    乙一组 (16 + 2) / 2 + 3 = 12, 甲一组 (16 + 0) / 2 + 3 = 11, each 二组 王五 alone; equal totals share a rank."""
    code, out = run(capsys, "rollup", str(town))
    assert code == 1 and "4坏.xlsx 已损坏或不是 Excel 工作簿" in out and "（3 个支部，跳过 1 个文件）" in out
    book = openpyxl.load_workbook(town / REPORT_DIR / rollup.ROLLUP_NAME)
    assert book.sheetnames == ["各支部对比", "全镇党员排名", "党小组排名", "各月出勤", "未能读取"]
    assert _table(book["全镇党员排名"], ("支部",)) == [
        ("支部", "党小组", "党员编号", "姓名", "总分", "支部内排名", "全镇排名"),
        ("丙支部", "一组", "D002", "李四", 19, 1, 1),
        ("丙支部", "一组", "D001", "张三", 18, 2, 2),
        ("甲支部", "一组", "D001", "张三", 16, 1, 3),
        ("乙支部", "一组", "D001", "张三", 16, 1, 3),
        ("甲支部", "二组", "D003", "王五", 2, 2, 5),
        ("乙支部", "一组", "D002", "李四", 2, 2, 5),
        ("丙支部", "二组", "D003", "王五", 2, 3, 5),
        ("甲支部", "一组", "D002", "李四", 0, 3, 8),
        ("乙支部", "二组", "D003", "王五", -1, 3, 9),
    ]
    assert _table(book["党小组排名"], ("支部",)) == [
        ("支部", "党小组", "人数", "成员平均分", "活动得分", "总分", "支部内排名", "全镇排名"),
        ("丙支部", "一组", 2, 18.5, 3, 21.5, 1, 1),
        ("乙支部", "一组", 2, 9, 3, 12, 1, 2),
        ("甲支部", "一组", 2, 8, 3, 11, 1, 3),
        ("甲支部", "二组", 1, 2, 0, 2, 2, 4),
        ("丙支部", "二组", 1, 2, 0, 2, 2, 4),
        ("乙支部", "二组", 1, -1, 0, -1, 2, 6),
    ]
    assert _table(book["未能读取"])[1][0] == "4坏.xlsx"


def test_the_month_tables_equal_hand_counts(capsys, town):
    """A01 (2026-03-10): 甲 出席 2 请假 1, 乙 出席 2 缺席 1, 丙 as 甲; A02 (2026-04-15): 张三 出席 in each;
    A04 (2026-05-12, 丙 only): 出席 1 缺席 1."""
    assert run(capsys, "rollup", str(town))[0] == 1
    sheet = openpyxl.load_workbook(town / REPORT_DIR / rollup.ROLLUP_NAME)["各月出勤"]
    assert _table(sheet, ("月份",)) == [
        ("月份", "支部数", "出席", "请假", "缺席", "签到人次", "出勤率"),
        ("2026-03", 3, 6, 2, 1, 9, pytest.approx(6 / 9)),
        ("2026-04", 3, 3, 0, 0, 3, 1),
        ("2026-05", 1, 1, 0, 1, 2, 0.5),
    ]
    by_branch = _table(sheet, ("支部",))
    assert by_branch == [("支部", "2026-03", "2026-04", "2026-05", "全年"),
                         ("甲支部", pytest.approx(2 / 3), 1, None, 0.75),
                         ("乙支部", pytest.approx(2 / 3), 1, None, 0.75),
                         ("丙支部", pytest.approx(2 / 3), 1, 0.5, pytest.approx(4 / 6))]
    detail = _table(sheet, ("支部",), after=_row_of(sheet, "各支部各月签到"))
    assert [row[:6] for row in detail] == [
        ("支部", "月份", "出席", "请假", "缺席", "签到人次"),
        ("甲支部", "2026-03", 2, 1, 0, 3), ("乙支部", "2026-03", 2, 0, 1, 3), ("丙支部", "2026-03", 2, 1, 0, 3),
        ("甲支部", "2026-04", 1, 0, 0, 1), ("乙支部", "2026-04", 1, 0, 0, 1), ("丙支部", "2026-04", 1, 0, 0, 1),
        ("丙支部", "2026-05", 1, 0, 1, 2),
    ]
    assert sheet.cell(_row_of(sheet, "月份") + 2, 7).number_format == "0.0%"


def _row_of(sheet, first: str) -> int:
    """The 1-based row whose first cell is `first`."""
    return next(row[0].row for row in sheet.iter_rows() if row[0].value == first)


def test_each_town_table_has_its_chart_in_the_workbook_and_on_the_page(capsys, town):
    assert run(capsys, "rollup", str(town))[0] == 1
    book = openpyxl.load_workbook(town / REPORT_DIR / rollup.ROLLUP_NAME)
    assert [len(book[name]._charts) for name in ("各支部对比", "全镇党员排名", "党小组排名", "各月出勤")] == [1, 1, 1, 1]
    page = (town / REPORT_DIR / rollup.ROLLUP_NAME).with_suffix(".html").read_text(encoding="utf-8")
    assert page.count('<img alt="') == 4 and page.count("data:image/png;base64,") == 4
    for title in ("各支部“十个一”完成率和出勤率", "全镇总分前 20 名", "党小组总分前 20 名", "全镇各月出勤率"):
        assert f'<img alt="{title}"' in page
    assert "4坏.xlsx" in page and "Traceback" not in page


def test_libreoffice_prints_the_town_tables(capsys, town, tmp_path):
    """LibreOffice opens the roll-up and prints every new sheet: the titles and the first member of the ranking."""
    import subprocess

    from conftest import soffice_convert

    assert run(capsys, "rollup", str(town), "--out", str(tmp_path / "汇总.xlsx"))[0] == 1
    pdf = soffice_convert(tmp_path / "汇总.xlsx", "pdf", tmp_path / "pdf")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for title in ("全镇计分党员排名", "全镇党小组排名", "全镇各月出勤率", "各支部各月出勤率", "各支部各月签到", "未能读取的文件"):
        assert title in text
    assert re.search(r"丙支部\s+一组\s+D002\s+李四\s+19\.00\s+1\s+1", text)
    assert re.search(r"2026-03\s+3\s+6\s+2\s+1\s+9\s+66\.7%", text)
