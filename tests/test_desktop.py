"""The desktop button path (macros.desktop, macros.comread) run against the recording COM stand-in.

The master is the demo .xlsm refreshed once by sync.py (so every generated sheet exists); each
test opens a copy of it in a fresh stand-in Excel and clicks a button through `macros` itself.
What the stand-in imitates of Excel is listed in tests/com_standin.py; that Excel really
behaves so is what `python -m macros 自检` checks on a PC.
"""

from __future__ import annotations

import contextlib
import io
import shutil

import openpyxl
import pytest

import com_standin as cs
import macros
import sync
from macros import comread, desktop, live
from services.create import build_master
from services.demo import demo_data
from workbook import layout
from workbook.fingerprints import FINGERPRINT_NAME, fingerprint_rows, read_owned_fingerprints
from workbook.raw import CellError
from workbook.reader import read_book
from workplan import pipeline

from conftest import TODAY

OWNED = set(layout.GENERATED_SHEETS)
GENERATED = ["校验结果", "个人积分", "小组积分", "积分历史", "活动日历", "近期提醒", "组织生活落实", "群众评议表", "党员评议支部表",
             "读书考评表", "承诺评议表", "党员年度考评表", "公示表", "评议汇总"]
SUM = "发现错误 11 条，警告 1 条。积分统计到 2026-11-26：39 名党员，4 个党小组；小组第一名 中心小学党小组（131.68 分）。"


def quietly(step):
    with contextlib.redirect_stdout(io.StringIO()):
        return step()


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory):
    path = tmp_path_factory.mktemp("desk") / "demo.xlsm"
    build_master(path, demo_data(TODAY))
    quietly(lambda: sync.run_refresh(path, TODAY))
    return path


@pytest.fixture
def master(refreshed, tmp_path):
    path = tmp_path / refreshed.name
    shutil.copy(refreshed, path)
    return path


def click(path, action=macros.refresh, qualify=True, fail_on=None, prepare=None):
    """Open `path` in a stand-in Excel with the user on 个人积分!C5, click `action`; (done, excel, book, shown)."""
    xl, wb = cs.open_book(path, ("个人积分", "$C$5"), qualify_macros=qualify)
    if prepare:
        prepare(wb)
        xl.log.clear()
    xl.fail_on = fail_on
    shown = []
    session = live.Live(None, "com", wb=wb, com_error=cs.ComError, show=lambda hwnd, text, title: shown.append((title, text)))
    done = action(session, TODAY)
    return done, xl, wb, shown


def names(wb):
    return [s.name for s in wb.sheets]


def temp_files():
    return list(desktop.temp_folder().glob(f"{desktop.TEMP_PREFIX}{__import__('os').getpid()}-*.xlsx"))


def test_refresh_moves_the_old_sheets_out_and_copies_the_new_ones_in(master):
    """Nothing points at a generated sheet: the old run goes, in one call, to the temporary book (kept
    whole there until the copy is in), then the new run is copied in at its place, in one call."""
    before = names(cs.open_book(master)[1])
    done, xl, wb, shown = click(master)
    assert done.message == SUM and shown == [("刷新", SUM)]
    moves, copies = xl.members("Move"), xl.members("Copy")
    assert len(moves) == 1 and len(copies) == 1 and moves[0] < copies[0]
    assert xl.log[moves[0]][1] == "Group[" + ",".join(GENERATED) + "]"  # the old sheets, all at once
    assert not xl.members("Delete") and not [m for m in xl.log if m[2] == "Name" and m[0] == "set"]
    assert names(wb) == before  # each generated sheet once, where it was, under its own name
    copied = [s for s in wb.sheets if s.name in OWNED]
    assert all(s.copied_from is not None and s.copied_from.book.name.startswith(desktop.TEMP_PREFIX) for s in copied)
    assert all(FINGERPRINT_NAME in s.names for s in copied)
    assert all(b["macro"] == "Workbench_Refresh" for s in copied for b in s.buttons)
    assert xl.app.state == {"DisplayAlerts": True, "ScreenUpdating": True, "Calculation": cs.XL_AUTOMATIC, "EnableEvents": True}
    assert [b.name for b in xl.books] == ["demo.xlsm"] and wb.links == [] and temp_files() == []
    book, sheet, address = xl.app.active
    assert book is wb and sheet.name == "个人积分" and address == "$C$5" and sheet.copied_from is not None


