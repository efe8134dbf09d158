from datetime import timedelta

from odoo import fields, models


class CrmRoiWizard(models.TransientModel):
    _name = "crm.roi.wizard"
    _description = "CRM Return on Investment"

    date_from = fields.Date(
        required=True,
        default=lambda self: fields.Date.context_today(self) - timedelta(days=364),
    )
    date_to = fields.Date(required=True, default=fields.Date.context_today)
    computed = fields.Boolean(readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    company_id = fields.Many2one(
        "res.company", default=lambda self: self.env.company, readonly=True
    )
    revenue = fields.Monetary(readonly=True)
    margin = fields.Monetary(readonly=True)
    baseline_margin = fields.Monetary(string="Baseline Margin (scaled)", readonly=True)
    incremental_margin = fields.Monetary(readonly=True)
    cost = fields.Monetary(string="CRM Costs", readonly=True)
    retention = fields.Float(string="Retention (%)", digits=(16, 1), readonly=True)
    baseline_retention = fields.Float(
        string="Baseline Retention (%)", digits=(16, 1), readonly=True
    )
    retention_uplift = fields.Float(
        string="Retention Uplift (points)", digits=(16, 1), readonly=True
    )
    roi = fields.Float(string="ROI", digits=(16, 2), readonly=True)
    # A figure that cannot be computed is hidden (Odoo would show 0) and
    # ``missing`` says why.
    has_roi = fields.Boolean(readonly=True)
    has_baseline = fields.Boolean(readonly=True)
    has_cost = fields.Boolean(readonly=True)
    has_retention = fields.Boolean(readonly=True)
    has_baseline_retention = fields.Boolean(readonly=True)
    has_retention_uplift = fields.Boolean(readonly=True)
    missing = fields.Text(string="Not Computed", readonly=True)

    def action_compute(self):
        self.ensure_one()
        figures = self.env["crm.roi.report"].roi(self.date_from, self.date_to)
        self.write(
            {
                "computed": True,
                "has_roi": figures["roi"] is not None,
                "has_baseline": figures["baseline_margin"] is not None,
                "has_cost": figures["cost"] is not None,
                "has_retention": figures["retention"] is not None,
                "has_baseline_retention": figures["baseline_retention"] is not None,
                "has_retention_uplift": figures["retention_uplift"] is not None,
                "missing": "\n".join(figures["missing"]) or False,
                **{
                    key: figures[key] or 0.0
                    for key in (
                        "revenue",
                        "margin",
                        "baseline_margin",
                        "incremental_margin",
                        "cost",
                        "retention",
                        "baseline_retention",
                        "retention_uplift",
                        "roi",
                    )
                },
            }
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("CRM Return on Investment"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    def action_open_settings(self):
        """The settings where the ROI's baseline period is set."""
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Settings"),
            "res_model": "res.config.settings",
            "view_mode": "form",
            "target": "inline",
            "context": {"module": "crm"},
        }
