"""A recording stand-in for Excel's COM object model (what `book.api` is on Windows). Tests and benchmarks only.

Every property get, property set and method call on a stand-in object is one "Excel call"
(one IDispatch::Invoke through pywin32) and is appended to `Excel.log` as
(kind, object path, member, args). Collections are callable like COM's default member:
`wb.Sheets("x")` is two calls (property get `Sheets`, then `Item`); each step of a `for`
over a collection is one call (`Next`).

What it imitates of Excel, because the button path depends on it:
- `Copy` of one sheet or a group (`Sheets(("a", "b"))`) into another book: the copies land
  together before/after the target, named "X (2)" on a clash, the first copy active; their
  sheet-local names come along; a form button keeps its macro but qualified by the source
  book (`'src.xlsx'!Macro`, switch `qualify_macros`), which makes the source a link source;
- `Move` of one sheet or a group to another book: the same sheets leave their book (which must
  keep one) and land as a copy would; what pointed at them now points into the other book;
- `ChangeLink`: every reference to the linked book (button macros, formulas) names the new one;
  to the workbook itself they become its own (switch `change_link_to_itself`; Excel documents
  ChangeLink, not this case, so tests run both ways);
- renaming a sheet rewrites every formula, defined name and chart series of the book that
  pointed at it (`=个人积分!D5` -> `='旧~个人积分'!D5`); deleting it turns them into `#REF!`
  (`=#REF!D5`), for good;
- `Range.Replace` with Excel's wildcards (`*`, `?`, `~` escaping them and itself) over
  formulas and text, refused on a protected sheet; a formula changed by it is read again,
  so its sheet names are quoted only where Excel needs quotes;
- `Worksheet.Evaluate` of `IFERROR(SHEET("name"),0)` joined with "," and `SHEETS()` (at most
  255 characters), `Application.Goto` of an external R1C1 reference, workbook structure
  protection, `Saved` (False after any change the stand-in makes, as in Excel), `LinkSources`;
- what the reader asks of a sheet (tests/com_cells.py): Excel's error values as COM error
  numbers, a merged range's value in its top-left cell only, `Range.MergeCells` (True, False,
  or None for Null when only some cells are merged), `MergeArea`, and `Find` with
  `SearchFormat` on `Application.FindFormat.MergeCells`, stopping on each merged range's
  top-left cell once (switch `find_each_merged_cell`: on every cell, the other way an Excel
  might behave), wrapping round like Excel's Find.
Not imitated: recalculation (only `=NA()` gives #N/A), styles, charts' drawing. `fail_on`
makes the n-th call of a member raise, to test the clean-up.
"""

from __future__ import annotations

import itertools
import re
import zipfile
from pathlib import Path

from com_cells import COM_ERROR_BASE, ERROR_CODES, CellFormat, ComError, MergedCells, Obj, error_cells, merged_ranges, vml_macros
from com_names import Names
from com_text import address_of, cell_position, excel_pattern, letter, parse_address, quote_sheet, requote, retarget, unescape

XL_MANUAL, XL_AUTOMATIC = -4135, -4105
XL_R1C1 = -4150
XL_FORMULAS = -4123
MAX_VALUE_CELLS = 5_000_000  # a bigger Range.Value fails, as Excel runs out of memory


class Excel:
    """The recorder and the one application."""

    def __init__(self):
        self.log: list[tuple] = []
        self.fail_on: tuple[str, str, int] | None = None  # (member, kind, n-th occurrence) that raises once
        self.books: list[Book] = []
        self.qualify_macros = True
        self.change_link_to_itself = True
        self.find_each_merged_cell = False
        self.app = App(self)

    def record(self, kind: str, owner: "Obj", member: str, args: tuple = ()) -> None:
        self.log.append((kind, owner.path, member, args))
        if self.fail_on and self.fail_on[:2] == (member, kind):
            member_, kind_, nth = self.fail_on
            if nth <= 1:
                self.fail_on = None
                raise ComError(f"stand-in failure on {kind} {member}")
            self.fail_on = (member_, kind_, nth - 1)

    def calls(self) -> int:
        return len(self.log)

    def members(self, *names: str) -> list[int]:
        """Positions in the log of the calls of these members."""
        return [i for i, (_, _, member, _) in enumerate(self.log) if member in names]


