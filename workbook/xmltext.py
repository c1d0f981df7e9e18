"""Small helpers for editing OOXML parts as text, never re-serialising them.

The writer (`workbook.package`, `workbook.styles`) and the row appender (`workbook.append`)
change a part by inserting before a closing tag and updating a count, so that everything
around the edit stays byte for byte. These helpers find start tags, attributes, elements and
namespace prefixes in such text. They are regular expressions over well-formed XML as Excel,
WPS, LibreOffice and xlsxwriter write it; they do not handle CDATA or comments that contain
tags (no workbook part we edit has them).
"""

from __future__ import annotations

import re
from typing import Iterable
from xml.sax.saxutils import escape, unescape

_ATTR = re.compile(r"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_OPEN_TAG = re.compile(r"<(/?)(?![\w.-]+:)([A-Za-z_][\w.-]*)(?=[\s/>])")


def attrs(tag_text: str) -> dict[str, str]:
    """Attributes of one start tag, unescaped (prefixes kept as written)."""
    return {m.group(1): unescape(m.group(2) if m.group(2) is not None else m.group(3), {"&quot;": '"', "&apos;": "'"})
            for m in _ATTR.finditer(tag_text)}


def quote(value: str) -> str:
    """An attribute value escaped for double quotes."""
    return escape(value, {'"': "&quot;"})


def root_prefix(text: str, local: str) -> str:
    """The namespace prefix of the root element `local` ("" for the default namespace)."""
    match = re.search(rf"<(?:([\w.-]+):)?{local}[\s>/]", text)
    return match.group(1) or "" if match else ""


def with_prefix(fragment: str, prefix: str) -> str:
    """Put unprefixed elements of an xlsxwriter fragment in the master's main prefix."""
    if not prefix:
        return fragment
    return _OPEN_TAG.sub(lambda m: f"<{m.group(1)}{prefix}:{m.group(2)}", fragment)


def root_start(text: str) -> str:
    """The start tag of the root element (after any declaration, comments or PIs)."""
    match = re.search(r"<(?![?!])[^>]*>", text)
    return match.group(0) if match else ""


def ns_prefix(text: str, namespace: str) -> str | None:
    """The prefix the root element binds to `namespace` ("" = default), or None."""
    for match in re.finditer(r'xmlns(?::([\w.-]+))?\s*=\s*"([^"]*)"', root_start(text)):
        if match.group(2) == namespace:
            return match.group(1) or ""
    return None


def tag(prefix: str, local: str) -> str:
    return f"{prefix}:{local}" if prefix else local


def elements(text: str, qname: str) -> Iterable[re.Match]:
    """Every element `qname` (self-closing or with content) of a text, in order."""
    pattern = rf"<{re.escape(qname)}\b([^>]*?)(?:/>|>(.*?)</{re.escape(qname)}\s*>)"
    return re.finditer(pattern, text, re.S)


def append_in(text: str, qname: str, body: str, count: int | None = None) -> str | None:
    """Insert `body` before the closing tag of the first element `qname`; None if absent.

    A self-closing element is opened up; a `count` attribute is set to `count` when given.
    """
    match = re.search(rf"<{re.escape(qname)}\b([^>]*?)(/?)>", text)
    if match is None:
        return None
    attrs = match.group(1)
    if count is not None and re.search(r'\scount="\d*"', attrs):
        attrs = re.sub(r'(\scount=")\d*(")', rf"\g<1>{count}\2", attrs)
    opening = f"<{qname}{attrs}>"
    if match.group(2):
        return text[: match.start()] + opening + body + f"</{qname}>" + text[match.end():]
    close = text.index(f"</{qname}>", match.end())
    return text[: match.start()] + opening + text[match.end(): close] + body + text[close:]


def insert_before_first(text: str, prefix: str, followers: Iterable[str], root: str, fragment: str) -> str:
    """Insert `fragment` before the first of `followers` present, else before the root's end."""
    positions = [m.start() for local in followers
                 if (m := re.search(rf"<{re.escape(tag(prefix, local))}[\s/>]", text))]
    where = min(positions) if positions else text.rindex(f"</{tag(prefix, root)}>")
    return text[:where] + fragment + text[where:]


def decode(data: bytes) -> tuple[str, bool]:
    """XML bytes as text, and whether they started with a UTF-8 byte order mark."""
    bom = data.startswith(b"\xef\xbb\xbf")
    return data.decode("utf-8-sig"), bom


def encode(text: str, bom: bool) -> bytes:
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


def ensure_full_calc(workbook_text: str, prefix: str, followers: Iterable[str]) -> str:
    """workbook.xml asking the opening application to recalculate every formula (`fullCalcOnLoad="1"`).

    The first `calcPr` gets the attribute (replacing a "0" or "false"), every other attribute
    kept; a workbook without one gets `<calcPr fullCalcOnLoad="1"/>` before the first of
    `followers` present (the elements CT_Workbook puts after calcPr), else before its end.
    Idempotent. Excel honours the flag; LibreOffice decides by its own setting.
    """
    qname = tag(prefix, "calcPr")
    match = re.search(rf"<{re.escape(qname)}\b([^>]*?)(/?)>", workbook_text)
    if match is None:
        return insert_before_first(workbook_text, prefix, followers, "workbook", f'<{qname} fullCalcOnLoad="1"/>')
    attributes = match.group(1)
    if re.search(r"""\sfullCalcOnLoad\s*=\s*["'](?:1|true)["']""", attributes):
        return workbook_text
    attributes = re.sub(r"""\sfullCalcOnLoad\s*=\s*(?:"[^"]*"|'[^']*')""", "", attributes) + ' fullCalcOnLoad="1"'
    return workbook_text[: match.start()] + f"<{qname}{attributes}{match.group(2)}>" + workbook_text[match.end():]
