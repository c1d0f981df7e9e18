"""Generated sheets written as blocks of cells through xlwings' range API: the file-free remote engine
(xlwings Server/Lite clients, and the tests) and macOS, where the copy-in of `macros.desktop` is not built.

Each call is one action (remote) or one AppleScript event (macOS), so the sheet is written in as
few as the API allows:
- all values in one `setValues`; a link cell becomes `=HYPERLINK("#place","text")` in the same
  block (the one formula we write: built by us, never from text staff typed, which keeps its
  leading apostrophe, Excel's mark for text);
- each style property (number format, bold, italic, size, font colour, wrap) over greedy
  rectangles of cells needing the same value, rows-first or columns-first, whichever is fewer;
  cells that show nothing may be painted along where that cannot be seen (not size, which
  would grow a row's height, nor fill);
- the fills in one colour matrix (`set_colors`, ≤ 10,000 cells a call; rectangles on macOS,
  whose `set_colors` is per cell), conditional colours folded in as plain colours (a live
  sheet is rewritten on every refresh);
- row heights and column widths per run of equal ones; one-row merges of the same columns in
  consecutive rows as one `merge(across=True)`;
- a printed page that looks exactly like page 2 (the stacked forms of 党员年度考评表) is not
  styled again but copied from it (`copy_from(..., "formats")` over whole rows; remote only).
A generated sheet is deleted and added again at its place (the remote engine cannot copy a
sheet from another book). Limits: no drop-downs, protection, print setup, tab colour or
buttons on these engines (they have no call for them); a staff formula pointing at a
generated sheet becomes #REF! here, unlike on Windows. The VBA remote client of xlwings 0.37.8
carries out only some of these actions; the Office.js and Lite clients carry out all.
"""

from __future__ import annotations

from collections import Counter

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from workbook import render_xlsx
from workbook.layout import column_letter
from workbook.sheetmodel import Chart, SheetModel

log = logging.getLogger("workbench.macros")
POINTS_PER_CHARACTER = 5.25  # the remote engine takes column widths in points, Excel in characters
TEXT_MARK = "'"
MAX_COLOR_CELLS = 10_000
MAX_FORMULA_TEXT = 255  # Excel's limit for a text inside a formula
FONT = ("bold", "italic", "size", "color")
PROPERTIES = ("num_format", "wrap", *FONT, "fill")
DEFAULTS = {"num_format": None, "wrap": False, "bold": False, "italic": False, "size": None, "color": None, "fill": None}
INVISIBLE_ON_EMPTY = {"num_format", "wrap", "bold", "italic", "color"}

Box = tuple[int, int, int, int]  # first row, first col, last row, last col (0-based, inclusive)


# --- what each cell needs -----------------------------------------------------------------------------

def effective(model: SheetModel) -> dict[tuple[int, int], dict[str, Any]]:
    """Per cell, the non-default style properties it shows: merged areas take their top-left
    cell's style (as xlsxwriter writes them), conditional colours are applied to matching values."""
    styles = {pos: cell.style for pos, cell in model.cells.items()}
    for r1, c1, r2, c2 in model.merges:
        top = model.cells.get((r1, c1))
        for row in range(r1, r2 + 1):
            for col in range(c1, c2 + 1):
                styles[(row, col)] = top.style if top else None
    result = {}
    for pos, style in styles.items():
        if style is not None:
            props = {p: getattr(style, p) for p in PROPERTIES if getattr(style, p) != DEFAULTS[p]}
            if props:
                result[pos] = props
    for rule in model.conditional:
        for (row, col), cell in model.cells.items():
            if rule.first_row <= row <= rule.last_row and rule.first_col <= col <= rule.last_col and cell.value == rule.equals:
                props = result.setdefault((row, col), {})
                props["fill"] = rule.fill
                if rule.color:
                    props["color"] = rule.color
    return result