# --- application -------------------------------------------------------------------------------------

class App(Obj):
    PROPS = ("DisplayAlerts", "ScreenUpdating", "Calculation", "EnableEvents", "Workbooks",
             "ActiveSheet", "ActiveCell", "ActiveWorkbook", "Hwnd", "Name", "Version", "FindFormat")
    METHODS = ("Run", "Goto")

    def __init__(self, xl):
        super().__init__(xl, "App")
        object.__setattr__(self, "state", {"DisplayAlerts": True, "ScreenUpdating": True,
                                           "Calculation": XL_AUTOMATIC, "EnableEvents": True})
        object.__setattr__(self, "active", None)  # (book, sheet, "$C$5")
        object.__setattr__(self, "find_format", CellFormat(xl))

    def __getattr__(self, item):  # _get_/_set_ of the state flags
        if item.startswith("_get_") and item[5:] in self.state:
            return lambda: self.state[item[5:]]
        if item.startswith("_set_") and item[5:] in self.state:
            return lambda v: self.state.__setitem__(item[5:], v)
        raise AttributeError(item)

    def _get_Workbooks(self):
        return Workbooks(self._xl)

    def _get_ActiveWorkbook(self):
        return self.active[0]

    def _get_ActiveSheet(self):
        return self.active[1]

    def _get_ActiveCell(self):
        book, sheet, address = self.active
        return Range(self._xl, sheet, address.split(":")[0])

    def _get_Hwnd(self):
        return 4242

    def _get_Name(self):
        return "Microsoft Excel"

    def _get_Version(self):
        return "16.0"

    def _get_FindFormat(self):
        return self.find_format

    def _do_Run(self, macro, *args):
        return None

    def _do_Goto(self, reference):
        """Only the string form of an external R1C1 reference: [book]sheet!R5C3, quoted or not."""
        match = re.match(r"^(?:'\[(.+?)\](.+)'|\[(.+?)\]([^!]+))!R(\d+)C(\d+)$", reference)
        if not match:
            raise ComError(f"Goto: reference {reference!r} not understood")
        book_name = match.group(1) or match.group(3)
        sheet_name = (match.group(2) or match.group(4)).replace("''", "'")
        book = next(b for b in self._xl.books if b.name == book_name)
        sheet = next(s for s in book.sheets if s.name == sheet_name)
        self.active = (book, sheet, f"${letter(int(match.group(6)))}${match.group(5)}")


class Workbooks(Obj):
    PROPS = ("Count",)
    METHODS = ("Open",)

    def _get_Count(self):
        return len(self._xl.books)

    def __init__(self, xl):
        super().__init__(xl, "App.Workbooks")

    def _do_Open(self, path, *args, **kwargs):
        """Open a workbook file (its sheets, values, formulas, names and buttons)."""
        book = Book.from_file(self._xl, Path(path))
        self._xl.app.active = (book, book.sheets[0], "$A$1")
        return book


# --- workbook ----------------------------------------------------------------------------------------

