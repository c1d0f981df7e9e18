"""Refresh speed and memory on a county-scale workbook, against the baselines of the writer issue.

    python benchmarks/refresh_speed.py [--members 10000] [--attendance 300000] [--demo]

Builds (once) a workbook of 10,000 members and 300,000 attendance rows, then measures, each
in a fresh process: a full `refresh` (read, validate, score, calendar, write, verify), a
python-calamine read of every sheet, a plain zip copy (every member read and written again),
and an openpyxl load + save. Prints wall time, peak resident memory and the ratios
(targets: refresh <= 3 x (calamine read + zip copy); refresh >= 5 x faster than openpyxl).
`--demo` also times a refresh of the 40-member demo (target: about a second).
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.measure import measure  # noqa: E402
from benchmarks.county import TODAY, build_county  # noqa: E402


def refresh(path: Path) -> None:
    import contextlib
    import io

    import sync

    with contextlib.redirect_stdout(io.StringIO()):
        code = sync.run_refresh(path, TODAY)
    if code not in (0, 1):
        raise SystemExit(f"refresh failed with exit code {code}")


def calamine_read(path: Path) -> None:
    import python_calamine

    book = python_calamine.CalamineWorkbook.from_path(str(path))
    for name in book.sheet_names:
        book.get_sheet_by_name(name).to_python()
    book.close()


def zip_copy(path: Path) -> None:
    target = path.with_name("zipcopy.xlsx")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info.filename))
    target.unlink()


def openpyxl_load_save(path: Path) -> None:
    import openpyxl

    target = path.with_name("openpyxl.xlsx")
    openpyxl.load_workbook(path).save(target)
    target.unlink()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--attendance", type=int, default=300_000)
    parser.add_argument("--path", default="out/county.xlsx")
    parser.add_argument("--demo", action="store_true", help="also time a refresh of the demo workbook")
    parser.add_argument("--skip-openpyxl", action="store_true", help="leave out the slow openpyxl baseline")
    args = parser.parse_args()
    source = Path(args.path)
    if not source.exists():
        build_county(source, args.members, args.attendance)
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    path = work / "county.xlsx"
    shutil.copy(source, path)
    print(f"{source}: {source.stat().st_size / 2**20:.1f} MiB, {args.members} members, {args.attendance} attendance rows")
    measure("refresh (first: adds the generated sheets)", refresh, path)
    again = measure("refresh (again: replaces them)", refresh, path)
    read = measure("python-calamine read of every sheet", calamine_read, source)
    copy = measure("zip copy (read + write every member)", zip_copy, source)
    pyxl = measure("openpyxl load + save", openpyxl_load_save, source) if not args.skip_openpyxl else None
    print(f"refresh / (calamine read + zip copy) = {again / (read + copy):.2f}  (target <= 3)")
    if pyxl:
        print(f"openpyxl load + save / refresh      = {pyxl / again:.1f}  (target >= 5)")
    if args.demo:
        _time_demo(work)
    shutil.rmtree(work)


def _time_demo(work: Path) -> None:
    from services.create import build_master
    from services.demo import demo_data

    demo = build_master(work / "demo.xlsx", demo_data(dt.date(2026, 11, 26)))
    measure("refresh of the 40-member demo", refresh, demo)


if __name__ == "__main__":
    main()
