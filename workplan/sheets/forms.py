"""The assessment sheets (考评表/评议表) and 评议汇总, as printable `SheetModel`s.

Pure renderers: plain rows in, sheets out. A form is a `FormTable`: a title, a line on
how to fill it in, one table whose answer columns are unlocked (the sheet is protected,
so only they can be typed in) and carry a drop-down where the answer is a list, then a
signature and date line. The same renderer draws a form inside the master (with the
generated-sheet banner) and a form handed out as its own file (without it).

Every form prints on A4 at 100%: its columns fit the page's width in every application
(`workbook.pages`), the header row repeats on each page, and the pages break where
`balanced_breaks` puts them, about equally full (no last page with two rows). An answer
chosen from a list shows its choices as boxes to tick until one is chosen (优秀□ 合格□ …):
the drop-down on screen, the boxes on paper. 党员年度考评表 is one page per member instead
(page breaks, fixed scale). The banner is for the screen: printing starts below it.
Phone numbers are never given to these renderers.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from workbook import layout
from workbook.pages import balanced_breaks, fits_width, room
from workbook.sheetmodel import BANNER, GENERATED_TAB_COLOR, PrintSetup, SheetModel, Style, Validation
from workbook.textfit import DEFAULT_HEIGHT, fit_rows, lines_height, text_units, usable_units, wrapped_lines

from .common import BANNER_STYLE, CELL, CENTER, HEADER_STYLE, TITLE_STYLE, WRAP, style_for, table_sheet

NOTE_STYLE = Style(italic=True, size=10.5, color="#404040", wrap=True, valign="top")
ANSWER = Style(border=True, valign="vcenter", align="center", fill="#FFF9E5", locked=False)
ANSWER_TEXT = Style(border=True, valign="top", wrap=True, fill="#FFF9E5", locked=False)
TICK_SIZE = 10
ANSWER_TICK = Style(border=True, valign="vcenter", align="center", wrap=True, fill="#FFF9E5", locked=False, size=TICK_SIZE)
TICK_BOX = "□"
SIGN_STYLE = Style(size=11, valign="bottom")
SECTION_STYLE = Style(bold=True, size=11, fill="#F2F2F2", border=True)
LABEL_STYLE = Style(bold=True, border=True, fill="#F2F2F2", align="center", valign="vcenter", wrap=True)
PERCENT = Style(border=True, num_format="0.0%", align="right")
CENTER_WRAP = dataclasses.replace(CENTER, wrap=True)
SIGN_LINE = "填表人（签名）：＿＿＿＿＿＿＿＿＿＿　　　　填表日期：＿＿＿＿年＿＿月＿＿日"
ANNUAL_SCALE = 85
ANNUAL_WIDTHS = (13, 13, 13, 13, 13, 13)
PAIR_HEIGHT = 20
WIDE_TEXT = 6  # a value longer than this spans the rest of its row


@dataclass(frozen=True)
class FormTable:
    """A printable form: one table; the columns in `answers` are filled in by people."""

    name: str  # the sheet name
    title: str
    note: str  # how to fill it in
    headers: tuple[str, ...]
    widths: tuple[float, ...]
    rows: list[list[Any]]  # every column; an answer cell holds its preset value or None
    answers: dict[int, tuple[str, ...]] = field(default_factory=dict)  # column -> its list; () for free text
    sign_line: str = SIGN_LINE
    landscape: bool = False
    row_height: float | None = 28  # room to write by hand; None lets long wrapped text size the rows
    size: float = 11  # points of the table's cells (printed at 100%)


def form_sheet(form: FormTable, banner: bool) -> SheetModel:
    """The form as a sheet: [banner], title, note, header, rows, signature line."""
    model = SheetModel(form.name, tab_color=GENERATED_TAB_COLOR if banner else None)  # hand-outs: no red tab
    last_col = len(form.headers) - 1
    row = 0
    if banner:
        model.merge(row, 0, row, last_col, BANNER, BANNER_STYLE)
        row += 1
    model.merge(row, 0, row, last_col, form.title, Style(bold=True, size=15, align="center"))
    model.row_heights[row] = 28
    model.merge(row + 1, 0, row + 1, last_col, form.note, NOTE_STYLE)
    model.row_heights[row + 1] = 32
    header = row + 2
    model.put_row(header, list(form.headers), HEADER_STYLE)
    model.row_heights[header] = 24
    _form_rows(model, form, header + 1)
    last = header + max(len(form.rows), 1)
    for col, choices in form.answers.items():
        if choices:
            model.validations.append(Validation(header + 1, col, last, col, choices, "请从下拉列表中选择"))
    model.merge(last + 2, 0, last + 2, last_col, form.sign_line, SIGN_STYLE)
    model.row_heights[last + 2] = 30
    model.col_widths.update(enumerate(form.widths))
    model.freeze = (header + 1, 0)
    fit_rows(model)  # the page breaks are planned from the rows' final heights
    model.print_setup = _paged(model, form, header, last)
    return model


def _paged(model: SheetModel, form: FormTable, header: int, last: int) -> PrintSetup:
    """A4 at 100% with balanced page breaks; a form too wide for that is fitted to the width instead."""
    common = {"landscape": form.landscape, "repeat_rows": (header, header), "header": "&C" + form.name}
    if not fits_width(form.widths, form.landscape):
        return PrintSetup(**common)
    first = model.print_first_row
    heights = [model.row_heights.get(r, DEFAULT_HEIGHT) for r in range(first, model.max_row + 1)]
    allowed = {r - first for r in range(header + 2, last + 1)}  # never before the first row, nor the signature
    breaks = balanced_breaks(heights, room(form.landscape), model.row_heights.get(header, DEFAULT_HEIGHT), allowed)
    return PrintSetup(fit_width=False, page_breaks=tuple(b + first for b in breaks), **common)


TICKS = "√✓✔☑■●☒xX×"  # what a person types into a box to tick it


def untick(value: Any, choices: Sequence[str]) -> Any:
    """An answer cell read back: None while it still shows the untouched boxes, the one choice
    whose box was ticked (优秀√ 合格□ …) when exactly one was, else the value as it is."""
    if not isinstance(value, str) or TICK_BOX not in value and not any(t in value for t in TICKS):
        return value
    text = "".join(value.split())
    marks = re.findall(rf"([^{TICK_BOX}{TICKS}]+)([{TICK_BOX}{TICKS}])", text)
    if [label for label, _ in marks] != list(choices) or "".join(label + mark for label, mark in marks) != text:
        return value
    ticked = [label for label, mark in marks if mark != TICK_BOX]
    if not ticked:
        return None
    return ticked[0] if len(ticked) == 1 else value


def tick_text(choices: Sequence[str], width: float, size: float = TICK_SIZE) -> str:
    """The choices as boxes to tick on paper, as many to a line as fit the column: 优秀□ 合格□ …"""
    lines: list[str] = []
    for choice in choices:
        box = choice + TICK_BOX
        if lines and text_units(lines[-1] + " " + box, size) <= usable_units(width):
            lines[-1] += " " + box
        else:
            lines.append(box)
    return "\n".join(lines)


def _form_rows(model: SheetModel, form: FormTable, first: int) -> None:
    for offset, values in enumerate(form.rows):
        if form.row_height:
            model.row_heights[first + offset] = form.row_height
        for col, value in enumerate(values):
            if col in form.answers and form.answers[col] and value is None:
                value, style = tick_text(form.answers[col], form.widths[col], form.size), ANSWER_TICK
            elif col in form.answers:
                style = ANSWER if form.answers[col] else ANSWER_TEXT
            elif col == 0:
                style = CENTER
            else:
                style = style_for(value, WRAP if isinstance(value, str) and len(value) > 8 else CELL)
            model.put(first + offset, col, value, dataclasses.replace(style, size=form.size))


# --- 党员年度考评表: one page per member -------------------------------------------------

@dataclass(frozen=True)
class AnnualBlock:
    """One member's page: label/value pairs for the heading, then titled sections of pairs."""

    heading: list[tuple[str, Any]]  # six pairs: 党员编号, 姓名, 党小组, 政治面貌, 岗位, 总分与排名
    sections: list[tuple[str, list[tuple[str, Any]]]]  # (section title, label/value pairs)


