"""What the command lines share: commands declared once, Chinese argparse, --today, the guarded run.

`sync.py` and `reports.py` declare each command in one place, a `Command` (its handler, its
one-line help and the functions that add its arguments), build their parser from those
with `build_parser`, and run the handler through `run_guarded`: a known problem prints its
Chinese message and exit code, anything unexpected (a library's panic included) prints one
Chinese line while the traceback goes to the log file. While a command runs, everything it
prints passes the phone-number rule (`MaskedOutput`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import re
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from workbook import errors
from workbook.privacy import mask_phones
from workbook.values import FIRST_DAY, LAST_DAY, to_date

_PATTERNS = (
    (r"the following arguments are required: (.*)", "缺少参数：{0}"),
    (r"unrecognized arguments: (.*)", "无法识别的参数：{0}"),
    (r"argument (\S+): invalid choice: (.*?) \(choose from (.*)\)", "参数 {0} 的值 {1} 无效，可选：{2}"),
    (r"argument (\S+): expected one argument", "参数 {0} 后面需要一个值"),
    (r"argument (\S+): (.*)", "参数 {0} 有误：{1}"),
)


class _ChineseHelp(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, "用法：" if prefix is None else prefix)


class ChineseParser(argparse.ArgumentParser):
    """argparse with its help and usage errors in Chinese, pointing at the program's own -h."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _ChineseHelp)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title, self._optionals.title = "参数", "选项"
        self.add_argument("-h", "--help", action="help", help="显示本帮助并退出")

    def error(self, message: str) -> None:
        for pattern, template in _PATTERNS:
            match = re.fullmatch(pattern, message)
            if match:
                message = template.format(*match.groups())
                break
        program = self.prog.split()[0]
        self.exit(errors.EXIT_CANNOT_RUN, f"命令写法有误：{message}\n请运行 python {program} -h 查看用法。\n")


@dataclass(frozen=True)
class Command:
    """One command: its handler, its help line, and what adds its arguments (--today comes always)."""

    handler: Callable[[argparse.Namespace], int]
    help: str
    arguments: tuple[Callable[[argparse.ArgumentParser], None], ...] = ()


def build_parser(prog: str, description: str, commands: Mapping[str, Command], epilog: str | None = None
                 ) -> ChineseParser:
    """A parser with one sub-command per entry of `commands`, each with its arguments and --today."""
    parser = ChineseParser(prog=prog, description=description, epilog=epilog)
    subs = parser.add_subparsers(dest="command", required=True, metavar="命令", parser_class=ChineseParser)
    for name, command in commands.items():
        sub = subs.add_parser(name, help=command.help, description=command.help)
        for add in command.arguments:
            add(sub)
        add_today(sub)
    return parser


def add_path(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", metavar="路径", help="总台账路径")


def today_arg(text: str) -> dt.date:
    """--today in any date form the workbook accepts, within the years the workbook accepts (1900-2100)."""
    try:
        day = to_date(text)
    except ValueError:
        day = None
    if day is None:
        raise argparse.ArgumentTypeError(f"日期“{text}”无法识别，请写成 2026-03-05")
    if not FIRST_DAY <= day <= LAST_DAY:
        raise argparse.ArgumentTypeError(
            f"日期“{text}”超出范围，请写 {FIRST_DAY.year} 年至 {LAST_DAY.year} 年之间的日期，如 2026-03-05")
    return day


def year_arg(text: str) -> int:
    """--year: a whole year whose days all lie within the years the workbook accepts (1900-2100)."""
    try:
        year = int(str(text).strip().rstrip("年"))
    except ValueError:
        year = None
    if year is None or not FIRST_DAY.year <= year <= LAST_DAY.year:
        raise argparse.ArgumentTypeError(
            f"年度“{text}”有误，请写 {FIRST_DAY.year} 年至 {LAST_DAY.year} 年之间的年份，如 2027")
    return year


def add_today(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--today", type=today_arg, default=dt.date.today(), help="把哪一天当作今天（默认今天）")


class MaskedOutput:
    """A text stream that masks phone numbers in everything written to it (`print` writes whole strings)."""

    def __init__(self, stream: TextIO):
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(mask_phones(text))

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


@contextmanager
def masked_stdout() -> Iterator[None]:
    """Send `print` through `MaskedOutput` while the block runs."""
    original = sys.stdout
    sys.stdout = MaskedOutput(original)
    try:
        yield
    finally:
        sys.stdout = original


def unexpected_line(log_file: object) -> str:
    """The one line a user sees for a failure we did not foresee, and where its details went."""
    return f"程序遇到意外问题，没有完成。详细情况已记录在 {log_file}，请把该文件发给维护人员。"


def run_guarded(job: Callable[[], int], what: str, log: logging.Logger, log_file: object) -> int:
    """Run one command: our exceptions become their Chinese message, anything else one line.

    "Anything" includes what is not an `Exception`: python-calamine's PanicException derives
    from BaseException. Ctrl+C and `sys.exit` pass through.
    """
    with masked_stdout():
        try:
            return job()
        except errors.WorkbenchError as exc:
            log.warning("%s: %s [%s]", type(exc).__name__, exc.user_message(), exc.technical, exc_info=True)
            print(exc.user_message())
            if getattr(log_file, "note", ""):  # the log is not where the user would look for it
                print(f"详细情况见日志 {log_file}。")
            return exc.exit_code
        except BaseException as exc:  # the last line of defence: no traceback reaches the user
            if errors.is_ours(exc):
                raise
            log.exception("unexpected error in %s", what)
            print(unexpected_line(log_file))
            return errors.EXIT_CANNOT_RUN
