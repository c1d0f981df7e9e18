"""The validation rules: small generators that take a `Branch` and yield findings.

Each check reads typed records and yields `Finding`s; none raises on bad data. A check
that needs a column the sheet lacks sees None in every record and yields nothing more
(the missing column is reported once, by the typing step).
"""

from .activities import check_activity_dates
from .development import check_development
from .holidays import check_holidays
from .promises import (
    check_branch_coverage,
    check_dynamic_dates,
    check_member_sets,
    check_promise_items,
    check_promise_stages,
)
from .records import check_evaluations, check_ledger, check_reading, check_rule_codes, check_year_dates
from .references import check_attendance, check_group_refs, check_member_refs, check_organizers

ALL_CHECKS = (
    check_member_refs,
    check_group_refs,
    check_organizers,
    check_attendance,
    check_activity_dates,
    check_branch_coverage,
    check_dynamic_dates,
    check_promise_items,
    check_promise_stages,
    check_member_sets,
    check_reading,
    check_ledger,
    check_evaluations,
    check_development,
    check_year_dates,
    check_rule_codes,
    check_holidays,
)