def cover(required: dict[tuple[int, int], Any], free: set[tuple[int, int]]) -> list[tuple[Box, Any]]:
    """Greedy rectangles, each of one value, covering every required cell; `free` cells may be included."""
    rects, done = [], set()
    for row, col in sorted(required):
        if (row, col) in done:
            continue
        value = required[(row, col)]

        def fits(pos) -> bool:
            return required.get(pos, ...) == value or (pos in free and pos not in required)

        last_col = col
        while fits((row, last_col + 1)):
            last_col += 1
        last_row = row
        while all(fits((last_row + 1, c)) for c in range(col, last_col + 1)):
            last_row += 1
        rects.append(((row, col, last_row, last_col), value))
        done.update((r, c) for r in range(row, last_row + 1) for c in range(col, last_col + 1))
    return rects


def fewest(required: dict[tuple[int, int], Any], free: set[tuple[int, int]]) -> list[tuple[Box, Any]]:
    """The smaller of the rows-first and the columns-first cover."""
    by_rows = cover(required, free)
    flipped = cover({(c, r): v for (r, c), v in required.items()}, {(c, r) for r, c in free})
    by_cols = [((c1, r1, c2, r2), v) for (r1, c1, r2, c2), v in flipped]
    return by_cols if len(by_cols) < len(by_rows) else by_rows


def value_runs(sizes: dict[int, float]) -> list[tuple[int, int, float]]:
    """Consecutive indexes of equal size: (first, last, size)."""
    runs: list[list] = []
    for index in sorted(sizes):
        if runs and runs[-1][1] == index - 1 and runs[-1][2] == sizes[index]:
            runs[-1][1] = index
        else:
            runs.append([index, index, sizes[index]])
    return [tuple(run) for run in runs]


def merge_groups(merges: Iterable[Box]) -> list[tuple[Box, bool]]:
    """One-row merges of the same columns in consecutive rows as one merge across; others alone."""
    merges = list(merges)
    groups: list[list[int]] = []
    for row, c1, _, c2 in sorted((m for m in merges if m[0] == m[2]), key=lambda m: (m[1], m[3], m[0])):
        if groups and groups[-1][1] == c1 and groups[-1][3] == c2 and groups[-1][2] == row - 1:
            groups[-1][2] = row
        else:
            groups.append([row, c1, row, c2])
    return [((g[0], g[1], g[2], g[3]), g[0] != g[2]) for g in groups] + [(m, False) for m in merges if m[0] != m[2]]


# --- pages that look alike ----------------------------------------------------------------------------

def pages(model: SheetModel) -> list[tuple[int, int]]:
    """(first row, last row) of each printed page, from the model's manual page breaks."""
    breaks = list(model.print_setup.page_breaks)
    if not breaks:
        return []
    return list(zip([0] + breaks, [b - 1 for b in breaks] + [model.max_row]))


def look(model: SheetModel, props: dict, first: int, last: int) -> tuple:
    """What rows first..last look like, relative to `first` (styles, merges, heights; not values)."""
    cells = tuple(sorted(((r - first, c), tuple(sorted(p.items()))) for (r, c), p in props.items() if first <= r <= last))
    merges = tuple(sorted((r1 - first, c1, r2 - first, c2) for r1, c1, r2, c2 in model.merges if first <= r1 <= last))
    heights = tuple(sorted((r - first, h) for r, h in model.row_heights.items() if first <= r <= last))
    return cells, merges, heights, last - first


def copied_pages(model: SheetModel, props: dict) -> tuple[tuple[int, int] | None, list[tuple[int, int]]]:
    """(the source page, the other pages that look exactly like it): the most common look among the
    pages after the first (page 1 may carry the title); the first page of that look is drawn."""
    found = pages(model)
    if len(found) < 3:
        return None, []
    looks = [look(model, props, *page) for page in found[1:]]
    common = Counter(looks).most_common(1)[0][0]
    alike = [page for page, seen in zip(found[1:], looks) if seen == common]
    return alike[0], alike[1:]