def annual_sheet(name: str, title: str, subtitle: str, blocks: Sequence[AnnualBlock], grades: tuple[str, ...]) -> SheetModel:
    """党员年度考评表: one A4 page per member, each ending with the branch's verdict and signatures."""
    model = SheetModel(name)
    model.merge(0, 0, 0, 5, BANNER, BANNER_STYLE)
    row, breaks, pages = 1, [], []
    for index, block in enumerate(blocks):
        if index:
            breaks.append(row)
        end = _annual_block(model, row, title, subtitle, block, grades) + 1
        pages.append((row, end))
        row = end
    if not blocks:
        model.merge(1, 0, 1, 5, f"{title}：没有计分的党员", TITLE_STYLE)
    _same_heights(model, pages)
    model.col_widths.update(enumerate(ANNUAL_WIDTHS))
    model.print_setup = PrintSetup(fit_width=False, page_breaks=tuple(breaks), scale=ANNUAL_SCALE, header="&C" + name)
    return model


def _same_heights(model: SheetModel, pages: list[tuple[int, int]]) -> None:
    """Pages of as many rows get the same row heights, each the tallest any of them needs: members'
    pages then look alike (and the buttons copy them instead of drawing each)."""
    by_length: dict[int, list[int]] = {}
    for first, end in pages:
        by_length.setdefault(end - first, []).append(first)
    for length, firsts in by_length.items():
        for offset in range(length):
            tallest = max(model.row_heights.get(first + offset, DEFAULT_HEIGHT) for first in firsts)
            for first in firsts:
                if tallest != DEFAULT_HEIGHT or first + offset in model.row_heights:
                    model.row_heights[first + offset] = tallest


