"""The demo master printed by LibreOffice: how many pages each generated sheet takes, that no
form ends on a page of a few rows, that the screen's banner is not printed, that text prints
at the sizes promised, and (from the workbook) that every row is tall enough for its text.

One conversion for the module. A page belongs to the sheet whose name is its header (every
generated sheet prints its name at the top of each page). Bounds are for the demo as built
with `--today 2026-11-26`: 39 scored members, 340 member commitments, 12 months.
"""

from __future__ import annotations

import re
import subprocess
from collections import defaultdict

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from workbook import layout as L
from workbook.textfit import BASE_SIZE, DEFAULT_HEIGHT, DEFAULT_WIDTH, needed_height, text_units, usable_units

from conftest import soffice_convert

MEMBERS = 39  # scored members of the demo: one 党员年度考评表 page each
PAGE_BOUNDS = {  # sheet -> (fewest, most) pages; measured in the note of issue 16
    "校验结果": (1, 2),
    "个人积分": (1, 3),
    "小组积分": (1, 1),
    "积分历史": (1, 2),
    "活动日历": (13, 15),  # the year overview (one to three pages: the demo types 支委会 and 党小组会), then each month on one page
    "近期提醒": (1, 3),
    "群众评议表": (1, 2),  # 39 members, 29-point rows to tick by hand
    "党员评议支部表": (1, 1),
    "读书考评表": (1, 6),
    "承诺评议表": (1, 18),  # 340 commitments
    "党员年度考评表": (MEMBERS, MEMBERS),
    "公示表": (1, 9),
    "评议汇总": (1, 3),
}
OTHER_GENERATED = (1, 4)  # a generated sheet without its own bound here
NUMBERED_FORMS = ("群众评议表", "党员评议支部表", "读书考评表", "承诺评议表", "公示表")  # rows numbered 1, 2, …
CJK_HEIGHT = 1.30  # a CJK word's box in pdftotext is 1.30 times the font size (measured)


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    import sync

    folder = tmp_path_factory.mktemp("print")
    master = folder / "示例.xlsx"
    sync.main(["demo", str(master), "--today", "2026-11-26"])
    pdf = soffice_convert(master, "pdf", folder)
    return master, pdf, _pages_by_sheet(pdf)


def _page_texts(pdf) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1]


def _pages_by_sheet(pdf) -> dict[str, list[tuple[int, str]]]:
    """Generated sheet -> [(page number, page text)], by the page's header line."""
    pages: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for number, text in enumerate(_page_texts(pdf), 1):
        first = next((line.strip() for line in text.splitlines() if line.strip()), "")
        if first in L.GENERATED_SHEETS:
            pages[first].append((number, text))
    return pages


