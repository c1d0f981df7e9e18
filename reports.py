"""Reports for the upper committee (上级党委): python reports.py PATH | python reports.py rollup FOLDER

`reports.py PATH` writes the branch's yearly report (workbook with charts, HTML page, PDF)
into `报表/` beside the master; `reports.py rollup FOLDER` reads every branch workbook of a
folder in parallel and writes one workbook comparing them. Like sync.py: thin handlers,
Chinese messages, documented exit codes (0 fine; 1 the report was written but the data had
errors, or some workbooks were skipped; 2 cannot run; 3 a report file is open elsewhere),
and the details in the log file. Neither command changes the master workbook.
"""

from __future__ import annotations

from services.interpreter import invocation, require_packages

require_packages()  # first: a Python without our packages (say the system's) gets one Chinese message, no traceback

import argparse
import datetime as dt
import logging
import sys
from pathlib import Path

from tqdm import tqdm

from services import rollup
from services.cli import Command, add_path, run_guarded
from services.cli import build_parser as cli_parser
from services.logs import setup_logging
from services.memory import paused_gc
from services.report_html import REPORT_DIR, ReportFiles, write_report
from workbook import errors
from workbook.reader import read_book
from workplan import pipeline, summary
from workplan.report import year_report

log = logging.getLogger("workbench.reports")
ROLLUP, EXPORT = "rollup", "export"
EXPORT_BOOK = "党建台账数据.xlsx"  # services.export.BOOK_NAME, for the log's place (without importing pandas)


def cmd_report(args: argparse.Namespace) -> int:
    """The yearly report of one master workbook."""
    path = Path(args.path)
    with paused_gc():
        result = pipeline.refresh(read_book(path, pipeline.wanted_for_refresh()), args.today, pipeline.NO_SHEETS)
    for finding in result.report.sorted():
        log.info("finding %s %s", finding.code, finding.describe())
    figures = year_report(pipeline.require_runnable(result, str(path)))
    files = write_report(figures, Path(args.out) if args.out else path.parent / REPORT_DIR, want_pdf=not args.no_pdf)
    print_files(files, figures.span.end)
    if result.report.errors:
        for line in summary.validation_summary(result.report, path.name):
            print(line)
        print(f"注意：有错误的行没有计入报表。请运行 {invocation('sync.py', 'validate', str(path))} 查看全部问题，改正后重新生成。")
        return errors.EXIT_FINDINGS
    return errors.EXIT_OK


def print_files(files: ReportFiles, until: dt.date) -> None:
    print(f"已生成年度报表（统计到 {until.isoformat()}）：")
    print(f"  工作簿（含图表）：{files.workbook}")
    print(f"  网页（可用浏览器打开或直接发送）：{files.html}")
    print(f"  图表图片 {len(files.images)} 张：{files.images[0].parent if files.images else '无'}")
    if files.pdf:
        print(f"  PDF：{files.pdf}")
    for notice in files.notices:
        print(notice)
    log.info("report written: %s, %s, pdf %s; notices %s", files.workbook, files.html, files.pdf, files.notices)


def cmd_rollup(args: argparse.Namespace) -> int:
    """One workbook comparing every branch workbook of a folder."""
    folder = rollup.check_folder(Path(args.folder))
    target = rollup.output_path(folder, args.out)
    outcome = read_folder(folder, args.today, rollup.read_branch, exclude=target)
    if not outcome.read:
        print("没有一个工作簿能够读取，未生成汇总。请按上面的提示处理后重新运行。")
        return outcome.exit_code
    written = rollup.write_rollup(outcome, target, args.today)
    print(f"已生成汇总：{written.workbook}（{len(outcome.read)} 个支部，跳过 {len(outcome.skipped)} 个文件）")
    print(f"  网页（含图表，可用浏览器打开或直接发送）：{written.html}")
    for notice in written.notices:
        print(notice)
    return outcome.exit_code


