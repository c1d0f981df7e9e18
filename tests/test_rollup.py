"""The roll-up: many branch workbooks read in parallel, one comparison workbook, bad files skipped."""

from __future__ import annotations

import errno
import os
import re
import shutil
from pathlib import Path

import openpyxl
import pytest
from msoffcrypto.format.ooxml import OOXMLFile

import reports
from conftest import TODAY
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
    assert book.sheetnames == ["各支部对比", "未能读取"]
    table = _table(book["各支部对比"])
    assert [row[:2] for row in table[1:]] == [(name, f"支部{i + 1}.xlsx") for i, name in enumerate(BRANCHES)]
    figures = rollup.read_branch(folder / "支部1.xlsx", TODAY).report
    assert table[0][2:] == tuple(label for label, _ in headline(figures))
    assert all(row[2:] == tuple(value for _, value in headline(figures)) for row in table[1:])
    failures = _table(book["未能读取"])
    assert len(failures) == 2 and failures[1][0] == "坏文件.xlsx" and failures[1][1].startswith("已损坏或不是 Excel 工作簿")
    assert str(folder) not in failures[1][1]  # the 文件 column names it: no full path repeated in 问题
    assert "BadZipFile" in (folder / "党建台账日志.log").read_text(encoding="utf-8")  # the technical detail is logged


def _table(sheet) -> list[tuple]:
    """The table from its header row (starting 支部名称 or 文件) down to the first blank row."""
    rows = list(sheet.iter_rows(values_only=True))
    start = next(i for i, row in enumerate(rows) if row[0] in ("支部名称", "文件"))
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
    assert openpyxl.load_workbook(target).sheetnames == ["各支部对比"]
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
