"""Command line of the branch work-plan workbench: python sync.py COMMAND PATH ...

Each command opens the workbook, calls the library, prints a short Chinese summary and
exits with a documented code (0 fine, 1 problems found in the data, 2 cannot run,
3 the workbook is busy: open in Excel or being refreshed). A known problem prints its
Chinese message; anything unexpected prints one Chinese line and goes to the log file
with its full traceback.
"""

from __future__ import annotations

from services.interpreter import invocation, require_packages

require_packages()  # first: a Python without our packages (say the system's) gets one Chinese message, no traceback

import argparse
import datetime as dt
import functools
import logging
import re
import sys
from pathlib import Path

from services import formfiles, runlog
from services.cli import Command, add_path, run_guarded, year_arg
from services.cli import build_parser as cli_parser
from services.create import build_master, default_data
from services.demo import demo_data
from services.launchers import write_launchers
from services.logs import setup_logging
from services.memory import paused_gc
from services.newyear import new_year, summary_lines
from services.savewatch import SaveTrigger
from services.watch import Watcher
from workbook import append, errors, fingerprints, layout, package, xlsm
from workbook.reader import check_file, read_book
from workbook.safety import atomic_write_bytes
from workplan import collect, forms, pipeline, summary
from workplan.ics import to_ics
from workplan.reminders import unknown_year_message
from workplan.settings import parse_refresh, read_settings

log = logging.getLogger("workbench.sync")
DEMO_PATH = Path("demo") / "党建工作台账-示例.xlsx"
ICS_NAME = "活动日历.ics"


def refresh_arg(text: str):
    """--at in the 基本设置 form: 周一 07:00."""
    try:
        return parse_refresh(text)
    except (ValueError, KeyError):
        raise argparse.ArgumentTypeError(f"时间“{text}”无法识别，请写成“周一 07:00”") from None


def can_create(path: Path, what: str, example: Path) -> bool:
    """A new master may be written at `path`: it does not exist and ends in .xlsx or .xlsm (else says why)."""
    if path.exists():
        print(f"{path} 已经存在，为避免覆盖已有数据，程序没有写入。请换一个文件名，或先把旧文件移走。")
        return False
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        print(f"{what}须以 .xlsm（带按钮）或 .xlsx 结尾，例如 {example}")
        return False
    return True


def cmd_init(args: argparse.Namespace) -> int:
    path = Path(args.path)
    if not can_create(path, "新建的总台账", path.with_suffix(".xlsm")):
        return errors.EXIT_CANNOT_RUN
    groups = [g.strip() for g in re.split(r"[,，、]", args.groups or "") if g.strip()]
    build_master(path, default_data(args.branch, args.year or args.today.year, groups))
    launchers = write_launchers(path)
    print(f"已新建总台账：{path}")
    if path.suffix.lower() == ".xlsm":
        print("“使用说明”表上有校验、刷新、日历、生成评议表、回收评议表、生成报表按钮（需在 Excel 中启用宏，见 README）。")
    print("在 WPS 或没有 Excel 的电脑上，关闭工作簿后双击旁边的 " + "、".join(p.name for p in launchers if p.suffix == ".cmd")
          + " 即可运行同样的操作。")
    print("下一步：在“基本设置”核对年度，在“党小组”“党员名册”中登记小组和党员，然后运行：")
    print(f"  {invocation('sync.py', 'validate', str(path))}")
    return errors.EXIT_OK


def cmd_newyear(args: argparse.Namespace) -> int:
    """Next year's master NEW from this year's OLD (OLD is only read)."""
    old, new = check_file(args.path), Path(args.new)
    if not can_create(new, "新年度的总台账", new.with_suffix(".xlsm")):
        return errors.EXIT_CANNOT_RUN
    with paused_gc():
        plan, loaded = new_year(old, new, args.year, args.today)
    if plan is None:
        return report_findings(old, loaded)
    for line in summary_lines(plan, old, new):
        print(line)
    if loaded.report.errors:
        print(f"注意：“{old.name}”有 {len(loaded.report.errors)} 处错误，转入的行照原样带到了新台账，请一并改正"
              f"（运行 {invocation('sync.py', 'validate', str(new))} 查看）。")
    if old.suffix.lower() == ".xlsm" and new.suffix.lower() != ".xlsm":
        print("提示：新台账是 .xlsx，没有 Excel 按钮；需要按钮请用 .xlsm 结尾的文件名。")
    return errors.EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    path = Path(args.path)
    if path.exists():
        path.unlink()
    build_master(path, demo_data(args.today))
    setup_logging(path)
    print(f"已生成示例总台账：{path}（40 名党员、4 个党小组，数据截至 {args.today}）")
    return run_refresh(path, args.today)


