"""Bounds of the settings of the three addons (company settings, playbooks,
service levels). Past them the figures stop making sense, and dates
overflow: a churn period of a million days breaks the daily cron, an RFM
window of 100 million days the posting of an invoice.

Each bound is (kind, minimum, maximum); the kind says how the message reads.
"""

from odoo.exceptions import ValidationError

PERIOD_DAYS = ("days", 1, 36500)  # a period of the rules: up to a century
DELAY_DAYS = ("days", 0, 3650)  # a delay before a follow-up: up to ten years
RATE = ("rate", 0, 1)  # 0.10 means 10 %
SLA_HOURS = ("hours", 0, 8760)  # more than 0, up to a year
COUNT = ("count", 1, 1000000)
WEIGHT = ("number", 0, 100)
SCALE_POINT = ("number", 0, 10)  # survey scales run within 0..10
AMOUNT = ("number", 0, 1e15)


def check_bounds(records, bounds, label=lambda record: record.display_name):
    """Refuse the first value of ``records`` out of ``bounds``, {field name:
    bound}: a ValidationError naming the record (``label``), the field and
    its bounds."""
    env = records.env
    for record in records:
        for name, (kind, low, high) in bounds.items():
            value = record[name]
            # An hour count must be positive; the other minimums are allowed.
            if low <= value <= high and not (kind == "hours" and value == low):
                continue
            args = {
                "record": label(record),
                "field": record._fields[name]._description_string(env),
                "min": _number(low),
                "max": _number(high),
                "value": _number(value),
            }
            if kind == "days":
                message = env._(
                    "%(record)s: %(field)s must be between %(min)s and %(max)s "
                    "days, not %(value)s.",
                    **args,
                )
            elif kind == "hours":
                message = env._(
                    "%(record)s: %(field)s must be more than %(min)s and at most "
                    "%(max)s hours (a year), not %(value)s.",
                    **args,
                )
            elif kind == "rate":
                message = env._(
                    "%(record)s: %(field)s must be between %(min)s and %(max)s "
                    "(0.10 means 10%%), not %(value)s.",
                    **args,
                )
            else:
                message = env._(
                    "%(record)s: %(field)s must be between %(min)s and %(max)s, "
                    "not %(value)s.",
                    **args,
                )
            raise ValidationError(message)


def _number(value):
    """36500 as 36,500; 0.5 as 0.5."""
    if float(value).is_integer() and abs(value) < 1e18:
        return f"{int(value):,}"
    return f"{value:,g}"
