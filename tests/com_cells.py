"""The COM stand-in's recording base, and what it reads from a file's sheets and answers about cells.

`Obj` records every property get, set and method call (tests/com_standin.py builds Excel's
objects on it). Besides: Excel's error values as COM gives them (error numbers), merged ranges
(`Range.MergeCells`, `MergeArea`, and `Find` with a search format on merged cells,
`Application.FindFormat`), form buttons' macros. Tests only.
"""

from __future__ import annotations

import re
import zipfile

from com_text import address_of, cell_position, parse_address

# Range.Value through COM gives Excel's error code (xlErrNA = 2042 …) as the HRESULT 0x800A0000 + code,
# a signed 32-bit number: code - 2146828288 (#N/A is -2146826246).
ERROR_CODES = {"#NULL!": 2000, "#DIV/0!": 2007, "#VALUE!": 2015, "#REF!": 2023, "#NAME?": 2029, "#NUM!": 2036,
               "#N/A": 2042}
COM_ERROR_BASE = -2146828288


class ComError(Exception):
    """Stands in for pywintypes.com_error."""


class Obj:
    """Base: properties in PROPS are recorded on get/set, METHODS on call."""

    PROPS: tuple[str, ...] = ()
    METHODS: tuple[str, ...] = ()

    def __init__(self, xl, path: str):  # xl: com_standin.Excel, the recorder
        object.__setattr__(self, "_xl", xl)
        object.__setattr__(self, "path", path)

    def __getattribute__(self, item):
        cls = type(self)
        if item in cls.PROPS:
            object.__getattribute__(self, "_xl").record("get", self, item)
            return getattr(self, "_get_" + item)()
        if item in cls.METHODS:
            method = getattr(self, "_do_" + item)

            def call(*args, **kwargs):
                object.__getattribute__(self, "_xl").record("call", self, item, args + tuple(sorted(kwargs.items())))
                return method(*args, **kwargs)

            return call
        return object.__getattribute__(self, item)

    def __setattr__(self, key, value):
        if key in type(self).PROPS:
            self._xl.record("set", self, key, (value,))
            getattr(self, "_set_" + key)(value)
        else:
            object.__setattr__(self, key, value)


class CellFormat(Obj):
    """Application.FindFormat: what Find looks for when SearchFormat is True (MergeCells only)."""

    PROPS = ("MergeCells",)
    METHODS = ("Clear",)

    def __init__(self, xl):
        super().__init__(xl, "App.FindFormat")
        object.__setattr__(self, "merge_cells", None)

    def _get_MergeCells(self):
        return self.merge_cells

    def _set_MergeCells(self, value):
        object.__setattr__(self, "merge_cells", value)

    def _do_Clear(self):
        object.__setattr__(self, "merge_cells", None)


def error_cells(xml: str) -> dict[tuple[int, int], int]:
    """The sheet's error-value cells (t="e") as Excel's COM gives them: error numbers."""
    found = {}
    for ref, attrs, body in re.findall(r'<c r="([A-Z]+\d+)"([^>]*?)>(.*?)</c>', xml):
        value = re.search(r"<v>([^<]*)</v>", body)
        if 't="e"' in attrs and value and value.group(1) in ERROR_CODES:
            found[cell_position(ref)] = ERROR_CODES[value.group(1)] + COM_ERROR_BASE
    return found


def merged_ranges(xml: str) -> list[tuple[int, int, int, int]]:
    """The sheet's merged ranges, 1-based (first row, first col, last row, last col)."""
    return [parse_address(ref) for ref in re.findall(r'<mergeCell ref="([A-Z0-9:]+)"', xml)]


def vml_macros(zf: zipfile.ZipFile, part: str) -> list[str]:
    """The macros of a sheet's form buttons, from its VML drawing."""
    rels = part.replace("worksheets/", "worksheets/_rels/") + ".rels"
    if rels not in zf.namelist():
        return []
    from workbook.ooxml import resolve

    found = []
    for target in re.findall(r'Target="([^"]+\.vml)"', zf.read(rels).decode()):
        if resolve(part, target) not in zf.namelist():
            continue
        vml = zf.read(resolve(part, target)).decode("utf-8", "replace")
        found += re.findall(r"<x:FmlaMacro>([^<]*)</x:FmlaMacro>", vml)
    return found


class MergedCells:
    """Range's answers about merged cells (mixed into the stand-in's Range; `sheet.merges` are 1-based)."""

    def _get_MergeCells(self):
        """True when every cell is in a merged range, False when none is, None (COM's Null) otherwise."""
        r1, c1, r2, c2 = self.bounds()
        merged = sum(max(0, min(r2, m[2]) - max(r1, m[0]) + 1) * max(0, min(c2, m[3]) - max(c1, m[1]) + 1)
                     for m in self.sheet.merges)
        return False if merged == 0 else True if merged == (r2 - r1 + 1) * (c2 - c1 + 1) else None

    def _get_MergeArea(self):
        """The merged range holding this range's first cell, else the range itself."""
        r1, c1 = self.bounds()[:2]
        area = next((m for m in self.sheet.merges if m[0] <= r1 <= m[2] and m[1] <= c1 <= m[3]), None)
        return type(self)(self._xl, self.sheet, address_of(*area)) if area else self

    def _do_Merge(self, Across=False):  # noqa: N803 - COM's argument name
        """Merge the range (Excel, with alerts off, keeps the top-left value only)."""
        r1, c1, r2, c2 = self.bounds()
        for position in [(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)][1:]:
            self.sheet.cells.pop(position, None)
            self.sheet.formulas.pop(position, None)
        self.sheet.merges.append((r1, c1, r2, c2))
        self.sheet.book.changed()

    def find_merged(self, after):
        """Find with SearchFormat and FindFormat.MergeCells: the next merged cell after `after` by rows,
        wrapping round (the range's first cell is looked at last, as Excel's Find does). Stops on each
        range's top-left cell, or on every merged cell with the Excel's `find_each_merged_cell`."""
        if self._xl.app.find_format.merge_cells is not True:
            raise NotImplementedError("the stand-in's Find searches formats for merged cells only")
        r1, c1, r2, c2 = self.bounds()
        merges = self.sheet.merges
        if self._xl.find_each_merged_cell:
            hits = sorted({(r, c) for m in merges for r in range(m[0], m[2] + 1) for c in range(m[1], m[3] + 1)})
        else:
            hits = sorted((m[0], m[1]) for m in merges)
        hits = [(r, c) for r, c in hits if r1 <= r <= r2 and c1 <= c <= c2]
        start = after.bounds()[:2] if after is not None else (r1, c1)
        found = next((hit for hit in hits if hit > start), hits[0] if hits else None)
        return type(self)(self._xl, self.sheet, address_of(*found, *found)) if found else None
