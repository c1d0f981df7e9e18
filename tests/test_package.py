"""Tests of workbook.package: generated sheets go in, nothing staff made is lost."""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
import posixpath
import re
import struct
import subprocess
import warnings
import zipfile
import zlib
from pathlib import Path
from xml.etree import ElementTree as ET

import openpyxl
import pytest
import python_calamine
import xlsxwriter

from workbook import errors, fingerprints, layout, ooxml, package, styles
from workbook.sheetmodel import Chart, ConditionalFill, PrintSetup, Series, SheetModel, Style, Validation

INPUTS = layout.INPUT_SHEET_NAMES
SHARED_PARTS = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml", "xl/styles.xml"}
OWNED = set(layout.GENERATED_SHEETS)
TRICKY = ["=SUM(A1)", "+1", "@x", "-5", "=HYPERLINK(\"http://x\")"]
CUSTOM_XML = '<?xml version="1.0" encoding="UTF-8"?><branch xmlns="urn:test:branch"><名称>测试支部</名称></branch>'
ITEM_PROPS = ('<?xml version="1.0" encoding="UTF-8" standalone="no"?><ds:datastoreItem ds:itemID="{6E3E5D2A-1B7C-4C61-9E57-3C2F1D3C8A11}" '
              'xmlns:ds="http://schemas.openxmlformats.org/officeDocument/2006/customXml"><ds:schemaRefs/></ds:datastoreItem>')
X14_VALIDATION = (
    '<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
    '<x14:dataValidations count="1" xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
    '<x14:dataValidation type="list" allowBlank="1" showInputMessage="1" showErrorMessage="1">'
    "<x14:formula1><xm:f>党小组!$A$2:$A$20</xm:f></x14:formula1><xm:sqref>K2:K50</xm:sqref>"
    "</x14:dataValidation></x14:dataValidations></ext></extLst>"
)


# --- building the master ------------------------------------------------------------------

def vba_project(folder: Path) -> tuple[Path, bool]:
    """A real vbaProject.bin (from xlwings' quickstart.xlsm, macro "SampleCall"), else a dummy."""
    spec = importlib.util.find_spec("xlwings")
    source = Path(spec.origin).parent / "quickstart.xlsm" if spec and spec.origin else None
    target = folder / "vbaProject.bin"
    if source and source.exists():
        with zipfile.ZipFile(source) as zf:
            target.write_bytes(zf.read("xl/vbaProject.bin"))
        return target, True
    target.write_bytes(b"dummy vba project: no real one available")
    return target, False


