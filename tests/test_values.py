"""Parsing what people type: dates, numbers, codes, month ranges."""

from __future__ import annotations

import datetime as dt

import pytest

from workbook import values

D = dt.date


@pytest.mark.parametrize(
    "typed, expected",
    [
        (dt.datetime(2023, 3, 5, 0, 0), D(2023, 3, 5)),
        (D(2023, 3, 5), D(2023, 3, 5)),
        (44990.0, D(2023, 3, 5)),  # an Excel serial number
        ("2023-03-05", D(2023, 3, 5)),
        ("2023/3/5", D(2023, 3, 5)),
        ("2023.3.5", D(2023, 3, 5)),
        ("2023年3月5日", D(2023, 3, 5)),
        ("２０２３年３月５日", D(2023, 3, 5)),
        (" 2023 - 3 - 5 ", D(2023, 3, 5)),
        ("\u30002023/03/05\u3000", D(2023, 3, 5)),
        ("20230305", D(2023, 3, 5)),
        ("", None),
        ("\u3000", None),
        (None, None),
    ],
)
def test_dates(typed, expected):
    assert values.to_date(typed) == expected


@pytest.mark.parametrize("typed", ["2023-13-05", "2023-02-30", "3月5日", "下周一", "2023", True, -5.0])
def test_bad_dates(typed):
    with pytest.raises(ValueError):
        values.to_date(typed)


@pytest.mark.parametrize(
    "typed, expected",
    [("3月", (3, 3)), ("4—7月", (4, 7)), ("4-7月", (4, 7)), ("4–7月", (4, 7)), ("4~7月", (4, 7)),
     ("四至七月份", (4, 7)), ("三月份", (3, 3)), ("十二月", (12, 12)), ("12", (12, 12)), (6.0, (6, 6)),
     ("４－７月", (4, 7)), (" 4 — 7 月 ", (4, 7)), (None, None), ("11—1月", (11, 1))],
)
def test_months(typed, expected):
    assert values.to_months(typed) == expected


@pytest.mark.parametrize("typed", ["13月", "0月", "春季", "4—13月", "2026年13月", "26年4月"])
def test_bad_months(typed):
    with pytest.raises(ValueError):
        values.to_months(typed)


@pytest.mark.parametrize(
    "typed, expected", [(3, 3.0), ("3", 3.0), (" -2 ", -2.0), ("+1.5", 1.5), ("１.５", 1.5), ("1,200", 1200.0), ("", None)]
)
def test_numbers(typed, expected):
    assert values.to_number(typed) == expected


def test_int_rejects_fractions():
    assert values.to_int("3.0") == 3
    with pytest.raises(ValueError):
        values.to_int(2.5)


@pytest.mark.parametrize(
    "typed, expected", [("D001", "D001"), (" d００１ ", "D001"), (1001.0, "1001"), ("D 001", "D001"), ("", None)]
)
def test_codes(typed, expected):
    assert values.code(typed) == expected


def test_text_keeps_what_was_typed_but_trims():
    assert values.text("\u3000张 三 ") == "张 三"
    assert values.text("=SUM(A1)") == "=SUM(A1)"
    assert values.text(3.0) == "3"
