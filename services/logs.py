"""The log file next to the workbook: full details for the maintainer, never phone numbers."""

from __future__ import annotations

import logging
from logging.handlers import RotatingFileHandler
from pathlib import Path

from workbook.privacy import mask_phones

LOG_NAME = "党建台账日志.log"
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class MaskPhones(logging.Filter):
    """Masks mobile numbers (138****1234) in every record, tracebacks included."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask_phones(record.getMessage())
        record.args = ()
        return True


class MaskingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return mask_phones(super().format(record))


def log_path(workbook: str | Path) -> Path:
    """Where the log of this workbook goes: beside it, or in the current folder."""
    folder = Path(workbook).parent if str(workbook) else Path.cwd()
    return (folder if folder.is_dir() else Path.cwd()) / LOG_NAME


def setup_logging(workbook: str | Path) -> Path:
    """Send the 'workbench' loggers to the log file beside the workbook; returns its path."""
    path = log_path(workbook)
    logger = logging.getLogger("workbench")
    logger.setLevel(logging.INFO)
    logger.propagate = False  # never to the screen: users see our Chinese lines only
    if not logger.handlers:
        logger.addHandler(logging.NullHandler())
    for handler in list(logger.handlers):
        if isinstance(handler, RotatingFileHandler):
            logger.removeHandler(handler)
            handler.close()
    try:
        handler = RotatingFileHandler(path, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
    except OSError:
        return path
    handler.setFormatter(MaskingFormatter(_FORMAT))
    handler.addFilter(MaskPhones())
    logger.addHandler(handler)
    return path


# Until setup_logging names a file, our records go nowhere (never to the screen as a traceback).
_root = logging.getLogger("workbench")
_root.propagate = False
if not _root.handlers:
    _root.addHandler(logging.NullHandler())
