"""The roll-up's town-wide tables, on pandas: every scored member, every group, attendance by month.

The workers of `services.rollup` hand back each branch's rows (the 个人积分 and 小组积分 rows of
`workplan.sheets.scores`, plain lists that pickle cheaply) with its `YearReport`; here the main
process concatenates them into DataFrames and ranks across branches:

- `town_members`: 支部, 党小组, 党员编号, 姓名, 总分, 支部内排名 (the branch's own 排名) and
  全镇排名 (competition ranks over every branch, pandas' rank method "min": 1, 2, 2, 4);
- `town_groups`: every party group with its branch's figures, 支部内排名 and 全镇排名 the same way;
- `month_turnout`: per branch and month of the activities' 实际日期, the sign-ins of completed
  activities counted as in the report (出席 ÷ 签到人次, the scored members'), and the town's month
  by month (the sum over branches).

`town_sections` turns them into the report's titled `Table`s with chart hints, so the roll-up
workbook gets native charts and the HTML page PNGs from the same numbers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pandas as pd

from workplan.report import Share, YearReport
from workplan.report_tables import ChartHint, Section, Table, table

BRANCH, GROUP, CODE, NAME, TOTAL = "支部", "党小组", "党员编号", "姓名", "总分"
BRANCH_RANK, TOWN_RANK = "支部内排名", "全镇排名"
MONTH, PRESENT, LEAVE, ABSENT, SIGN_INS, RATE = "月份", "出席", "请假", "缺席", "签到人次", "出勤率"
MEMBER_COLUMNS = (CODE, NAME, GROUP, TOTAL, BRANCH_RANK)  # rollup.MEMBER_FIELDS, 排名 named for the town
GROUP_COLUMNS = (GROUP, "人数", "成员平均分", "活动得分", TOTAL, BRANCH_RANK)  # rollup.GROUP_FIELDS
CHARTED = 20  # the members and groups a chart shows: the first ones of the town ranking
TOWN = "全镇"
WHOLE_YEAR = "全年"


def town_ranked(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` (branch by branch, each by its own rank) with 全镇排名, the competition ranks of 总分 across
    every branch, and sorted by it; equal ranks stay in the order of the files, then of the branch's rank."""
    frame[TOWN_RANK] = frame[TOTAL].round(6).rank(method="min", ascending=False).astype("int64")
    return frame.sort_values(TOWN_RANK, kind="stable").reset_index(drop=True)


def town_members(branches: Sequence[tuple[str, Sequence[Sequence[Any]]]]) -> pd.DataFrame:
    """Every scored member of every branch: (支部名称, its 个人积分 rows) in, ranked across the town."""
    rows = [[branch, *row] for branch, members in branches for row in members]
    frame = pd.DataFrame(rows, columns=[BRANCH, *MEMBER_COLUMNS]).astype(
        {BRANCH: "str", CODE: "str", NAME: "str", GROUP: "str", TOTAL: "float64", BRANCH_RANK: "int64"})
    return town_ranked(frame)[[BRANCH, GROUP, CODE, NAME, TOTAL, BRANCH_RANK, TOWN_RANK]]


def town_groups(branches: Sequence[tuple[str, Sequence[Sequence[Any]]]]) -> pd.DataFrame:
    """Every party group of every branch: (支部名称, its 小组积分 rows) in, ranked across the town."""
    rows = [[branch, *row] for branch, groups in branches for row in groups]
    frame = pd.DataFrame(rows, columns=[BRANCH, *GROUP_COLUMNS]).astype(
        {BRANCH: "str", GROUP: "str", "人数": "int64", "成员平均分": "float64", "活动得分": "float64", TOTAL: "float64",
         BRANCH_RANK: "int64"})
    return town_ranked(frame)


def month_turnout(reports: Sequence[YearReport]) -> pd.DataFrame:
    """支部, 月份 (2026-03), 出席, 请假, 缺席, 签到人次, 出勤率: the completed activities' sign-ins by month."""
    rows = [[report.branch, f"{t.day.year}-{t.day.month:02d}", t.present, t.leave, t.absent]
            for report in reports for t in report.attendance.activities if t.day is not None]
    frame = pd.DataFrame(rows, columns=[BRANCH, MONTH, PRESENT, LEAVE, ABSENT]).astype(
        {BRANCH: "str", MONTH: "str", PRESENT: "int64", LEAVE: "int64", ABSENT: "int64"})
    order = {report.branch: index for index, report in enumerate(reports)}
    frame = frame.groupby([BRANCH, MONTH], as_index=False, sort=False)[[PRESENT, LEAVE, ABSENT]].sum()
    frame = frame.sort_values([MONTH, BRANCH], key=lambda c: c.map(order) if c.name == BRANCH else c, kind="stable")
    return _with_rate(frame.reset_index(drop=True))


