"""Tests of workbook.render_xlsx: every field of a SheetModel lands in the file."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import openpyxl
import pytest
import python_calamine

from workbook import render_xlsx
from workbook.sheetmodel import (
    Chart,
    ConditionalFill,
    PrintSetup,
    Series,
    SheetModel,
    Style,
    Validation,
)

HEADER = Style(bold=True, fill="#DDEBF7", border=True, align="center", valign="vcenter", wrap=True)
INPUT = Style(locked=False, border=True)
TRICKY = ["=SUM(A1)", "+1", "-5", "@x", "=1+1"]


def full_model() -> SheetModel:
    """A model using every field of SheetModel."""
    model = SheetModel("个人积分")
    model.merge(0, 0, 0, 4, "2026年度个人积分", Style(bold=True, size=16, align="center"))
    model.put_row(1, ["党员编号", "姓名", "积分", "日期", "合格"], HEADER)
    model.put_row(2, ["D001", "张三", 12, dt.date(2026, 3, 5), True])
    model.put_row(3, ["D002", "李四", 7.5, dt.datetime(2026, 4, 1, 9, 30), False])
    model.put(4, 0, "D003", link="'党员名册'!A4")
    model.put(4, 2, 3.25, Style(num_format="0.00", italic=True, color="#FF0000", underline=True))
    model.put(4, 3, dt.date(2026, 5, 6), Style(num_format="yyyy年m月d日"))
    model.put_row(5, TRICKY)
    model.put(6, 0, None, INPUT)
    model.put(6, 1, "")
    model.col_widths = {0: 10, 1: 9, 2: 8.5}
    model.row_heights = {0: 30}
    model.freeze = (2, 1)
    model.validations = [Validation(6, 0, 20, 0, ("是", "否"), "请选择是或否")]
    model.conditional = [
        ConditionalFill(2, 2, 20, 2, 12, "#FFC7CE", "#9C0006"),
        ConditionalFill(2, 1, 20, 1, '李"四', "#C6EFCE"),
    ]
    model.charts = [Chart("bar", "积分", (Series("积分", 2, 2, 4, 1, name_row=1),), 8, 0, x_title="姓名", y_title="分"),
                    Chart("line", "趋势", (Series("积分", 2, 2, 4, 1),), 8, 7, width=400, height=200)]
    model.print_setup = PrintSetup(landscape=True, repeat_rows=(0, 1), page_breaks=(30, 60), header="页眉", footer="第 &P 页")
    model.autofilter = (1, 0, 4, 4)
    return model


@pytest.fixture(scope="module")
def standalone(tmp_path_factory):
    path = tmp_path_factory.mktemp("render") / "forms.xlsx"
    second = SheetModel("公示表", protect=False, tab_color=None)
    second.put(0, 0, "公示")
    render_xlsx.write_standalone(path, [full_model(), second])
    return path


def sheet_xml(path, number=1) -> str:
    with zipfile.ZipFile(path) as zf:
        return zf.read(f"xl/worksheets/sheet{number}.xml").decode("utf-8")


def test_values_read_back_exactly(standalone):
    book = python_calamine.CalamineWorkbook.from_path(str(standalone))
    assert book.sheet_names == ["个人积分", "公示表"]
    rows = book.get_sheet_by_name("个人积分").to_python(skip_empty_area=False)
    assert rows[:6] == [
        ["2026年度个人积分", "", "", "", ""],
        ["党员编号", "姓名", "积分", "日期", "合格"],
        ["D001", "张三", 12.0, dt.date(2026, 3, 5), True],
        ["D002", "李四", 7.5, dt.datetime(2026, 4, 1, 9, 30), False],
        ["D003", "", 3.25, dt.date(2026, 5, 6), ""],
        TRICKY,
    ]


def test_text_is_never_a_formula(standalone):
    xml = sheet_xml(standalone)
    assert "<f>" not in xml and "<f " not in xml
    ws = openpyxl.load_workbook(standalone)["个人积分"]
    assert [ws.cell(6, c).value for c in range(1, 6)] == TRICKY
    assert [ws.cell(6, c).data_type for c in range(1, 6)] == ["s"] * 5


def test_layout_and_styles(standalone):
    ws = openpyxl.load_workbook(standalone)["个人积分"]
    assert [str(r) for r in ws.merged_cells.ranges] == ["A1:E1"]
    assert ws.freeze_panes == "B3"
    assert ws.column_dimensions["A"].width == pytest.approx(10.71, abs=0.01)
    assert ws.row_dimensions[1].height == 30
    assert ws.sheet_properties.tabColor.rgb == "FFC00000"
    assert ws.auto_filter.ref == "A2:E5"
    title, header = ws["A1"], ws["A2"]
    assert (title.font.b, title.font.sz, title.alignment.horizontal) == (True, 16, "center")
    assert (header.fill.fgColor.rgb, header.border.left.style, header.alignment.wrap_text) == ("FFDDEBF7", "thin", True)
    assert ws["C5"].number_format == "0.00" and ws["C5"].font.color.rgb == "FFFF0000" and ws["C5"].font.u == "single"
    assert ws["D3"].number_format == "yyyy-mm-dd"
    assert ws["D5"].number_format == "yyyy年m月d日"


def test_link_is_internal_and_shows_value(standalone):
    ws = openpyxl.load_workbook(standalone)["个人积分"]
    assert ws["A5"].value == "D003"
    assert ws["A5"].hyperlink.location == "'党员名册'!A4"
    assert ws["A5"].hyperlink.target is None
    assert ws["A5"].font.u == "single"


def test_validation_and_conditional(standalone):
    ws = openpyxl.load_workbook(standalone)["个人积分"]
    [validation] = ws.data_validations.dataValidation
    assert (validation.type, validation.formula1, str(validation.sqref)) == ("list", '"是,否"', "A7:A21")
    assert validation.prompt == "请选择是或否" and validation.showInputMessage
    rules = {str(r.sqref): [(c.operator, c.formula) for c in r.rules] for r in ws.conditional_formatting}
    assert rules == {"C3:C21": [("equal", ["12"])], "B3:B21": [("equal", ['"李""四"'])]}


def test_protection_without_password(standalone):
    book = openpyxl.load_workbook(standalone)
    protection = book["个人积分"].protection
    assert protection.sheet is True and protection.password is None
    assert (protection.formatColumns, protection.formatRows, protection.autoFilter) == (False, False, False)
    assert (protection.selectLockedCells, protection.selectUnlockedCells) == (False, False)
    assert book["个人积分"]["A7"].protection.locked is False
    assert book["个人积分"]["A3"].protection.locked is True
    assert book["公示表"].protection.sheet is False


def test_print_setup(standalone):
    ws = openpyxl.load_workbook(standalone)["个人积分"]
    assert (ws.page_setup.paperSize, ws.page_setup.orientation) == (9, "landscape")
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight, ws.sheet_properties.pageSetUpPr.fitToPage) == (None, 0, True)
    assert ws.print_title_rows == "$1:$2"
    assert [b.id for b in ws.row_breaks.brk] == [30, 60]
    assert ws.oddHeader.center.text == "页眉" and ws.oddFooter.center.text == "第 &P 页"


def test_charts(standalone):
    with zipfile.ZipFile(standalone) as zf:
        charts = sorted(n for n in zf.namelist() if n.startswith("xl/charts/chart"))
        xml = [zf.read(n).decode("utf-8") for n in charts]
    assert len(charts) == 2
    assert "<c:barChart>" in xml[0] and '<c:barDir val="col"/>' in xml[0] and "<c:lineChart>" in xml[1]
    assert "个人积分!$C$3:$C$5" in xml[0] and "个人积分!$B$3:$B$5" in xml[0] and "个人积分!$C$2" in xml[0]
    assert "积分" in xml[0] and "趋势" in xml[1] and "姓名" in xml[0]


def _chart_xml(model: SheetModel, tmp_path) -> str:
    path = render_xlsx.write_standalone(tmp_path / "chart.xlsx", [model])
    with zipfile.ZipFile(path) as zf:
        return zf.read("xl/charts/chart1.xml").decode("utf-8")


def _counts() -> SheetModel:
    model = SheetModel("图")
    model.put_row(0, ["兑现情况", "项数", "一组", "二组"])
    for row, values in enumerate([["已兑现", 5, 1.5, 2.25], ["部分兑现", 2, 3.0, 1.0], ["未兑现", 1, 2.0, 4.5]], 1):
        model.put_row(row, values)
    return model


def test_a_single_series_bar_chart_has_value_labels_point_colours_whole_number_axis_and_no_legend(tmp_path):
    model = _counts()
    colours = ("#548235", "#FFC000", "#C00000")
    series = Series("项数", 1, 1, 3, 0, name_row=0, color="#2F5597", point_colors=colours)
    model.charts = [Chart("bar", "兑现", (series,), 5, 0, value_labels=True, label_format="0", whole_numbers=True,
                          y_min=0, y_max=6, y_step=1)]
    xml = _chart_xml(model, tmp_path)
    assert "<c:legend>" not in xml
    assert [int(i) for i in __import__("re").findall(r'<c:dPt><c:idx val="(\d)"/>', xml)] == [0, 1, 2]
    assert all(f'<a:srgbClr val="{c[1:]}"/>' in xml for c in colours)  # 未兑现 red, never green
    assert '<c:dLbls><c:numFmt formatCode="0" sourceLinked="0"/><c:showVal val="1"/></c:dLbls>' in xml  # on top: the default
    assert '<c:numFmt formatCode="0" sourceLinked="0"/><c:tickLblPos' in xml  # the value axis in whole numbers
    assert '<c:max val="6"/>' in xml and '<c:min val="0"/>' in xml and '<c:majorUnit val="1"/>' in xml


def test_a_line_chart_of_two_series_marks_its_points_and_has_a_legend(tmp_path):
    model = _counts()
    series = tuple(Series(name, 1, col, 3, 0, name_row=0, color=color)
                   for name, col, color in (("一组", 2, "#2F5597"), ("二组", 3, "#ED7D31")))
    model.charts = [Chart("line", "趋势", series, 5, 0, markers=True)]
    xml = _chart_xml(model, tmp_path)
    assert xml.count('<c:symbol val="circle"/>') == 2 and "<c:legend>" in xml and '<c:legendPos val="b"/>' in xml
    assert '<a:srgbClr val="2F5597"/>' in xml and '<a:srgbClr val="ED7D31"/>' in xml
    assert "<c:dLbls>" not in xml


def test_format_cache_shares_one_format_per_style():
    workbook = render_xlsx.new_workbook(io.BytesIO())
    cache = render_xlsx.formats_for(workbook)
    assert cache is render_xlsx.formats_for(workbook)
    assert cache.cell(Style(bold=True)) is cache.cell(Style(bold=True))
    assert cache.cell(Style(bold=True)) is not cache.cell(Style(bold=True), "yyyy-mm-dd")
    assert cache.cell(None) is None
    workbook.close()


def test_bad_models_are_refused():
    workbook = render_xlsx.new_workbook(io.BytesIO())
    long_list = SheetModel("a", validations=[Validation(0, 0, 1, 0, tuple(f"选项{i:03d}" for i in range(60)))])
    with pytest.raises(ValueError):
        render_xlsx.add_sheet(workbook, long_list)
    with pytest.raises(ValueError):
        render_xlsx.add_sheet(workbook, SheetModel("b", charts=[Chart("radar", "x", (), 0, 0)]))
    nan = SheetModel("c")
    nan.put(0, 0, float("nan"))
    with pytest.raises(ValueError):
        render_xlsx.add_sheet(workbook, nan)
    workbook.close()


def test_written_value():
    from workbook.sheetmodel import Cell

    assert render_xlsx.written_value(Cell("")) is None
    assert render_xlsx.written_value(Cell(5, link="'a'!A1")) == "5"
    assert render_xlsx.written_value(Cell(dt.date(2026, 1, 2), link="'a'!A1")) == "2026-01-02"
    assert render_xlsx.written_value(Cell(5)) == 5