class Book(Obj):
    PROPS = ("Name", "FullName", "Worksheets", "Sheets", "Application", "Names", "Saved", "ProtectStructure")
    METHODS = ("Close", "LinkSources", "BreakLink", "ChangeLink", "Windows", "Activate", "Save")

    def __init__(self, xl, name: str, fullname: str):
        super().__init__(xl, f"Book[{name}]")
        for key, value in {"name": name, "fullname": fullname, "sheets": [], "names": {}, "links": [],
                           "closed": False, "window_visible": True, "saved": True, "protect_structure": False}.items():
            object.__setattr__(self, key, value)
        xl.books.append(self)

    @classmethod
    def from_file(cls, xl: Excel, path: Path) -> "Book":
        import python_calamine

        from workbook.ooxml import sheet_entries

        book = cls(xl, path.name, str(path))
        calamine = python_calamine.CalamineWorkbook.from_path(str(path))
        with zipfile.ZipFile(path) as zf:
            entries = sheet_entries(zf)
            workbook_xml = zf.read("xl/workbook.xml").decode("utf-8")
            for entry in entries:
                rows = calamine.get_sheet_by_name(entry.name).to_python(skip_empty_area=False)
                sheet = Sheet(xl, book, entry.name, {(r + 1, c + 1): v for r, row in enumerate(rows)
                                                     for c, v in enumerate(row) if v != ""})
                xml = zf.read(entry.part).decode("utf-8")
                sheet.cells.update(error_cells(xml))
                sheet.merges = merged_ranges(xml)
                sheet.formulas = {cell_position(ref): "=" + unescape(text)
                                  for ref, text in re.findall(r'<c r="([A-Z]+\d+)"[^>]*>\s*<f>([^<]*)</f>', xml)}
                sheet.buttons = [{"macro": macro.replace("[0]!", "")} for macro in vml_macros(zf, entry.part)]
                book.sheets.append(sheet)
        calamine.close()
        for attrs, text in re.findall(r"<definedName ([^>]*)>([^<]*)</definedName>", workbook_xml):
            name = re.search(r'name="([^"]+)"', attrs).group(1)
            local = re.search(r'localSheetId="(\d+)"', attrs)
            target = book.sheets[int(local.group(1))].names if local else book.names
            target[name] = "=" + unescape(text)
        return book

    def _get_Name(self):
        return self.name

    def _get_FullName(self):
        return self.fullname

    def _get_Worksheets(self):
        return Sheets(self._xl, self)

    def _get_Sheets(self):
        return Sheets(self._xl, self)

    def _get_Application(self):
        return self._xl.app

    def _get_Names(self):
        return Names(self._xl, self)

    def _get_Saved(self):
        return self.saved

    def _set_Saved(self, value):
        object.__setattr__(self, "saved", value)

    def _get_ProtectStructure(self):
        return self.protect_structure

    def _do_Close(self, SaveChanges=False):
        object.__setattr__(self, "closed", True)
        self._xl.books.remove(self)

    def _do_Save(self):
        object.__setattr__(self, "saved", True)

    def _do_LinkSources(self, kind=1):
        return tuple(self.links) or None

    def _do_BreakLink(self, Name, Type=1):
        self.links.remove(Name)

    def _do_ChangeLink(self, Name, NewName, Type=1):  # noqa: N803 - COM's argument names
        """Every reference to the linked book (button macros, formulas) names the new one instead; to the
        book itself (switch `change_link_to_itself`, else refused) they become the book's own, unqualified."""
        if Name not in self.links:
            raise ComError(f"no link {Name!r}")
        itself = NewName == self.fullname
        if itself and not self._xl.change_link_to_itself:
            raise ComError("ChangeLink: a workbook cannot link to itself")
        old, new = Path(Name).name, Path(NewName).name
        for sheet in self.sheets:
            for button in sheet.buttons:
                if button["macro"].startswith(f"'{old}'!"):
                    sub = button["macro"].split("!")[-1]
                    button["macro"] = sub if itself else f"'{new}'!{sub}"
            sheet.formulas = {pos: requote(text.replace(f"[{old}]", "" if itself else f"[{new}]"))
                              for pos, text in sheet.formulas.items()}
        self.links.remove(Name)
        if not itself and NewName not in self.links:
            self.links.append(NewName)

    def _do_Windows(self, index):
        return Window(self._xl, self)

    def _do_Activate(self):
        self._xl.app.active = (self, self.sheets[0], "$A$1")

    # what Excel does to the whole book when a sheet changes name or goes away
    def changed(self) -> None:
        object.__setattr__(self, "saved", False)

    def structure_changes(self) -> None:
        if self.protect_structure:
            raise ComError("the workbook's structure is protected")
        self.changed()

    def sheet_renamed(self, old: str, new: str | None) -> None:
        for sheet in self.sheets:
            sheet.formulas = {pos: retarget(text, old, new) for pos, text in sheet.formulas.items()}
            sheet.names = {name: retarget(text, old, new) for name, text in sheet.names.items()}
            for chart in sheet.charts:
                chart["series"] = [retarget(text, old, new) for text in chart["series"]]
        object.__setattr__(self, "names", {name: retarget(text, old, new) for name, text in self.names.items()})


