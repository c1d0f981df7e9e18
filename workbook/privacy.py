"""Personal data stays in the workbook: the one rule that hides phone numbers in what we write.

Pure text in, text out (no file, no clock). Every output that may carry text staff typed
passes through `mask_phones`: every cell of a generated sheet, form file or report
workbook (`SheetModel.put`), every finding (`workplan.findings.make`), the .ics file, the
terminal, the log, message boxes. The master's input sheets are never rewritten, so the
real numbers stay where staff typed them (and `read_frames(..., with_phones=True)` still
gets them).

The rule knows every common way of writing a mainland number:

- mobile: 11 digits 1[3-9]…, with a space, a hyphen or a full-width separator between any
  digits (138-2320-3533, 138 2320 3533, １３８…), or dotted 3.4.4, after an optional
  country code (+86, 86, 0086, (+86), ＋８６); shown as 138****3533;
- landline: 0 + a 2-3 digit area code (in brackets or followed by a separator), then 7-8
  digits (010-12345678, (0755)12345678, 07551234567, +86 755 12345678); shown with its
  area code kept: 0755-****5678; an extension after it (转801) is kept.

Limits, on purpose: a bare 7-8 digit local number without an area code is not masked (it
cannot be told from an amount or a count), nor is a number inside a longer run of digits or
letters (an 18-digit ID number, a code like X13823203533). Masked text stays masked:
masking is idempotent.
"""

from __future__ import annotations

import re
import unicodedata

_DIGIT = r"[0-9０-９]"
_SEP = r"[ \u3000\-‐‑‒–—―－]?"  # one optional separator between digits (no comma, no dot: amounts and dates)
_COUNTRY = r"(?:[+＋]\s?|00|００)?[8８][6６]\s?[-‐－]?\s?|[(（][+＋]?[8８][6６][)）]\s?"
_MOBILE = (rf"[1１]{_SEP}[3-9３-９](?:{_SEP}{_DIGIT}){{9}}"
           rf"|[1１][3-9３-９]{_DIGIT}[.．]{_DIGIT}{{4}}[.．]{_DIGIT}{{4}}")
_AREA = rf"[0０][1-9１-９]{_DIGIT}{{1,2}}"
_SUBSCRIBER = rf"[1-9１-９](?:{_SEP}{_DIGIT}){{6,7}}"
_LANDLINE = rf"(?:[(（]{_AREA}[)）]\s?|{_AREA}{_SEP}){_SUBSCRIBER}"
_LANDLINE_AFTER_COUNTRY = rf"[(（]?[0０]?[1-9１-９]{_DIGIT}{{1,2}}[)）]?{_SEP}{_SUBSCRIBER}"
PHONE = re.compile(
    r"(?<![0-9０-９A-Za-z])"
    rf"(?:(?:{_COUNTRY})(?:(?P<m1>{_MOBILE})|(?P<l1>{_LANDLINE_AFTER_COUNTRY}))|(?P<m2>{_MOBILE})|(?P<l2>{_LANDLINE}))"
    r"(?![0-9０-９])"
)
_AREA_CODE = re.compile(r"0?(10|2\d|[3-9]\d\d)")
_SHORTEST = 7  # no text shorter than this holds a number the rule masks


def _digits(text: str) -> str:
    return "".join(str(unicodedata.digit(ch)) for ch in text if unicodedata.digit(ch, None) is not None)


def _masked(match: re.Match) -> str:
    mobile = match.group("m1") or match.group("m2")
    if mobile:
        digits = _digits(mobile)
        return f"{digits[:3]}****{digits[-4:]}"
    digits = _digits(match.group("l1") or match.group("l2"))
    area = _AREA_CODE.match(digits)
    head = "0" + area.group(1) if area else digits[:4]
    return f"{head}-****{digits[-4:]}"


def mask_phones(text: str) -> str:
    """`text` with every mainland mobile or landline number masked: 138****3533, 0755-****5678."""
    if not text or len(text) < _SHORTEST:
        return text
    return PHONE.sub(_masked, text)