def png_bytes(size: int = 8) -> bytes:
    """A small red PNG made by hand (no imaging library needed)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xc8\x1e\x1e" * size for _ in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def build_master(path: Path, vba: Path) -> None:
    """An .xlsm like the branch's: all input sheets, comments on each, picture, chart,
    drop-downs through a defined name and a cross-sheet range, a macro button."""
    book = xlsxwriter.Workbook(str(path))
    book.add_vba_project(str(vba))
    book.define_name(layout.GROUP_LIST_NAME, layout.GROUP_LIST_REF)
    for number, name in enumerate(INPUTS):
        sheet = book.add_worksheet(name)
        headers = layout.SPECS[name].headers
        sheet.write_row(0, 0, headers)
        for row in range(1, 4):
            sheet.write_row(row, 0, [f"{name}{row}-{col}" for col in range(len(headers))])
        sheet.write_comment(0, 0, f"第{number + 1}张表的说明")
    members = book.get_worksheet_by_name(layout.MEMBERS)
    members.insert_image("L2", "dot.png", {"image_data": io.BytesIO(png_bytes())})
    members.data_validation(1, 3, 50, 3, {"validate": "list", "source": f"={layout.GROUP_LIST_NAME}"})
    members.repeat_rows(0)
    activities = book.get_worksheet_by_name(layout.ACTIVITIES)
    activities.data_validation(1, 3, 50, 3, {"validate": "list", "source": f"={layout.GROUPS}!$A$2:$A$20"})
    rules = book.get_worksheet_by_name(layout.RULES)
    rules.write_column(1, 2, [1, 2, 3])
    chart = book.add_chart({"type": "pie"})
    chart.add_series({"values": [layout.RULES, 1, 2, 3, 2], "name": "分值"})
    rules.insert_chart("G2", chart)
    book.get_worksheet_by_name(layout.SETTINGS).insert_button("E2", {"macro": "SampleCall", "caption": "刷新"})
    book.close()
    add_custom_parts(path)


def add_custom_parts(path: Path) -> None:
    """What xlsxwriter cannot make: a custom XML part and an x14 (extLst) drop-down."""
    with zipfile.ZipFile(path) as zf:
        parts = {info.filename: zf.read(info) for info in zf.infolist()}
    parts["customXml/item1.xml"] = CUSTOM_XML.encode("utf-8")
    parts["customXml/itemProps1.xml"] = ITEM_PROPS.encode("utf-8")
    parts["customXml/_rels/item1.xml.rels"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/customXmlProps" Target="itemProps1.xml"/>'
        "</Relationships>").encode("utf-8")
    rel = ('<Relationship Id="rId900" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/customXml" '
           'Target="../customXml/item1.xml"/></Relationships>')
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(b"</Relationships>", rel.encode())
    override = ('<Override PartName="/customXml/itemProps1.xml" '
                'ContentType="application/vnd.openxmlformats-officedocument.customXmlProperties+xml"/></Types>')
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(b"</Types>", override.encode())
    sheet = f"xl/worksheets/sheet{INPUTS.index(layout.MEMBERS) + 1}.xml"
    parts[sheet] = parts[sheet].replace(b"</worksheet>", X14_VALIDATION.encode("utf-8") + b"</worksheet>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)


# --- the generated sheets -----------------------------------------------------------------

def generated_models(version: int) -> list[SheetModel]:
    """Three generated sheets; `version` changes their values, not their styles."""
    header = Style(bold=True, fill="#DDEBF7", border=True)
    check = SheetModel(layout.VALIDATION_SHEET)
    check.merge(0, 0, 0, 6, f"校验结果（第{version}次）", Style(bold=True, size=14, align="center"))
    check.put_row(1, list(layout.VALIDATION_HEADERS), header)
    check.put_row(2, TRICKY + [version], Style(border=True))
    check.put(3, 0, "错误", link=f"'{layout.MEMBERS}'!B{version + 1}")
    check.put(3, 1, dt.date(2026, 3, version))
    check.put(3, 2, version * 1.5, Style(num_format="0.00"))
    check.put(3, 3, version % 2 == 0)
    check.put(3, 4, None, Style(locked=False, border=True))
    check.freeze = (2, 0)
    check.autofilter = (1, 0, 3, 6)
    check.validations = [Validation(3, 4, 20, 4, ("已处理", "未处理"), "处理后选择")]
    check.conditional = [ConditionalFill(2, 0, 20, 0, "错误", "#FFC7CE", "#9C0006")]
    check.print_setup = PrintSetup(landscape=True, repeat_rows=(1, 1))
    scores = SheetModel(layout.MEMBER_SCORES_SHEET)
    scores.put_row(0, ["姓名", "积分"], header)
    for row, (name, score) in enumerate([("张三", 10 + version), ("李四", 8), ("王五", 12.5)], start=1):
        scores.put_row(row, [name, score])
    scores.charts = [Chart("bar", f"个人积分{version}", (Series("积分", 1, 1, 3, 0, name_row=0),), 1, 3)]
    groups = SheetModel(layout.GROUP_SCORES_SHEET)
    groups.put_row(0, ["小组", "积分"], header)
    groups.put_row(1, ["一组", 3 * version])
    groups.charts = [Chart("line", "小组积分", (Series("积分", 1, 1, 1, 0),), 3, 0)]
    return [check, scores, groups]


# --- helpers ------------------------------------------------------------------------------

def parts_of(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def expected_grid(model: SheetModel) -> list[list]:
    """What python-calamine should read back for a model: numbers as floats, "" for empty."""
    from workbook.render_xlsx import written_value

    grid = [[""] * (model.max_col + 1) for _ in range(model.max_row + 1)]
    for (row, col), cell in model.cells.items():
        value = written_value(cell)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = float(value)
        grid[row][col] = "" if value is None else value
    return trim(grid)


def trim(grid: list[list]) -> list[list]:
    """A grid without trailing empty rows and columns."""
    rows = [list(r) for r in grid]
    while rows and all(v == "" for v in rows[-1]):
        rows.pop()
    width = max((max((i + 1 for i, v in enumerate(r) if v != ""), default=0) for r in rows), default=0)
    return [r[:width] + [""] * (width - len(r[:width])) for r in rows]


def read_grids(path: Path) -> tuple[list[str], dict[str, list[list]]]:
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    try:
        return book.sheet_names, {n: trim(book.get_sheet_by_name(n).to_python(skip_empty_area=False)) for n in book.sheet_names}
    finally:
        book.close()


def assert_consistent(path: Path) -> None:
    """No dangling content types or relationships; every part has a content type."""
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
        names = set(zf.namelist())
        types = ET.fromstring(zf.read("[Content_Types].xml"))
        overrides = {el.get("PartName").lstrip("/") for el in types if el.tag.endswith("Override")}
        defaults = {el.get("Extension").lower() for el in types if el.tag.endswith("Default")}
        assert overrides <= names
        for name in names:
            if name.endswith("/") or name == "[Content_Types].xml":
                continue
            assert name in overrides or name.rsplit(".", 1)[-1].lower() in defaults, name
            if name.endswith(".rels"):
                source = posixpath.join(posixpath.dirname(posixpath.dirname(name)), posixpath.basename(name)[:-5])
                for rel in ET.fromstring(zf.read(name)):
                    if rel.get("TargetMode") != "External":
                        assert ooxml.resolve(source, rel.get("Target")) in names, (name, rel.get("Target"))


def workbook_sheets(path: Path) -> list[tuple[str, str, str]]:
    with zipfile.ZipFile(path) as zf:
        root = ET.fromstring(zf.read("xl/workbook.xml"))
    rid = f"{{{ooxml.NS_REL}}}id"
    return [(el.get("name"), el.get("sheetId"), el.get(rid)) for el in root.iter(f"{{{ooxml.NS_MAIN}}}sheet")]


# --- fixtures -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def refreshed(tmp_path_factory):
    """The master, and the results of two refreshes (v1, then v2) and a repeat of v2."""
    folder = tmp_path_factory.mktemp("package")
    vba, real_vba = vba_project(folder)
    master = folder / "党建工作台账.xlsm"
    build_master(master, vba)
    first, second, third = folder / "r1.xlsm", folder / "r2.xlsm", folder / "r3.xlsm"
    summaries = [package.write_sheets(master, first, generated_models(1), OWNED),
                 package.write_sheets(first, second, generated_models(2), OWNED),
                 package.write_sheets(second, third, generated_models(2), OWNED)]
    return {"master": master, "r1": first, "r2": second, "r3": third, "summaries": summaries, "real_vba": real_vba}


@pytest.fixture(scope="module")
def pdf_of_second(refreshed, tmp_path_factory):
    """The second refresh converted to PDF by headless LibreOffice (once per module)."""
    out = tmp_path_factory.mktemp("pdf")
    profile = tmp_path_factory.mktemp("lo-profile")
    command = ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
               "--outdir", str(out), str(refreshed["r2"])]
    subprocess.run(command, check=True, capture_output=True, timeout=180)
    return out / (refreshed["r2"].stem + ".pdf")


@pytest.fixture(scope="module")
def csv_of_second(refreshed, tmp_path_factory):
    """Every sheet of the second refresh as CSV, as LibreOffice reads it (one file per sheet)."""
    out = tmp_path_factory.mktemp("csv")
    profile = tmp_path_factory.mktemp("lo-profile-csv")
    csv_filter = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
    command = ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", csv_filter,
               "--outdir", str(out), str(refreshed["r2"])]
    subprocess.run(command, check=True, capture_output=True, timeout=180)
    return out


# --- the master survives ------------------------------------------------------------------

def test_master_has_what_we_must_keep(refreshed):
    names = set(parts_of(refreshed["master"]))
    vml = {n for n in names if re.fullmatch(r"xl/drawings/vmlDrawing\d+\.vml", n)}
    assert len(vml) == len(INPUTS) and "xl/drawings/vmlDrawing13.vml" in vml
    assert {"xl/vbaProject.bin", "customXml/item1.xml", "customXml/itemProps1.xml", "xl/media/image1.png",
            "xl/charts/chart1.xml", "xl/comments13.xml"} <= names
    assert refreshed["real_vba"], "no real vbaProject.bin found: the macro button test used a dummy"


@pytest.mark.parametrize("result", ["r1", "r2", "r3"])
def test_every_other_part_is_byte_identical(refreshed, result):
    source, out = parts_of(refreshed["master"]), parts_of(refreshed[result])
    for name, data in source.items():
        if name not in SHARED_PARTS:
            assert out.get(name) == data, name


def test_raw_copy_keeps_compression(refreshed):
    with zipfile.ZipFile(refreshed["master"]) as src, zipfile.ZipFile(refreshed["r2"]) as out:
        for info in src.infolist():
            copied = out.getinfo(info.filename)
            assert copied.compress_type == info.compress_type
            if info.filename not in SHARED_PARTS:
                assert (copied.CRC, copied.file_size, copied.compress_size) == (info.CRC, info.file_size, info.compress_size)


def test_styles_unchanged_by_a_second_refresh(refreshed):
    first, second = parts_of(refreshed["r1"]), parts_of(refreshed["r2"])
    assert first["xl/styles.xml"] == second["xl/styles.xml"]
    assert parts_of(refreshed["r3"]) == second


def test_styles_only_grow_at_the_end(refreshed):
    master = parts_of(refreshed["master"])["xl/styles.xml"].decode()
    merged = parts_of(refreshed["r1"])["xl/styles.xml"].decode()
    for local in ("numFmts", "fonts", "fills", "borders", "cellXfs", "dxfs"):
        old = re.search(rf"<{local}\b[^>]*>(.*?)</{local}>", master, re.S)
        new = re.search(rf"<{local}\b[^>]*>(.*?)</{local}>", merged, re.S)
        assert new is not None
        if old:
            assert new.group(1).startswith(old.group(1)), local
    assert merged.count("<cellStyleXfs") == 1 and master.split("<cellStyleXfs")[1] .split("</cellStyleXfs>")[0] == \
        merged.split("<cellStyleXfs")[1].split("</cellStyleXfs>")[0]


def test_sheet_order_and_identity(refreshed):
    generated = [m.name for m in generated_models(1)]
    first, second = workbook_sheets(refreshed["r1"]), workbook_sheets(refreshed["r2"])
    assert [n for n, _, _ in first] == list(INPUTS) + generated
    assert second == first
    assert workbook_sheets(refreshed["master"]) == first[: len(INPUTS)]
    assert refreshed["summaries"][0].added == generated and refreshed["summaries"][0].replaced == []
    assert refreshed["summaries"][1].replaced == generated and refreshed["summaries"][1].added == []


def test_values_read_back_exactly(refreshed):
    for result, version in (("r1", 1), ("r2", 2)):
        names, grids = read_grids(refreshed[result])
        assert names == list(INPUTS) + [m.name for m in generated_models(version)]
        for model in generated_models(version):
            assert grids[model.name] == expected_grid(model), (result, model.name)
        assert grids[layout.VALIDATION_SHEET][2][:5] == TRICKY
    _, master_grids = read_grids(refreshed["master"])
    for name in INPUTS:
        assert grids[name] == master_grids[name]


def test_text_is_written_as_inline_strings(refreshed):
    parts = parts_of(refreshed["r2"])
    sheet = parts[f"xl/worksheets/sheet{len(INPUTS) + 1}.xml"].decode()
    assert '<c r="A3" s="' in sheet and "<is><t>=SUM(A1)</t></is>" in sheet and "<is><t>+1</t></is>" in sheet
    assert "<f>" not in sheet and 't="s"' not in sheet
    assert parts["xl/sharedStrings.xml"] == parts_of(refreshed["master"])["xl/sharedStrings.xml"]


def test_defined_names(refreshed):
    workbook = parts_of(refreshed["r2"])["xl/workbook.xml"].decode()
    master = parts_of(refreshed["master"])["xl/workbook.xml"].decode()
    for element in re.findall(r"<definedName\b.*?</definedName>", master):
        assert workbook.count(element) == 1
    index = len(INPUTS)
    assert workbook.count(f'name="_xlnm._FilterDatabase" localSheetId="{index}"') == 1
    assert workbook.count(f'name="_xlnm.Print_Titles" localSheetId="{index}"') == 1
    assert workbook.count(f'name="{fingerprints.FINGERPRINT_NAME}"') == 3


def test_macro_workbook_parts_survive(refreshed):
    parts = parts_of(refreshed["r2"])
    types = parts["[Content_Types].xml"].decode()
    assert '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>' in types
    assert "application/vnd.ms-excel.sheet.macroEnabled.main+xml" in types
    assert "customXmlProperties+xml" in types
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    assert "vbaProject.bin" in rels and "../customXml/item1.xml" in rels


@pytest.mark.parametrize("result", ["r1", "r2"])
def test_package_is_consistent(refreshed, result):
    assert_consistent(refreshed[result])


def test_openpyxl_loads_the_result(refreshed):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        book = openpyxl.load_workbook(refreshed["r2"], keep_vba=True)
    assert book.sheetnames == list(INPUTS) + [m.name for m in generated_models(2)]
    assert book[layout.VALIDATION_SHEET]["A3"].value == "=SUM(A1)"
    assert book[layout.VALIDATION_SHEET]["A3"].data_type == "s"


def test_libreoffice_opens_the_result(pdf_of_second):
    assert pdf_of_second.exists() and pdf_of_second.stat().st_size > 1000


def test_libreoffice_reads_the_generated_values(csv_of_second, refreshed):
    def lines(sheet: str) -> list[str]:
        return (csv_of_second / f"{refreshed['r2'].stem}-{sheet}.csv").read_text("utf-8").splitlines()

    assert lines(layout.VALIDATION_SHEET)[2] == '=SUM(A1),+1,@x,-5,"=HYPERLINK(""http://x"")",2,'
    assert lines(layout.MEMBER_SCORES_SHEET) == ["姓名,积分", "张三,12", "李四,8", "王五,12.5"]
    assert lines(layout.MEMBERS)[1] == ",".join(f"{layout.MEMBERS}1-{c}" for c in range(len(layout.SPECS[layout.MEMBERS].headers)))


def test_fingerprints_detect_hand_edits(refreshed, tmp_path):
    path = refreshed["r2"]
    models = generated_models(2)
    assert fingerprints.read_owned_fingerprints(path) == {m.name: fingerprints.fingerprint_model(m) for m in models}
    assert fingerprints.edited_sheets(path) == []
    package.verify_written(path, models)
    _, grids = read_grids(path)
    changed = [list(row) for row in grids[layout.MEMBER_SCORES_SHEET]]
    changed[1][1] = 99.0
    assert fingerprints.edited_sheets(path, {layout.MEMBER_SCORES_SHEET: changed}) == [layout.MEMBER_SCORES_SHEET]
    with pytest.raises(errors.WriteFailed):
        package.verify_written(path, generated_models(1))


def test_fingerprint_survives_excel_style_save(refreshed, tmp_path):
    """openpyxl stands in for a program that re-saves the file (shared strings, new XML)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        book = openpyxl.load_workbook(refreshed["r2"], keep_vba=True)
        book[layout.MEMBERS]._images = []  # openpyxl cannot re-save pictures it loaded
        saved = tmp_path / "saved.xlsm"
        book.save(saved)
        book[layout.VALIDATION_SHEET]["B4"] = dt.date(2027, 1, 1)
        edited = tmp_path / "edited.xlsm"
        book.save(edited)
    assert fingerprints.edited_sheets(saved) == []
    assert fingerprints.edited_sheets(edited) == [layout.VALIDATION_SHEET]


