"""The button on desktop Excel (Windows, COM): render the generated sheets once, copy them in.

A click renders every generated sheet with the file writer's own renderer (`render_xlsx`:
styles, drop-downs, print setup, protection, conditional formats, charts, buttons) into a
temporary .xlsx (`write_temp`, no Excel call), opens it hidden in the calling book's Excel and
replaces the book's generated sheets by copies (`replace_generated`). The number of Excel
calls does not grow with the branch: 31 for the copy-in of the demo's 13 sheets (book as saved,
nothing pointing at them), where each sheet would cost 2 or more.

The order keeps what staff typed. Formulas, defined names and chart series that point at a
generated sheet (`=个人积分!D5`) must survive, and Excel rewrites them when a sheet is renamed
and turns them into #REF! for good when it is deleted. Which sheets and names point there is
read from the saved file (`workbook.references`, no Excel call); for a book changed since it
was saved, the sheets holding formulas are looked at too (one `UsedRange.HasFormula` a sheet),
and every defined name when their number changed. Then one of two ways:

The direct way, when nothing points at a generated sheet and the old ones stand together in our
order (the usual case: 7 calls for any number of sheets):
1. the old sheets are moved, in one call (`Sheets(Array(...)).Move`, pywin32 passes the tuple of
   names as Excel's array), to the front of the temporary book; their names are free now, and
   they are kept there whole;
2. the rendered sheets are copied in, in one call, where the old ones stood, under their names.
A failed copy deletes whatever of the copies arrived and moves the old sheets back (they were
named "X (2)" beside the rendered ones, so they get their names again); the book is as it was.
A failed move changes nothing, and the re-targeting way is taken instead (it moves no sheet to
another book). Closing the temporary book unsaved takes the old sheets away.
No rename is needed, and none could be skipped the other way: a copy cannot land under a name
that is taken, and deleting the old sheets first would leave nothing to roll back to.

The re-targeting way, when something points at a generated sheet (2 calls a sheet more):
1. the old generated sheets are renamed `旧~个人积分` (Excel re-points every reference);
2. the rendered sheets are copied in before them, landing under their real names;
3. the references are re-targeted: one `Cells.Replace("旧~", "")` on each sheet holding such a
   formula, and each defined name naming an old sheet gets its RefersTo set again;
4. the old sheets are deleted.
A failure in 1-2 deletes the copies and renames the old sheets back; a failure in 3-4 keeps the
old sheets (as `旧~…`) rather than delete what a formula may still need, and says so.
References a Replace cannot reach (a chart of a staff sheet, a drop-down, a pivot table) get one
warning line (and take the re-targeting way, which leaves them no worse than a delete).

Where the sheets stand is asked of Excel (`SHEET()`, two calls for 13 names), once a click, even
for a book as saved: a file changed behind Excel's back must not misplace the copies. Alerts, screen updating and calculation are off meanwhile and restored
after, each on its own, also on failure (Excel restores none of them after cross-process code).
Events are left alone. The buttons of the copies must run the calling book's macro, not the
temporary file's: the first copy's OnAction is read and, only if Excel made it point elsewhere,
Excel is asked once to change the link to the temporary book into one to the workbook itself
(`Workbook.ChangeLink`, documented as "changes a link from one document to another"; that the
workbook itself is accepted as the other document is not documented, so the first button is read
again), and only if that did not help, each copy's buttons are re-pointed (3 calls a sheet).
No link to the temporary file stays (`LinkSources`), it is closed and deleted, and the user's
sheet and cell are selected again. Limits: Windows only (macOS goes through `macros.blocks`);
whether Excel behaves as the recording stand-in in `tests/com_standin.py` says (the group move,
ChangeLink to the book itself) is checked on a real PC by `python -m macros 自检`.
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbook import errors, layout, render_xlsx, xlsm
from workbook.fingerprints import FINGERPRINT_NAME, fingerprint_model
from workbook.references import References
from workbook.sheetmodel import SheetModel

from .comread import ComBook

log = logging.getLogger("workbench.macros")
PREFIX = "旧~"  # the old generated sheets' names while their copies come in
FIND_PREFIX = "旧~~"  # the same for Excel's Find/Replace, where ~ escapes (~~ is one ~)
TEMP_PREFIX = "~工作台账刷新-"
STALE_AFTER = 3600.0  # seconds: temporary files older than this are left over from a crash
XL_MANUAL, XL_R1C1, XL_LINK_EXCEL, XL_PART, XL_FORMULAS = -4135, -4150, 1, 2, -4123
GUIDE_SHEETS = (layout.GUIDE, *layout.HELPER_SHEETS, xlsm.CONF_SHEET)  # ours, never typed into: not searched for new formulas


@dataclass
class CopyIn:
    """What a copy-in did: the sheets written, the buttons' state, warnings for the message."""

    written: list[str]
    buttons: str = "none"  # "local": Excel kept our macro; "re-pointed"; "none": no buttons
    on_action: str = ""  # the first copy's OnAction as Excel left it (the self-test reports it)
    retargeted: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