def test_with_staff_references_the_old_sheets_are_renamed_first_and_deleted_last(master):
    with_staff_references(master)
    before = names(cs.open_book(master)[1])
    done, xl, wb, _ = click(master)
    assert done.message == SUM
    renames, copies, deletes = xl.members("Name"), xl.members("Copy"), xl.members("Delete")
    renamed = [xl.log[i][3][0] for i in renames if xl.log[i][0] == "set"]
    assert renamed == [desktop.PREFIX + name for name in GENERATED]  # every old sheet renamed first ...
    assert max(renames) < min(copies) < min(deletes)  # ... then the copies come in, then the old ones go
    assert len(copies) == 1 and len(deletes) == 1 and not xl.members("Move")  # one run: one group copy, one delete
    assert names(wb) == before and [b.name for b in xl.books] == ["demo.xlsm"] and wb.links == []


def test_the_fingerprint_carried_by_each_copy_is_that_of_its_values(master):
    _, _, wb, _ = click(master)
    for sheet in wb.sheets:
        if sheet.name in OWNED:
            r2, c2 = max(r for r, _ in sheet.cells), max(c for _, c in sheet.cells)
            rows = [[sheet.cells.get((r, c)) for c in range(1, c2 + 1)] for r in range(1, r2 + 1)]
            assert sheet.names[FINGERPRINT_NAME] == f'="{fingerprint_rows(rows)}"', sheet.name
    assert read_owned_fingerprints(master)["个人积分"] == wb.sheets[names(wb).index("个人积分")].names[FINGERPRINT_NAME][2:-1]


def unsaved(wb):
    wb.changed()  # something typed since the save (no formula)


def test_the_number_of_excel_calls_of_a_click(master):
    """Book as saved, nothing pointing at generated sheets: read 63 (the name 1, Sheets 1, Saved 1, then
    Item, UsedRange, Address, Value for each of 15 sheets; merges are the saved file's), copy-in 31 (where the
    user is 3, where the sheets stand 2, alerts/screen/calculation 9, open and hide the temporary book 4, move
    out and copy in 7, the first copy's button 3, links 1, close 1, Goto 1), message 1.
    Excel pointing the copied buttons at the temporary book costs 3 more (LinkSources, ChangeLink, the button
    again); if Excel refuses to change the link to the book itself, 43 (those 3, then the first button 1 and
    3 for each of the other 13 — 组织生活落实 is one of them —, and breaking the link 1).
    Changed since the save: 30 more (merges asked 14, formulas looked for on 14 sheets, the names counted 2)."""
    local = click(master, qualify=False)[1]
    assert local.calls() == 95
    assert len([m for m in local.log if m[2] in ("UsedRange", "Address", "Value")]) == 45
    assert len(local.members("Evaluate")) == 2 and not local.members("MergeCells", "Find", "FindFormat")
    assert click(master, qualify=True)[1].calls() == 95 + 3
    refused = click(master, qualify=True, prepare=lambda wb: setattr(wb._xl, "change_link_to_itself", False))
    assert refused[0].message == SUM and refused[1].calls() == 95 + 43
    assert all(b["macro"] == "Workbench_Refresh" for s in refused[2].sheets if s.name in OWNED for b in s.buttons)
    changed = click(master, qualify=False, prepare=unsaved)[1]
    assert changed.calls() == 95 + 30 and len(changed.members("MergeCells")) == 14 and len(changed.members("HasFormula")) == 14
    assert len(changed.members("Move")) == 1 and len(changed.members("Evaluate")) == 2  # still the direct way


