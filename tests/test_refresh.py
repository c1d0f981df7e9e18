"""`sync.py refresh` end to end on real files: what it writes, and what it never touches."""

from __future__ import annotations

import zipfile

import openpyxl
import pytest
import python_calamine

import sync
from workbook import layout as L
from workbook.package import EDITED_SHARED_PARTS
from workbook.safety import backups_of

from conftest import TODAY


def run(capsys, *argv, today=TODAY.isoformat()):
    code = sync.main([*argv, "--today", today])
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    return code, out.out


def table(path, sheet, first_header):
    """The rows of a generated sheet's table, as calamine reads them: below its header, up to a blank row."""
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    rows = book.get_sheet_by_name(sheet).to_python()
    book.close()
    start = next(i for i, row in enumerate(rows) if row and row[0] == first_header)
    body = []
    for row in rows[start + 1:]:
        if not any(v != "" for v in row):
            break
        body.append(row)
    return rows[start], body


def test_refresh_writes_every_generated_sheet_after_the_input_sheets(capsys, build, data):
    path = build(data)
    code, out = run(capsys, "refresh", str(path))
    assert code == 0, out
    names = python_calamine.CalamineWorkbook.from_path(str(path)).sheet_names
    assert names == [L.GUIDE, *L.INPUT_SHEET_NAMES, L.LISTS_SHEET, "校验结果", "个人积分", "小组积分", "积分历史", "活动日历", "近期提醒",
                     "组织生活落实", *L.FORM_SHEETS, "评议汇总"]
    header, rows = table(path, "个人积分", "党员编号")
    assert header[:5] == ["党员编号", "姓名", "党小组", "总分", "排名"]
    assert [row[:5] for row in rows] == [["D001", "张三", "一组", 16.0, 1.0], ["D003", "王五", "二组", 2.0, 2.0],
                                          ["D002", "李四", "一组", 0.0, 3.0]]
    assert all(round(sum(row[5:]), 2) == row[3] for row in rows)  # the items add up to 总分
    header, rows = table(path, "小组积分", "小组名称")
    assert header[:6] == ["小组名称", "人数", "成员平均分", "活动得分", "总分", "排名"]
    assert [row[:6] for row in rows] == [["一组", 2.0, 8.0, 3.0, 11.0, 1.0], ["二组", 1.0, 2.0, 0.0, 2.0, 2.0]]
    assert "积分统计到 2026-11-26：3 名党员，2 个党小组；小组第一名 一组（11.00 分）。" in out


def test_history_keeps_one_block_per_week(capsys, build, data):
    path = build(data)
    run(capsys, "refresh", str(path), today="2026-03-02")  # 2026-W10
    data_week_10_again = "2026-03-05"  # a second refresh in week 10 replaces its block
    run(capsys, "refresh", str(path), today=data_week_10_again)
    run(capsys, "refresh", str(path), today="2026-03-11")  # 2026-W11, after A01 on 10 Mar
    header, rows = table(path, "积分历史", "周次")
    assert header[:5] == ["周次", "截止日期", "小组名称", "总分", "排名"]
    assert [(r[0], r[1].isoformat(), r[2], r[3], r[4]) for r in rows] == [
        ("2026-W10", "2026-03-05", "一组", 0.0, 1.0),
        ("2026-W10", "2026-03-05", "二组", 0.0, 1.0),
        ("2026-W11", "2026-03-11", "二组", 2.0, 1.0),  # 王五 attended A01
        ("2026-W11", "2026-03-11", "一组", 1.0, 2.0),  # (张三 2 + 李四 0) / 2
    ]