# --- the temporary workbook -------------------------------------------------------------------------

def temp_folder() -> Path:
    """Outside the workbook's folder (which OneDrive may sync)."""
    return Path(tempfile.gettempdir())


def remove_stale(folder: Path, now: float | None = None) -> None:
    """Temporary workbooks left by a click that crashed, older than an hour."""
    now = time.time() if now is None else now
    for path in folder.glob(f"{TEMP_PREFIX}*.xlsx"):
        try:
            if now - path.stat().st_mtime > STALE_AFTER:
                path.unlink()
        except OSError:
            continue


def write_temp(models: list[SheetModel], folder: Path | None = None) -> Path:
    """The models rendered by the file writer's renderer into a new .xlsx, each with its
    fingerprint as a hidden sheet-local name (as the package writer stores it). No Excel call."""
    folder = folder or temp_folder()
    remove_stale(folder)
    handle, name = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-", suffix=".xlsx", dir=folder)
    os.close(handle)
    path = Path(name)
    book = render_xlsx.new_workbook(str(path))
    for model in models:
        render_xlsx.add_sheet(book, model)
        quoted = "'" + model.name.replace("'", "''") + "'"
        book.define_name(f"{quoted}!{FINGERPRINT_NAME}", f'="{fingerprint_model(model)}"')
    book.close()
    _hide_names(path, FINGERPRINT_NAME)
    return path