def test_normalisation():
    assert fingerprints.normalise_value("  x ") == "s:x" and fingerprints.normalise_value("  ") is None
    assert fingerprints.normalise_value(1) == fingerprints.normalise_value(1.0) == "n:1.0"
    assert fingerprints.normalise_value(0.1 + 0.2) == fingerprints.normalise_value(0.3)
    assert fingerprints.normalise_value(True) == "b:TRUE"
    assert fingerprints.normalise_value(dt.datetime(2026, 3, 5)) == fingerprints.normalise_value(dt.date(2026, 3, 5)) == "d:2026-03-05"
    assert fingerprints.normalise_value(dt.datetime(2026, 3, 5, 13, 30, 0, 999_999)) == "d:2026-03-05T13:30:01"


# --- replacing a sheet with a chart -------------------------------------------------------

def chart_master(path: Path, with_formula: bool = False, calc_chain: bool = False) -> None:
    """An input sheet with a picture and a chart, and an old generated sheet with a bar chart."""
    book = xlsxwriter.Workbook(str(path))
    members = book.add_worksheet(layout.MEMBERS)
    members.write_row(0, 0, ["姓名", "分"])
    members.write_row(1, 0, ["张三", 3])
    members.insert_image("D2", "dot.png", {"image_data": io.BytesIO(png_bytes())})
    pie = book.add_chart({"type": "pie"})
    pie.add_series({"values": [layout.MEMBERS, 1, 1, 1, 1]})
    members.insert_chart("D10", pie)
    old = book.add_worksheet(layout.MEMBER_SCORES_SHEET)
    old.write_row(0, 0, ["姓名", "积分"])
    old.write_row(1, 0, ["旧数据", 1])
    if with_formula:
        old.write_formula("C2", "=B2*2", None, 2)
    bar = book.add_chart({"type": "column"})
    bar.add_series({"values": [layout.MEMBER_SCORES_SHEET, 1, 1, 1, 1], "categories": [layout.MEMBER_SCORES_SHEET, 1, 0, 1, 0]})
    bar.set_title({"name": "旧图表标题"})
    old.insert_chart("D2", bar)
    old.insert_image("J2", "dot.png", {"image_data": io.BytesIO(png_bytes())})  # the same picture: one shared part
    old.write_comment("A1", "旧批注")
    old.set_vba_name("ScoresSheet")
    book.close()
    if calc_chain:
        add_calc_chain(path)