def test_drop_downs_and_their_names_survive_two_refreshes(capsys, build, data):
    """The writer copies input sheets, 下拉列表 and the defined names as they were: the lists still work."""
    path = build(data)
    with zipfile.ZipFile(path) as package:
        before = {n: package.read(n) for n in package.namelist() if n.startswith("xl/worksheets/sheet")}
    run(capsys, "refresh", str(path))
    run(capsys, "refresh", str(path))
    book = openpyxl.load_workbook(path)
    assert {n: d.attr_text for n, d in book.defined_names.items()} == {
        name: ref.lstrip("=") for name, ref in L.DEFINED_LISTS.items()}
    lists = {(sheet, str(v.sqref)): (v.formula1, v.errorStyle) for sheet in (L.ATTENDANCE_SHEET, L.ACTIVITIES)
             for v in book[sheet].data_validations.dataValidation if not v.formula1.startswith('"')}
    assert lists == {(L.ATTENDANCE_SHEET, "A2:A1048576"): ("活动编号列表", "warning"),
                     (L.ATTENDANCE_SHEET, "B2:B1048576"): ("党员编号列表", "warning"),
                     (L.ACTIVITIES, "D2:D1048576"): ("组织者列表", "warning"),
                     (L.ACTIVITIES, "I2:I1048576"): ("党员姓名列表", "information")}
    assert book[L.LISTS_SHEET].sheet_state == "hidden" and book[L.LISTS_SHEET]["A3"].value == '=IF(党小组!A2="","",党小组!A2)'
    with zipfile.ZipFile(path) as package:  # every sheet that was there (inputs, 使用说明, 下拉列表) byte for byte
        assert all(package.read(n) == data for n, data in before.items())


def test_history_names_its_weeks_marks_its_points_and_prints_landscape(capsys, build, data):
    """One week is one point (a marker), its name is one a person reads, the sheet prints across A4."""
    path = build(data)
    run(capsys, "refresh", str(path))  # 2026-11-26: 2026-W48, 23 to 29 November
    sheet = openpyxl.load_workbook(path)["积分历史"]
    assert [sheet.cell(3, col).value for col in (7, 8, 9)] == ["周次", "一组", "二组"]
    assert [sheet.cell(4, col).value for col in (7, 8, 9)] == ["第48周（11月23日—29日）", 11, 2]
    assert sheet.cell(4, 4).number_format == sheet.cell(4, 8).number_format == "0.00"
    assert sheet.page_setup.orientation == "landscape"
    with zipfile.ZipFile(path) as package:
        chart = next(package.read(n).decode("utf-8") for n in package.namelist()
                     if n.startswith("xl/charts/") and "党小组总分每周趋势" in package.read(n).decode("utf-8"))
    assert chart.count('<c:symbol val="circle"/>') == 2 and "<c:f>积分历史!$G$4</c:f>" in chart  # weeks from G


def test_scores_print_with_two_decimals_and_item_headers_carry_their_unit(capsys, build, data):
    path = build(data)
    run(capsys, "refresh", str(path))
    book = openpyxl.load_workbook(path)
    members = book["个人积分"]
    header = [c.value for c in members[3]]
    assert header[:5] == ["党员编号", "姓名", "党小组", "总分", "排名"]  # 总分 and 排名 without a unit
    assert [h.replace("\n", "") for h in header[5:16]] == [  # the unit on a line of its own
        "出席支部活动（分）", "出席小组活动（分）", "请假（分）", "缺席（分）", "读完书目（分）", "读书考评（分）",
        "承诺兑现（分）", "群众推荐（分）", "获得表彰（分）", "群众评议（分）", "加减分（分）"]
    assert header[10] == "读书考评\n（分）"
    first = members[4]
    assert first[3].value == 16 and first[3].number_format == "0.00"  # 张三: a whole score still shows 16.00
    assert first[4].number_format == "0" and {c.number_format for c in first[5:16]} == {"0.00"}
    groups = book["小组积分"]
    assert [groups.cell(4, col).number_format for col in range(1, 9)] == ["General", "0", "0.00", "0.00", "0.00", "0", "0", "0"]


