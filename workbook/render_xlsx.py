"""Render a `SheetModel` into an xlsxwriter workbook.

One function per concern of the model (cells, merges, layout, drop-downs, conditional
colours, charts, print setup, protection). `add_sheet` adds one sheet to a workbook the
caller owns; `write_standalone` writes a new file holding some sheets (forms handed out
as files). The package writer (`workbook.package`) renders into an in-memory workbook
and transplants the sheets into the master.

Text is always written as text: a value such as "=SUM(A1)", "+1", "-" or "@x" typed by
staff must never become a formula, a number or a link.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import numbers
import weakref
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from workbook.sheetmodel import Cell, Chart, ConditionalFill, PrintSetup, SheetModel, Style, Validation, is_date

WORKBOOK_OPTIONS = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "remove_timezone": True,
}
DEFAULT_DATE_FORMAT = "yyyy-mm-dd"
LINK_STYLE = Style(color="#0563C1", underline=True)
PAPER_A4 = 9
CHART_TYPES = {"bar": "column", "line": "line", "pie": "pie"}
MAX_LIST_CHARS = 255  # Excel's limit for an inline drop-down list ("a,b,c")
MAX_PROMPT_CHARS = 255


class FormatCache:
    """Maps (Style, number format) to one xlsxwriter Format per workbook.

    xlsxwriter would deduplicate equal formats itself, but creating a Format per cell is
    slow for big sheets; the cache makes every distinct style one object.
    """

    def __init__(self, workbook: Workbook):
        self._workbook = workbook
        self._cells: dict[tuple[Style, str | None], Format] = {}
        self._by_identity: dict[tuple[int, str | None], tuple[Style | None, Format | None]] = {}
        self._fills: dict[tuple[str, str | None], Format] = {}

    def cell(self, style: Style | None, num_format: str | None = None) -> Format | None:
        """The Format of a cell; None for an unstyled cell without a number format."""
        if style is None and num_format is None:
            return None
        seen = self._by_identity.get((id(style), num_format))
        if seen is not None and seen[0] is style:  # the same Style object again: skip hashing its fields
            return seen[1]
        key = (style or Style(), num_format)
        if key not in self._cells:
            self._cells[key] = self._workbook.add_format(format_properties(key[0], num_format))
        self._by_identity[(id(style), num_format)] = (style, self._cells[key])
        return self._cells[key]

    def fill(self, fill: str, color: str | None) -> Format:
        """The (differential) Format of a conditional colour."""
        key = (fill, color)
        if key not in self._fills:
            props = {"bg_color": fill}
            if color:
                props["font_color"] = color
            self._fills[key] = self._workbook.add_format(props)
        return self._fills[key]


_CACHES: "weakref.WeakKeyDictionary[Workbook, FormatCache]" = weakref.WeakKeyDictionary()


def formats_for(workbook: Workbook) -> FormatCache:
    """The format cache of `workbook`, created on first use."""
    if workbook not in _CACHES:
        _CACHES[workbook] = FormatCache(workbook)
    return _CACHES[workbook]


def format_properties(style: Style, num_format: str | None = None) -> dict[str, Any]:
    """xlsxwriter format properties of a Style; `num_format` overrides the style's."""
    props: dict[str, Any] = {}
    flags = {"bold": style.bold, "italic": style.italic, "text_wrap": style.wrap}
    props.update({key: True for key, on in flags.items() if on})
    if style.underline:
        props["underline"] = 1
    if style.border:
        props["border"] = 1
    if not style.locked:
        props["locked"] = False
    optional = {
        "font_size": style.size,
        "font_color": style.color,
        "bg_color": style.fill,
        "num_format": num_format or style.num_format,
        "align": style.align,
        "valign": style.valign,
    }
    props.update({key: value for key, value in optional.items() if value is not None})
    return props


def new_workbook(target: Any, date_1904: bool = False) -> Workbook:
    """An xlsxwriter workbook with our options; `target` is a path or a BytesIO.

    `date_1904` writes date serials counted from 1904-01-01, for sheets going into a master
    that uses the 1904 date system.
    """
    options = dict(WORKBOOK_OPTIONS, date_1904=date_1904)
    if not isinstance(target, (str, Path)):
        options["in_memory"] = True
    return xlsxwriter.Workbook(target if not isinstance(target, Path) else str(target), options)


