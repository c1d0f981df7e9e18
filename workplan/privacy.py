"""Personal data stays in the workbook: the one rule that hides phone numbers in what we write.

Pure text in, text out. Every output that may carry text staff typed (the log, the report)
passes through `mask_phones`, so a number typed into free text does not leave the workbook.
"""

from __future__ import annotations

import re

_PHONE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")


def mask_phones(text: str) -> str:
    """Mobile numbers in text become 138****5678: the log and the reports never show one."""
    return _PHONE.sub(r"\1****\2", text)