def cmd_validate(args: argparse.Namespace) -> int:
    path = Path(args.path)
    return report_findings(path, load_master(path, args.today))


def cmd_refresh(args: argparse.Namespace) -> int:
    return run_refresh(Path(args.path), args.today)


def cmd_calendar(args: argparse.Namespace) -> int:
    return run_refresh(Path(args.path), args.today, only=pipeline.CALENDAR_SHEETS)


def cmd_watch(args: argparse.Namespace) -> int:
    """Refresh every week at 每周刷新时间 (or --at), and after each save-and-close, until Ctrl+C."""
    path = check_file(args.path)
    when = args.at or weekly_time(path)
    watcher = Watcher(path, when.weekday, f"{when.hour:02d}:{when.minute:02d}", lambda day: run_refresh(path, day),
                      saves=SaveTrigger(path))
    try:
        watcher.start()
    except KeyboardInterrupt:
        print("已停止自动刷新。")
    return errors.EXIT_OK


def weekly_time(path: Path):
    """基本设置's 每周刷新时间; the default (周一 07:00) when the sheet cannot be read now (the watcher still starts)."""
    try:
        return read_settings(read_book(path, {layout.SETTINGS: 3}).sheet(layout.SETTINGS), dt.date.today())[0].refresh
    except BaseException as exc:
        if errors.is_ours(exc) or isinstance(exc, (errors.NoSuchFile, errors.NotAFile, errors.WrongFileType)):
            raise
        log.warning("weekly time unreadable, using the default: %s", errors.technical(exc), exc_info=True)
        fallback = read_settings(None, dt.date.today())[0].refresh
        print(f"现在无法读取“基本设置”中的每周刷新时间（{exc.user_message() if isinstance(exc, errors.WorkbenchError) else '工作簿读取出错'}），"
              f"先按 {fallback} 刷新；改正后重新启动即可按设置的时间刷新。")
        return fallback


def form_type_arg(text: str) -> forms.FormKind:
    """--type: 群众评议 or 党员评议支部 (the 评议类型 names are taken too)."""
    kind = forms.FORM_KINDS.get(text.strip()) or forms.KIND_BY_TYPE.get(text.strip())
    if kind is None:
        raise argparse.ArgumentTypeError(f"评议表类型“{text}”无效，可选：{'、'.join(forms.FORM_KINDS)}")
    return kind


def count_arg(text: str) -> int:
    """--raters: how many numbered copies (1 to 999)."""
    if not text.strip().isdigit() or not 1 <= int(text) <= forms.MAX_RATERS:
        raise argparse.ArgumentTypeError(f"评议人数“{text}”无效，请写 1 到 {forms.MAX_RATERS} 之间的整数")
    return int(text)


def round_arg(text: str) -> str:
    """--round: a short name such as 2026上半年, usable in a folder name."""
    try:
        return forms.check_round(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"轮次“{text}”不能用作文件夹名，请写成 2026上半年 这样的简短名称") from None


def load_master(path: Path, today: dt.date) -> pipeline.Refresh:
    """The master read and validated (nothing written)."""
    with paused_gc():
        return pipeline.validate_only(read_book(path, pipeline.wanted_for_refresh()), today)


def cmd_forms(args: argparse.Namespace) -> int:
    """Hand out one form per rater, in 评议表/<类型>_<轮次>/ next to the master."""
    path, kind = Path(args.path), args.type
    loaded = load_master(path, args.today)
    if not loaded.runnable:
        return report_findings(path, loaded)
    if kind is forms.MASS and not (args.raters or args.raters_file):
        print("群众评议要给出评议人：--raters 人数（表按 01、02…编号，不记名），或 --raters-file 名单文件（每行一个姓名）。")
        return errors.EXIT_CANNOT_RUN
    names = formfiles.read_rater_names(args.raters_file) if args.raters_file else ()
    round_label = args.round or forms.default_round(args.today)
    copies = forms.prepare_handouts(loaded.branch, loaded.report, kind, round_label, args.today, args.raters, names)
    folder = path.parent / forms.FORMS_FOLDER / forms.forms_folder_name(kind, round_label)
    formfiles.write_handouts(folder, copies)
    for line in forms.handout_lines(copies, folder, path, names=names, command=functools.partial(invocation, "sync.py")):
        print(line)
    return errors.EXIT_OK


