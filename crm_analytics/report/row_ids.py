"""Ids of the report rows that aggregate a company's month.

Such a row is no record of a table: its id is made of its key, so that it is
the same on every read (``row_number()`` renumbers every row after one that
appears or vanishes, and a list or a form then shows another row than the one
clicked). A month counts as its index, year × 12 + month − 1 (below 100000
until the year 8333), so that company × 100000 + index is unique per company
and month; a further key part k < n multiplies the id by n and adds k.
Rows per customer salesperson end with the salesperson's id (0 for none,
below USERS): at most company × 10^15 for the cohorts, within a bigint for
companies below 9000.
"""

from odoo.tools import SQL

MONTHS = 100000
USERS = 1000000


def company_month_id(company_id, month):
    """SQL: the bigint id of the row of ``company_id`` and ``month`` (SQL
    expressions, ``month`` a date or timestamp)."""
    return SQL(
        "(%(company)s::bigint * %(months)s"
        " + extract(year FROM %(month)s)::int * 12"
        " + extract(month FROM %(month)s)::int - 1)",
        company=company_id,
        month=month,
        months=MONTHS,
    )


def salesperson_id(row_id, user_id):
    """SQL: the bigint id ``row_id`` (see above) of a row further keyed by
    the customers' salesperson ``user_id`` (SQL expressions, NULL or 0 for
    none)."""
    return SQL(
        "(%(row)s * %(users)s + coalesce(%(user)s, 0))",
        row=row_id,
        users=USERS,
        user=user_id,
    )


def selection_position(column, selection):
    """SQL: the position of ``column``'s value among the keys of
    ``selection`` (from 1), 0 when empty: below len(selection) + 1."""
    return SQL(
        "coalesce(array_position(%s::varchar[], %s::varchar), 0)",
        [key for key, _label in selection],
        column,
    )