def test_a_failed_copy_moves_the_old_sheets_back_and_restores_excel(master):
    kept = []
    done, xl, wb, shown = click(master, fail_on=("Copy", "call", 1), prepare=lambda wb: kept.extend(wb.sheets))
    assert done.message.startswith("程序遇到意外问题，没有完成。") and shown[0][1] == done.message
    assert wb.sheets == kept and names(wb) == [s.name for s in kept]  # the very same sheets, named as before
    assert all(s.copied_from is None and s.book is wb for s in wb.sheets)
    assert xl.app.state == {"DisplayAlerts": True, "ScreenUpdating": True, "Calculation": cs.XL_AUTOMATIC, "EnableEvents": True}
    last_restore = max(i for i, (kind, _, member, _) in enumerate(xl.log) if member == "DisplayAlerts" and kind == "set")
    assert xl.log[last_restore][3] == (True,) and last_restore > xl.members("Copy")[0]
    assert [b.name for b in xl.books] == ["demo.xlsm"] and temp_files() == []


def test_when_excel_will_not_move_the_old_sheets_they_are_renamed_instead(master):
    before = names(cs.open_book(master)[1])
    done, xl, wb, _ = click(master, fail_on=("Move", "call", 1))
    assert done.message == SUM and names(wb) == before
    assert xl.members("Move")[0] < min(xl.members("Name")) < xl.members("Copy")[0] < xl.members("Delete")[0]
    assert all(s.copied_from is not None for s in wb.sheets if s.name in OWNED) and wb.links == []


def test_a_failed_copy_of_a_book_with_staff_references_leaves_it_as_it_was(master):
    with_staff_references(master)
    before = [(s.name, id(s)) for s in cs.open_book(master)[1].sheets]
    done, xl, wb, shown = click(master, fail_on=("Copy", "call", 1))
    assert done.message.startswith("程序遇到意外问题，没有完成。")
    assert [s.name for s in wb.sheets] == [name for name, _ in before]  # renamed back, nothing added
    assert all(s.copied_from is None for s in wb.sheets) and formulas(wb)[("汇报", (1, 1))] == "=小组积分!E5+1"


def test_a_rename_failing_midway_gives_the_renamed_sheets_their_names_back(master):
    with_staff_references(master)
    before = names(cs.open_book(master)[1])
    done, _, wb, _ = click(master, fail_on=("Name", "set", 5))
    assert done.message.startswith("程序遇到意外问题") and names(wb) == before


def test_a_failed_delete_keeps_the_old_sheets_and_says_so(master):
    with_staff_references(master)
    done, _, wb, _ = click(master, fail_on=("Delete", "call", 1))
    assert done.message.splitlines()[0] == SUM
    assert done.message.splitlines()[1].startswith("注意：旧的生成表没有删除，保留为 “旧~校验结果”、“旧~个人积分”")
    kept = [n for n in names(wb) if n.startswith(desktop.PREFIX)]
    assert kept == [desktop.PREFIX + n for n in GENERATED]
    assert [n for n in names(wb) if n in OWNED] == GENERATED  # the new ones are all there


def test_a_protected_workbook_structure_is_said_in_chinese_and_nothing_changes(master):
    def protect(wb):
        object.__setattr__(wb, "protect_structure", True)

    before = names(cs.open_book(master)[1])
    done, xl, wb, _ = click(master, prepare=protect)
    assert done.message.startswith("工作簿 demo.xlsm 的结构受保护（审阅 → 保护工作簿），程序不能替换生成表，没有写入任何内容。")
    assert names(wb) == before and xl.app.state["ScreenUpdating"] is True


def test_the_first_click_adds_the_generated_sheets_after_the_last_sheet(tmp_path):
    path = tmp_path / "new.xlsm"
    build_master(path, demo_data(TODAY))
    done, xl, wb, _ = click(path)
    assert done.message == SUM
    assert names(wb)[-14:] == GENERATED and not xl.members("Delete")
    assert not [m for m in xl.log if m[2] == "Name" and m[0] == "set"]  # nothing to rename
    assert len(xl.members("Next")) == 17  # 积分历史 is missing: the reader lists the names once (节假日, 下拉列表 included)


