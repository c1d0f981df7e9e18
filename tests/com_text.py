"""Formula text and cell addresses as Excel writes them, for the COM stand-in (tests/com_standin.py). Test code only."""

from __future__ import annotations

import re

_SHEET_REF = re.compile(r"(?:'((?:[^']|'')+)'|([^\s'!=+\-*/^&,();:<>{}%\"\[\]]+))!")
_PLAIN_NAME = re.compile(r"^[^\W\d][\w.]*$")
_CELL_LIKE = re.compile(r"^([A-Za-z]{1,3}\d+|[Rr]\d*[Cc]\d*)$")


def quote_sheet(name: str) -> str:
    """A sheet name as Excel writes it in a formula: quoted only when it has to be."""
    if _PLAIN_NAME.match(name) and not _CELL_LIKE.match(name):
        return name
    return "'" + name.replace("'", "''") + "'"


def retarget(text: str, old: str, new: str | None) -> str:
    """Formula text with references to sheet `old` renamed to `new` (None: the sheet is gone: #REF!)."""

    def swap(match: re.Match) -> str:
        name = match.group(1).replace("''", "'") if match.group(1) is not None else match.group(2)
        if name.casefold() != old.casefold():
            return match.group(0)
        return "#REF!" if new is None else quote_sheet(new) + "!"

    return _SHEET_REF.sub(swap, text)


def requote(text: str) -> str:
    """A formula as Excel shows it after reading it again: sheet names quoted only where needed."""

    def tidy(match: re.Match) -> str:
        name = match.group(1).replace("''", "'") if match.group(1) is not None else match.group(2)
        return quote_sheet(name) + "!"

    return _SHEET_REF.sub(tidy, text)


def excel_pattern(what: str, whole: bool) -> re.Pattern | None:
    """Excel's Find/Replace pattern: * and ? are wildcards, ~ escapes *, ? and ~. A bare ~ finds nothing."""
    parts, index = [], 0
    while index < len(what):
        char = what[index]
        if char == "~":
            if index + 1 >= len(what) or what[index + 1] not in "*?~":
                return None
            parts.append(re.escape(what[index + 1]))
            index += 2
            continue
        parts.append(".*?" if char == "*" else "." if char == "?" else re.escape(char))
        index += 1
    body = "".join(parts)
    return re.compile(f"^{body}$" if whole else body, re.IGNORECASE | re.S)


def cell_position(ref: str) -> tuple[int, int]:
    match = re.match(r"([A-Z]+)(\d+)", ref)
    col = 0
    for char in match.group(1):
        col = col * 26 + ord(char) - 64
    return int(match.group(2)), col


def unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'").replace("&amp;", "&")


def letter(col: int) -> str:
    text = ""
    while col:
        col, rest = divmod(col - 1, 26)
        text = chr(65 + rest) + text
    return text


def address_of(r1: int, c1: int, r2: int, c2: int) -> str:
    first = f"${letter(c1)}${r1}"
    return first if (r1, c1) == (r2, c2) else f"{first}:${letter(c2)}${r2}"


def parse_address(address: str) -> tuple[int, int, int, int]:
    coords = []
    for part in address.replace("$", "").split(":"):
        coords.append(cell_position(part))
    (r1, c1), (r2, c2) = coords[0], coords[-1]
    return r1, c1, r2, c2