class Window(Obj):
    PROPS = ("Visible",)

    def __init__(self, xl, book):
        super().__init__(xl, book.path + ".Windows(1)")
        object.__setattr__(self, "book", book)

    def _get_Visible(self):
        return self.book.window_visible

    def _set_Visible(self, value):
        object.__setattr__(self.book, "window_visible", value)


class Sheets(Obj):
    PROPS = ("Count",)
    METHODS = ("Item", "Add")

    def __init__(self, xl, book):
        super().__init__(xl, book.path + ".Sheets")
        object.__setattr__(self, "book", book)

    def __call__(self, key):  # the default member
        return self.Item(key)

    def _get_Count(self):
        return len(self.book.sheets)

    def _do_Item(self, key):
        if isinstance(key, (tuple, list)):
            return Group(self._xl, [self._find(k) for k in key])
        return self._find(key)

    def _do_Add(self, Before=None, After=None):  # noqa: N803 - COM's argument names
        self.book.structure_changes()
        target = Before if Before is not None else After if After is not None else self.book.sheets[0]
        sheet = Sheet(self._xl, self.book, _free_name(self.book, f"Sheet{len(self.book.sheets) + 1}"), {})
        self.book.sheets.insert(self.book.sheets.index(target) + (0 if After is None else 1), sheet)
        self._xl.app.active = (self.book, sheet, "$A$1")
        return sheet

    def _find(self, key):
        if isinstance(key, int):
            if not 1 <= key <= len(self.book.sheets):
                raise ComError(f"no sheet {key}")
            return self.book.sheets[key - 1]
        for sheet in self.book.sheets:
            if sheet.name.casefold() == str(key).casefold():
                return sheet
        raise ComError(f"no sheet {key!r}")

    def __iter__(self):  # each Next of the enumerator is one call
        for sheet in list(self.book.sheets):
            self._xl.record("call", self, "Next")
            yield sheet


def _free_name(book, name: str) -> str:
    taken = {s.name.casefold() for s in book.sheets}
    if name.casefold() not in taken:
        return name
    for number in itertools.count(2):
        candidate = f"{name} ({number})"
        if candidate.casefold() not in taken:
            return candidate


def _copy_into(sheets: list["Sheet"], Before=None, After=None) -> None:
    """Worksheet(s).Copy into the target's book."""
    target = Before if Before is not None else After
    book = target.book
    book.structure_changes()
    position = book.sheets.index(target) + (0 if Before is not None else 1)
    copies = []
    for offset, sheet in enumerate(sheets):
        copy = Sheet(book._xl, book, _free_name(book, sheet.name), dict(sheet.cells))
        copy.formulas = dict(sheet.formulas)
        copy.names = dict(sheet.names)
        copy.charts = [dict(c) for c in sheet.charts]
        copy.merges = list(sheet.merges)
        foreign = sheet.book is not book and book._xl.qualify_macros
        copy.buttons = [dict(b, macro=f"'{sheet.book.name}'!{b['macro'].split('!')[-1]}" if foreign else b["macro"])
                        for b in sheet.buttons]
        copy.copied_from = sheet
        if foreign and copy.buttons and sheet.book.fullname not in book.links:
            book.links.append(sheet.book.fullname)  # a macro of another book is a link to it
        book.sheets.insert(position + offset, copy)
        copies.append(copy)
    book._xl.app.active = (book, copies[0], "$A$1")


