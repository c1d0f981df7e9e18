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
EPOCH_1904 = dt.date(1904, 1, 1)  # Mac Excel's 1904 date system: serial 0 is 1904-01-01
DAYS_1904 = (EPOCH_1904 - EXCEL_EPOCH).days  # 1462: a 1904 serial plus this is the 1900 serial
SERIAL_RANGE = (10_000, 80_000)  # 1927-05-18 .. 2119-01-10
FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(2100, 12, 31)  # the dates a workbook of ours can mean


class OutOfRange(ValueError):
    """A value that reads, but lies outside what the workbook can mean (a date in 9999, a score of 1e300)."""


class TimeNotDate(ValueError):
    """A date cell holding only a time of day (0 or a negative number in a date-formatted cell)."""


# Characters that show nothing (zero-width spaces, byte order marks, direction marks, soft
# hyphens, control characters), stripped from codes and names. Tabs and line breaks are
# spaces, not invisible: `fold` turns them into one space.
_INVISIBLE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u00ad\u180e\u200b-\u200f\u202a-\u202e"
                        "\u2060-\u2064\u2066-\u206f\ufeff]")
_INVISIBLE_NAMES = {
    "\u200b": "零宽空格", "\u200c": "零宽不连字", "\u200d": "零宽连字", "\u2060": "零宽不换行",
    "\ufeff": "字节顺序标记（BOM）", "\u00ad": "软连字符", "\u200e": "方向标记", "\u200f": "方向标记",
}
_SPACES = re.compile(r"\s+")
_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_DASHES = "-—–~～至到"
_CN_MONTHS = {name: number for number, name in enumerate("一 二 三 四 五 六 七 八 九 十 十一 十二".split(), 1)}
_MONTH = r"(\d{1,2}|[一二三四五六七八九十]{1,3})"
_YEAR = r"(?:(\d{4})年)?"
_MONTHS_TEXT = re.compile(rf"^{_YEAR}{_MONTH}(?:月份?)?(?:[{_DASHES}]{_YEAR}{_MONTH})?(?:月份?)?$")


def _whole(value: Any) -> bool:
    """A float that reads as a whole number as typed (3.0 -> "3"); 1e300 stays "1e+300"."""
    return isinstance(value, float) and value.is_integer() and abs(value) < 1e15


def fold(value: Any, invisible: bool = False) -> str:
    """Text of a value with full-width forms folded (１２ -> 12, ideographic space -> space), trimmed.

    With `invisible`, characters that show nothing (U+200B, U+FEFF, control characters) are removed first.
    """
    if value is None:
        return ""
    text = str(value)
    if invisible:
        text = _INVISIBLE.sub("", text)
    text = unicodedata.normalize("NFKC", text)
    return _SPACES.sub(" ", text).strip()


def invisible(value: Any) -> str:
    """The invisible characters of a text, named for a message ("零宽空格 U+200B"); '' when there are none."""
    if not isinstance(value, str):
        return ""
    found = dict.fromkeys(_INVISIBLE.findall(value))
    return "、".join(f"{_INVISIBLE_NAMES.get(ch, '控制字符' if ord(ch) < 0xA0 else '看不见的字符')} U+{ord(ch):04X}"
                    for ch in found)


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


def name(value: Any) -> str | None:
    """A name (姓名, 党小组, 评议人 …): free text without the invisible characters pasted along with it."""
    if isinstance(value, str) and _INVISIBLE.search(value):
        value = _INVISIBLE.sub("", value)
    return text(value)


def code(value: Any) -> str | None:
    """A code such as 党员编号: full-width folded, invisible characters and inner spaces removed, 1001.0 read as "1001"."""
    if is_blank(value):
        return None
    if _whole(value):
        return str(int(value))
    return fold(value, invisible=True).replace(" ", "").upper() or None


def choice(value: Any) -> str | None:
    """A value from a drop-down list: trimmed, invisible characters and inner spaces dropped (男 性 -> 男性)."""
    if is_blank(value):
        return None
    return fold(value, invisible=True).replace(" ", "") or None


def to_date(value: Any, date1904: bool = False) -> dt.date | None:
    """A date from an Excel date, an Excel serial number, or text like 2023年3月5日.

    A serial number counts from 1904-01-01 when the workbook uses the 1904 date system.
    """
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise ValueError("not a date")
    if isinstance(value, (int, float)):
        return _serial_date(float(value), date1904)
    return _text_date(fold(value), date1904)


