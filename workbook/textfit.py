"""How much room text needs in a cell: wrapped line counts, and row heights that hold them.

Pure estimates, no font is read. Widths are in Excel's column units (the width of a digit
of the default 11-point font, 7 pixels = 5.25 points): at 11 points a full-width character
(CJK, full-width punctuation, and the "ambiguous" ones such as □ “ ” — that CJK fonts draw
wide) counts 2 units, any other character 1; other sizes scale. Lines break at explicit
newlines, between wide characters, and at spaces between Latin words; a closing mark
(，。、）…) never starts a line and an opening one (（“《) never ends one, as Excel, WPS and
LibreOffice do. Calibrated on Excel: a default column (8.43) holds four CJK characters
at 11 points, 13 units six, 20 units nine. A line is 1.45 times the font size high (measured on the CJK fonts
LibreOffice prints with; Excel's 等线 is a little lower), so the estimate errs on the
roomy side.

`fit_rows(model)` applies this to a `SheetModel`: every wrapped text cell (and a bordered
table cell whose text would not fit on one line, which is made to wrap) gets a row tall
enough for its lines; rows already taller are left as they are.
"""

from __future__ import annotations

import dataclasses
import math
import unicodedata
from functools import lru_cache

from workbook.sheetmodel import SheetModel

BASE_SIZE = 11.0
DEFAULT_WIDTH = 8.43  # Excel's default column width
DEFAULT_HEIGHT = 15.0  # Excel's default row height (points)
MAX_HEIGHT = 409.5  # the tallest row Excel allows
PIXEL = 0.75  # points: row heights are whole pixels
LINE_FACTOR = 1.45  # line pitch / font size
ROW_PADDING = 3.0  # points above and below the lines
SAFETY = 0.95  # of a column's width used: its inner margins, and glyph widths differ between fonts
CLOSING = frozenset("，。、；：！？）》」』】〉”’…—,.;:!?)]}%％·")
OPENING = frozenset("（《「『【〈“‘([{")


@lru_cache(maxsize=4096)
def char_units(char: str) -> int:
    """2 for a character CJK fonts draw full width, else 1 (a combining mark 0)."""
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F", "A") else 1


def text_units(text: str, size: float = BASE_SIZE) -> float:
    """The width of `text` on one line, in column units, at `size` points."""
    return sum(char_units(c) for c in text) * size / BASE_SIZE


def usable_units(width: float) -> float:
    """The room for text in a column (or merged columns) `width` units wide."""
    return max(width * SAFETY, 1.0)


def _tokens(paragraph: str) -> list[str]:
    """Pieces that stay on one line: a Latin word, one wide character, a space; marks glued on."""
    tokens: list[str] = []
    for char in paragraph:
        glue_left = tokens and (char in CLOSING or tokens[-1][-1] in OPENING)
        latin_word = tokens and char_units(char) == 1 and not char.isspace() and char not in CLOSING \
            and char_units(tokens[-1][-1]) == 1 and not tokens[-1][-1].isspace()
        if glue_left or latin_word:
            tokens[-1] += char
        else:
            tokens.append(char)
    return tokens


def wrapped_lines(text: str, width: float, size: float = BASE_SIZE) -> int:
    """How many lines `text` takes in a wrapping cell `width` units wide at `size` points."""
    room = usable_units(width)
    return sum(_paragraph_lines(p, room, size) for p in str(text).split("\n"))


def _paragraph_lines(paragraph: str, room: float, size: float) -> int:
    lines, used = 1, 0.0
    for token in _tokens(paragraph.rstrip()):
        need = text_units(token, size)
        if used + need <= room or (token.isspace() and used):
            used += need
            continue
        if need > room:  # a word longer than the line breaks inside it, going on from where the line is
            total = used + need
            extra = math.ceil(round(total / room, 9)) - 1
            lines, used = lines + extra, total - extra * room
            continue
        lines, used = lines + 1, (0.0 if token.isspace() else need)
    return lines


def lines_height(lines: int, size: float = BASE_SIZE) -> float:
    """The row height (points) that shows `lines` lines at `size` points, in whole pixels (0.75 pt)
    as Excel and xlsxwriter store it."""
    return min(_whole_pixels(lines * size * LINE_FACTOR + ROW_PADDING), MAX_HEIGHT)


def _whole_pixels(points: float) -> float:
    return math.ceil(round(points / PIXEL, 6)) * PIXEL


def needed_height(text: str, width: float, size: float = BASE_SIZE) -> float | None:
    """The row height wrapped `text` needs, or None when one line at the default height does."""
    lines = wrapped_lines(text, width, size)
    if lines <= 1 and size <= BASE_SIZE:
        return None
    return lines_height(lines, size)


def fit_rows(model: SheetModel) -> SheetModel:
    """Make every row of `model` tall enough for its wrapped text (see the module); returns it."""
    spans = {(r1, c1): (r2, c2) for r1, c1, r2, c2 in model.merges}
    width = lambda first, last: sum(model.col_widths.get(c, DEFAULT_WIDTH) for c in range(first, last + 1))
    needs: dict[tuple[int, int], float] = {}
    for (row, col), cell in list(model.cells.items()):
        style = cell.style
        if style is None or not isinstance(cell.value, str) or not cell.value.strip():
            continue
        last_row, last_col = spans.get((row, col), (row, col))
        room = width(col, last_col)
        size = style.size or BASE_SIZE
        if not style.wrap:
            if not style.border or "\n" not in cell.value and text_units(cell.value, size) <= usable_units(room):
                continue
            model.cells[(row, col)] = dataclasses.replace(cell, style=dataclasses.replace(style, wrap=True))
        height = needed_height(cell.value, room, size)
        if height is not None:
            needs[(row, last_row)] = max(needs.get((row, last_row), 0.0), height)
    for (first, last), height in sorted(needs.items()):
        _grow(model, first, last, height)
    return model


def _grow(model: SheetModel, first: int, last: int, height: float) -> None:
    """Rows first..last together at least `height` high; the last row takes what is missing."""
    have = sum(model.row_heights.get(r, DEFAULT_HEIGHT) for r in range(first, last + 1))
    if have < height:
        model.row_heights[last] = min(_whole_pixels(model.row_heights.get(last, DEFAULT_HEIGHT) + height - have), MAX_HEIGHT)
