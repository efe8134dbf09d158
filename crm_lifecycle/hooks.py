"""Uninstalling an addon never deletes the customers' data.

Odoo deletes, on uninstall, every record an external id of the module names.
Records of the models below that an addon shipped or loaded as demo data
(customers, their documents and leads, the products invoiced, surveys and the
answers to them, activity types) are the company's own once installed: other
records refer to them (invoices to customers and products, responses to
surveys, activities to their type)
and the company goes on using them. The addons' uninstall hooks forget their
external ids instead, so that the ORM leaves them alone.
"""

from odoo.tools import SQL

KEPT_MODELS = [
    "res.partner",
    "crm.lead",
    "sale.order",
    "account.move",
    "product.template",
    "product.product",
    "survey.survey",
    "survey.question",
    "survey.question.answer",
    "survey.user_input",
    "survey.user_input.line",
    "mail.activity.type",
]


def keep_company_records(env, module):
    """Forget the external ids of ``module`` on records of KEPT_MODELS, and
    free its activity types from the models that disappear with it (Odoo
    deletes the activity types of a deleted model).

    The records of the models only ``module`` defines go with their tables:
    their ids are forgotten too, or the ORM, deleting them one by one before
    the tables, trips over the references kept records still hold (a survey
    question to its satisfaction dimension)."""
    dropped = [
        model
        for (model,) in env.execute_query(
            SQL(
                """SELECT m.model FROM ir_model m
                     JOIN ir_model_data d ON d.model = 'ir.model' AND d.res_id = m.id
                 GROUP BY m.model
                   HAVING bool_and(d.module = %s)""",
                module,
            )
        )
    ]
    rows = env.execute_query(
        SQL(
            """DELETE FROM ir_model_data
                WHERE module = %s AND model = ANY(%s)
            RETURNING model, res_id""",
            module,
            KEPT_MODELS + dropped,
        )
    )
    env.registry.clear_cache()  # external ids are cached
    activity_types = env["mail.activity.type"].browse(
        res_id for model, res_id in rows if model == "mail.activity.type"
    )
    activity_types.exists().filtered(
        lambda activity_type: activity_type.res_model in dropped
    ).res_model = False