def to_day(value: Any, date1904: bool = False) -> dt.date | None:
    """A date for a date column: `to_date`, refused as OutOfRange outside 1900-01-01..2100-12-31.

    A number far outside Excel's serial days (negative, or past the year 2119) is OutOfRange
    too, shown as typed; a bare time is TimeNotDate; a small positive number stays a plain
    ValueError (2023 typed alone is a year, not a date).
    """
    if isinstance(value, dt.time):
        raise TimeNotDate(value)
    offset = DAYS_1904 if date1904 else 0
    if isinstance(value, (int, float)) and not isinstance(value, bool) and not 0 <= value + offset < SERIAL_RANGE[1]:
        raise OutOfRange(value)
    day = to_date(value, date1904)
    if day is not None and not FIRST_DAY <= day <= LAST_DAY:
        raise OutOfRange(value)
    return day


def to_day_1904(value: Any) -> dt.date | None:
    """`to_day` in a workbook that uses the 1904 date system (serials count from 1904-01-01)."""
    return to_day(value, date1904=True)


def to_date_1904(value: Any) -> dt.date | None:
    """`to_date` in a workbook that uses the 1904 date system."""
    return to_date(value, date1904=True)


def _serial_date(serial: float, date1904: bool = False) -> dt.date:
    """An Excel serial day number; only 1927..2119 is taken as a date (2023 typed alone is a year)."""
    if date1904:
        serial += DAYS_1904
    if not SERIAL_RANGE[0] <= serial < SERIAL_RANGE[1]:
        raise ValueError("serial out of range")
    return EXCEL_EPOCH + dt.timedelta(days=int(serial))


def _text_date(folded: str, date1904: bool = False) -> dt.date:
    match = _DATE_TEXT.match(folded) or _COMPACT_DATE.match(folded.replace(" ", ""))
    if not match:
        if re.fullmatch(r"\d+(\.0+)?", folded):
            return _serial_date(float(folded), date1904)
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


class Months(tuple):
    """A planned (first, last) month; equal to the plain tuple (4, 7).

    `year` and `last_year` are set when staff named them (`2026年4月—7月`) or Excel made the
    text a date (typing `2026年4月` stores 2026-04-01); `day` is that date's day, so a check
    can notice `4-7` turned into 4月7日 by Excel.
    """

    def __new__(cls, first: int, last: int, year: int | None = None, last_year: int | None = None, day: int | None = None):
        months = super().__new__(cls, (first, last))
        months.year, months.last_year, months.day = year, last_year, day
        return months

    def __getnewargs__(self):
        return (self[0], self[1], self.year, self.last_year, self.day)


def to_months(value: Any) -> Months | None:
    """A planned month or range: '3月' -> (3, 3); '4—7月', '4-7月', '四至七月份', '2026年4月—7月' -> (4, 7).

    A date (an Excel date cell) is its month. A range may run over the new year (11—1月) for a
    school year; whether it fits the year is the check's business.
    """
    if is_blank(value):
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        return Months(value.month, value.month, value.year, value.year, value.day)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(int(value)) if _whole(float(value)) else str(value)
    match = _MONTHS_TEXT.match(fold(value).replace(" ", ""))
    if not match:
        raise ValueError(f"not a month: {value}")
    year, first_text, last_year, last_text = match.groups()
    first = _month_number(first_text)
    last = _month_number(last_text) if last_text else first
    if not (1 <= first <= 12 and 1 <= last <= 12):
        raise ValueError(f"month out of range: {value}")
    first_year = int(year) if year else None
    return Months(first, last, first_year, int(last_year) if last_year else first_year)


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
    """A month range as staff write it: (3, 3) -> 3月, (4, 7) -> 4—7月; with the year when staff named it."""
    if not months:
        return ""
    first, last = months
    year = getattr(months, "year", None)
    last_year = getattr(months, "last_year", None)
    if year and last_year and last_year != year:
        return f"{year}年{first}月—{last_year}年{last}月"
    text = f"{first}月" if first == last else f"{first}—{last}月"
    return f"{year}年{text}" if year else text