def add_calc_chain(path: Path) -> None:
    """Add an xl/calcChain.xml naming cell C2 of the second sheet (xlsxwriter writes none)."""
    with zipfile.ZipFile(path) as zf:
        parts = {info.filename: zf.read(info) for info in zf.infolist()}
    parts["xl/calcChain.xml"] = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                                 b'<calcChain xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><c r="C2" i="2"/></calcChain>')
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/calcChain" Target="calcChain.xml"/></Relationships>')
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>", b'<Override PartName="/xl/calcChain.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml"/></Types>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)


def new_scores() -> SheetModel:
    model = SheetModel(layout.MEMBER_SCORES_SHEET)
    model.put_row(0, ["姓名", "积分"])
    model.put_row(1, ["张三", 5])
    model.put_row(2, ["李四", 7])
    model.charts = [Chart("bar", "新图表标题", (Series("积分", 1, 1, 2, 0),), 4, 0)]
    return model


def test_replacing_a_sheet_with_a_chart(tmp_path):
    master, out = tmp_path / "m.xlsx", tmp_path / "o.xlsx"
    chart_master(master)
    before = parts_of(master)
    summary = package.write_sheets(master, out, [new_scores()], OWNED)
    after = parts_of(out)
    assert summary.replaced == [layout.MEMBER_SCORES_SHEET] and summary.added == []
    assert workbook_sheets(out) == workbook_sheets(master)
    old_only = {"xl/worksheets/_rels/sheet2.xml.rels", "xl/comments1.xml", "xl/drawings/vmlDrawing1.vml",
                "xl/drawings/drawing2.xml", "xl/drawings/_rels/drawing2.xml.rels", "xl/charts/chart2.xml"}
    assert old_only <= set(before)
    assert set(summary.removed_parts) | set(summary.new_parts) >= old_only
    for data in after.values():
        assert "旧图表标题".encode() not in data and "旧批注".encode() not in data
    charts = {n: d for n, d in after.items() if n.startswith("xl/charts/")}
    assert len(charts) == 2 and charts["xl/charts/chart1.xml"] == before["xl/charts/chart1.xml"]
    assert sum("新图表标题".encode() in d for d in charts.values()) == 1
    assert "xl/comments1.xml" not in after and "xl/drawings/vmlDrawing1.vml" not in after
    assert sorted(n for n in before if n.startswith("xl/media/")) == ["xl/media/image1.png"]
    assert b"image1.png" in before["xl/drawings/_rels/drawing2.xml.rels"]
    for name in ("xl/media/image1.png", "xl/drawings/drawing1.xml", "xl/worksheets/sheet1.xml"):
        assert after[name] == before[name]
    assert b'<sheetPr codeName="ScoresSheet"' in after["xl/worksheets/sheet2.xml"]
    assert_consistent(out)
    _, grids = read_grids(out)
    assert grids[layout.MEMBER_SCORES_SHEET] == [["姓名", "积分"], ["张三", 5.0], ["李四", 7.0]]


