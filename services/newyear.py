"""Next year's master from this year's: `python sync.py newyear OLD NEW [--year YYYY]`.

OLD is only read (with the project's reader, never opened for writing). NEW is built by
`services.create.build_master`, so it has every sheet, drop-down and (for .xlsm) button
exactly as `init` makes them, and gets the launchers `init` writes. What is carried over
(the spec's "The next year"):

- 基本设置: every row as typed, 年度开始日期 and 年度结束日期 moved to the new year, 积分截止日期 blank;
- 党小组, 积分规则, 发展党员 (the pipeline goes on): every row;
- 党员名册: every row but the 转出 members;
- 节假日: the rows touching the new year;
- 支部承诺: the rows not 已完成, marked in 完成说明 (由2026年度转入);
- 活动计划: the “十个一” rows as a plan: 计划日期, 实际日期 and 备注 cleared, 状态 计划中, 计划月份 without a year.

Everything else (承诺, 签到, 读书, 推荐, 评议, 加减分, other activities) starts empty. A cell that
could not be read in OLD is carried as it was typed, so nothing staff wrote is lost on the way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from services.create import build_master
from services.launchers import write_launchers
from workbook import layout
from workbook.raw import RawBook
from workbook.reader import read_book
from workplan import pipeline
from workplan.branch import Branch
from workplan.checks.development import add_years
from workplan.records import Record
from workplan.settings import settings_pairs

CARRIED_MARK = layout.CARRIED_NOTE
YEAR_KEYS = ("年度开始日期", "年度结束日期")
EMPTY_SHEETS = (layout.MEMBER_PROMISES, layout.ATTENDANCE_SHEET, layout.READING, layout.RECOMMENDATIONS,
                layout.EVALUATIONS, layout.LEDGER)


@dataclass
class NewYear:
    """The rows of the new master and what was carried, for the summary."""

    old_year: int
    year: int
    start: dt.date  # the new year's first and last day
    end: dt.date
    data: dict[str, list[dict[str, Any]]]
    carried: dict[str, int] = field(default_factory=dict)  # sheet -> rows carried
    left_out: dict[str, int] = field(default_factory=dict)  # sheet -> rows of OLD not carried


def plan_new_year(raw: RawBook, branch: Branch, year: int | None = None) -> NewYear:
    """The new master's rows from OLD's raw book and its validated branch; `year` defaults to the old one + 1."""
    old_year = branch.settings.year_start.year
    year = year or old_year + 1
    years = year - old_year
    start, end = add_years(branch.settings.year_start, years), add_years(branch.settings.year_end, years)
    plan = NewYear(old_year, year, start, end, {})
    plan.data[layout.SETTINGS] = _settings(raw, start, end)
    _carry(plan, branch, layout.GROUPS, lambda r: True)
    _carry(plan, branch, layout.MEMBERS, lambda r: r["在册状态"] != "转出")
    _carry(plan, branch, layout.RULES, lambda r: True)
    _carry(plan, branch, layout.DEVELOPMENT, lambda r: True)
    _carry(plan, branch, layout.HOLIDAYS, lambda r: _touches(r, start, end))
    _carry(plan, branch, layout.BRANCH_PROMISES, lambda r: r["完成状态"] != "已完成", _mark_carried(old_year))
    _carry(plan, branch, layout.ACTIVITIES, lambda r: r["类别"] == "十个一", _as_plan)
    for sheet in EMPTY_SHEETS:
        plan.data[sheet] = []
        plan.left_out[sheet] = len(branch.records(sheet))
    return plan


def _settings(raw: RawBook, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """基本设置 as typed, the year's dates moved (added when OLD lacks them) and the cut-off left blank (it is
    this year's)."""
    sheet = raw.sheet(layout.SETTINGS)
    note_col = sheet.column_of("说明") if sheet is not None else None
    moved = {"年度开始日期": start, "年度结束日期": end, "积分截止日期": None}
    rows, cells_of = [], dict(sheet.rows) if sheet is not None else {}
    for key, (row, value) in settings_pairs(sheet).items():
        cells = cells_of.get(row, [])
        note = cells[note_col] if note_col is not None and note_col < len(cells) else None
        rows.append({"项目": key, "值": moved.get(key, value), "说明": note})
    typed = {row["项目"] for row in rows}
    rows += [{"项目": key, "值": value} for key, value in moved.items() if key not in typed and value is not None]
    return rows


