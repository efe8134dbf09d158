from odoo.tools import SQL
from odoo.tools.sql import column_exists


def migrate(cr, version):
    """Reasons are no longer stored as text but rendered in the reader's
    language from the rule and its figures: the history keeps the texts
    written so far as its note; the profiles' texts go (their figures are
    filled in after the update, see the post-migration)."""
    if not version:
        return
    if column_exists(cr, "crm_lifecycle_history", "reason"):
        cr.execute(
            SQL("ALTER TABLE crm_lifecycle_history RENAME COLUMN reason TO note")
        )
    cr.execute(
        SQL("ALTER TABLE crm_customer_profile DROP COLUMN IF EXISTS stage_reason")
    )