def test_calc_chain_dropped_only_when_a_replaced_sheet_had_formulas(tmp_path):
    with_formula, plain = tmp_path / "f.xlsx", tmp_path / "p.xlsx"
    chart_master(with_formula, with_formula=True, calc_chain=True)
    chart_master(plain, calc_chain=True)
    summary = package.write_sheets(with_formula, tmp_path / "f_out.xlsx", [new_scores()], OWNED)
    assert summary.dropped_calc_chain and "xl/calcChain.xml" not in parts_of(tmp_path / "f_out.xlsx")
    assert_consistent(tmp_path / "f_out.xlsx")
    summary = package.write_sheets(plain, tmp_path / "p_out.xlsx", [new_scores()], OWNED)
    assert not summary.dropped_calc_chain
    assert parts_of(tmp_path / "p_out.xlsx")["xl/calcChain.xml"] == parts_of(plain)["xl/calcChain.xml"]


def test_input_sheets_are_never_overwritten(tmp_path):
    master = tmp_path / "m.xlsx"
    chart_master(master)
    intruder = SheetModel(layout.MEMBERS)
    intruder.put(0, 0, "x")
    with pytest.raises(ValueError):
        package.write_sheets(master, tmp_path / "o.xlsx", [intruder], OWNED)
    with pytest.raises(ValueError):
        package.write_sheets(master, tmp_path / "o.xlsx", [intruder], OWNED | {layout.MEMBERS})
    assert not (tmp_path / "o.xlsx").exists()


