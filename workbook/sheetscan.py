"""One cheap pass over a worksheet's XML before python-calamine reads it.

python-calamine reads cached values only, and quietly: an Excel error value (`#REF!`) and a
formula saved without its result both come back as an empty string, and it has no formula
API. It also builds a dense grid from the first to the last cell actually present, whatever
`<dimension>` says, so one stray value at XFD1048576 makes it ask for hundreds of gigabytes
and abort the process. This pass, over the decompressed `<sheetData>` in 1 MiB chunks of
whole rows, finds both without parsing the XML:

- the real extent: the last `<row r>` (rows come in order) and any cell reference with a
  column of two or more letters; single-letter columns are bounded by Z, so a sheet whose
  `<dimension>` is missing or contradicted by its rows is taken to be 26 columns wide;
- error values, by looking at each `#` (an error value is the only `<v>#…` a cell can hold);
- formulas without a cached value, by looking at each `f` byte that starts an `<f>` element;
- numbers calamine panics on (a date-styled -1e308: its conversion overflows), by looking at
  each `<v>-`: a value below -1e10 marks the sheet for the streaming reader, whose answer is
  the number itself (the reader also catches the panic, but Rust has printed its English
  message by then, and on Windows that cannot be kept off the console).

The searches are `find`s of one or a few bytes, so a sheet without such cells costs little
more than its decompression (see benchmarks/read_speed.py). Limits: a cell without an `r`
attribute cannot be placed and is not reported; formulas are only found in the cells, not in
data validations or conditional formats (those come after `</sheetData>` and are not read).
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from xml.sax.saxutils import unescape

from .ooxml import column_index
from .raw import CellError, NoCachedValue

CHUNK = 1 << 20
SINGLE_LETTER_COLUMNS = 26
_ROOT = re.compile(rb"<(?:([\w.-]+):)?worksheet[\s>]")
_ROW_NUMBER = re.compile(rb'<(?:[\w.-]+:)?row\b[^>]*?\sr="(\d+)"')
_WIDE = re.compile(rb'r="[A-Z][A-Z]')  # a reference in column AA or beyond
_REF = re.compile(rb'\sr="([A-Z]{1,3})(\d+)"')
_TYPE = re.compile(rb'\st="(\w+)"')
_FORMULA = re.compile(rb"<(?:[\w.-]+:)?f\b[^>]*?(?:/>|>(.*?)</(?:[\w.-]+:)?f>)", re.S)
_VALUE = re.compile(rb"<(?:[\w.-]+:)?v\b[^>]*?(?:/>|>(.*?)</(?:[\w.-]+:)?v>)", re.S)
_ENTITIES = {"&quot;": '"', "&apos;": "'"}
_NUMBER = re.compile(rb"-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
PANIC_BELOW = -1e10  # calamine's date conversion overflows below about -1.07e11 (i64 milliseconds)


@dataclass
class SheetScan:
    """What one pass over a sheet's XML found."""

    last_row: int = 0
    last_col: int = 0  # columns a dense grid from A would need (an upper bound, see the module)
    rowless: bool = False  # rows without numbers: the extent cannot be known
    risky: bool = False  # a number calamine may panic on
    cells: dict[tuple[int, int], object] = field(default_factory=dict)  # (Excel row, 0-based col) -> marker

    @property
    def dense_cells(self) -> int:
        return self.last_row * self.last_col


def scan_sheet(zf: zipfile.ZipFile, part: str, declared: tuple[int, int] | None) -> SheetScan:
    """Scan one sheet part; `declared` is its `<dimension>` as (last row, columns), or None.

    The whole part is scanned (what follows `</sheetData>` holds no `<v>` and no `r="` of a cell,
    and a `<formula1>` is no `<f>`), in blocks cut after the last `</row>`, so no cell is split.
    """
    scan = SheetScan()
    tags: _Tags | None = None
    wide_col = 0
    carry = b""
    with zf.open(part) as stream:
        while True:
            data = stream.read(CHUNK)
            block = carry + data
            if tags is None:
                tags = _Tags.of(block)
            if data:
                cut = block.rfind(tags.row_close)
                if cut < 0:
                    carry = block
                    continue
                cut += len(tags.row_close)
                block, carry = block[:cut], block[cut:]
            _scan_block(block, tags, scan)
            wide_col = max(wide_col, _wide_columns(block))
            if not data:
                break
    trusted = declared is not None and declared[0] >= scan.last_row
    scan.last_col = max(wide_col, declared[1] if trusted else SINGLE_LETTER_COLUMNS)
    return scan