def add_sheet(workbook: Workbook, model: SheetModel) -> Worksheet:
    """Add one sheet rendering every field of `model`; return the worksheet."""
    sheet = workbook.add_worksheet(model.name)
    formats = formats_for(workbook)
    _write_layout(sheet, model)
    _write_merges(sheet, model, formats)
    for (row, col), cell in sorted(model.cells.items()):
        write_cell(sheet, row, col, cell, formats)
    for validation in model.validations:
        _write_validation(sheet, validation)
    for conditional in model.conditional:
        _write_conditional(sheet, conditional, formats)
    for chart in model.charts:
        _write_chart(workbook, sheet, chart)
    for button in model.buttons:
        sheet.insert_button(button.row, button.col, {"macro": button.macro, "caption": button.caption,
                                                     "width": button.width, "height": button.height})
    _write_print(sheet, model.print_setup)
    if model.print_first_row:  # the screen's banner stays out of print
        sheet.print_area(model.print_first_row, 0, *print_extent(model))
    if model.autofilter:
        sheet.autofilter(*model.autofilter)
    if model.protect:
        _protect(sheet, model)
    return sheet


def write_standalone(path: str | Path, models: list[SheetModel], properties: dict[str, str] | None = None) -> Path:
    """Write a new workbook at `path` holding the sheets of `models`, in order.

    `properties` are document properties (title, comments, ...) as xlsxwriter names them.
    """
    if not models:
        raise ValueError("write_standalone needs at least one sheet")
    workbook = new_workbook(str(path))
    if properties:
        workbook.set_properties(properties)
    for model in models:
        add_sheet(workbook, model)
    workbook.close()
    return Path(path)


def written_value(cell: Cell) -> Any:
    """The value as it lands in the file: link text is text, "" is empty.

    Used for fingerprints, so that what a reader gets back is what we hash.
    """
    value = cell.value
    if value is None or (isinstance(value, str) and value == ""):
        return None
    if cell.link:
        return _display_text(value)
    return value


def write_cell(sheet: Worksheet, row: int, col: int, cell: Cell, formats: FormatCache) -> None:
    """Write one cell: text as text (never a formula), numbers, booleans, dates, links."""
    value = written_value(cell)
    if cell.link and value is not None and _write_link(sheet, row, col, cell, formats):
        return
    if value is None:
        if cell.style is not None:
            sheet.write_blank(row, col, None, formats.cell(cell.style))
        return
    if isinstance(value, bool):
        sheet.write_boolean(row, col, value, formats.cell(cell.style))
    elif isinstance(value, (int, float)) or isinstance(value, numbers.Real):
        sheet.write_number(row, col, _finite(value, row, col), formats.cell(cell.style))
    elif is_date(value):
        date_format = (cell.style.num_format if cell.style else None) or DEFAULT_DATE_FORMAT
        sheet.write_datetime(row, col, value, formats.cell(cell.style, date_format))
    elif isinstance(value, str):
        sheet.write_string(row, col, value, formats.cell(cell.style))
    else:
        raise TypeError(f"cannot write {type(value).__name__} at row {row}, col {col}: {value!r}")


def _finite(value: numbers.Real, row: int, col: int) -> float:
    """A float that Excel can store; NaN and infinity are bugs of the caller."""
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"non-finite number {value!r} at row {row}, col {col}")
    return number


def _display_text(value: Any) -> str:
    """The text shown by a link cell."""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M") if value.time() != dt.time() else value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _write_link(sheet: Worksheet, row: int, col: int, cell: Cell, formats: FormatCache) -> bool:
    """Write an internal hyperlink showing the value as text; False if Excel's limits refuse it.

    xlsxwriter refuses links past 65,530 per sheet or locations over 255 characters; the
    caller then writes the value as plain text.
    """
    location = cell.link if cell.link.startswith("internal:") else f"internal:{cell.link}"
    fmt = formats.cell(cell.style or LINK_STYLE)
    status = sheet.write_url(row, col, location, fmt, _display_text(cell.value))
    return status in (0, -2)  # -2: text truncated to 32,767 characters, still written


