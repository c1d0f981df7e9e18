"""Property tests of hostile input: random values of every kind in random input cells.

Two levels. In memory, many examples: whatever a cell of any input sheet holds (None, booleans, huge
and tiny numbers, NaN and infinities, dates from the year 1 to 9999, times, Excel error values,
formulas without a result, invisible and control characters, 32,767-character text, text that looks
like a formula or a date), validation and the whole pure refresh finish, every finding reads as a
Chinese sentence naming its cell, and the time grows with the rows, not with the values.

On file, fewer examples: the values are written into a built master with openpyxl (as Excel would
save them, error values as `t="e"` cells), and `sync.py validate` and `sync.py refresh` run for
real: each exits 0–3, prints no traceback and no generic failure, and a refresh that wrote leaves
the cells staff typed as they were.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import io
import math
import re
import shutil
import time
from pathlib import Path

import openpyxl
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sync
from workbook import layout as L
from workbook.raw import EXCEL_ERRORS, CellError, NoCachedValue
from workplan import pipeline

from conftest import TODAY, clean_data, load_data, raw_book

INPUT = [spec for spec in L.INPUT_SHEETS]
INVISIBLE = "\u200b\ufeff\u00a0\u3000\x01\x07\x1f\u202e\ud7ff"

texts = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.sampled_from(INVISIBLE + "D0１２３年月日-/. 男女\n\t="), max_size=20),
    st.sampled_from(["=1+1", "=个人积分!D5", "+86 138 2320 3533", "138-2320-3533", "2026年4月", "4—7月",
                     "13月", "2026-02-30", "9999-12-31", "0001-01-01", "1e309", "-1e308", "nan", "inf",
                     "0" * 400, "已完成 ", "　出席", "D001\u200b", "#REF!", "TRUE"]),
    st.builds(lambda n: "长" * n, st.sampled_from([255, 1000, 32_767])),
)
numbers = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, -1, 1e-300, -1e308, 1e308, 2_958_465, 2_958_466, -693_593, 60, 0.5]),
)
dates = st.one_of(st.dates(), st.sampled_from([dt.date(1, 1, 1), dt.date(9999, 12, 31), dt.date(1900, 2, 28)]))
datetimes = st.datetimes(min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31, 23, 59))
memory_values = st.one_of(
    st.none(), st.booleans(), texts, numbers, dates, datetimes, st.times(),
    st.sampled_from(sorted(EXCEL_ERRORS)).map(CellError), st.sampled_from(["", "A1+1"]).map(NoCachedValue),
)


@st.composite
def cell_changes(draw, values, max_changes=6):
    """A list of (sheet, row index or None for a new row, header, value) changes to the clean branch."""
    changes = []
    for _ in range(draw(st.integers(1, max_changes))):
        spec = draw(st.sampled_from(INPUT))
        header = draw(st.sampled_from(list(spec.headers)))
        changes.append((spec.name, draw(st.integers(0, 5)), header, draw(values)))
    return changes


def apply(data, changes):
    for sheet, index, header, value in changes:
        rows = data.setdefault(sheet, [])
        if index >= len(rows):
            rows.append({})
            index = len(rows) - 1
        rows[index][header] = value
    return data


SHEETS = {spec.name for spec in INPUT} | {L.SETTINGS}
CHINESE = re.compile("[\u4e00-\u9fff]")


def assert_readable(finding):
    """A Chinese sentence that names an input sheet (and its cell when there is one) and says what to do."""
    text = finding.describe()
    assert finding.level in ("错误", "警告"), text
    assert finding.sheet in SHEETS, text
    assert CHINESE.search(finding.message) and CHINESE.search(finding.suggestion), text
    assert "Traceback" not in text and "object at 0x" not in text, text


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(changes=cell_changes(memory_values))
def test_any_value_in_any_input_cell_validates_and_refreshes_in_memory(changes):
    data = apply(copy.deepcopy(clean_data()), changes)
    rows = sum(len(v) for v in data.values())
    started = time.perf_counter()
    branch, report = load_data(data)
    for finding in report.findings:
        assert_readable(finding)
    result = pipeline.refresh(raw_book(data), TODAY)
    assert result.sheets or not result.runnable  # every generated sheet rendered when it can run
    # A hang guard, not a speed target (benchmarks measure speed): a small branch takes well under a
    # second; the bound grows with the rows, never with a value (a year-1 start once ran 25 minutes).
    assert time.perf_counter() - started < 10 + rows * 0.05
    del branch, result


# --- on file, through the real commands -----------------------------------------------------------

file_values = st.one_of(
    # control characters cannot be saved as they are (Excel writes them as _x001F_; staffbooks.py has that case)
    st.none(), st.booleans(), texts.map(lambda s: ILLEGAL_CHARACTERS_RE.sub("", s)), numbers.filter(lambda x: not (
        isinstance(x, float) and (math.isnan(x) or math.isinf(x)))),
    st.dates(min_value=dt.date(1900, 3, 1)), st.sampled_from(sorted(EXCEL_ERRORS - {"#GETTING_DATA"})).map(CellError),
    st.sampled_from(["=1+1", "=SUM(A1:A3)"]).map(NoCachedValue),
)


@pytest.fixture(scope="module")
def clean_master(tmp_path_factory) -> Path:
    from services.create import build_master
    return build_master(tmp_path_factory.mktemp("clean") / "master.xlsx", clean_data())


def write_cells(path: Path, changes) -> None:
    """Write the values as an application would save them (openpyxl: error values as t="e" cells)."""
    book = openpyxl.load_workbook(path)
    for sheet, index, header, value in changes:
        ws = book[sheet]
        headers = [c.value for c in ws[1]]
        cell = ws.cell(row=index + 2, column=headers.index(header) + 1)
        if isinstance(value, CellError):
            cell.value = value.text
            cell.data_type = "e"
        elif isinstance(value, NoCachedValue):
            cell.value = value.formula  # openpyxl saves a formula with no cached value
        elif isinstance(value, str):
            cell.value = value
            cell.data_type = "s"  # what was typed as text stays text (no formula is made of '=')
        else:
            cell.value = value
    book.save(path)


def run(argv: list[str]) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = sync.main(argv)
        except SystemExit as stopped:
            code = stopped.code
    return code, out.getvalue() + err.getvalue()


def typed_cells(path: Path) -> dict:
    book = openpyxl.load_workbook(path)
    cells = {(ws.title, c.coordinate): (c.value, c.data_type)
             for ws in book.worksheets if ws.title in {s.name for s in INPUT} for row in ws.iter_rows() for c in row}
    book.close()
    return cells


@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(changes=cell_changes(file_values, max_changes=4))
def test_any_value_in_any_input_cell_of_a_file_validates_and_refreshes(tmp_path, clean_master, changes):
    path = tmp_path / f"case-{time.monotonic_ns()}.xlsx"
    shutil.copy(clean_master, path)
    write_cells(path, changes)
    before = typed_cells(path)
    for argv in (["validate", str(path)], ["refresh", str(path), "--today", TODAY.isoformat()]):
        started = time.perf_counter()
        code, printed = run(argv)
        assert code in (0, 1, 2, 3), (argv[0], code, printed)
        assert "Traceback" not in printed and "程序遇到意外问题" not in printed, printed
        assert time.perf_counter() - started < 60  # a hang guard (see above), not a speed target
    assert typed_cells(path) == before  # every input cell as typed, whatever the refresh wrote
