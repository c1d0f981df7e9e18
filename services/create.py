"""Building a new master workbook from the layout: every input sheet, ready to type into.

`build_master` writes headers on row 1 with a note on each (what to type), drop-downs for
every list column (literal lists), and for every column naming something of another sheet
(党员编号, 活动编号, 组织者, 党小组, the people columns) a list through a defined name of
`layout.DEFINED_LISTS` — never a plain cross-sheet range, which several tools drop —, frozen
headers, widths, date and text formats, print setup, and a 使用说明 sheet. Rows given in `data` are written
below the headers; `sync.py init` passes the defaults, the demo and the tests pass more.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import xlsxwriter

from services.guide import GUIDE_LINES
from services.interpreter import Host, xlwings_interpreters
from workbook import layout, textfit, xlsm
from workbook.layout import Column, SheetSpec

HEADER_FILL = "#DDEBF7"
REQUIRED_FILL = "#FCE4D6"
LAST_ROW = 1_048_575
# What a drop-down over another sheet says when the value typed is not in its list (title, message).
LIST_MESSAGES = {
    layout.GROUP_LIST_NAME: ("请选择已登记的党小组", "这个小组不在“党小组”表中。请从下拉列表选择，或先在“党小组”表登记。"),
    layout.MEMBER_LIST_NAME: ("党员编号不在党员名册中", "请从下拉列表选择党员名册中的党员编号。新党员请先在“党员名册”登记；"
                              "确认编号无误可点“是”保留。"),
    layout.ACTIVITY_LIST_NAME: ("活动编号不在活动计划中", "请从下拉列表选择活动计划中的活动编号。新活动请先在“活动计划”登记；"
                                "确认编号无误可点“是”保留。"),
    layout.ORGANIZER_LIST_NAME: ("组织者不在列表中", "组织者填“支部”或“党小组”表中的小组名称。请从下拉列表选择；"
                                 "确认无误可点“是”保留。"),
    layout.MEMBER_NAME_LIST_NAME: ("不是名册中的党员", "列表是党员名册中的姓名，仅供选择；不是党员的，点“确定”照样保留。"),
}

TEN_ACTIVITIES = (
    ("党的辉煌历程专家报告会", "支部", "3月"),
    ("颂党恩演讲比赛", "支部", "4月"),
    ("学雷锋“我为绿色家园添彩笔”活动", "党小组", "3月"),
    ("教学研究竞赛活动", "支部", "4月"),
    ("服务社区公益事业活动", "党小组", "5月"),
    ("中小学生艺术特长展示活动", "支部", "6月"),
    ("绘画、书法竞赛活动", "支部", "6月"),
    ("慰问困难党员家庭活动", "支部", "6月"),
    ("“我身边的优秀共产党员”学习表彰活动", "支部", "6月"),
    ("省内一日红色旅行考察学习活动", "党小组", "4—7月"),
)
GROUP_PLACEHOLDER_NOTE = "由各党小组分别组织：在“党小组”表登记小组后，每个小组一行，组织者填小组名称"


def default_settings(branch: str, year: int) -> list[dict[str, Any]]:
    """The 基本设置 rows of a new master."""
    values = {
        "支部名称": branch,
        "年度开始日期": dt.date(year, 1, 1),
        "年度结束日期": dt.date(year, 12, 31),
        "积分截止日期": None,
        "每周刷新时间": "周一 07:00",
        "备份保留份数": 20,
        "群众评议份数": 20,
    }
    rows = [{"项目": key, "值": values[key], "说明": note} for key, note in layout.SETTING_KEYS]
    rows += [{"项目": key, "值": rule, "说明": note} for key, rule, note in layout.MEETING_KEYS]
    return rows


def ten_activities(groups: list[str]) -> list[dict[str, Any]]:
    """The seed's “十个一” activities; a party-group activity gets one row per group."""
    rows = []
    for number, (name, organizer, months) in enumerate(TEN_ACTIVITIES, 1):
        organizers = groups if organizer == "党小组" and groups else [organizer]
        for index, who in enumerate(organizers, 1):
            code = f"A{number:02d}" + (f"-{index}" if len(organizers) > 1 else "")
            note = GROUP_PLACEHOLDER_NOTE if who == "党小组" else ""
            rows.append({"活动编号": code, "活动名称": name, "类别": "十个一", "组织者": who,
                         "计划月份": months, "状态": layout.PLANNED, "备注": note})
    return rows


