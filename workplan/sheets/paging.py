"""Printing a report sheet so that no chart is cut by a page break.

The sheet prints fit to the width of A4 (the application picks the scale from the widths it
measures, which depend on the fonts it has), every row gets an explicit height, and a manual
page break goes before a table whose title, rows and chart might otherwise cross the bottom of a
page (before the chart alone when the whole block is taller than a page). "Might" is counted
without trusting any natural page break: from the last manual break (or the top) to the end of the
block must fit one page at the largest scale the sheet can print at (Calibri's narrow metrics).
Any wider font only shrinks the print, so the block fits all the more. LibreOffice, which
prints the PDF, honours manual breaks with fit-to-width; Excel ignores them then and only fits.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from workbook.sheetmodel import PrintSetup, SheetModel

ROW_POINTS = 18.0  # every report row without a height of its own: room for CJK text at 11 points
POINTS_PER_PIXEL = 0.75
A4_POINTS = (595.0, 842.0)  # width, height of portrait A4
MARGINS_POINTS = (2 * 0.7 * 72, 2 * 0.75 * 72 + 2 * 0.3 * 72)  # xlsxwriter's default margins, header and footer
SAFETY = 0.95  # leave a little room: applications round row heights and scale differently


@dataclass(frozen=True)
class Block:
    """A table as printed: its first row (the title), the row its chart stands on and the chart's height."""

    first_row: int
    header_row: int
    chart_row: int | None = None
    chart_pixels: int = 0


def paginate(model: SheetModel, blocks: Sequence[Block], landscape: bool, header: str, chart_pixels_wide: int) -> None:
    """Give every row a height, print fit to the page width, break pages before blocks that could be cut."""
    last = max([model.max_row] + [b.chart_row + math.ceil(b.chart_pixels * POINTS_PER_PIXEL / ROW_POINTS)
                                  for b in blocks if b.chart_row is not None])
    for row in range(last + 1):
        model.row_heights.setdefault(row, ROW_POINTS)
    page = page_height(landscape) / (largest_scale(model, landscape, chart_pixels_wide) / 100) * SAFETY
    model.print_setup = PrintSetup(landscape=landscape, fit_width=True, header=header,
                                   page_breaks=tuple(page_breaks(model.row_heights, blocks, page)))


def largest_scale(model: SheetModel, landscape: bool, chart_pixels_wide: int) -> int:
    """The percentage at which the columns used (or the widest chart), measured in Calibri, fit the printable
    width, at most 100: fitting to the width never prints larger."""
    columns = sum(_column_points(model.col_widths.get(col, 8.43)) for col in range(model.max_col + 1))
    needed = max(columns, chart_pixels_wide * POINTS_PER_PIXEL)
    width = (A4_POINTS[1] if landscape else A4_POINTS[0]) - MARGINS_POINTS[0]
    return max(10, min(100, math.floor(width / needed * 100))) if needed else 100


def page_height(landscape: bool) -> float:
    return (A4_POINTS[0] if landscape else A4_POINTS[1]) - MARGINS_POINTS[1]


def page_breaks(heights: dict[int, float], blocks: Sequence[Block], page: float) -> list[int]:
    """Rows before which a page starts: before a block when what lies between the last break and the end of
    the block's kept part is more than one page."""
    tops = _tops(heights)
    breaks, start = [], 0
    for block in blocks:
        keep_from, keep_to = _kept(block, tops, page)
        if keep_to - tops[start] > page and keep_from > start:
            breaks.append(keep_from)
            start = keep_from
    return breaks


def _kept(block: Block, tops: dict[int, float], page: float) -> tuple[int, float]:
    """The first row and the bottom (in points) of what must stay on one page: title to chart, or the chart alone
    when that is taller than a page; without a chart the title, header and first row."""
    if block.chart_row is None:
        return block.first_row, tops[block.header_row + 2]
    bottom = tops[block.chart_row] + block.chart_pixels * POINTS_PER_PIXEL
    return (block.first_row if bottom - tops[block.first_row] <= page else block.chart_row), bottom


def _tops(heights: dict[int, float]) -> dict[int, float]:
    """The top of every row in points, and of the row after the last."""
    tops, y = {}, 0.0
    for row in range(max(heights, default=-1) + 3):
        tops[row] = y
        y += heights.get(row, ROW_POINTS)
    return tops


def _column_points(width: float) -> float:
    """A column `width` characters wide, in points (Excel: 7 pixels a character plus 5 of padding)."""
    return (width * 7 + 5) * POINTS_PER_PIXEL
