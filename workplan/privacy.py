"""The phone-number rule, as the domain names it: the one function lives in `workbook.privacy`.

Kept here so that `from workplan.privacy import mask_phones` keeps working; it is the same
function object, not a second rule.
"""

from __future__ import annotations

from workbook.privacy import mask_phones

__all__ = ["mask_phones"]
