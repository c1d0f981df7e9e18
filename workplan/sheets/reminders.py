"""The 近期提醒 sheet: one table of what needs attention, passed deadlines first and in red.

A reminder about many people says how many in 相关人员 and lists them in 名单, a wide
wrapping column (the row grows to hold it, `workbook.textfit`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from workbook import layout
from workbook.sheetmodel import SheetModel

from ..reminders import Reminder
from .common import FIRST_DATA_ROW, WRAP, style_for, table_sheet

HEADERS = ("类型", "日期", "事项", "相关人员", "说明", "名单")
WIDTHS = (10, 11, 22, 12, 38, 50)
PASSED_FILL, PASSED_COLOR = "#FFC7CE", "#9C0006"
WRAPPED = (2, 3, 4, 5)


def reminders_sheet(found: list[Reminder], today: dt.date) -> SheetModel:
    rows = [[r.kind, r.day, r.subject, r.who, r.detail, r.names] for r in found]
    passed = sum(1 for r in found if r.passed)
    title = (f"近期提醒（{today.isoformat()} 刷新；未来 14 天、逾期和待办事项，共 {len(rows)} 条"
             + (f"，其中 {passed} 条已过期限，红色标出，排在最前" if passed else "") + "）")
    model = table_sheet(layout.REMINDERS_SHEET, title, HEADERS, rows, WIDTHS, landscape=True)
    for offset, (reminder, row) in enumerate(zip(found, rows)):
        for col, value in enumerate(row):
            style = WRAP if col in WRAPPED else style_for(value)
            if reminder.passed:
                style = dataclasses.replace(style, fill=PASSED_FILL, color=PASSED_COLOR)
            model.put(FIRST_DATA_ROW + offset, col, value, style)
    return model
