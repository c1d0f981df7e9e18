"""The one-way flow of a refresh, as a pure function: read rows in, generated sheets out.

    raw workbook -> validate -> scores, history, calendar, 组织生活落实, reminders, tallies -> SheetModels

Both edges use it: `sync.py` (reading and writing the file) and `macros` (reading and
writing the workbook open in Excel). Nothing here touches a file, Excel or the clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from workbook import errors, layout
from workbook.raw import RawBook, RawSheet, normalize_header
from workbook.sheetmodel import SheetModel
from workbook.textfit import fit_rows

from .branch import Branch
from .calendar import Calendar, build_calendar
from .counting import counted
from .findings import Report
from .forms import assessment_sheets
from .history import HistoryRow, parse_history, update_history, week_label
from .orglife import OrgLife, org_life
from .reminders import Reminder, reminders
from .scoring import Scores, score
from .sheets.calendar import calendar_sheet
from .sheets.orglife import orglife_sheet
from .sheets.reminders import reminders_sheet
from .sheets.scores import group_scores_sheet, history_sheet, member_scores_sheet
from .sheets.validation import validation_sheet
from .tally import Tally, tally
from .validate import load, wanted_sheets

HISTORY_COLUMNS = 5


@dataclass
class Refresh:
    """Everything one refresh computed, and the sheets it renders."""

    today: dt.date
    branch: Branch
    report: Report
    scores: Scores | None = None
    history: list[HistoryRow] = field(default_factory=list)
    calendar: Calendar | None = None
    reminders: list[Reminder] = field(default_factory=list)
    orglife: OrgLife | None = None
    tally: Tally | None = None
    sheets: list[SheetModel] = field(default_factory=list)

    @property
    def runnable(self) -> bool:
        """False when sheets or columns are missing: nothing is computed or written then."""
        return not self.report.structural


def require_runnable(result: "Refresh", workbook_name: str) -> "Refresh":
    """The result, or errors.MissingSheets naming the missing sheets and columns (nothing is written then)."""
    if not result.runnable:
        raise errors.MissingSheets(workbook_name, "\n".join(f.describe() for f in result.report.structural[:5]))
    return result


def wanted_for_refresh() -> dict[str, int]:
    """The input sheets and the one generated sheet a refresh reads back (积分历史 grows)."""
    return {**wanted_sheets(), layout.HISTORY_SHEET: HISTORY_COLUMNS}


def table_below(sheet: RawSheet | None, first_header: str) -> list[list]:
    """The rows of a generated sheet's table: below the first row whose first cell is `first_header`."""
    if sheet is None:
        return []
    rows = [(1, list(sheet.headers))] + sheet.rows
    for index, (_, cells) in enumerate(rows):
        if cells and normalize_header(cells[0]) == first_header:
            return [cells for _, cells in rows[index + 1:]]
    return []


def validate_only(raw: RawBook, today: dt.date) -> Refresh:
    branch, report = load(raw, today)
    return Refresh(today, branch, report, sheets=[fit_rows(validation_sheet(report, today))])


ALL_SHEETS = None  # render every generated sheet
NO_SHEETS: tuple[str, ...] = ()  # compute the figures only (reports, roll-up)
CALENDAR_SHEETS = (layout.CALENDAR_SHEET, layout.REMINDERS_SHEET)


def refresh(raw: RawBook, today: dt.date, render: Collection[str] | None = ALL_SHEETS, *, plan: bool = True) -> Refresh:
    """Validate, score, update the history, build the calendar and reminders (not with `plan=False`:
    the roll-up's workers and the frames need neither), tally the evaluations, and render the generated
    sheets named in `render` (all by default; the assessment forms and 评议汇总 last). Reports pass
    NO_SHEETS: they need the figures only."""
    branch, report = load(raw, today)
    result = Refresh(today, branch, report)
    if not result.runnable:
        return result
    cutoff = branch.settings.cutoff_for(today)
    result.scores = score(branch, report, cutoff)
    old = parse_history(table_below(raw.sheet(layout.HISTORY_SHEET), "周次"))
    result.history = update_history(old, week_label(today), cutoff, result.scores.groups)
    rows = counted(branch, report)
    result.orglife = org_life(branch, rows.rows(layout.ACTIVITIES), cutoff)  # the roll-up's 三会一课落实率 needs it too
    if plan or render is None or any(name in render for name in CALENDAR_SHEETS):
        result.calendar = build_calendar(branch, today, report.bad_rows(layout.ACTIVITIES))
        result.reminders = reminders(branch, result.calendar, today, rows, result.orglife)
    result.tally = tally(branch, report, result.scores)
    result.sheets = _render(result, render)
    return result


def _render(result: Refresh, wanted: Collection[str] | None) -> list[SheetModel]:
    """The generated sheets asked for, in workbook order, rows sized for their text (`workbook.textfit`)."""
    renderers: list[tuple[tuple[str, ...], Callable[[], list[SheetModel]]]] = [
        ((layout.VALIDATION_SHEET,), lambda: [validation_sheet(result.report, result.today)]),
        ((layout.MEMBER_SCORES_SHEET,), lambda: [member_scores_sheet(result.scores)]),
        ((layout.GROUP_SCORES_SHEET,), lambda: [group_scores_sheet(result.scores)]),
        ((layout.HISTORY_SHEET,), lambda: [history_sheet(result.history)]),
        ((layout.CALENDAR_SHEET,), lambda: [calendar_sheet(result.calendar, result.branch.settings.branch, result.today)]),
        ((layout.REMINDERS_SHEET,), lambda: [reminders_sheet(result.reminders, result.today)]),
        ((layout.ORGLIFE_SHEET,), lambda: [orglife_sheet(result.orglife, result.branch.settings.branch, result.today)]),
        ((*layout.FORM_SHEETS, layout.EVAL_SUMMARY_SHEET),
         lambda: assessment_sheets(result.branch, result.report, result.scores, result.tally, result.today)),
    ]
    sheets: list[SheetModel] = []
    for names, build in renderers:
        if wanted is None or any(name in wanted for name in names):
            sheets.extend(s for s in build() if wanted is None or s.name in wanted)
    return [fit_rows(sheet) for sheet in sheets]  # every row tall enough for its wrapped text