def default_data(branch: str, year: int, groups: list[str] | None = None) -> dict[str, list[dict[str, Any]]]:
    """What a new master holds before staff type anything."""
    from workplan.rules import DEFAULT_RULES

    groups = groups or []
    return {
        layout.SETTINGS: default_settings(branch, year),
        layout.GROUPS: [{"小组名称": name} for name in groups],
        layout.ACTIVITIES: ten_activities(groups),
        layout.RULES: [
            {"规则代码": r.code, "项目": r.item, "分值": r.value, "上限": r.cap, "说明": r.note} for r in DEFAULT_RULES
        ],
        layout.HOLIDAYS: [],
    }


def build_master(path: str | Path, data: dict[str, list[dict[str, Any]]], large: bool = False,
                 host: Host | None = None) -> Path:
    """Write a new master workbook at `path` holding `data` (sheet -> rows of header -> value).

    A path ending in .xlsm gets the buttons on 使用说明, an `xlwings.conf` sheet and the VBA
    project behind the buttons (workbook/xlsm.py). `large` streams rows to disk
    (xlsxwriter's constant_memory), for benchmark-sized books. `host` is the Python whose
    interpreter xlwings.conf names (services/interpreter.py), the running one unless given.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    options = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    book = xlsxwriter.Workbook(str(path), {**options, "constant_memory": large})
    formats = _Formats(book)
    macro_enabled = path.suffix.lower() == ".xlsm"
    guide = _write_guide(book, formats)
    for spec in layout.INPUT_SHEETS:
        _write_input_sheet(book, formats, spec, data.get(spec.name, []))
    _write_lists_sheet(book, data.get(layout.GROUPS, []))
    for name, ref in layout.DEFINED_LISTS.items():
        book.define_name(name, ref)
    book.set_properties({"title": "党建工作台账", "comments": "由党建工作台账程序生成"})
    if macro_enabled:
        _add_buttons(guide)
        _write_conf_sheet(book, host)
    book.close()
    if macro_enabled:
        xlsm.add_vba_project(path)
    return path


def _add_buttons(sheet) -> None:
    """One button per action, to the right of the instructions."""
    sheet.set_column(1, 1, 18)
    for index, action in enumerate(xlsm.ACTIONS):
        sheet.insert_button(2 + 2 * index, 1, {"macro": action.sub, "caption": action.caption,
                                                "width": 120, "height": 30, "font": {"name": "宋体", "size": 12}})


def _write_conf_sheet(book, host: Host | None) -> None:
    """The xlwings.conf sheet the buttons read: interpreter and PYTHONPATH (hidden; an admin may unhide it)."""
    sheet = book.add_worksheet(xlsm.CONF_SHEET)
    for row, (key, value) in enumerate(xlsm.conf_rows(*xlwings_interpreters(host))):
        sheet.write_string(row, 0, key)
        sheet.write_string(row, 1, value)
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, 1, 60)
    sheet.hide()


class _Formats:
    """The handful of cell formats the input sheets use."""

    def __init__(self, book: xlsxwriter.Workbook):
        base = {"font_name": "宋体", "font_size": 11, "valign": "vcenter"}
        header = {**base, "bold": True, "border": 1, "align": "center", "text_wrap": True}
        self.header = book.add_format({**header, "bg_color": HEADER_FILL})
        self.required = book.add_format({**header, "bg_color": REQUIRED_FILL})
        self.text = book.add_format({**base, "num_format": "@"})
        self.plain = book.add_format(base)
        self.date = book.add_format({**base, "num_format": "yyyy-mm-dd", "align": "left"})
        self.title = book.add_format({**base, "bold": True, "font_size": 16})
        self.heading = book.add_format({**base, "bold": True, "font_size": 12, "font_color": "#1F4E79", "text_wrap": True})
        self.wrap = book.add_format({**base, "text_wrap": True, "valign": "top"})

    def for_column(self, column: Column):
        if column.kind == layout.DATE:
            return self.date
        if column.kind in (layout.ID, layout.TEXT, layout.NAME, layout.CHOICE, layout.MONTHS):
            return self.text
        return self.plain


def _write_input_sheet(book, formats: _Formats, spec: SheetSpec, rows: list[dict[str, Any]]) -> None:
    sheet = book.add_worksheet(spec.name)
    for index, column in enumerate(spec.columns):
        sheet.set_column(index, index, column.width, formats.for_column(column))
        sheet.write_string(0, index, column.name, formats.required if column.required else formats.header)
        sheet.write_comment(0, index, header_note(column), {"x_scale": 1.6, "y_scale": 1.2, "font_name": "宋体"})
        _add_list(sheet, spec, index, column)
    for row_index, row in enumerate(rows, 1):
        for index, column in enumerate(spec.columns):
            _write_value(sheet, formats, row_index, index, column, row.get(column.name))
    sheet.set_row(0, 30)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(len(rows), 1), len(spec.columns) - 1)
    _print_setup(sheet)


def header_note(column: Column) -> str:
    """The note on a header cell: required or not, what to type, the allowed values."""
    parts = ["必填。" if column.required else "选填。"]
    if column.hint:
        parts.append(column.hint + "。")
    if column.kind == layout.CHOICE:
        parts.append("可选：" + "、".join(column.choices) + "。")
    elif column.kind == layout.DATE and not column.hint:
        parts.append("日期，如 2026-03-05。")
    if column.unique:
        parts.append("不可重复。")
    return "".join(parts)


def _add_list(sheet, spec: SheetSpec, index: int, column: Column) -> None:
    """A drop-down: the column's own choices, or a list over another sheet through a defined name."""
    source = layout.REFERENCE_LISTS.get((spec.name, column.name))
    if source is not None:
        title, message = LIST_MESSAGES[source.name]
        options = {"source": "=" + source.name, "error_type": source.error_type,
                   "error_title": title, "error_message": message}
    elif column.kind == layout.CHOICE:
        options = {"source": list(column.choices), "error_type": "stop" if column.strict else "information",
                   "error_title": "请从下拉列表选择", "error_message": ("可选：" + "、".join(column.choices))[:255]}
    else:
        return
    sheet.data_validation(1, index, LAST_ROW, index, {"validate": "list", "ignore_blank": True, **options})


