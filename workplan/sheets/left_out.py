"""The list below 个人积分's table: every member and record not counted, why, and a link to its cell.

So the totals can always be explained (the spec's scoring scheme): a teacher who misses a
member or a sign-in finds it here, clicks the cell and corrects it; the next refresh counts it.
The list starts one blank row below the table and is itself a small table whose first
header is 类别 (not 党员编号), so the contract's header rule still finds the main table.
Nothing is added when nothing was left out.
"""

from __future__ import annotations

from collections.abc import Sequence

from workbook.sheetmodel import SheetModel, Style

from ..counting import LeftOut
from .common import CELL, HEADER_STYLE, LINK, sheet_link

HEADERS = ("类别", "工作表", "单元格", "党员编号", "姓名", "原因")
HEADING = Style(bold=True, size=12, color="#9C0006")
REASON = Style(border=True, valign="vcenter", wrap=True)
MAX_LISTED = 1000  # beyond this 校验结果 (and the log) has them all


def add_left_out(model: SheetModel, left_out: Sequence[LeftOut], first_row: int, last_col: int) -> None:
    """Write the list from `first_row` (0-based) on; the reason spans the columns up to `last_col`."""
    if not left_out:
        return
    shown = list(left_out)[:MAX_LISTED]
    heading = f"未计入积分的党员和记录（共 {len(left_out)} 项）：改正后下次刷新即计入"
    if len(left_out) > MAX_LISTED:
        heading += f"；这里列出前 {MAX_LISTED} 项，全部问题见“校验结果”"
    model.merge(first_row, 0, first_row, last_col, heading, HEADING)
    header_row = first_row + 1
    model.put_row(header_row, list(HEADERS[:-1]), HEADER_STYLE)
    model.merge(header_row, len(HEADERS) - 1, header_row, last_col, HEADERS[-1], HEADER_STYLE)
    for offset, line in enumerate(shown, header_row + 1):
        target = sheet_link(line.sheet, line.cell)
        model.put(offset, 0, line.kind, CELL)
        model.put(offset, 1, line.sheet, LINK, target)
        model.put(offset, 2, line.cell, LINK, target)
        model.put(offset, 3, line.member_id, CELL)
        model.put(offset, 4, line.name, CELL)
        model.merge(offset, len(HEADERS) - 1, offset, last_col, line.reason, REASON)
        model.row_heights[offset] = 30 if len(line.reason) > 60 else 18
