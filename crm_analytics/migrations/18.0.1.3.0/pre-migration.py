from odoo.tools import SQL


def migrate(cr, version):
    """The tier history reads the snapshot periods directly: the model
    ``crm.customer.snapshot`` is gone. The update removes its records (model,
    fields, views, access rows, rule) but not its SQL view, as the model is
    no longer in the registry; drop it before the update, since it depends
    on the periods' and the rankings' columns. Saved searches of the model
    would stay behind, bound to a model that no longer exists."""
    if not version:
        return
    cr.execute(SQL("DROP VIEW IF EXISTS crm_customer_snapshot"))
    cr.execute(SQL("DELETE FROM ir_filters WHERE model_id = 'crm.customer.snapshot'"))
