"""What in a saved workbook points at generated sheets (workbook.references): found without Excel."""

from __future__ import annotations

import zipfile

import openpyxl
from openpyxl.chart import BarChart, Reference
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from workbook import layout
from workbook.references import mentioned, scan

GENERATED = ["个人积分", "小组积分"]


def test_a_sheet_is_named_plain_or_quoted():
    assert mentioned("SUM(个人积分!D5:D9)", GENERATED) == ["个人积分"]
    assert mentioned("'小组积分'!E5+1", GENERATED) == ["小组积分"]
    assert mentioned("&apos;小组积分&apos;!E5", GENERATED) == ["小组积分"]
    assert mentioned("个人积分汇总!A1", GENERATED) == []


def test_a_clean_master_has_no_references(build, data):
    path = build(data)
    found = scan(path, layout.GENERATED_SHEETS)
    with zipfile.ZipFile(path) as zf:
        names = zf.read("xl/workbook.xml").decode().count("<definedName ")
    assert not found and found.sheets[:2] == [layout.GUIDE, layout.SETTINGS] and found.name_count == names > 0


def test_formulas_names_charts_lists_and_pivot_tables_are_found(build, data, tmp_path):
    path = build(data)
    book = openpyxl.load_workbook(path)
    book[layout.GROUPS]["E2"] = "=个人积分!D5"
    report = book.create_sheet("汇报")
    report["A1"] = "='小组积分'!E5+1"
    report["B1"] = "=SUM(A1:A3)"
    report.add_data_validation(DataValidation(type="list", formula1="个人积分!$B$4:$B$9", sqref="C1"))
    source = book.create_sheet("个人积分")  # stands for the generated sheet, for the chart's data
    source["D5"] = 1
    chart = BarChart()
    chart.add_data(Reference(source, min_col=4, min_row=4, max_row=9))
    report.add_chart(chart, "E5")
    book.create_sheet("自己的表")["A1"] = "=汇报!A1"
    book.defined_names["第一名"] = DefinedName("第一名", attr_text="个人积分!$D$5")
    book.save(path)
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr("xl/pivotCache/pivotCacheDefinition1.xml",
                    '<pivotCacheDefinition><cacheSource type="worksheet"><worksheetSource ref="A3:E40" sheet="个人积分"/>'
                    "</cacheSource></pivotCacheDefinition>")
    found = scan(path, GENERATED)
    assert found.formula_sheets == [layout.GROUPS, "汇报"]
    assert found.names == [("第一名", None)]
    assert found.unfixable == ["工作表“汇报”的下拉列表或条件格式（引用“个人积分”）",
                               "工作表“汇报”中的图表（数据来自“个人积分”）", "数据透视表（数据源“个人积分”）"]


def test_a_file_that_cannot_be_read_gives_none(tmp_path):
    broken = tmp_path / "x.xlsm"
    broken.write_bytes(b"not a zip")
    assert scan(broken, GENERATED) is None and scan(tmp_path / "missing.xlsm", GENERATED) is None