def test_prefixed_main_namespace(tmp_path):
    """A master whose workbook.xml and styles.xml use a prefix (x:) for the main namespace."""
    master, out = tmp_path / "m.xlsx", tmp_path / "o.xlsx"
    chart_master(master)
    with zipfile.ZipFile(master) as zf:
        parts = {info.filename: zf.read(info) for info in zf.infolist()}
    for name in ("xl/workbook.xml", "xl/styles.xml"):
        text = parts[name].decode()
        text = re.sub(r"<(/?)([A-Za-z]\w*)(?=[\s/>])", r"<\1x:\2", text.split("?>", 1)[1])
        text = text.replace(f'xmlns="{ooxml.NS_MAIN}"', f'xmlns:x="{ooxml.NS_MAIN}"')
        parts[name] = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' + text).encode()
    with zipfile.ZipFile(master, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    extra = generated_models(1)[0]
    package.write_sheets(master, out, [new_scores(), extra], OWNED)
    text = parts_of(out)["xl/workbook.xml"].decode()
    assert f'<x:sheet name="{layout.VALIDATION_SHEET}" sheetId="3" r:id="rId' in text
    assert '<x:definedName name="_workbench_fp" localSheetId="2" hidden="1">' in text
    styles = parts_of(out)["xl/styles.xml"].decode()
    assert "<font>" not in styles and "<x:font><x:b/>" in styles
    ET.fromstring(parts_of(out)["xl/styles.xml"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        book = openpyxl.load_workbook(out)
    assert book.sheetnames == [layout.MEMBERS, layout.MEMBER_SCORES_SHEET, layout.VALIDATION_SHEET]
    assert book[layout.VALIDATION_SHEET]["A2"].font.b is True


def test_merge_styles_is_append_only_and_idempotent():
    master = ('<?xml version="1.0"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
              '<fonts count="1"><font><sz val="12"/><name val="宋体"/></font></fonts>'
              '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
              '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
              '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
              '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
              '<cellStyles count="1"><cellStyle name="常规" xfId="0" builtinId="0"/></cellStyles></styleSheet>')
    workbook = xlsxwriter.Workbook(io.BytesIO(), {"in_memory": True})
    workbook.add_worksheet().write(0, 0, 1, workbook.add_format({"num_format": "0.000", "bold": True, "bg_color": "#FF0000"}))
    workbook.add_worksheet().conditional_format(0, 0, 1, 1, {"type": "cell", "criteria": "==", "value": 1,
                                                             "format": workbook.add_format({"bg_color": "#00FF00"})})
    buffer = workbook.filename
    workbook.close()
    with zipfile.ZipFile(buffer) as zf:
        ours = zf.read("xl/styles.xml").decode()
    first = styles.merge_styles(master, ours)
    assert first.text.startswith(master[: master.index("<fonts")])
    assert '<fonts count="2"><font><sz val="12"/><name val="宋体"/></font><font><b/>' in first.text
    assert first.appended == {"numFmts": 1, "fonts": 1, "fills": 1, "cellXfs": 1, "dxfs": 1}
    assert '<numFmts count="1"><numFmt numFmtId="164" formatCode="0.000"/></numFmts><fonts' in first.text
    assert '<cellXfs count="2">' in first.text and first.xf_map == {0: 0, 1: 1}
    assert first.dxf_map == {0: 0} and '<dxfs count="1">' in first.text
    second = styles.merge_styles(first.text, ours)
    assert second.text == first.text and second.xf_map == first.xf_map and second.appended == {}


# --- masters saved by other programs ----------------------------------------------------

def resave(path: Path, producer: str, folder: Path) -> Path:
    """The master re-saved by openpyxl or converted by LibreOffice (their own XML dialects)."""
    target = folder / f"{producer}.xlsx"
    if producer == "openpyxl":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            openpyxl.load_workbook(path).save(target)
        return target
    out = folder / "lo-out"
    command = ["soffice", f"-env:UserInstallation={(folder / 'lo-profile').as_uri()}", "--headless",
               "--convert-to", "xlsx", "--outdir", str(out), str(path)]
    subprocess.run(command, check=True, capture_output=True, timeout=180)
    (out / path.name).rename(target)
    return target


@pytest.mark.parametrize("producer", ["openpyxl", "libreoffice"])
def test_masters_from_other_producers(tmp_path, producer):
    plain = tmp_path / "plain.xlsx"
    book = xlsxwriter.Workbook(str(plain))
    members = book.add_worksheet(layout.MEMBERS)
    members.write_row(0, 0, ["姓名", "入党日期"])
    members.write_row(1, 0, ["张三", "2001-07-01"])
    book.add_worksheet(layout.MEMBER_SCORES_SHEET).write(0, 0, "旧数据")
    book.close()
    master = resave(plain, producer, tmp_path)
    first, second = tmp_path / "r1.xlsx", tmp_path / "r2.xlsx"
    models = [new_scores(), generated_models(1)[0]]
    summary = package.write_sheets(master, first, models, OWNED)
    assert summary.replaced == [layout.MEMBER_SCORES_SHEET] and summary.added == [layout.VALIDATION_SHEET]
    package.write_sheets(first, second, models, OWNED)
    assert parts_of(first) == parts_of(second)
    source, out = parts_of(master), parts_of(first)
    replaced = {n for n in source if n not in out or n.startswith("xl/worksheets/")} - {"xl/worksheets/sheet1.xml"}
    for name, data in source.items():
        if name not in SHARED_PARTS | replaced:
            assert out[name] == data, name
    assert_consistent(first)
    names, grids = read_grids(first)
    assert names == [layout.MEMBERS, layout.MEMBER_SCORES_SHEET, layout.VALIDATION_SHEET]
    assert grids[layout.MEMBER_SCORES_SHEET] == expected_grid(new_scores())
    assert grids[layout.VALIDATION_SHEET] == expected_grid(generated_models(1)[0])
    assert grids[layout.MEMBERS] == [["姓名", "入党日期"], ["张三", "2001-07-01"]]
    assert fingerprints.edited_sheets(first) == []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert openpyxl.load_workbook(first).sheetnames == names


def test_keep_code_name_without_sheet_properties():
    new = '<?xml version="1.0"?><worksheet xmlns="m"><dimension ref="A1"/></worksheet>'
    old = '<worksheet xmlns="m"><sheetPr codeName="Sheet9"><tabColor rgb="FF000000"/></sheetPr></worksheet>'
    assert package.keep_code_name(new, old) == '<?xml version="1.0"?><worksheet xmlns="m"><sheetPr codeName="Sheet9"/><dimension ref="A1"/></worksheet>'
    assert package.keep_code_name(new, "<worksheet/>") == new


class _Unseekable(io.RawIOBase):
    """A write-only stream without seek: zipfile then writes data descriptors (flag bit 3)."""

    def __init__(self, target):
        self.target = target

    def writable(self):
        return True

    def write(self, data):
        return self.target.write(data)


def test_raw_copy_of_members_with_data_descriptors(tmp_path):
    master, streamed, out = tmp_path / "m.xlsx", tmp_path / "streamed.xlsx", tmp_path / "o.xlsx"
    chart_master(master)
    with zipfile.ZipFile(master) as src, open(streamed, "wb") as raw:
        with zipfile.ZipFile(_Unseekable(raw), "w", zipfile.ZIP_DEFLATED) as zf:
            for info in src.infolist():
                zf.writestr(info.filename, src.read(info))
    with zipfile.ZipFile(streamed) as zf:
        assert all(info.flag_bits & 0x08 for info in zf.infolist())
    package.write_sheets(streamed, out, [new_scores()], OWNED)
    before, after = parts_of(streamed), parts_of(out)
    assert after["xl/media/image1.png"] == before["xl/media/image1.png"]
    assert_consistent(out)
    _, grids = read_grids(out)
    assert grids[layout.MEMBERS] == [["姓名", "分"], ["张三", 3.0]]
