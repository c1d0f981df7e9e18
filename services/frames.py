"""The master workbook as pandas DataFrames, for those who analyse (`from workbook import read_frames`).

`read_frames(path, today=None, with_phones=False)` reads the master through the project's own
reader, validation and refresh (`workplan.pipeline`, the same call `reports.py` makes) and
returns a dict of DataFrames, keyed by sheet name, in workbook order:

- each input sheet of the contract (`workbook.layout.INPUT_SHEETS`) in the contract's columns,
  typed as a user means them: 编号 and other text columns as `str` (a 党员编号 `007` stays
  `007`), dates as `datetime64[ns]` (a date typed as text, 2020年7月1日, parsed), numbers as
  `float64`, drop-down columns as `Categorical` with the contract's categories (a column whose
  list only helps, 承诺事项, adds the other values typed after them), 计划月份 as its text (4—7月);
  a cell that could not be read is missing (NaN/NaT), and its row is marked;
- `excel_row` (the row number in Excel) and `has_error` (the row has an error-level finding);
- 个人积分, 小组积分 and 积分历史 as this refresh computes them (`workplan.sheets.scores`' own
  rows, never read back from the generated sheets); 积分历史 is the weeks already in the file
  plus this week, as a refresh would write it.

Phone numbers stay in the workbook: the 联系电话 column is left out and every text passes the
phone rule (`workbook.privacy.mask_phones`), unless `with_phones=True` asks for them by name.
`today=None` is the clock's today, read here at the edge.

pandas is imported by this module only: `sync.py refresh` and the buttons never load it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from services.memory import paused_gc
from workbook import layout
from workbook.layout import Column, SheetSpec
from workbook.privacy import mask_phones
from workbook.reader import read_book
from workbook.values import months_text
from workplan import pipeline
from workplan.findings import ERROR
from workplan.pipeline import Refresh
from workplan.sheets.scores import GROUP_HEADERS, HISTORY_HEADERS, MEMBER_HEADERS, group_rows, history_rows, member_rows

EXCEL_ROW, HAS_ERROR = "excel_row", "has_error"
DATES = "datetime64[ns]"
TEXT_KINDS = frozenset((layout.TEXT, layout.NAME, layout.ID, layout.MONTHS))
NUMBER_KINDS = frozenset((layout.INT, layout.NUMBER))
# The generated tables' kinds, by header (the rest are numbers): what `_frame` makes of their columns.
SCORE_TEXT = frozenset(("党员编号", "姓名", "党小组", "小组名称", "周次", "备注"))
SCORE_INTS = frozenset(("排名", "人数", "完成活动", "逾期活动"))
SCORE_DATES = frozenset(("截止日期",))


def read_frames(path: str | Path, today: dt.date | None = None, *, with_phones: bool = False) -> dict[str, pd.DataFrame]:
    """Every input sheet and 个人积分, 小组积分, 积分历史 of the master at `path`, as DataFrames.

    Raises what the reader raises (`workbook.errors`: no such file, encrypted, not a workbook …)
    and `errors.MissingSheets` when sheets or columns are missing (nothing can be computed then).
    """
    path = Path(path)
    with paused_gc():
        result = pipeline.refresh(read_book(path, pipeline.wanted_for_refresh()), today or dt.date.today(),
                                  pipeline.NO_SHEETS, plan=False)
    return frames_of(pipeline.require_runnable(result, str(path)), with_phones=with_phones)


def frames_of(result: Refresh, *, with_phones: bool = False) -> dict[str, pd.DataFrame]:
    """The frames of a refresh that ran (`Refresh.runnable`)."""
    frames = {spec.name: sheet_frame(result, spec, with_phones) for spec in layout.INPUT_SHEETS}
    clean = (lambda rows: rows) if with_phones else _masked_rows
    frames[layout.MEMBER_SCORES_SHEET] = _frame(MEMBER_HEADERS, clean(member_rows(result.scores)))
    frames[layout.GROUP_SCORES_SHEET] = _frame(GROUP_HEADERS, clean(group_rows(result.scores)))
    frames[layout.HISTORY_SHEET] = _frame(HISTORY_HEADERS, clean(history_rows(result.history)))
    return frames


def sheet_frame(result: Refresh, spec: SheetSpec, with_phones: bool = False) -> pd.DataFrame:
    """One input sheet: its typed records in the contract's columns, `excel_row` and `has_error`."""
    records = result.branch.table(spec.name).records
    bad = {f.row for f in result.report.findings if f.sheet == spec.name and f.level == ERROR and f.row and f.row > 1}
    data: dict[str, Any] = {}
    for column in spec.columns:
        if with_phones or column.name not in layout.PHONE_COLUMNS:
            data[column.name] = typed_column(column, [r[column.name] for r in records], with_phones)
    data[EXCEL_ROW] = pd.Series([r.row for r in records], dtype="int64")
    data[HAS_ERROR] = pd.Series([r.row in bad for r in records], dtype="bool")
    return pd.DataFrame(data)


def typed_column(column: Column, values: Sequence[Any], with_phones: bool = False) -> pd.Series | pd.Categorical:
    """The values of one column (already typed by validation) in the dtype a user means."""
    if column.kind == layout.DATE:
        return pd.Series(pd.to_datetime(pd.Series(values, dtype=object)), dtype=DATES)
    if column.kind in NUMBER_KINDS:
        return pd.Series(values, dtype="float64")
    if column.kind == layout.CHOICE:
        extra = [] if column.strict else sorted({v for v in values if v is not None} - set(column.choices))
        return pd.Categorical(values, categories=[*column.choices, *extra])
    if column.kind == layout.MONTHS:
        values = [months_text(v) or None for v in values]
    return pd.Series(values if with_phones else [_masked(v) for v in values], dtype="str")


def _frame(headers: Sequence[str], rows: list[list]) -> pd.DataFrame:
    """A generated table (plain rows) as a DataFrame: its text, whole numbers, dates and numbers typed."""
    frame = pd.DataFrame(rows, columns=list(headers)) if rows else pd.DataFrame(columns=list(headers))
    for header in headers:
        if header in SCORE_TEXT:
            frame[header] = frame[header].astype("str")
        elif header in SCORE_INTS:
            frame[header] = frame[header].astype("int64")
        elif header in SCORE_DATES:
            frame[header] = pd.to_datetime(frame[header]).astype(DATES)
        else:
            frame[header] = frame[header].astype("float64")
    return frame


def _masked(value: Any) -> Any:
    return mask_phones(value) if isinstance(value, str) else value


def _masked_rows(rows: list[list]) -> list[list]:
    return [[_masked(v) for v in row] for row in rows]