def _move_into(sheets: list["Sheet"], Before=None, After=None) -> None:
    """Worksheet(s).Move into another book: the sheets themselves leave their book (which must keep one)
    and land together before/after the target, named "X (2)" on a clash, buttons qualified as by a copy;
    what in the old book pointed at them now points into the other book, which makes it a link source."""
    target = Before if Before is not None else After
    source, book = sheets[0].book, target.book
    if source is book:
        raise NotImplementedError("the stand-in moves sheets to another book only")
    if len(source.sheets) <= len(sheets):
        raise ComError("a workbook must keep one visible sheet")
    source.structure_changes()
    book.structure_changes()
    position = book.sheets.index(target) + (0 if Before is not None else 1)
    for offset, sheet in enumerate(sheets):
        old = sheet.name
        source.sheets.remove(sheet)
        name = _free_name(book, old)
        for key, value in {"book": book, "name": name, "path": f"{book.path}.Sheet[{name}]"}.items():
            object.__setattr__(sheet, key, value)
        if book._xl.qualify_macros:
            sheet.buttons = [dict(b, macro=f"'{source.name}'!{b['macro'].split('!')[-1]}") for b in sheet.buttons]
            if sheet.buttons and source.fullname not in book.links:
                book.links.append(source.fullname)
        book.sheets.insert(position + offset, sheet)
        sheet.formulas = {pos: retarget(text, old, name) for pos, text in sheet.formulas.items()}  # its own references
        for chart in sheet.charts:
            chart["series"] = [retarget(text, old, name) for text in chart["series"]]
        before = formulas_and_names(source)
        source.sheet_renamed(old, f"[{book.name}]{name}")
        if formulas_and_names(source) != before and book.fullname not in source.links:
            source.links.append(book.fullname)
    book._xl.app.active = (book, sheets[0], "$A$1")


def formulas_and_names(book) -> list:
    return [(s.formulas, s.names) for s in book.sheets] + [book.names]


class Group(Obj):
    METHODS = ("Copy", "Move", "Delete", "Select")

    def __init__(self, xl, sheets):
        super().__init__(xl, "Group[" + ",".join(s.name for s in sheets) + "]")
        object.__setattr__(self, "sheets", sheets)

    def _do_Copy(self, Before=None, After=None):
        _copy_into(self.sheets, Before, After)

    def _do_Move(self, Before=None, After=None):
        _move_into(self.sheets, Before, After)

    def _do_Delete(self):
        book = self.sheets[0].book
        if len(book.sheets) <= len(self.sheets):
            raise ComError("a workbook must keep one visible sheet")
        book.structure_changes()
        for sheet in self.sheets:
            sheet.remove()

    def _do_Select(self):
        pass


# --- worksheet -----------------------------------------------------------------------------------------

class Sheet(Obj):
    PROPS = ("Name", "Index", "UsedRange", "Cells", "Parent", "ProtectContents", "Names")
    METHODS = ("Copy", "Move", "Delete", "Range", "Buttons", "Activate", "Evaluate")

    def __init__(self, xl, book, name, cells):
        super().__init__(xl, f"{book.path}.Sheet[{name}]")
        for key, value in {"book": book, "name": name, "cells": cells, "formulas": {}, "names": {}, "buttons": [],
                           "charts": [], "deleted": False, "copied_from": None, "protected": False,
                           "merges": []}.items():
            object.__setattr__(self, key, value)

    def _get_Name(self):
        return self.name

    def _set_Name(self, value):
        if any(s is not self and s.name.casefold() == value.casefold() for s in self.book.sheets):
            raise ComError(f"name {value!r} taken")
        self.book.structure_changes()
        old = self.name
        object.__setattr__(self, "name", value)
        object.__setattr__(self, "path", f"{self.book.path}.Sheet[{value}]")
        self.book.sheet_renamed(old, value)

    def _get_Index(self):
        return self.book.sheets.index(self) + 1

    def _get_Parent(self):
        return self.book

    def _get_ProtectContents(self):
        return self.protected

    def _get_Names(self):
        return Names(self._xl, self.book, self)

    def extent(self) -> tuple[int, int, int, int] | None:
        used = list(self.cells) + list(self.formulas)
        if not used:
            return None
        return min(r for r, _ in used), min(c for _, c in used), max(r for r, _ in used), max(c for _, c in used)

    def _get_UsedRange(self):
        extent = self.extent() or (1, 1, 1, 1)
        return Range(self._xl, self, address_of(*extent))

    def _get_Cells(self):
        return Range(self._xl, self, "$A$1:$XFD$1048576")

    def _do_Range(self, address, *rest):
        return Range(self._xl, self, address)

    def _do_Copy(self, Before=None, After=None):
        _copy_into([self], Before, After)

    def _do_Move(self, Before=None, After=None):
        _move_into([self], Before, After)

    def _do_Delete(self):
        if len(self.book.sheets) == 1:
            raise ComError("a workbook must keep one visible sheet")
        self.book.structure_changes()
        self.remove()

    def remove(self):
        self.book.sheets.remove(self)
        object.__setattr__(self, "deleted", True)
        self.book.sheet_renamed(self.name, None)

    def _do_Evaluate(self, formula):
        """Only what the button path sends: IFERROR(SHEET("name"),0) joined with ",", and SHEETS()."""
        if len(formula) > 255:
            raise ComError("Evaluate: formula over 255 characters")
        names = re.findall(r'SHEET\("((?:[^"]|"")*)"\)', formula)
        index = {s.name.casefold(): i + 1 for i, s in enumerate(self.book.sheets)}
        values = [str(index.get(n.replace('""', '"').casefold(), 0)) for n in names]
        if "SHEETS()" in formula:
            values.append(str(len(self.book.sheets)))
        return ",".join(values)

    def _do_Buttons(self, *index):
        return Buttons(self._xl, self)

    def _do_Activate(self):
        self._xl.app.active = (self.book, self, "$A$1")


