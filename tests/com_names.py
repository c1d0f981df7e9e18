"""The COM stand-in's defined names: `Workbook.Names` and `Worksheet.Names` (tests/com_standin.py). Tests only."""

from __future__ import annotations

from com_cells import ComError, Obj
from com_text import quote_sheet, requote


class Names(Obj):
    """Book.Names (workbook-level names and sheet-level ones as 'Sheet'!name) or Sheet.Names."""

    PROPS = ("Count",)
    METHODS = ("Item", "Add")

    def __init__(self, xl, book, sheet=None):
        super().__init__(xl, (sheet or book).path + ".Names")
        object.__setattr__(self, "book", book)
        object.__setattr__(self, "sheet", sheet)

    def __call__(self, key):
        return self.Item(key)

    def _entries(self) -> list[tuple[str, dict, str]]:
        """(name as Names.Item takes it, the dict holding it, the key in that dict)."""
        if self.sheet is not None:
            return [(name, self.sheet.names, name) for name in self.sheet.names]
        found = [(name, self.book.names, name) for name in self.book.names]
        for sheet in self.book.sheets:
            found += [(f"{quote_sheet(sheet.name)}!{name}", sheet.names, name) for name in sheet.names]
        return found

    def _get_Count(self):
        return len(self._entries())

    def _do_Item(self, key):
        for shown, holder, name in self._entries():
            if shown.casefold() == str(key).casefold():
                return Name(self._xl, shown, holder, name)
        raise ComError(f"no name {key!r}")

    def _do_Add(self, Name, RefersTo):  # noqa: N803 - COM's argument names
        (self.sheet.names if self.sheet is not None else self.book.names)[Name] = requote(RefersTo)

    def __iter__(self):
        for shown, holder, name in self._entries():
            self._xl.record("call", self, "Next")
            yield Name(self._xl, shown, holder, name)


class Name(Obj):
    PROPS = ("Name", "RefersTo")

    def __init__(self, xl, shown, holder, key):
        super().__init__(xl, f"Name[{shown}]")
        object.__setattr__(self, "shown", shown)
        object.__setattr__(self, "holder", holder)
        object.__setattr__(self, "key", key)

    def _get_Name(self):
        return self.shown

    def _get_RefersTo(self):
        return self.holder[self.key]

    def _set_RefersTo(self, value):
        self.holder[self.key] = requote(value)