def cmd_collect(args: argparse.Namespace) -> int:
    """Check the returned forms in FOLDER and add their answers to 评议记录 (never twice)."""
    path, folder = Path(args.path), Path(args.folder)
    loaded = load_master(path, args.today)
    if not loaded.runnable:
        return report_findings(path, loaded)
    if foreign := fingerprints.foreign_sheets(path, layout.GENERATED_SHEETS):  # the refresh after it would refuse
        raise errors.ForeignSheet(path, foreign)
    if forms.round_from_folder(folder.name) is None and (inner := formfiles.round_folders(folder) if folder.is_dir() else []):
        print(f"“{folder.name}”里是各轮的评议表文件夹，请指明回收哪一个，例如：")
        print("\n".join(f"  {invocation('sync.py', 'collect', str(path), str(sub))}" for sub in inner))
        return errors.EXIT_CANNOT_RUN
    round_label = args.round or forms.round_from_folder(folder.name) or forms.default_round(args.today)
    files, skipped = formfiles.returned_files(folder)
    result = collect.collect([formfiles.read_returned(f) for f in files], loaded.branch, round_label, args.today,
                             report=loaded.report)
    for finding in result.report.sorted():
        log.info("form finding %s %s", finding.code, finding.describe())
    written = write_votes(path, loaded, result) if result.rows else None  # first: if it cannot write, say only that
    for line in collect.summary_lines(result, folder.name, round_label, [p.name for p in skipped]):
        print(line)
    print(written or "没有新的评议需要写入，总台账没有改动。")
    return errors.EXIT_FINDINGS if result.report.errors else errors.EXIT_OK


def write_votes(path: Path, loaded: pipeline.Refresh, result: collect.Collection) -> str:
    """Append the new votes to 评议记录 through the safe writer; the lines saying where they went."""
    rows = result.sheet_rows(loaded.branch.table(layout.EVALUATIONS).columns)
    done = append.append_to_master(path, layout.EVALUATIONS, rows, loaded.branch.settings.keep_backups, dt.datetime.now)
    log.info("appended %d votes to %s rows %d-%d; backup %s", len(rows), path, done.result.first_row, done.result.last_row, done.backup)
    return (f"已写入“{path.name}”的“评议记录”第 {done.result.first_row} 至 {done.result.last_row} 行。写入前的备份：{done.backup}\n"
            f"下一步：运行 {invocation('sync.py', 'refresh', str(path))}，更新“评议汇总”和积分。")


def report_findings(path: Path, result: pipeline.Refresh) -> int:
    """Print the validation summary, log every finding; the exit code of the findings."""
    for line in summary.validation_summary(result.report, path.name):
        print(line)
    for finding in result.report.sorted():
        log.info("finding %s %s", finding.code, finding.describe())
    if not result.runnable:
        print("缺少必需的工作表或列，无法继续处理，工作簿没有改动。请按上面的建议恢复后再运行。")
        return errors.EXIT_CANNOT_RUN
    return errors.EXIT_FINDINGS if result.report.errors else errors.EXIT_OK


def run_refresh(path: Path, today: dt.date, only: tuple[str, ...] | None = None) -> int:
    """Read, compute and write the generated sheets (all, or `only` these) and the .ics file."""
    with paused_gc():
        result = pipeline.refresh(read_book(path, pipeline.wanted_for_refresh()), today, render=only)
    code = report_findings(path, result)
    if not result.runnable:
        runlog.append(path, dt.datetime.now(), runlog.FAILED, "缺少必需的工作表或列，没有写入")
        return code
    sheets = xlsm.with_refresh_buttons(result.sheets, path)
    calendar_file = to_ics(result.calendar, result.branch.settings.branch, dt.datetime.now(dt.timezone.utc))  # before
    edited = [name for name in fingerprints.edited_sheets(path) if name in {s.name for s in sheets}]  # the write:
    done = package.refresh_master(path, sheets, set(layout.GENERATED_SHEETS), result.branch.settings.keep_backups,
                                  dt.datetime.now)  # nothing can fail after "已写入"
    log.info("wrote %s: replaced %s, added %s; backup %s", path, done.result.replaced, done.result.added, done.backup)
    runlog.append(path, dt.datetime.now(), runlog.SUCCESS, summary.count_line(result.report) + f"写入 {len(sheets)} 张表")
    print(summary.written_line(path.name, done.result, done.backup))
    if edited:
        print(summary.edited_line(edited, done.backup))
        log.warning("generated sheets edited by hand were rewritten: %s", edited)
    if only is None:
        print(summary.scores_line(result.scores))
    print(summary.reminders_line(result))
    print(f"手机日历文件：{write_ics(path, calendar_file)}（可导入手机或电脑日历；再次导入会更新而不是重复）")
    if notice := unknown_year_message(result.calendar):
        print(notice)
    return code


