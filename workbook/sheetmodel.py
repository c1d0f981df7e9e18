"""A small model of a generated sheet, rendered by more than one back end.

The domain code describes what a generated sheet holds (values, styles, merged cells,
widths, drop-downs, links, conditional colours, charts, print setup) as a `SheetModel`.
Back ends turn it into a real sheet: `workbook.render_xlsx` through xlsxwriter (for
standalone files and for the package writer that splices sheets into the master), and
`macros` through xlwings into a workbook open in Excel. The model knows nothing of either.

Rows and columns are 0-based here, as in xlsxwriter; Excel's row 1 is row 0.

Every value enters through `SheetModel.put`, the funnel of both back ends and of the
fingerprints: there text has its phone numbers masked (`workbook.privacy`) and is clipped to
what Excel can hold in a cell, and a date Excel cannot store is written as its ISO text, so
a sheet always writes, and reads back, exactly as the model says.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from workbook.privacy import mask_phones

BANNER = "本表由程序生成，请勿在此输入；下次刷新会覆盖"
GENERATED_TAB_COLOR = "#C00000"
TEXT_LIMIT = 32_767  # characters Excel keeps in one cell
FIRST_DATE, LAST_DATE = dt.date(1900, 3, 1), dt.date(9999, 12, 31)  # dates every back end stores alike


@dataclass(frozen=True)
class Style:
    """How one cell looks. Frozen, so equal styles are shared by the back ends."""

    bold: bool = False
    italic: bool = False
    size: float | None = None
    color: str | None = None  # font colour, "#RRGGBB"
    fill: str | None = None  # background colour, "#RRGGBB"
    num_format: str | None = None  # e.g. "yyyy-mm-dd", "0.00", "0%"
    align: str | None = None  # left, center, right
    valign: str | None = None  # top, vcenter, bottom
    wrap: bool = False
    border: bool = False  # thin border on all sides
    locked: bool = True  # False: staff may type here even when the sheet is protected
    underline: bool = False


@dataclass(frozen=True)
class Cell:
    """A value with an optional style and an optional link to a cell of the workbook."""

    value: Any
    style: Style | None = None
    link: str | None = None  # a location inside the workbook, e.g. "'党员名册'!D7"


@dataclass(frozen=True)
class Validation:
    """A drop-down list on a block of cells (first_row..last_row, first_col..last_col)."""

    first_row: int
    first_col: int
    last_row: int
    last_col: int
    choices: tuple[str, ...]
    prompt: str = ""


@dataclass(frozen=True)
class ConditionalFill:
    """Colour cells of a block whose value equals `equals` (a number or a text)."""

    first_row: int
    first_col: int
    last_row: int
    last_col: int
    equals: Any
    fill: str
    color: str | None = None


@dataclass(frozen=True)
class Series:
    """One data series of a chart: a name and a block of values on the same sheet."""

    name: str
    first_row: int
    col: int
    last_row: int
    category_col: int
    name_row: int | None = None  # the header cell holding the name, if any
    color: str | None = None  # "#RRGGBB" of the whole series; None: the back end's next colour
    point_colors: tuple[str | None, ...] = ()  # one colour per category (a pie's slices, a single series' bars)


@dataclass(frozen=True)
class Chart:
    """A native chart placed at (row, col), drawn from cells of the same sheet."""

    kind: str  # "bar" (vertical columns), "line", or "pie" (one series, shares of a whole)
    title: str
    series: tuple[Series, ...]
    row: int
    col: int
    width: int = 560  # pixels
    height: int = 300
    x_title: str = ""
    y_title: str = ""
    y_format: str = ""  # number format of the value axis, e.g. "0%"; "" keeps the back end's default
    markers: bool = False  # a line chart marks every point (one week is a point, not nothing)
    value_labels: bool = False  # each bar, point or slice shows its value
    label_format: str = ""  # number format of the value labels, e.g. "0.00"; "" keeps the cells'
    whole_numbers: bool = False  # counts: the value axis shows whole numbers, in steps of `y_step`
    y_min: float | None = None  # the value axis starts here (None: the back end decides)
    y_max: float | None = None
    y_step: float | None = None  # the distance between two gridlines (None: the back end decides)

    @property
    def legend(self) -> bool:
        """A legend only where it tells series apart (a pie's slices are labelled with their names)."""
        return len(self.series) > 1 and self.kind != "pie"


@dataclass(frozen=True)
class Button:
    """A form button at (row, col) that runs a VBA macro (only useful in an .xlsm)."""

    row: int
    col: int
    caption: str
    macro: str
    width: int = 100  # pixels
    height: int = 28


@dataclass(frozen=True)
class PrintSetup:
    """Print layout: A4, a repeated block of title rows, fit to the page width."""

    landscape: bool = False
    repeat_rows: tuple[int, int] | None = None  # first and last row repeated on each page
    fit_width: bool = True
    page_breaks: tuple[int, ...] = ()  # rows before which a new page starts
    scale: int | None = None  # print at this percentage (used instead of fit_width with page breaks)
    header: str = ""
    footer: str = "第 &P 页，共 &N 页"
    fit_height: int = 0  # with fit_width: at most this many pages tall (0: as many as it takes)


@dataclass
class SheetModel:
    """Everything a back end needs to write one sheet."""

    name: str
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    col_widths: dict[int, float] = field(default_factory=dict)
    row_heights: dict[int, float] = field(default_factory=dict)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    freeze: tuple[int, int] | None = None  # first unfrozen (row, col)
    validations: list[Validation] = field(default_factory=list)
    conditional: list[ConditionalFill] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    buttons: list[Button] = field(default_factory=list)
    print_setup: PrintSetup = field(default_factory=PrintSetup)
    protect: bool = True  # protected without a password; unlocked cells stay editable
    tab_color: str | None = GENERATED_TAB_COLOR
    autofilter: tuple[int, int, int, int] | None = None
    verbatim: bool = False  # True: text kept exactly (the hidden identity of a form); else phones are masked

    def put(self, row: int, col: int, value: Any, style: Style | None = None, link: str | None = None) -> None:
        """Set one cell; text is masked and clipped, an unstorable date becomes text (see the module)."""
        self.cells[(row, col)] = Cell(cell_value(value, self.verbatim), style, link)

    def put_row(self, row: int, values: list[Any], style: Style | None = None, first_col: int = 0) -> None:
        """Set consecutive cells of one row to `values`, all in one style."""
        for offset, value in enumerate(values):
            self.put(row, first_col + offset, value, style)

    def merge(self, first_row: int, first_col: int, last_row: int, last_col: int, value: Any, style: Style | None = None) -> None:
        """Merge a block and put `value` in its top-left cell."""
        self.merges.append((first_row, first_col, last_row, last_col))
        self.put(first_row, first_col, value, style)

    @property
    def print_first_row(self) -> int:
        """The first printed row: the banner (本表由程序生成…) in row 1 is for the screen only."""
        first = self.cells.get((0, 0))
        return 1 if first is not None and first.value == BANNER else 0

    @property
    def max_row(self) -> int:
        return max((r for r, _ in self.cells), default=-1)

    @property
    def max_col(self) -> int:
        return max((c for _, c in self.cells), default=-1)

    def values(self) -> list[list[Any]]:
        """The cell values as a dense list of rows (None where empty)."""
        grid = [[None] * (self.max_col + 1) for _ in range(self.max_row + 1)]
        for (row, col), cell in self.cells.items():
            grid[row][col] = cell.value
        return grid


def count_axis(top: float) -> tuple[int, int]:
    """The top and the step of a value axis of counts reaching `top`: whole steps of 1, 2 or 5 × 10ⁿ,
    at most eight of them (3 → 0..3 by 1; 37 → 0..40 by 5)."""
    step, scale = 1, 1
    while top / step > 8:
        factor = next(f for f in (1, 2, 5, 10) if f * scale > step)
        step = factor * scale
        scale *= 10 if factor == 10 else 1
    return max(step, -(-int(math.ceil(top)) // step) * step), step


def cell_value(value: Any, verbatim: bool = False) -> Any:
    """What a model stores for `value`: masked, clipped text; dates outside 1900-03-01..9999-12-31 as text."""
    if isinstance(value, str):
        text = value if verbatim else mask_phones(value)
        return text if len(text) <= TEXT_LIMIT else text[: TEXT_LIMIT - 1] + "…"
    if is_date(value):
        day = value.date() if isinstance(value, dt.datetime) else value
        return value if FIRST_DATE <= day <= LAST_DATE else value.isoformat()
    return value


def is_date(value: Any) -> bool:
    return isinstance(value, (dt.date, dt.datetime))
