"""How many Excel calls one 刷新 click makes, on the desktop path and on the remote engine.

    python benchmarks/button_calls.py [--members 2000] [--attendance 60000]

Desktop (Windows COM): the click runs through `macros` against the recording COM stand-in of
tests/com_standin.py (for counting only: one property get, set or method call is one call),
split into reading, copy-in and the message, for the demo and a county-scale book (both
refreshed once by sync.py first, so the generated sheets exist), in four cases: the book as
saved and the copied buttons keeping this book's macro ("local"); Excel pointing them at the
temporary book and changing that link into one to the book itself when asked ("relinked");
Excel refusing that, so each sheet's buttons are re-pointed ("re-pointed"); and the book
changed since its save (something typed, no formula), buttons local. xlwings' own `Book.caller()` before our code
(about 3 calls) is not counted. Remote engine: the action count by kind and the click's time.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import datetime as dt
import io
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")  # a public school: noncommercial use

import com_standin  # noqa: E402
import macros  # noqa: E402
import sync  # noqa: E402
from benchmarks.county import TODAY, county_data  # noqa: E402
from macros import live  # noqa: E402
from services.create import build_master  # noqa: E402
from services.demo import demo_data  # noqa: E402


class Counted(live.Live):
    """A click session that notes where in the stand-in's log each phase starts."""

    marks: list

    def read(self, wanted):
        self.marks.append(("read", len(self.wb._xl.log)))
        return super().read(wanted)

    def write(self, models, owned):
        self.marks.append(("copy-in", len(self.wb._xl.log)))
        return super().write(models, owned)

    def alert(self, message, title="党建工作台账"):
        self.marks.append(("message", len(self.wb._xl.log)))
        return super().alert(message, title)


CASES = {"local": "已保存，按钮宏留在本台账（local）", "relinked": "已保存，按钮宏指向临时文件，一次“更改源”改回（relinked）",
         "re-pointed": "已保存，按钮宏指向临时文件，Excel 不肯“更改源”，逐表重新指向（re-pointed）",
         "changed": "保存后又输入过内容（没有公式），按钮宏留在本台账"}


def desktop_click(path: Path, case: str = "local") -> tuple[int, dict[str, int], collections.Counter, float]:
    """(calls, calls by phase, calls by member, seconds of our Python with a stand-in that costs nothing) of one 刷新."""
    xl, wb = com_standin.open_book(path, ("个人积分", "$C$5"), qualify_macros=case in ("relinked", "re-pointed"))
    xl.change_link_to_itself = case != "re-pointed"
    if case == "changed":
        wb.changed()
    session = Counted(None, "com", wb=wb, com_error=com_standin.ComError, show=lambda hwnd, text, title: None)
    session.marks = []
    started = time.perf_counter()
    macros.refresh(session, TODAY)
    session.seconds = time.perf_counter() - started
    bounds = [0] + [at for _, at in session.marks[1:]] + [len(xl.log)]  # the name of the book counts as reading
    phases = {name: bounds[i + 1] - bounds[i] for i, (name, _) in enumerate(session.marks)}
    return xl.calls(), phases, collections.Counter(member for _, _, member, _ in xl.log), session.seconds


def remote_click(path: Path) -> tuple[int, float, collections.Counter]:
    from xlwings_json import json_book

    book = json_book(path)
    started = time.perf_counter()
    macros.refresh(book, TODAY)
    took = time.perf_counter() - started
    actions = book.json()["actions"]
    return len(actions), took, collections.Counter(a["func"] for a in actions)


def refreshed(path: Path, data) -> Path:
    build_master(path, data, large=len(data["党员名册"]) > 1000)
    with contextlib.redirect_stdout(io.StringIO()):
        sync.run_refresh(path, TODAY)
    return path


def report(label: str, path: Path, fresh: Path) -> None:
    for case, said in CASES.items():
        calls, phases, _, seconds = desktop_click(path, case)
        split = "，".join(f"{name} {count}" for name, count in phases.items())
        print(f"{label} 桌面 Excel 调用：{calls}（{split}）— {said}；读、算、渲染、临时文件共 {seconds:.2f} 秒（不含 Excel）")
    count, took, kinds = remote_click(fresh)
    print(f"{label} 远程引擎动作：{count}，一次点击用时 {took:.2f} 秒（不含客户端执行这些动作的时间）")
    print("   按动作：", dict(kinds.most_common()))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=2_000)
    parser.add_argument("--attendance", type=int, default=60_000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="button-calls-"))
    fresh = folder / "fresh.xlsm"
    build_master(fresh, demo_data(TODAY))
    demo = refreshed(folder / "demo.xlsm", demo_data(TODAY))
    report("示例台账（40 名党员）", demo, fresh)
    print("   桌面按调用的成员（local）：", dict(desktop_click(demo)[2].most_common()))
    started = time.perf_counter()
    data = county_data(args.members, args.attendance)
    county_fresh = folder / "county-fresh.xlsm"
    build_master(county_fresh, data, large=True)
    county = refreshed(folder / "county.xlsm", data)
    print(f"（县级规模台账已生成：{args.members} 名党员、{args.attendance} 条签到，用时 {time.perf_counter() - started:.0f} 秒）")
    report(f"县级规模（{args.members} 名党员）", county, county_fresh)
    print(f"（{dt.date.today()} 在本机测得）")


if __name__ == "__main__":
    main()
