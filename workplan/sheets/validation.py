"""The 校验结果 sheet: every finding, errors first, each cell a link to the cell it names."""

from __future__ import annotations

import datetime as dt

from workbook import layout
from workbook.sheetmodel import ConditionalFill, SheetModel

from ..counting import COUNTED_SHEETS
from ..findings import ERROR, WARNING, Finding, Report
from ..summary import count_line
from .common import CENTER, FIRST_DATA_ROW, LINK, WRAP, sheet_link, table_sheet

SCORED_SHEETS = COUNTED_SHEETS
HEADERS = layout.VALIDATION_HEADERS + ("计分影响",)
WIDTHS = (7, 10, 8, 12, 16, 48, 48, 14)
LEFT_OUT = "本行不计入积分"
MEMBER_LEFT_OUT = "该党员不计分（见“个人积分”表下方）"
MAX_LISTED = 5000  # a sheet of findings longer than this helps nobody; the log holds them all


def effect(finding: Finding) -> str:
    """What a finding does to the scores: a row it leaves out of the counts (`Finding.excludes_row`)
    is said so; on 党员名册 only an error in 党员编号, 党小组 or 在册状态 leaves the member out."""
    if finding.sheet not in SCORED_SHEETS or not finding.excludes_row:
        return ""
    return MEMBER_LEFT_OUT if finding.sheet == layout.MEMBERS else LEFT_OUT


def validation_sheet(report: Report, today: dt.date) -> SheetModel:
    """校验结果 as a table; the 单元格 (and 工作表) cells link to the cell concerned."""
    findings = report.sorted()[:MAX_LISTED]
    rows = [[*f.flatten(), effect(f)] for f in findings]
    title = f"校验结果（{today.isoformat()} 刷新）：{count_line(report)}"
    if len(report.findings) > MAX_LISTED:
        title += f"（只列出前 {MAX_LISTED} 条，全部问题见日志文件）"
    model = table_sheet(layout.VALIDATION_SHEET, title, HEADERS, rows, WIDTHS, landscape=True)
    for offset, finding in enumerate(findings):
        row = FIRST_DATA_ROW + offset
        target = sheet_link(finding.sheet, finding.cell if finding.letter and finding.row else "A1")
        model.put(row, 1, finding.sheet, LINK, target)
        if finding.cell:
            model.put(row, 2, finding.cell, LINK, target)
        for col in (5, 6):
            model.put(row, col, rows[offset][col], WRAP)
        model.put(row, 0, finding.level, CENTER)
    last = FIRST_DATA_ROW + max(len(rows), 1) - 1
    model.conditional.append(ConditionalFill(FIRST_DATA_ROW, 0, last, 0, ERROR, "#F8CBAD", "#9C0006"))
    model.conditional.append(ConditionalFill(FIRST_DATA_ROW, 0, last, 0, WARNING, "#FFE699", "#7F6000"))
    return model
