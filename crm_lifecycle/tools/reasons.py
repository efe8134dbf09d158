"""Why a customer is in its stage, in the reader's language: an evaluation
stores the rule and the figures it read (``REASON_FIGURES``); the profile
and its history render them when they are read."""

from odoo.tools import SQL, format_amount, format_date, formatLang

from ..const import FIGURES, OVERRIDE_EXPIRED, REASON_FIGURES, REASONS

# The figure that tells that a stage held by hand expired.
EXPIRED = "override_expired"


def stored_figures(rule, expired):
    """SQL: the JSON object of the figures that the reason of the rule key
    in SQL expression ``rule`` quotes, for customer ``e``, and ``EXPIRED``
    where SQL condition ``expired`` holds."""
    return SQL(
        "CASE %s %s ELSE '{}'::jsonb END || CASE WHEN %s THEN %s ELSE '{}'::jsonb END",
        rule,
        SQL(" ").join(
            SQL(
                "WHEN %s THEN jsonb_build_object(%s)",
                key,
                SQL(", ").join(
                    SQL("%s::text, %s", name, SQL(FIGURES[name][0])) for name in names
                ),
            )
            for key, names in REASON_FIGURES.items()
        ),
        expired,
        SQL("jsonb_build_object(%s::text, TRUE)", EXPIRED),
    )


def render(env, rule, figures, currency):
    """The reason of ``rule`` with its stored ``figures`` (amounts in
    ``currency``) in ``env``'s language; empty without the figures it quotes
    (a profile not evaluated again since an upgrade)."""
    if rule not in REASONS:
        return ""
    figures = figures or {}
    names = REASON_FIGURES.get(rule, ())
    if any(figures.get(name) is None for name in names):
        return ""
    shown = {name: _show(env, name, figures[name], currency) for name in names}
    try:
        text = env._(REASONS[rule]) % shown
    except (KeyError, ValueError, TypeError):
        # a translation that lost or mistyped a placeholder: the English text
        text = env(context=dict(env.context, lang="en_US"))._(REASONS[rule]) % shown
    if figures.get(EXPIRED):
        return f"{env._(OVERRIDE_EXPIRED)} {text}"
    return text


def _show(env, name, value, currency):
    kind = FIGURES[name][1]
    if kind == "date":
        return format_date(env, value)
    if kind == "monetary":
        return format_amount(env, value, currency)
    if kind == "percentage":
        value = round(value * 100, 2)
        return f"{formatLang(env, value, digits=0 if value == int(value) else 2)}%"
    return formatLang(env, value, digits=1 if kind == "float" else 0)
