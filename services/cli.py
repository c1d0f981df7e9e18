"""What the command lines share: Chinese argparse, the --today argument, the guarded run.

`sync.py` and `reports.py` parse with `ChineseParser` and run their handler through
`run_guarded`, so a known problem prints its Chinese message and exit code, and anything
unexpected prints one Chinese line while the traceback goes to the log file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import re
from collections.abc import Callable
from pathlib import Path

from workbook import errors
from workbook.values import to_date

_PATTERNS = (
    (r"the following arguments are required: (.*)", "缺少参数：{0}"),
    (r"unrecognized arguments: (.*)", "无法识别的参数：{0}"),
    (r"argument (\S+): invalid choice: (.*?) \(choose from (.*)\)", "参数 {0} 的值 {1} 无效，可选：{2}"),
    (r"argument (\S+): expected one argument", "参数 {0} 后面需要一个值"),
    (r"argument (\S+): (.*)", "参数 {0} 有误：{1}"),
)


class ChineseParser(argparse.ArgumentParser):
    """argparse with its usage errors said in Chinese, pointing at the program's own -h."""

    def error(self, message: str) -> None:
        for pattern, template in _PATTERNS:
            match = re.fullmatch(pattern, message)
            if match:
                message = template.format(*match.groups())
                break
        program = self.prog.split()[0]
        self.exit(errors.EXIT_CANNOT_RUN, f"命令写法有误：{message}\n请运行 python {program} -h 查看用法。\n")


def today_arg(text: str) -> dt.date:
    """--today in any date form the workbook accepts."""
    try:
        day = to_date(text)
    except ValueError:
        day = None
    if day is None:
        raise argparse.ArgumentTypeError(f"日期“{text}”无法识别，请写成 2026-03-05")
    return day


def add_today(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--today", type=today_arg, default=dt.date.today(), help="把哪一天当作今天（默认今天）")


def run_guarded(job: Callable[[], int], what: str, log: logging.Logger, log_file: Path) -> int:
    """Run one command: our exceptions become their Chinese message, anything else one line."""
    try:
        return job()
    except errors.WorkbenchError as exc:
        log.warning("%s: %s [%s]", type(exc).__name__, exc.user_message(), exc.technical, exc_info=True)
        print(exc.user_message())
        return exc.exit_code
    except Exception:  # the last line of defence: no traceback reaches the user
        log.exception("unexpected error in %s", what)
        print(f"程序遇到意外问题，没有完成。详细情况已记录在 {log_file}，请把该文件发给维护人员。")
        return errors.EXIT_CANNOT_RUN