def _write_layout(sheet: Worksheet, model: SheetModel) -> None:
    """Column widths, row heights, frozen panes and the tab colour."""
    for col, width in sorted(model.col_widths.items()):
        sheet.set_column(col, col, width)
    for row, height in sorted(model.row_heights.items()):
        sheet.set_row(row, height)
    if model.freeze:
        sheet.freeze_panes(*model.freeze)
    if model.tab_color:
        sheet.set_tab_color(model.tab_color)


def _write_merges(sheet: Worksheet, model: SheetModel, formats: FormatCache) -> None:
    """Merge blocks, formatted like their top-left cell; the cell itself is written later."""
    for first_row, first_col, last_row, last_col in model.merges:
        top_left = model.cells.get((first_row, first_col))
        fmt = formats.cell(top_left.style if top_left else None)
        sheet.merge_range(first_row, first_col, last_row, last_col, None, fmt)


def _write_validation(sheet: Worksheet, validation: Validation) -> None:
    """A drop-down list; the list and the prompt must fit Excel's 255-character limits."""
    if len(",".join(validation.choices)) > MAX_LIST_CHARS or any("," in c for c in validation.choices):
        raise ValueError(f"drop-down list too long or with commas: {validation.choices!r}")
    options: dict[str, Any] = {"validate": "list", "source": list(validation.choices)}
    if validation.prompt:
        if len(validation.prompt) > MAX_PROMPT_CHARS:
            raise ValueError(f"drop-down prompt over {MAX_PROMPT_CHARS} characters: {validation.prompt!r}")
        options["input_message"] = validation.prompt
    box = (validation.first_row, validation.first_col, validation.last_row, validation.last_col)
    if sheet.data_validation(*box, options) != 0:
        raise ValueError(f"xlsxwriter refused the drop-down {validation!r}")


