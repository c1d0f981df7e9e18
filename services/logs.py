"""The log file next to the workbook: full details for the maintainer, never phone numbers.

The log goes beside the workbook; where that folder cannot be written (a read-only share,
a CD), to the user's home folder, and the messages that point at the log say so
(`LogTarget`). A log that cannot be written at all never disturbs the command: the handler
keeps quiet (no "--- Logging error ---" on the terminal, ever) and the program goes on.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from logging.handlers import RotatingFileHandler
from pathlib import Path

from workbook.privacy import mask_phones

LOG_NAME = "党建台账日志.log"
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class MaskPhones(logging.Filter):
    """Masks phone numbers (138****1234) in every record, tracebacks included."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask_phones(record.getMessage())
        record.args = ()
        return True


class MaskingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return mask_phones(super().format(record))


class QuietFileHandler(RotatingFileHandler):
    """A rotating log file that never prints its own failures (a full disk, a vanished folder)."""

    failed = False

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 - logging's name
        self.failed = True


@dataclass(frozen=True)
class LogTarget:
    """Where the log went: `path` (None: nowhere), and why not beside the workbook.

    It reads as the place to name in a message: `f"详细情况已记录在 {target}"`.
    """

    path: Path | None
    note: str = ""

    def __str__(self) -> str:
        if self.path is None:
            return f"日志中（但日志也无法写入：{self.note}）"
        return f"{self.path}（{self.note}）" if self.note else str(self.path)

    def __fspath__(self) -> str:
        return str(self.path or "")


def log_path(workbook: str | Path) -> Path:
    """Where the log of this workbook goes first: beside it, or in the current folder."""
    folder = Path(workbook).parent if str(workbook) else Path.cwd()
    return (folder if folder.is_dir() else Path.cwd()) / LOG_NAME


def setup_logging(workbook: str | Path) -> LogTarget:
    """Send the 'workbench' loggers to the log file beside the workbook (else the home folder)."""
    logging.raiseExceptions = False  # a failing handler never prints "--- Logging error ---"
    logger = logging.getLogger("workbench")
    logger.setLevel(logging.INFO)
    logger.propagate = False  # never to the screen: users see our Chinese lines only
    if not logger.handlers:
        logger.addHandler(logging.NullHandler())
    for handler in list(logger.handlers):
        if isinstance(handler, RotatingFileHandler):
            logger.removeHandler(handler)
            handler.close()
    beside = log_path(workbook)
    for path, note in ((beside, ""), (Path.home() / LOG_NAME, "工作簿所在的文件夹不能写入，日志改写在您的主文件夹中")):
        handler = _open(path)
        if handler is not None:
            logger.addHandler(handler)
            return LogTarget(path, note)
    return LogTarget(None, "工作簿所在的文件夹和您的主文件夹都不能写入")


def _open(path: Path) -> QuietFileHandler | None:
    """A handler writing `path`, opened now (not at the first record), or None if it cannot be."""
    try:
        handler = QuietFileHandler(path, maxBytes=2_000_000, backupCount=3, encoding="utf-8", delay=False)
    except OSError:
        return None
    handler.setFormatter(MaskingFormatter(_FORMAT))
    handler.addFilter(MaskPhones())
    return handler


# Until setup_logging names a file, our records go nowhere (never to the screen as a traceback).
_root = logging.getLogger("workbench")
_root.propagate = False
if not _root.handlers:
    _root.addHandler(logging.NullHandler())
