"""The 近期提醒 sheet: one table of what needs attention, most urgent first."""

from __future__ import annotations

import datetime as dt

from workbook import layout
from workbook.sheetmodel import SheetModel

from ..reminders import Reminder
from .common import FIRST_DATA_ROW, WRAP, table_sheet

HEADERS = ("类型", "日期", "事项", "相关人员", "说明")
WIDTHS = (12, 12, 30, 36, 60)


def reminders_sheet(found: list[Reminder], today: dt.date) -> SheetModel:
    rows = [[r.kind, r.day, r.subject, r.who, r.detail] for r in found]
    title = f"近期提醒（{today.isoformat()} 刷新；未来 14 天、逾期和待办事项，共 {len(rows)} 条）"
    model = table_sheet(layout.REMINDERS_SHEET, title, HEADERS, rows, WIDTHS, landscape=True)
    for offset, row in enumerate(rows):
        for col in (2, 3, 4):
            model.put(FIRST_DATA_ROW + offset, col, row[col], WRAP)
    return model
