"""Reading speed: python-calamine (what the reader uses) against openpyxl, on one large workbook.

    python benchmarks/read_speed.py [--members 10000] [--attendance 300000]

Prints wall time and peak memory (the resident set of a fresh process per measurement) of
reading every input sheet's values both ways, and of the full read + validation.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


import openpyxl  # noqa: E402

from benchmarks.measure import measure  # noqa: E402
from benchmarks.county import TODAY, build_county  # noqa: E402
from workbook import layout  # noqa: E402
from workbook.reader import read_book  # noqa: E402
from workplan.validate import load, wanted_sheets  # noqa: E402


def openpyxl_read(path: Path) -> int:
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    cells = 0
    for name in layout.INPUT_SHEET_NAMES:
        for row in book[name].iter_rows(values_only=True):
            cells += len(row)
    book.close()
    return cells


def calamine_read(path: Path) -> None:
    read_book(path, wanted_sheets())


def read_and_validate(path: Path) -> None:
    load(read_book(path, wanted_sheets()), TODAY)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--attendance", type=int, default=300_000)
    parser.add_argument("--path", default="out/county.xlsx")
    args = parser.parse_args()
    path = Path(args.path)
    if not path.exists():
        build_county(path, args.members, args.attendance)
    print(f"{path} ({path.stat().st_size / 2**20:.1f} MiB, {args.members} members, {args.attendance} attendance rows)")
    calamine = measure("python-calamine read (read_book)", calamine_read, path)
    pyxl = measure("openpyxl read_only read", openpyxl_read, path)
    measure("read + validate", read_and_validate, path)
    print(f"calamine is {pyxl / calamine:.1f}x faster than openpyxl")


if __name__ == "__main__":
    main()
