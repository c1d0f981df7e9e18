"""The report workbook: one sheet per section, its tables stacked, each chart below its table.

Pure: `Section`s in, `SheetModel`s out (rendered by `workbook.render_xlsx.write_standalone`).
Unlike the master's generated sheets these are not protected and carry no banner: the
report is a file handed to the upper committee, who may annotate it. Charts are native
Excel charts drawn from the table cells, so they follow any correction typed there.
Printing: A4, fit to the page width, landscape when a table is wide.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from workbook.sheetmodel import Chart, PrintSetup, Series, SheetModel, Style, count_axis

from ..report import Share, YearReport
from ..report_tables import NONE_YET, Section, Table, report_subtitle, report_title, rollup_sections
from .paging import POINTS_PER_PIXEL, ROW_POINTS, Block, paginate
from .common import CELL, HEADER_STYLE, SCORE_FORMAT, TITLE_STYLE, WRAP, style_for

PERCENT = Style(border=True, num_format="0.0%", align="right")
TABLE_TITLE = Style(bold=True, size=12, color="#1F4E79")
NOTE = Style(italic=True, color="#595959", size=9, wrap=True, valign="top")
LEAD = Style(bold=True, color="#1F4E79", size=12, wrap=True, valign="top")
SUBTITLE = Style(color="#404040", size=10)
CHART_WIDTH, CHART_HEIGHT = 560, 300
CHART_ROWS = math.ceil(CHART_HEIGHT * POINTS_PER_PIXEL / ROW_POINTS) + 1  # the rows a chart covers, and one below
LINE_POINTS = 15  # the height of one line of text
WIDE = 7  # tables with more columns print landscape
NOTE_COLUMNS = 6  # a note spans at least this many columns (概况 has two)
MIN_WIDTH, MAX_WIDTH = 6, 40
FROZEN_COLUMNS, FIGURE_WIDTH = 2, 10  # the roll-up: 支部名称 and 文件 stay in view; each figure 10 wide


def report_sheets(report: YearReport, sections: Sequence[Section]) -> list[SheetModel]:
    """The sheets of the yearly report workbook: one per section (`report_tables.report_sections`)."""
    title, subtitle = report_title(report), report_subtitle(report)
    return [section_sheet(section, title, subtitle) for section in sections]


def rollup_sheets(
    rows: Sequence[tuple[str, YearReport]], failures: Sequence[tuple[str, str]], subtitle: str,
    town: Sequence[Section] = (),
) -> list[SheetModel]:
    """The roll-up workbook: the branches side by side, the `town` sections (members, groups, months),
    then (if any) the files that could not be read."""
    heading = "各支部党建工作汇总"
    compare, *others = rollup_sections(rows, failures, town)
    sheet, headers = _section_sheet(compare, heading, subtitle)
    _many_columns(sheet, headers[0])
    return [sheet, *(section_sheet(section, heading, subtitle) for section in others)]


def _many_columns(model: SheetModel, header: int) -> None:
    """A table of many figures, its header in row `header`: wrapped narrow headers, names frozen, printed
    across pages."""
    for col in range(FROZEN_COLUMNS, model.max_col + 1):
        values = [cell.value for (row, c), cell in model.cells.items() if c == col and row > header]
        model.col_widths[col] = max([FIGURE_WIDTH] + [_display_width(v) + 2 for v in values])
    model.row_heights[header] = 45
    model.freeze = (header + 1, FROZEN_COLUMNS)
    model.print_setup = PrintSetup(landscape=True, fit_width=False, scale=70, repeat_rows=(header, header),
                                   header=model.print_setup.header)


def section_sheet(section: Section, heading: str, subtitle: str) -> SheetModel:
    """A sheet: the report's heading, then each table with its title, note and chart."""
    return _section_sheet(section, heading, subtitle)[0]


def _section_sheet(section: Section, heading: str, subtitle: str) -> tuple[SheetModel, list[int]]:
    """The sheet of `section_sheet`, and the header row of each of its tables."""
    model = SheetModel(section.name, tab_color=None, protect=False)
    model.put(0, 0, heading, TITLE_STYLE)
    model.row_heights[0] = 24
    model.put(1, 0, subtitle, SUBTITLE)
    row, blocks, notes = 3, [], []
    if section.lead:
        notes.append((row, LEAD))
        model.put(row, 0, section.lead, LEAD)
        row += 2
    for part in section.tables:
        block = _put_table(model, row, part, notes)
        blocks.append(block)
        row = _below(model, block) + 1
    _set_widths(model, section.tables)
    _wrap_notes(model, notes)
    wide = max(len(t.headers) for t in section.tables) >= WIDE
    paginate(model, blocks, wide, "&C" + section.title, CHART_WIDTH)
    return model, [block.header_row for block in blocks]