def _hide_names(path: Path, name: str) -> None:
    """xlsxwriter cannot hide a name it defines: add hidden="1" in xl/workbook.xml (one part rewritten)."""
    rewritten = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(rewritten, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/workbook.xml":
                data = data.replace(f'<definedName name="{name}"'.encode(), f'<definedName name="{name}" hidden="1"'.encode())
            target.writestr(info, data)
    os.replace(rewritten, path)


# --- Excel's state while we work ----------------------------------------------------------------------

@contextmanager
def quiet(app):
    """Alerts, screen updating and calculation off; each restored on its own after, also on failure."""
    saved = {"DisplayAlerts": app.DisplayAlerts, "ScreenUpdating": app.ScreenUpdating, "Calculation": app.Calculation}
    wanted = {"DisplayAlerts": False, "ScreenUpdating": False, "Calculation": XL_MANUAL}
    changed = [key for key, value in wanted.items() if saved[key] != value]
    try:
        for key in changed:
            setattr(app, key, wanted[key])
        yield
    finally:
        for key in reversed(changed):
            try:
                setattr(app, key, saved[key])
            except Exception:  # one failing restore must not leave the others off
                log.warning("could not restore %s", key, exc_info=True)


def where_user_is(app) -> str | None:
    """The active cell as an external R1C1 reference ("[台账.xlsm]个人积分!R5C3"), for Goto afterwards."""
    try:
        return app.ActiveCell.GetAddress(True, True, XL_R1C1, True)
    except Exception:  # a chart sheet is active, or no cell: nothing to go back to
        return None


def positions(context, names: list[str]) -> tuple[dict[str, int], int]:
    """(1-based position of each named sheet that exists, number of sheets), by Excel's SHEET():
    one Evaluate per five names or so (Evaluate takes at most 255 characters)."""
    def term(name: str) -> str:
        return 'IFERROR(SHEET("' + name.replace('"', '""') + '"),0)'

    chunks, chunk = [], []
    for name in names:
        if chunk and len('&","&'.join(term(n) for n in chunk + [name]) + '&","&SHEETS()') > 255:
            chunks.append(chunk)
            chunk = []
        chunk.append(name)
    chunks.append(chunk)
    found, count = {}, 0
    for number, part in enumerate(chunks):
        last = number == len(chunks) - 1
        formula = '&","&'.join(term(n) for n in part) + ('&","&SHEETS()' if last else "")
        values = [int(float(v)) for v in str(context.Evaluate(formula)).split(",")]
        if last:
            count = values.pop()
        found.update({n: v for n, v in zip(part, values) if v})
    return found, count


def runs(order: list[str], present: dict[str, int]) -> list[tuple[int | None, list[str]]]:
    """The sheets to write grouped into runs that stand together, in our order, in the book:
    [(position of the run's first old sheet, names)]; sheets not in the book yet: (None, names)."""
    result: list[tuple[int | None, list[str]]] = []
    for name in order:
        index = present.get(name)
        last = result[-1] if result else None
        if index is not None and last and last[0] is not None and last[0] + len(last[1]) == index:
            last[1].append(name)
        elif index is None and last and last[0] is None:
            last[1].append(name)
        else:
            result.append((index, [name]))
    return result


def _group(collection, keys: list):
    return collection(tuple(keys)) if len(keys) > 1 else collection(keys[0])


def excel_name(sheet: str, name: str) -> str:
    """A sheet-level defined name as `Workbook.Names` takes it: 'Sheet'!name."""
    return "'" + sheet.replace("'", "''") + "'!" + name


# --- the copy-in -----------------------------------------------------------------------------------------

@dataclass
class _Click:
    """One copy-in's working state."""

    book: ComBook
    names: list[str]
    refs: References | None
    saved: bool
    error: type = Exception
    all_names: bool = False  # names may have changed since the save: look at every defined name
    present: dict[str, int] = field(default_factory=dict)
    count: int = 0
    old: dict[str, Any] = field(default_factory=dict)  # generated name -> handle of the old sheet, renamed
    copied: list[str] = field(default_factory=list)


def replace_generated(book: ComBook, temp: Path, names: list[str], macro: str | None, refs: References | None,
                      error=Exception) -> CopyIn:
    """Replace (at the same place) or add each generated sheet of the book by a copy of the sheet
    of the same name in the temporary workbook `temp`; see the module docstring for the order.

    `names` are generated sheets only (the caller renders nothing else); `macro` is the Sub the
    copies' 刷新 buttons must run (None: an .xlsx without buttons); `refs` what the saved file
    says points at generated sheets (None: the file could not be read); `error` is the COM error
    class. The temporary file is deleted in every case.
    """
    wb = book.wb
    app = book.app
    where = where_user_is(app)
    click = _Click(book, names, refs, saved=bool(refs is not None and book.saved), error=error)
    click.present, click.count = _positions(click)
    targets = _targets(click)
    run = _direct_run(click, targets)
    temp_book = None
    done = CopyIn(names)
    with quiet(app):
        try:
            temp_book = app.Workbooks.Open(str(temp), 0, True)  # UpdateLinks=0, ReadOnly=True
            temp_book.Windows(1).Visible = False
            temp_sheets = temp_book.Worksheets
            if run is None or not _swap(click, temp_sheets, run, error):
                _bring_in(click, temp_sheets, targets, error)
                done.retargeted, done.warnings = _finish(click, targets)
            if macro:
                done.buttons, done.on_action = _point_buttons(book, names, macro, _book_name(where, wb), temp)
            _break_links(wb, temp)
        finally:
            _close(temp_book, temp)
            if where:
                _goto(app, where)
    done.warnings += (refs.unfixable if refs is not None else [])
    return done


def _positions(click: _Click) -> tuple[dict[str, int], int]:
    """Where the sheets to write stand, by `positions` (Excel's SHEET(): asked once a click, the check for
    foreign sheets may have asked already). Not from the saved file even when Excel says the book is as
    saved: a file changed behind Excel's back (a sync client) would put the copies in the wrong place or
    beside the old sheets as "X (2)", for the price of two calls saved."""
    book = click.book
    if book.layout is None or book.layout[0] != tuple(click.names):
        book.layout = (tuple(click.names), *positions(_context(book), click.names))
    return dict(book.layout[1]), book.layout[2]


def _context(book: ComBook):
    """A worksheet to Evaluate on: one the click already holds, else the first."""
    return next(iter(book.handles.values()), None) or book.sheets(1)


def _book_name(where: str | None, wb) -> str:
    if where and "[" in where and "]" in where:
        return where[where.index("[") + 1: where.index("]")]
    return wb.Name


def _bring_in(click: _Click, temp_sheets, targets: list[str], error) -> None:
    """Steps 1-2 (and the check that step 3 can run): rename the old sheets, copy the new ones in.
    A failure deletes the copies and renames the old sheets back."""
    try:
        for name in click.present:
            sheet = click.book.handles.get(name) or click.book.sheets(name)  # by name: never another sheet
            sheet.Name = PREFIX + name
            click.old[name] = sheet
        for first, group in runs(click.names, click.present):
            source = _group(temp_sheets, group)
            if first is None:
                source.Copy(After=click.book.sheets(click.count))
            else:
                source.Copy(Before=click.old[group[0]])
            click.count += len(group)
            click.copied += group
        _check_targets(click, targets)
    except Exception as exc:
        _roll_back(click)
        raise _protected(click.book.wb, exc, error) from exc


def _direct_run(click: _Click, targets: list[str]) -> tuple[int, list[str]] | None:
    """(position, names) when the old sheets can simply make way: nothing points at a generated sheet
    (the saved file says so, no sheet needs re-targeting, no defined name is in doubt) and the sheets
    to write all stand together in the book, in our order. None: the rename-and-re-target way."""
    if click.refs is None or click.refs or targets or click.all_names:
        return None
    found = runs(click.names, click.present)
    if len(found) != 1 or found[0][0] is None:
        return None
    return found[0]


def _swap(click: _Click, temp_sheets, run: tuple[int, list[str]], error) -> bool:
    """The direct way: move the old sheets, in one call, to the front of the temporary book (their
    names are free then, and they are kept there whole), copy the new ones in at their place in one
    call. A failed copy moves the old sheets back (`_move_back`); the temporary book, closed unsaved,
    takes the old sheets with it. False when the move failed (nothing changed): the caller goes the
    re-targeting way, which never moves a sheet to another book."""
    first, group = run
    book = click.book
    for name in group:  # these handles are about to name sheets of the temporary book
        book.handles.pop(name, None)
        book.used.pop(name, None)
    try:
        _group(book.sheets, group).Move(Before=temp_sheets(1))
    except Exception:
        log.warning("could not move the old generated sheets to the temporary book; renaming them instead", exc_info=True)
        return False
    try:
        source = _group(temp_sheets, click.names)
        if first <= click.count - len(group):
            source.Copy(Before=book.sheets(first))
        else:
            source.Copy(After=book.sheets(first - 1))
    except Exception as exc:
        _move_back(click, temp_sheets, run)
        raise _protected(book.wb, exc, error) from exc
    return True


def _move_back(click: _Click, temp_sheets, run: tuple[int, list[str]]) -> None:
    """After a failed copy: delete whatever of the new sheets arrived, move the old ones back to their
    place and give them their names again (Excel named them "X (2)" beside the new ones; they are
    renamed by those names, never by position). Each step on its own."""
    first, group = run
    book = click.book
    try:
        moved = [str(temp_sheets(index).Name) for index in range(1, len(group) + 1)]
        found, _ = positions(_context(book), [*click.names, *moved])
        arrived = [name for name in click.names if name in found]
        if arrived:
            _group(book.sheets, arrived).Delete()
        left = click.count - len(group)
        back = _group(temp_sheets, moved)
        if first <= left:
            back.Move(Before=book.sheets(first))
        else:
            back.Move(After=book.sheets(first - 1))
    except Exception:
        log.exception("could not move the old generated sheets %s back", group)
        return
    if any(name in found for name in moved):  # a sheet of the book has such a name: Excel chose others
        log.error("the old generated sheets came back under other names than %s", moved)
        return
    for was, name in zip(moved, group):
        try:
            if was != name:
                book.sheets(was).Name = name
        except Exception:
            log.exception("could not rename %s back to %s", was, name)


def _roll_back(click: _Click) -> None:
    """Delete the copies, give the old sheets their names back (each step on its own)."""
    if click.copied:
        try:
            _group(click.book.sheets, click.copied).Delete()
        except Exception:
            log.exception("could not delete the copies %s", click.copied)
    for name, sheet in click.old.items():
        try:
            sheet.Name = name
        except Exception:
            log.exception("could not rename %s back", name)


def _protected(wb, exc: Exception, error) -> Exception:
    """The Chinese error when the workbook's structure is protected, else the error itself."""
    if isinstance(exc, errors.WorkbenchError):
        return exc
    try:
        if wb.ProtectStructure:
            return errors.WorkbookProtected(wb.Name)
    except error:
        pass
    return exc


def _targets(click: _Click) -> list[str]:
    """The sheets whose formulas may point at the sheets being replaced.

    Book as saved: what the saved file says (no Excel call). Changed since the save: also every
    other sheet holding formulas (one call a sheet: `UsedRange.HasFormula`), found among the
    saved file's sheets, or among all of Excel's when sheets were added, removed or renamed since;
    and when the number of defined names differs from the file's, every name is looked at.
    File unreadable: every other sheet holding formulas, every name.
    """
    refs = click.refs
    if refs is not None and click.saved:
        return list(refs.formula_sheets)
    click.all_names = refs is None or click.book.wb.Names.Count != refs.name_count
    if refs is None or click.count != len(refs.sheets):
        return _with_formulas(click, _other_sheets(click, _listed(click)))
    try:
        found = _with_formulas(click, _other_sheets(click, refs.sheets))
    except click.error:  # a sheet renamed since the save
        found = _with_formulas(click, _other_sheets(click, _listed(click)))
    return list(dict.fromkeys([*refs.formula_sheets, *found]))


def _listed(click: _Click) -> list[str]:
    """Every sheet name as Excel has it now (two calls a sheet, once a click)."""
    if click.book.names is None:
        click.book.names = [sheet.Name for sheet in click.book.sheets]
    return click.book.names


def _other_sheets(click: _Click, names: list[str]) -> list[str]:
    written = set(click.names)
    return [n for n in names if n not in written and n not in GUIDE_SHEETS]


def _with_formulas(click: _Click, names: list[str]) -> list[str]:
    def has(name: str) -> bool:
        used = click.book.used.get(name) or click.book.sheet(name).UsedRange
        return used.HasFormula is not False

    return [name for name in names if has(name)]


def _check_targets(click: _Click, targets: list[str]) -> None:
    """A protected sheet cannot be re-targeted: if one holds a formula naming an old sheet, stop (rolled back)."""
    for name in targets:
        sheet = click.book.sheet(name)
        if sheet.ProtectContents and sheet.Cells.Find(What=FIND_PREFIX, LookIn=XL_FORMULAS, LookAt=XL_PART) is not None:
            raise errors.SheetProtected(name)


def _finish(click: _Click, targets: list[str]) -> tuple[list[str], list[str]]:
    """Steps 3-4: re-target the references, delete the old sheets. A failure keeps the old sheets."""
    done: list[str] = []
    try:
        for name in targets:
            if click.book.sheet(name).Cells.Replace(What=FIND_PREFIX, Replacement="", LookAt=XL_PART, MatchCase=False):
                done.append(name)
        done += _retarget_names(click)
    except Exception:
        log.exception("re-targeting failed; the old generated sheets are kept")
        return done, [_kept_line(click)]
    if click.old:
        try:
            _group(click.book.sheets, [PREFIX + name for name in click.old]).Delete()
        except Exception:
            log.exception("could not delete the old generated sheets")
            return done, [_kept_line(click)]
    return done, []


def _kept_line(click: _Click) -> str:
    kept = "、".join(f"“{PREFIX}{name}”" for name in click.old)
    return f"注意：旧的生成表没有删除，保留为 {kept}（新的生成表已写好）。确认引用它们的公式无误后，可以手工删除这些表。"


def _retarget_names(click: _Click) -> list[str]:
    """Defined names that named an old sheet get their RefersTo again, without the prefix."""
    if click.all_names:
        found = [(None, item) for item in click.book.wb.Names]
    else:
        wanted = [name if sheet is None else excel_name(sheet, name) for name, sheet in click.refs.names]
        found = [(key, click.book.wb.Names(key)) for key in wanted]
    done = []
    for key, item in found:
        text = item.RefersTo
        if PREFIX in text:
            item.RefersTo = text.replace(PREFIX, "")
            done.append(key or item.Name)
    return done


def _point_buttons(book: ComBook, names: list[str], macro: str, own: str, temp: Path) -> tuple[str, str]:
    """Read the first copy's button; only if Excel pointed it at another book, first ask Excel to change
    the link to that book into one to this book itself (`ChangeLink`, one call for every button), and
    only if the first button still does not run our macro then, re-point every copy's."""
    first = book.sheets(names[0])
    buttons = first.Buttons()
    on_action = str(buttons.OnAction or "")
    if is_local(on_action, macro, own):
        return "local", on_action
    if _relink(book.wb, temp, book.fullname) and is_local(str(buttons.OnAction or ""), macro, own):
        return "relinked", on_action
    buttons.OnAction = macro
    for name in names[1:]:
        book.sheets(name).Buttons().OnAction = macro
    return "re-pointed", on_action


def _relink(wb, temp: Path, own: str | None) -> bool:
    """Change the link to the temporary book into one to the workbook itself; False when Excel refuses."""
    try:
        for link in wb.LinkSources(XL_LINK_EXCEL) or ():
            if Path(str(link)).name.casefold() == temp.name.casefold():
                wb.ChangeLink(Name=link, NewName=own or wb.FullName, Type=XL_LINK_EXCEL)
                return True
    except Exception:
        log.info("Excel did not change the link to %s into one to the workbook itself", temp.name, exc_info=True)
    return False


def is_local(on_action: str, macro: str, own: str) -> bool:
    """Whether a button's OnAction runs `macro` of this book (unqualified, or qualified by its own name)."""
    book, _, sub = on_action.rpartition("!")
    return sub == macro and book.strip("'").replace("[0]", "") in ("", own)


def _break_links(wb, temp: Path) -> None:
    for link in wb.LinkSources(XL_LINK_EXCEL) or ():
        if Path(str(link)).name.casefold() == temp.name.casefold():
            wb.BreakLink(Name=link, Type=XL_LINK_EXCEL)


def _close(temp_book, temp: Path) -> None:
    """Close the temporary book and delete its file (antivirus may hold it a moment)."""
    if temp_book is not None:
        try:
            temp_book.Close(False)
        except Exception:
            log.warning("could not close %s", temp, exc_info=True)
    for attempt in range(3):
        try:
            temp.unlink(missing_ok=True)
            return
        except OSError:
            time.sleep(0.2 * (attempt + 1))
    log.warning("could not delete %s; the next click removes it once it is an hour old", temp)


def _goto(app, where: str) -> None:
    try:
        app.Goto(where)
    except Exception:
        log.warning("could not go back to %s", where, exc_info=True)