def test_validation_sheet_links_each_cell_and_keeps_typed_text_as_text(capsys, build, data):
    data[L.MEMBERS][1]["在册状态"] = "=SUM(A1)"  # a value outside the list that looks like a formula
    data[L.MEMBERS][2]["姓名"] = "+王五"
    path = build(data)
    code, _ = run(capsys, "refresh", str(path))
    assert code == 1
    sheet = openpyxl.load_workbook(path)["校验结果"]
    header_row = next(r for r in sheet.iter_rows() if r[0].value == "级别")
    assert [c.value for c in header_row[:7]] == list(L.VALIDATION_HEADERS)
    first = [c for c in sheet[header_row[0].row + 1]]
    assert [c.value for c in first[:5]] == ["错误", "党员名册", "H3", "在册状态", "=SUM(A1)"]
    assert first[4].data_type == "s"
    assert first[2].hyperlink.location == "'党员名册'!H3"
    assert first[7].value == "该党员不计分（见“个人积分”表下方）"
    names = [row[1].value for row in openpyxl.load_workbook(path)["个人积分"].iter_rows(min_row=4)]
    assert "+王五" in names


def test_generated_sheets_look_generated(capsys, build, data):
    path = build(data)
    run(capsys, "refresh", str(path))
    book = openpyxl.load_workbook(path)
    for name in ("校验结果", "个人积分", "小组积分", "积分历史", "活动日历", "近期提醒"):
        sheet = book[name]
        assert sheet["A1"].value == "本表由程序生成，请勿在此输入；下次刷新会覆盖"
        assert sheet.sheet_properties.tabColor.rgb.endswith("C00000")
        assert sheet.protection.sheet and not sheet.protection.password
        assert sheet.page_setup.paperSize == 9
    assert book["个人积分"].print_title_rows == "$3:$3"
    assert book["个人积分"].sheet_properties.pageSetUpPr.fitToPage
    assert book["个人积分"].freeze_panes == "A4"
    assert len(book["小组积分"]._charts) == 1 and len(book["积分历史"]._charts) == 1


def test_input_parts_stay_byte_identical_over_two_refreshes(capsys, build, data):
    path = build(data)
    before = _parts(path)
    run(capsys, "refresh", str(path))
    after_first = _parts(path)
    run(capsys, "refresh", str(path))
    after_second = _parts(path)
    for name, content in before.items():
        if name not in EDITED_SHARED_PARTS:
            assert after_first[name] == content and after_second[name] == content, name
    assert after_second["xl/styles.xml"] == after_first["xl/styles.xml"]


def _parts(path):
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def test_hand_edited_generated_sheet_is_reported_and_kept_in_the_backup(capsys, build, data):
    path = build(data)
    run(capsys, "refresh", str(path))
    book = openpyxl.load_workbook(path)
    book["个人积分"]["D4"] = 99  # someone typed over a total
    book.save(path)
    code, out = run(capsys, "refresh", str(path))
    assert "注意：“个人积分”在上次刷新后被手工修改过，现已按程序结果重写" in out
    backup = backups_of(path)[-1]
    assert openpyxl.load_workbook(backup)["个人积分"]["D4"].value == 99
    assert openpyxl.load_workbook(path)["个人积分"]["D4"].value == 16


@pytest.mark.parametrize("owner", ["~$master.xlsx", "~$ster.xlsx"])
def test_workbook_open_in_excel_is_not_written(capsys, build, data, owner):
    path = build(data)
    (path.parent / owner).write_bytes(b"owner")
    before = path.read_bytes()
    code, out = run(capsys, "refresh", str(path))
    assert code == 3
    assert "正在 Excel 或 WPS 中打开，程序没有写入任何内容" in out
    assert path.read_bytes() == before
    assert not (path.parent / "备份").exists() or not list((path.parent / "备份").glob("*.xlsx"))


def test_missing_sheet_refuses_to_write(capsys, build, data, tmp_path):
    path = build(data)
    book = openpyxl.load_workbook(path)
    book.remove(book[L.LEDGER])
    book.save(path)
    before = path.read_bytes()
    code, out = run(capsys, "refresh", str(path))
    assert code == 2
    assert "缺少工作表“加减分”" in out and "工作簿没有改动" in out
    assert path.read_bytes() == before
