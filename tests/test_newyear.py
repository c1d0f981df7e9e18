"""`python sync.py newyear OLD NEW`: next year's master from the demo, with a fixed clock.

The demo (2026-11-26) is refreshed first, as a real OLD is. Its rows are compared with NEW's
sheet by sheet: what was carried (转出 members gone, dates moved, 支部承诺 only when not 已完成,
the “十个一” as a plan), what starts empty; OLD's bytes are unchanged; NEW validates.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import zipfile

import pytest

import sync
from services.create import build_master
from services.interpreter import invocation
from services.demo import demo_data
from workbook import layout as L
from workbook.reader import read_book
from workbook.values import to_months
from workplan import pipeline
from workplan.validate import load

TODAY = dt.date(2026, 11, 26)
D = dt.date
HOLIDAYS_2027 = [
    {"名称": "元旦", "开始日期": D(2027, 1, 1), "结束日期": D(2027, 1, 3), "类型": "法定节假日", "备注": "国务院办公厅通知"},
    {"名称": "寒假", "开始日期": D(2027, 1, 23), "结束日期": D(2027, 2, 21), "类型": "学校假期", "备注": "县教育局校历"},
]


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def old_data(mistakes=True):
    data = demo_data(TODAY, mistakes)
    data[L.HOLIDAYS] += copy.deepcopy(HOLIDAYS_2027)  # the secretary typed next year's notice already
    return data


@pytest.fixture(scope="module")
def carried(tmp_path_factory):
    """OLD (the demo, refreshed) and NEW made from it: (old, new, exit code, printed text, OLD's hash before)."""
    folder = tmp_path_factory.mktemp("newyear")
    old, new = folder / "党建工作台账2026.xlsm", folder / "党建工作台账2027.xlsm"
    build_master(old, old_data())
    assert sync.main(["refresh", str(old), "--today", "2026-11-26"]) == 1  # the demo's planted errors
    before = sha(old)
    import io
    from contextlib import redirect_stdout

    out = io.StringIO()
    with redirect_stdout(out):
        code = sync.main(["newyear", str(old), str(new), "--today", "2026-12-02"])
    return old, new, code, out.getvalue(), before


def records(path, today=D(2027, 1, 5)):
    branch, report = load(read_book(path, pipeline.wanted_for_refresh()), today)
    return branch, report


def typed(record, columns):
    """A record's values as typed: the read value, or what was typed where it could not be read."""
    return {c: record[c] if record[c] is not None or not record.unread or c not in record.unread else record.unread[c]
            for c in columns}


def rows_of(path, sheet):
    branch, _ = records(path)
    return [typed(r, L.SPECS[sheet].headers) for r in branch.records(sheet)]


def expected(rows, sheet):
    return [{c: row.get(c) if row.get(c) != "" else None for c in L.SPECS[sheet].headers} for row in rows]


def test_old_is_unchanged_and_new_is_an_xlsm_with_buttons_and_launchers(carried):
    old, new, code, _, before = carried
    assert code == 0 and sha(old) == before
    with zipfile.ZipFile(new) as book:
        names = set(book.namelist())
    assert "xl/vbaProject.bin" in names and any(n.startswith("xl/drawings/vmlDrawing") for n in names)
    raw = read_book(new, pipeline.wanted_for_refresh())
    assert raw.sheet_names == [L.GUIDE, *L.INPUT_SHEET_NAMES, L.LISTS_SHEET, "xlwings.conf"]
    assert sorted(p.name for p in new.parent.glob("*.cmd")) == ["刷新.cmd", "日历.cmd", "校验.cmd", "生成报表.cmd"]


def test_settings_move_to_the_new_year(carried):
    old, new, *_ = carried
    pairs = {r["项目"]: r["值"] for r in rows_of(new, L.SETTINGS)}
    old_pairs = {r["项目"]: r["值"] for r in rows_of(old, L.SETTINGS)}
    assert (pairs["年度开始日期"], pairs["年度结束日期"], pairs["积分截止日期"]) == ("2027-01-01", "2027-12-31", None)
    assert old_pairs["年度开始日期"] == "2026-01-01"  # 基本设置's 值 is a text column: dates read as their ISO text
    assert {k: v for k, v in pairs.items() if k not in ("年度开始日期", "年度结束日期")} == \
        {k: v for k, v in old_pairs.items() if k not in ("年度开始日期", "年度结束日期")}
    branch, _ = records(new)
    assert (branch.settings.year_start, branch.settings.year_end, branch.settings.cutoff) == (D(2027, 1, 1), D(2027, 12, 31), None)
    assert branch.settings.branch == "青山镇中心学校党支部"


def test_members_without_the_transferred_one(carried):
    _, new, *_ = carried
    data = old_data()
    kept = [m for m in data[L.MEMBERS] if m["在册状态"] != "转出"]
    assert [m["党员编号"] for m in data[L.MEMBERS] if m["在册状态"] == "转出"] == ["D030"]
    assert rows_of(new, L.MEMBERS) == expected(kept, L.MEMBERS)  # 性别 “男性” of D006 carried as typed
    assert len(kept) == 39


@pytest.mark.parametrize("sheet", [L.GROUPS, L.RULES, L.DEVELOPMENT])
def test_sheets_carried_whole(carried, sheet):
    _, new, *_ = carried
    assert rows_of(new, sheet) == expected(old_data()[sheet], sheet)


def test_branch_promises_carried_only_when_not_done(carried):
    _, new, *_ = carried
    rows = [dict(r) for r in old_data()[L.BRANCH_PROMISES] if r["完成状态"] != "已完成"]
    assert [r["承诺编号"] for r in rows] == ["Z01", "Z02", "Z04", "Z05", "Z07", "Z08", "Z10", "Z11", "Z13", "Z14", "Z16"]
    for row in rows:
        row["完成说明"] = "由2026年度转入" + (f"；{row['完成说明']}" if row["完成说明"] else "")
    assert rows_of(new, L.BRANCH_PROMISES) == expected(rows, L.BRANCH_PROMISES)
    assert rows_of(new, L.BRANCH_PROMISES)[-1]["完成说明"] == "由2026年度转入；群众新要求，3月增加"


def test_ten_activities_as_a_plan(carried):
    _, new, *_ = carried
    ten = [r for r in old_data()[L.ACTIVITIES] if r["类别"] == "十个一"]
    plan = [{**r, "计划日期": None, "实际日期": None, "状态": "计划中", "备注": None} for r in ten]
    assert len(plan) == 19 and rows_of(new, L.ACTIVITIES) == [
        {**row, "计划月份": to_months(row["计划月份"])} for row in expected(plan, L.ACTIVITIES)]
    assert [r["计划月份"] for r in rows_of(new, L.ACTIVITIES)][-4:] == [(4, 7)] * 4  # 4—7月 for each group
    assert {r["状态"] for r in ten} == {"已完成", "已取消", "计划中"}  # OLD had every state


def test_holidays_of_the_new_year_only_and_the_rest_empty(carried):
    _, new, *_ = carried
    assert rows_of(new, L.HOLIDAYS) == expected(HOLIDAYS_2027, L.HOLIDAYS)
    for sheet in (L.MEMBER_PROMISES, L.ATTENDANCE_SHEET, L.READING, L.RECOMMENDATIONS, L.EVALUATIONS, L.LEDGER):
        assert rows_of(new, sheet) == [], sheet


def test_new_carries_only_olds_own_errors(carried):
    _, new, *_ = carried
    _, report = records(new)
    assert report.codes() == [
        (L.MEMBERS, 7, "性别", "bad-choice"),  # the demo's planted mistakes on rows that were carried
        (L.BRANCH_PROMISES, None, "承诺内容", "promises-not-started"),
        (L.BRANCH_PROMISES, 12, "新增日期", "dynamic-without-date"),
        (L.MEMBER_PROMISES, None, "承诺内容", "promises-not-started"),
        (L.DEVELOPMENT, 4, "确定发展对象日期", "dev-training-year"),
    ]


def test_new_validates_without_errors_when_old_did(tmp_path, capsys):
    old, new = tmp_path / "old.xlsx", tmp_path / "new.xlsx"
    build_master(old, old_data(mistakes=False))
    assert sync.main(["validate", str(old), "--today", "2026-11-26"]) == 0
    assert sync.main(["newyear", str(old), str(new), "--today", "2026-12-02"]) == 0
    capsys.readouterr()
    assert sync.main(["validate", str(new), "--today", "2027-01-05"]) == 0
    _, report = records(new)
    assert report.errors == [] and [f.code for f in report.warnings] == ["promises-not-started"] * 2


def test_what_it_prints(carried):
    old, new, _, out, _ = carried
    assert out.splitlines() == [
        f"已由“{old.name}”（2026年度）新建 2027 年度总台账：{new}",
        f"“{old.name}”只读取，没有任何改动。",
        "转入新台账的内容：",
        "  基本设置：年度改为 2027-01-01 至 2027-12-31，积分截止日期已清空，其余设置照旧",
        "  党小组 4 个，积分规则 21 条，发展党员 5 人（培养过程接着记）",
        "  党员名册 39 人（转出的 1 人没有转入）",
        "  支部承诺 11 项尚未完成的承诺，完成说明中注明“由2026年度转入”（已完成的 5 项没有转入）",
        "  活动计划：“十个一”活动 19 项，作为新年度的计划（日期、状态、备注和签到已清空）",
        "  节假日 2 行（日期在新年度内的）",
        f"从空白开始：党员承诺、活动签到、读书记录、优秀推荐、评议记录、加减分，以及“十个一”以外的活动（共 {_left(old)} 行留在旧台账中）。",
        "下一步：照国务院的放假通知把 2027 年的法定节假日和学校的寒暑假填入“节假日”表，核对“基本设置”，"
        "再填写新年度的支部承诺和党员承诺（填好之前，校验会提示承诺不全）。",
        f"注意：“{old.name}”有 11 处错误，转入的行照原样带到了新台账，请一并改正（运行 {invocation('sync.py', 'validate', str(new))} 查看）。",
    ]


def _left(old) -> int:
    data = old_data()
    sheets = (L.MEMBER_PROMISES, L.ATTENDANCE_SHEET, L.READING, L.RECOMMENDATIONS, L.EVALUATIONS, L.LEDGER)
    return sum(len(data[s]) for s in sheets) + sum(r["类别"] != "十个一" for r in data[L.ACTIVITIES])


def test_refuses_an_existing_new_and_takes_the_year(tmp_path, capsys):
    old, new = tmp_path / "old.xlsx", tmp_path / "new.xlsx"
    build_master(old, old_data(mistakes=False))
    new.write_bytes(b"staff file")
    assert sync.main(["newyear", str(old), str(new), "--today", "2026-12-02"]) == 2
    assert new.read_bytes() == b"staff file" and "已经存在" in capsys.readouterr().out
    later = tmp_path / "2030.xlsx"
    assert sync.main(["newyear", str(old), str(later), "--year", "2030", "--today", "2026-12-02"]) == 0
    branch, _ = records(later, D(2030, 1, 5))
    assert (branch.settings.year_start, branch.settings.year_end) == (D(2030, 1, 1), D(2030, 12, 31))
    assert rows_of(later, L.HOLIDAYS) == []  # none of OLD's rows touch 2030


def test_a_year_outside_1900_to_2100_is_refused_in_chinese(tmp_path, capsys):
    old, new = tmp_path / "old.xlsx", tmp_path / "new.xlsx"
    build_master(old, old_data(mistakes=False))
    for typed in ("99999", "1899", "明年"):
        with pytest.raises(SystemExit) as stopped:
            sync.main(["newyear", str(old), str(new), "--year", typed, "--today", "2026-12-02"])
        assert stopped.value.code == 2 and not new.exists()
        assert capsys.readouterr().err.splitlines()[0] == (
            f"命令写法有误：参数 --year 有误：年度“{typed}”有误，请写 1900 年至 2100 年之间的年份，如 2027")


def test_an_old_master_without_its_start_date_gets_the_new_years_dates(tmp_path, capsys):
    old, new = tmp_path / "old.xlsx", tmp_path / "new.xlsx"
    data = old_data(mistakes=False)
    data[L.SETTINGS] = [row for row in data[L.SETTINGS] if row["项目"] not in ("年度开始日期", "年度结束日期")]
    build_master(old, data)
    code = sync.main(["newyear", str(old), str(new), "--year", "2027", "--today", "2026-12-02"])
    out = capsys.readouterr().out
    assert code == 0 and "程序遇到意外问题" not in out
    assert "  基本设置：年度改为 2027-01-01 至 2027-12-31，积分截止日期已清空，其余设置照旧" in out.splitlines()
    branch, _ = records(new, D(2027, 1, 5))
    assert (branch.settings.year_start, branch.settings.year_end) == (D(2027, 1, 1), D(2027, 12, 31))