def _words(pdf, pages: list[int]) -> list[tuple[float, str]]:
    """(height, text) of every word on the given pages; the page header and footer (within 50 points
    of the paper's edge) left out."""
    found = []
    for page in pages:
        html = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
                              capture_output=True, text=True, check=True).stdout
        paper = float(re.search(r'<page width="[\d.]+" height="([\d.]+)"', html).group(1))
        for y0, y1, word in re.findall(r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>', html):
            if 50 < float(y0) and float(y1) < paper - 50:
                found.append((float(y1) - float(y0), word))
    return found


def test_every_generated_sheet_prints_within_its_page_bound(printed):
    _, _, pages = printed
    counts = {sheet: len(pages.get(sheet, [])) for sheet in L.GENERATED_SHEETS}
    for sheet, count in counts.items():
        low, high = PAGE_BOUNDS.get(sheet, OTHER_GENERATED)
        assert low <= count <= high, f"{sheet}: {count} pages, expected {low}–{high}"


def test_the_banner_is_for_the_screen_only(printed):
    master, _, pages = printed
    for sheet, sheet_pages in pages.items():
        assert not any("本表由程序生成" in text for _, text in sheet_pages), sheet
    book = openpyxl.load_workbook(master, read_only=False)
    for sheet in L.GENERATED_SHEETS:
        if book[sheet]["A1"].value == "本表由程序生成，请勿在此输入；下次刷新会覆盖":
            assert re.search(r"!\$A\$2:", book[sheet].print_area or ""), sheet


def test_no_form_ends_on_a_page_of_a_few_rows(printed):
    """Every numbered row is printed once, in order, and no page holds under a quarter of the fullest page's rows."""
    _, _, pages = printed
    for sheet in NUMBERED_FORMS:
        per_page = [[int(n) for n in re.findall(r"(?m)^ {0,4}(\d{1,3}) +\S", text)] for _, text in pages[sheet]]
        numbers = [n for page in per_page for n in page]
        assert numbers == list(range(1, len(numbers) + 1)) and numbers, sheet
        fullest = max(len(page) for page in per_page)
        assert all(len(page) * 4 >= fullest for page in per_page), (sheet, [len(p) for p in per_page])


def test_text_prints_at_the_promised_sizes(printed):
    _, pdf, pages = printed
    notice = [height for height, word in _words(pdf, [n for n, _ in pages["公示表"]])
              if re.search(r"[\u4e00-\u9fff]", word)]
    assert min(notice) >= 10.5 * CJK_HEIGHT * 0.98  # the notice board: 10.5 points or more
    months = [n for n, text in pages["活动日历"] if re.search(r"\d{4}年\d{1,2}月\n", text)]
    assert len(months) == 12
    weeks = [height for height, word in _words(pdf, months) if re.search(r"第\d+周", word)]
    assert len(weeks) >= 12 * 4 and min(weeks) >= 9 * CJK_HEIGHT * 0.98  # day text at 9 points or more


def test_passed_deadlines_lead_the_reminders(printed):
    _, _, pages = printed
    text = "".join(page for _, page in pages["近期提醒"])
    assert "预备期已满 148 天，尚未办理转正" in text  # D009: 2025-07-01 + one year, 148 days before 2026-11-26
    kinds = re.findall(r"(?m)^ *(逾期活动|预备期已满|承诺环节|近期活动|预备期将满|积极分子满一年|未签到|日历提示) +\d{4}-\d\d-\d\d", text)
    assert kinds[:kinds.index("近期活动")] == ["逾期活动", "预备期已满", "预备期已满", "预备期已满", "承诺环节", "承诺环节",
                                            "承诺环节", "承诺环节"]


def _column_widths(sheet) -> dict[int, float]:
    """Column widths as the model set them (xlsxwriter stores 5/7 of a unit more)."""
    widths: dict[int, float] = {}
    for dim in sheet.column_dimensions.values():
        if dim.width and dim.min:
            for col in range(dim.min, dim.max + 1):
                widths[col] = dim.width - 5 / 7 if dim.width > 1 else dim.width
    return widths


def test_every_row_is_tall_enough_for_its_wrapped_text(printed):
    master, _, _ = printed
    book = openpyxl.load_workbook(master)
    checked = 0
    for name in L.GENERATED_SHEETS:
        sheet = book[name]
        widths = _column_widths(sheet)
        spans = {(r.min_row, r.min_col): (r.max_row, r.max_col) for r in sheet.merged_cells.ranges}
        covered = {(row, col) for r in sheet.merged_cells.ranges for row in range(r.min_row, r.max_row + 1)
                   for col in range(r.min_col, r.max_col + 1)} - set(spans)
        for row in sheet.iter_rows():
            for cell in row:
                if not isinstance(cell.value, str) or not cell.value.strip() or (cell.row, cell.column) in covered:
                    continue
                last_row, last_col = spans.get((cell.row, cell.column), (cell.row, cell.column))
                width = sum(widths.get(c, DEFAULT_WIDTH) for c in range(cell.column, last_col + 1))
                size = cell.font.sz or BASE_SIZE
                where = f"{name}!{get_column_letter(cell.column)}{cell.row}"
                if cell.alignment.wrap_text:
                    height = sum(sheet.row_dimensions[r].height or DEFAULT_HEIGHT for r in range(cell.row, last_row + 1))
                    assert height >= (needed_height(cell.value, width, size) or 0) - 0.01, where
                    checked += 1
                elif cell.border.left.style:  # a table cell that does not wrap holds its text on one line
                    assert "\n" not in cell.value and text_units(cell.value, size) <= usable_units(width), where
    assert checked > 1000
