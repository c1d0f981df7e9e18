"""A county-scale master workbook for benchmarks: many branches' worth of rows in one book.

Made from the demo branch repeated: `scale` copies of its 40 members (so 250 copies give
10,000 members) with their records, attendance cut or repeated to the asked row count.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from workbook import layout  # noqa: E402
from services.create import build_master  # noqa: E402
from services.demo import demo_data  # noqa: E402

TODAY = dt.date(2026, 11, 26)
PER_MEMBER_SHEETS = (layout.MEMBER_PROMISES, layout.READING, layout.RECOMMENDATIONS, layout.LEDGER)


def county_data(members: int = 10_000, attendance: int = 300_000) -> dict[str, list[dict]]:
    """Demo rows multiplied: member codes renumbered per copy, attendance trimmed to `attendance` rows."""
    base = demo_data(TODAY)
    copies = max(1, members // len(base[layout.MEMBERS]))
    data = {name: list(rows) for name, rows in base.items()}
    for sheet in (layout.MEMBERS, layout.ATTENDANCE_SHEET, layout.EVALUATIONS, *PER_MEMBER_SHEETS):
        data[sheet] = [_renumber(row, copy) for copy in range(copies) for row in base[sheet]]
    data[layout.ATTENDANCE_SHEET] = _attendance(data, attendance)
    return data


def _attendance(data: dict[str, list[dict]], count: int) -> list[dict]:
    """`count` sign-ins, each (activity, member) at most once, for completed activities."""
    done = [a["活动编号"] for a in data[layout.ACTIVITIES] if a["状态"] == "已完成"]
    members = [(m["党员编号"], m["姓名"]) for m in data[layout.MEMBERS]]
    states = ("出席",) * 18 + ("请假", "缺席")
    rows = []
    for index in range(min(count, len(done) * len(members))):
        activity = done[index // len(members)]
        member_id, name = members[index % len(members)]
        rows.append({"活动编号": activity, "党员编号": member_id, "姓名": name, "出勤": states[index % len(states)]})
    return rows


def _renumber(row: dict, copy: int) -> dict:
    row = dict(row)
    for column in ("党员编号", "评议对象", "评议人"):
        value = row.get(column)
        if isinstance(value, str) and value.startswith("D") and value[1:].isdigit():
            row[column] = f"D{copy:03d}{value[1:]}"
    for column in ("承诺编号", "推荐编号"):
        if row.get(column):
            row[column] = f"{row[column]}-{copy}"
    return row


def build_county(path: Path, members: int = 10_000, attendance: int = 300_000) -> Path:
    return build_master(path, county_data(members, attendance), large=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Write a county-scale master workbook.")
    parser.add_argument("path", nargs="?", default="out/county.xlsx")
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--attendance", type=int, default=300_000)
    args = parser.parse_args()
    start = time.perf_counter()
    build_county(Path(args.path), args.members, args.attendance)
    print(f"wrote {args.path} in {time.perf_counter() - start:.1f} s")
