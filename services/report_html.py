"""The yearly report's files: the workbook, the HTML page with PNG charts, and the PDF.

`write_report` renders one `YearReport` into a folder (by default `报表/` beside the master):

- `<支部><年度>年度报表.xlsx` — one sheet per section, native Excel charts;
- `<…>.html` — one self-contained page (charts embedded), opens in any browser and can be
  sent as a single file; the same charts as PNG files in `图表/`, for pasting into Word;
- `<…>.pdf` — LibreOffice's print of the workbook, when LibreOffice is installed.

Every file is written beside its final name, flushed and moved into place
(`safety.atomic_write_bytes`; a workbook is built in a scratch folder first), so a file
open in Excel or a browser is never left half-written: ReportOpen says to close it,
ReportWriteFailed says why a write failed. PNGs of an earlier run that this run does not
draw again are removed from `图表/`. Problems that leave the other files usable (no
LibreOffice, no Chinese font, PDF failure) come back as Chinese notices, not exceptions.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import logging
import re
import tempfile
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xlsxwriter.exceptions import FileCreateError

from services.charts import chart_png, cjk_font, no_font_notice
from services.pdf import PdfFailed, find_soffice, not_installed, pdf_bytes
from workbook import errors
from workbook.errors import OutNotAFolder, ReportOpen
from workbook.render_xlsx import write_standalone
from workbook.safety import atomic_write_bytes, in_use, is_open_elsewhere
from workplan.forms import safe_file_part
from workplan.report import Share, YearReport
from workplan.report_tables import NONE_YET, Section, Table, report_sections, report_subtitle, report_title
from workplan.sheets.report import report_sheets

log = logging.getLogger("workbench.report")
REPORT_DIR = "报表"
IMAGE_DIR = "图表"
# Document properties of every file we write: the roll-up skips workbooks that carry them.
REPORT_MARK = "党建工作台账程序生成的报表"
STYLE = """
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", "SimHei", sans-serif;
       margin: 24px auto; max-width: 1100px; color: #222; line-height: 1.5; }
