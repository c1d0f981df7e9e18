"""After every write the workbook asks for a full calculation; a 1904-date-system master works.

Files saved by Excel, WPS or LibreOffice carry a calcPr without fullCalcOnLoad (Excel:
`<calcPr calcId="191029"/>`), so a staff formula like =个人积分!D5 would show the value cached
at the last save. Both writers (the refresh and the row appender) set the flag. LibreOffice
ignores the flag (its own setting decides), so it cannot be the oracle here: the tests read
workbook.xml. A master in the 1904 date system (old Mac Excel) is read, refreshed and
collected into with its own serials.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import zipfile

import pytest
import python_calamine
from openpyxl.utils.datetime import CALENDAR_MAC_1904

import sync
from workbook import append, errors, layout as L, ooxml, package, reader
from workbook.values import EPOCH_1904

from conftest import TODAY
from staffbooks import CLEAN_GROUPS, CLEAN_MEMBERS, rewrite_part, sheet_part, totals, with_openpyxl

EXCEL_CALC = '<calcPr calcId="191029"/>'
VOTE = ["群众评议党员", "群众09（2026上半年）", "D002", "合格", None, dt.date(2026, 6, 29), "表9.xlsx"]


def workbook_xml(path) -> str:
    with zipfile.ZipFile(path) as zf:
        return zf.read("xl/workbook.xml").decode("utf-8")


def calc_elements(path) -> list[str]:
    return re.findall(r"<(?:\w+:)?calcPr\b[^>]*>", workbook_xml(path))


def as_excel_saves(path, calc: str = EXCEL_CALC):
    """workbook.xml with Excel's calcPr (no fullCalcOnLoad), or none at all (calc="")."""
    return rewrite_part(path, "xl/workbook.xml", lambda text: re.sub(r"<calcPr\b[^>]*/>", calc, text))


def refresh(path, today=TODAY) -> int:
    return sync.run_refresh(path, today)


@pytest.mark.parametrize("calc, expected", [
    (EXCEL_CALC, '<calcPr calcId="191029" fullCalcOnLoad="1"/>'),
    ('<calcPr calcId="191029" fullCalcOnLoad="0"/>', '<calcPr calcId="191029" fullCalcOnLoad="1"/>'),
    ("", '<calcPr fullCalcOnLoad="1"/>'),
])
def test_a_refresh_asks_for_a_full_calculation_on_opening(build, data, capsys, calc, expected):
    master = as_excel_saves(build(data), calc)
    assert refresh(master) == 0
    assert calc_elements(master) == [expected]
    text = workbook_xml(master)
    assert text.index("</definedNames>") < text.index("<calcPr") < text.index("</workbook>")
    assert refresh(master) == 0
    assert calc_elements(master) == [expected]  # a second refresh leaves it as it is


def test_a_prefixed_workbook_gets_a_prefixed_calc_element(build, data, capsys):
    master = build(data)

    def prefixed(text: str) -> str:
        text = re.sub(r"<calcPr\b[^>]*/>", "", text.split("?>", 1)[1])
        text = re.sub(r"<(/?)([A-Za-z]\w*)(?=[\s/>])", r"<\1x:\2", text)
        return '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' + text.replace(
            f'xmlns="{ooxml.NS_MAIN}"', f'xmlns:x="{ooxml.NS_MAIN}"')

    rewrite_part(master, "xl/workbook.xml", prefixed)
    assert refresh(master) == 0
    assert calc_elements(master) == ['<x:calcPr fullCalcOnLoad="1"/>']


def test_collecting_into_the_master_asks_for_a_full_calculation_too(build, data):
    master = as_excel_saves(build(data))
    with zipfile.ZipFile(master) as zf:
        before = {i.filename: (i.CRC, i.file_size) for i in zf.infolist()}
    append.append_to_master(master, L.EVALUATIONS, [VOTE])
    assert calc_elements(master) == ['<calcPr calcId="191029" fullCalcOnLoad="1"/>']
    with zipfile.ZipFile(master) as zf:
        after = {i.filename: (i.CRC, i.file_size) for i in zf.infolist()}
    assert list(after) == list(before)
    assert sorted(n for n in before if before[n] != after[n]) == sorted([sheet_part(master, L.EVALUATIONS), "xl/workbook.xml"])


