"""The English interface of the three addons reads English: no Chinese gloss
in a field's label or help, a selection's label, a view or an action's help.
The Chinese terms belong to the zh_CN translation and the documentation."""

import re

from odoo.tests import TransactionCase, tagged

ADDONS = ("crm_lifecycle", "crm_satisfaction", "crm_analytics")
CHINESE = re.compile("[\u4e00-\u9fff]")


@tagged("post_install", "-at_install")
class TestEnglishLabels(TransactionCase):
    def records_of(self, model):
        """The addons' own records of ``model``, read in English."""
        ids = (
            self.env["ir.model.data"]
            .search([("module", "in", ADDONS), ("model", "=", model)])
            .mapped("res_id")
        )
        return self.env[model].with_context(lang="en_US").browse(ids).exists()

    def chinese_in(self, model, names):
        return [
            f"{model} {record.display_name!r}.{name}: {record[name]}"
            for record in self.records_of(model)
            for name in names
            if record[name] and CHINESE.search(str(record[name]))
        ]

    def test_no_chinese_in_english_labels(self):
        found = (
            self.chinese_in("ir.model.fields", ["field_description", "help"])
            + self.chinese_in("ir.model.fields.selection", ["name"])
            + self.chinese_in("ir.model", ["name"])
            + self.chinese_in("ir.ui.view", ["arch_db"])
            + self.chinese_in("ir.actions.act_window", ["name", "help"])
            + self.chinese_in("ir.ui.menu", ["name"])
        )
        self.assertFalse(found, "\n".join(found))
        # the check reads something: the addons' labels are there
        self.assertGreater(len(self.records_of("ir.model.fields")), 100)