# --- writing ------------------------------------------------------------------------------------------

@dataclass
class Plan:
    """What one sheet needs, with the look-alike pages taken out."""

    props: dict[tuple[int, int], dict[str, Any]]
    merges: list[Box]
    heights: dict[int, float]
    source: tuple[int, int] | None
    copies: list[tuple[int, int]]


def plan(model: SheetModel, copy_pages: bool) -> Plan:
    props = effective(model)
    source, copies = copied_pages(model, props) if copy_pages else (None, [])
    skip = {r for first, last in copies for r in range(first, last + 1)}
    return Plan({pos: p for pos, p in props.items() if pos[0] not in skip},
                [m for m in model.merges if m[0] not in skip],
                {r: h for r, h in model.row_heights.items() if r not in skip}, source, copies)


def link_formula(cell) -> str | None:
    """A link cell as =HYPERLINK("#place","text"); None when either is too long for a formula."""
    text, place = str(render_xlsx.written_value(cell)), "#" + cell.link
    if len(text) > MAX_FORMULA_TEXT or len(place) > MAX_FORMULA_TEXT:
        return None
    return f'=HYPERLINK("{place.replace(chr(34), chr(34) * 2)}","{text.replace(chr(34), chr(34) * 2)}")'


def cell_value(value: Any) -> Any:
    """A value as written live: text with Excel's text mark, dates as datetimes."""
    if isinstance(value, str):
        return TEXT_MARK + value if value else None
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    return value


def grid(model: SheetModel) -> tuple[list[list[Any]], list[tuple[int, int]]]:
    """Every value as one block, and the link cells that need a hyperlink call of their own."""
    rows = [[None] * (model.max_col + 1) for _ in range(model.max_row + 1)]
    long_links = []
    for (row, col), cell in model.cells.items():
        formula = link_formula(cell) if cell.link and cell.value not in (None, "") else None
        if cell.link and formula is None and cell.value not in (None, ""):
            long_links.append((row, col))
        rows[row][col] = formula or cell_value(cell.value)
    return rows, long_links


def write_sheets(book, models: list[SheetModel], owned: set[str], remote: bool) -> list[str]:
    """Replace (at the same position) or add each generated sheet; returns the names written."""
    _quietly(lambda: setattr(book.app, "screen_updating", False))
    try:
        for model in models:
            render(_fresh_sheet(book, model.name, owned), model, remote)
    finally:
        _quietly(lambda: setattr(book.app, "screen_updating", True))
    return [m.name for m in models]


def _quietly(step) -> None:
    try:
        step()
    except (AttributeError, NotImplementedError) as exc:
        log.debug("skipped: %s", exc)


def _fresh_sheet(book, name: str, owned: set[str]):
    """An empty sheet called `name` where the old one stood (or after the last sheet)."""
    names = [s.name for s in book.sheets]
    if name in names:
        if name not in owned:
            raise ValueError(f"{name} is not a generated sheet")
        index = names.index(name)
        book.sheets[name].delete()
        if index > 0:  # "after the sheet before it": xlwings' remote engine places `before=` one too early
            return book.sheets.add(name, after=book.sheets[index - 1])
    return book.sheets.add(name, after=book.sheets[-1])


def render(sheet, model: SheetModel, remote: bool) -> None:
    """Write one model into an empty sheet, in as few calls as the engine allows."""
    values, long_links = grid(model)
    if values:
        sheet.range((1, 1)).value = values
    for row, col in long_links:
        cell = model.cells[(row, col)]
        sheet.range((row + 1, col + 1)).add_hyperlink("#" + cell.link, str(render_xlsx.written_value(cell)), cell.link)
    todo = plan(model, copy_pages=remote)
    _sizes(sheet, model, todo.heights, remote)
    _styles(sheet, model, todo.props, remote)
    for (r1, c1, r2, c2), across in merge_groups(todo.merges):
        sheet.range((r1 + 1, c1 + 1), (r2 + 1, c2 + 1)).merge(across)
    for first, last in todo.copies:
        sheet.range(f"{first + 1}:{last + 1}").copy_from(sheet.range(f"{todo.source[0] + 1}:{todo.source[1] + 1}"), "formats")
    for chart in model.charts:
        _chart(sheet, chart, _position(model, chart.row, chart.col))
    if model.freeze:
        row, col = model.freeze
        _quietly(lambda: sheet.freeze_panes.freeze_at(f"{column_letter(col)}{row + 1}"))