def _write_lists_sheet(book, groups: list[dict[str, Any]]) -> None:
    """The hidden 下拉列表 sheet behind 组织者列表: 支部, then one formula per row of 党小组.

    Formulas (not copied names) keep the list in step with groups added later, and survive
    any application's save; the cached values are the groups written now.
    """
    sheet = book.add_worksheet(layout.LISTS_SHEET)
    sheet.write_string(0, 0, "组织者（供下拉列表使用，请勿修改）")
    sheet.write_string(1, 0, layout.BRANCH_ORGANIZER)
    names = [str(row.get("小组名称") or "") for row in groups]
    for offset in range(layout.GROUP_LIST_ROWS):
        cell = f"{layout.GROUPS}!A{offset + 2}"
        sheet.write_formula(2 + offset, 0, f'=IF({cell}="","",{cell})', None, names[offset] if offset < len(names) else "")
    sheet.set_column(0, 0, 36)
    sheet.hide()


def _write_value(sheet, formats: _Formats, row: int, col: int, column: Column, value: Any) -> None:
    if value is None or value == "":
        return
    if isinstance(value, (dt.date, dt.datetime)):
        sheet.write_datetime(row, col, dt.datetime.combine(value, dt.time()) if type(value) is dt.date else value, formats.date)
    elif isinstance(value, bool):
        sheet.write_boolean(row, col, value)
    elif isinstance(value, (int, float)):
        sheet.write_number(row, col, value, formats.plain)
    else:
        sheet.write_string(row, col, str(value), formats.text)


def _print_setup(sheet) -> None:
    sheet.set_paper(9)  # A4
    sheet.set_landscape()
    sheet.repeat_rows(0)
    sheet.fit_to_pages(1, 0)
    sheet.set_footer("&C第 &P 页，共 &N 页")


GUIDE_WIDTH = 70  # characters: with the buttons' column (18) on portrait A4 at 100 % in Calibri (470 of 494 points)


def _write_guide(book, formats: _Formats):
    """使用说明: one column that, with the buttons' column beside it, is as wide as portrait A4; every line wrapped
    in it and its row as tall as its lines. No print area: LibreOffice would print the sheet even when hidden."""
    sheet = book.add_worksheet(layout.GUIDE)
    sheet.set_column(0, 0, GUIDE_WIDTH, formats.wrap)
    sheet.write_string(0, 0, "党建工作台账 使用说明", formats.title)
    sheet.set_row(0, 28)
    for row, line in enumerate(GUIDE_LINES, 2):
        heading = line.startswith("■")
        sheet.write_string(row, 0, line, formats.heading if heading else formats.wrap)
        sheet.set_row(row, guide_row_height(line, 12 if heading else 11))
    sheet.set_tab_color("#2F75B5")
    sheet.set_paper(9)
    sheet.set_portrait()
    sheet.fit_to_pages(1, 0)
    sheet.set_footer("&C第 &P 页，共 &N 页")
    return sheet


def guide_row_height(text: str, size: float = 11) -> float:
    """Points that hold `text` wrapped in the guide's column, by the rule every generated sheet uses."""
    return textfit.lines_height(max(1, textfit.wrapped_lines(text, GUIDE_WIDTH, size)), size)