h1 { font-size: 24px; margin-bottom: 4px; }
h2 { font-size: 20px; border-bottom: 2px solid #2F5597; padding-bottom: 4px; margin-top: 36px; }
h3 { font-size: 16px; color: #1F4E79; margin: 20px 0 6px; }
p.sub { color: #555; } p.lead { font-size: 17px; font-weight: bold; color: #1F4E79; } p.note { color: #666; font-size: 13px; margin: 2px 0 6px; }
nav a { margin-right: 12px; }
table { border-collapse: collapse; margin: 6px 0 12px; font-size: 14px; }
th, td { border: 1px solid #BFBFBF; padding: 3px 8px; } th { background: #DDEBF7; }
td.num { text-align: right; } img { display: block; max-width: 100%; margin: 6px 0; break-inside: avoid; }
@media print { @page { size: A4; margin: 15mm; } h2 { page-break-before: always; } img { max-width: 16cm; } }
"""


@dataclass
class ReportFiles:
    """What `write_report` wrote, and the notices to show (missing font, no PDF)."""

    workbook: Path
    html: Path
    images: list[Path] = field(default_factory=list)
    pdf: Path | None = None
    notices: list[str] = field(default_factory=list)


def report_stem(report: YearReport) -> str:
    """The file name (without suffix) of a branch's report: 青山镇中心学校党支部2026年度报表."""
    return safe_file_part(report_title(report).replace("党建工作报表", "报表"))


def write_report(report: YearReport, folder: Path, want_pdf: bool = True) -> ReportFiles:
    """Write the workbook, the HTML page and its PNGs, and (if LibreOffice is there) the PDF."""
    if folder.exists() and not folder.is_dir():
        raise OutNotAFolder(folder)
    stem, sections = report_stem(report), report_sections(report)
    workbook = publish(folder / f"{stem}.xlsx", lambda new: write_report_workbook(report, sections, new))
    charts = {(s, t): chart_png(part) for s, section in enumerate(sections)
              for t, part in enumerate(section.tables) if part.chart_rows}
    names = {key: folder / IMAGE_DIR / f"{stem}-{key[0] + 1:02d}-{key[1] + 1}.png" for key in charts}
    remove_stale_images(folder / IMAGE_DIR, stem, keep=set(names.values()))
    images = [publish_bytes(names[key], png) for key, png in charts.items()]
    page = render_html(report_title(report), report_subtitle(report), sections, charts)
    files = ReportFiles(workbook, publish_bytes(folder / f"{stem}.html", page.encode("utf-8")), images)
    if cjk_font() is None:
        files.notices.append(no_font_notice())
    if want_pdf:
        _add_pdf(files, folder / f"{stem}.pdf")
    return files


def write_report_workbook(report: YearReport, sections: Sequence[Section], path: Path) -> Path:
    return write_standalone(path, report_sheets(report, sections), properties=document_properties(report_title(report)))


def document_properties(title: str) -> dict[str, str]:
    """The properties that mark a file as ours (see `rollup.is_our_output`)."""
    return {"title": title, "subject": REPORT_MARK, "comments": REPORT_MARK, "author": "党建工作台账"}


def remove_stale_images(folder: Path, stem: str, keep: Collection[Path]) -> None:
    """Charts of an earlier run of this report that this run does not write again (a table lost its chart)."""
    ours = re.compile(rf"{re.escape(stem)}-\d{{2}}-\d+\.png")
    for old in folder.glob("*.png") if folder.is_dir() else ():
        if ours.fullmatch(old.name) and old not in keep:
            try:
                old.unlink()
            except OSError as exc:  # open in a viewer: a stray old picture is no reason to stop
                log.warning("could not remove old chart %s: %s", old, errors.technical(exc))


def _add_pdf(files: ReportFiles, target: Path) -> None:
    soffice = find_soffice()
    if soffice is None:
        files.notices.append(not_installed())
        return
    try:
        files.pdf = publish_bytes(target, pdf_bytes(files.workbook, soffice))
    except PdfFailed as exc:
        log.warning("PDF failed: %s [%s]", exc.user_message(), exc.technical, exc_info=True)
        files.notices.append(exc.user_message())


def publish(path: Path, write: Callable[[Path], Any]) -> Path:
    """Have `write(scratch)` write the file in a scratch folder, then publish its bytes at `path`."""
    if is_open_elsewhere(path):
        raise ReportOpen(path)
    with tempfile.TemporaryDirectory(prefix="workbench-report-", ignore_cleanup_errors=True) as scratch:
        new = Path(scratch) / f"new{path.suffix}"
        with _write_errors(path, scratch=True):
            write(new)
            data = new.read_bytes()
    return publish_bytes(path, data)


def publish_bytes(path: Path, data: bytes) -> Path:
    """Write `data` beside `path`, flush it and move it into place (`safety.atomic_write_bytes`)."""
    if is_open_elsewhere(path):
        raise ReportOpen(path)
    with _write_errors(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        return atomic_write_bytes(path, data)


@contextmanager
def _write_errors(path: Path, scratch: bool = False) -> Iterator[None]:
    """A failed write as ReportWriteFailed, or ReportOpen when `path` itself is held by another program.

    Only Windows holds files open (`safety.in_use`); a refused write on POSIX is a folder
    without write permission, said as such. xlsxwriter reports a file it cannot create as
    FileCreateError around the OSError, not as an OSError.
    """
    try:
        yield
    except (OSError, FileCreateError) as exc:
        cause = exc.args[0] if isinstance(exc, FileCreateError) and exc.args else exc
        if isinstance(cause, PermissionError) and not scratch and in_use(cause, path):
            raise ReportOpen(path) from exc
        if isinstance(cause, PermissionError):
            reason = "没有写入权限"
        else:
            reason = errors.os_reason(cause) if isinstance(cause, OSError) else "无法创建文件"
        raise errors.ReportWriteFailed(path, reason, errors.technical(exc)) from exc


# --- the page ----------------------------------------------------------------------------

def render_html(title: str, subtitle: str, sections: list[Section], charts: dict[tuple[int, int], bytes]) -> str:
    """One HTML page: a heading, a table of contents, then each section's tables and charts."""
    nav = " ".join(f'<a href="#s{i + 1}">{_e(s.name)}</a>' for i, s in enumerate(sections))
    body = "\n".join(_section(i, s, charts) for i, s in enumerate(sections))
    return (
        f'<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n<title>{_e(title)}</title>\n'
        f"<style>{STYLE}</style>\n</head>\n<body>\n<h1>{_e(title)}</h1>\n<p class=\"sub\">{_e(subtitle)}</p>\n"
        f"<nav>{nav}</nav>\n{body}\n</body>\n</html>\n"
    )


def _section(index: int, section: Section, charts: dict[tuple[int, int], bytes]) -> str:
    parts = [f'<h2 id="s{index + 1}">{index + 1}. {_e(section.title)}</h2>']
    if section.lead:
        parts.append(f'<p class="lead">{_e(section.lead)}</p>')
    for t, part in enumerate(section.tables):
        parts.append(f"<h3>{_e(part.title)}</h3>")
        if part.note:
            parts.append(f'<p class="note">{_e(part.note)}</p>')
        if (index, t) in charts:
            data = base64.b64encode(charts[(index, t)]).decode("ascii")
            parts.append(f'<img alt="{_e(part.chart.title)}" src="data:image/png;base64,{data}">')
        parts.append(_table(part))
    return "<section>\n" + "\n".join(parts) + "\n</section>"


def _table(part: Table) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in part.headers)
    if not part.rows:
        return f"<table><tr>{head}</tr><tr><td colspan=\"{len(part.headers)}\">{NONE_YET}</td></tr></table>"
    rows = "\n".join("<tr>" + "".join(_cell(v) for v in row) + "</tr>" for row in part.rows)
    return f"<table>\n<tr>{head}</tr>\n{rows}\n</table>"


def _cell(value: Any) -> str:
    numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
    return f'<td class="num">{_e(show(value))}</td>' if numeric else f"<td>{_e(show(value))}</td>"


def show(value: Any) -> str:
    """A value as the page shows it: 82.5%, 83.50 (scores and averages: two decimals), 2026-03-10, blank for None."""
    if value is None:
        return ""
    if isinstance(value, Share):
        return f"{value:.1%}"
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)