def _criterion(value: Any) -> str | float:
    """The value of an "equal to" rule: numbers as they are, text quoted as a formula string."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, numbers.Real):
        number = float(value)
        return int(number) if number.is_integer() else number
    return '"' + str(value).replace('"', '""') + '"'


def _write_conditional(sheet: Worksheet, rule: ConditionalFill, formats: FormatCache) -> None:
    """Colour the cells of a block whose value equals `rule.equals`."""
    options = {"type": "cell", "criteria": "==", "value": _criterion(rule.equals), "format": formats.fill(rule.fill, rule.color)}
    box = (rule.first_row, rule.first_col, rule.last_row, rule.last_col)
    if sheet.conditional_format(*box, options) != 0:
        raise ValueError(f"xlsxwriter refused the conditional fill {rule!r}")


def _write_chart(workbook: Workbook, sheet: Worksheet, spec: Chart) -> None:
    """A column, line or pie chart drawn from cells of the same sheet; a pie shows percentages."""
    if spec.kind not in CHART_TYPES:
        raise ValueError(f"unknown chart kind {spec.kind!r}; expected one of {sorted(CHART_TYPES)}")
    chart = workbook.add_chart({"type": CHART_TYPES[spec.kind]})
    for series in spec.series:
        chart.add_series(_series_options(sheet.get_name(), spec, series))
    chart.set_title({"name": spec.title, "name_font": {"size": 12}})
    chart.set_legend({"position": "bottom"} if spec.legend else {"none": True})
    if spec.kind != "pie":
        chart.set_x_axis({"name": spec.x_title} if spec.x_title else {})
        chart.set_y_axis(_value_axis(spec))
    chart.set_size({"width": spec.width, "height": spec.height})
    sheet.insert_chart(spec.row, spec.col, chart)


def _series_options(name: str, spec: Chart, series) -> dict[str, Any]:
    """One series: its cells, colour (or one colour per point), markers and value labels."""
    options: dict[str, Any] = {
        "name": [name, series.name_row, series.col] if series.name_row is not None else series.name,
        "categories": [name, series.first_row, series.category_col, series.last_row, series.category_col],
        "values": [name, series.first_row, series.col, series.last_row, series.col],
    }
    if series.color:
        fill = {"color": series.color}
        options.update({"line": {"color": series.color, "width": 2.25}} if spec.kind == "line" else {"fill": fill})
    if series.point_colors:
        options["points"] = [{"fill": {"color": c}, "border": {"color": "#FFFFFF"}} if c else None
                             for c in series.point_colors]
    if spec.kind == "line" and spec.markers:
        marker = {"type": "circle", "size": 7}
        if series.color:
            marker.update({"fill": {"color": series.color}, "border": {"color": series.color}})
        options["marker"] = marker
    if spec.kind == "pie":
        options["data_labels"] = {"percentage": True, "category": True, "separator": "\n"}
    elif spec.value_labels:
        labels: dict[str, Any] = {"value": True, "position": "outside_end" if spec.kind == "bar" else "above"}
        if spec.label_format:
            labels["num_format"] = spec.label_format
        options["data_labels"] = labels
    return options


def _value_axis(spec: Chart) -> dict[str, Any]:
    """The value axis: its title, number format, whole-number steps for counts, and its bounds."""
    axis: dict[str, Any] = {"major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}}
    if spec.y_title:
        axis["name"] = spec.y_title
    if spec.y_format:
        axis["num_format"] = spec.y_format
    if spec.whole_numbers:
        axis["num_format"] = spec.y_format or "0"
    bounds = (("min", spec.y_min), ("max", spec.y_max), ("major_unit", spec.y_step))
    axis.update({key: value for key, value in bounds if value is not None})
    return axis


def _write_print(sheet: Worksheet, setup: PrintSetup) -> None:
    """A4, orientation, repeated title rows, fit to width, page breaks, header and footer.

    Limit: Excel ignores manual page breaks while "fit to page" is on, so a model with
    page breaks should set fit_width=False.
    """
    sheet.set_paper(PAPER_A4)
    if setup.landscape:
        sheet.set_landscape()
    else:
        sheet.set_portrait()
    if setup.repeat_rows:
        sheet.repeat_rows(*setup.repeat_rows)
    if setup.fit_width:
        sheet.fit_to_pages(1, setup.fit_height)
    if setup.scale:
        sheet.set_print_scale(setup.scale)
    if setup.page_breaks:
        sheet.set_h_pagebreaks(list(setup.page_breaks))
    if setup.header:
        sheet.set_header(_centred(setup.header))
    if setup.footer:
        sheet.set_footer(_centred(setup.footer))


def print_extent(model: SheetModel) -> tuple[int, int]:
    """(last row, last column) of what a sheet shows: its cells and its charts (estimated from sizes)."""
    last_row, last_col = max(model.max_row, 0), max(model.max_col, 0)
    for chart in model.charts:
        col, room = chart.col, chart.width - _col_pixels(model, chart.col)
        while room > 0:
            col += 1
            room -= _col_pixels(model, col)
        row, room = chart.row, chart.height - model.row_heights.get(chart.row, 15) * 4 / 3
        while room > 0:
            row += 1
            room -= model.row_heights.get(row, 15) * 4 / 3
        last_row, last_col = max(last_row, row), max(last_col, col)
    return last_row, last_col


def _col_pixels(model: SheetModel, col: int) -> float:
    return model.col_widths.get(col, 8.43) * 7 + 5


def _centred(text: str) -> str:
    """Header/footer text in the centre section unless it names its sections (&L, &C, &R)."""
    return text if re.search(r"(?<!&)&[LCR]", text) else "&C" + text


def _protect(sheet: Worksheet, model: SheetModel) -> None:
    """Protect without a password; columns and rows may still be resized, cells selected."""
    options = {
        "format_columns": True,
        "format_rows": True,
        "select_locked_cells": True,
        "select_unlocked_cells": True,
        "autofilter": bool(model.autofilter),
        "sort": bool(model.autofilter),
    }
    sheet.protect("", options)
