"""read_frames: the master as DataFrames, typed as a user means them; pandas off the refresh and button paths."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import sync
from conftest import TODAY, clean_data
from services.create import build_master
from workbook import layout

ROOT = Path(__file__).resolve().parent.parent


def frames_data() -> dict[str, list[dict]]:
    """The clean branch and: member 007 (a leading-zero 编号, 离退休: no commitments needed) who signs in, a 入党日期 typed as text,
    a 性别 outside the list (an error on D002's row), a 分值 that is no number (an error on a ledger row)."""
    data = clean_data()
    data[layout.MEMBERS].append({"党员编号": "007", "姓名": "钱七", "性别": "女", "党小组": "二组", "政治面貌": "正式党员",
                                 "在册状态": "离退休", "入党日期": "2020年7月1日"})
    data[layout.MEMBERS][1]["性别"] = "女性"
    data[layout.ATTENDANCE_SHEET].append({"活动编号": "A01", "党员编号": "007", "姓名": "钱七", "出勤": "出席"})
    data[layout.LEDGER].append({"日期": dt.date(2026, 6, 1), "党员编号": "D002", "姓名": "李四", "事项类别": "其他",
                                "事由": "补记", "分值": "三分", "审核人": "书记"})
    return data


@pytest.fixture(scope="module")
def master(tmp_path_factory) -> Path:
    path = build_master(tmp_path_factory.mktemp("frames") / "master.xlsx", frames_data())
    assert sync.main(["refresh", str(path), "--today", TODAY.isoformat()]) == 1  # the two errors above
    return path


@pytest.fixture(scope="module")
def frames(master):
    from workbook import read_frames

    return read_frames(master, TODAY)


def test_every_input_sheet_in_the_contract_columns_then_the_scores(frames):
    assert list(frames) == [*layout.INPUT_SHEET_NAMES, "个人积分", "小组积分", "积分历史"]
    for spec in layout.INPUT_SHEETS:
        expected = [h for h in spec.headers if h != "联系电话"] + ["excel_row", "has_error"]
        assert list(frames[spec.name].columns) == expected


def test_dtypes_as_a_user_means_them(frames):
    members = frames[layout.MEMBERS]
    assert members["党员编号"].dtype == "str" and members["姓名"].dtype == "str"
    assert str(members["入党日期"].dtype) == "datetime64[ns]"
    assert isinstance(members["性别"].dtype, pd.CategoricalDtype)
    assert list(members["性别"].cat.categories) == ["男", "女"]
    assert list(members["在册状态"].cat.categories) == list(layout.STATUSES)
    assert members["excel_row"].dtype == "int64" and members["has_error"].dtype == "bool"
    assert frames[layout.LEDGER]["分值"].dtype == "float64"
    assert frames[layout.READING]["笔记篇数"].tolist() == [3.0]
    assert frames[layout.ACTIVITIES]["计划月份"].tolist() == ["3月", "4—7月", "12月"]
    assert frames["个人积分"]["排名"].dtype == "int64" and frames["个人积分"]["总分"].dtype == "float64"


def test_a_leading_zero_code_stays_text_and_a_date_typed_as_text_is_parsed(frames):
    members = frames[layout.MEMBERS]
    row = members[members["党员编号"] == "007"].iloc[0]
    assert row["excel_row"] == 6 and row["入党日期"] == pd.Timestamp(2020, 7, 1) and not row["has_error"]
    assert "007" in frames[layout.ATTENDANCE_SHEET]["党员编号"].tolist()
    assert "007" in frames["个人积分"]["党员编号"].tolist()


def test_the_rows_with_errors_are_marked_and_their_unreadable_cells_missing(frames):
    members = frames[layout.MEMBERS]
    assert members.loc[members["has_error"], "党员编号"].tolist() == ["D002"]
    assert pd.isna(members.loc[members["党员编号"] == "D002", "性别"].iloc[0])
    ledger = frames[layout.LEDGER]
    assert ledger["has_error"].tolist() == [False, True] and ledger["excel_row"].tolist() == [2, 3]
    assert ledger["分值"].tolist()[0] == 3.0 and pd.isna(ledger["分值"].tolist()[1])


def test_member_scores_equal_what_sync_refresh_wrote(master, frames):
    sheet = openpyxl.load_workbook(master, read_only=True)["个人积分"]
    rows = list(sheet.iter_rows(values_only=True))
    header = next(i for i, row in enumerate(rows) if row[0] == "党员编号")
    written = []
    for row in rows[header + 1:]:
        if row[0] is None:
            break
        written.append(list(row[: len(rows[header])]))
    ours = frames["个人积分"]
    assert list(ours.columns) == [h.replace("\n", "") for h in rows[header]]  # the sheet puts （分） on a line of its own
    assert ours.values.tolist() == written
    # by hand: D001 2 + 1 (A01, A02) + 1 + 3 (红岩, 优秀) + 1 (推荐) + 5 (评议优秀) + 3 (加减分) = 16; 007 and D003 2 (A01);
    # D002 0 (请假; the ledger row with 分值 三分 has an error and does not count; the wrong 性别 is no key column)
    assert ours[["党员编号", "总分", "排名"]].values.tolist() == [["D001", 16.0, 1], ["007", 2.0, 2], ["D003", 2.0, 2],
                                                              ["D002", 0.0, 4]]


def test_phones_only_when_asked_by_name(master, frames):
    assert all("联系电话" not in frame.columns for frame in frames.values())
    assert "13812345678" not in "".join(frame.to_csv() for frame in frames.values())
    from workbook import read_frames

    with_phones = read_frames(master, TODAY, with_phones=True)[layout.MEMBERS]
    assert with_phones["联系电话"].tolist()[0] == "13812345678"


def test_today_none_is_the_clock(master):
    from services.frames import read_frames

    history = read_frames(master)["积分历史"]
    year, week, _ = dt.date.today().isocalendar()
    assert f"{year}-W{week:02d}" in history["周次"].tolist()


PROBE = """
import runpy, sys
sys.argv = {argv!r}
sys.path.insert(0, {tests!r})
try:
    {run}
except SystemExit as done:
    print("exit", done.code)
print("pandas" in sys.modules, "services.frames" in sys.modules)
"""
STANDIN_CLICK = ("import datetime, com_standin as cs, macros; from pathlib import Path; from macros import live; "
                 "xl, wb = cs.open_book(Path(sys.argv[1])); "
                 "done = macros.refresh(live.Live(None, 'com', wb=wb, com_error=cs.ComError, show=lambda *a: None), "
                 "datetime.date(2026, 11, 26)); print(done.message.splitlines()[0])")


@pytest.mark.parametrize("argv, run", [
    (["sync.py", "refresh", "{path}", "--today", "2026-11-26"], "runpy.run_path('sync.py', run_name='__main__')"),
    (["macros", "刷新", "{path}", "--today", "2026-11-26"], "runpy.run_module('macros', run_name='__main__')"),
    (["click", "{path}"], STANDIN_CLICK),
], ids=["sync-refresh", "python-m-macros", "button-on-standin"])
def test_refresh_and_the_buttons_never_import_pandas(tmp_path, argv, run):
    path = build_master(tmp_path / "master.xlsm", clean_data())
    code = PROBE.format(argv=[a.format(path=path) for a in argv], tests=str(ROOT / "tests"), run=run)
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "False False", done.stdout
    assert "Traceback" not in done.stdout + done.stderr
