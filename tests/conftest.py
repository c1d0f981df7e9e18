"""Shared fixtures: a small, fully valid branch, built into a real workbook per test.

`clean_data()` is a branch with no findings at all; each test changes one thing and
asserts exactly what validation or scoring then says. Workbooks are written with the
project's own builder (xlsxwriter) and read back with the project's reader (calamine).
"""

from __future__ import annotations

import copy
import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from services.create import build_master, default_data
from workbook import layout
from workbook.raw import RawBook, RawSheet
from workbook.reader import read_book
from workplan.validate import load, wanted_sheets

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

TODAY = dt.date(2026, 11, 26)
D = dt.date


def _promises(member_id: str, name: str, start: int) -> list[dict]:
    """A complete set for one member: five 共性, six 岗位, one 实事, all at 承诺 stage."""
    kinds = [("共性承诺", item) for item in layout.COMMON_ITEMS] + [("岗位承诺", item) for item in layout.POST_ITEMS]
    kinds.append(("实事承诺", "课后服务"))
    return [
        {"承诺编号": f"P{start + i:03d}", "党员编号": member_id, "姓名": name, "承诺类别": kind, "承诺事项": item,
         "承诺内容": f"{item}承诺", "承诺日期": D(2026, 2, 26)}
        for i, (kind, item) in enumerate(kinds)
    ]


def clean_data() -> dict[str, list[dict]]:
    """A small branch that validates without a single finding."""
    data = default_data("测试支部", 2026, ["一组", "二组"])
    data[layout.ACTIVITIES] = [
        {"活动编号": "A01", "活动名称": "专家报告会", "类别": "十个一", "组织者": "支部", "计划月份": "3月",
         "实际日期": D(2026, 3, 10), "状态": "已完成"},
        {"活动编号": "A02", "活动名称": "学雷锋活动", "类别": "十个一", "组织者": "一组", "计划月份": "4—7月",
         "实际日期": D(2026, 4, 15), "状态": "已完成"},
        {"活动编号": "A03", "活动名称": "服务社区", "类别": "十个一", "组织者": "二组", "计划月份": "12月", "状态": "计划中"},
    ]
    data[layout.MEMBERS] = [
        {"党员编号": "D001", "姓名": "张三", "性别": "男", "党小组": "一组", "政治面貌": "正式党员", "在册状态": "在职",
         "联系电话": "13812345678"},
        {"党员编号": "D002", "姓名": "李四", "性别": "女", "党小组": "一组", "政治面貌": "预备党员", "在册状态": "在职"},
        {"党员编号": "D003", "姓名": "王五", "性别": "男", "党小组": "二组", "政治面貌": "正式党员", "在册状态": "离退休"},
        {"党员编号": "D004", "姓名": "赵六", "性别": "女", "党小组": "二组", "政治面貌": "正式党员", "在册状态": "转出"},
    ]
    data[layout.ATTENDANCE_SHEET] = [
        {"活动编号": "A01", "党员编号": "D001", "姓名": "张三", "出勤": "出席"},
        {"活动编号": "A01", "党员编号": "D002", "姓名": "李四", "出勤": "请假"},
        {"活动编号": "A01", "党员编号": "D003", "姓名": "王五", "出勤": "出席"},
        {"活动编号": "A02", "党员编号": "D001", "姓名": "张三", "出勤": "出席"},
    ]
    data[layout.BRANCH_PROMISES] = [
        {"承诺编号": f"Z{i + 1:02d}", "方面": layout.ASPECTS[i // 3], "工作层面": f"层面{i + 1}", "承诺内容": "内容",
         "承诺方式": "年初承诺", "完成状态": "进行中"}
        for i in range(15)
    ]
    data[layout.MEMBER_PROMISES] = _promises("D001", "张三", 1) + _promises("D002", "李四", 13)
    data[layout.READING] = [
        {"党员编号": "D001", "姓名": "张三", "书名": "《红岩》", "开始日期": D(2026, 3, 1), "完成日期": D(2026, 4, 1),
         "笔记篇数": 3, "考评等级": "优秀"},
    ]
    data[layout.RECOMMENDATIONS] = [
        {"推荐编号": "R01", "推荐日期": D(2026, 5, 6), "党员编号": "D001", "姓名": "张三", "推荐人": "刘老师",
         "环节": "推荐", "是否表彰": "否"},
    ]
    data[layout.EVALUATIONS] = [
        {"评议类型": "群众评议党员", "评议人": "群众01", "评议对象": "D001", "等次": "优秀", "评议日期": D(2026, 6, 29)},
        {"评议类型": "党员评议支部", "评议人": "D001", "评议对象": "领导班子好", "等次": "满意", "评议日期": D(2026, 6, 29)},
    ]
    data[layout.LEDGER] = [
        {"日期": D(2026, 5, 20), "党员编号": "D001", "姓名": "张三", "事项类别": "教科研", "事由": "县级课题结题",
         "分值": 3, "审核人": "书记"},
    ]
    data[layout.DEVELOPMENT] = [
        {"姓名": "周七", "性别": "男", "出生日期": D(1996, 8, 9), "申请入党日期": D(2024, 3, 5),
         "确定积极分子日期": D(2024, 6, 1), "确定发展对象日期": D(2025, 6, 3)},
    ]
    return data


@pytest.fixture
def data() -> dict[str, list[dict]]:
    return copy.deepcopy(clean_data())


@pytest.fixture
def build(tmp_path: Path):
    """Build a master workbook from data; returns its path."""

    def _build(rows: dict[str, list[dict]], name: str = "master.xlsx") -> Path:
        return build_master(tmp_path / name, rows)

    return _build


@pytest.fixture
def validate(build):
    """Build the workbook, read it back, and validate it: returns (branch, report)."""

    def _validate(rows: dict[str, list[dict]], today: dt.date = TODAY):
        path = build(rows)
        return load(read_book(path, wanted_sheets()), today)

    return _validate


def raw_book(rows: dict[str, list[dict]]) -> RawBook:
    """The same data as a workbook would read back, built in memory (for fast property tests)."""
    sheets = {}
    for spec in layout.INPUT_SHEETS:
        headers = list(spec.headers)
        body = [(index + 2, [row.get(h) for h in headers]) for index, row in enumerate(rows.get(spec.name, []))]
        sheets[spec.name] = RawSheet(spec.name, headers, body)
    return RawBook(Path("memory.xlsx"), list(sheets), sheets)


def load_data(rows: dict[str, list[dict]], today: dt.date = TODAY):
    """Validate in-memory data: (branch, report)."""
    return load(raw_book(rows), today)


def soffice_convert(path: Path, fmt: str, outdir: Path) -> Path:
    """Convert a file with LibreOffice headless (its own profile, so tests may run in parallel)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.fail("LibreOffice (soffice) is not installed: run bash .ci/run or apt-get install libreoffice-calc-nogui")
    profile = outdir / "lo-profile"
    outdir.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", fmt, "--outdir", str(outdir), str(path)],
        check=True, capture_output=True, timeout=180,
    )
    result = outdir / (path.stem + "." + fmt.split(":")[0])
    assert result.exists() and result.stat().st_size > 0, f"LibreOffice did not convert {path.name} to {fmt}"
    return result
