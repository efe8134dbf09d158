"""Checks of the arguments of the public methods of the three addons.

Whatever a JSON-RPC client sends (``"abc"``, ``12``, a list, ids of records
that do not exist, a domain on an unknown field), a public method answers
with a ``UserError`` in the user's language, before it reads or writes
anything, never with a traceback. Dates come as ``date``/``datetime``
objects or ISO strings (``YYYY-MM-DD``, or ``YYYY-MM-DD HH:MM:SS``); records
as recordsets of the expected model or their ids.
"""

from datetime import date

from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import format_date
from odoo.tools.translate import LazyGettext, LazyTranslate

_lt = LazyTranslate(__name__)

DATE_FROM = _lt("Start date")
DATE_TO = _lt("End date")
REFERENCE_DATE = _lt("Reference date")
UNTIL = _lt("Override until")
CUSTOMERS = _lt("Customers")
SALES_TEAM = _lt("Sales Team")
SALESPERSON = _lt("Salesperson")
FILTERS = _lt("Filters")

DOMAIN_OPERATORS = ("&", "|", "!")


def _label(env, label):
    return env._(label) if isinstance(label, LazyGettext) else label


def _shown(value):
    """``value`` as the message quotes it: short, whatever its size."""
    text = str(value)
    return text if len(text) <= 40 else text[:39] + "…"


def to_date(env, value, label, required=True):
    """``value`` as a date. Empty (``None``, ``False``, ``""``): ``None``,
    or a UserError when ``required``. Anything but a date, a datetime or an
    ISO date(time) string: a UserError naming ``label``."""
    if value is None or value is False or value == "":
        if required:
            raise UserError(
                env._("%(label)s is missing: give a date.", label=_label(env, label))
            )
        return None
    if isinstance(value, date):
        return fields.Date.to_date(value)
    error = UserError(
        env._(
            "%(label)s: “%(value)s” is not a date (expected YYYY-MM-DD).",
            label=_label(env, label),
            value=_shown(value),
        )
    )
    if not isinstance(value, str):
        raise error
    try:
        if len(value) > len("YYYY-MM-DD"):
            # Date.to_date would ignore what follows the day
            return fields.Datetime.to_datetime(value).date()
        return fields.Date.to_date(value)
    except ValueError:
        raise error from None


def check_period(env, date_from, date_to):
    """(start, end) of a period as dates: both required, the end on or after
    the start."""
    start = to_date(env, date_from, DATE_FROM)
    end = to_date(env, date_to, DATE_TO)
    if end < start:
        raise UserError(
            env._(
                "The period ends (%(date_to)s) before it starts (%(date_from)s).",
                date_from=format_date(env, start),
                date_to=format_date(env, end),
            )
        )
    return start, end


def to_records(env, model_name, value, label, single=False):
    """``value`` as records of ``model_name``: such records, or their ids (an
    id or a list of ids, as JSON-RPC sends them) of records that exist; at
    most one record if ``single``. ``None``/``False``: no records."""
    Model = env[model_name]
    original = value
    if value is None or value is False:
        return Model
    if isinstance(value, models.BaseModel):
        if value._name == model_name and not (single and len(value) > 1):
            return value
    elif _is_id(value):
        value = [value]
    elif single:
        value = None
    if isinstance(value, (list, tuple)) and all(map(_is_id, value)):
        records = Model.browse(value)
        if len(records.exists()) == len(records):
            return records
        raise UserError(
            env._(
                "%(label)s: some of the records %(ids)s do not exist.",
                label=_label(env, label),
                ids=_shown(list(value)),
            )
        )
    raise UserError(
        env._(
            "%(label)s: expected %(model)s records or their ids, not “%(value)s”.",
            label=_label(env, label),
            # the model's name in the user's language, whoever asks
            model=env["ir.model"]._get(model_name).sudo().name,
            value=_shown(original),
        )
    )


def _is_id(value):
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def check_options(env, options, allowed, label):
    """``options`` as a dict (``None``: empty) with no key out of
    ``allowed``."""
    if options is None or options is False:
        return {}
    if not isinstance(options, dict):
        raise UserError(
            env._(
                "%(label)s must be a dictionary, not “%(value)s”.",
                label=_label(env, label),
                value=_shown(options),
            )
        )
    unknown = sorted(str(key) for key in options if key not in allowed)
    if unknown:
        raise UserError(
            env._(
                "%(label)s: unknown keys %(keys)s; allowed: %(allowed)s.",
                label=_label(env, label),
                keys=", ".join(unknown),
                allowed=", ".join(allowed),
            )
        )
    return options


def domain_query(model, domain):
    """The query of ``model``'s records matching ``domain`` (a list of
    leaves and operators, as the web client sends it); a UserError for a
    domain of the wrong shape or on unknown fields or operators."""
    env = model.env
    if not isinstance(domain, (list, tuple)) or not all(
        (isinstance(term, str) and term in DOMAIN_OPERATORS)
        or (
            isinstance(term, (list, tuple))
            and len(term) == 3
            and isinstance(term[0], str)
        )
        for term in domain
    ):
        raise UserError(
            env._(
                "“%(domain)s” is not a search domain: a list of conditions "
                "(field, operator, value) and of the operators &, | and !.",
                domain=_shown(domain),
            )
        )
    try:
        return model._search(domain)
    except ValueError as error:
        raise UserError(
            env._(
                "The domain “%(domain)s” cannot be searched: %(error)s",
                domain=_shown(domain),
                error=error,
            )
        ) from None