def test_the_calendar_button_replaces_only_its_two_sheets(master):
    before = names(cs.open_book(master)[1])
    done, xl, wb, _ = click(master, action=macros.calendar)
    assert done.message == "近期提醒 13 条：未来 14 天内 2 项活动，逾期 1 项，应开未开的会议 2 次（见“组织生活落实”）。"
    assert names(wb) == before
    assert [s.name for s in wb.sheets if s.copied_from is not None] == ["活动日历", "近期提醒"]


# --- staff references to generated sheets ----------------------------------------------------------

def with_staff_references(path):
    """The master with what staff type: a formula on an input sheet, a sheet of their own, a defined name."""
    book = openpyxl.load_workbook(path, keep_vba=True)
    book[layout.GROUPS]["E2"] = "=个人积分!D5"
    report = book.create_sheet("汇报")
    report["A1"] = "='小组积分'!E5+1"
    report["A2"] = "=SUM(个人积分!D5:D9)"
    book.defined_names["第一名"] = openpyxl.workbook.defined_name.DefinedName("第一名", attr_text="个人积分!$D$5")
    book.save(path)
    return path


def formulas(wb):
    """Every formula of the book but the 下拉列表 helper's, which must stay as `build_master` wrote them."""
    helper = next(s for s in wb.sheets if s.name == layout.LISTS_SHEET)
    assert len(helper.formulas) == layout.GROUP_LIST_ROWS and helper.formulas[(3, 1)] == '=IF(党小组!A2="","",党小组!A2)'
    return {(s.name, pos): text for s in wb.sheets for pos, text in s.formulas.items() if s.name != layout.LISTS_SHEET}


def test_staff_formulas_and_names_pointing_at_generated_sheets_survive_a_click(master):
    with_staff_references(master)
    done, xl, wb, _ = click(master)
    assert done.message == SUM
    assert formulas(wb) == {(layout.GROUPS, (2, 5)): "=个人积分!D5", ("汇报", (1, 1)): "=小组积分!E5+1",
                            ("汇报", (2, 1)): "=SUM(个人积分!D5:D9)"}
    assert wb.names == {**layout.DEFINED_LISTS, "第一名": "=个人积分!$D$5"}
    replaced = [xl.log[i][1] for i in xl.members("Replace")]
    assert replaced == [f"Book[demo.xlsm].Sheet[{layout.GROUPS}].Range[$A$1:$XFD$1048576]",
                        "Book[demo.xlsm].Sheet[汇报].Range[$A$1:$XFD$1048576]"]
    assert xl.log[xl.members("Replace")[0]][3] == (("LookAt", 2), ("MatchCase", False), ("Replacement", ""), ("What", "旧~~"))
    assert max(xl.members("Replace")) < min(xl.members("Delete"))  # re-targeted before the old sheets go


def test_a_formula_typed_since_the_save_in_a_new_sheet_survives(master):
    def type_formulas(wb):
        wb.Sheets(layout.ACTIVITIES).Range("P3").Formula = "=积分历史!A1"
        sheet = wb.Sheets.Add(After=wb.Sheets(wb.Sheets.Count))
        sheet.Name = "我的统计"
        sheet.Range("B2").Formula = "=党员年度考评表!C4&近期提醒!A1"
        wb.Names.Add(Name="新名字", RefersTo="=个人积分!$A$1")

    done, _, wb, _ = click(master, prepare=type_formulas)
    assert done.message == SUM
    assert formulas(wb) == {(layout.ACTIVITIES, (3, 16)): "=积分历史!A1", ("我的统计", (2, 2)): "=党员年度考评表!C4&近期提醒!A1"}
    assert wb.names["新名字"] == "=个人积分!$A$1"  # a name added since the save: every name was looked at


def test_without_references_no_sheet_is_searched_when_the_book_is_as_saved(master):
    _, xl, _, _ = click(master)
    assert not xl.members("Replace", "HasFormula", "ProtectContents", "Find")


