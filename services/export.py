"""`reports.py export`: the frames of one master, or of a folder of branches, as CSV files and one .xlsx.

One master: each frame of `services.frames` (the input sheets, 个人积分, 小组积分, 积分历史) as
`<表名>.csv` and as a sheet of `党建台账数据.xlsx`. A folder: the same, every branch read
(in worker processes, `rollup.read_branch_frames`) and its rows put one under the other, with
支部 and 文件 in front. The CSVs are UTF-8 with a BOM, so Excel in Chinese opens them right;
dates are written 2026-03-10; `excel_row` and `has_error` become 行号 and 有错误 (是/否).

Never with phone numbers: the frames are read without them (the 联系电话 column left out, every
text through the phone rule), and a phone column is dropped here again should one come along.
Files are written beside their final names and moved into place (`report_html.publish_bytes`),
so an export open in Excel is never left half-written.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from services.frames import EXCEL_ROW, HAS_ERROR, frames_of
from services.memory import paused_gc
from services.report_html import document_properties, publish_bytes
from services.rollup import BranchResult
from workbook import layout
from workbook.reader import read_book
from workplan import pipeline

EXPORT_DIR = "导出"
BOOK_NAME = "党建台账数据.xlsx"
ROW, ERROR, BRANCH, FILE = "行号", "有错误", "支部", "文件"
YES_NO = {True: "是", False: "否"}
DATE_FORMAT = "%Y-%m-%d"


@dataclass
class ExportFiles:
    folder: Path
    csvs: list[Path] = field(default_factory=list)
    book: Path | None = None


def master_frames(path: Path, today: dt.date) -> tuple[pipeline.Refresh, dict[str, pd.DataFrame]]:
    """The refresh of one master (for its findings) and its frames, phones left out."""
    with paused_gc():
        raw = read_book(path, pipeline.wanted_for_refresh())
        result = pipeline.refresh(raw, today, pipeline.NO_SHEETS, plan=False)
    return result, frames_of(pipeline.require_runnable(result, str(path)))


def branch_frames(read: Sequence[BranchResult]) -> dict[str, pd.DataFrame]:
    """Every branch's frames one under the other, sheet by sheet, with 支部 and 文件 in front."""
    names = list(read[0].frames) if read else []
    combined = {}
    for name in names:
        parts = [r.frames[name].assign(**{BRANCH: r.report.branch, FILE: r.path.name}) for r in read]
        frame = pd.concat(parts, ignore_index=True)
        combined[name] = frame[[BRANCH, FILE, *(c for c in frame.columns if c not in (BRANCH, FILE))]]
    return combined


def for_users(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as the files show it: Chinese names for 行号 and 有错误 (是/否), no phone column."""
    shown = frame.drop(columns=[c for c in layout.PHONE_COLUMNS if c in frame.columns])
    if HAS_ERROR in shown.columns:
        shown = shown.assign(**{HAS_ERROR: shown[HAS_ERROR].map(YES_NO)})
    return shown.rename(columns={EXCEL_ROW: ROW, HAS_ERROR: ERROR})


def write_export(frames: Mapping[str, pd.DataFrame], folder: Path, title: str) -> ExportFiles:
    """`<表名>.csv` for each frame and `党建台账数据.xlsx` with one sheet each, in `folder`."""
    shown = {name: for_users(frame) for name, frame in frames.items()}
    files = ExportFiles(folder)
    for name, frame in shown.items():
        text = frame.to_csv(index=False, date_format=DATE_FORMAT, lineterminator="\r\n")
        files.csvs.append(publish_bytes(folder / f"{name}.csv", text.encode("utf-8-sig")))
    files.book = publish_bytes(folder / BOOK_NAME, workbook_bytes(shown, title))
    return files


def workbook_bytes(frames: Mapping[str, pd.DataFrame], title: str) -> bytes:
    """One sheet per frame (xlsxwriter through pandas): header row frozen, dates shown 2026-03-10, our mark set."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="xlsxwriter", date_format="yyyy-mm-dd", datetime_format="yyyy-mm-dd") as writer:
        writer.book.set_properties(document_properties(title))
        for name, frame in frames.items():
            frame.to_excel(writer, sheet_name=name, index=False, freeze_panes=(1, 0))
            writer.sheets[name].set_column(0, max(len(frame.columns) - 1, 0), 12)
    return buffer.getvalue()
