"""The workbook as typed, before any checking: plain dataclasses shared by the reader and the domain.

`workbook.reader` fills these from a file (python-calamine, or the streaming reader) and
`macros.live` from the book open in Excel; `workplan` takes them as its input. Nothing
here opens a file, so the domain can import it without loading a reading library.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .values import fold


@dataclass
class RawSheet:
    """One sheet as typed: headers of row 1 and the non-blank rows below, by Excel row.

    A blank cell is None or '' (depending on the reading path); `values.is_blank` takes both.
    """

    name: str
    headers: list[str]
    rows: list[tuple[int, list]] = field(default_factory=list)

    def column_of(self, header: str) -> int | None:
        """0-based index of the first column with this header (spaces ignored), or None."""
        wanted = normalize_header(header)
        for index, name in enumerate(self.headers):
            if name == wanted:
                return index
        return None


@dataclass
class RawBook:
    """The sheets of a workbook as typed, by sheet name."""

    path: Path
    sheet_names: list[str]
    sheets: dict[str, RawSheet]

    def sheet(self, name: str) -> RawSheet | None:
        return self.sheets.get(name)


def normalize_header(value) -> str:
    """A header as compared with the contract: full-width folded, all spaces removed."""
    return fold(value).replace(" ", "")