def _sizes(sheet, model: SheetModel, heights: dict[int, float], remote: bool) -> None:
    scale = POINTS_PER_CHARACTER if remote else 1
    for first, last, width in value_runs(model.col_widths):
        sheet.range((1, first + 1), (1, last + 1)).column_width = width * scale
    for first, last, height in value_runs(heights):
        sheet.range(f"{first + 1}:{last + 1}").row_height = height


def _styles(sheet, model: SheetModel, props: dict, remote: bool) -> None:
    shown = {pos for pos, cell in model.cells.items() if cell.value not in (None, "")}
    merged = {(r, c) for r1, c1, r2, c2 in model.merges for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)}
    free = {(r, c) for r in range(model.max_row + 1) for c in range(model.max_col + 1)} - shown - merged
    for name in PROPERTIES:
        required = {pos: p[name] for pos, p in props.items() if name in p}
        if name == "fill" and remote:
            _fill_matrix(sheet, required)
            continue
        for (r1, c1, r2, c2), value in fewest(required, free if name in INVISIBLE_ON_EMPTY else set()):
            _apply(sheet.range((r1 + 1, c1 + 1), (r2 + 1, c2 + 1)), name, value)


def _apply(rng, name: str, value: Any) -> None:
    if name == "num_format":
        rng.number_format = value
    elif name == "wrap":
        rng.wrap_text = True
    elif name == "fill":
        rng.color = value
    else:
        setattr(rng.font, name, value)


def _fill_matrix(sheet, required: dict[tuple[int, int], str]) -> None:
    """The fills as colour matrices over their bounding box (`...` keeps a cell unfilled), in row bands."""
    if not required:
        return
    r1, r2 = min(r for r, _ in required), max(r for r, _ in required)
    c1, c2 = min(c for _, c in required), max(c for _, c in required)
    band = max(1, MAX_COLOR_CELLS // (c2 - c1 + 1))
    for top in range(r1, r2 + 1, band):
        bottom = min(r2, top + band - 1)
        matrix = [[required.get((r, c), ...) for c in range(c1, c2 + 1)] for r in range(top, bottom + 1)]
        if any(v is not ... for row in matrix for v in row):
            sheet.range((top + 1, c1 + 1), (bottom + 1, c2 + 1)).set_colors(matrix)


def _position(model: SheetModel, row: int, col: int) -> tuple[float, float]:
    """(left, top) in points of a cell, from the model's widths and heights (no round trip to Excel)."""
    left = sum(model.col_widths.get(c, 8.43) * POINTS_PER_CHARACTER + 3.75 for c in range(col))
    top = sum(model.row_heights.get(r, 15.0) for r in range(row))
    return left, top


def _chart(sheet, spec: Chart, where: tuple[float, float]) -> None:
    """A native chart of the value columns (type and data only: these engines take no more)."""
    first = spec.series[0]
    chart = sheet.charts.add(where[0], where[1], spec.width * 0.75, spec.height * 0.75)
    chart.chart_type = {"bar": "column_clustered", "pie": "pie"}.get(spec.kind, "line_markers")
    columns = [s.col for s in spec.series]
    top = first.name_row if first.name_row is not None else first.first_row
    chart.set_source_data(sheet.range((top + 1, min(columns) + 1), (first.last_row + 1, max(columns) + 1)))