@dataclass(frozen=True)
class _Tags:
    """The byte strings of the tags we look for, in the sheet's namespace prefix."""

    cell_open: bytes
    cell_close: bytes
    row_open: bytes
    row_close: bytes
    value_open: bytes
    lt_f: bytes  # what precedes the "f" of a formula element

    @classmethod
    def of(cls, head: bytes) -> "_Tags":
        match = _ROOT.search(head[:4096])
        prefix = (match.group(1) + b":") if match and match.group(1) else b""
        return cls(b"<" + prefix + b"c ", b"</" + prefix + b"c>", b"<" + prefix + b"row", b"</" + prefix + b"row>",
                   b"<" + prefix + b"v>", b"<" + prefix)


def _scan_block(block: bytes, tags: _Tags, scan: SheetScan) -> None:
    """Rows, error values and formulas without a cached value in a block of whole rows."""
    last = block.rfind(tags.row_open)
    if last >= 0:
        number = _ROW_NUMBER.match(block, last)
        if number:
            scan.last_row = max(scan.last_row, int(number.group(1)))
        elif block[last + len(tags.row_open): last + len(tags.row_open) + 1] in (b" ", b">", b"/"):
            scan.rowless = True
    _error_values(block, tags, scan)
    _uncached_formulas(block, tags, scan)
    scan.risky = scan.risky or _huge_negative(block, tags)


def _wide_columns(block: bytes) -> int:
    """Columns needed by the references of two or more letters in the block (0 when none)."""
    if not _WIDE.search(block):
        return 0
    return max(column_index(m.group(1).decode()) + 1 for m in _REF.finditer(block))


def _huge_negative(block: bytes, tags: _Tags) -> bool:
    """A cell value below PANIC_BELOW: each "-" right after a `<v>` is looked at (memchr finds them)."""
    opening = tags.value_open
    pos = block.find(b"-")
    while pos >= 0:
        if block[pos - len(opening): pos] == opening:
            number = _NUMBER.match(block, pos)
            if number and float(number.group(0)) < PANIC_BELOW:
                return True
        pos = block.find(b"-", pos + 1)
    return False


def _error_values(block: bytes, tags: _Tags, scan: SheetScan) -> None:
    pos = block.find(b"#")
    while pos >= 0:
        if block[pos - len(tags.value_open): pos] == tags.value_open:
            head = _cell_head(block, tags, pos)
            kind = _TYPE.search(head)
            if kind and kind.group(1) == b"e":
                text = block[pos: block.find(b"<", pos)].decode("utf-8", "replace")
                _put(scan, head, CellError(unescape(text, _ENTITIES)))
        pos = block.find(b"#", pos + 1)


def _uncached_formulas(block: bytes, tags: _Tags, scan: SheetScan) -> None:
    pos = block.find(b"f")
    while pos >= 0:
        if block[pos - len(tags.lt_f): pos] == tags.lt_f and block[pos + 1: pos + 2] in (b">", b" ", b"/"):
            end = block.find(tags.cell_close, pos)
            if end < 0:
                return
            _formula_cell(block, tags, scan, pos, end)
            pos = end
        pos = block.find(b"f", pos + 1)


def _formula_cell(block: bytes, tags: _Tags, scan: SheetScan, pos: int, end: int) -> None:
    """Record the formula cell around `pos` when it has no cached value (a cached one is the common case)."""
    value_at = block.find(tags.value_open, pos, end)
    if value_at >= 0 and block[value_at + len(tags.value_open): value_at + len(tags.value_open) + 1] != b"<":
        return  # <v>something</v>: calamine reads the cached value
    head = _cell_head(block, tags, pos)
    body = block[pos - len(tags.lt_f): end]
    value = _VALUE.search(body)
    kind = _TYPE.search(head)
    kind = kind.group(1) if kind else b"n"
    if value is not None and (value.group(1) or kind in (b"str", b"inlineStr")):
        return  # a cached value (possibly an empty string result)
    formula = _FORMULA.match(body)
    text = (formula.group(1) or b"") if formula else b""
    _put(scan, head, NoCachedValue(unescape(text.decode("utf-8", "replace"), _ENTITIES)))


def _cell_head(block: bytes, tags: _Tags, pos: int) -> bytes:
    """The start tag of the cell holding position `pos`."""
    start = block.rfind(tags.cell_open, 0, pos)
    if start < 0:
        return b""
    close = block.find(b">", start)
    return block[start: close if close >= 0 else pos]


def _put(scan: SheetScan, head: bytes, marker: object) -> None:
    ref = _REF.search(head)
    if ref:
        scan.cells[(int(ref.group(2)), column_index(ref.group(1).decode()))] = marker
