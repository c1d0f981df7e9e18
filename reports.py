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
ROLLUP = "rollup"


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
    paths = rollup.branch_files(folder, exclude=[target])
    if not paths:
        raise errors.NoWorkbooks(folder)
    with tqdm(total=len(paths), desc="读取各支部台账", unit="个", file=sys.stderr, disable=None) as bar:
        outcome = rollup.Rollup.of(rollup.read_branches(paths, args.today, progress=lambda _: bar.update()))
    for skipped in outcome.skipped:
        print(f"已跳过：{skipped.problem}")
        log.warning("skipped %s: %s\n%s", skipped.path, skipped.problem, skipped.trace)
    for note in outcome.notes:
        print(note)
    if not outcome.read:
        print("没有一个工作簿能够读取，未生成汇总。请按上面的提示处理后重新运行。")
        return outcome.exit_code
    written = rollup.write_rollup(outcome, target, args.today)
    print(f"已生成汇总：{written}（{len(outcome.read)} 个支部，跳过 {len(outcome.skipped)} 个文件）")
    return outcome.exit_code


def add_out_folder(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", metavar="文件夹", help=f"报表放在哪个文件夹，默认总台账旁边的 {REPORT_DIR}/")


def add_no_pdf(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-pdf", action="store_true", help="不生成 PDF（省去调用 LibreOffice 的时间）")


def add_branches_folder(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("folder", metavar="文件夹", help="放着各支部总台账（.xlsx/.xlsm）的文件夹")


def add_out_rollup(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", metavar="文件或文件夹",
                        help=f"汇总工作簿的路径（.xlsx），或放它的文件夹；默认 文件夹/{REPORT_DIR}/{rollup.ROLLUP_NAME}")


REPORT = "report"  # the command run when the first argument is a path: python reports.py PATH
COMMANDS = {
    REPORT: Command(cmd_report, "给上级党委的年度报表：工作簿（含图表）、网页和 PDF", (add_path, add_out_folder, add_no_pdf)),
    ROLLUP: Command(cmd_rollup, "汇总：读取文件夹中各支部的总台账，生成一份对比工作簿", (add_branches_folder, add_out_rollup)),
}


def build_parser() -> argparse.ArgumentParser:
    return cli_parser("reports.py", "给上级党委的报表。python reports.py 路径：本支部的年度报表；"
                      "python reports.py rollup 文件夹：汇总各支部。", COMMANDS)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in (*COMMANDS, "-h", "--help"):
        argv.insert(0, REPORT)  # python reports.py PATH
    args = build_parser().parse_args(argv)
    where = Path(args.folder) / rollup.ROLLUP_NAME if args.command == ROLLUP else Path(args.path)
    log_file = setup_logging(where)
    log.info("command %s %s", args.command, where)
    return run_guarded(lambda: COMMANDS[args.command].handler(args), f"reports.py {args.command}", log, log_file)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # output piped into `head` or a closed window: nothing left to say
        sys.exit(errors.EXIT_OK)