def town_months(months: pd.DataFrame) -> pd.DataFrame:
    """The town's sign-ins month by month: 月份, 支部数, 出席, 请假, 缺席, 签到人次, 出勤率."""
    grouped = months.groupby(MONTH, as_index=False, sort=True)
    frame = grouped[[PRESENT, LEAVE, ABSENT]].sum()
    frame.insert(1, "支部数", grouped[BRANCH].nunique()[BRANCH].to_numpy())
    return _with_rate(frame)


def branch_months(months: pd.DataFrame, branches: Sequence[str]) -> pd.DataFrame:
    """支部 down, 月份 across, each cell that month's 出勤率, then the whole year's (blank: no sign-ins)."""
    present = months.pivot_table(index=BRANCH, columns=MONTH, values=PRESENT, aggfunc="sum")
    signed = months.pivot_table(index=BRANCH, columns=MONTH, values=SIGN_INS, aggfunc="sum")
    rates = (present / signed).reindex(list(dict.fromkeys(branches)))
    totals = months.groupby(BRANCH)[[PRESENT, SIGN_INS]].sum().reindex(rates.index)
    rates[WHOLE_YEAR] = totals[PRESENT] / totals[SIGN_INS]
    return rates.rename_axis(index=BRANCH, columns=None).reset_index()


def _with_rate(frame: pd.DataFrame) -> pd.DataFrame:
    frame[SIGN_INS] = frame[PRESENT] + frame[LEAVE] + frame[ABSENT]
    frame[RATE] = frame[PRESENT] / frame[SIGN_INS].where(frame[SIGN_INS] > 0)
    return frame


def rows_of(frame: pd.DataFrame, shares: Sequence[str] = ()) -> list[list[Any]]:
    """The frame's rows as Python values: NaN as None, the columns in `shares` as `Share` (shown in percent)."""
    percent = {frame.columns.get_loc(name) for name in shares if name in frame.columns}
    return [[_cell(value, index in percent) for index, value in enumerate(row)] for row in frame.itertuples(index=False)]


def _cell(value: Any, percent: bool) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if percent:
        return Share(value)
    return value.item() if hasattr(value, "item") else value


def town_sections(reports: Sequence[YearReport], members: pd.DataFrame, groups: pd.DataFrame) -> list[Section]:
    """The roll-up's sheets after the branch comparison: 全镇党员, 党小组排名, 各月出勤."""
    months = month_turnout(reports)
    by_branch = branch_months(months, [r.branch for r in reports])
    month_columns = [c for c in by_branch.columns if c != BRANCH]
    return [
        Section("全镇党员排名", "全镇计分党员排名", (_members_table(members),)),
        Section("党小组排名", "全镇党小组排名", (_groups_table(groups),)),
        Section("各月出勤", "各月出勤率", (
            table("全镇各月出勤率", tuple(town_months(months).columns), rows_of(town_months(months), (RATE,)),
                  ChartHint("line", "全镇各月出勤率", (6,), y_title="出勤率"),
                  "按活动的实际日期计月；出勤率 = 出席 ÷ 签到人次（已完成活动、计分党员），与各支部报表的口径相同。"),
            table("各支部各月出勤率", tuple(by_branch.columns), rows_of(by_branch, month_columns),
                  note="空白表示该支部当月没有已完成活动的签到。"),
            table("各支部各月签到", tuple(months.columns), rows_of(months, (RATE,))),
        )),
    ]


def _members_table(members: pd.DataFrame) -> Table:
    return table("全镇计分党员排名", tuple(members.columns), rows_of(members),
                 ChartHint("bar", f"全镇总分前 {CHARTED} 名", (4,), category=3, rows=CHARTED, y_title="总分"),
                 "每个支部的计分党员（与各支部“个人积分”表相同）；全镇排名按总分，总分相同名次相同（1、2、2、4）。")


def _groups_table(groups: pd.DataFrame) -> Table:
    return table("全镇党小组排名", tuple(groups.columns), rows_of(groups),
                 ChartHint("bar", f"党小组总分前 {CHARTED} 名", (5,), category=1, rows=CHARTED, y_title="总分"),
                 "与各支部“小组积分”表相同（成员平均分 + 活动得分）；全镇排名按总分，总分相同名次相同。")