class Buttons(Obj):
    PROPS = ("OnAction", "Count")

    def __init__(self, xl, sheet):
        super().__init__(xl, sheet.path + ".Buttons()")
        object.__setattr__(self, "sheet", sheet)

    def _get_OnAction(self):
        return self.sheet.buttons[0]["macro"] if self.sheet.buttons else ""

    def _set_OnAction(self, value):
        for button in self.sheet.buttons:
            button["macro"] = value

    def _get_Count(self):
        return len(self.sheet.buttons)


# --- ranges ----------------------------------------------------------------------------------------------

class Range(MergedCells, Obj):
    PROPS = ("Value", "Address", "Row", "Column", "Formula", "HasFormula", "MergeCells", "MergeArea")
    METHODS = ("Find", "Select", "Replace", "GetAddress", "Merge")

    def __init__(self, xl, sheet, address):
        super().__init__(xl, f"{sheet.path}.Range[{address}]")
        object.__setattr__(self, "sheet", sheet)
        object.__setattr__(self, "address", address)

    def bounds(self) -> tuple[int, int, int, int]:
        return parse_address(self.address)

    def _get_Address(self):
        return address_of(*self.bounds())

    def _get_Row(self):
        return self.bounds()[0]

    def _get_Column(self):
        return self.bounds()[1]

    def _get_Value(self):
        r1, c1, r2, c2 = self.bounds()
        if (r2 - r1 + 1) * (c2 - c1 + 1) > MAX_VALUE_CELLS:
            raise ComError("not enough memory")
        cells = self.sheet.cells
        rows = tuple(tuple(cells.get((r, c)) for c in range(c1, c2 + 1)) for r in range(r1, r2 + 1))
        return rows[0][0] if (r1, c1) == (r2, c2) else rows

    def _set_Value(self, value):
        r1, c1 = self.bounds()[:2]
        grid = value if isinstance(value, (list, tuple)) and value and isinstance(value[0], (list, tuple)) else [[value]]
        for i, row in enumerate(grid):
            for j, item in enumerate(row):
                self.sheet.cells[(r1 + i, c1 + j)] = item
                self.sheet.formulas.pop((r1 + i, c1 + j), None)
        self.sheet.book.changed()

    def _get_Formula(self):
        r1, c1 = self.bounds()[:2]
        return self.sheet.formulas.get((r1, c1), self.sheet.cells.get((r1, c1), ""))

    def _set_Formula(self, text):
        r1, c1 = self.bounds()[:2]
        if isinstance(text, str) and text.replace(" ", "").upper() == "=NA()":  # the one formula calculated here
            self.sheet.cells[(r1, c1)] = ERROR_CODES["#N/A"] + COM_ERROR_BASE
        if isinstance(text, str) and text.startswith("="):
            self.sheet.formulas[(r1, c1)] = requote(text)
        else:
            self.sheet.cells[(r1, c1)] = text
        self.sheet.book.changed()

    def _get_HasFormula(self):
        r1, c1, r2, c2 = self.bounds()
        inside = [pos for pos in self.sheet.formulas if r1 <= pos[0] <= r2 and c1 <= pos[1] <= c2]
        if not inside:
            return False
        return True if len(inside) == (r2 - r1 + 1) * (c2 - c1 + 1) else None

    def _do_Find(self, What="*", LookIn=-4163, LookAt=2, After=None, SearchFormat=False, **kwargs):  # noqa: N803
        """LookIn xlFormulas (-4123): the first formula or text matching `What`; else the last row with a value.
        With SearchFormat: the next merged cell (`MergedCells.find_merged`)."""
        if SearchFormat:
            return self.find_merged(After)
        r1, c1, r2, c2 = self.bounds()
        if LookIn == XL_FORMULAS:
            pattern = excel_pattern(What, whole=LookAt == 1)
            texts = {**{p: v for p, v in self.sheet.cells.items() if isinstance(v, str)}, **self.sheet.formulas}
            hits = sorted(p for p, text in texts.items() if r1 <= p[0] <= r2 and c1 <= p[1] <= c2
                          and pattern is not None and pattern.search(text))
            return Range(self._xl, self.sheet, f"{letter(hits[0][1])}{hits[0][0]}") if hits else None
        rows = sorted({r for (r, c), v in self.sheet.cells.items() if r1 <= r <= r2 and c1 <= c <= c2 and v not in ("", None)})
        return Range(self._xl, self.sheet, f"A{rows[-1]}") if rows else None

    def _do_Select(self):
        self._xl.app.active = (self.sheet.book, self.sheet, self.address)

    def _do_GetAddress(self, RowAbsolute=True, ColumnAbsolute=True, ReferenceStyle=1, External=False):  # noqa: N803
        r1, c1 = self.bounds()[:2]
        local = f"R{r1}C{c1}" if ReferenceStyle == XL_R1C1 else f"${letter(c1)}${r1}"
        if not External:
            return local
        prefix = f"[{self.sheet.book.name}]{self.sheet.name}"
        return (prefix if quote_sheet(self.sheet.name) == self.sheet.name else f"'{prefix}'") + "!" + local

    def _do_Replace(self, What, Replacement, LookAt=2, SearchOrder=1, MatchCase=False, **kwargs):  # noqa: N803
        """Excel's Replace over formulas and text of this range; refused where a protected sheet would change."""
        pattern = excel_pattern(What, whole=LookAt == 1)
        if pattern is None:
            return False
        r1, c1, r2, c2 = self.bounds()
        sheet, changed = self.sheet, False
        for pos, text in list(sheet.formulas.items()):
            if r1 <= pos[0] <= r2 and c1 <= pos[1] <= c2 and pattern.search(text):
                if sheet.protected:
                    raise ComError("the cell is on a protected sheet")
                sheet.formulas[pos] = requote(pattern.sub(Replacement.replace("\\", "\\\\"), text))
                changed = True
        for pos, value in list(sheet.cells.items()):
            if pos not in sheet.formulas and isinstance(value, str) and r1 <= pos[0] <= r2 and c1 <= pos[1] <= c2 \
                    and pattern.search(value):
                if sheet.protected:
                    raise ComError("the cell is on a protected sheet")
                sheet.cells[pos] = pattern.sub(Replacement.replace("\\", "\\\\"), value)
                changed = True
        if changed:
            sheet.book.changed()
        return changed


def open_book(path: Path, active: tuple[str, str] | None = None, qualify_macros: bool = True) -> tuple[Excel, Book]:
    """The workbook file open in a fresh stand-in Excel, the user on `active` = (sheet, "$C$5")."""
    xl = Excel()
    xl.qualify_macros = qualify_macros
    book = Book.from_file(xl, Path(path))
    sheet = next((s for s in book.sheets if active and s.name == active[0]), book.sheets[0])
    xl.app.active = (book, sheet, active[1] if active and sheet.name == active[0] else "$A$1")
    xl.log.clear()
    return xl, book