def _below(model: SheetModel, block: Block) -> int:
    """The first free row below a table (and its chart)."""
    if block.chart_row is None:
        return max(r for r, _ in model.cells if r >= block.first_row) + 1
    return block.chart_row + CHART_ROWS


def _put_table(model: SheetModel, row: int, part: Table, notes: list[tuple[int, Style]]) -> Block:
    """Write one table from `row`: its title, note, header, rows and (below them) its chart."""
    first_row = row
    model.put(row, 0, part.title, TABLE_TITLE)
    row += 1
    if part.note:
        model.put(row, 0, part.note, NOTE)
        notes.append((row, NOTE))
        row += 1
    model.put_row(row, list(part.headers), HEADER_STYLE)
    header_row, first = row, row + 1
    for offset, values in enumerate(part.rows):
        for col, value in enumerate(values):
            model.put(first + offset, col, value, _style(value))
        lines = max([math.ceil(_display_width(v) / MAX_WIDTH) for v in values if isinstance(v, str)] + [1])
        if lines > 1:  # wrapped text: LibreOffice keeps the default height unless told
            model.row_heights[first + offset] = LINE_POINTS * lines + 3
    if not part.rows:
        model.put(first, 0, NONE_YET, CELL)
        return Block(first_row, header_row)
    if not part.chart_rows:
        return Block(first_row, header_row)
    chart_row = first + len(part.rows) + 1
    model.charts.append(_chart(part, header_row, first, chart_row))
    return Block(first_row, header_row, chart_row, CHART_HEIGHT)


def _wrap_notes(model: SheetModel, notes: list[tuple[int, Style]]) -> None:
    """A note (and the lead sentence) merged across the sheet's columns, wrapped, its row as tall as its lines."""
    last_col = max(model.max_col, NOTE_COLUMNS - 1)
    room = sum(model.col_widths.get(col, 8.43) for col in range(last_col + 1))
    for row, style in notes:
        text = model.cells[(row, 0)].value
        lines = max(1, math.ceil(_display_width(text) * (style.size or 11) / 11 / max(room - 2, 1)))
        model.merge(row, 0, row, last_col, text, style)
        model.row_heights[row] = max(ROW_POINTS, lines * (style.size or 11) * 1.45 + 4)


def _chart(part: Table, header_row: int, first: int, at_row: int) -> Chart:
    """A native chart of the table's first `chart_rows` rows, placed at `at_row`: colours that mean what
    they show, value labels on bars, whole-number axes for counts, markers on lines."""
    hint = part.chart
    last = first + part.chart_rows - 1
    points = part.point_colors
    series = tuple(Series(part.headers[col], first, col, last, hint.category, name_row=header_row, color=color,
                          point_colors=points)
                   for col, color in zip(hint.values, part.series_colors))
    label_format = "0.0%" if part.chart_percent else ("0" if part.chart_counts else SCORE_FORMAT)
    axis: dict[str, Any] = {"y_format": "0%", "y_min": 0} if part.chart_percent else {}
    if part.chart_counts:
        top, step = count_axis(part.chart_top)
        axis = {"whole_numbers": True, "y_min": 0, "y_max": top, "y_step": step}
    return Chart(hint.kind, hint.title, series, at_row, 0, CHART_WIDTH, CHART_HEIGHT, y_title=hint.y_title,
                 markers=hint.kind == "line", value_labels=hint.kind == "bar", label_format=label_format, **axis)


def _style(value: Any) -> Style:
    """Percentages as 82.5%, long text wrapped in its cell, the rest as the generated sheets show it."""
    if isinstance(value, Share):
        return PERCENT
    if isinstance(value, str) and _display_width(value) > MAX_WIDTH:
        return WRAP
    return style_for(value)


def _set_widths(model: SheetModel, tables: Sequence[Table]) -> None:
    """Each column as wide as its longest header or value (CJK counted double), within limits."""
    widths: dict[int, float] = {}
    for part in tables:
        for row in [list(part.headers), *part.rows]:
            for col, value in enumerate(row):
                widths[col] = max(widths.get(col, MIN_WIDTH), min(_display_width(value) + 2, MAX_WIDTH))
    model.col_widths.update(widths)


def _display_width(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, float):
        return 8
    return _text_width(value.isoformat() if hasattr(value, "isoformat") else str(value))


@lru_cache(maxsize=1 << 14)
def _text_width(text: str) -> int:
    """Columns `text` takes, CJK counted double (cached: a roll-up repeats its branch and group names)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
