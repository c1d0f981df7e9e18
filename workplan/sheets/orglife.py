"""The 组织生活落实 sheet: each required meeting down, the months, quarters and the year across.

A monthly meeting (支委会, each group's 党小组会, 主题党日) fills the month columns, a quarterly
one (支部党员大会, 党课) the quarter columns, a yearly one (组织生活会, 民主评议党员) the 全年
column. A cell holds the day it was held (a link to its 活动计划 row), 未开 in red when the
period is over and it was not held, 未到期 while the period runs, — where the rule asks
nothing. The last columns count held against required. Printed on one landscape A4 width,
the header frozen and repeated.
"""

from __future__ import annotations

import datetime as dt

from workbook import layout
from workbook.sheetmodel import BANNER, PrintSetup, SheetModel, Style

from ..meetings import MONTHLY
from ..orglife import HELD, MISSED, NOT_ASKED, NOT_DUE, Cell, OrgLife, Requirement
from .common import BANNER_STYLE, HEADER_STYLE, TITLE_STYLE, sheet_link

FIXED = ("会议", "组织者", "要求")
COUNTS = ("已开", "应开", "落实率")
FIRST_PERIOD_COL = len(FIXED)
MONTH_WIDTH = 5.8  # “未到期” at 9 pt on one line
HEADER_ROW = 3
LEGEND_ROW = 2
SMALL = Style(border=True, align="center", valign="vcenter", size=9)
LABEL = Style(border=True, valign="vcenter", size=9, wrap=True)
HELD_STYLE = Style(border=True, align="center", valign="vcenter", size=9, fill="#C6EFCE", color="#006100", underline=True)
MISSED_STYLE = Style(border=True, align="center", valign="vcenter", size=9, fill="#FFC7CE", color="#9C0006", bold=True)
NOT_DUE_STYLE = Style(border=True, align="center", valign="vcenter", size=9, color="#7F7F7F")
UNUSED_STYLE = Style(border=True, fill="#F2F2F2")
RATE_STYLE = Style(border=True, align="center", valign="vcenter", size=9, num_format="0%")
TOTAL_STYLE = Style(border=True, align="center", valign="vcenter", size=9, bold=True)
RATE_TOTAL = Style(border=True, align="center", valign="vcenter", size=9, bold=True, num_format="0%")
TEXTS = {MISSED: ("未开", MISSED_STYLE), NOT_DUE: ("未到期", NOT_DUE_STYLE), NOT_ASKED: ("—", NOT_DUE_STYLE)}
LEGEND = ("图例：绿色格为召开日期（点击跳到“活动计划”中的那一行）；红色“未开”为已到期而没有召开；“未到期”为本期尚未结束；"
          "“—”为基本设置中本期不要求。活动计划中类别为“三会一课”（主题党日为“主题党日”）、状态“已完成”、"
          "填了实际日期、名称含会议名称的活动算作召开。")


def orglife_sheet(life: OrgLife, branch_name: str, today: dt.date) -> SheetModel:
    """组织生活落实: the table, a total row, widths and print setup."""
    columns = _columns(life)
    last = len(columns) - 1
    model = SheetModel(layout.ORGLIFE_SHEET)
    model.merge(0, 0, 0, last, BANNER, BANNER_STYLE)
    title = f"{branch_name} 组织生活落实情况（三会一课，统计到 {life.cutoff.isoformat()}，{today.isoformat()} 刷新）"
    model.merge(1, 0, 1, last, title, TITLE_STYLE)
    model.row_heights[1] = 22
    model.merge(LEGEND_ROW, 0, LEGEND_ROW, last, LEGEND, Style(italic=True, size=9, wrap=True, valign="top"))
    model.row_heights[LEGEND_ROW] = 26
    model.put_row(HEADER_ROW, [label for label, _ in columns], HEADER_STYLE)
    model.row_heights[HEADER_ROW] = 24
    row = HEADER_ROW
    for requirement in life.requirements:
        row += 1
        _requirement_row(model, row, requirement, columns)
        model.row_heights[row] = 16
    row += 1
    _total_row(model, row, life, columns)
    _widths(model, columns)
    model.freeze = (HEADER_ROW + 1, FIRST_PERIOD_COL)
    model.print_setup = PrintSetup(landscape=True, repeat_rows=(HEADER_ROW, HEADER_ROW), header="&C组织生活落实")
    return model


def _columns(life: OrgLife) -> list[tuple[str, str | None]]:
    """(header, period label or None) of every column."""
    months = [(f"{p.months[0][1]}月", p.label) for p in life.months]
    quarters = [(p.label.split("年")[-1], p.label) for p in life.quarters]
    return ([(name, None) for name in FIXED] + months + quarters + [("全年", life.year.label)]
            + [(name, None) for name in COUNTS])


def _requirement_row(model: SheetModel, row: int, requirement: Requirement, columns) -> None:
    meeting = requirement.meeting
    model.put(row, 0, meeting.name, LABEL)
    model.put(row, 1, requirement.organizer, LABEL)
    model.put(row, 2, meeting.period, SMALL)
    for col, (_, label) in enumerate(columns[FIRST_PERIOD_COL:-len(COUNTS)], FIRST_PERIOD_COL):
        cell = requirement.cell(label)
        if cell is None:
            model.put(row, col, None, UNUSED_STYLE)
        else:
            _period_cell(model, row, col, cell)
    first_count = len(columns) - len(COUNTS)
    model.put(row, first_count, requirement.held, SMALL)
    model.put(row, first_count + 1, requirement.required, SMALL)
    model.put(row, first_count + 2, requirement.held / requirement.required if requirement.required else None, RATE_STYLE)


def _period_cell(model: SheetModel, row: int, col: int, cell: Cell) -> None:
    if cell.state == HELD:
        text = f"{cell.day.day}日" if cell.period.kind == MONTHLY else f"{cell.day.month}月{cell.day.day}日"
        model.put(row, col, text, HELD_STYLE, link=sheet_link(layout.ACTIVITIES, f"A{cell.row}"))
        return
    text, style = TEXTS[cell.state]
    model.put(row, col, text, style)


def _total_row(model: SheetModel, row: int, life: OrgLife, columns) -> None:
    model.merge(row, 0, row, FIRST_PERIOD_COL - 1, "合计", TOTAL_STYLE)
    for col in range(FIRST_PERIOD_COL, len(columns) - len(COUNTS)):
        missed = sum(1 for r in life.requirements if (c := r.cell(columns[col][1])) is not None and c.state == MISSED)
        model.put(row, col, f"未开{missed}" if missed else None, MISSED_STYLE if missed else TOTAL_STYLE)
    first_count = len(columns) - len(COUNTS)
    model.put(row, first_count, life.held, TOTAL_STYLE)
    model.put(row, first_count + 1, life.required, TOTAL_STYLE)
    model.put(row, first_count + 2, life.held / life.required if life.required else None, RATE_TOTAL)


def _widths(model: SheetModel, columns) -> None:
    widths = {0: 11, 1: 15, 2: 6}
    for col, (_, label) in enumerate(columns):
        if col in widths:
            model.col_widths[col] = widths[col]
        elif label is None:
            model.col_widths[col] = 6
        else:
            model.col_widths[col] = 7.5 if "季" in columns[col][0] or label == "全年" else MONTH_WIDTH