def test_a_protected_sheet_with_such_a_formula_stops_before_anything_is_lost(master):
    with_staff_references(master)

    def protect(wb):
        object.__setattr__(next(s for s in wb.sheets if s.name == "汇报"), "protected", True)

    before = names(cs.open_book(master)[1])
    done, _, wb, _ = click(master, prepare=protect)
    assert done.message.startswith("工作表“汇报”受保护，其中有引用生成表的公式，程序无法让它们指向新的生成表，没有写入任何内容。")
    assert names(wb) == before and formulas(wb)[("汇报", (1, 1))] == "=小组积分!E5+1"


# --- reading --------------------------------------------------------------------------------------------

def test_the_com_reader_gives_what_the_file_reader_gives(master):
    xl, wb = cs.open_book(master)
    raw, _ = comread.read_raw(wb, pipeline.wanted_for_refresh(), master, cs.ComError)
    expected = read_book(master, pipeline.wanted_for_refresh())
    assert raw.sheets.keys() == expected.sheets.keys()
    for name, sheet in expected.sheets.items():
        got = raw.sheets[name]
        assert got.headers == sheet.headers, name
        assert got.rows == [(n, [None if v == "" else v for v in row]) for n, row in sheet.rows], name


def test_a_stray_cell_far_away_is_read_through_find(master):
    xl, wb = cs.open_book(master)
    target = next(s for s in wb.sheets if s.name == layout.READING)
    target.cells[(1_048_576, 16_384)] = "x"
    raw, _ = comread.read_raw(wb, {layout.READING: 8}, master, cs.ComError)
    assert xl.members("Find") and raw.sheets[layout.READING].headers[:2] == ["党员编号", "姓名"]
    assert len(raw.sheets[layout.READING].rows) == len(read_book(master, {layout.READING: 8}).sheets[layout.READING].rows)


def test_a_sheet_name_with_a_stray_space_is_found_by_listing_the_names(master):
    xl, wb = cs.open_book(master)
    object.__setattr__(next(s for s in wb.sheets if s.name == layout.READING), "name", layout.READING + " ")
    raw, book = comread.read_raw(wb, {layout.READING: 8, layout.GROUPS: 3}, master, cs.ComError)
    assert raw.sheets[layout.READING].name == layout.READING + " " and book.names is not None
    assert len(xl.members("Next")) == len(wb.sheets)


def test_com_error_numbers_and_dates_are_cleaned_like_the_file_reader():
    import datetime as dt

    aware = dt.datetime(2026, 3, 5, tzinfo=dt.timezone.utc)
    assert [comread.clean(v) for v in (-2146826246, aware, "", 3.0, True)] == [CellError("#N/A"), dt.datetime(2026, 3, 5), None, 3.0, True]


def test_generated_sheets_split_by_a_staff_sheet_take_the_rename_way(master):
    def split(wb):
        sheet = wb.Sheets.Add(After=wb.Sheets("小组积分"))
        sheet.Name = "我的笔记"

    done, xl, wb, _ = click(master, prepare=split)
    assert done.message == SUM and not xl.members("Move") and len(xl.members("Copy")) == 2  # two runs
    assert names(wb)[names(wb).index("校验结果"):][:4] == ["校验结果", "个人积分", "小组积分", "我的笔记"]
    assert all(s.copied_from is not None for s in wb.sheets if s.name in OWNED)


def test_the_stand_in_moves_a_sheet_out_as_excel_does():
    """What pointed at a sheet moved to another book points into that book, which becomes a link source."""
    xl = cs.Excel()
    book, other = cs.Book(xl, "a.xlsx", "/x/a.xlsx"), cs.Book(xl, "b.xlsx", "/x/b.xlsx")
    for target, name in ((book, "甲"), (book, "乙"), (other, "甲")):
        target.sheets.append(cs.Sheet(xl, target, name, {}))
    book.sheets[1].formulas[(1, 1)] = "=甲!A1"
    book.Sheets("甲").Move(Before=other.Sheets(1))
    assert [s.name for s in other.sheets] == ["甲 (2)", "甲"] and [s.name for s in book.sheets] == ["乙"]
    assert book.sheets[0].formulas[(1, 1)] == "='[b.xlsx]甲 (2)'!A1" and book.links == ["/x/b.xlsx"]
