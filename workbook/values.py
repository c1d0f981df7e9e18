"""Reading what people type: dates, numbers, codes and month ranges in their many forms.

Every parser takes the raw cell value (as python-calamine or openpyxl gives it: str,
float, int, bool, date or datetime) and returns the typed value, `None` for a blank
cell, or raises `ValueError` when the text cannot be read. Callers turn the ValueError
into a finding on that cell; nothing here knows about sheets.

Two kinds of ValueError say more: `OutOfRange` for a value that reads but cannot be meant
(a date before 1900 or after 2100, a number beyond a column's limit), `TimeNotDate` for a
date cell that holds only a time (what Excel shows for 0 or a negative number there).
Numbers are always finite: nan, inf and 1e309 are not numbers here.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from typing import Any

EXCEL_EPOCH = dt.date(1899, 12, 30)
SERIAL_RANGE = (10_000, 80_000)  # 1927-05-18 .. 2119-01-10
FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(2100, 12, 31)  # the dates a workbook of ours can mean


class OutOfRange(ValueError):
    """A value that reads, but lies outside what the workbook can mean (a date in 9999, a score of 1e300)."""


class TimeNotDate(ValueError):
    """A date cell holding only a time of day (0 or a negative number in a date-formatted cell)."""
_SPACES = re.compile(r"\s+")
_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_DASHES = "-—–~～至到"
_CN_MONTHS = {name: number for number, name in enumerate("一 二 三 四 五 六 七 八 九 十 十一 十二".split(), 1)}
_MONTH = r"(\d{1,2}|[一二三四五六七八九十]{1,3})"
_MONTHS_TEXT = re.compile(rf"^{_MONTH}\s*(?:月份?)?\s*(?:[{_DASHES}]\s*{_MONTH}\s*)?(?:月份?)?$")


def _whole(value: Any) -> bool:
    """A float that reads as a whole number as typed (3.0 -> "3"); 1e300 stays "1e+300"."""
    return isinstance(value, float) and value.is_integer() and abs(value) < 1e15


def fold(value: Any) -> str:
    """Text of a value with full-width forms folded (１２ -> 12, ideographic space -> space), trimmed."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    return _SPACES.sub(" ", text).strip()


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip().strip("\u3000"))


def text(value: Any) -> str | None:
    """Free text as typed, trimmed of stray and ideographic spaces at both ends."""
    if is_blank(value):
        return None
    if _whole(value):
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return to_date(value).isoformat()
    return str(value).strip().strip("\u3000").strip()


def code(value: Any) -> str | None:
    """A code such as 党员编号: full-width folded, inner spaces removed, 1001.0 read as "1001"."""
    if is_blank(value):
        return None
    if _whole(value):
        return str(int(value))
    return fold(value).replace(" ", "").upper() or None


def choice(value: Any) -> str | None:
    """A value from a drop-down list: trimmed, inner spaces dropped (男 性 -> 男性)."""
    if is_blank(value):
        return None
    return fold(value).replace(" ", "")


def to_date(value: Any) -> dt.date | None:
    """A date from an Excel date, an Excel serial number, or text like 2023年3月5日."""
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise ValueError("not a date")
    if isinstance(value, (int, float)):
        return _serial_date(float(value))
    return _text_date(fold(value))


def to_day(value: Any) -> dt.date | None:
    """A date for a date column: `to_date`, refused as OutOfRange outside 1900-01-01..2100-12-31.

    A number far outside Excel's serial days (negative, or past the year 2119) is OutOfRange
    too, shown as typed; a bare time is TimeNotDate; a small positive number stays a plain
    ValueError (2023 typed alone is a year, not a date).
    """
    if isinstance(value, dt.time):
        raise TimeNotDate(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and not 0 <= value < SERIAL_RANGE[1]:
        raise OutOfRange(value)
    day = to_date(value)
    if day is not None and not FIRST_DAY <= day <= LAST_DAY:
        raise OutOfRange(value)
    return day


def _serial_date(serial: float) -> dt.date:
    """An Excel serial day number; only 1927..2119 is taken as a date (2023 typed alone is a year)."""
    if not SERIAL_RANGE[0] <= serial < SERIAL_RANGE[1]:
        raise ValueError("serial out of range")
    return EXCEL_EPOCH + dt.timedelta(days=int(serial))


def _text_date(folded: str) -> dt.date:
    match = _DATE_TEXT.match(folded) or _COMPACT_DATE.match(folded.replace(" ", ""))
    if not match:
        if re.fullmatch(r"\d+(\.0+)?", folded):
            return _serial_date(float(folded))
        raise ValueError(f"not a date: {folded}")
    year, month, day = (int(part) for part in match.groups())
    return dt.date(year, month, day)  # raises ValueError for 2023-13-05


def to_number(value: Any) -> float | None:
    """A number from a number cell or text such as ' 3 ', '-2', '１.５'."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise ValueError("not a number")
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        folded = fold(value).replace(" ", "").replace(",", "")
        number = float(folded[1:] if folded.startswith("+") else folded)
    if not math.isfinite(number):
        raise ValueError(f"not a finite number: {value!r}")
    return number


def to_int(value: Any) -> int | None:
    """A whole number; 3.0 and '3' are fine, 3.5 is not."""
    number = to_number(value)
    if number is None:
        return None
    if not number.is_integer():
        raise ValueError(f"not a whole number: {number}")
    return int(number)


def _month_number(token: str) -> int:
    if token.isdigit():
        return int(token)
    if token not in _CN_MONTHS:
        raise ValueError(f"not a month: {token}")
    return _CN_MONTHS[token]


def to_months(value: Any) -> tuple[int, int] | None:
    """A planned month or range: '3月' -> (3, 3); '4—7月', '4-7月', '四至七月份' -> (4, 7)."""
    if is_blank(value):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(int(value)) if _whole(float(value)) else str(value)
    match = _MONTHS_TEXT.match(fold(value).replace(" ", ""))
    if not match:
        raise ValueError(f"not a month: {value}")
    first = _month_number(match.group(1))
    last = _month_number(match.group(2)) if match.group(2) else first
    if not (1 <= first <= last <= 12):
        raise ValueError(f"month out of range: {value}")
    return first, last


def display(value: Any) -> str:
    """How a raw cell value is shown in a message: dates as 2023-03-05, 3.0 as 3."""
    if value is None:
        return ""
    if isinstance(value, (dt.datetime, dt.date)):
        return to_date(value).isoformat()
    if _whole(value):
        return str(int(value))
    return str(value)


def months_text(months: tuple[int, int] | None) -> str:
    """A month range as staff write it: (3, 3) -> 3月, (4, 7) -> 4—7月."""
    if not months:
        return ""
    first, last = months
    return f"{first}月" if first == last else f"{first}—{last}月"