def _annual_block(model: SheetModel, row: int, title: str, subtitle: str, block: AnnualBlock, grades) -> int:
    """Write one member's page from `row`; return the last row used."""
    model.merge(row, 0, row, 5, title, Style(bold=True, size=16, align="center"))
    model.row_heights[row] = 30
    model.merge(row + 1, 0, row + 1, 5, subtitle, Style(size=10, align="center", color="#404040"))
    row = _pairs(model, row + 2, block.heading)
    for section, pairs in block.sections:
        model.merge(row, 0, row, 5, section, SECTION_STYLE)
        row = _pairs(model, row + 1, pairs)
    model.merge(row, 0, row, 5, "支部考评意见", SECTION_STYLE)
    model.merge(row + 1, 0, row + 1, 5, None, ANSWER_TEXT)
    model.row_heights[row + 1] = 80
    model.put(row + 2, 0, "考评等次", LABEL_STYLE)
    model.merge(row + 2, 1, row + 2, 3, tick_text(grades, sum(ANNUAL_WIDTHS[1:4])), ANSWER_TICK)
    model.validations.append(Validation(row + 2, 1, row + 2, 1, grades, "请从下拉列表中选择"))
    sign = "党员（签名）：＿＿＿＿＿＿　　支部书记（签名）：＿＿＿＿＿＿　　日期：＿＿＿＿年＿＿月＿＿日"
    model.merge(row + 4, 0, row + 4, 5, sign, SIGN_STYLE)
    model.row_heights[row + 4] = 30
    return row + 4


def _pairs(model: SheetModel, row: int, pairs: list[tuple[str, Any]]) -> int:
    """Label/value pairs three to a row; a long text takes the rest of its row. Returns the next row."""
    col = 0
    for label, value in pairs:
        wide = isinstance(value, str) and len(value) > WIDE_TEXT
        if wide and col:
            row, col = row + 1, 0
        room = sum(ANNUAL_WIDTHS[col + 1:]) if wide else ANNUAL_WIDTHS[col + 1]
        lines = max(wrapped_lines(label, ANNUAL_WIDTHS[col]), wrapped_lines(str(value), room) if isinstance(value, str) else 1)
        model.row_heights[row] = max(model.row_heights.get(row, 0), _pair_height(lines))
        model.put(row, col, label, LABEL_STYLE)
        if wide:
            model.merge(row, col + 1, row, 5, value, WRAP)
            col = 6
        else:
            model.put(row, col + 1, value, CENTER_WRAP)
            col += 2
        if col == 6:
            row, col = row + 1, 0
    return row + 1 if col else row


def _pair_height(lines: int) -> float:
    """A row of pairs in whole steps of PAIR_HEIGHT, so that members' pages look alike (the buttons copy
    look-alike pages instead of drawing each)."""
    return PAIR_HEIGHT * math.ceil(lines_height(lines) / PAIR_HEIGHT)


# --- 评议汇总 -----------------------------------------------------------------------------

TALLY_HEADERS = ("评议类型", "评议对象", "名称", "票数", *layout.MEMBER_GRADES, *layout.BRANCH_GRADES, "优秀率", "满意率")
TALLY_WIDTHS = (13, 11, 12, 6) + (7,) * 7 + (8, 8)


def tally_sheet(title: str, rows: list[list[Any]]) -> SheetModel:
    """评议汇总: one row per member (群众评议党员) and per 好 (党员评议支部); shares as percentages."""
    shares = len(TALLY_HEADERS) - 2
    return table_sheet(layout.EVAL_SUMMARY_SHEET, title, TALLY_HEADERS, rows, TALLY_WIDTHS, landscape=True,
                       column_styles={shares: PERCENT, shares + 1: PERCENT})