def cmd_export(args: argparse.Namespace) -> int:
    """The frames of one master, or of a folder of branches, as CSV files and one workbook (no phone numbers)."""
    from services import export  # pandas: only this command loads it

    source = Path(args.path)
    if source.is_dir():
        outcome = read_folder(rollup.check_folder(source), args.today, rollup.read_branch_frames)
        if not outcome.read:
            print("没有一个工作簿能够读取，未导出。请按上面的提示处理后重新运行。")
            return outcome.exit_code
        frames, code, title = export.branch_frames(outcome.read), outcome.exit_code, f"{source.name} 各支部数据"
        folder = Path(args.out) if args.out else source / export.EXPORT_DIR
    else:
        result, frames = export.master_frames(source, args.today)
        code = errors.EXIT_FINDINGS if result.report.errors else errors.EXIT_OK
        title, folder = f"{result.branch.settings.branch}数据", Path(args.out) if args.out else source.parent / export.EXPORT_DIR
    if folder.exists() and not folder.is_dir():
        raise errors.ExportOutNotAFolder(folder)
    files = export.write_export(frames, folder, title)
    print(f"已导出 {len(files.csvs)} 张表（不含手机号）到 {files.folder}：")
    print(f"  CSV 文件（UTF-8，Excel 可直接打开）：{'、'.join(p.name for p in files.csvs)}")
    print(f"  工作簿（每张表一页）：{files.book}")
    if code == errors.EXIT_FINDINGS and not source.is_dir():
        print(f"注意：台账有校验错误，这些行在“{export.ERROR}”列标为“是”。请运行 "
              f"{invocation('sync.py', 'validate', str(source))} 查看全部问题。")
    return code


def read_folder(folder: Path, today: dt.date, read: rollup.Reader, exclude: Path | None = None) -> rollup.Rollup:
    """Every branch workbook of `folder` read in worker processes with a progress bar; the skipped files said."""
    paths = rollup.branch_files(folder, exclude=[exclude] if exclude else [])
    if not paths:
        raise errors.NoWorkbooks(folder)
    with tqdm(total=len(paths), desc="读取各支部台账", unit="个", file=sys.stderr, disable=None) as bar:
        outcome = rollup.Rollup.of(rollup.read_branches(paths, today, progress=lambda _: bar.update(), read=read))
    for skipped in outcome.skipped:
        print(f"已跳过：{skipped.problem}")
        log.warning("skipped %s: %s\n%s", skipped.path, skipped.problem, skipped.trace)
    for note in outcome.notes:
        print(note)
    return outcome


def add_out_folder(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", metavar="文件夹", help=f"报表放在哪个文件夹，默认总台账旁边的 {REPORT_DIR}/")


def add_no_pdf(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-pdf", action="store_true", help="不生成 PDF（省去调用 LibreOffice 的时间）")


def add_branches_folder(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("folder", metavar="文件夹", help="放着各支部总台账（.xlsx/.xlsm）的文件夹")


def add_out_rollup(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", metavar="文件或文件夹",
                        help=f"汇总工作簿的路径（.xlsx），或放它的文件夹；默认 文件夹/{REPORT_DIR}/{rollup.ROLLUP_NAME}")


def add_export_source(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", metavar="路径或文件夹", help="一份总台账，或放着各支部总台账的文件夹")


def add_out_export(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", metavar="文件夹", help="导出到哪个文件夹，默认总台账旁边（或文件夹里）的 导出/")


REPORT = "report"  # the command run when the first argument is a path: python reports.py PATH
COMMANDS = {
    REPORT: Command(cmd_report, "给上级党委的年度报表：工作簿（含图表）、网页和 PDF", (add_path, add_out_folder, add_no_pdf)),
    ROLLUP: Command(cmd_rollup, "汇总：读取文件夹中各支部的总台账，生成一份对比工作簿（含全镇党员、党小组排名和各月出勤）和网页",
                    (add_branches_folder, add_out_rollup)),
    EXPORT: Command(cmd_export, "导出：一份总台账或一个文件夹中各支部的数据，存为 CSV 文件和一个工作簿（不含手机号）",
                    (add_export_source, add_out_export)),
}


def build_parser() -> argparse.ArgumentParser:
    return cli_parser("reports.py", "给上级党委的报表。python reports.py 路径：本支部的年度报表；"
                      "python reports.py rollup 文件夹：汇总各支部；python reports.py export 路径或文件夹：导出数据。", COMMANDS)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in (*COMMANDS, "-h", "--help"):
        argv.insert(0, REPORT)  # python reports.py PATH
    args = build_parser().parse_args(argv)
    if args.command == ROLLUP:
        where = Path(args.folder) / rollup.ROLLUP_NAME
    else:
        where = Path(args.path) / EXPORT_BOOK if Path(args.path).is_dir() else Path(args.path)
    log_file = setup_logging(where)
    log.info("command %s %s", args.command, where)
    return run_guarded(lambda: COMMANDS[args.command].handler(args), f"reports.py {args.command}", log, log_file)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # output piped into `head` or a closed window: nothing left to say
        sys.exit(errors.EXIT_OK)