def test_a_failed_check_names_the_master_not_the_file_beside_it(build, data, monkeypatch):
    master = build(data)
    monkeypatch.setattr(package, "read_sheet_rows", lambda path, names: {})
    with pytest.raises(errors.WriteFailed) as failed:
        package.refresh_master(master, [package_model()], set(L.GENERATED_SHEETS))
    assert failed.value.path == str(master)
    assert "~" not in failed.value.user_message()


def package_model():
    from workplan.sheets.common import table_sheet

    return table_sheet(L.VALIDATION_SHEET, "校验结果", L.VALIDATION_HEADERS, [], (8,) * 7)


# --- the 1904 date system ----------------------------------------------------------------------

@pytest.fixture
def mac_master(build, data):
    """The clean branch saved by openpyxl in the 1904 date system (every date stored as a 1904 serial)."""
    return with_openpyxl(build(data), lambda book: setattr(book, "epoch", CALENDAR_MAC_1904))


def _serial(day: dt.date) -> int:
    return (day - EPOCH_1904).days


def _cell_xml(path, sheet: str, row: int, col: int) -> str:
    with zipfile.ZipFile(path) as zf:
        text = zf.read(sheet_part(path, sheet)).decode("utf-8")
    ref = f"{L.column_letter(col)}{row}"
    return re.search(rf'<c r="{ref}"[^>]*>.*?</c>', text).group(0)


def test_a_1904_master_reads_as_its_dates(mac_master, monkeypatch):
    assert ooxml.uses_1904(zipfile.ZipFile(mac_master))
    assert totals(mac_master) == ([], CLEAN_MEMBERS, CLEAN_GROUPS)
    by_calamine = reader.read_book(mac_master, {L.ACTIVITIES: 11}).sheet(L.ACTIVITIES).rows
    monkeypatch.setattr(reader, "_fits_calamine", lambda scan: False)
    by_stream = reader.read_book(mac_master, {L.ACTIVITIES: 11}).sheet(L.ACTIVITIES).rows
    assert [cells[6] for _, cells in by_stream] == [cells[6] or None for _, cells in by_calamine]
    assert by_stream[0][1][6] == dt.date(2026, 3, 10)


def test_a_1904_master_refreshes_with_1904_serials(mac_master, capsys):
    assert refresh(mac_master) == 0
    book = python_calamine.CalamineWorkbook.from_path(str(mac_master))
    history = book.get_sheet_by_name(L.HISTORY_SHEET).to_python()
    book.close()
    header = next(i for i, row in enumerate(history) if row and row[0] == "周次")
    assert history[header + 1][1] == dt.date(2026, 11, 26)
    assert f"<v>{_serial(dt.date(2026, 11, 26))}</v>" in _cell_xml(mac_master, L.HISTORY_SHEET, header + 2, 1)
    assert refresh(mac_master) == 0  # the generated sheets read back as written: the check passes again


def test_collecting_into_a_1904_master(mac_master):
    done = append.append_to_master(mac_master, L.EVALUATIONS, [VOTE]).result
    book = python_calamine.CalamineWorkbook.from_path(str(mac_master))
    rows = book.get_sheet_by_name(L.EVALUATIONS).to_python(skip_empty_area=False)
    book.close()
    assert rows[done.first_row - 1][5] == dt.date(2026, 6, 29)
    assert f"<v>{_serial(dt.date(2026, 6, 29))}</v>" in _cell_xml(mac_master, L.EVALUATIONS, done.first_row, 5)
    assert append.excel_serial(dt.date(2026, 6, 29), date1904=True) == _serial(dt.date(2026, 6, 29))


def test_libreoffice_reads_the_refreshed_1904_master_with_the_right_dates(mac_master, capsys, tmp_path):
    assert refresh(mac_master) == 0
    csv_filter = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}", "--headless", "--convert-to", csv_filter,
                    "--outdir", str(tmp_path), str(mac_master)], check=True, capture_output=True, timeout=180)
    history = (tmp_path / f"{mac_master.stem}-{L.HISTORY_SHEET}.csv").read_text("utf-8").splitlines()
    plan = (tmp_path / f"{mac_master.stem}-{L.ACTIVITIES}.csv").read_text("utf-8").splitlines()
    assert "2026-W48,2026-11-26,一组,11,1,,第48周（11月23日—29日）,11,2" in history  # ours, written with 1904 serials
    assert plan[1].startswith("A01,专家报告会,十个一,支部,3月,,2026-03-10,")  # staff's, as openpyxl saved them