def _carry(plan: NewYear, branch: Branch, sheet: str, keep, change=None) -> None:
    spec = layout.SPECS[sheet]
    rows, dropped = [], 0
    for record in branch.records(sheet):
        if not keep(record):
            dropped += 1
            continue
        row = {column.name: _typed_value(record, column.name) for column in spec.columns}
        rows.append(change(row, record) if change else row)
    plan.data[sheet], plan.carried[sheet], plan.left_out[sheet] = rows, len(rows), dropped


def _typed_value(record: Record, column: str) -> Any:
    """The value as read, or what was typed when it could not be read (nothing is lost)."""
    value = record[column]
    if value is None and record.unread and column in record.unread:
        return record.unread[column]
    return value


def _touches(record: Record, start: dt.date, end: dt.date) -> bool:
    first = record["开始日期"]
    last = record["结束日期"] or first
    return first is not None and first <= end and last >= start


def _mark_carried(old_year: int):
    def mark(row: dict[str, Any], record: Record) -> dict[str, Any]:
        note = row.get("完成说明") or ""
        mark_text = CARRIED_MARK.format(year=old_year)
        row["完成说明"] = mark_text if not note else f"{mark_text}；{note}"
        return row

    return mark


def _as_plan(row: dict[str, Any], record: Record) -> dict[str, Any]:
    """A “十个一” row as next year's plan: no dates, 计划中, the planned months without a year."""
    months = record["计划月份"]
    if months is not None:
        first, last = months
        row["计划月份"] = f"{first}月" if first == last else f"{first}—{last}月"
    row.update({"计划日期": None, "实际日期": None, "状态": layout.PLANNED, "备注": None})
    return row


def summary_lines(plan: NewYear, old: Path, new: Path) -> list[str]:
    """What was carried over (with counts) and what starts empty, in Chinese."""
    carried, left_out = plan.carried, plan.left_out
    start, end = plan.start, plan.end
    return [
        f"已由“{old.name}”（{plan.old_year}年度）新建 {plan.year} 年度总台账：{new}",
        f"“{old.name}”只读取，没有任何改动。",
        "转入新台账的内容：",
        f"  基本设置：年度改为 {start.isoformat()} 至 {end.isoformat()}，积分截止日期已清空，其余设置照旧",
        f"  党小组 {carried[layout.GROUPS]} 个，积分规则 {carried[layout.RULES]} 条，发展党员 {carried[layout.DEVELOPMENT]} 人（培养过程接着记）",
        f"  党员名册 {carried[layout.MEMBERS]} 人（转出的 {left_out[layout.MEMBERS]} 人没有转入）",
        f"  支部承诺 {carried[layout.BRANCH_PROMISES]} 项尚未完成的承诺，完成说明中注明“{CARRIED_MARK.format(year=plan.old_year)}”"
        f"（已完成的 {left_out[layout.BRANCH_PROMISES]} 项没有转入）",
        f"  活动计划：“十个一”活动 {carried[layout.ACTIVITIES]} 项，作为新年度的计划（日期、状态、备注和签到已清空）",
        f"  节假日 {carried[layout.HOLIDAYS]} 行（日期在新年度内的）",
        "从空白开始：党员承诺、活动签到、读书记录、优秀推荐、评议记录、加减分，以及“十个一”以外的活动"
        f"（共 {sum(left_out[s] for s in EMPTY_SHEETS) + left_out[layout.ACTIVITIES]} 行留在旧台账中）。",
        f"下一步：照国务院的放假通知把 {plan.year} 年的法定节假日和学校的寒暑假填入“节假日”表，核对“基本设置”，"
        "再填写新年度的支部承诺和党员承诺（填好之前，校验会提示承诺不全）。",
    ]


def new_year(old: Path, new: Path, year: int | None, today: dt.date) -> tuple[NewYear | None, pipeline.Refresh]:
    """Read OLD and build NEW and its launchers; the plan (None when OLD lacks sheets or columns) and OLD's validation.

    The caller refuses a NEW that exists before calling.
    """
    raw = read_book(old, pipeline.wanted_for_refresh())
    loaded = pipeline.validate_only(raw, today)
    if not loaded.runnable:
        return None, loaded
    plan = plan_new_year(raw, loaded.branch, year)
    build_master(new, plan.data)
    write_launchers(new)
    return plan, loaded
