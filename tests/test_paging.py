"""Report sheets print with every chart on one page (workplan/sheets/paging.py)."""

from __future__ import annotations

from workbook.sheetmodel import SheetModel
from workplan.report_tables import report_sections
from workplan.sheets import paging
from workplan.sheets.paging import Block, page_breaks
from workplan.sheets.report import CHART_HEIGHT, CHART_WIDTH, report_sheets

from test_report import figures, known, refreshed  # noqa: F401  (the fixture and its helpers)

ROW = paging.ROW_POINTS
CHART = CHART_HEIGHT * paging.POINTS_PER_PIXEL  # 225 points


def test_a_block_that_would_cross_the_page_starts_a_new_page():
    """Rows of 18 points, a page of 500: a 10-row table (rows 0-9), then a table titled at row 12 whose chart stands
    on row 16: 16 × 18 + 225 = 513 > 500, so the page breaks before row 12 (title, rows and chart together)."""
    heights = {row: ROW for row in range(40)}
    blocks = [Block(0, 1), Block(12, 13, 16, CHART_HEIGHT)]
    assert page_breaks(heights, blocks, 500.0) == [12]
    assert page_breaks(heights, blocks, 520.0) == []  # 513 fits


def test_a_block_taller_than_a_page_keeps_its_chart_whole():
    """A table of 30 rows (title 0, header 1) and its chart on row 33: 33 × 18 + 225 = 819 > 500 even on a page of
    its own, so the break goes before the chart."""
    heights = {row: ROW for row in range(60)}
    assert page_breaks(heights, [Block(0, 1, 33, CHART_HEIGHT)], 500.0) == [33]


def test_no_natural_break_is_trusted_between_two_charts():
    """Two chart blocks 400 points apart on a page of 500: each must start a page counted from the last break."""
    heights = {row: ROW for row in range(80)}
    blocks = [Block(0, 1, 3, CHART_HEIGHT), Block(20, 21, 23, CHART_HEIGHT), Block(40, 41, 43, CHART_HEIGHT)]
    # 0..(3×18+225=279) fits; 0..(23×18+225=639) does not: break at 20; 20..(43×18+225) = 1,359−360 = 999 > 500: at 40
    assert page_breaks(heights, blocks, 500.0) == [20, 40]


def test_every_chart_of_the_report_fits_between_two_breaks(figures):
    """At the largest scale a sheet can print at (Calibri's narrow widths; a wider font only shrinks the print),
    what lies between the last break before a chart and the chart's bottom is at most one page."""
    sheets = report_sheets(figures, report_sections(figures))
    checked = 0
    for model in sheets:
        setup = model.print_setup
        assert setup.fit_width and setup.scale is None  # fit to the width: no column is cut off
        page = paging.page_height(setup.landscape) / (paging.largest_scale(model, setup.landscape, CHART_WIDTH) / 100)
        tops = _tops(model)
        for chart in model.charts:
            start = max([0, *(b for b in setup.page_breaks if b <= chart.row)])
            assert tops[chart.row] - tops[start] + CHART <= page, (model.name, chart.title)
            checked += 1
    assert checked == 13


def test_every_report_row_has_its_height(figures):
    """Explicit heights, so LibreOffice does not grow rows of CJK text behind the paging's back."""
    for model in report_sheets(figures, report_sections(figures)):
        last = max([model.max_row, *(c.row + 13 for c in model.charts)])  # a chart of 225 points covers 12.5 rows
        assert all(row in model.row_heights for row in range(last + 1)), model.name


def _tops(model: SheetModel) -> dict[int, float]:
    tops, y = {}, 0.0
    for row in range(max(model.row_heights) + 2):
        tops[row] = y
        y += model.row_heights.get(row, ROW)
    return tops