def write_ics(path: Path, data: bytes) -> Path:
    """活动日历.ics next to the workbook, replaced atomically."""
    target = path.parent / ICS_NAME
    atomic_write_bytes(target, data)
    return target


def add_init(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", metavar="路径", help="新总台账的路径：.xlsm 带 Excel 按钮，.xlsx 不带")
    parser.add_argument("--branch", required=True, help="支部名称")
    parser.add_argument("--year", type=year_arg, help="工作年度，默认今年")
    parser.add_argument("--groups", help="党小组名称，用逗号分隔；由党小组组织的“十个一”活动会为每个小组各建一行")


def add_newyear(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", metavar="旧台账", help="今年的总台账（只读取，不改动）")
    parser.add_argument("new", metavar="新台账", help="新年度总台账的路径（不能已存在）：.xlsm 带 Excel 按钮，.xlsx 不带")
    parser.add_argument("--year", type=year_arg, help="新的工作年度，默认旧台账的年度加一")


def add_demo_path(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", metavar="路径", nargs="?", default=str(DEMO_PATH), help=f"示例文件路径，默认 {DEMO_PATH}")


def add_at(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--at", type=refresh_arg, help="刷新时间，如“周一 07:00”；默认取“基本设置”中的每周刷新时间")


def add_form_type(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--type", required=True, type=form_type_arg, help="评议表类型：群众评议 或 党员评议支部")


def add_raters(parser: argparse.ArgumentParser) -> None:
    raters = parser.add_mutually_exclusive_group()
    raters.add_argument("--raters", type=count_arg, help="评议人数：按 01、02…编号，不记名")
    raters.add_argument("--raters-file", help="评议人名单：.txt 每行一个姓名，或 .xlsx 第一列")


def add_folder(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("folder", metavar="文件夹", help="放交回的评议表的文件夹")


def add_round(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--round", type=round_arg, help="轮次，如 2026上半年；默认按今天（或文件夹名）确定")


COMMANDS = {
    "init": Command(cmd_init, "新建一份空白总台账", (add_init,)),
    "newyear": Command(cmd_newyear, "由今年的总台账新建下一年度的总台账：转入党员、小组、规则、发展党员和未完成的承诺（旧台账不改动）",
                       (add_newyear,)),
    "demo": Command(cmd_demo, "生成一份示例总台账（含若干故意填错的地方）并刷新", (add_demo_path,)),
    "validate": Command(cmd_validate, "校验总台账，列出需要修改的单元格（只读不写）", (add_path,)),
    "refresh": Command(cmd_refresh, "刷新：校验，并写入校验结果、积分、积分历史、活动日历和近期提醒", (add_path,)),
    "calendar": Command(cmd_calendar, "只刷新活动日历和近期提醒，并生成手机日历文件 活动日历.ics", (add_path,)),
    "watch": Command(cmd_watch, "常驻运行：每周按“基本设置”中的时间自动刷新，台账保存并关闭后也自动刷新（Ctrl+C 停止）",
                     (add_path, add_at)),
    "forms": Command(cmd_forms, "生成评议表：每名评议人一份，放在总台账旁的“评议表”文件夹中",
                     (add_path, add_form_type, add_raters, add_round)),
    "collect": Command(cmd_collect, "回收评议表：检查交回的表，把有效的评议写入“评议记录”（不会重复计入）",
                       (add_path, add_folder, add_round)),
}


def build_parser() -> argparse.ArgumentParser:
    return cli_parser("sync.py", "党建工作台账：校验、计算积分、生成日历和评议表。", COMMANDS)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    log_file = setup_logging(getattr(args, "path", "") or ".")
    handler = COMMANDS[args.command].handler
    log.info("command %s %s", args.command, getattr(args, "path", ""))
    return run_guarded(lambda: handler(args), args.command, log, log_file)

if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # output piped into `head` or a closed window: nothing left to say
        sys.exit(errors.EXIT_OK)
